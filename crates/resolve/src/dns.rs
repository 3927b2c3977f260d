//! The only module that talks DNS. One query to one server at a time over
//! sockets hsvc opens itself: UDP with a TCP retry on TC, or TCP only.
//! Nothing is cached, /etc/hosts is never read, and every result says which
//! server answered over which transport and how long it took.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::name::Fqdn;

/// Default EDNS0 UDP payload size (DNS flag day 2020).
pub const DEFAULT_EDNS_SIZE: u16 = 1232;

/// How queries are sent.
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Per try: a UDP exchange (plus its TCP retry) or a TCP exchange.
    pub timeout: Duration,
    /// Tries per server, at least 1.
    pub attempts: u32,
    /// TCP only (for `kubectl port-forward`, which carries no UDP).
    pub tcp: bool,
    /// EDNS0 payload size to advertise; `None` sends no OPT record.
    pub edns: Option<u16>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            timeout: Duration::from_secs(2),
            attempts: 2,
            tcp: false,
            edns: Some(DEFAULT_EDNS_SIZE),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        }
    }
}

/// A query that got no usable DNS message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the timeout, on every try.
    Timeout,
    /// The server's port is closed (ICMP port unreachable or TCP RST).
    ConnRefused,
    /// Another socket error.
    Network(String),
    /// A reply came back but is not a DNS message we can read.
    Malformed(String),
}

impl Failure {
    /// Short machine name for JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::ConnRefused => "connection_refused",
            Failure::Network(_) => "network",
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
        }
    }
}

/// One datagram exchange or TCP connection.
#[derive(Clone, Debug)]
pub struct Try {
    pub server: SocketAddr,
    pub transport: Transport,
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
    pub name: Name,
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
    pub tries: Vec<Try>,
    pub result: Result<Message, Failure>,
}

impl Exchange {
    /// The reply's rcode, if there was a reply.
    pub fn rcode(&self) -> Option<ResponseCode> {
        self.result.as_ref().ok().map(|m| m.metadata.response_code)
    }

