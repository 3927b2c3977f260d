//! Replies that are well-formed DNS but must not be believed (RFC 1035
//! §4.1, RFC 2181 §5–§8, RFC 2782): a scripted server on loopback answers
//! every question with a crafted reply, the real binary is run against it
//! in every output format, and no data from the bad part of the reply may
//! appear anywhere in its output.

mod support;

use std::net::IpAddr;

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, PTR, SRV};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use support::bin::{Cmd, Run};
use support::hostile::Scripted;
use support::schema::ResolveDoc;

/// `hsvc --server S --resolv-conf /dev/null --timeout 1s --attempts 1 ARGS…`
fn hsvc(s: &Scripted, args: &[&str]) -> Run {
    let server = s.addr.to_string();
    let mut all = vec![
        "--server",
        server.as_str(),
        "--resolv-conf",
        "/dev/null",
        "--timeout",
        "1s",
        "--attempts",
        "1",
    ];
    all.extend_from_slice(args);
    Cmd::new(&all).run()
}

const SVC: &str = "web.awx.svc.cluster.local.";

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

fn a(owner: &str, ip: [u8; 4]) -> Record {
    Record::from_rdata(name(owner), 5, RData::A(A::new(ip[0], ip[1], ip[2], ip[3])))
}

fn srv(owner: &str, target: &str) -> Record {
    Record::from_rdata(
        name(owner),
        5,
        RData::SRV(SRV::new(0, 100, 80, name(target))),
    )
}

fn reply(rcode: ResponseCode) -> Message {
    let mut m = Message::response(0, OpCode::Query);
    m.metadata.authoritative = true;
    m.metadata.response_code = rcode;
    m
}

/// Runs `resolve NAME` in every format; returns (exit code, all output).
fn every_format(s: &Scripted, target: &str) -> Vec<(String, i32, String)> {
    ["table", "wide", "plain", "json"]
        .iter()
        .map(|f| {
            let o = hsvc(s, &["resolve", target, "-o", f]);
            let text = format!("{}{}", o.stdout, o.stderr);
            (f.to_string(), o.code, text)
        })
        .collect()
}

/// The endpoints a run printed: stdout of the text formats, the
/// `endpoints` array of the JSON document (its `warnings` may name what was
/// rejected: reporting it is the point).
fn endpoints_only(
    runs: &[(String, i32, String)],
    s: &Scripted,
    target: &str,
) -> Vec<(String, i32, String)> {
    runs.iter()
        .map(|(format, rc, _)| {
            let o = hsvc(s, &["resolve", target, "-o", format]);
            let out = if format == "json" {
                // Read strictly, searched as the JSON text of the array.
                let _: ResolveDoc = o.json();
                o.value()["endpoints"].to_string()
            } else {
                o.stdout.clone()
            };
            (format.clone(), *rc, out)
        })
        .collect()
}

fn assert_absent(runs: &[(String, i32, String)], bad: &str, code: i32) {
    for (format, rc, text) in runs {
        assert_eq!(*rc, code, "-o {format}: exit code\n{text}");
        assert!(
            !text.contains(bad),
            "-o {format}: {bad} must not appear\n{text}"
        );
    }
}

#[test]
fn nothing_from_an_nxdomain_or_servfail_reply_is_used() {
    for (rcode, code) in [(ResponseCode::NXDomain, 1), (ResponseCode::ServFail, 3)] {
        let s = Scripted::start(Box::new(move |q| {
            let mut m = reply(rcode);
            if q.query_type() == RecordType::A {
                m.answers.push(a(SVC, [10, 66, 6, 6]));
            }
            m
        }));
        assert_absent(&every_format(&s, SVC), "10.66.6.6", code);
    }
}

#[test]
fn only_records_that_answer_the_question_count() {
    let s = Scripted::start(Box::new(|q| {
        let mut m = reply(ResponseCode::NoError);
        match q.query_type() {
            RecordType::A => {
                m.answers.push(a(SVC, [10, 0, 0, 1]));
                // Another owner, an unrelated CNAME + A pair, another class.
                m.answers.push(a("evil.attacker.example.", [10, 66, 6, 1]));
                m.answers.push(Record::from_rdata(
                    name("other.example."),
                    5,
                    RData::CNAME(CNAME(name("evil2.attacker.example."))),
                ));
                m.answers.push(a("evil2.attacker.example.", [10, 66, 6, 2]));
                let mut ch = a(SVC, [10, 66, 6, 3]);
                ch.dns_class = DNSClass::CH;
                m.answers.push(ch);
            }
            RecordType::SRV => {
                m.answers.push(srv(SVC, "web-0.web.awx.svc.cluster.local."));
                m.answers.push(srv(
                    "evil.attacker.example.",
                    "10-66-6-4.web.awx.svc.cluster.local.",
                ));
                m.additionals
                    .push(a("web-0.web.awx.svc.cluster.local.", [10, 0, 0, 1]));
            }
            _ => {}
        }
        m
    }));
    let runs = every_format(&s, SVC);
    for bad in ["10.66.6.1", "10.66.6.2", "10.66.6.3", "10.66.6.4"] {
        assert_absent(&runs, bad, 0);
    }
    let o = hsvc(&s, &["resolve", SVC, "-o", "json"]);
    let doc: ResolveDoc = o.json();
    let eps = &doc.endpoints;
    assert_eq!(eps.len(), 1, "{doc:?}");
    assert_eq!(eps[0].ip, "10.0.0.1");
    assert_eq!(eps[0].hostname.as_deref(), Some("web-0"));
}

