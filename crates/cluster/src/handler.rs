//! Query processing: decode, log, faults, lookup, encode. Transport-independent; the socket
//! loops live in [`super::transport`].

use std::net::SocketAddr;

use hickory_proto::op::{Message, MessageType, Metadata, OpCode, ResponseCode};

use super::shared::{normalize_name, Fault, QueryLogEntry, SharedZone, Transport};
use super::wire::{header_bytes, Overflow, Reply, Sections};
use super::zone::{Lookup, TruncationMode};

/// Largest message over TCP.
const TCP_LIMIT: usize = 65535;

/// Answer one DNS message received on `transport` from `src`.
///
/// Returns `None` when nothing must be sent (garbage shorter than a header, a response
/// message, a dropped query, the outage switch). Never panics on hostile input.
pub async fn respond(
    zone: &SharedZone,
    bytes: &[u8],
    src: SocketAddr,
    transport: Transport,
) -> Option<Vec<u8>> {
    if bytes.len() < 12 {
        return None;
    }
    let id = u16::from_be_bytes([bytes[0], bytes[1]]);
    let is_response = bytes[2] & 0x80 != 0;
    if is_response {
        return None; // never answer responses (reflection)
    }
    let request = match Message::from_vec(bytes) {
        Ok(m) => m,
        Err(_) => {
            // Undecodable query with a readable header: FORMERR, no question.
            let mut meta = Metadata::new(id, MessageType::Response, OpCode::Query);
            meta.recursion_desired = bytes[2] & 0x01 != 0;
            meta.response_code = ResponseCode::FormErr;
            return Some(header_bytes(&meta, 0, 0, 0, 0).to_vec());
        }
    };
    let req_meta = request.metadata;
    let mut metadata = Metadata::response_from_request(&req_meta);
    metadata.authoritative = true;
    let client_edns = request.edns.as_ref().map(|e| e.max_payload());
    let edns_payload = client_edns.map(|s| s.max(512));
    let limit = match transport {
        Transport::Udp => usize::from(edns_payload.unwrap_or(512)),
        Transport::Tcp => TCP_LIMIT,
    };
    let empty = Sections::default();

    if req_meta.op_code != OpCode::Query || request.queries.len() != 1 {
        metadata.authoritative = false;
        metadata.response_code = if req_meta.op_code != OpCode::Query {
            ResponseCode::NotImp
        } else {
            ResponseCode::FormErr
        };
        let reply = Reply {
            metadata,
            query: request.queries.first(),
            sections: &empty,
            edns_payload,
        };
        return Some(reply.encode(limit, Overflow::Partial).0);
    }
    let query = &request.queries[0];
    let qname = query.name().clone();
    let qtype = query.query_type();
    let key = normalize_name(&qname.to_ascii());
    zone.log_query(QueryLogEntry {
        name: key.clone(),
        qtype,
        transport,
        edns_payload: client_edns,
        src,
    });

    if zone.drop_all() {
        return None;
    }
    let reply = |metadata: Metadata, sections: &Sections, overflow: Overflow| {
        Reply {
            metadata,
            query: Some(query),
            sections,
            edns_payload,
        }
        .encode(limit, overflow)
        .0
    };
    match zone.fault_for(&key, qtype) {
        None => {}
        Some(Fault::Drop) => return None,
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(f @ (Fault::ServFail | Fault::Refused)) => {
            metadata.authoritative = false;
            metadata.response_code = if f == Fault::ServFail {
                ResponseCode::ServFail
            } else {
                ResponseCode::Refused
            };
            return Some(reply(metadata, &empty, Overflow::Partial));
        }
        Some(Fault::Malformed) => return Some(malformed(metadata, query)),
        Some(Fault::ForceTc) if transport == Transport::Udp => {
            metadata.truncation = true;
            return Some(reply(metadata, &empty, Overflow::Partial));
        }
        // Over TCP a ForceTc name is answered normally.
        Some(Fault::ForceTc) => {}
    }

    let behaviour = zone.behaviour();
    let mut sections = Sections::default();
    match zone.zone().lookup(&qname, qtype, &behaviour) {
        Lookup::Answer {
            answers,
            additionals,
        } => {
            sections.answers = answers;
            sections.additionals = additionals;
        }
        Lookup::NoData { soa } => sections.authorities.push(soa),
        Lookup::NxDomain { soa } => {
            metadata.response_code = ResponseCode::NXDomain;
            sections.authorities.push(soa);
        }
        Lookup::Refused => {
            metadata.authoritative = false;
            metadata.response_code = ResponseCode::Refused;
        }
    }
    let overflow = match behaviour.truncation {
        TruncationMode::CoreDns => Overflow::Partial,
        TruncationMode::Empty => Overflow::Empty,
    };
    Some(reply(metadata, &sections, overflow))
}

