//! Fault injection, outage switch, runtime mutation and the query log.

mod support;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::RecordType;
use hsvc_cluster::{serve, Cluster, Fault, RunningServer, Service, SharedZone, Transport};
use support::dns::*;

const WEB: &str = "web-headless.awx.svc.cluster.local.";
const DB: &str = "db.awx.svc.cluster.local.";
const SHORT: Duration = Duration::from_millis(400);

async fn example() -> (RunningServer, SharedZone) {
    let zone = SharedZone::from_cluster(&Cluster::example());
    let srv = serve("127.0.0.1:0".parse().unwrap(), zone.clone())
        .await
        .unwrap();
    (srv, zone)
}

#[tokio::test]
async fn drop_never_answers_on_either_transport() {
    let (srv, zone) = example().await;
    zone.set_fault("WEB-headless.awx.svc.cluster.local", Fault::Drop);
    let q = query_bytes(1, WEB, RecordType::A, None);
    assert!(udp_raw(srv.addr, &q, SHORT).await.is_none());
    assert!(tcp_raw(srv.addr, &q, SHORT).await.is_none());
    // other names are unaffected
    let (m, _) = udp(srv.addr, DB, RecordType::A, None).await;
    assert_eq!(m.answers.len(), 2);
    zone.clear_fault(WEB);
    let (m, _) = udp(srv.addr, WEB, RecordType::A, None).await;
    assert_eq!(m.answers.len(), 3);
}

#[tokio::test]
async fn delay_answers_late_without_blocking_others() {
    let (srv, zone) = example().await;
    zone.set_fault(WEB, Fault::Delay(Duration::from_millis(300)));
    let t = Instant::now();
    let slow = tokio::spawn(async move { udp(srv.addr, WEB, RecordType::A, None).await });
    let (fast, _) = udp(srv.addr, DB, RecordType::A, None).await;
    assert_eq!(fast.answers.len(), 2);
    assert!(
        t.elapsed() < Duration::from_millis(250),
        "other queries are not held up"
    );
    let (m, _) = slow.await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(m.answers.len(), 3);
}

#[tokio::test]
async fn servfail_and_refused() {
    let (srv, zone) = example().await;
    zone.set_fault(WEB, Fault::ServFail);
    zone.set_fault(DB, Fault::Refused);
    for (name, rcode) in [(WEB, ResponseCode::ServFail), (DB, ResponseCode::Refused)] {
        let (m, _) = udp(srv.addr, name, RecordType::A, Some(1232)).await;
        assert_eq!(m.metadata.response_code, rcode);
        assert!(m.answers.is_empty());
        let (m, _) = tcp(srv.addr, name, RecordType::A, None).await;
        assert_eq!(m.metadata.response_code, rcode);
    }
}

#[tokio::test]
async fn malformed_reply_has_the_id_but_does_not_parse() {
    let (srv, zone) = example().await;
    zone.set_fault(WEB, Fault::Malformed);
    let q = query_bytes(0xBEEF, WEB, RecordType::A, None);
    for raw in [
        udp_raw(srv.addr, &q, TIMEOUT).await.unwrap(),
        tcp_raw(srv.addr, &q, TIMEOUT).await.unwrap(),
    ] {
        assert_eq!(&raw[..2], &[0xBE, 0xEF]);
        assert!(raw[2] & 0x80 != 0, "QR set");
        assert!(Message::from_vec(&raw).is_err());
    }
}

#[tokio::test]
async fn force_tc_truncates_udp_only() {
    let (srv, zone) = example().await;
    zone.set_fault(WEB, Fault::ForceTc);
    let (m, _) = udp(srv.addr, WEB, RecordType::A, Some(4096)).await;
    assert!(m.metadata.truncation);
    assert!(m.answers.is_empty());
    let (m, _) = tcp(srv.addr, WEB, RecordType::A, None).await;
    assert!(!m.metadata.truncation);
    assert_eq!(m.answers.len(), 3);
}

#[tokio::test]
async fn fault_for_one_type_only() {
    let (srv, zone) = example().await;
    zone.set_fault_for(DB, RecordType::AAAA, Fault::ServFail);
    let (m, _) = udp(srv.addr, DB, RecordType::AAAA, None).await;
    assert_eq!(m.metadata.response_code, ResponseCode::ServFail);
    let (m, _) = udp(srv.addr, DB, RecordType::A, None).await;
    assert_eq!(m.metadata.response_code, ResponseCode::NoError);
    assert_eq!(m.answers.len(), 2);
    zone.clear_faults();
    let (m, _) = udp(srv.addr, DB, RecordType::AAAA, None).await;
    assert_eq!(m.answers.len(), 2);
}

