//! The only module that talks DNS, over sockets hsvc opens itself: UDP with
//! a TCP retry on TC, or TCP only. Nothing is cached, /etc/hosts is never
//! read, and every result says which server answered over which transport
//! and how long it took. Nothing here prints.
//!
//! - [`wire`]: queries out, replies in, and the rules a reply must meet
//!   before anything in it is believed ([`wire::check`]).
//! - [`frame`]: DNS-over-TCP length prefixes, read into one bounded buffer.
//! - one pipelined UDP engine and one pipelined TCP engine: many questions
//!   in flight on one socket or connection; a single query is a batch of one.
//! - [`exchange`]: the rules over them — attempts, failover to the next
//!   server, TC→TCP — written against the [`Link`] seam, so they run the
//!   same over [`Sockets`] and over canned replies in tests (`canned`, with
//!   the `test-util` feature).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;

use crate::name::Fqdn;

#[cfg(any(test, feature = "test-util"))]
pub mod canned;
mod engine;
mod fast;
pub mod frame;
mod tcp;
mod udp;
pub mod wire;

pub use engine::{exchange, exchange_each};
pub use tcp::{Broken, Dialer, Idle};

/// Default EDNS0 UDP payload size (DNS flag day 2020).
pub const DEFAULT_EDNS_SIZE: u16 = 1232;

/// Questions in flight at once on one UDP socket: small enough that a
/// burst does not overflow a server's receive buffer. (A datagram queues
/// at its kernel size, about 1 KiB for a 100-byte reply, so the default
/// 208 KiB buffer holds some 190: with 256 in flight, about 63 of 1000
/// SRV-target replies from BIND or Knot were lost and each waited a whole
/// timeout.)
pub const UDP_WINDOW: usize = 64;
/// Questions in flight at once on one TCP connection.
pub const TCP_WINDOW: usize = 256;

/// How queries are sent.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Per try: a UDP exchange plus its TCP retry on TC, or a TCP exchange
    /// (connecting included). `timeout` × `attempts` bounds the time spent
    /// on one server.
    pub timeout: Duration,
    /// Tries per server, at least 1: rounds over all servers, as glibc's
    /// `attempts`.
    pub attempts: u32,
    /// TCP only (for `kubectl port-forward`, which carries no UDP).
    pub tcp: bool,
    /// EDNS0 payload size to advertise; `None` sends no OPT record.
    pub edns: Option<u16>,
    /// No try runs past this instant: what is still unanswered then fails
    /// as a timeout. The lookup sets it per resolution, so that a batch of
    /// hundreds of target lookups a server drops cannot take windows ×
    /// timeout × attempts (162 s for 2,561 targets before).
    pub deadline: Option<std::time::Instant>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            timeout: Duration::from_secs(2),
            attempts: 2,
            tcp: false,
            edns: Some(DEFAULT_EDNS_SIZE),
            deadline: None,
        }
    }
}

/// The transport a try went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// One datagram each way.
    Udp,
    /// A length-prefixed message on a TCP connection.
    Tcp,
}

impl Transport {
    /// `udp` or `tcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

/// What is asked: a name and a record type, in class IN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The name, fully qualified.
    pub name: Name,
    /// The record type.
    pub rtype: RecordType,
}

impl Question {
    /// `name`/`rtype` in class IN.
    pub fn new(name: Name, rtype: RecordType) -> Self {
        Question { name, rtype }
    }
}

impl From<(Name, RecordType)> for Question {
    fn from((name, rtype): (Name, RecordType)) -> Self {
        Question { name, rtype }
    }
}

impl std::fmt::Display for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", display_name(&self.name), self.rtype)
    }
}

/// Why a try got no reply it could use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// Messages came back with the query's ID, but none answered it; the
    /// reason of the last one.
    Rejected(wire::Rejected),
    /// The server closed the TCP connection in the middle of a frame.
    ShortFrame,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Malformed::Rejected(r) => r.fmt(f),
            Malformed::ShortFrame => f.write_str("TCP reply shorter than its length prefix"),
        }
    }
}

