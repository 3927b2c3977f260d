//! The pipelined TCP engine: one connection per server, up to
//! [`TCP_WINDOW`] questions in flight, one try each; the connection is kept
//! for the next batch. Written against [`Dialer`], so the same engine runs
//! over TCP sockets ([`Sockets`](super::Sockets)) and over any other byte
//! stream that carries DNS-over-TCP frames (a port-forward through the
//! Kubernetes API).

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::frame::{push_frame, FrameReader};
use super::wire::{self, Rejected};
use super::{
    fresh_id, io_failure, Ask, Failure, Inflight, Malformed, QueryOptions, Sink, Tried, TCP_WINDOW,
};

/// A stream between batches: the stream and where its reader stands in it
/// (a late reply may have been half read).
#[derive(Debug)]
pub struct Idle<S> {
    stream: S,
    reader: FrameReader,
}

impl<S> Idle<S> {
    /// A stream just opened, at a frame boundary.
    pub fn new(stream: S) -> Self {
        Idle {
            stream,
            reader: FrameReader::new(),
        }
    }

    /// The stream (to check whether the peer has closed it).
    pub fn stream(&self) -> &S {
        &self.stream
    }
}

/// How a stream broke, for [`Dialer::redial`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Broken {
    /// It had been idle since an earlier batch.
    pub reused: bool,
    /// Replies it delivered in this batch before breaking.
    pub answered: usize,
    /// Fresh streams already opened in this batch after a break.
    pub redials: u32,
}

/// Where the TCP engine gets its streams, and keeps them between batches.
pub trait Dialer: Send {
    /// A byte stream that carries DNS-over-TCP frames.
    type Stream: AsyncRead + AsyncWrite + Unpin + Send;

    /// The stream to `server` kept from an earlier batch, unless the peer
    /// has closed it.
    fn take_idle(&mut self, server: SocketAddr) -> Option<Idle<Self::Stream>>;

    /// Keeps `idle` for the next batch to `server`.
    fn put_idle(&mut self, server: SocketAddr, idle: Idle<Self::Stream>);

    /// Opens a fresh stream to `server`, giving up at `until`.
    fn dial(
        &mut self,
        server: SocketAddr,
        until: Instant,
    ) -> impl Future<Output = Result<Self::Stream, Failure>> + Send;

    /// A stream broke with `failure` while questions were in flight:
    /// whether they go out again on a fresh one (else they fail with it).
    fn redial(&mut self, failure: &Failure, how: Broken) -> bool;
}

/// Open connections by server, idle between batches.
pub(super) type Conns = Arc<Mutex<HashMap<SocketAddr, Idle<TcpStream>>>>;

/// The TCP dialer of [`Sockets`](super::Sockets): its connections, shared
/// by its clones.
pub(super) struct TcpDialer<'a>(pub(super) &'a Conns);

impl Dialer for TcpDialer<'_> {
    type Stream = TcpStream;

    fn take_idle(&mut self, server: SocketAddr) -> Option<Idle<TcpStream>> {
        let conn = self.0.lock().ok()?.remove(&server)?;
        let mut byte = [0u8; 1];
        let mut buf = ReadBuf::new(&mut byte);
        let mut cx = Context::from_waker(Waker::noop());
        match conn.stream.poll_peek(&mut cx, &mut buf) {
            // Nothing to read yet, or late replies to skip: still open.
            Poll::Pending | Poll::Ready(Ok(1..)) => Some(conn),
            Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => None,
        }
    }

    fn put_idle(&mut self, server: SocketAddr, idle: Idle<TcpStream>) {
        if let Ok(mut map) = self.0.lock() {
            map.entry(server).or_insert(idle);
        }
    }

    async fn dial(&mut self, server: SocketAddr, until: Instant) -> Result<TcpStream, Failure> {
        let stream = tokio::time::timeout_at(until.into(), TcpStream::connect(server))
            .await
            .map_err(|_| Failure::Timeout)?
            .map_err(io_failure)?;
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }

    /// The server closed an idle connection before we used it, or closed
    /// between replies (which RFC 7766 allows): the questions in flight
    /// were not refused, so they go out again on a new one.
    fn redial(&mut self, failure: &Failure, how: Broken) -> bool {
        let closed = matches!(failure, Failure::Network(_) | Failure::ConnRefused);
        closed && (how.reused || how.answered > 0)
    }
}

struct Flight {
    k: usize,
    sent: Instant,
    deadline: Instant,
    rejected: Option<Rejected>,
}

impl Flight {
    fn tried(self, result: Result<(hickory_proto::op::Message, usize), Failure>) -> (usize, Tried) {
        (self.k, Tried::ended(self.sent, result))
    }
}