#[test]
fn a_cname_chain_is_followed() {
    let s = Scripted::start(Box::new(|q| {
        let mut m = reply(ResponseCode::NoError);
        if q.query_type() == RecordType::A {
            m.answers.push(Record::from_rdata(
                name(SVC),
                5,
                RData::CNAME(CNAME(name("alias.example."))),
            ));
            m.answers.push(a("alias.example.", [10, 0, 0, 7]));
        }
        m
    }));
    let o = hsvc(&s, &["resolve", SVC, "-o", "plain"]);
    assert_eq!(o.code, 0);
    assert_eq!(o.stdout.trim(), "10.0.0.7");
}

#[test]
fn srv_targets_that_are_not_pods_of_the_service_are_not_endpoints() {
    let s = Scripted::start(Box::new(|q| {
        let mut m = reply(ResponseCode::NoError);
        match q.query_type() {
            RecordType::A => m.answers.push(a(SVC, [10, 0, 0, 1])),
            RecordType::SRV => {
                // "." is "no service" (RFC 2782).
                m.answers.push(srv(SVC, "."));
                // Outside the Service: neither its label nor its glue counts.
                m.answers.push(srv(SVC, "6-6-6-6.attacker.example."));
                m.answers.push(srv(SVC, "web-9.attacker.example."));
                m.additionals
                    .push(a("web-9.attacker.example.", [10, 66, 6, 9]));
                // A dashed label that decodes to the unspecified address.
                m.answers
                    .push(srv(SVC, "0-0-0-0.web.awx.svc.cluster.local."));
                // Glue with an address the A answer does not have.
                m.answers.push(srv(SVC, "web-0.web.awx.svc.cluster.local."));
                m.additionals
                    .push(a("web-0.web.awx.svc.cluster.local.", [10, 66, 6, 10]));
            }
            _ => {}
        }
        m
    }));
    let runs = endpoints_only(&every_format(&s, SVC), &s, SVC);
    for bad in ["6.6.6.6", "10.66.6.9", "10.66.6.10", "0.0.0.0"] {
        assert_absent(&runs, bad, 0);
    }
    let o = hsvc(&s, &["resolve", SVC, "-o", "json"]);
    let doc: ResolveDoc = o.json();
    let eps = &doc.endpoints;
    assert_eq!(eps.len(), 1, "{doc:?}");
    assert_ne!(
        eps[0].hostname.as_deref(),
        Some(""),
        "no endpoint from the root target"
    );
    let warnings = doc.warnings.join("\n");
    assert!(warnings.contains("attacker.example"), "{warnings}");
}

#[test]
fn a_ptr_owned_by_another_name_is_ignored() {
    let s = Scripted::start(Box::new(|q| {
        let mut m = reply(ResponseCode::NoError);
        if q.query_type() == RecordType::PTR {
            m.answers.push(Record::from_rdata(
                name("9.9.9.9.in-addr.arpa."),
                5,
                RData::PTR(PTR(name("evil.attacker.example."))),
            ));
        }
        m
    }));
    let runs = every_format(&s, "10.0.0.1");
    assert_absent(&runs, "evil.attacker", 1);
}

#[test]
fn a_ttl_with_the_top_bit_set_counts_as_zero() {
    let s = Scripted::start(Box::new(|q| {
        let mut m = reply(ResponseCode::NoError);
        if q.query_type() == RecordType::A {
            let mut r = a(SVC, [10, 0, 0, 1]);
            r.ttl = u32::MAX;
            m.answers.push(r);
        }
        m
    }));
    let o = hsvc(&s, &["resolve", SVC, "-o", "json"]);
    assert_eq!(o.code, 0);
    let doc: ResolveDoc = o.json();
    assert_eq!(doc.endpoints[0].ttl, 0, "{doc:?}");
    assert_eq!(doc.ttl, Some(0));
    let _: IpAddr = doc.endpoints[0].ip.parse().unwrap();
}

#[test]
fn usage_errors_cannot_drive_the_terminal() {
    for arg in ["\x1b]0;pwned\x07", "a\rb\x07c", "\u{9b}31m"] {
        let o = Cmd::new(&["--timeout", arg, "resolve", "x"]).run();
        assert_eq!(o.code, 2);
        let text = o.stderr;
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c)),
            "{text:?}"
        );
        assert!(text.contains("--timeout"), "{text}");
    }
    for bad in [
        &["--timeout", "300000000000years", "resolve", "x"][..],
        &["watch", "x", "--interval", "18446744073709551615s"],
        &["check", "x", "--http-timeout", "9999999999h"],
    ] {
        let o = Cmd::new(bad).run();
        assert_eq!(o.code, 2, "{bad:?}");
        assert!(o.stderr.contains("at most"));
    }
}
