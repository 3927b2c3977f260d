//! The pipelined TCP engine: one connection per server, up to
//! [`TCP_WINDOW`] questions in flight, one try each; the connection is kept
//! for the next batch.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use tokio::io::{AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::frame::{push_frame, FrameReader};
use super::wire::{self, Rejected};
use super::{
    fresh_id, io_failure, Ask, Failure, Inflight, Malformed, QueryOptions, Sink, Tried, TCP_WINDOW,
};

/// Open connections by server, idle between batches.
pub(super) type Conns = Arc<Mutex<HashMap<SocketAddr, Conn>>>;

/// A connection and where its reader stands in the stream.
#[derive(Debug)]
pub(super) struct Conn {
    stream: TcpStream,
    reader: FrameReader,
}

/// The idle connection to `server`, unless the server has closed it.
fn take_idle(conns: &Conns, server: SocketAddr) -> Option<Conn> {
    let conn = conns.lock().ok()?.remove(&server)?;
    let mut byte = [0u8; 1];
    let mut buf = ReadBuf::new(&mut byte);
    let mut cx = Context::from_waker(Waker::noop());
    match conn.stream.poll_peek(&mut cx, &mut buf) {
        // Nothing to read yet, or late replies to skip: still open.
        Poll::Pending | Poll::Ready(Ok(1..)) => Some(conn),
        Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => None,
    }
}

fn put_idle(conns: &Conns, server: SocketAddr, conn: Conn) {
    if let Ok(mut map) = conns.lock() {
        map.entry(server).or_insert(conn);
    }
}

async fn connect(server: SocketAddr, until: Instant) -> Result<Conn, Failure> {
    let stream = tokio::time::timeout_at(until.into(), TcpStream::connect(server))
        .await
        .map_err(|_| Failure::Timeout)?
        .map_err(io_failure)?;
    let _ = stream.set_nodelay(true);
    Ok(Conn {
        stream,
        reader: FrameReader::new(),
    })
}

struct Flight {
    k: usize,
    sent: Instant,
    deadline: Instant,
    rejected: Option<Rejected>,
}

impl Flight {
    fn tried(self, result: Result<hickory_proto::op::Message, Failure>) -> (usize, Tried) {
        (
            self.k,
            Tried {
                sent: self.sent,
                latency: self.sent.elapsed(),
                result,
            },
        )
    }
}

/// One try of each question at `server` over one connection (a second
/// only when the server closes one that was idle, or closes between
/// replies). Each question's try ends at its deadline: the try's start
/// plus the timeout, connecting included, or the deadline it was given.
/// A late question is failed alone; the connection stays for the rest.
pub(super) async fn run(
    conns: &Conns,
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
                },
            );
        }
    };
    let (mut conn, mut reused) = match take_idle(conns, server) {
        Some(c) => (c, true),
        None => {
            let until = deadline.iter().take(TCP_WINDOW).flatten().max().copied();
            match connect(server, until.unwrap_or(start + opts.timeout)).await {
                Ok(c) => (c, false),
                Err(f) => return fail_all(&mut inflight, &mut queue, f, sink),
            }
        }
    };
    let mut answered_here = 0usize;
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
            put_idle(conns, server, conn);
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
                    match wire::decode(frame, asks[f.k].question) {
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
        // The server closed an idle connection before we used it, or
        // closed between replies (which RFC 7766 allows): the questions in
        // flight were not refused, so they go out again on a new one.
        let closed = matches!(&f, Failure::Network(_) | Failure::ConnRefused);
        if closed && (reused || answered_here > 0) {
            let until = inflight.values().map(|f| f.deadline).max();
            if let Some(until) = until {
                if let Ok(c) = connect(server, until).await {
                    let mut again: Vec<Flight> = inflight.drain().map(|(_, f)| f).collect();
                    again.sort_by_key(|f| std::cmp::Reverse(f.k));
                    for fl in again {
                        queue.push_front(fl.k);
                    }
                    conn = c;
                    reused = false;
                    answered_here = 0;
                    continue;
                }
            }
        }
        return fail_all(&mut inflight, &mut queue, f, sink);
    }
}
