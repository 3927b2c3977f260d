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
    question_owned: usize,
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
            if open.is_empty() || opts.deadline.is_some_and(|d| Instant::now() >= d) {
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
                        question_owned: tried.question_owned,
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
                            question_owned: tried.question_owned,
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
            question_owned: 0,
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
            question_owned: last.question_owned,
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
    question_owned: usize,
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
            question_owned: s.question_owned,
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
        question_owned: s.question_owned,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::canned::{self, Canned, Sent};
    use crate::dns::wire::Rejected;
    use crate::dns::Malformed;
    use hickory_proto::op::MessageType;
    use hickory_proto::rr::RecordType;

    const WEB: &str = "web.awx.svc.cluster.local.";

    fn servers() -> [SocketAddr; 2] {
        [
            "127.0.0.1:53".parse().unwrap(),
            "127.0.0.2:53".parse().unwrap(),
        ]
    }

    fn opts(attempts: u32, tcp: bool) -> QueryOptions {
        QueryOptions {
            timeout: Duration::from_millis(100),
            attempts,
            tcp,
            edns: None,
            deadline: None,
        }
    }

    fn web_a() -> Message {
        canned::answer(WEB, RecordType::A, vec![canned::a(WEB, [10, 0, 0, 1])])
    }

    fn ask(
        link: &Canned,
        servers: &[SocketAddr],
        o: &QueryOptions,
        qs: &[(&str, RecordType)],
    ) -> Vec<Exchange> {
        let qs: Vec<Question> = qs
            .iter()
            .map(|(n, t)| Question::new(canned::name(n), *t))
            .collect();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(exchange(link, servers, o, &qs))
    }

    fn path(link: &Canned) -> Vec<(SocketAddr, Transport)> {
        link.sent()
            .into_iter()
            .map(|s: Sent| (s.server, s.transport))
            .collect()
    }

    #[test]
    fn servfail_refused_and_notimp_move_on_to_the_next_server() {
        let [one, two] = servers();
        for rc in [
            ResponseCode::ServFail,
            ResponseCode::Refused,
            ResponseCode::NotImp,
        ] {
            let link = Canned::new()
                .at(
                    one,
                    None,
                    WEB,
                    RecordType::A,
                    Ok(canned::rcode(WEB, RecordType::A, rc)),
                )
                .reply(WEB, RecordType::A, web_a());
            let ex = ask(&link, &[one, two], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
            assert_eq!(ex.server, two, "{rc:?}");
            assert_eq!(ex.message().unwrap().answers.len(), 1);
            assert_eq!(path(&link), [(one, Transport::Udp), (two, Transport::Udp)]);
            assert_eq!(ex.tries.len(), 2);
            assert_eq!(ex.tries[0].outcome, Ok(rc));
        }
    }

    #[test]
    fn nxdomain_and_nodata_are_answers_not_failures() {
        let [one, two] = servers();
        let link = Canned::new().reply(
            WEB,
            RecordType::A,
            canned::rcode(WEB, RecordType::A, ResponseCode::NXDomain),
        );
        let ex = ask(&link, &[one, two], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.rcode(), Some(ResponseCode::NXDomain));
        assert_eq!(path(&link), [(one, Transport::Udp)], "one server is enough");
    }

    #[test]
    fn a_timeout_or_refused_port_moves_on_and_attempts_are_rounds() {
        let [one, two] = servers();
        // Server one is silent (no row); two refuses once, then answers.
        let link = Canned::new().at_any(
            Some(two),
            None,
            WEB,
            RecordType::A,
            vec![Err(Failure::ConnRefused), Ok(web_a())],
        );
        let ex = ask(&link, &[one, two], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.server, two);
        assert!(ex.message().is_some());
        // Round 1: one (timeout), two (refused); round 2: one, two.
        assert_eq!(
            path(&link),
            [
                (one, Transport::Udp),
                (two, Transport::Udp),
                (one, Transport::Udp),
                (two, Transport::Udp)
            ]
        );
        let outcomes: Vec<_> = ex.tries.iter().map(|t| t.outcome.clone()).collect();
        assert_eq!(
            outcomes,
            [
                Err(Failure::Timeout),
                Err(Failure::ConnRefused),
                Err(Failure::Timeout),
                Ok(ResponseCode::NoError)
            ]
        );
    }

    #[test]
    fn when_every_try_fails_the_last_failure_is_the_result() {
        let [one, two] = servers();
        let link = Canned::new()
            .at(one, None, WEB, RecordType::A, Err(Failure::ConnRefused))
            .at(
                two,
                None,
                WEB,
                RecordType::A,
                Ok(canned::rcode(WEB, RecordType::A, ResponseCode::ServFail)),
            );
        let ex = ask(&link, &[one, two], &opts(3, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.tries.len(), 6, "3 rounds over 2 servers");
        assert_eq!(ex.server, two);
        assert_eq!(ex.rcode(), Some(ResponseCode::ServFail));
        let link = Canned::new();
        let ex = ask(&link, &[one], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.result.unwrap_err(), Failure::Timeout);
        assert_eq!(ex.tries.len(), 2, "one try per attempt");
    }

    #[test]
    fn a_truncated_reply_is_asked_again_over_tcp_at_the_same_server() {
        let [one, two] = servers();
        let link = Canned::new()
            .at(
                one,
                Some(Transport::Udp),
                WEB,
                RecordType::A,
                Ok(canned::truncated(WEB, RecordType::A, vec![])),
            )
            .at(one, Some(Transport::Tcp), WEB, RecordType::A, Ok(web_a()));
        let ex = ask(&link, &[one, two], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
        assert!(ex.truncated && ex.retried_tcp && !ex.incomplete);
        assert_eq!((ex.server, ex.transport), (one, Transport::Tcp));
        assert_eq!(ex.message().unwrap().answers.len(), 1);
        assert_eq!(path(&link), [(one, Transport::Udp), (one, Transport::Tcp)]);
        assert!(ex.tries[0].truncated && !ex.tries[1].truncated);
    }

    #[test]
    fn a_reply_truncated_over_tcp_too_is_incomplete() {
        let [one, _] = servers();
        let link = Canned::new().reply(
            WEB,
            RecordType::A,
            canned::truncated(WEB, RecordType::A, vec![canned::a(WEB, [10, 0, 0, 1])]),
        );
        let ex = ask(&link, &[one], &opts(1, false), &[(WEB, RecordType::A)]).remove(0);
        assert!(ex.truncated && ex.retried_tcp && ex.incomplete);
        assert_eq!(
            ex.message().unwrap().answers.len(),
            1,
            "the records that fit"
        );
    }

    #[test]
    fn a_failed_tcp_retry_moves_on_to_the_next_server() {
        let [one, two] = servers();
        let link = Canned::new()
            .at(
                one,
                Some(Transport::Udp),
                WEB,
                RecordType::A,
                Ok(canned::truncated(WEB, RecordType::A, vec![])),
            )
            .at(
                one,
                Some(Transport::Tcp),
                WEB,
                RecordType::A,
                Err(Failure::ConnRefused),
            )
            .reply(WEB, RecordType::A, web_a());
        let ex = ask(&link, &[one, two], &opts(1, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!((ex.server, ex.transport), (two, Transport::Udp));
        assert!(!ex.truncated, "the reply that counts was whole");
        assert_eq!(
            path(&link),
            [
                (one, Transport::Udp),
                (one, Transport::Tcp),
                (two, Transport::Udp)
            ]
        );
    }

    #[test]
    fn tcp_only_never_uses_udp() {
        let [one, two] = servers();
        let link = Canned::new()
            .at(one, None, WEB, RecordType::A, Err(Failure::Timeout))
            .reply(WEB, RecordType::A, web_a());
        let ex = ask(&link, &[one, two], &opts(2, true), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!((ex.server, ex.transport), (two, Transport::Tcp));
        assert!(!ex.retried_tcp);
        assert_eq!(path(&link), [(one, Transport::Tcp), (two, Transport::Tcp)]);
    }

    #[test]
    fn a_reply_that_fails_the_checks_is_malformed_and_the_next_server_is_asked() {
        let [one, two] = servers();
        let mut not_a_reply = web_a();
        not_a_reply.metadata.message_type = MessageType::Query;
        let link = Canned::new()
            .at(one, None, WEB, RecordType::A, Ok(not_a_reply))
            .reply(WEB, RecordType::A, web_a());
        let ex = ask(&link, &[one, two], &opts(1, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.server, two);
        assert_eq!(
            ex.tries[0].outcome,
            Err(Failure::Malformed(Malformed::Rejected(
                Rejected::NotAResponse
            )))
        );
    }

    #[test]
    fn only_the_open_questions_go_to_the_next_server_and_results_keep_their_order() {
        let [one, two] = servers();
        let db = "db.awx.svc.cluster.local.";
        let link = Canned::new()
            .at(
                one,
                None,
                db,
                RecordType::A,
                Ok(canned::rcode(db, RecordType::A, ResponseCode::ServFail)),
            )
            .reply(
                db,
                RecordType::A,
                canned::answer(db, RecordType::A, vec![canned::a(db, [10, 0, 0, 9])]),
            )
            .reply(WEB, RecordType::A, web_a());
        let ex = ask(
            &link,
            &[one, two],
            &opts(2, false),
            &[(db, RecordType::A), (WEB, RecordType::A)],
        );
        assert_eq!((ex[0].server, ex[1].server), (two, one));
        assert_eq!(ex[0].name, canned::name(db));
        let sent = link.sent();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[2].server, two);
        assert_eq!(sent[2].question.name, canned::name(db));
    }

    #[test]
    fn each_exchange_is_handed_over_once_as_soon_as_it_is_final() {
        let [one, two] = servers();
        let db = "db.awx.svc.cluster.local.";
        let link = Canned::new()
            .at(
                one,
                None,
                db,
                RecordType::A,
                Ok(canned::rcode(db, RecordType::A, ResponseCode::ServFail)),
            )
            .reply(WEB, RecordType::A, web_a());
        let qs = [
            Question::new(canned::name(db), RecordType::A),
            Question::new(canned::name(WEB), RecordType::A),
        ];
        let mut order = Vec::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let kept = rt.block_on(exchange_each(
            &link,
            &[one, two],
            &opts(1, false),
            &qs,
            |i, ex| {
                order.push(i);
                ex.message().map_or(0, |m| m.answers.len())
            },
        ));
        // WEB is final after server one; db only when both have failed.
        assert_eq!(order, [1, 0]);
        assert_eq!(kept, [0, 1]);
    }

    #[test]
    fn no_server_and_no_question() {
        let link = Canned::new();
        let ex = ask(&link, &[], &opts(2, false), &[(WEB, RecordType::A)]).remove(0);
        assert_eq!(ex.result.unwrap_err(), Failure::NoServer);
        assert_eq!(Failure::NoServer.kind(), "network");
        assert!(ask(&link, &servers(), &opts(2, false), &[]).is_empty());
        assert!(link.sent().is_empty());
    }
}
