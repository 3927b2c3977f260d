//! The real binary against a hostile DNS responder (tests/support/hostile.rs):
//! no reply that is not an answer to the question asked is believed, a
//! stray reply is skipped on every path while the right one is awaited,
//! `--timeout` × `--attempts` bounds the time per server over UDP and TCP,
//! and huge or endless replies do not grow memory.

mod support;

use std::net::Ipv4Addr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{DNSClass, RecordType};
use support::bin::{Cmd, Run};
use support::hostile::*;
use support::schema::ResolveDoc;

const NAME: &str = "web.hostile.svc.cluster.local.";
const GOOD: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// The address only bad replies carry: it must never be printed.
const EVIL: Ipv4Addr = Ipv4Addr::new(10, 66, 6, 6);
const FORMATS: [&str; 4] = ["table", "wide", "plain", "json"];
const SLACK: Duration = Duration::from_millis(500);

/// The right answers: A → GOOD, AAAA and SRV → NODATA.
fn good(q: &Asked) -> Vec<u8> {
    if q.rtype() == RecordType::A {
        ok(q, vec![a(q, GOOD)])
    } else {
        nodata(q)
    }
}

fn evil_a(q: &Asked) -> Vec<hickory_proto::rr::Record> {
    vec![a(q, EVIL)]
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `hsvc --server S… --timeout T --attempts A ARGS… resolve web.hostile -o F`
/// for every output format: the same exit code each time, and EVIL in none.
fn resolve_all_formats(servers: &[&Hostile], t: &str, attempts: &str, extra: &[&str]) -> Vec<Run> {
    FORMATS
        .iter()
        .map(|fmt| {
            let r = resolve(servers, t, attempts, extra, fmt);
            let evil = EVIL.to_string();
            assert!(
                !r.stdout.contains(&evil) && !r.stderr.contains(&evil),
                "data from a bad reply was printed ({fmt}): {r:?}"
            );
            r
        })
        .collect()
}

fn resolve(servers: &[&Hostile], t: &str, attempts: &str, extra: &[&str], fmt: &str) -> Run {
    let addrs: Vec<String> = servers.iter().map(|s| s.addr.to_string()).collect();
    let mut args: Vec<&str> = Vec::new();
    for a in &addrs {
        args.extend(["--server", a]);
    }
    args.extend(["--timeout", t, "--attempts", attempts]);
    args.extend(extra);
    args.extend(["resolve", "web.hostile", "-o", fmt]);
    Cmd::new(&args).measure_rss().run()
}

fn assert_good(runs: &[Run], bound: Duration) {
    for r in runs {
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains(&GOOD.to_string()), "{r:?}");
        assert!(
            r.elapsed <= bound,
            "took {:?} > {bound:?}: {r:?}",
            r.elapsed
        );
    }
    let doc: ResolveDoc = runs[3].json();
    assert_eq!(doc.status, "ok");
    assert_eq!(doc.endpoints.len(), 1, "{doc:?}");
}

fn assert_failed(runs: &[Run], kind: &str, bound: Duration) {
    for r in runs {
        assert_eq!(r.code, 3, "{r:?}");
        assert!(
            r.elapsed <= bound,
            "took {:?} > {bound:?}: {r:?}",
            r.elapsed
        );
    }
    let doc: ResolveDoc = runs[3].json();
    assert_eq!(doc.status, "error", "{doc:?}");
    assert_eq!(
        doc.error.as_ref().map(|e| e.kind.as_str()),
        Some(kind),
        "{doc:?}"
    );
    assert!(doc.endpoints.is_empty(), "{doc:?}");
}

/// A responder whose UDP A reply is `bad` alone, or `bad` then (50 ms
/// later) the right one.
fn bad_a(bad: fn(&Asked) -> Vec<u8>, then_good: bool) -> Hostile {
    Hostile::start(TcpMode::Serve, move |q| {
        if q.rtype() != RecordType::A {
            return vec![Act::Send(good(q))];
        }
        let mut acts = vec![Act::Send(bad(q))];
        if then_good {
            acts.extend([Act::Sleep(ms(50)), Act::Send(good(q))]);
        }
        acts
    })
}