    pub fn message(&self) -> Option<&Message> {
        self.result.as_ref().ok()
    }
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
    let mut out = String::with_capacity(n.len() + 1);
    for label in n.iter() {
        crate::escape::push_label(&mut out, label);
        out.push('.');
    }
    if out.is_empty() {
        out.push('.');
    }
    out
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

/// Whether another server should be asked after this rcode (glibc moves on
/// after SERVFAIL, NOTIMP and REFUSED).
fn next_server_after(rcode: ResponseCode) -> bool {
    matches!(
        rcode,
        ResponseCode::ServFail | ResponseCode::NotImp | ResponseCode::Refused
    )
}

/// Asks `servers` in order, `attempts` rounds, for `name`/`rtype`.
///
/// Moves to the next server after a timeout, a network error, a malformed
/// reply, SERVFAIL, NOTIMP or REFUSED; the last such result is returned if
/// no server gives a better one.
pub async fn query(
    servers: &[SocketAddr],
    name: &Name,
    rtype: RecordType,
    opts: &QueryOptions,
) -> Exchange {
    let started = Instant::now();
    let mut tries = Vec::new();
    let mut last: Option<Exchange> = None;
    for _round in 0..opts.attempts.max(1) {
        for &server in servers {
            let ex = query_server(server, name, rtype, opts, &mut tries).await;
            let done = match &ex.result {
                Ok(m) => !next_server_after(m.metadata.response_code),
                Err(Failure::ConnRefused) => false,
                Err(_) => false,
            };
            if done {
                return Exchange { tries, ..ex };
            }
            last = Some(ex);
        }
    }
    let mut ex = last.unwrap_or_else(|| Exchange {
        name: name.clone(),
        rtype,
        server: SocketAddr::from(([0, 0, 0, 0], 0)),
        transport: Transport::Udp,
        truncated: false,
        retried_tcp: false,
        incomplete: false,
        latency: Duration::ZERO,
        tries: Vec::new(),
        result: Err(Failure::Network("no server to ask".into())),
    });
    if ex.result.is_err() {
        ex.latency = started.elapsed();
    }
    ex.tries = tries;
    ex
}

/// One try at one server: UDP then TCP on TC, or TCP only.
async fn query_server(
    server: SocketAddr,
    name: &Name,
    rtype: RecordType,
    opts: &QueryOptions,
    tries: &mut Vec<Try>,
) -> Exchange {
    let request = build_query(name, rtype, opts.edns);
    let id = request.metadata.id;
    let bytes = match request.to_vec() {
        Ok(b) => b,
        Err(e) => {
            return failed(
                name,
                rtype,
                server,
                Transport::Udp,
                Failure::Network(e.to_string()),
            )
        }
    };
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let mut truncated = false;
    let mut transport = if opts.tcp {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    if !opts.tcp {
        let t0 = Instant::now();
        let r = tokio::time::timeout_at(deadline, udp_exchange(server, &bytes, id, name, rtype))
            .await
            .unwrap_or(Err(Failure::Timeout));
        let tc = matches!(&r, Ok(m) if m.metadata.truncation);
        tries.push(Try {
            server,
            transport: Transport::Udp,
            latency: t0.elapsed(),
            outcome: r
                .as_ref()
                .map(|m| m.metadata.response_code)
                .map_err(Clone::clone),
            truncated: tc,
            answers: r.as_ref().map_or(0, |m| m.answers.len()),
        });
        if !tc {
            return Exchange {
                name: name.clone(),
                rtype,
                server,
                transport,
                truncated: false,
                retried_tcp: false,
                incomplete: false,
                latency: started.elapsed(),
                tries: Vec::new(),
                result: r,
            };
        }
        truncated = true;
        transport = Transport::Tcp;
    }
    let t0 = Instant::now();
    let r = tokio::time::timeout_at(deadline, tcp_exchange(server, &bytes, id, name, rtype))
        .await
        .unwrap_or(Err(Failure::Timeout));
    tries.push(Try {
        server,
        transport: Transport::Tcp,
        latency: t0.elapsed(),
        outcome: r
            .as_ref()
            .map(|m| m.metadata.response_code)
            .map_err(Clone::clone),
        truncated: matches!(&r, Ok(m) if m.metadata.truncation),
        answers: r.as_ref().map_or(0, |m| m.answers.len()),
    });
    Exchange {
        name: name.clone(),
        rtype,
        server,
        transport,
        truncated,
        retried_tcp: truncated,
        incomplete: matches!(&r, Ok(m) if m.metadata.truncation),
        latency: started.elapsed(),
        tries: Vec::new(),
        result: r,
    }
}

fn failed(
    name: &Name,
    rtype: RecordType,
    server: SocketAddr,
    t: Transport,
    f: Failure,
) -> Exchange {
    Exchange {
        name: name.clone(),
        rtype,
        server,
        transport: t,
        truncated: false,
        retried_tcp: false,
        incomplete: false,
        latency: Duration::ZERO,
        tries: Vec::new(),
        result: Err(f),
    }
}

/// A random message ID. std's RandomState draws its keys from the kernel
/// (getrandom), which also works in an empty chroot or scratch image, where
/// hickory's thread RNG looks for device files and panics.
fn random_id() -> u16 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now()) as u16
}

fn build_query(name: &Name, rtype: RecordType, edns: Option<u16>) -> Message {
    let mut msg = Message::new(random_id(), MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.add_query(Query::query(name.clone(), rtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size.max(512));
        msg.set_edns(e);
    }
    msg
}

fn io_failure(e: std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Failure::ConnRefused,
        std::io::ErrorKind::TimedOut => Failure::Timeout,
        _ => Failure::Network(e.to_string()),
    }
}

/// Checks that a parsed reply answers our question.
fn matches_question(m: &Message, name: &Name, rtype: RecordType) -> bool {
    match m.queries.first() {
        Some(q) => q.query_type() == rtype && q.name() == name,
        // Some servers omit the question in error replies.
        None => m.metadata.response_code != ResponseCode::NoError,
    }
}