/// A query that got no usable DNS message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the timeout.
    Timeout,
    /// The server's port is closed (ICMP port unreachable or TCP RST).
    ConnRefused,
    /// Another socket error, or the server closed the connection.
    Network(String),
    /// Only replies that could not be read or did not answer the question.
    Malformed(Malformed),
    /// No server was given to ask.
    NoServer,
}

impl Failure {
    /// Short machine name for JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::ConnRefused => "connection_refused",
            Failure::Network(_) | Failure::NoServer => "network",
            Failure::Malformed(_) => "malformed",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => f.write_str("timed out"),
            Failure::ConnRefused => f.write_str("connection refused"),
            Failure::Network(e) => write!(f, "network error: {e}"),
            Failure::Malformed(e) => write!(f, "malformed reply: {e}"),
            Failure::NoServer => f.write_str("network error: no server to ask"),
        }
    }
}

/// A failed question: what was asked, of whom, and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// The question.
    pub question: Question,
    /// The last server asked.
    pub server: SocketAddr,
    /// The last try's failure.
    pub failure: Failure,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.question, self.failure, self.server)
    }
}

impl std::error::Error for QueryError {}

/// One datagram exchange, or one question's turn on a TCP connection.
#[derive(Clone, Debug)]
pub struct Try {
    /// The server asked.
    pub server: SocketAddr,
    /// Over which transport.
    pub transport: Transport,
    /// From sending to the reply or the failure.
    pub latency: Duration,
    /// `Ok(rcode)` or the failure.
    pub outcome: Result<ResponseCode, Failure>,
    /// The reply had TC set.
    pub truncated: bool,
    /// Records in the reply's answer section.
    pub answers: usize,
}

/// The result of asking for one name and type, over all tries.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The name asked.
    pub name: Name,
    /// The type asked.
    pub rtype: RecordType,
    /// The server whose reply is `result` (the last one tried on failure).
    pub server: SocketAddr,
    /// The transport that produced `result`.
    pub transport: Transport,
    /// A UDP reply came back truncated (TC).
    pub truncated: bool,
    /// ... and the query was repeated over TCP.
    pub retried_tcp: bool,
    /// The final reply still had TC set (over TCP: more than 64 KiB), so
    /// its records are only part of the answer.
    pub incomplete: bool,
    /// Time of the successful try (UDP and its TCP retry), else of all tries.
    pub latency: Duration,
    /// Every try, in order.
    pub tries: Vec<Try>,
    /// A reply that answers the question (see [`wire::check`]; the records
    /// of an error rcode are already gone), or the last failure.
    pub result: Result<Message, Failure>,
    /// How many of the first answer records of `result` are owned by the
    /// name asked, known from the wire ([`Tried::question_owned`]).
    pub question_owned: usize,
}

impl Exchange {
    /// The reply's rcode, if there was a reply.
    pub fn rcode(&self) -> Option<ResponseCode> {
        self.result.as_ref().ok().map(|m| m.metadata.response_code)
    }

    /// The reply, if there was one.
    pub fn message(&self) -> Option<&Message> {
        self.result.as_ref().ok()
    }

    /// The failure with the question and the server, if there was no reply.
    pub fn error(&self) -> Option<QueryError> {
        self.result.as_ref().err().map(|f| QueryError {
            question: Question::new(self.name.clone(), self.rtype),
            server: self.server,
            failure: f.clone(),
        })
    }
}

/// One question of a [`Link::send`] batch.
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    /// What to ask.
    pub question: &'a Question,
    /// When the try must be over; `None`: [`QueryOptions::timeout`] after it
    /// starts. A TCP retry after TC inherits the deadline of its UDP try.
    pub deadline: Option<Instant>,
}

