//! The wire form: queries out, replies in, and the rules a reply must meet
//! before anything in it is believed.
//!
//! A reply is an answer to a question only if it is a response (QR=1) to a
//! standard query (opcode QUERY) and carries that question — same name,
//! type and class IN — as its only question. Anything else that arrives is
//! [`Rejected`]: the engines skip it and keep waiting for the right reply,
//! as glibc's `res_send` does, so neither a stray nor a spoofed datagram can
//! end a try early. Only NOERROR and NXDOMAIN replies carry data; the
//! records of any other rcode are dropped before the reply leaves here.

use std::fmt;
use std::time::Instant;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};

use super::Question;

/// Why a message that arrived is not an answer to the question asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Shorter than a DNS header.
    Short(usize),
    /// The bytes do not decode as a DNS message.
    Undecodable(String),
    /// QR=0: a query, not a response (an echo of our own query, say).
    NotAResponse,
    /// A response to another kind of request than a standard query.
    OpCode(u8),
    /// The question section is not the one question asked.
    OtherQuestion,
    /// The question asked, but in a class other than IN.
    OtherClass(u16),
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::Short(n) => write!(f, "{n}-byte message"),
            Rejected::Undecodable(e) => write!(f, "does not decode: {e}"),
            Rejected::NotAResponse => f.write_str("QR=0: a query, not a response"),
            Rejected::OpCode(op) => write!(f, "opcode {op}, not QUERY"),
            Rejected::OtherQuestion => f.write_str("reply is for another question"),
            Rejected::OtherClass(c) => write!(f, "question of class {c}, not IN"),
        }
    }
}

/// The message ID of a datagram or frame, if it is long enough to be DNS.
pub fn message_id(bytes: &[u8]) -> Option<u16> {
    (bytes.len() >= 12).then(|| u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// Whether replies with this rcode carry records worth reading: NOERROR
/// (an answer or NODATA) and NXDOMAIN. Any other rcode is an error and its
/// records are dropped.
pub fn carries_data(rcode: ResponseCode) -> bool {
    matches!(rcode, ResponseCode::NoError | ResponseCode::NXDomain)
}

/// Decodes `bytes` and checks that they answer `q` ([`check`]).
pub fn decode(bytes: &[u8], q: &Question) -> Result<Message, Rejected> {
    decode_counted(bytes, q).map(|(m, _)| m)
}

/// [`decode`], with how many of the first answer records are owned by the
/// question's name as the wire shows it (see [`Tried::question_owned`](super::Tried)).
pub fn decode_counted(bytes: &[u8], q: &Question) -> Result<(Message, usize), Rejected> {
    if bytes.len() < 12 {
        return Err(Rejected::Short(bytes.len()));
    }
    let (m, owned) =
        super::fast::message_counted(bytes).map_err(|e| Rejected::Undecodable(e.to_string()))?;
    let m = check(m, q)?;
    // The check drops the records of an error rcode.
    let owned = owned.min(m.answers.len());
    Ok((m, owned))
}

/// Checks a decoded message against the question asked; on success returns
/// it with the records of a non-data rcode removed.
///
/// A reply without a question section is accepted only for an rcode that
/// carries no data (some servers leave the question out of SERVFAIL or
/// REFUSED): it can then only make the engine ask another server.
pub fn check(mut m: Message, q: &Question) -> Result<Message, Rejected> {
    if m.metadata.message_type != MessageType::Response {
        return Err(Rejected::NotAResponse);
    }
    if m.metadata.op_code != OpCode::Query {
        return Err(Rejected::OpCode(u8::from(m.metadata.op_code)));
    }
    let data = carries_data(m.metadata.response_code);
    match m.queries.as_slice() {
        [] if !data => {}
        [asked] if asked.name() == &q.name && asked.query_type() == q.rtype => {
            if asked.query_class() != DNSClass::IN {
                return Err(Rejected::OtherClass(u16::from(asked.query_class())));
            }
        }
        _ => return Err(Rejected::OtherQuestion),
    }
    if !data {
        m.answers.clear();
        m.authorities.clear();
        m.additionals.clear();
    }
    Ok(m)
}

/// A random message ID. std's RandomState draws its keys from the kernel
/// (getrandom), which also works in an empty chroot or scratch image, where
/// hickory's thread RNG looks for device files and panics.
pub fn random_id() -> u16 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now()) as u16
}