fn decode(buf: &[u8], name: &Name, rtype: RecordType) -> Result<Message, Failure> {
    let m = Message::from_vec(buf).map_err(|e| Failure::Malformed(e.to_string()))?;
    if !matches_question(&m, name, rtype) {
        return Err(Failure::Malformed("reply is for another question".into()));
    }
    Ok(m)
}

async fn udp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
) -> Result<Message, Failure> {
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(bind).await.map_err(io_failure)?;
    // A connected socket only receives from `server` and reports ICMP
    // port-unreachable as ECONNREFUSED.
    sock.connect(server).await.map_err(io_failure)?;
    sock.send(bytes).await.map_err(io_failure)?;
    let mut buf = vec![0u8; 65535];
    loop {
        let n = sock.recv(&mut buf).await.map_err(io_failure)?;
        if n < 12 || u16::from_be_bytes([buf[0], buf[1]]) != id {
            continue; // not ours: keep waiting until the deadline
        }
        return decode(&buf[..n], name, rtype);
    }
}

async fn tcp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    id: u16,
    name: &Name,
    rtype: RecordType,
) -> Result<Message, Failure> {
    let mut stream = TcpStream::connect(server).await.map_err(io_failure)?;
    let _ = stream.set_nodelay(true);
    let mut framed = Vec::with_capacity(bytes.len() + 2);
    push_frame(&mut framed, bytes);
    stream.write_all(&framed).await.map_err(io_failure)?;
    loop {
        let buf = read_frame(&mut stream).await?;
        let len = buf.len();
        if len < 12 {
            return Err(Failure::Malformed(format!("{len}-byte reply")));
        }
        if u16::from_be_bytes([buf[0], buf[1]]) != id {
            continue;
        }
        return decode(&buf, name, rtype);
    }
}

/// Appends a message with its TCP length prefix.
fn push_frame(out: &mut Vec<u8>, message: &[u8]) {
    out.extend_from_slice(&(message.len() as u16).to_be_bytes());
    out.extend_from_slice(message);
}

/// Reads one length-prefixed DNS message from a TCP stream.
async fn read_frame<R: tokio::io::AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, Failure> {
    let mut len = [0u8; 2];
    r.read_exact(&mut len).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Failure::Network("server closed the TCP connection without answering".into())
        } else {
            io_failure(e)
        }
    })?;
    let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
    r.read_exact(&mut buf).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Failure::Malformed("TCP reply shorter than its length prefix".into())
        } else {
            io_failure(e)
        }
    })?;
    Ok(buf)
}

/// Questions in flight at once on one UDP socket: small enough that a
/// burst does not overflow a server's receive buffer. (A datagram queues
/// at its kernel size, about 1 KiB for a 100-byte reply, so the default
/// 208 KiB buffer holds some 190: with 256 in flight, about 63 of 1000
/// SRV-target replies from BIND or Knot were lost and each waited a whole
/// timeout.)
const UDP_WINDOW: usize = 64;
/// Questions in flight at once on one TCP connection.
const WINDOW: usize = 256;

