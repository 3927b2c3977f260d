//! Truncation like CoreDNS (docs/cluster-dns.md §4) and the BIND variant.

mod support;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::RecordType;
use hsvc_cluster::{serve, Behaviour, Cluster, Endpoint, Service, SharedZone};
use support::dns::*;

fn cluster_with(svc: Service) -> Cluster {
    Cluster::new("cluster.local").with_service(svc)
}

fn big(n: usize) -> Service {
    Service::statefulset(
        "awx",
        "web-headless",
        n,
        Ipv4Addr::new(10, 1, 0, 0),
        ("http", 80),
    )
}

const NAME: &str = "web-headless.awx.svc.cluster.local.";

#[tokio::test]
async fn udp_without_edns_gives_partial_rrset_with_tc() {
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&cluster_with(big(100))),
    )
    .await
    .unwrap();
    let (m, len) = udp(srv.addr, NAME, RecordType::A, None).await;
    assert!(m.metadata.truncation);
    assert!(len <= 512, "{len}");
    // docs/cluster-dns.md §4: 12 + 40 (question) + n·16 ≤ 512 → 28 A records
    assert_eq!(m.answers.len(), 28);
    assert!(m.edns.is_none());
}

#[tokio::test]
async fn udp_with_edns_reserves_the_opt_record() {
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&cluster_with(big(100))),
    )
    .await
    .unwrap();
    let (m, len) = udp(srv.addr, NAME, RecordType::A, Some(1232)).await;
    assert!(m.metadata.truncation);
    assert!(len <= 1232, "{len}");
    assert_eq!(
        m.answers.len(),
        73,
        "docs/cluster-dns.md §4: EDNS 1232 without options → 73 A"
    );
    assert_eq!(m.edns.as_ref().map(|e| e.max_payload()), Some(1232));
    // EDNS sizes below 512 count as 512
    let (m, len) = udp(srv.addr, NAME, RecordType::A, Some(100)).await;
    assert!(m.metadata.truncation && len <= 512 && !m.answers.is_empty());
    // A fitting answer is not truncated
    let (m, _) = udp(
        srv.addr,
        "web-headless-0.web-headless.awx.svc.cluster.local.",
        RecordType::A,
        None,
    )
    .await;
    assert!(!m.metadata.truncation);
    assert_eq!(m.answers.len(), 1);
}

#[tokio::test]
async fn tcp_carries_3000_a_records_whole() {
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&cluster_with(big(3000))),
    )
    .await
    .unwrap();
    let (m, len) = tcp(srv.addr, NAME, RecordType::A, None).await;
    assert!(!m.metadata.truncation);
    assert_eq!(m.answers.len(), 3000);
    assert!(len > 40_000, "{len}");
    // SRV targets are never compressed (RFC 2782; miekg packs them as plain domain-name),
    // so 3000 SRV records (~200 KB) are truncated even over TCP, as with CoreDNS.
    let (m, len) = tcp(
        srv.addr,
        &format!("_http._tcp.{NAME}"),
        RecordType::SRV,
        None,
    )
    .await;
    assert!(m.metadata.truncation);
    assert!(len <= 65535 && m.answers.len() > 900 && m.answers.len() < 3000);
}

#[tokio::test]
async fn tcp_over_64k_is_truncated() {
    let eps = (0..3000u128)
        .map(|i| {
            Endpoint::ip(IpAddr::V6(Ipv6Addr::from(
                0xfd00_0000_0000_0000_0000_0000_0001_0000u128 + i,
            )))
        })
        .collect();
    let svc = Service::headless("awx", "web-headless", vec![], eps);
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&cluster_with(svc)),
    )
    .await
    .unwrap();
    let (m, len) = tcp(srv.addr, NAME, RecordType::AAAA, None).await;
    assert!(m.metadata.truncation);
    assert!(len <= 65535);
    assert!(
        m.answers.len() > 2000 && m.answers.len() < 3000,
        "{}",
        m.answers.len()
    );
}

#[tokio::test]
async fn dropped_glue_alone_sets_tc() {
    // 12 SRV answers fit in 1232 bytes, their 12 glue A records do not all fit.
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&cluster_with(big(12))),
    )
    .await
    .unwrap();
    let (m, len) = udp(
        srv.addr,
        &format!("_http._tcp.{NAME}"),
        RecordType::SRV,
        Some(1232),
    )
    .await;
    assert!(len <= 1232);
    assert_eq!(m.answers.len(), 12);
    assert!(m.additionals.len() < 12, "{}", m.additionals.len());
    assert!(m.metadata.truncation);
}

#[tokio::test]
async fn bind_mode_sends_empty_answer_and_omits_glue_above_13() {
    let zone = SharedZone::from_cluster(&cluster_with(big(100)));
    zone.set_behaviour(Behaviour::bind());
    let srv = serve("127.0.0.1:0".parse().unwrap(), zone.clone())
        .await
        .unwrap();
    let (m, _) = udp(srv.addr, NAME, RecordType::A, Some(1232)).await;
    assert!(m.metadata.truncation);
    assert!(m.answers.is_empty() && m.additionals.is_empty());
    let (m, _) = tcp(
        srv.addr,
        &format!("_http._tcp.{NAME}"),
        RecordType::SRV,
        None,
    )
    .await;
    assert_eq!(m.answers.len(), 100);
    assert!(m.additionals.is_empty());
    assert!(!m.metadata.truncation);
    // 13 SRV still get glue
    zone.set_cluster(&cluster_with(big(13)));
    let (m, _) = tcp(
        srv.addr,
        &format!("_http._tcp.{NAME}"),
        RecordType::SRV,
        None,
    )
    .await;
    assert_eq!((m.answers.len(), m.additionals.len()), (13, 13));
}