/// The outcome of one question's try, as a [`Link`] reports it.
#[derive(Debug)]
pub struct Tried {
    /// When the try started.
    pub sent: Instant,
    /// How long it took.
    pub latency: Duration,
    /// A reply that passed [`wire::check`], or why there was none.
    pub result: Result<Message, Failure>,
    /// How many of the reply's first answer records are owned by the
    /// question's own name, as the wire shows it (their owner is a
    /// compression pointer to the question, see [`wire::decode_counted`]):
    /// the lookup does not compare those owners again. 0 when not known
    /// (a failure, a reply not decoded from the wire); never more than
    /// the reply's answers.
    pub question_owned: usize,
}

impl Tried {
    /// A try started at `sent` that ended now with `result`: a checked
    /// reply and how many of its answers the question's name owns
    /// ([`wire::decode_counted`]), or why there was none.
    pub(crate) fn ended(sent: Instant, result: Result<(Message, usize), Failure>) -> Tried {
        let (result, question_owned) = match result {
            Ok((m, n)) => (Ok(m), n),
            Err(f) => (Err(f), 0),
        };
        Tried {
            sent,
            latency: sent.elapsed(),
            result,
            question_owned,
        }
    }
}

/// Where each question's answer goes as soon as it is known: the index of
/// the question in the batch and its outcome.
pub type Sink<'s> = dyn FnMut(usize, Tried) + Send + 's;

/// The transport seam: one try of each of a batch of questions at one
/// server over one transport. [`exchange`] builds attempts, failover and
/// TC→TCP on top of it; [`Sockets`] is the real network, and the `canned`
/// module (feature `test-util`) answers from a table.
///
/// An implementation hands every question's outcome to `sink` exactly
/// once, as soon as it is known (so a caller can keep only what it needs
/// of each reply), and only replies that pass [`wire::check`].
pub trait Link {
    /// Asks every question of `asks` once.
    fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) -> impl std::future::Future<Output = ()> + Send + 'a;
}

/// A borrowed link is a link: a resolver can lend its own to a bounded
/// copy of itself.
impl<T: Link + Sync> Link for &T {
    fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) -> impl std::future::Future<Output = ()> + Send + 'a {
        (**self).send(server, transport, asks, opts, sink)
    }
}

/// The real network: a UDP socket per try of a batch, and one TCP
/// connection per server kept open between batches (a `kubectl
/// port-forward` carries one stream; a fresh connection per batch would
/// cost a handshake each and, on a listener that never accepts, a second
/// timeout). Clones share the connections.
#[derive(Clone, Debug, Default)]
pub struct Sockets {
    conns: tcp::Conns,
}

impl Link for Sockets {
    async fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) {
        match transport {
            Transport::Udp => udp::run(server, asks, opts, sink).await,
            Transport::Tcp => {
                tcp::run(&mut tcp::TcpDialer(&self.conns), server, asks, opts, sink).await
            }
        }
    }
}