/// Asks many questions of the first server over one UDP socket (or, with
/// `--tcp`, one pipelined TCP connection), at most [`UDP_WINDOW`] (or [`WINDOW`] over TCP) in flight,
/// `attempts` tries each. A question whose reply is truncated is asked
/// again over TCP; one that fails there (timeout, network, malformed,
/// SERVFAIL, NOTIMP, REFUSED) is asked of the other servers with [`query`].
/// Results come back in input order, each with every try it took.
///
/// One socket instead of one per question is what makes resolving a
/// Service cheap when a server leaves out SRV glue (hundreds of target
/// lookups), and what keeps a `kubectl port-forward` to a single stream.
pub async fn query_batch(
    servers: &[SocketAddr],
    questions: &[(Name, RecordType)],
    opts: &QueryOptions,
) -> Vec<Exchange> {
    let Some(&server) = servers.first() else {
        return questions
            .iter()
            .map(|(n, t)| {
                failed(
                    n,
                    *t,
                    SocketAddr::from(([0, 0, 0, 0], 0)),
                    Transport::Udp,
                    Failure::Network("no server to ask".into()),
                )
            })
            .collect();
    };
    let transport = if opts.tcp {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    let mut batch = Batch::new(server, questions, opts, transport);
    let io = if opts.tcp {
        batch.run_tcp().await
    } else {
        batch.run_udp().await
    };
    let socket_failed = io.is_err();
    if let Err(f) = io {
        for i in 0..questions.len() {
            if batch.results[i].is_none() {
                batch.finish(i, Err(f.clone()));
            }
        }
    }
    let mut tcp = opts.clone();
    tcp.tcp = true;
    // Second chances, concurrently, one question each.
    let second = questions.iter().enumerate().map(|(i, (name, rtype))| {
        let mut ex = batch.results[i]
            .take()
            .expect("every question has a result");
        ex.tries = std::mem::take(&mut batch.tries[i]);
        let tcp = &tcp;
        async move {
            let truncated = !opts.tcp && matches!(&ex.result, Ok(m) if m.metadata.truncation);
            let failed_here = match &ex.result {
                Ok(m) => next_server_after(m.metadata.response_code),
                Err(_) => true,
            };
            let retry = if truncated {
                // TC: the same server, over TCP.
                let mut r = query(&[server], name, *rtype, tcp).await;
                r.truncated = true;
                r.retried_tcp = true;
                r.latency += ex.latency;
                Some(r)
            } else if failed_here && socket_failed && ex.tries.len() < opts.attempts as usize {
                // The shared socket or connection broke: ask again alone.
                Some(query(servers, name, *rtype, opts).await)
            } else if failed_here && servers.len() > 1 {
                Some(query(&servers[1..], name, *rtype, opts).await)
            } else {
                None
            };
            match retry {
                Some(mut r) => {
                    let mut all = ex.tries;
                    all.append(&mut r.tries);
                    r.tries = all;
                    r
                }
                None => ex,
            }
        }
    });
    join_all(second).await
}

/// Runs futures concurrently on the current task and returns their outputs
/// in order.
pub async fn join_all<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pending.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.into_iter()
        .map(|o| o.expect("every future completed"))
        .collect()
}

/// In-flight questions by message ID. IDs are small integers: a
/// multiplicative hash beats SipHash, which showed up in profiles.
type Inflight = HashMap<u16, (usize, Instant), std::hash::BuildHasherDefault<IdHasher>>;

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

/// State of one [`query_batch`] run against one server.
struct Batch<'a> {
    server: SocketAddr,
    questions: &'a [(Name, RecordType)],
    opts: &'a QueryOptions,
    transport: Transport,
    results: Vec<Option<Exchange>>,
    tries: Vec<Vec<Try>>,
    sent: Vec<u32>,
    started: Vec<Option<Instant>>,
    next_id: u16,
}

impl<'a> Batch<'a> {
    fn new(
        server: SocketAddr,
        questions: &'a [(Name, RecordType)],
        opts: &'a QueryOptions,
        transport: Transport,
    ) -> Self {
        let n = questions.len();
        Batch {
            server,
            questions,
            opts,
            transport,
            results: (0..n).map(|_| None).collect(),
            tries: vec![Vec::new(); n],
            sent: vec![0; n],
            started: vec![None; n],
            next_id: random_id(),
        }
    }

