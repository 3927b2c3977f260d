//! The hickory-server [`RequestHandler`] that answers from a [`SharedZone`]: logging,
//! fault injection, CoreDNS-style truncation (§4.2) and EDNS echo (R8.2).

use std::future::Future;
use std::iter;
use std::pin::Pin;

use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncoder;
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;

use super::shared::{normalize_name, Fault, QueryLogEntry, SharedZone, Transport};
use super::zone::{Lookup, TruncationMode};

/// Largest message over TCP.
const TCP_LIMIT: usize = 65535;

/// Answers queries from a [`SharedZone`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ClusterDnsHandler {
    zone: SharedZone,
}

impl ClusterDnsHandler {
    /// A handler over `zone`.
    pub fn new(zone: SharedZone) -> Self {
        ClusterDnsHandler { zone }
    }
}

/// The three record sections of a reply.
#[derive(Debug, Default)]
struct Sections {
    answers: Vec<Record>,
    authorities: Vec<Record>,
    additionals: Vec<Record>,
}

impl Sections {
    fn len(&self) -> usize {
        self.answers.len() + self.authorities.len() + self.additionals.len()
    }

    /// The first `k` records in section order.
    fn prefix(&self, k: usize) -> (&[Record], &[Record], &[Record]) {
        let a = k.min(self.answers.len());
        let n = k
            .saturating_sub(self.answers.len())
            .min(self.authorities.len());
        let d = k
            .saturating_sub(self.answers.len() + self.authorities.len())
            .min(self.additionals.len());
        (
            &self.answers[..a],
            &self.authorities[..n],
            &self.additionals[..d],
        )
    }
}

fn no_response(request: &Request) -> ResponseInfo {
    ResponseInfo::from(Header {
        metadata: Metadata::response_from_request(&request.metadata),
        counts: HeaderCounts::default(),
    })
}

/// Encoded size of a reply with these sections, `None` if it exceeds 65535 bytes.
fn encoded_len(
    request: &Request,
    metadata: Metadata,
    edns: Option<&Edns>,
    (ans, auth, add): (&[Record], &[Record], &[Record]),
) -> Option<usize> {
    let mut buf = Vec::with_capacity(512);
    let mut enc = BinEncoder::new(&mut buf);
    let mut builder = MessageResponseBuilder::new(&request.queries, None);
    if let Some(e) = edns {
        builder.edns(e);
    }
    let info = builder
        .build(metadata, ans.iter(), auth.iter(), iter::empty(), add.iter())
        .destructive_emit(&mut enc)
        .ok()?;
    let c = info.counts();
    let edns_count = usize::from(edns.is_some());
    if usize::from(c.answers) != ans.len()
        || usize::from(c.authorities) != auth.len()
        || usize::from(c.additionals) != add.len() + edns_count
    {
        return None;
    }
    Some(buf.len())
}