/// Each class of bad reply: alone it is no answer (exit 3, malformed,
/// within timeout × attempts); before the right one it is skipped.
fn bad_reply_class(bad: fn(&Asked) -> Vec<u8>) {
    let alone = bad_a(bad, false);
    let runs = resolve_all_formats(&[&alone], "300ms", "2", &[]);
    assert_failed(&runs, "malformed", ms(600) + SLACK);
    let doc: ResolveDoc = runs[3].json();
    assert!(
        doc.error.as_ref().unwrap().message.contains("malformed"),
        "{doc:?}"
    );
    let then_good = bad_a(bad, true);
    assert_good(
        &resolve_all_formats(&[&then_good], "1s", "1", &[]),
        ms(1000),
    );
}

#[test]
fn a_qr0_message_is_not_a_reply() {
    bad_reply_class(|q| qr0(ok(q, evil_a(q))));
}

#[test]
fn an_opcode_5_reply_is_not_an_answer() {
    bad_reply_class(|q| opcode(ok(q, evil_a(q)), 5));
}

#[test]
fn a_reply_for_another_name_is_not_an_answer() {
    bad_reply_class(|q| {
        let other = name("db.hostile.svc.cluster.local.");
        let rr = vec![hickory_proto::rr::Record::from_rdata(
            other.clone(),
            30,
            hickory_proto::rr::RData::A(hickory_proto::rr::rdata::A(EVIL)),
        )];
        for_question(q, &other, RecordType::A, DNSClass::IN, rr)
    });
}

#[test]
fn a_reply_for_another_type_is_not_an_answer() {
    bad_reply_class(|q| for_question(q, q.name(), RecordType::TXT, DNSClass::IN, evil_a(q)));
}

#[test]
fn a_reply_in_class_ch_is_not_an_answer() {
    bad_reply_class(|q| for_question(q, q.name(), RecordType::A, DNSClass::CH, evil_a(q)));
}

#[test]
fn an_error_rcode_carries_no_data() {
    // SERVFAIL with an address: a failure, and the address is not used.
    let s = Hostile::start(TcpMode::Serve, |q| {
        if q.rtype() != RecordType::A {
            return vec![Act::Send(good(q))];
        }
        vec![Act::Send(bytes(&reply(
            q,
            ResponseCode::ServFail,
            evil_a(q),
        )))]
    });
    let runs = resolve_all_formats(&[&s], "300ms", "1", &[]);
    assert_failed(&runs, "servfail", ms(300) + SLACK);
}

#[test]
fn a_stray_id_before_the_reply_is_skipped() {
    let s = Hostile::start(TcpMode::Serve, |q| {
        if q.rtype() != RecordType::A {
            return vec![Act::Send(good(q))];
        }
        vec![
            Act::Send(with_id(ok(q, evil_a(q)), q.id().wrapping_add(1))),
            Act::Sleep(ms(50)),
            Act::Send(good(q)),
        ]
    });
    assert_good(&resolve_all_formats(&[&s], "1s", "1", &[]), ms(1000));
}

/// TCP answers: strays (another ID, another question, a QR=0 copy), then
/// the right reply 50 ms later.
fn strays_then_good_over_tcp(q: &Asked) -> Vec<Act> {
    if q.via == Via::Udp {
        // UDP: truncated, so the client must come back over TCP.
        return vec![Act::Send(truncated(q))];
    }
    vec![
        Act::Send(with_id(ok(q, evil_a(q)), q.id().wrapping_add(7))),
        Act::Send(for_question(
            q,
            q.name(),
            RecordType::TXT,
            DNSClass::IN,
            evil_a(q),
        )),
        Act::Send(qr0(ok(q, evil_a(q)))),
        Act::Sleep(ms(50)),
        Act::Send(good(q)),
    ]
}

#[test]
fn the_tc_retry_over_tcp_skips_strays() {
    let s = Hostile::start(TcpMode::Serve, strays_then_good_over_tcp);
    let runs = resolve_all_formats(&[&s], "1s", "1", &[]);
    assert_good(&runs, ms(1000));
    let doc: ResolveDoc = runs[3].json();
    assert!(doc.truncated, "{doc:?}");
    assert!(doc.retried_tcp, "{doc:?}");
}

#[test]
fn tcp_only_skips_strays() {
    let s = Hostile::start(TcpMode::Serve, strays_then_good_over_tcp);
    let runs = resolve_all_formats(&[&s], "1s", "1", &["--tcp"]);
    assert_good(&runs, ms(1000));
    assert!(s.asked(Via::Udp).is_empty(), "--tcp sends nothing over UDP");
}

