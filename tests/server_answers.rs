//! Answers of the running server for the worked example (docs/cluster-dns.md §7) (rows a zone reproduces),
//! over UDP and TCP.

mod support;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use hsvc_cluster::{serve, Cluster, SharedZone};
use support::dns::*;

async fn example_server() -> hsvc_cluster::RunningServer {
    serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&Cluster::example()),
    )
    .await
    .unwrap()
}

/// (row, qname, qtype, rcode, answer data set, additional data set)
type Row = (
    u8,
    &'static str,
    RecordType,
    ResponseCode,
    Vec<&'static str>,
    Vec<&'static str>,
);

fn table() -> Vec<Row> {
    use RecordType::*;
    use ResponseCode::*;
    let web_srv = vec![
        "0 33 80 web-0.web-headless.awx.svc.cluster.local.",
        "0 33 80 web-1.web-headless.awx.svc.cluster.local.",
        "0 33 80 web-2.web-headless.awx.svc.cluster.local.",
    ];
    let web_a = vec!["10.244.217.10", "10.244.194.67", "10.244.217.11"];
    vec![
        (
            1,
            "web-headless.awx.svc.cluster.local.",
            A,
            NoError,
            web_a.clone(),
            vec![],
        ),
        (
            2,
            "web-headless.awx.svc.cluster.local.",
            AAAA,
            NoError,
            vec![],
            vec![],
        ),
        (
            3,
            "web-1.web-headless.awx.svc.cluster.local.",
            A,
            NoError,
            vec!["10.244.194.67"],
            vec![],
        ),
        (
            4,
            "_nginx-web-headless._tcp.web-headless.awx.svc.cluster.local.",
            SRV,
            NoError,
            web_srv.clone(),
            web_a.clone(),
        ),
        (
            5,
            "web-headless.awx.svc.cluster.local.",
            SRV,
            NoError,
            web_srv,
            web_a,
        ),
        (
            6,
            "_nginx-web-headless._udp.web-headless.awx.svc.cluster.local.",
            SRV,
            NXDomain,
            vec![],
            vec![],
        ),
        (
            7,
            "web-3.web-headless.awx.svc.cluster.local.",
            A,
            NXDomain,
            vec![],
            vec![],
        ),
        (
            8,
            "web-headless.default.svc.cluster.local.",
            A,
            NoError,
            vec!["10.244.194.69", "10.244.194.70", "10.244.217.12"],
            vec![],
        ),
        (
            9,
            "_nginx-web-headless._tcp.web-headless.default.svc.cluster.local.",
            SRV,
            NoError,
            vec![
                "0 33 80 10-244-194-69.web-headless.default.svc.cluster.local.",
                "0 33 80 10-244-194-70.web-headless.default.svc.cluster.local.",
                "0 33 80 10-244-217-12.web-headless.default.svc.cluster.local.",
            ],
            vec!["10.244.194.69", "10.244.194.70", "10.244.217.12"],
        ),
        (
            10,
            "10-244-217-12.web-headless.default.svc.cluster.local.",
            A,
            NoError,
            vec!["10.244.217.12"],
            vec![],
        ),
        (
            11,
            "db.awx.svc.cluster.local.",
            A,
            NoError,
            vec!["10.244.217.13", "10.244.194.71"],
            vec![],
        ),
        (
            11,
            "db.awx.svc.cluster.local.",
            AAAA,
            NoError,
            vec!["fd00:10:244::13", "fd00:10:244::71"],
            vec![],
        ),
        (
            12,
            "_postgres._tcp.db.awx.svc.cluster.local.",
            SRV,
            NoError,
            vec![
                "0 25 5432 db-0.db.awx.svc.cluster.local.",
                "0 25 5432 db-1.db.awx.svc.cluster.local.",
            ],
            vec![
                "10.244.217.13",
                "fd00:10:244::13",
                "10.244.194.71",
                "fd00:10:244::71",
            ],
        ),
        (
            13,
            "db-0.db.awx.svc.cluster.local.",
            SRV,
            NoError,
            vec!["0 50 5432 db-0.db.awx.svc.cluster.local."],
            vec!["10.244.217.13", "fd00:10:244::13"],
        ),
        (
            14,
            "13.217.244.10.in-addr.arpa.",
            PTR,
            NoError,
            vec!["db-0.db.awx.svc.cluster.local."],
            vec![],
        ),
        (
            15,
            "3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa.",
            PTR,
            NoError,
            vec!["db-0.db.awx.svc.cluster.local."],
            vec![],
        ),
        (
            16,
            "69.194.244.10.in-addr.arpa.",
            PTR,
            NoError,
            vec!["10-244-194-69.web-headless.default.svc.cluster.local."],
            vec![],
        ),
        (17, "awx.svc.cluster.local.", A, NoError, vec![], vec![]),
        (
            18,
            "nosuchns.svc.cluster.local.",
            A,
            NXDomain,
            vec![],
            vec![],
        ),
        (
            19,
            "cluster.local.",
            NS,
            NoError,
            vec!["kube-dns.kube-system.svc.cluster.local."],
            vec!["10.96.0.10"],
        ),
        (
            20,
            "dns-version.cluster.local.",
            TXT,
            NoError,
            vec!["\"1.1.0\""],
            vec![],
        ),
        (
            22,
            "*.web-headless.awx.svc.cluster.local.",
            A,
            NXDomain,
            vec![],
            vec![],
        ),
    ]
}

