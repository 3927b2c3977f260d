//! The rules over the transports: attempts, failover, TC→TCP. Written
//! against [`Link`], so they are the same over sockets and canned replies.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};

use super::{Ask, Exchange, Failure, Link, QueryOptions, Question, Transport, Tried, Try};

/// Whether another server should be asked after this rcode (glibc moves on
/// after SERVFAIL, NOTIMP and REFUSED).
fn next_server_after(rcode: ResponseCode) -> bool {
    matches!(
        rcode,
        ResponseCode::ServFail | ResponseCode::NotImp | ResponseCode::Refused
    )
}

/// Asks every question of `servers` and returns the exchanges in input
/// order; see [`exchange_each`].
pub async fn exchange<L: Link>(
    link: &L,
    servers: &[SocketAddr],
    opts: &QueryOptions,
    questions: &[Question],
) -> Vec<Exchange> {
    exchange_each(link, servers, opts, questions, |_, e| e).await
}

/// The last unusable outcome of a question, kept in case no server does
/// better.
struct Last {
    server: SocketAddr,
    transport: Transport,
    truncated: bool,
    result: Result<Message, Failure>,
}

struct Slot {
    tries: Vec<Try>,
    last: Option<Last>,
    done: bool,
}

/// Asks every question of `servers` and hands each [`Exchange`] to `keep`
/// (with the question's index) the moment it is final; returns what `keep`
/// made of them, in input order. Only what `keep` returns outlives the
/// batch, so a caller that needs a few records of each reply never holds
/// every reply at once.
///
/// In `attempts` rounds, each server in turn gets one try of every
/// question still open: over UDP, with a TCP retry within the same try's
/// timeout when the reply is truncated; or over TCP only. A question is
/// done at the first reply whose rcode is not SERVFAIL, NOTIMP or REFUSED;
/// after a timeout, a network error, only rejected replies or one of those
/// rcodes it goes to the next server (and, after the last, to the next
/// round). A question no server answered ends with its last outcome. So
/// one server costs a question at most `timeout` × `attempts`.
pub async fn exchange_each<L: Link, T: Send>(
    link: &L,
    servers: &[SocketAddr],
    opts: &QueryOptions,
    questions: &[Question],
    mut keep: impl FnMut(usize, Exchange) -> T + Send,
) -> Vec<T> {
    let started = Instant::now();
    let mut out: Vec<Option<T>> = (0..questions.len()).map(|_| None).collect();
    let mut slots: Vec<Slot> = (0..questions.len())
        .map(|_| Slot {
            tries: Vec::new(),
            last: None,
            done: false,
        })
        .collect();
    let first = if opts.tcp {
        Transport::Tcp
    } else {
        Transport::Udp
    };
    'rounds: for _round in 0..opts.attempts.max(1) {
        for &server in servers {
            let open: Vec<usize> = (0..questions.len()).filter(|&i| !slots[i].done).collect();
            if open.is_empty() {
                break 'rounds;
            }
            let asks: Vec<Ask> = open
                .iter()
                .map(|&i| Ask {
                    question: &questions[i],
                    deadline: None,
                })
                .collect();
            // Truncated UDP replies: (question, UDP try start, UDP latency).
            let mut tc: Vec<(usize, Instant, Duration)> = Vec::new();
            link.send(server, first, &asks, opts, &mut |k, tried: Tried| {
                let i = open[k];
                let slot = &mut slots[i];
                slot.tries.push(try_of(server, first, &tried));
                if first == Transport::Udp
                    && matches!(&tried.result, Ok(m) if m.metadata.truncation)
                {
                    // Its records are only part of the answer: drop them
                    // and ask again over TCP.
                    tc.push((i, tried.sent, tried.latency));
                    return;
                }
                settle(
                    i,
                    slot,
                    &mut out[i],
                    &mut keep,
                    &questions[i],
                    Settled {
                        server,
                        transport: first,
                        truncated: false,
                        latency: tried.latency,
                        result: tried.result,
                    },
                );
            })
            .await;
            if tc.is_empty() {
                continue;
            }
            let asks: Vec<Ask> = tc
                .iter()
                .map(|&(i, sent, _)| Ask {
                    question: &questions[i],
                    deadline: Some(sent + opts.timeout),
                })
                .collect();
            link.send(
                server,
                Transport::Tcp,
                &asks,
                opts,
                &mut |k, tried: Tried| {
                    let (i, _, udp_latency) = tc[k];
                    let slot = &mut slots[i];
                    slot.tries.push(try_of(server, Transport::Tcp, &tried));
                    settle(
                        i,
                        slot,
                        &mut out[i],
                        &mut keep,
                        &questions[i],
                        Settled {
                            server,
                            transport: Transport::Tcp,
                            truncated: true,
                            latency: udp_latency + tried.latency,
                            result: tried.result,
                        },
                    );
                },
            )
            .await;
        }
    }
    let elapsed = started.elapsed();
    for (i, slot) in slots.iter_mut().enumerate() {
        if slot.done {
            continue;
        }
        let q = &questions[i];
        let last = slot.last.take().unwrap_or(Last {
            server: SocketAddr::from(([0, 0, 0, 0], 0)),
            transport: first,
            truncated: false,
            result: Err(Failure::NoServer),
        });
        let ex = Exchange {
            name: q.name.clone(),
            rtype: q.rtype,
            server: last.server,
            transport: last.transport,
            truncated: last.truncated,
            retried_tcp: last.truncated,
            incomplete: false,
            latency: elapsed,
            tries: std::mem::take(&mut slot.tries),
            result: last.result,
        };
        out[i] = Some(keep(i, ex));
    }
    out.into_iter()
        .map(|o| o.expect("every question has an outcome"))
        .collect()
}

struct Settled {
    server: SocketAddr,
    transport: Transport,
    /// The UDP reply was truncated and this is its TCP retry.
    truncated: bool,
    latency: Duration,
    result: Result<Message, Failure>,
}

/// Ends a question on a usable reply, or keeps the outcome as its last.
fn settle<T>(
    i: usize,
    slot: &mut Slot,
    out: &mut Option<T>,
    keep: &mut impl FnMut(usize, Exchange) -> T,
    q: &Question,
    s: Settled,
) {
    let usable = matches!(&s.result, Ok(m) if !next_server_after(m.metadata.response_code));
    if !usable {
        slot.last = Some(Last {
            server: s.server,
            transport: s.transport,
            truncated: s.truncated,
            result: s.result,
        });
        return;
    }
    slot.done = true;
    let ex = Exchange {
        name: q.name.clone(),
        rtype: q.rtype,
        server: s.server,
        transport: s.transport,
        truncated: s.truncated,
        retried_tcp: s.truncated,
        incomplete: s.transport == Transport::Tcp
            && matches!(&s.result, Ok(m) if m.metadata.truncation),
        latency: s.latency,
        tries: std::mem::take(&mut slot.tries),
        result: s.result,
    };
    *out = Some(keep(i, ex));
}

fn try_of(server: SocketAddr, transport: Transport, t: &Tried) -> Try {
    Try {
        server,
        transport,
        latency: t.latency,
        outcome: t
            .result
            .as_ref()
            .map(|m| m.metadata.response_code)
            .map_err(Clone::clone),
        truncated: matches!(&t.result, Ok(m) if m.metadata.truncation),
        answers: t.result.as_ref().map_or(0, |m| m.answers.len()),
    }
}