/// One try of each question at `server` over one stream of `dialer` (a
/// fresh one when the stream breaks and [`Dialer::redial`] says so). Each
/// question's try ends at its deadline: the try's start plus the timeout,
/// connecting included, or the deadline it was given. A late question is
/// failed alone; the stream stays for the rest. Every outcome goes to
/// `sink`, as [`Link::send`](super::Link::send) requires.
pub async fn run<D: Dialer>(
    dialer: &mut D,
    server: SocketAddr,
    asks: &[Ask<'_>],
    opts: &QueryOptions,
    sink: &mut Sink<'_>,
) {
    if asks.is_empty() {
        return;
    }
    let start = Instant::now();
    let mut deadline: Vec<Option<Instant>> = asks.iter().map(|a| a.deadline).collect();
    // The questions that go out first wait for the connection too.
    for d in deadline.iter_mut().take(TCP_WINDOW) {
        d.get_or_insert(start + opts.timeout);
    }
    let mut queue: VecDeque<usize> = (0..asks.len()).collect();
    let mut inflight: Inflight<Flight> = Inflight::default();
    let fail_all = |inflight: &mut Inflight<Flight>,
                    queue: &mut VecDeque<usize>,
                    f: Failure,
                    sink: &mut Sink<'_>| {
        for (_, fl) in inflight.drain() {
            let (k, t) = fl.tried(Err(f.clone()));
            sink(k, t);
        }
        for k in queue.drain(..) {
            sink(
                k,
                Tried {
                    sent: start,
                    latency: start.elapsed(),
                    result: Err(f.clone()),
                    question_owned: 0,
                },
            );
        }
    };
    let (mut conn, mut reused) = match dialer.take_idle(server) {
        Some(c) => (c, true),
        None => {
            let until = deadline.iter().take(TCP_WINDOW).flatten().max().copied();
            match dialer
                .dial(
                    server,
                    super::udp::clamp(until.unwrap_or(start + opts.timeout), opts),
                )
                .await
            {
                Ok(s) => (Idle::new(s), false),
                Err(f) => return fail_all(&mut inflight, &mut queue, f, sink),
            }
        }
    };
    let mut answered_here = 0usize;
    let mut redials = 0u32;
    let mut next_id = wire::random_id();
    let mut first_fill = true;
    loop {
        let mut out = Vec::new();
        while inflight.len() < TCP_WINDOW {
            let Some(k) = queue.pop_front() else { break };
            let q = asks[k].question;
            let id = fresh_id(&mut next_id, &inflight);
            let Some(bytes) = super::encode_or_report(id, k, q, opts, sink) else {
                continue;
            };
            let now = Instant::now();
            push_frame(&mut out, &bytes);
            inflight.insert(
                id,
                Flight {
                    k,
                    sent: if first_fill { start } else { now },
                    deadline: super::udp::clamp(
                        *deadline[k].get_or_insert(now + opts.timeout),
                        opts,
                    ),
                    rejected: None,
                },
            );
        }
        first_fill = false;
        if inflight.is_empty() {
            dialer.put_idle(server, conn);
            return;
        }
        let expiry = inflight
            .values()
            .map(|f| f.deadline)
            .min()
            .expect("something in flight");
        let mut broken = None;
        if !out.is_empty() {
            match tokio::time::timeout_at(expiry.into(), conn.stream.write_all(&out)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => broken = Some(io_failure(e)),
                Err(_) => {
                    // The server stopped reading; a frame may be half
                    // written, so the connection is lost with the try.
                    return fail_all(&mut inflight, &mut queue, Failure::Timeout, sink);
                }
            }
        }
        if broken.is_none() {
            match tokio::time::timeout_at(expiry.into(), conn.reader.next(&mut conn.stream)).await {
                Ok(Ok(frame)) => {
                    let Some(id) = wire::message_id(frame) else {
                        continue;
                    };
                    let Some(f) = inflight.get_mut(&id) else {
                        continue; // a late reply to an expired try
                    };
                    match wire::decode_counted(frame, asks[f.k].question) {
                        Ok(m) => {
                            answered_here += 1;
                            let (k, t) = inflight.remove(&id).expect("in flight").tried(Ok(m));
                            sink(k, t);
                        }
                        Err(r) => f.rejected = Some(r),
                    }
                    continue;
                }
                Ok(Err(f)) => broken = Some(f),
                Err(_) => {
                    let now = Instant::now();
                    let late: Vec<u16> = inflight
                        .iter()
                        .filter(|(_, f)| f.deadline <= now)
                        .map(|(id, _)| *id)
                        .collect();
                    for id in late {
                        let f = inflight.remove(&id).expect("in flight");
                        let failure = match &f.rejected {
                            Some(r) => Failure::Malformed(Malformed::Rejected(r.clone())),
                            None => Failure::Timeout,
                        };
                        let (k, t) = f.tried(Err(failure));
                        sink(k, t);
                    }
                    continue;
                }
            }
        }
        let f = broken.expect("the connection broke");
        let how = Broken {
            reused,
            answered: answered_here,
            redials,
        };
        if dialer.redial(&f, how) {
            let until = inflight.values().map(|f| f.deadline).max();
            if let Some(until) = until {
                if let Ok(s) = dialer.dial(server, until).await {
                    let mut again: Vec<Flight> = inflight.drain().map(|(_, f)| f).collect();
                    again.sort_by_key(|f| std::cmp::Reverse(f.k));
                    for fl in again {
                        queue.push_front(fl.k);
                    }
                    conn = Idle::new(s);
                    reused = false;
                    answered_here = 0;
                    redials += 1;
                    continue;
                }
            }
        }
        return fail_all(&mut inflight, &mut queue, f, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{canned, Question};
    use hickory_proto::rr::RecordType;
    use hickory_proto::serialize::binary::BinEncodable;
    use tokio::io::DuplexStream;

    const WEB: &str = "web.awx.svc.cluster.local.";

    /// In-memory streams (not TCP): each dial is a tokio duplex served by a
    /// task that answers every query with one A record, except that the
    /// first `cut` streams close after reading a query.
    struct Pipes {
        dials: u32,
        cut: u32,
        idle: Option<Idle<DuplexStream>>,
    }

    impl Dialer for Pipes {
        type Stream = DuplexStream;

        fn take_idle(&mut self, _: SocketAddr) -> Option<Idle<DuplexStream>> {
            self.idle.take()
        }

        fn put_idle(&mut self, _: SocketAddr, idle: Idle<DuplexStream>) {
            self.idle = Some(idle);
        }

        async fn dial(&mut self, _: SocketAddr, _: Instant) -> Result<DuplexStream, Failure> {
            self.dials += 1;
            let cut = self.dials <= self.cut;
            let (ours, mut theirs) = tokio::io::duplex(1 << 16);
            tokio::spawn(async move {
                let mut r = FrameReader::new();
                while let Ok(q) = r.next(&mut theirs).await {
                    if cut {
                        return;
                    }
                    let mut m =
                        canned::answer(WEB, RecordType::A, vec![canned::a(WEB, [10, 0, 0, 1])]);
                    m.metadata.id = wire::message_id(q).unwrap();
                    let mut out = Vec::new();
                    push_frame(&mut out, &m.to_bytes().unwrap());
                    if theirs.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
            Ok(ours)
        }

        fn redial(&mut self, failure: &Failure, how: Broken) -> bool {
            matches!(failure, Failure::Network(_)) && how.redials == 0
        }
    }

    async fn ask(pipes: &mut Pipes, n: usize) -> Vec<Result<usize, Failure>> {
        let q = Question::new(canned::name(WEB), RecordType::A);
        let asks: Vec<Ask> = (0..n)
            .map(|_| Ask {
                question: &q,
                deadline: None,
            })
            .collect();
        let opts = QueryOptions {
            timeout: std::time::Duration::from_secs(5),
            ..QueryOptions::default()
        };
        let mut got: Vec<Option<Result<usize, Failure>>> = vec![None; n];
        let server: SocketAddr = "127.0.0.1:53".parse().unwrap();
        run(pipes, server, &asks, &opts, &mut |k, t: Tried| {
            assert!(got[k].is_none(), "one outcome per question");
            got[k] = Some(t.result.map(|m| m.answers.len()));
        })
        .await;
        got.into_iter().map(|g| g.expect("an outcome")).collect()
    }

    /// The pipes' server tasks live as long as this runtime.
    fn on_one_runtime<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn the_engine_runs_over_any_stream_and_keeps_it_between_batches() {
        let mut p = Pipes {
            dials: 0,
            cut: 0,
            idle: None,
        };
        on_one_runtime(async {
            assert_eq!(ask(&mut p, 300).await, vec![Ok(1); 300], "past the window");
            assert_eq!(ask(&mut p, 2).await, vec![Ok(1); 2]);
        });
        assert_eq!(p.dials, 1, "one stream for both batches");
    }

    #[test]
    fn a_broken_stream_is_redialled_as_the_dialer_says() {
        let mut p = Pipes {
            dials: 0,
            cut: 1,
            idle: None,
        };
        let got = on_one_runtime(ask(&mut p, 3));
        assert_eq!(got, vec![Ok(1); 3], "again on a fresh stream");
        assert_eq!(p.dials, 2);
        let mut p = Pipes {
            dials: 0,
            cut: 2,
            idle: None,
        };
        let got = on_one_runtime(ask(&mut p, 3));
        assert!(
            got.iter().all(|r| matches!(r, Err(Failure::Network(_)))),
            "{got:?}"
        );
        assert_eq!(p.dials, 2, "one redial, then the failure");
    }
}