#[tokio::test]
async fn spec_table_over_udp_and_tcp() {
    let srv = example_server().await;
    for (row, name, qtype, rcode, answers, additionals) in table() {
        for (transport, (m, _)) in [
            ("udp", udp(srv.addr, name, qtype, Some(1232)).await),
            ("tcp", tcp(srv.addr, name, qtype, None).await),
        ] {
            let ctx = format!("row {row} {name} {qtype} over {transport}");
            assert_eq!(m.metadata.response_code, rcode, "{ctx}");
            assert!(m.metadata.authoritative, "{ctx}: AA");
            assert!(!m.metadata.recursion_available, "{ctx}: RA");
            assert!(m.metadata.recursion_desired, "{ctx}: RD copied");
            assert!(!m.metadata.truncation, "{ctx}: TC");
            assert_eq!(set(&m.answers), sorted(&answers), "{ctx}: answers");
            assert_eq!(
                set(&m.additionals),
                sorted(&additionals),
                "{ctx}: additionals"
            );
            if answers.is_empty() {
                // NODATA / NXDOMAIN: exactly one SOA of the zone, TTL min(T,300) = 30 (R11.1)
                assert_eq!(m.authorities.len(), 1, "{ctx}: authority");
                let soa = &m.authorities[0];
                assert!(is_soa(soa), "{ctx}");
                assert_eq!(soa.ttl, 30);
                let RData::SOA(s) = &soa.data else {
                    unreachable!()
                };
                assert_eq!(s.minimum, 30);
                assert_eq!(s.serial, 1_767_225_600);
                let zone = if name.ends_with("in-addr.arpa.") {
                    "in-addr.arpa."
                } else {
                    "cluster.local."
                };
                assert_eq!(soa.name.to_ascii(), zone, "{ctx}");
            } else {
                assert!(
                    m.authorities.is_empty(),
                    "{ctx}: no authority on positive answers"
                );
                let ttl = if qtype == RecordType::TXT { 28800 } else { 30 };
                assert!(m.answers.iter().all(|r| r.ttl == ttl), "{ctx}: TTL");
            }
        }
    }
    srv.shutdown().await.unwrap();
}

