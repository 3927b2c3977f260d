//! A [`Link`] that answers from a table instead of the network, so the
//! engine's rules (attempts, failover, TC→TCP) and everything built on
//! them (the search walk, glue, target lookups) are tested with exact
//! messages. Available to the crate's unit tests and, with the `test-util`
//! feature, to other crates' tests.
//!
//! ```
//! # use hsvc_resolve::dns::{canned::{self, Canned}, Failure, QueryOptions, Question, Transport};
//! # use hickory_proto::op::ResponseCode;
//! # use hickory_proto::rr::RecordType;
//! let (one, two) = ("127.0.0.1:53".parse().unwrap(), "127.0.0.2:53".parse().unwrap());
//! let link = Canned::new()
//!     .at(one, None, "web.", RecordType::A, Ok(canned::rcode("web.", RecordType::A, ResponseCode::ServFail)))
//!     .reply("web.", RecordType::A, canned::answer("web.", RecordType::A, vec![canned::a("web.", [10, 0, 0, 1])]));
//! let q = [Question::new(canned::name("web."), RecordType::A)];
//! let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let ex = rt.block_on(hsvc_resolve::dns::exchange(&link, &[one, two], &QueryOptions::default(), &q));
//! assert_eq!(ex[0].server, two);
//! assert_eq!(link.sent().len(), 2);
//! ```

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{wire, Ask, Failure, Link, Malformed, QueryOptions, Question, Sink, Transport, Tried};

/// One row of the table: which tries it answers, and with what. The
/// answers are used in turn; the last one repeats.
#[derive(Debug)]
struct Row {
    server: Option<SocketAddr>,
    transport: Option<Transport>,
    question: Question,
    answers: Vec<Result<Message, Failure>>,
    used: usize,
}

/// A question as it was sent to the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The server it went to.
    pub server: SocketAddr,
    /// Over which transport.
    pub transport: Transport,
    /// What was asked.
    pub question: Question,
}

/// Answers from a table of (server, transport, name, type) → reply or
/// failure; a question no row matches times out, as at a silent server.
/// Replies go through [`wire::check`] like real ones: a reply that fails
/// it ends the try as [`Failure::Malformed`].
#[derive(Debug, Default)]
pub struct Canned {
    rows: Mutex<Vec<Row>>,
    sent: Mutex<Vec<Sent>>,
}

impl Canned {
    /// An empty table: every question times out.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every server answers `name`/`rtype` with `m` over either transport.
    pub fn reply(self, name: &str, rtype: RecordType, m: Message) -> Self {
        self.at_any(None, None, name, rtype, vec![Ok(m)])
    }

    /// Every server fails `name`/`rtype` with `f`.
    pub fn fail(self, name: &str, rtype: RecordType, f: Failure) -> Self {
        self.at_any(None, None, name, rtype, vec![Err(f)])
    }

    /// `server` answers `name`/`rtype` over `transport` (`None`: either)
    /// with `r`. Rows added this way win over [`Canned::reply`] rows.
    pub fn at(
        self,
        server: SocketAddr,
        transport: Option<Transport>,
        name: &str,
        rtype: RecordType,
        r: Result<Message, Failure>,
    ) -> Self {
        self.at_any(Some(server), transport, name, rtype, vec![r])
    }

    /// The most general form: `answers` in turn (the last repeats) for
    /// the tries that match `server` and `transport` (`None`: any).
    pub fn at_any(
        self,
        server: Option<SocketAddr>,
        transport: Option<Transport>,
        name: &str,
        rtype: RecordType,
        answers: Vec<Result<Message, Failure>>,
    ) -> Self {
        assert!(!answers.is_empty(), "a row needs an answer");
        self.rows.lock().expect("table").push(Row {
            server,
            transport,
            question: Question::new(self::name(name), rtype),
            answers,
            used: 0,
        });
        self
    }

    /// Every question sent so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().expect("log").clone()
    }

    fn answer(
        &self,
        server: SocketAddr,
        transport: Transport,
        q: &Question,
    ) -> Result<Message, Failure> {
        let mut rows = self.rows.lock().expect("table");
        let specificity =
            |r: &Row| usize::from(r.server.is_some()) * 2 + usize::from(r.transport.is_some());
        let row = rows
            .iter_mut()
            .filter(|r| {
                r.question == *q
                    && r.server.is_none_or(|s| s == server)
                    && r.transport.is_none_or(|t| t == transport)
            })
            .max_by_key(|r| specificity(r));
        let Some(row) = row else {
            return Err(Failure::Timeout);
        };
        let i = row.used.min(row.answers.len() - 1);
        row.used += 1;
        match row.answers[i].clone() {
            Ok(m) => wire::check(m, q).map_err(|r| Failure::Malformed(Malformed::Rejected(r))),
            Err(f) => Err(f),
        }
    }
}

impl Link for Canned {
    async fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) {
        for (k, ask) in asks.iter().enumerate() {
            self.sent.lock().expect("log").push(Sent {
                server,
                transport,
                question: ask.question.clone(),
            });
            let result = self.answer(server, transport, ask.question);
            let latency = match result {
                Err(Failure::Timeout) => opts.timeout,
                _ => Duration::ZERO,
            };
            sink(
                k,
                Tried {
                    sent: Instant::now(),
                    latency,
                    result,
                    question_owned: 0,
                },
            );
        }
    }
}

/// A name from its text; panics on a bad one (this is for tests).
pub fn name(s: &str) -> Name {
    let mut n = Name::from_ascii(s).expect("a valid name");
    n.set_fqdn(true);
    n
}

/// A reply to `name`/`rtype` with `rcode` and no records.
pub fn rcode(name: &str, rtype: RecordType, rcode: ResponseCode) -> Message {
    let mut m = wire::query_message(0, &self::name(name), rtype, None);
    m.metadata.message_type = MessageType::Response;
    m.metadata.response_code = rcode;
    m
}

/// A NOERROR reply to `name`/`rtype` with `answers`.
pub fn answer(name: &str, rtype: RecordType, answers: Vec<Record>) -> Message {
    let mut m = rcode(name, rtype, ResponseCode::NoError);
    m.answers = answers;
    m
}

/// [`answer`] with TC set.
pub fn truncated(name: &str, rtype: RecordType, answers: Vec<Record>) -> Message {
    let mut m = answer(name, rtype, answers);
    m.metadata.truncation = true;
    m
}

/// An A record, TTL 30.
pub fn a(owner: &str, ip: [u8; 4]) -> Record {
    Record::from_rdata(self::name(owner), 30, RData::A(A(Ipv4Addr::from(ip))))
}

/// An AAAA record, TTL 30.
pub fn aaaa(owner: &str, ip: Ipv6Addr) -> Record {
    Record::from_rdata(self::name(owner), 30, RData::AAAA(AAAA(ip)))
}

/// An SRV record (priority 0, weight 100), TTL 30.
pub fn srv(owner: &str, port: u16, target: &str) -> Record {
    Record::from_rdata(
        self::name(owner),
        30,
        RData::SRV(SRV::new(0, 100, port, self::name(target))),
    )
}