/// One try of each question of `asks` at `server` on the pipelined TCP
/// engine, over the streams of `dialer` instead of TCP sockets: up to
/// [`TCP_WINDOW`] questions in flight on one stream, each try bounded by its
/// deadline, the stream kept for the next batch. A [`Link`] over another
/// byte stream (a port-forward) is this plus its [`Dialer`].
pub async fn send_tcp<D: Dialer>(
    dialer: &mut D,
    server: SocketAddr,
    asks: &[Ask<'_>],
    opts: &QueryOptions,
    sink: &mut Sink<'_>,
) {
    tcp::run(dialer, server, asks, opts, sink).await
}

/// Asks `servers` for `name`/`rtype` over [`Sockets`]: a batch of one.
pub async fn query(
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    opts: &QueryOptions,
) -> Exchange {
    query_batch(servers, &[(name.clone(), rtype)], opts)
        .await
        .pop()
        .expect("one exchange per question")
}

/// Asks many questions over [`Sockets`]: see [`exchange`].
pub async fn query_batch(
    servers: &[SocketAddr],
    questions: &[(Name, RecordType)],
    opts: &QueryOptions,
) -> Vec<Exchange> {
    let questions: Vec<Question> = questions.iter().cloned().map(Question::from).collect();
    exchange(&Sockets::default(), servers, opts, &questions).await
}

/// Converts a validated name to the wire type.
pub fn to_name(f: &Fqdn) -> Name {
    let mut n = Name::from_labels(f.labels().iter().map(|l| l.as_bytes()))
        .expect("validated labels always form a name");
    n.set_fqdn(true);
    n
}

/// Presentation form of a name from the network: every label rendered from
/// its raw bytes with `\DDD` escapes, so no byte can reach a terminal raw.
pub fn display_name(n: &Name) -> String {
    String::from_utf8(presentation(n).0).expect("presentation form is ASCII")
}

/// [`display_name`] lower-cased: the key names are compared by (DNS names
/// are equal whatever their ASCII case; escaped bytes are digits).
pub fn display_name_lower(n: &Name) -> String {
    let mut out = presentation(n).0;
    out.make_ascii_lowercase();
    String::from_utf8(out).expect("presentation form is ASCII")
}

/// [`display_name_lower`] and [`first_label`] of one name, rendered once:
/// the first label is the front of the presentation form before it is
/// lower-cased (rendering the label again was 450 instructions of an SRV
/// target, callgrind).
pub fn key_and_first_label(n: &Name) -> (String, String) {
    let (mut out, first) = presentation(n);
    let label = String::from_utf8(out[..first].to_vec()).expect("presentation form is ASCII");
    out.make_ascii_lowercase();
    (
        String::from_utf8(out).expect("presentation form is ASCII"),
        label,
    )
}

/// The presentation form of a name as bytes (always ASCII), and the length
/// of its first label in it.
fn presentation(n: &Name) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(n.len() + 1);
    let mut first = 0;
    for (i, label) in n.iter().enumerate() {
        crate::escape::push_label_bytes(&mut out, label);
        if i == 0 {
            first = out.len();
        }
        out.push(b'.');
    }
    if out.is_empty() {
        out.push(b'.');
    }
    (out, first)
}

/// The first label of a name, escaped (a pod hostname or dashed IP).
pub fn first_label(n: &Name) -> Option<String> {
    n.iter().next().map(crate::escape::label)
}

/// Upper-case rcode mnemonic as dig prints it.
pub fn rcode_str(r: ResponseCode) -> String {
    match r {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::YXDomain => "YXDOMAIN".into(),
        ResponseCode::YXRRSet => "YXRRSET".into(),
        ResponseCode::NXRRSet => "NXRRSET".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::NotZone => "NOTZONE".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Failure::ConnRefused,
        std::io::ErrorKind::TimedOut => Failure::Timeout,
        _ => Failure::Network(e.to_string()),
    }
}

/// In-flight questions by message ID. IDs are small integers: a
/// multiplicative hash beats SipHash, which showed up in profiles.
type Inflight<V> = std::collections::HashMap<u16, V, std::hash::BuildHasherDefault<IdHasher>>;

#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u16(&mut self, n: u16) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The query for ask `k` with message ID `id`, or `None` after telling the
/// sink why it cannot be encoded (a name hickory refuses): both engines
/// report it the same way and go on with the next ask.
pub(crate) fn encode_or_report(
    id: u16,
    k: usize,
    q: &Question,
    opts: &QueryOptions,
    sink: &mut Sink<'_>,
) -> Option<Vec<u8>> {
    match wire::encode_query(id, &q.name, q.rtype, opts.edns) {
        Ok(b) => Some(b),
        Err(e) => {
            sink(
                k,
                Tried {
                    sent: std::time::Instant::now(),
                    latency: Duration::ZERO,
                    result: Err(Failure::Network(e)),
                    question_owned: 0,
                },
            );
            None
        }
    }
}

/// The next message ID after `*next` that is not in flight.
fn fresh_id<V>(next: &mut u16, inflight: &Inflight<V>) -> u16 {
    while inflight.contains_key(next) {
        *next = next.wrapping_add(1);
    }
    let id = *next;
    *next = next.wrapping_add(1);
    id
}