/// The query for `name`/`rtype` (class IN, RD set) with message ID `id`,
/// and an OPT record advertising `edns` bytes unless `None`.
pub fn query_message(id: u16, name: &Name, rtype: RecordType, edns: Option<u16>) -> Message {
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.add_query(Query::query(name.clone(), rtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size.max(512));
        msg.set_edns(e);
    }
    msg
}

/// The wire form of [`query_message`], written directly: the header, the
/// question and the OPT record (a test checks the bytes against
/// hickory-proto's encoder). Through `Message::to_vec` a query cost about
/// 5,500 instructions, 5.5 M of the 51 M a resolve with 1000 target lookups
/// took (callgrind). A name that fits a [`Name`] always fits a message, so
/// this never fails; the `Result` stays for the callers.
pub fn encode_query(
    id: u16,
    name: &Name,
    rtype: RecordType,
    edns: Option<u16>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(12 + name.len() + 2 + 4 + 11);
    out.extend_from_slice(&id.to_be_bytes());
    // RD; one question; no answer or authority; one additional (OPT) or none.
    out.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, u8::from(edns.is_some())]);
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
    out.extend_from_slice(&u16::from(rtype).to_be_bytes());
    out.extend_from_slice(&u16::from(DNSClass::IN).to_be_bytes());
    if let Some(size) = edns {
        // Root owner, type OPT, class = payload size, TTL 0, no RDATA.
        out.extend_from_slice(&[0, 0, 41]);
        out.extend_from_slice(&size.max(512).to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::A;
    use hickory_proto::rr::{RData, Record};

    fn q() -> Question {
        Question::new(
            Name::from_ascii("web.awx.svc.cluster.local.").unwrap(),
            RecordType::A,
        )
    }

    fn reply(q: &Question, rcode: ResponseCode) -> Message {
        let mut m = query_message(7, &q.name, q.rtype, None);
        m.metadata.message_type = MessageType::Response;
        m.metadata.response_code = rcode;
        m.add_answer(Record::from_rdata(
            q.name.clone(),
            30,
            RData::A(A::new(10, 0, 0, 1)),
        ));
        m
    }

    #[test]
    fn a_reply_to_the_question_is_accepted_with_its_records() {
        let q = q();
        let bytes = reply(&q, ResponseCode::NoError).to_vec().unwrap();
        let m = decode(&bytes, &q).unwrap();
        assert_eq!(m.answers.len(), 1);
        // Names compare case-insensitively, as DNS does.
        let upper = Question::new(
            Name::from_ascii("WEB.awx.svc.cluster.local.").unwrap(),
            RecordType::A,
        );
        assert!(decode(&bytes, &upper).is_ok());
    }

    #[test]
    fn a_query_is_not_a_reply() {
        let q = q();
        let mut m = reply(&q, ResponseCode::NoError);
        m.metadata.message_type = MessageType::Query;
        assert_eq!(check(m, &q).unwrap_err(), Rejected::NotAResponse);
    }

    #[test]
    fn only_standard_query_replies() {
        let q = q();
        for op in [OpCode::Status, OpCode::Notify, OpCode::Update] {
            let mut m = reply(&q, ResponseCode::NoError);
            m.metadata.op_code = op;
            assert_eq!(check(m, &q).unwrap_err(), Rejected::OpCode(u8::from(op)));
        }
    }

    #[test]
    fn another_name_type_or_class_is_rejected() {
        let q = q();
        let other = Question::new(
            Name::from_ascii("db.awx.svc.cluster.local.").unwrap(),
            RecordType::A,
        );
        assert_eq!(
            check(reply(&other, ResponseCode::NoError), &q).unwrap_err(),
            Rejected::OtherQuestion
        );
        let aaaa = Question::new(q.name.clone(), RecordType::AAAA);
        assert_eq!(
            check(reply(&aaaa, ResponseCode::NoError), &q).unwrap_err(),
            Rejected::OtherQuestion
        );
        let mut ch = reply(&q, ResponseCode::NoError);
        ch.queries[0].set_query_class(DNSClass::CH);
        assert_eq!(check(ch, &q).unwrap_err(), Rejected::OtherClass(3));
        let mut two = reply(&q, ResponseCode::NoError);
        two.add_query(Query::query(q.name.clone(), RecordType::A));
        assert_eq!(check(two, &q).unwrap_err(), Rejected::OtherQuestion);
    }

    #[test]
    fn a_missing_question_is_accepted_only_without_data() {
        let q = q();
        for (rcode, ok) in [
            (ResponseCode::ServFail, true),
            (ResponseCode::Refused, true),
            (ResponseCode::NoError, false),
            (ResponseCode::NXDomain, false),
        ] {
            let mut m = reply(&q, rcode);
            m.queries.clear();
            assert_eq!(check(m, &q).is_ok(), ok, "{rcode:?}");
        }
    }

    #[test]
    fn records_of_an_error_rcode_are_dropped() {
        let q = q();
        for rcode in [
            ResponseCode::ServFail,
            ResponseCode::Refused,
            ResponseCode::YXDomain,
        ] {
            let mut m = reply(&q, rcode);
            m.add_additional(Record::from_rdata(
                q.name.clone(),
                30,
                RData::A(A::new(10, 0, 0, 2)),
            ));
            let m = check(m, &q).unwrap();
            assert_eq!(m.metadata.response_code, rcode);
            assert!(
                m.answers.is_empty() && m.additionals.is_empty(),
                "{rcode:?}"
            );
        }
        let m = check(reply(&q, ResponseCode::NXDomain), &q).unwrap();
        assert_eq!(
            m.answers.len(),
            1,
            "NXDOMAIN's records are the lookup's to judge"
        );
    }

    #[test]
    fn short_and_garbage_bytes_are_rejected() {
        let q = q();
        assert_eq!(decode(&[0; 5], &q).unwrap_err(), Rejected::Short(5));
        assert!(matches!(
            decode(&[0xff; 40], &q).unwrap_err(),
            Rejected::Undecodable(_)
        ));
    }

    #[test]
    fn encoded_queries_are_hickorys_bytes() {
        for name in ["web.s3.svc.cluster.local.", "A.b-C.x.", "."] {
            let n = Name::from_ascii(name).unwrap();
            for rtype in [
                RecordType::A,
                RecordType::AAAA,
                RecordType::SRV,
                RecordType::PTR,
            ] {
                for edns in [None, Some(100), Some(1232), Some(4096)] {
                    assert_eq!(
                        encode_query(0xbeef, &n, rtype, edns).unwrap(),
                        query_message(0xbeef, &n, rtype, edns).to_vec().unwrap(),
                        "{name} {rtype} {edns:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn queries_carry_the_question_and_edns() {
        let q = q();
        let bytes = encode_query(0xBEEF, &q.name, q.rtype, Some(100)).unwrap();
        assert_eq!(message_id(&bytes), Some(0xBEEF));
        let m = Message::from_vec(&bytes).unwrap();
        assert_eq!(m.queries[0].query_class(), DNSClass::IN);
        assert!(m.metadata.recursion_desired);
        assert_eq!(m.edns.as_ref().unwrap().max_payload(), 512, "at least 512");
        let m = Message::from_vec(&encode_query(1, &q.name, q.rtype, None).unwrap()).unwrap();
        assert!(m.edns.is_none());
    }

    /// A reply with every section filled: the seed the mutations start from.
    fn rich_reply() -> &'static (Question, Vec<u8>) {
        use hickory_proto::rr::rdata::SRV;
        static SEED: std::sync::OnceLock<(Question, Vec<u8>)> = std::sync::OnceLock::new();
        SEED.get_or_init(|| {
            let q = Question::new(
                Name::from_ascii("web.awx.svc.cluster.local.").unwrap(),
                RecordType::SRV,
            );
            let mut m = query_message(0x1234, &q.name, q.rtype, Some(1232));
            m.metadata.message_type = MessageType::Response;
            for i in 0..3u8 {
                let target =
                    Name::from_ascii(format!("web-{i}.web.awx.svc.cluster.local.")).unwrap();
                m.add_answer(Record::from_rdata(
                    q.name.clone(),
                    30,
                    RData::SRV(SRV::new(0, 10, 8080, target.clone())),
                ));
                m.add_additional(Record::from_rdata(
                    target,
                    30,
                    RData::A(A::new(10, 0, 0, i)),
                ));
            }
            let bytes = m.to_vec().unwrap();
            (q, bytes)
        })
    }

    /// What an accepted reply must be, whatever the bytes were.
    fn assert_accepted_is_an_answer(m: &Message, q: &Question) {
        assert_eq!(m.metadata.message_type, MessageType::Response);
        assert_eq!(m.metadata.op_code, OpCode::Query);
        match m.queries.as_slice() {
            [] => assert!(!carries_data(m.metadata.response_code)),
            [asked] => {
                assert_eq!(asked.name(), &q.name);
                assert_eq!(asked.query_type(), q.rtype);
                assert_eq!(asked.query_class(), DNSClass::IN);
            }
            _ => panic!("more than one question accepted"),
        }
        if !carries_data(m.metadata.response_code) {
            assert!(m.answers.is_empty() && m.authorities.is_empty() && m.additionals.is_empty());
        }
    }

    #[derive(Clone, Debug)]
    enum Mutation {
        /// A byte of the header or the question (the first 47 bytes).
        Head(usize, u8),
        Set(usize, u8),
        Flip(usize, u8),
        Insert(usize, u8),
        Remove(usize),
        Truncate(usize),
    }

    fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
        use proptest::prelude::*;
        prop_oneof![
            3 => (0usize..47, any::<u8>()).prop_map(|(i, b)| Mutation::Head(i, b)),
            1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
            1 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
            1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
            1 => any::<usize>().prop_map(Mutation::Remove),
            1 => any::<usize>().prop_map(Mutation::Truncate),
        ]
    }

    fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
        let n = bytes.len().max(1);
        match *m {
            Mutation::Head(i, b) | Mutation::Set(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Mutation::Flip(i, bit) if !bytes.is_empty() => bytes[i % n] ^= 1 << bit,
            Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Mutation::Remove(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
            _ => {}
        }
    }

    /// Cases per property: 2,000 on each `cargo test` (some 2 s in a debug
    /// build); `HSVC_FUZZ_CASES=N` for a longer campaign.
    fn fuzz_cases() -> u32 {
        std::env::var("HSVC_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(fuzz_cases()))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let (q, _) = rich_reply();
            if let Ok(m) = decode(&bytes, q) {
                assert_accepted_is_an_answer(&m, q);
            }
        }

        #[test]
        fn mutated_replies_never_panic_and_what_passes_is_an_answer(
            muts in proptest::collection::vec(mutation(), 1..4),
        ) {
            let (q, seed) = rich_reply();
            let mut bytes = seed.clone();
            for m in &muts {
                apply(&mut bytes, m);
            }
            if let Ok(m) = decode(&bytes, q) {
                assert_accepted_is_an_answer(&m, q);
            }
        }
    }
}