    /// The wire form of question `i` with a fresh ID not in flight.
    fn encode(&mut self, i: usize, inflight: &Inflight) -> Result<(u16, Vec<u8>), Failure> {
        while inflight.contains_key(&self.next_id) {
            self.next_id = self.next_id.wrapping_add(1);
        }
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1);
        let (name, rtype) = &self.questions[i];
        let mut msg = build_query(name, *rtype, self.opts.edns);
        msg.metadata.id = id;
        let bytes = msg.to_vec().map_err(|e| Failure::Network(e.to_string()))?;
        self.sent[i] += 1;
        self.started[i].get_or_insert_with(Instant::now);
        Ok((id, bytes))
    }

    fn record_try(&mut self, i: usize, sent_at: Instant, r: &Result<Message, Failure>) {
        self.tries[i].push(Try {
            server: self.server,
            transport: self.transport,
            latency: sent_at.elapsed(),
            outcome: r
                .as_ref()
                .map(|m| m.metadata.response_code)
                .map_err(Clone::clone),
            truncated: matches!(r, Ok(m) if m.metadata.truncation),
            answers: r.as_ref().map_or(0, |m| m.answers.len()),
        });
    }

    fn finish(&mut self, i: usize, result: Result<Message, Failure>) {
        let (name, rtype) = &self.questions[i];
        self.results[i] = Some(Exchange {
            name: name.clone(),
            rtype: *rtype,
            server: self.server,
            transport: self.transport,
            truncated: false,
            retried_tcp: false,
            incomplete: self.transport == Transport::Tcp
                && matches!(&result, Ok(m) if m.metadata.truncation),
            latency: self.started[i].map_or(Duration::ZERO, |t| t.elapsed()),
            tries: Vec::new(),
            result,
        });
    }

    /// Handles a reply datagram or frame; ignores one that is not ours.
    fn on_reply(&mut self, buf: &[u8], inflight: &mut Inflight) {
        if buf.len() < 12 {
            return;
        }
        let id = u16::from_be_bytes([buf[0], buf[1]]);
        let Some(&(i, sent_at)) = inflight.get(&id) else {
            return;
        };
        let (name, rtype) = &self.questions[i];
        let r = decode(buf, name, *rtype);
        if matches!(&r, Err(Failure::Malformed(m)) if m.starts_with("reply is for another")) {
            return; // spoofed or stale: keep waiting
        }
        inflight.remove(&id);
        self.record_try(i, sent_at, &r);
        self.finish(i, r);
    }

    /// Expires questions whose try timed out; requeues those with attempts left.
    fn expire(&mut self, inflight: &mut Inflight, queue: &mut VecDeque<usize>) {
        let now = Instant::now();
        let late: Vec<(u16, usize, Instant)> = inflight
            .iter()
            .filter(|(_, (_, t))| now.duration_since(*t) >= self.opts.timeout)
            .map(|(id, (i, t))| (*id, *i, *t))
            .collect();
        for (id, i, t) in late {
            inflight.remove(&id);
            self.record_try(i, t, &Err(Failure::Timeout));
            if self.sent[i] < self.opts.attempts.max(1) {
                queue.push_back(i);
            } else {
                self.finish(i, Err(Failure::Timeout));
            }
        }
    }

    fn next_deadline(&self, inflight: &Inflight) -> tokio::time::Instant {
        let oldest = inflight
            .values()
            .map(|(_, t)| *t)
            .min()
            .unwrap_or_else(Instant::now);
        tokio::time::Instant::from_std(oldest + self.opts.timeout)
    }

    async fn run_udp(&mut self) -> Result<(), Failure> {
        let bind: SocketAddr = if self.server.is_ipv4() {
            (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let sock = UdpSocket::bind(bind).await.map_err(io_failure)?;
        sock.connect(self.server).await.map_err(io_failure)?;
        let mut queue: VecDeque<usize> = (0..self.questions.len()).collect();
        let mut inflight = Inflight::default();
        // Bytes and last send time per ID, to resend a datagram that a full
        // socket buffer dropped well before the try's timeout (a burst of
        // queries can overflow a server's receive buffer even on loopback).
        let mut wire: HashMap<u16, (Vec<u8>, Instant), std::hash::BuildHasherDefault<IdHasher>> =
            HashMap::default();
        let mut max_rtt = Duration::ZERO;
        let mut buf = vec![0u8; 65535];
        loop {
            while inflight.len() < UDP_WINDOW {
                let Some(i) = queue.pop_front() else { break };
                let (id, bytes) = match self.encode(i, &inflight) {
                    Ok(x) => x,
                    Err(f) => {
                        self.finish(i, Err(f));
                        continue;
                    }
                };
                sock.send(&bytes).await.map_err(io_failure)?;
                let now = Instant::now();
                inflight.insert(id, (i, now));
                wire.insert(id, (bytes, now));
            }
            if inflight.is_empty() {
                return Ok(());
            }
            // Resend after several times the slowest reply seen so far.
            let rto = (max_rtt * 8)
                .max(Duration::from_millis(50))
                .min(self.opts.timeout);
            // Only once the server has answered something: losses then come
            // from bursts, not from a server that is down (which resends
            // would only flood).
            let resend_at = wire
                .values()
                .map(|(_, t)| *t + rto)
                .min()
                .filter(|_| !max_rtt.is_zero())
                .map(tokio::time::Instant::from_std);
            let deadline = match resend_at {
                Some(r) => r.min(self.next_deadline(&inflight)),
                None => self.next_deadline(&inflight),
            };
            match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Ok(Ok(n)) => {
                    if n >= 12 {
                        let id = u16::from_be_bytes([buf[0], buf[1]]);
                        if let Some((_, sent)) = inflight.get(&id) {
                            max_rtt = max_rtt.max(sent.elapsed());
                        }
                    }
                    self.on_reply(&buf[..n], &mut inflight);
                    wire.retain(|id, _| inflight.contains_key(id));
                }
                Ok(Err(e)) => {
                    let f = io_failure(e);
                    for (_, (i, t)) in inflight.drain() {
                        self.record_try(i, t, &Err(f.clone()));
                    }
                    return Err(f);
                }
                Err(_) => {
                    self.expire(&mut inflight, &mut queue);
                    wire.retain(|id, _| inflight.contains_key(id));
                    let now = Instant::now();
                    for (bytes, last) in wire.values_mut() {
                        if !max_rtt.is_zero() && now.duration_since(*last) >= rto {
                            sock.send(bytes).await.map_err(io_failure)?;
                            *last = now;
                        }
                    }
                }
            }
        }
    }

    async fn run_tcp(&mut self) -> Result<(), Failure> {
        let connect = TcpStream::connect(self.server);
        let stream = tokio::time::timeout(self.opts.timeout, connect)
            .await
            .map_err(|_| Failure::Timeout)?
            .map_err(io_failure)?;
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut queue: VecDeque<usize> = (0..self.questions.len()).collect();
        let mut inflight = Inflight::default();
        loop {
            let mut out = Vec::new();
            while inflight.len() < WINDOW {
                let Some(i) = queue.pop_front() else { break };
                match self.encode(i, &inflight) {
                    Ok((id, bytes)) => {
                        push_frame(&mut out, &bytes);
                        inflight.insert(id, (i, Instant::now()));
                    }
                    Err(f) => self.finish(i, Err(f)),
                }
            }
            if !out.is_empty() {
                wr.write_all(&out).await.map_err(io_failure)?;
            }
            if inflight.is_empty() {
                return Ok(());
            }
            match tokio::time::timeout_at(self.next_deadline(&inflight), read_frame(&mut rd)).await
            {
                Ok(Ok(buf)) => self.on_reply(&buf, &mut inflight),
                Ok(Err(f)) => {
                    for (_, (i, t)) in inflight.drain() {
                        self.record_try(i, t, &Err(f.clone()));
                    }
                    return Err(f);
                }
                Err(_) => {
                    // A TCP stream has no per-message loss to retry: a
                    // timeout ends the connection for everything in flight.
                    for (_, (i, t)) in inflight.drain() {
                        self.record_try(i, t, &Err(Failure::Timeout));
                    }
                    return Err(Failure::Timeout);
                }
            }
        }
    }
}
