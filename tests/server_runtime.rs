//! Background servers: parallel instances, 127.x addresses, clean shutdown.

mod support;

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RecordType};
use hsvc_cluster::{serve, spawn_background, Cluster, SharedZone};
use support::dns::blocking_udp_raw;

/// `name A` (id 77, no RD), from a plain blocking socket.
fn blocking_udp_query(server: SocketAddr, name: &str) -> Option<Message> {
    let mut m = Message::query();
    m.metadata.id = 77;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), RecordType::A));
    let raw = blocking_udp_raw(server, &m.to_vec().unwrap(), Duration::from_secs(2))?;
    Message::from_vec(&raw).ok()
}

#[test]
fn many_background_servers_in_parallel_and_clean_shutdown() {
    let listen = [
        "127.0.0.1:0",
        "127.0.0.2:0",
        "127.0.0.1:0",
        "127.0.0.3:0",
        "127.0.0.1:0",
        "127.0.0.1:0",
    ];
    let servers: Vec<_> = listen
        .iter()
        .map(|a| {
            spawn_background(
                a.parse().unwrap(),
                SharedZone::from_cluster(&Cluster::example()),
            )
            .unwrap()
        })
        .collect();
    for s in &servers {
        assert!(s.addr.ip().is_loopback() && s.addr.port() != 0);
        let m = blocking_udp_query(s.addr, "db.awx.svc.cluster.local.").expect("answer");
        assert_eq!(m.answers.len(), 2);
        TcpStream::connect(s.addr).expect("TCP on the same port");
    }
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let t = Instant::now();
    drop(servers);
    assert!(t.elapsed() < Duration::from_secs(2), "shutdown is prompt");
    for a in addrs {
        assert!(TcpStream::connect(a).is_err(), "{a} closed after drop");
    }
}

#[test]
fn explicit_shutdown_with_open_connection() {
    let srv = spawn_background(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&Cluster::example()),
    )
    .unwrap();
    let addr = srv.addr;
    let _idle = TcpStream::connect(addr).unwrap(); // an idle client must not keep it alive
    srv.shutdown();
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn fixed_port_in_use_is_an_error() {
    let a = spawn_background("127.0.0.1:0".parse().unwrap(), SharedZone::default()).unwrap();
    assert!(spawn_background(a.addr, SharedZone::default()).is_err());
}

#[tokio::test]
async fn serve_on_callers_runtime_and_shutdown() {
    let srv = serve(
        "127.0.0.1:0".parse().unwrap(),
        SharedZone::from_cluster(&Cluster::example()),
    )
    .await
    .unwrap();
    let addr = srv.addr;
    let m =
        tokio::task::spawn_blocking(move || blocking_udp_query(addr, "db.awx.svc.cluster.local."))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(m.answers.len(), 2);
    srv.shutdown().await.unwrap();
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn empty_zone_refuses_everything() {
    let srv = spawn_background("127.0.0.1:0".parse().unwrap(), SharedZone::default()).unwrap();
    let m = blocking_udp_query(srv.addr, "db.awx.svc.cluster.local.").unwrap();
    assert_eq!(
        m.metadata.response_code,
        hickory_proto::op::ResponseCode::Refused
    );
}
