//! Reply decoding with a fast path for the records a resolution is made of.
//!
//! [`message`] gives exactly what `Message::from_vec` gives (the tests
//! compare both on generated replies and on arbitrary bytes), but builds the
//! records of the common case itself: A, AAAA, SRV, CNAME and PTR of class
//! IN, whose owner is a compression pointer to the question or to a name
//! already decoded in the reply, get their owner by cloning that name
//! instead of decoding it again. Everything else goes through hickory-proto
//! record by record, and anything unusual (a second question, OPT outside
//! the additional section, a TSIG, an RDATA length that does not add up, a
//! decoding error) makes the whole reply go through `Message::from_vec`, so
//! hickory-proto stays the one judge of what a valid message is, and
//! [`super::wire::check`] judges the decoded message as before (QR, opcode,
//! question, class IN, rcode).
//!
//! Measured with callgrind: `Message::from_vec` took about 1,600
//! instructions per A record and 3,500 per SRV record with glue (a `Name`
//! decoded per owner), 5.0 M of the 22 M a 1000-pod `hsvc resolve` took.

use hickory_proto::op::{Header, Message, OpCode, Query};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, PTR, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordData, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder, DecodeError};

/// Decodes a DNS message: the same result as `Message::from_vec`.
#[cfg(test)]
pub(super) fn message(buf: &[u8]) -> Result<Message, DecodeError> {
    message_counted(buf).map(|(m, _)| m)
}

/// [`message`], with how many of the first answer records the wire shows
/// to be owned by the question's name: their owner is a compression
/// pointer to the question. The lookup need not compare those owners
/// (hickory's `Name ==`, 1,000 instructions a record, was a quarter of
/// resolving 3000 endpoints). 0 when hickory-proto decoded the message.
pub(super) fn message_counted(buf: &[u8]) -> Result<(Message, usize), DecodeError> {
    match fast(buf) {
        Some(m) => Ok(m),
        None => Message::from_vec(buf).map(|m| (m, 0)),
    }
}

const CLASS_IN: u16 = 1;

/// Names decoded so far, by the offset they start at, for owners that point
/// there. A reply's names are few distinct ones: the question, SRV targets.
struct Names {
    at: Vec<(usize, Name)>,
}

impl Names {
    /// The name a compression pointer at `buf[pos..]` refers to, if known.
    fn pointed(&self, buf: &[u8], pos: usize) -> Option<&Name> {
        let (&hi, &lo) = (buf.get(pos)?, buf.get(pos + 1)?);
        if hi & 0xC0 != 0xC0 {
            return None;
        }
        let off = usize::from(hi & 0x3F) << 8 | usize::from(lo);
        // Names are remembered as the reply is read, so by growing offset.
        let i = self.at.binary_search_by_key(&off, |(o, _)| *o).ok()?;
        Some(&self.at[i].1)
    }

