//! The only module that talks DNS. One query to one server at a time over
//! sockets hsvc opens itself: UDP with a TCP retry on TC, or TCP only.
//! Nothing is cached, /etc/hosts is never read, and every result says which
//! server answered over which transport and how long it took.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Edns, Message, Query, ResponseCode};
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
    let mut out = String::new();
    for label in n.iter() {
        out.push_str(&crate::escape::label(label));
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

fn build_query(name: &Name, rtype: RecordType, edns: Option<u16>) -> Message {
    let mut msg = Message::query();
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
    framed.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    framed.extend_from_slice(bytes);
    stream.write_all(&framed).await.map_err(io_failure)?;
    loop {
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Failure::Network("server closed the TCP connection without answering".into())
            } else {
                io_failure(e)
            }
        })?;
        let len = u16::from_be_bytes(len) as usize;
        let mut buf = vec![0u8; len];
        stream.read_exact(&mut buf).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Failure::Malformed("TCP reply shorter than its length prefix".into())
            } else {
                io_failure(e)
            }
        })?;
        if len < 12 {
            return Err(Failure::Malformed(format!("{len}-byte reply")));
        }
        if u16::from_be_bytes([buf[0], buf[1]]) != id {
            continue;
        }
        return decode(&buf, name, rtype);
    }
}