#[test]
fn the_fallback_server_skips_strays() {
    let servfail = Hostile::start(TcpMode::Serve, |q| {
        vec![Act::Send(rcode(q, ResponseCode::ServFail))]
    });
    let silent = Hostile::start(TcpMode::Silent, |_| Vec::new());
    let strays = |q: &Asked| {
        vec![
            Act::Send(with_id(ok(q, evil_a(q)), q.id() ^ 0x5555)),
            Act::Send(opcode(ok(q, evil_a(q)), 4)),
            Act::Sleep(ms(50)),
            Act::Send(good(q)),
        ]
    };
    for first in [&servfail, &silent] {
        let second = Hostile::start(TcpMode::Serve, strays);
        let runs = resolve_all_formats(&[first, &second], "400ms", "1", &[]);
        assert_good(&runs, ms(400) + ms(400) + SLACK);
        assert_eq!(
            runs[3].json::<ResolveDoc>().server,
            Some(second.addr.to_string())
        );
    }
}

#[test]
fn a_silent_udp_server_costs_timeout_times_attempts() {
    let s = Hostile::start(TcpMode::Serve, |_| Vec::new());
    for (attempts, bound) in [("1", ms(300)), ("2", ms(600)), ("3", ms(900))] {
        let r = resolve(&[&s], "300ms", attempts, &[], "json");
        assert_eq!(r.code, 3, "{r:?}");
        assert_eq!(r.json::<ResolveDoc>().error.unwrap().kind, "timeout");
        assert!(r.elapsed >= bound, "every attempt is made: {r:?}");
        assert!(r.elapsed <= bound + SLACK, "{r:?}");
    }
}

#[test]
fn a_tcp_listener_that_never_accepts_costs_timeout_times_attempts() {
    let s = Hostile::start(TcpMode::NeverAccept, |_| Vec::new());
    for (attempts, bound) in [("1", ms(300)), ("2", ms(600))] {
        let r = resolve(&[&s], "300ms", attempts, &["--tcp"], "json");
        assert_eq!(r.code, 3, "{r:?}");
        assert_eq!(r.json::<ResolveDoc>().error.unwrap().kind, "timeout");
        assert!(r.elapsed <= bound + SLACK, "{r:?}");
    }
    // The same after TC over UDP: the TCP retry is part of the UDP try.
    let tc = Hostile::start(TcpMode::NeverAccept, |q| vec![Act::Send(truncated(q))]);
    let r = resolve(&[&tc], "300ms", "2", &[], "json");
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.elapsed <= ms(600) + SLACK, "{r:?}");
}

#[test]
fn a_tcp_listener_with_a_full_accept_queue_costs_timeout_times_attempts() {
    // Connecting hangs (the SYN is dropped): the connect is part of the try.
    let s = Hostile::start(TcpMode::Full, |_| Vec::new());
    for (attempts, bound) in [("1", ms(300)), ("2", ms(600))] {
        let r = resolve(&[&s], "300ms", attempts, &["--tcp"], "json");
        assert_eq!(r.code, 3, "{r:?}");
        assert_eq!(r.json::<ResolveDoc>().error.unwrap().kind, "timeout");
        assert!(r.elapsed <= bound + SLACK, "{r:?}");
    }
    let tc = Hostile::start(TcpMode::Full, |q| vec![Act::Send(truncated(q))]);
    let r = resolve(&[&tc], "300ms", "1", &[], "json");
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.elapsed <= ms(300) + SLACK, "{r:?}");
}

#[test]
fn a_tcp_server_that_never_answers_costs_timeout_times_attempts_on_one_connection() {
    let s = Hostile::start(TcpMode::Silent, |_| Vec::new());
    let r = resolve(&[&s], "1s", "2", &["--tcp"], "json");
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.json::<ResolveDoc>().error.unwrap().kind, "timeout");
    assert!(r.elapsed >= ms(2000), "both attempts: {r:?}");
    assert!(r.elapsed <= ms(2000) + SLACK, "{r:?}");
    assert_eq!(
        s.connections.load(Ordering::SeqCst),
        1,
        "one connection per command"
    );
    // Both tries of each question went over that one connection.
    let a = s
        .asked(Via::Tcp)
        .iter()
        .filter(|q| q.rtype() == RecordType::A)
        .count();
    assert_eq!(a, 2);
}