    /// Reads a name at the decoder's position, remembering where it began.
    fn read(&mut self, buf: &[u8], d: &mut BinDecoder<'_>) -> Option<Name> {
        let pos = d.index();
        if let Some(n) = self.pointed(buf, pos) {
            let n = n.clone();
            d.read_slice(2).ok()?;
            return Some(n);
        }
        let n = Name::read(d).ok()?;
        // A name that starts with a pointer is not worth remembering: its
        // own offset is never pointed to by BIND, Knot or CoreDNS.
        if buf[pos] & 0xC0 != 0xC0 {
            self.at.push((pos, n.clone()));
        }
        Some(n)
    }
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// The fast path; `None` hands the reply to `Message::from_vec`.
fn fast(buf: &[u8]) -> Option<(Message, usize)> {
    let mut d = BinDecoder::new(buf);
    let Header {
        mut metadata,
        counts,
    } = Header::read(&mut d).ok()?;
    if counts.queries != 1 || metadata.op_code == OpCode::Update {
        return None;
    }
    let qpos = d.index();
    let query = Query::read(&mut d).ok()?;
    // A pointer to the question's name, as an owner's two bytes.
    let to_question = [0xC0 | (qpos >> 8) as u8, qpos as u8];
    let mut question_owned = 0;
    let mut leading = true;
    let mut names = Names { at: Vec::new() };
    if buf[qpos] & 0xC0 != 0xC0 {
        names.at.push((qpos, query.name().clone()));
    }
    let mut sections: [Vec<Record>; 3] = [
        Vec::with_capacity(usize::from(counts.answers)),
        Vec::with_capacity(usize::from(counts.authorities).min(8)),
        Vec::with_capacity(usize::from(counts.additionals)),
    ];
    let mut edns = None;
    let section_counts = [counts.answers, counts.authorities, counts.additionals];
    for (s, &count) in section_counts.iter().enumerate() {
        let additional = s == 2;
        for _ in 0..count {
            let start = d.index();
            if s == 0 && leading {
                if buf.get(start..start + 2) == Some(&to_question[..]) {
                    question_owned += 1;
                } else {
                    leading = false;
                }
            }
            let owner = names.read(buf, &mut d)?;
            let fixed = d.read_slice(10).ok()?.unverified();
            let (rtype, class) = (be16(&fixed[0..2]), be16(&fixed[2..4]));
            let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
            let rdlen = usize::from(be16(&fixed[8..10]));
            let rd = d.index();
            if class == CLASS_IN && rdlen > 0 && rd + rdlen <= buf.len() {
                let data = match RecordType::from(rtype) {
                    RecordType::A if rdlen == 4 => {
                        let b = d.read_slice(4).ok()?.unverified();
                        Some(RData::A(A(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]))))
                    }
                    RecordType::AAAA if rdlen == 16 => {
                        let b: [u8; 16] = d.read_slice(16).ok()?.unverified().try_into().ok()?;
                        Some(RData::AAAA(AAAA(b.into())))
                    }
                    RecordType::SRV if rdlen > 6 => {
                        let b = d.read_slice(6).ok()?.unverified();
                        let (priority, weight, port) =
                            (be16(&b[0..2]), be16(&b[2..4]), be16(&b[4..6]));
                        let target = names.read(buf, &mut d)?;
                        Some(RData::SRV(SRV::new(priority, weight, port, target)))
                    }
                    RecordType::CNAME => Some(RData::CNAME(CNAME(names.read(buf, &mut d)?))),
                    RecordType::PTR => Some(RData::PTR(PTR(names.read(buf, &mut d)?))),
                    _ => None,
                };
                if let Some(data) = data {
                    // hickory-proto rejects RDATA that is not read exactly.
                    if d.index() != rd + rdlen {
                        return None;
                    }
                    sections[s].push(Record::from_rdata(owner, ttl, data));
                    continue;
                }
            }
            // Any other record: hickory-proto's own reader, and the rules
            // of `Message::read_records` for the section it is in.
            let mut d2 = BinDecoder::new(buf);
            d2.read_slice(start).ok()?;
            let record = Record::read(&mut d2).ok()?;
            d = d2;
            let t = record.record_type();
            if t != RecordType::OPT && record.data.is_update() {
                return None;
            }
            match t {
                RecordType::SIG | RecordType::TSIG => return None,
                RecordType::OPT if !additional => return None,
                RecordType::OPT => {
                    if edns.is_some() {
                        return None;
                    }
                    edns = Some((&record).into());
                }
                _ => sections[s].push(record),
            }
        }
    }
    if let Some(e) = &edns {
        metadata.merge_response_code(hickory_proto::op::Edns::rcode_high(e));
    }
    let [answers, authorities, additionals] = sections;
    let mut m = Message::new(metadata.id, metadata.message_type, metadata.op_code);
    m.metadata = metadata;
    m.queries = vec![query];
    m.answers = answers;
    m.authorities = authorities;
    m.additionals = additionals;
    m.edns = edns;
    Some((m, question_owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Edns, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::{SOA, TXT};
    use proptest::prelude::*;

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    fn agree(buf: &[u8]) {
        let slow = Message::from_vec(buf);
        let quick = message(buf);
        match (&slow, &quick) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(_), Err(_)) => {}
            _ => panic!("hickory {slow:?}, fast {quick:?}"),
        }
        // The answers said to be the question's are, byte for byte.
        if let Ok((m, n)) = message_counted(buf) {
            assert!(n <= m.answers.len(), "{n} of {}", m.answers.len());
            let q = m.queries[0].name();
            for r in &m.answers[..n] {
                assert!(r.name.eq_case(q), "{} is not {q}", r.name);
            }
        }
    }

    /// A reply as BIND or CoreDNS would send it for `q`/`t`.
    fn reply(
        q: &str,
        t: RecordType,
        answers: Vec<Record>,
        additionals: Vec<Record>,
        edns: bool,
    ) -> Vec<u8> {
        let mut m = Message::new(0x1234, MessageType::Response, OpCode::Query);
        m.metadata.authoritative = true;
        m.add_query(Query::query(name(q), t));
        m.answers = answers;
        m.additionals = additionals;
        if edns {
            let mut e = Edns::new();
            e.set_max_payload(1232);
            m.set_edns(e);
        }
        m.to_vec().unwrap()
    }

    fn services(n: usize) -> (Vec<Record>, Vec<Record>) {
        let owner = name("web.s.svc.cluster.local.");
        let mut srv = Vec::new();
        let mut glue = Vec::new();
        for i in 0..n {
            let target = name(&format!("web-{i}.web.s.svc.cluster.local."));
            srv.push(Record::from_rdata(
                owner.clone(),
                30,
                RData::SRV(SRV::new(0, 10, 8080, target.clone())),
            ));
            glue.push(Record::from_rdata(
                target,
                30,
                RData::A(A::new(10, 0, (i >> 8) as u8, i as u8)),
            ));
        }
        (srv, glue)
    }

    #[test]
    fn agrees_with_hickory_on_typical_replies() {
        let q = "web.s.svc.cluster.local.";
        let a: Vec<Record> = (0..100u8)
            .map(|i| Record::from_rdata(name(q), 30, RData::A(A::new(10, 0, 0, i))))
            .collect();
        let aaaa = vec![Record::from_rdata(
            name(q),
            30,
            RData::AAAA(AAAA("fd00::1".parse().unwrap())),
        )];
        let (srv, glue) = services(20);
        let cname = vec![
            Record::from_rdata(name("www.x."), 30, RData::CNAME(CNAME(name(q)))),
            Record::from_rdata(name(q), 30, RData::A(A::new(10, 0, 0, 1))),
        ];
        let ptr = vec![Record::from_rdata(
            name("1.0.0.10.in-addr.arpa."),
            30,
            RData::PTR(PTR(name("web-0.web.s.svc.cluster.local."))),
        )];
        for edns in [false, true] {
            let cases = [
                reply(q, RecordType::A, a.clone(), vec![], edns),
                reply(q, RecordType::AAAA, aaaa.clone(), vec![], edns),
                reply(q, RecordType::SRV, srv.clone(), glue.clone(), edns),
                reply(q, RecordType::SRV, srv.clone(), vec![], edns),
                reply("www.x.", RecordType::A, cname.clone(), vec![], edns),
                reply(
                    "1.0.0.10.in-addr.arpa.",
                    RecordType::PTR,
                    ptr.clone(),
                    vec![],
                    edns,
                ),
            ];
            for c in &cases {
                agree(c);
                assert!(fast(c).is_some(), "the fast path takes typical replies");
            }
            // Every answer's owner points to the question but past a CNAME.
            let counts: Vec<usize> = cases
                .iter()
                .map(|c| message_counted(c).unwrap().1)
                .collect();
            assert_eq!(counts, [100, 1, 20, 20, 1, 1]);
        }
    }

    #[test]
    fn other_records_and_negative_answers_agree() {
        let q = "web.s.svc.cluster.local.";
        let mut m = Message::new(7, MessageType::Response, OpCode::Query);
        m.add_query(Query::query(name(q), RecordType::A));
        m.metadata.response_code = ResponseCode::NXDomain;
        m.authorities.push(Record::from_rdata(
            name("cluster.local."),
            5,
            RData::SOA(SOA::new(
                name("ns.dns.cluster.local."),
                name("hostmaster.cluster.local."),
                1,
                7200,
                1800,
                86400,
                5,
            )),
        ));
        m.answers.push(Record::from_rdata(
            name(q),
            5,
            RData::TXT(TXT::new(vec!["x".into()])),
        ));
        let buf = m.to_vec().unwrap();
        agree(&buf);
        // Truncated and corrupted copies: both fail or both agree.
        for cut in 0..buf.len() {
            agree(&buf[..cut]);
        }
        let (srv, glue) = services(5);
        let buf = reply(q, RecordType::SRV, srv, glue, true);
        for cut in 0..buf.len() {
            agree(&buf[..cut]);
            let mut bad = buf.clone();
            bad[cut] ^= 0xFF;
            agree(&bad);
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_agrees_on_arbitrary_bytes(buf in proptest::collection::vec(any::<u8>(), 0..600)) {
            agree(&buf);
        }

        #[test]
        fn agrees_on_mutated_replies(
            n in 0usize..30,
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        ) {
            let (srv, glue) = services(n);
            let mut buf = reply("web.s.svc.cluster.local.", RecordType::SRV, srv, glue, n % 2 == 0);
            for (at, x) in flips {
                let i = at % buf.len();
                buf[i] ^= x;
            }
            agree(&buf);
        }
    }
}
