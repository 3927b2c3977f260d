//! The lookup rules over canned replies ([`dns::canned`]): glue, target
//! lookups, failover, TC→TCP and the search walk, with every question that
//! was sent on record.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;

use super::*;
use crate::dns::canned::{self, Canned};
use crate::name::{Context, Fqdn, LibcConf, LibcEnv, ResolverRules, SearchWalk, Target};

const WEB: &str = "web.awx.svc.cluster.local.";
const POD0: &str = "web-0.web.awx.svc.cluster.local.";
const POD1: &str = "web-1.web.awx.svc.cluster.local.";

fn servers() -> [SocketAddr; 2] {
    [
        "127.0.0.1:53".parse().unwrap(),
        "127.0.0.2:53".parse().unwrap(),
    ]
}

fn resolver(link: Canned, servers: &[SocketAddr]) -> Resolver<Canned> {
    Resolver {
        servers: servers.to_vec(),
        opts: QueryOptions {
            timeout: Duration::from_millis(100),
            attempts: 2,
            tcp: false,
            edns: None,
            deadline: None,
        },
        link,
    }
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn resolve(r: &Resolver<Canned>, input: &str) -> Answer {
    let target = Target::parse(input, &Context::new(None, None, &[])).unwrap();
    run(r.resolve(target, &PortQuery::default()))
}

/// A StatefulSet's answers: A and SRV for two pods, no AAAA.
fn statefulset(glue: bool) -> Canned {
    let mut srv = canned::answer(
        WEB,
        RecordType::SRV,
        vec![canned::srv(WEB, 8080, POD0), canned::srv(WEB, 8080, POD1)],
    );
    if glue {
        srv.additionals = vec![
            canned::a(POD0, [10, 0, 0, 1]),
            canned::a(POD1, [10, 0, 0, 2]),
        ];
    }
    Canned::new()
        .reply(
            WEB,
            RecordType::A,
            canned::answer(
                WEB,
                RecordType::A,
                vec![canned::a(WEB, [10, 0, 0, 1]), canned::a(WEB, [10, 0, 0, 2])],
            ),
        )
        .reply(
            WEB,
            RecordType::AAAA,
            canned::answer(WEB, RecordType::AAAA, vec![]),
        )
        .reply(WEB, RecordType::SRV, srv)
}

fn pods(link: Canned) -> Canned {
    link.reply(
        POD0,
        RecordType::A,
        canned::answer(POD0, RecordType::A, vec![canned::a(POD0, [10, 0, 0, 1])]),
    )
    .reply(
        POD1,
        RecordType::A,
        canned::answer(POD1, RecordType::A, vec![canned::a(POD1, [10, 0, 0, 2])]),
    )
}

fn hostnames(res: &Answer) -> Vec<(String, Option<String>, Vec<u16>)> {
    res.endpoints
        .iter()
        .map(|e| {
            (
                e.ip.to_string(),
                e.hostname.clone(),
                e.ports.iter().map(|p| p.port).collect(),
            )
        })
        .collect()
}

fn asked_names(r: &Resolver<Canned>) -> Vec<(String, RecordType)> {
    r.link
        .sent()
        .into_iter()
        .map(|s| (s.question.name.to_string(), s.question.rtype))
        .collect()
}

#[test]
fn glue_is_used_when_present() {
    let r = resolver(statefulset(true), &servers()[..1]);
    let res = resolve(&r, "web.awx");
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(
        hostnames(&res),
        [
            ("10.0.0.1".into(), Some("web-0".into()), vec![8080]),
            ("10.0.0.2".into(), Some("web-1".into()), vec![8080]),
        ]
    );
    let asked = asked_names(&r);
    assert_eq!(asked.len(), 3, "A, AAAA and SRV only: {asked:?}");
    assert!(asked.iter().all(|(n, _)| n == WEB));
}

#[test]
fn targets_are_looked_up_when_the_glue_is_missing() {
    let r = resolver(pods(statefulset(false)), &servers()[..1]);
    let res = resolve(&r, "web.awx");
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(hostnames(&res).len(), 2);
    assert_eq!(hostnames(&res)[1].1.as_deref(), Some("web-1"));
    let asked = asked_names(&r);
    // Only the family the Service has (A) is asked of its targets.
    assert!(asked.contains(&(POD0.into(), RecordType::A)), "{asked:?}");
    assert!(asked.contains(&(POD1.into(), RecordType::A)), "{asked:?}");
    assert!(!asked
        .iter()
        .any(|(n, t)| n != WEB && *t == RecordType::AAAA));
    let targets: Vec<_> = res.trace.iter().filter(|q| q.purpose == "target").collect();
    assert_eq!(targets.len(), 2);
}

#[test]
fn a_target_that_fails_is_the_resolution_error() {
    let link = statefulset(false).reply(
        POD0,
        RecordType::A,
        canned::answer(POD0, RecordType::A, vec![canned::a(POD0, [10, 0, 0, 1])]),
    );
    // POD1 has no row: it times out on both tries.
    let r = resolver(link, &servers()[..1]);
    let res = resolve(&r, "web.awx");
    assert_eq!(res.status(), Status::Error);
    let e = res.error().unwrap();
    assert_eq!(e.kind_str(), "timeout");
    assert!(e.question.contains(POD1), "{e}");
}

#[test]
fn servfail_and_timeouts_fail_over_to_the_second_server() {
    let [one, two] = servers();
    for bad in [
        Ok(canned::rcode(WEB, RecordType::A, ResponseCode::ServFail)),
        Err(dns::Failure::Timeout),
    ] {
        let link = statefulset(true)
            .at(one, None, WEB, RecordType::A, bad.clone())
            .at(
                one,
                None,
                WEB,
                RecordType::AAAA,
                bad.clone().map(|mut m| {
                    m.queries[0].set_query_type(RecordType::AAAA);
                    m
                }),
            )
            .at(
                one,
                None,
                WEB,
                RecordType::SRV,
                bad.map(|mut m| {
                    m.queries[0].set_query_type(RecordType::SRV);
                    m
                }),
            );
        let r = resolver(link, &[one, two]);
        let res = resolve(&r, "web.awx");
        assert_eq!(res.status(), Status::Ok, "{:?}", res.error());
        assert_eq!(res.via.server, two);
        assert_eq!(res.endpoints.len(), 2);
        // Each question: one try at each server, both recorded.
        assert_eq!(res.trace.len(), 6);
    }
}

#[test]
fn a_truncated_reply_is_retried_over_tcp() {
    let [one, _] = servers();
    let whole = canned::answer(
        WEB,
        RecordType::SRV,
        vec![canned::srv(WEB, 8080, POD0), canned::srv(WEB, 8080, POD1)],
    );
    let link = pods(statefulset(false))
        .at(
            one,
            Some(dns::Transport::Udp),
            WEB,
            RecordType::SRV,
            Ok(canned::truncated(WEB, RecordType::SRV, vec![])),
        )
        .at(
            one,
            Some(dns::Transport::Tcp),
            WEB,
            RecordType::SRV,
            Ok(whole),
        );
    let r = resolver(link, &[one]);
    let res = resolve(&r, "web.awx");
    assert_eq!(res.status(), Status::Ok);
    assert!(res.truncated && res.retried_tcp && res.complete);
    assert_eq!(hostnames(&res).len(), 2);
    let srv: Vec<_> = res.trace.iter().filter(|q| q.purpose == "srv").collect();
    assert_eq!(srv.len(), 2);
    assert!(srv[0].truncated);
    assert_eq!(srv[1].transport, dns::Transport::Tcp);
}

#[test]
fn the_search_walk_goes_on_after_nxdomain_and_stops_at_an_answer() {
    let other = "web.awx.other.svc.cluster.local.";
    let link = statefulset(true)
        .reply(
            other,
            RecordType::A,
            canned::rcode(other, RecordType::A, ResponseCode::NXDomain),
        )
        .reply(
            other,
            RecordType::AAAA,
            canned::rcode(other, RecordType::AAAA, ResponseCode::NXDomain),
        );
    let r = resolver(link, &servers()[..1]);
    let search: Vec<Fqdn> = [
        "other.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
    ]
    .iter()
    .map(|s| Fqdn::parse(s).unwrap())
    .collect();
    let ctx = Context::new(None, None, &search);
    let conf = LibcConf::read(
        "search other.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
        ResolverRules::Glibc,
        &LibcEnv::default(),
    );
    let walk = SearchWalk::plan("web.awx", &conf).unwrap();
    let res = run(r.resolve_search("web.awx", &walk, &ctx, &PortQuery::default()));
    assert_eq!(res.status(), Status::Ok);
    let report = res.search.as_ref().unwrap();
    let steps: Vec<_> = report
        .steps
        .iter()
        .map(|s| (s.candidate.as_str(), s.result))
        .collect();
    assert_eq!(
        steps,
        [
            ("web.awx.other.svc.cluster.local.", "nxdomain"),
            ("web.awx.svc.cluster.local.", "answer")
        ]
    );
    assert_eq!(res.endpoints.len(), 2);
    // The walk's A and AAAA at the found name are not asked twice.
    let asked = asked_names(&r);
    assert_eq!(
        asked
            .iter()
            .filter(|(n, t)| n == WEB && *t == RecordType::A)
            .count(),
        1
    );
}

#[test]
fn the_search_walk_stops_on_a_failure_under_musl() {
    let other = "web.awx.other.svc.cluster.local.";
    let link = statefulset(true).reply(
        other,
        RecordType::A,
        canned::rcode(other, RecordType::A, ResponseCode::ServFail),
    );
    let r = resolver(link, &servers()[..1]);
    let search = vec![
        Fqdn::parse("other.svc.cluster.local").unwrap(),
        Fqdn::parse("svc.cluster.local").unwrap(),
    ];
    let ctx = Context::new(None, None, &search);
    let conf = LibcConf::read(
        "search other.svc.cluster.local svc.cluster.local\noptions ndots:5\n",
        ResolverRules::Musl,
        &LibcEnv::default(),
    );
    let walk = SearchWalk::plan("web.awx", &conf).unwrap();
    let res = run(r.resolve_search("web.awx", &walk, &ctx, &PortQuery::default()));
    assert_eq!(res.status(), Status::Error);
    assert_eq!(
        res.search.as_ref().unwrap().steps.len(),
        1,
        "musl stops on the failure"
    );
    assert!(!asked_names(&r).iter().any(|(n, _)| n == WEB));
}