#[tokio::test]
async fn owner_names_echo_query_case_and_edns_is_echoed() {
    let srv = example_server().await;
    let (m, _) = udp(
        srv.addr,
        "WEB-0.Web-Headless.AWX.svc.cluster.local.",
        RecordType::A,
        Some(1400),
    )
    .await;
    assert_eq!(m.answers.len(), 1);
    assert_eq!(
        m.answers[0].name.to_ascii(),
        "WEB-0.Web-Headless.AWX.svc.cluster.local."
    );
    assert_eq!(m.edns.as_ref().map(|e| e.max_payload()), Some(1400));
    let (m, _) = udp(
        srv.addr,
        "web-0.web-headless.awx.svc.cluster.local.",
        RecordType::A,
        None,
    )
    .await;
    assert!(m.edns.is_none(), "no OPT without EDNS in the query");
}

#[tokio::test]
async fn outside_zones_is_refused_and_any_is_empty() {
    let srv = example_server().await;
    let (m, _) = udp(srv.addr, "example.com.", RecordType::A, None).await;
    assert_eq!(m.metadata.response_code, ResponseCode::Refused);
    assert!(m.answers.is_empty());
    let (m, _) = udp(srv.addr, "db.awx.svc.cluster.local.", RecordType::ANY, None).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert!(
        m.answers.is_empty(),
        "CoreDNS answers ANY with an empty NOERROR (R17.1)"
    );
}

#[tokio::test]
async fn extras_e1_e3_and_pod_records() {
    let srv = example_server().await;
    let (m, _) = udp(
        srv.addr,
        "kube-dns.kube-system.svc.cluster.local.",
        RecordType::SRV,
        None,
    )
    .await;
    assert_eq!(
        set(&m.answers),
        sorted(&[
            "0 33 53 kube-dns.kube-system.svc.cluster.local.",
            "0 33 9153 kube-dns.kube-system.svc.cluster.local."
        ])
    );
    assert_eq!(set(&m.additionals), sorted(&["10.96.0.10"]));
    let (m, _) = udp(
        srv.addr,
        "_postgres._tcp.db.awx.svc.cluster.local.",
        RecordType::AAAA,
        None,
    )
    .await;
    assert_eq!(
        set(&m.answers),
        sorted(&["fd00:10:244::13", "fd00:10:244::71"])
    );
    let (m, _) = udp(
        srv.addr,
        "fd00-10-244--13.awx.pod.cluster.local.",
        RecordType::AAAA,
        None,
    )
    .await;
    assert_eq!(set(&m.answers), sorted(&["fd00:10:244::13"]));
}

#[tokio::test]
async fn coredns_only_nxdomains_and_the_static_zone_variant() {
    use hsvc_cluster::Behaviour;
    let srv = example_server().await;
    let nx = [
        ("_tcp.web-headless.awx.svc.cluster.local.", RecordType::A), // row 21, R7.5
        ("dns-version.cluster.local.", RecordType::A),
        ("dns.cluster.local.", RecordType::A),
        ("ns.dns.cluster.local.", RecordType::TXT),
    ];
    for (name, t) in nx {
        let (m, _) = udp(srv.addr, name, t, None).await;
        assert_eq!(
            m.metadata.response_code,
            ResponseCode::NXDomain,
            "{name} {t}"
        );
        assert!(is_soa(&m.authorities[0]));
    }
    let (m, _) = udp(srv.addr, "ns.dns.cluster.local.", RecordType::A, None).await;
    assert_eq!(set(&m.answers), sorted(&["10.96.0.10"]), "R12.3");
    let (m, _) = udp(srv.addr, "ns.dns.cluster.local.", RecordType::MX, None).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    // BIND/Knot serving the same zone: empty non-terminals and other types are NODATA
    srv.zone.set_behaviour(Behaviour::bind());
    for (name, t) in nx {
        let (m, _) = udp(srv.addr, name, t, None).await;
        assert_eq!(
            m.metadata.response_code,
            ResponseCode::NoError,
            "{name} {t}"
        );
        assert!(m.answers.is_empty());
    }
}