#[test]
fn tcp_opens_one_connection_per_command() {
    // SRV without glue: the targets are asked in a second batch, over the
    // same connection; no empty connection is opened for anything.
    let s = Hostile::start(TcpMode::Serve, |q| {
        let reply = match q.rtype() {
            RecordType::SRV => ok(
                q,
                (0..3)
                    .map(|i| srv(q.name(), 8080, &format!("web-{i}.{NAME}")))
                    .collect(),
            ),
            RecordType::A if q.name().num_labels() == 6 => {
                let i = q.name().iter().next().unwrap()[4] - b'0';
                ok(q, vec![a(q, Ipv4Addr::new(10, 0, 0, 1 + i))])
            }
            RecordType::A => ok(
                q,
                (1..=3).map(|i| a(q, Ipv4Addr::new(10, 0, 0, i))).collect(),
            ),
            _ => nodata(q),
        };
        vec![Act::Send(reply)]
    });
    let r = resolve(&[&s], "1s", "2", &["--tcp"], "json");
    assert_eq!(r.code, 0, "{r:?}");
    let doc: ResolveDoc = r.json();
    assert_eq!(doc.endpoints.len(), 3, "{doc:?}");
    assert!(
        s.asked(Via::Tcp).iter().any(|q| q.name().num_labels() == 6),
        "the targets were asked"
    );
    assert_eq!(s.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn a_tcp_frame_cut_short_is_malformed() {
    // The length says 300 bytes; 20 come, then the server closes.
    let cut = Hostile::start(TcpMode::Serve, |q| {
        if q.via == Via::Udp {
            return vec![Act::Send(truncated(q))];
        }
        let mut raw = vec![0x01, 0x2c];
        raw.extend_from_slice(&good(q)[..20]);
        vec![Act::Raw(raw), Act::Close]
    });
    let runs = resolve_all_formats(&[&cut], "1s", "1", &[]);
    assert_failed(&runs, "malformed", ms(1000));
    // ... or the rest never comes: a timeout, within the bound.
    let stall = Hostile::start(TcpMode::Serve, |q| {
        let mut raw = vec![0x01, 0x2c];
        raw.extend_from_slice(&good(q)[..20]);
        vec![Act::Raw(raw)]
    });
    let runs = resolve_all_formats(&[&stall], "300ms", "2", &["--tcp"]);
    assert_failed(&runs, "timeout", ms(600) + SLACK);
}

/// Peak RSS a resolve may reach, whatever the replies: well above what
/// the binary needs (some 10 MiB), far below what keeping the raw
/// replies would take.
const RSS_BOUND_KIB: i64 = 64 * 1024;

#[test]
fn huge_stray_replies_are_dropped_at_once() {
    // 300 frames of 64 KiB (20 MB in all) with another ID, and as many
    // datagrams of 62 KB, before the answer: each is read into the one
    // buffer and dropped.
    let owner = name(NAME);
    let big = Arc::new(bytes(&{
        let mut m = hickory_proto::op::Message::new(
            0,
            hickory_proto::op::MessageType::Response,
            hickory_proto::op::OpCode::Query,
        );
        m.answers = many_a(&owner, 62_000);
        m
    }));
    for via in [Via::Udp, Via::Tcp] {
        let big = big.clone();
        let s = Hostile::start(TcpMode::Serve, move |q| {
            if q.via != via && via == Via::Tcp {
                return vec![Act::Send(truncated(q))];
            }
            let mut acts: Vec<Act> = (0..300u16)
                .map(|i| Act::Send(with_id(big.to_vec(), q.id().wrapping_add(1 + i))))
                .collect();
            acts.push(Act::Send(good(q)));
            acts
        });
        let r = resolve(&[&s], "5s", "1", &[], "json");
        assert_eq!(r.code, 0, "{via:?}: {r:?}");
        assert_eq!(r.json::<ResolveDoc>().endpoints.len(), 1);
        let rss = r.max_rss_kib.expect("measured");
        assert!(rss < RSS_BOUND_KIB, "{via:?}: {rss} KiB");
    }
}

/// `n` SRV targets without glue, each answering A over TCP (after TC on
/// UDP) with some 4,000 records in a 64 KiB frame.
fn huge_targets(n: usize) -> Hostile {
    // 4,000 records: 64,000 bytes, and the header and question still fit.
    let block = Arc::new(a_block(4000));
    Hostile::start(TcpMode::Serve, move |q| {
        let reply = match q.rtype() {
            RecordType::SRV => ok(
                q,
                (0..n)
                    .map(|i| srv(q.name(), 8080, &format!("t{i}.{NAME}")))
                    .collect(),
            ),
            RecordType::A if q.name().num_labels() == 6 => match q.via {
                Via::Udp => truncated(q),
                Via::Tcp => ok_with_a_block(q, &block),
            },
            RecordType::A => ok(q, vec![a(q, GOOD)]),
            _ => nodata(q),
        };
        vec![Act::Send(reply)]
    })
}

#[test]
fn huge_answers_to_a_few_targets_stay_within_bounds() {
    let s = huge_targets(20);
    let r = resolve(&[&s], "10s", "1", &[], "json");
    assert_eq!(r.code, 0, "{r:?}");
    let rss = r.max_rss_kib.expect("measured");
    assert!(rss < RSS_BOUND_KIB, "{rss} KiB");
}

/// Near the case (2,600 targets × 64 KiB; 1,000 SRV records with
/// uncompressed targets are what fits one 64 KiB reply): 1,000 targets
/// each answering with 4,000 A records in a 64 KiB frame. The engine reads
/// each frame into one bounded buffer and drops the bytes once decoded,
/// and lookup.rs kept every decoded reply of the target batch until the
/// join: about 1.07 MiB a target in a debug build (436 MiB at 400 targets,
/// measured) before the target lookups kept only
/// what the join needs as each reply arrives (`dns::exchange_each`).
/// It now does (addresses the Service's own answer lacks are dropped as
/// each reply is decoded); decoding 4 million records takes over a minute
/// in a debug build, so this runs on demand:
/// `cargo test --release --test hostile -- --ignored`.
#[test]
#[ignore = "decodes 4 million records: over 60 s in a debug build; run with --release -- --ignored"]
fn huge_answers_to_a_thousand_targets_stay_within_bounds() {
    let s = huge_targets(1000);
    let r = resolve(&[&s], "120s", "1", &[], "json");
    assert_eq!(r.code, 0, "{r:?}");
    let rss = r.max_rss_kib.expect("measured");
    assert!(rss < 4 * RSS_BOUND_KIB, "{rss} KiB");
}

/// 150 targets × 4,000 A records: before the target lookups kept only what
/// the join needs, this held about 160 MiB (1.07 MiB a target, debug).
#[test]
fn huge_answers_to_many_targets_are_not_all_held() {
    let s = huge_targets(150);
    let r = resolve(&[&s], "60s", "1", &[], "json");
    assert_eq!(r.code, 0, "{r:?}");
    let rss = r.max_rss_kib.expect("measured");
    assert!(rss < RSS_BOUND_KIB, "{rss} KiB");
    // The addresses the Service's answer lacks are reported, not joined.
    let doc = r.json::<ResolveDoc>();
    assert_eq!(doc.endpoints.len(), 1, "{r:?}");
}

/// 2,561 SRV targets without glue whose lookups the server drops: the
/// whole resolution stays within its deadline (the name's own questions
/// and the target lookups, `timeout` × `attempts` each) instead of
/// windows × timeout × attempts (162 s with the defaults before).
#[test]
fn dropped_target_lookups_end_at_the_deadline() {
    let s = Hostile::start(TcpMode::Serve, move |q| match q.rtype() {
        RecordType::SRV => vec![Act::Send(ok(
            q,
            (0..2561)
                .map(|i| srv(q.name(), 8080, &format!("t{i}.{NAME}")))
                .collect(),
        ))],
        RecordType::A if q.name().num_labels() == 6 => Vec::new(),
        RecordType::A => vec![Act::Send(ok(q, vec![a(q, GOOD)]))],
        _ => vec![Act::Send(nodata(q))],
    });
    let r = resolve(&[&s], "1s", "2", &[], "json");
    // Two batches of 1 s × 2 attempts on one server, plus start-up.
    let bound = Duration::from_millis(4_000 + 1_500);
    assert!(r.elapsed <= bound, "took {:?} > {bound:?}", r.elapsed);
    assert_eq!(r.code, 3, "the lookups timed out: {r:?}");
}