#[tokio::test]
async fn outage_then_recovery() {
    let (srv, zone) = example().await;
    zone.set_drop_all(true);
    let q = query_bytes(2, DB, RecordType::A, None);
    assert!(udp_raw(srv.addr, &q, SHORT).await.is_none());
    assert!(tcp_raw(srv.addr, &q, SHORT).await.is_none());
    zone.set_drop_all(false);
    let (m, _) = udp(srv.addr, DB, RecordType::A, None).await;
    assert_eq!(m.answers.len(), 2);
    assert_eq!(
        zone.queries_for(DB).len(),
        3,
        "queries during the outage are logged too"
    );
}

#[tokio::test]
async fn scaling_is_seen_by_the_next_query() {
    let mut cluster = Cluster::new("cluster.local");
    let base = Ipv4Addr::new(10, 244, 0, 10);
    cluster
        .services
        .push(Service::statefulset("awx", "web", 3, base, ("http", 80)));
    let zone = SharedZone::from_cluster(&cluster);
    let srv = serve("127.0.0.1:0".parse().unwrap(), zone.clone())
        .await
        .unwrap();
    let name = "web.awx.svc.cluster.local.";
    for replicas in [3usize, 6, 2, 0, 1] {
        cluster.services[0] = Service::statefulset("awx", "web", replicas, base, ("http", 80));
        zone.set_cluster(&cluster);
        let (m, _) = udp(srv.addr, name, RecordType::A, None).await;
        assert_eq!(m.answers.len(), replicas);
        let expected = if replicas == 0 {
            ResponseCode::NXDomain
        } else {
            ResponseCode::NoError
        };
        assert_eq!(m.metadata.response_code, expected, "R3.2 for 0 endpoints");
        let (m, _) = tcp(
            srv.addr,
            &format!("_http._tcp.{name}"),
            RecordType::SRV,
            None,
        )
        .await;
        assert_eq!(m.answers.len(), replicas);
    }
}

#[tokio::test]
async fn query_log_shows_tcp_after_tc() {
    let zone = SharedZone::from_cluster(&Cluster::new("cluster.local").with_service(
        Service::deployment("awx", "big", 100, Ipv4Addr::new(10, 1, 0, 0), ("http", 80)),
    ));
    let srv = serve("127.0.0.1:0".parse().unwrap(), zone.clone())
        .await
        .unwrap();
    let name = "big.awx.svc.cluster.local.";
    let (m, _) = udp(srv.addr, name, RecordType::A, None).await;
    assert!(m.metadata.truncation);
    let (m, _) = tcp(
        srv.addr,
        "BIG.awx.svc.cluster.local.",
        RecordType::A,
        Some(1232),
    )
    .await;
    assert_eq!(m.answers.len(), 100);
    let log = zone.query_log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].name, name);
    assert_eq!(log[0].qtype, RecordType::A);
    assert_eq!(
        (log[0].transport, log[0].edns_payload),
        (Transport::Udp, None)
    );
    assert_eq!(log[1].name, name, "logged lower-case");
    assert_eq!(
        (log[1].transport, log[1].edns_payload),
        (Transport::Tcp, Some(1232))
    );
    assert!(log[0].src.ip().is_loopback());
    zone.clear_query_log();
    assert!(zone.query_log().is_empty());
}

#[tokio::test]
async fn garbage_does_not_kill_the_server() {
    let (srv, _zone) = example().await;
    for junk in [&b""[..], b"\x00", b"hello world, not dns", &[0xff; 600][..]] {
        let _ = udp_raw(srv.addr, junk, Duration::from_millis(50)).await;
        let _ = tcp_raw(srv.addr, junk, Duration::from_millis(50)).await;
    }
    // a query with two questions → FORMERR; a NOTIFY opcode → NOTIMP
    let mut two = Message::query();
    two.metadata.id = 5;
    let q = hickory_proto::op::Query::query(
        hickory_proto::rr::Name::from_ascii(DB).unwrap(),
        RecordType::A,
    );
    two.add_query(q.clone()).add_query(q.clone());
    let raw = udp_raw(srv.addr, &two.to_vec().unwrap(), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        Message::from_vec(&raw).unwrap().metadata.response_code,
        ResponseCode::FormErr
    );
    let mut notify = Message::query();
    notify.metadata.op_code = hickory_proto::op::OpCode::Notify;
    notify.add_query(q);
    let raw = udp_raw(srv.addr, &notify.to_vec().unwrap(), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(
        Message::from_vec(&raw).unwrap().metadata.response_code,
        ResponseCode::NotImp
    );
    let (m, _) = udp(srv.addr, DB, RecordType::A, None).await;
    assert_eq!(m.answers.len(), 2);
}