/// How many records (in section order) fit in `limit` bytes, OPT included (§4.2).
fn records_that_fit(
    request: &Request,
    metadata: Metadata,
    edns: Option<&Edns>,
    sections: &Sections,
    limit: usize,
) -> usize {
    let fits = |k: usize| {
        encoded_len(request, metadata, edns, sections.prefix(k)).is_some_and(|len| len <= limit)
    };
    let total = sections.len();
    if fits(total) {
        return total;
    }
    // Size grows monotonically with the prefix length: binary search the largest fit.
    let (mut lo, mut hi) = (0usize, total);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

impl ClusterDnsHandler {
    async fn handle<R: ResponseHandler>(&self, request: &Request, mut rh: R) -> ResponseInfo {
        let req_meta = request.metadata;
        let mut metadata = Metadata::response_from_request(&req_meta);
        metadata.authoritative = true;
        // EDNS echo: the client's UDP size (never below 512), no options (R8.2).
        let client_edns = request.edns.as_ref().map(Edns::max_payload);
        let resp_edns = client_edns.map(|size| {
            let mut e = Edns::new();
            e.set_max_payload(size.max(512));
            e
        });
        let transport = match request.protocol() {
            Protocol::Udp => Transport::Udp,
            _ => Transport::Tcp,
        };

        let queries = request.queries.queries();
        if req_meta.op_code != OpCode::Query || queries.len() != 1 {
            metadata.authoritative = false;
            metadata.response_code = if req_meta.op_code != OpCode::Query {
                ResponseCode::NotImp
            } else {
                ResponseCode::FormErr
            };
            return send(
                request,
                &mut rh,
                metadata,
                resp_edns.as_ref(),
                &Sections::default(),
            )
            .await;
        }
        let query = queries[0].original();
        let qname = query.name().clone();
        let qtype = query.query_type();
        let key = normalize_name(&qname.to_ascii());
        self.zone.log_query(QueryLogEntry {
            name: key.clone(),
            qtype,
            transport,
            edns_payload: client_edns,
            src: request.src(),
        });

        if self.zone.drop_all() {
            return no_response(request);
        }
        match self.zone.fault_for(&key, qtype) {
            None => {}
            Some(Fault::Drop) => return no_response(request),
            Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
            Some(f @ (Fault::ServFail | Fault::Refused)) => {
                metadata.authoritative = false;
                metadata.response_code = if f == Fault::ServFail {
                    ResponseCode::ServFail
                } else {
                    ResponseCode::Refused
                };
                let none = Sections::default();
                return send(request, &mut rh, metadata, resp_edns.as_ref(), &none).await;
            }
            Some(Fault::Malformed) => {
                // An A record with 3 bytes of RDATA: the header and ID are right, the body
                // does not decode.
                let bad = Record::from_rdata(
                    qname.clone(),
                    30,
                    RData::Unknown {
                        code: RecordType::A,
                        rdata: NULL::with(vec![0xde, 0xad, 0xbe]),
                    },
                );
                let s = Sections {
                    answers: vec![bad],
                    ..Sections::default()
                };
                return send(request, &mut rh, metadata, resp_edns.as_ref(), &s).await;
            }
            Some(Fault::ForceTc) if transport == Transport::Udp => {
                metadata.truncation = true;
                let none = Sections::default();
                return send(request, &mut rh, metadata, resp_edns.as_ref(), &none).await;
            }
            // Over TCP a ForceTc name is answered normally.
            Some(Fault::ForceTc) => {}
        }

        let behaviour = self.zone.behaviour();
        let zone = self.zone.zone();
        let mut sections = Sections::default();
        match zone.lookup(&qname, qtype, &behaviour) {
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

        let limit = match transport {
            Transport::Udp => usize::from(client_edns.map_or(512, |s| s.max(512))),
            Transport::Tcp => TCP_LIMIT,
        };
        let fit = records_that_fit(request, metadata, resp_edns.as_ref(), &sections, limit);
        if fit < sections.len() {
            metadata.truncation = true;
            sections = match behaviour.truncation {
                TruncationMode::Empty => Sections::default(),
                TruncationMode::CoreDns => {
                    let (a, n, d) = sections.prefix(fit);
                    Sections {
                        answers: a.to_vec(),
                        authorities: n.to_vec(),
                        additionals: d.to_vec(),
                    }
                }
            };
        }
        send(request, &mut rh, metadata, resp_edns.as_ref(), &sections).await
    }
}

async fn send<R: ResponseHandler>(
    request: &Request,
    rh: &mut R,
    metadata: Metadata,
    edns: Option<&Edns>,
    s: &Sections,
) -> ResponseInfo {
    let mut builder = MessageResponseBuilder::new(&request.queries, None);
    if let Some(e) = edns {
        builder.edns(e);
    }
    let msg = builder.build(
        metadata,
        s.answers.iter(),
        s.authorities.iter(),
        iter::empty(),
        s.additionals.iter(),
    );
    match rh.send_response(msg).await {
        Ok(info) => info,
        Err(_) => {
            let mut m = metadata;
            m.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header {
                metadata: m,
                counts: HeaderCounts::default(),
            })
        }
    }
}

impl RequestHandler for ClusterDnsHandler {
    // Written out instead of `#[async_trait]` so the crate needs no extra dependency.
    fn handle_request<'life0, 'life1, 'async_trait, R, T>(
        &'life0 self,
        request: &'life1 Request,
        response_handle: R,
    ) -> Pin<Box<dyn Future<Output = ResponseInfo> + Send + 'async_trait>>
    where
        R: 'async_trait + ResponseHandler,
        T: 'async_trait + Time,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(self.handle(request, response_handle))
    }
}
