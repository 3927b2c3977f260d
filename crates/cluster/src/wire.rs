//! Response encoder with CoreDNS/miekg-like packing and truncation (docs/cluster-dns.md §4).
//!
//! hickory-proto 0.26.3's `BinEncoder` compresses at most 120 names per message
//! (`COMPRESSED_NAME_LIMIT`, `rr/domain/name.rs:1225`) and never points an owner name at the
//! question (the question is registered together with its type and class), so a 3000-record
//! answer would need ~150 KB and could not go out over TCP. This encoder compresses every
//! name (owner names and the names inside NS/CNAME/PTR/SOA/MX RDATA, as miekg does; SRV
//! targets uncompressed per RFC 2782), reserves room for the OPT record first and keeps
//! records in section order as long as they fit.

use std::collections::HashMap;

use hickory_proto::op::{Metadata, Query};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

/// Wire size of an OPT record without options.
pub const OPT_LEN: usize = 11;

/// The three record sections of a reply.
#[derive(Debug, Default, Clone)]
pub struct Sections {
    /// Answer section.
    pub answers: Vec<Record>,
    /// Authority section.
    pub authorities: Vec<Record>,
    /// Additional section (without OPT).
    pub additionals: Vec<Record>,
}

/// A reply ready to encode.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    /// Header fields (ID, flags, rcode); TC is set by [`Reply::encode`] when records drop.
    pub metadata: Metadata,
    /// Echoed question, if any.
    pub query: Option<&'a Query>,
    /// Records.
    pub sections: &'a Sections,
    /// UDP payload size to put in an OPT record (`None`: no OPT).
    pub edns_payload: Option<u16>,
}

/// How records that do not fit are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Keep records in order as long as they fit, TC=1 (CoreDNS).
    Partial,
    /// Drop every record, TC=1 (BIND/Knot with EDNS).
    Empty,
}

struct Writer {
    buf: Vec<u8>,
    /// Case-sensitive wire suffix → offset, for compression pointers.
    names: HashMap<Vec<u8>, u16>,
    /// Keys added since the last [`Writer::mark`], removed again on rollback.
    journal: Vec<Vec<u8>>,
}

impl Writer {
    fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    fn name(&mut self, name: &Name, compress: bool) {
        let labels: Vec<&[u8]> = name.iter().collect();
        for i in 0..labels.len() {
            let key = suffix_key(&labels[i..]);
            if compress {
                if let Some(&off) = self.names.get(&key) {
                    self.u16(0xC000 | off);
                    return;
                }
            }
            let off = self.buf.len();
            if compress && off < 0x3FFF {
                self.journal.push(key.clone());
                self.names.insert(key, off as u16);
            }
            let l = labels[i];
            self.buf.push(l.len().min(63) as u8);
            self.buf.extend_from_slice(&l[..l.len().min(63)]);
        }
        self.buf.push(0);
    }

    fn record(&mut self, r: &Record) {
        self.name(&r.name, true);
        self.u16(u16::from(r.record_type()));
        self.u16(u16::from(r.dns_class));
        self.u32(r.ttl);
        let len_at = self.buf.len();
        self.u16(0);
        self.rdata(&r.data);
        let rdlen = (self.buf.len() - len_at - 2).min(usize::from(u16::MAX)) as u16;
        self.buf[len_at..len_at + 2].copy_from_slice(&rdlen.to_be_bytes());
    }

    fn rdata(&mut self, data: &RData) {
        match data {
            RData::A(a) => self.buf.extend_from_slice(&a.0.octets()),
            RData::AAAA(a) => self.buf.extend_from_slice(&a.0.octets()),
            RData::NS(n) => self.name(&n.0, true),
            RData::CNAME(n) => self.name(&n.0, true),
            RData::PTR(n) => self.name(&n.0, true),
            RData::MX(mx) => {
                self.u16(mx.preference);
                self.name(&mx.exchange, true);
            }
            RData::SOA(s) => {
                self.name(&s.mname, true);
                self.name(&s.rname, true);
                self.u32(s.serial);
                self.u32(s.refresh as u32);
                self.u32(s.retry as u32);
                self.u32(s.expire as u32);
                self.u32(s.minimum);
            }
            RData::SRV(s) => {
                self.u16(s.priority);
                self.u16(s.weight);
                self.u16(s.port);
                self.name(&s.target, false);
            }
            RData::TXT(t) => {
                for chunk in t.txt_data.iter() {
                    for piece in chunk.chunks(255) {
                        self.buf.push(piece.len() as u8);
                        self.buf.extend_from_slice(piece);
                    }
                    if chunk.is_empty() {
                        self.buf.push(0);
                    }
                }
            }
            RData::Unknown { rdata, .. } => self.buf.extend_from_slice(&rdata.anything),
            other => {
                // Any other type: hickory's encoder in canonical (uncompressed) form.
                let mut v = Vec::new();
                let mut e = BinEncoder::new(&mut v);
                e.set_canonical_form(true);
                if other.emit(&mut e).is_ok() {
                    self.buf.extend_from_slice(&v);
                }
            }
        }
    }
}

fn suffix_key(labels: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::new();
    for l in labels {
        k.push(l.len() as u8);
        k.extend_from_slice(l);
    }
    k
}

