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
    if bytes.len() < 12 {
        return Err(Rejected::Short(bytes.len()));
    }
    let m = Message::from_vec(bytes).map_err(|e| Rejected::Undecodable(e.to_string()))?;
    check(m, q)
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

/// The wire form of [`query_message`]. A name that fits a [`Name`] always
/// fits a message, so this fails only on a bug in the encoder.
pub fn encode_query(
    id: u16,
    name: &Name,
    rtype: RecordType,
    edns: Option<u16>,
) -> Result<Vec<u8>, String> {
    query_message(id, name, rtype, edns)
        .to_vec()
        .map_err(|e| e.to_string())
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
}
