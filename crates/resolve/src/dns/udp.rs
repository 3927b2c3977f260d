//! The pipelined UDP engine: one connected socket, up to [`UDP_WINDOW`]
//! questions in flight, one try each.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;

use super::wire::{self, Rejected};
use super::{
    fresh_id, io_failure, Ask, Failure, Inflight, Malformed, QueryOptions, Sink, Tried, UDP_WINDOW,
};

struct Flight {
    /// Index into the asks.
    k: usize,
    sent: Instant,
    deadline: Instant,
    /// The query, to send again if a burst lost it.
    bytes: Vec<u8>,
    last_sent: Instant,
    /// Why the last message with this ID was not the answer.
    rejected: Option<Rejected>,
}

impl Flight {
    fn tried(self, result: Result<(hickory_proto::op::Message, usize), Failure>) -> (usize, Tried) {
        (self.k, Tried::ended(self.sent, result))
    }

    /// The outcome of a try that ran out of time.
    fn expired(self) -> (usize, Tried) {
        let f = match &self.rejected {
            Some(r) => Failure::Malformed(Malformed::Rejected(r.clone())),
            None => Failure::Timeout,
        };
        self.tried(Err(f))
    }
}

/// Fails every question still in flight or not yet sent.
fn fail_rest(
    inflight: &mut Inflight<Flight>,
    unsent: std::ops::Range<usize>,
    f: &Failure,
    sink: &mut Sink<'_>,
) {
    for (_, fl) in inflight.drain() {
        let (k, t) = fl.tried(Err(f.clone()));
        sink(k, t);
    }
    let now = Instant::now();
    for k in unsent {
        sink(
            k,
            Tried {
                sent: now,
                latency: Duration::ZERO,
                result: Err(f.clone()),
                question_owned: 0,
            },
        );
    }
}

async fn connect(server: SocketAddr) -> Result<UdpSocket, Failure> {
    let bind: SocketAddr = if server.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(bind).await.map_err(io_failure)?;
    // A connected socket only receives from `server` and reports ICMP
    // port-unreachable as ECONNREFUSED.
    sock.connect(server).await.map_err(io_failure)?;
    Ok(sock)
}

/// One try of each question at `server`. A reply is matched by ID and
/// then checked ([`wire::decode`]); a message that fails the check is
/// skipped and the question waits on until its deadline.
pub(super) async fn run(
    server: SocketAddr,
    asks: &[Ask<'_>],
    opts: &QueryOptions,
    sink: &mut Sink<'_>,
) {
    if asks.is_empty() {
        return;
    }
    let mut inflight: Inflight<Flight> = Inflight::default();
    let sock = match connect(server).await {
        Ok(s) => s,
        Err(f) => return fail_rest(&mut inflight, 0..asks.len(), &f, sink),
    };
    let mut next = 0;
    let mut next_id = wire::random_id();
    let mut max_rtt = Duration::ZERO;
    // One buffer for every datagram: a reply is decoded and its bytes are
    // overwritten by the next.
    // Read into spare capacity (recv_buf): zeroing 64 KiB first was 70 K
    // instructions of a 1.2 M resolve (callgrind), for at most a few KiB
    // received.
    let mut buf: Vec<u8> = Vec::with_capacity(65535);
    loop {
        while inflight.len() < UDP_WINDOW && next < asks.len() {
            let k = next;
            next += 1;
            let ask = &asks[k];
            let id = fresh_id(&mut next_id, &inflight);
            let Some(bytes) = super::encode_or_report(id, k, ask.question, opts, sink) else {
                continue;
            };
            let now = Instant::now();
            if let Err(e) = sock.send(&bytes).await {
                return fail_rest(&mut inflight, k..asks.len(), &io_failure(e), sink);
            }
            inflight.insert(
                id,
                Flight {
                    k,
                    sent: now,
                    deadline: clamp(ask.deadline.unwrap_or(now + opts.timeout), opts),
                    bytes,
                    last_sent: now,
                    rejected: None,
                },
            );
        }
        if inflight.is_empty() {
            return;
        }
        // Resend after several times the slowest reply seen so far, and
        // only once the server has answered something: losses then come
        // from bursts (a burst of queries can overflow a server's receive
        // buffer even on loopback), not from a server that is down, which
        // resends would only flood.
        let rto = (max_rtt * 8)
            .max(Duration::from_millis(50))
            .min(opts.timeout);
        let expiry = inflight
            .values()
            .map(|f| f.deadline)
            .min()
            .expect("something in flight");
        let wake = if max_rtt.is_zero() {
            expiry
        } else {
            inflight
                .values()
                .map(|f| f.last_sent + rto)
                .min()
                .map_or(expiry, |r| r.min(expiry))
        };
        match tokio::time::timeout_at(tokio::time::Instant::from_std(wake), {
            buf.clear();
            sock.recv_buf(&mut buf)
        })
        .await
        {
            Ok(Ok(n)) => {
                let bytes = &buf[..n];
                let Some(id) = wire::message_id(bytes) else {
                    continue;
                };
                let Some(f) = inflight.get_mut(&id) else {
                    continue; // not ours (any more): keep waiting
                };
                match wire::decode_counted(bytes, asks[f.k].question) {
                    Ok(m) => {
                        let f = inflight.remove(&id).expect("in flight");
                        max_rtt = max_rtt.max(f.sent.elapsed());
                        let (k, t) = f.tried(Ok(m));
                        sink(k, t);
                    }
                    Err(r) => f.rejected = Some(r),
                }
            }
            Ok(Err(e)) => {
                return fail_rest(&mut inflight, next..asks.len(), &io_failure(e), sink);
            }
            Err(_) => {
                let now = Instant::now();
                let late: Vec<u16> = inflight
                    .iter()
                    .filter(|(_, f)| f.deadline <= now)
                    .map(|(id, _)| *id)
                    .collect();
                for id in late {
                    let (k, t) = inflight.remove(&id).expect("in flight").expired();
                    sink(k, t);
                }
                if !max_rtt.is_zero() {
                    let mut broken = None;
                    for f in inflight.values_mut() {
                        if now.duration_since(f.last_sent) >= rto {
                            if let Err(e) = sock.send(&f.bytes).await {
                                broken = Some(io_failure(e));
                                break;
                            }
                            f.last_sent = now;
                        }
                    }
                    if let Some(f) = broken {
                        return fail_rest(&mut inflight, next..asks.len(), &f, sink);
                    }
                }
            }
        }
    }
}

/// A try's deadline, never past the resolution's overall one.
pub(crate) fn clamp(at: Instant, opts: &QueryOptions) -> Instant {
    opts.deadline.map_or(at, |d| at.min(d))
}