impl Reply<'_> {
    /// Encode within `limit` bytes. Returns the message and whether records were dropped.
    pub fn encode(&self, limit: usize, overflow: Overflow) -> (Vec<u8>, bool) {
        let limit = limit.clamp(512, usize::from(u16::MAX));
        let budget = limit
            - if self.edns_payload.is_some() {
                OPT_LEN
            } else {
                0
            };
        let mut w = Writer {
            buf: Vec::with_capacity(512),
            names: HashMap::new(),
            journal: Vec::new(),
        };
        w.buf.resize(12, 0);
        if let Some(q) = self.query {
            w.name(q.name(), true);
            w.u16(u16::from(q.query_type()));
            w.u16(u16::from(q.query_class()));
        }
        let question_end = w.buf.len();
        let mut counts = [0u16; 3];
        let mut dropped = false;
        let sections = [
            &self.sections.answers,
            &self.sections.authorities,
            &self.sections.additionals,
        ];
        'outer: for (i, section) in sections.iter().enumerate() {
            for r in section.iter() {
                let mark = w.buf.len();
                w.journal.clear();
                w.record(r);
                if w.buf.len() > budget || counts[i] == u16::MAX {
                    w.buf.truncate(mark);
                    for k in w.journal.drain(..) {
                        w.names.remove(&k);
                    }
                    dropped = true;
                    break 'outer;
                }
                counts[i] += 1;
            }
        }
        if dropped && overflow == Overflow::Empty {
            w.buf.truncate(question_end);
            counts = [0; 3];
        }
        let mut arcount = counts[2];
        if let Some(size) = self.edns_payload {
            w.buf.push(0); // root owner
            w.u16(u16::from(RecordType::OPT));
            w.u16(size.max(512)); // CLASS = UDP payload size
            w.u32(u32::from(self.metadata.response_code.high()) << 24); // ext-rcode, version 0, flags 0
            w.u16(0);
            arcount += 1;
        }
        let mut meta = self.metadata;
        meta.truncation |= dropped;
        let header = header_bytes(
            &meta,
            u16::from(self.query.is_some()),
            counts[0],
            counts[1],
            arcount,
        );
        w.buf[..12].copy_from_slice(&header);
        (w.buf, dropped)
    }
}

/// The 12 header bytes for `meta` and the section counts.
pub fn header_bytes(meta: &Metadata, qd: u16, an: u16, ns: u16, ar: u16) -> [u8; 12] {
    let mut flags: u16 = 0;
    if meta.message_type == hickory_proto::op::MessageType::Response {
        flags |= 0x8000;
    }
    flags |= (u16::from(u8::from(meta.op_code)) & 0xF) << 11;
    if meta.authoritative {
        flags |= 0x0400;
    }
    if meta.truncation {
        flags |= 0x0200;
    }
    if meta.recursion_desired {
        flags |= 0x0100;
    }
    if meta.recursion_available {
        flags |= 0x0080;
    }
    if meta.authentic_data {
        flags |= 0x0020;
    }
    if meta.checking_disabled {
        flags |= 0x0010;
    }
    flags |= u16::from(meta.response_code.low()) & 0xF;
    let mut h = [0u8; 12];
    h[0..2].copy_from_slice(&meta.id.to_be_bytes());
    h[2..4].copy_from_slice(&flags.to_be_bytes());
    h[4..6].copy_from_slice(&qd.to_be_bytes());
    h[6..8].copy_from_slice(&an.to_be_bytes());
    h[8..10].copy_from_slice(&ns.to_be_bytes());
    h[10..12].copy_from_slice(&ar.to_be_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Message, MessageType, OpCode};
    use hickory_proto::rr::rdata::{A, SRV};
    use std::net::Ipv4Addr;

    fn meta() -> Metadata {
        let mut m = Metadata::new(7, MessageType::Response, OpCode::Query);
        m.authoritative = true;
        m
    }

    #[test]
    fn round_trips_through_hickory_decoder() {
        let owner = Name::from_ascii("web.awx.svc.cluster.local.").unwrap();
        let q = Query::query(owner.clone(), RecordType::SRV);
        let s = Sections {
            answers: vec![Record::from_rdata(
                owner.clone(),
                30,
                RData::SRV(SRV::new(
                    0,
                    100,
                    80,
                    Name::from_ascii("web-0.web.awx.svc.cluster.local.").unwrap(),
                )),
            )],
            authorities: vec![],
            additionals: vec![Record::from_rdata(
                Name::from_ascii("web-0.web.awx.svc.cluster.local.").unwrap(),
                30,
                RData::A(A(Ipv4Addr::new(10, 0, 0, 1))),
            )],
        };
        let reply = Reply {
            metadata: meta(),
            query: Some(&q),
            sections: &s,
            edns_payload: Some(1232),
        };
        let (bytes, dropped) = reply.encode(1232, Overflow::Partial);
        assert!(!dropped);
        let m = Message::from_vec(&bytes).unwrap();
        assert_eq!(m.metadata.id, 7);
        assert!(m.metadata.authoritative);
        assert_eq!(m.answers, s.answers);
        assert_eq!(m.additionals, s.additionals);
        assert_eq!(m.edns.unwrap().max_payload(), 1232);
    }

    #[test]
    fn owners_point_at_the_question() {
        let owner = Name::from_ascii("web-headless.awx.svc.cluster.local.").unwrap();
        let q = Query::query(owner.clone(), RecordType::A);
        let s = Sections {
            answers: (0..100u32)
                .map(|i| Record::from_rdata(owner.clone(), 30, RData::A(A(Ipv4Addr::from(i)))))
                .collect(),
            ..Sections::default()
        };
        let reply = Reply {
            metadata: meta(),
            query: Some(&q),
            sections: &s,
            edns_payload: None,
        };
        let (bytes, dropped) = reply.encode(512, Overflow::Partial);
        assert!(dropped);
        let m = Message::from_vec(&bytes).unwrap();
        assert_eq!(m.answers.len(), 28); // docs/cluster-dns.md §4
        assert!(m.metadata.truncation);
        let (bytes, _) = reply.encode(512, Overflow::Empty);
        let m = Message::from_vec(&bytes).unwrap();
        assert!(m.answers.is_empty() && m.metadata.truncation);
    }
}