/// A reply with the right ID and question whose single answer record is cut short
/// (RDLENGTH 4, one byte of RDATA): the header parses, the message does not.
fn malformed(metadata: Metadata, query: &hickory_proto::op::Query) -> Vec<u8> {
    let sections = Sections::default();
    let (mut bytes, _) = Reply {
        metadata,
        query: Some(query),
        sections: &sections,
        edns_payload: None,
    }
    .encode(512, Overflow::Partial);
    bytes[6..8].copy_from_slice(&1u16.to_be_bytes()); // ANCOUNT = 1
    bytes.extend_from_slice(&[
        0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 30, 0x00, 0x04, 10,
    ]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use hickory_proto::op::{Edns, Query};
    use hickory_proto::rr::{Name, RecordType};

    fn q(name: &str, t: RecordType, edns: bool) -> Vec<u8> {
        let mut m = Message::query();
        m.metadata.id = 99;
        m.add_query(Query::query(Name::from_ascii(name).unwrap(), t));
        if edns {
            m.set_edns(Edns::new());
        }
        m.to_vec().unwrap()
    }

    fn src() -> SocketAddr {
        "127.0.0.1:5353".parse().unwrap()
    }

    #[tokio::test]
    async fn garbage_never_panics() {
        let z = SharedZone::from_cluster(&Cluster::example());
        assert!(respond(&z, &[], src(), Transport::Udp).await.is_none());
        assert!(respond(&z, &[1, 2, 3], src(), Transport::Udp)
            .await
            .is_none());
        let junk = [
            0x12, 0x34, 0x01, 0x00, 0, 5, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
        ];
        let r = respond(&z, &junk, src(), Transport::Udp).await.unwrap();
        let m = Message::from_vec(&r).unwrap();
        assert_eq!(m.metadata.id, 0x1234);
        assert_eq!(m.metadata.response_code, ResponseCode::FormErr);
        // every prefix and a few bit flips of a valid query
        let good = q("web-headless.awx.svc.cluster.local.", RecordType::SRV, true);
        for n in 0..good.len() {
            let _ = respond(&z, &good[..n], src(), Transport::Tcp).await;
        }
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0xA5;
            let _ = respond(&z, &b, src(), Transport::Udp).await;
        }
    }

    #[tokio::test]
    async fn malformed_fault_keeps_id_but_does_not_parse() {
        let z = SharedZone::from_cluster(&Cluster::example());
        z.set_fault("db.awx.svc.cluster.local", Fault::Malformed);
        let r = respond(
            &z,
            &q("db.awx.svc.cluster.local.", RecordType::A, false),
            src(),
            Transport::Udp,
        )
        .await
        .unwrap();
        assert_eq!(u16::from_be_bytes([r[0], r[1]]), 99);
        assert!(Message::from_vec(&r).is_err());
    }

    #[tokio::test]
    async fn response_messages_are_ignored() {
        let z = SharedZone::from_cluster(&Cluster::example());
        let mut b = q("db.awx.svc.cluster.local.", RecordType::A, false);
        b[2] |= 0x80;
        assert!(respond(&z, &b, src(), Transport::Udp).await.is_none());
    }
}
