//! Raw DNS client helpers for the server tests (loopback only).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

pub const TIMEOUT: Duration = Duration::from_secs(3);

/// Encode a query; `edns` = advertised UDP payload size.
pub fn query_bytes(id: u16, name: &str, qtype: RecordType, edns: Option<u16>) -> Vec<u8> {
    let mut m = Message::query();
    m.metadata.id = id;
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), qtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size);
        m.set_edns(e);
    }
    m.to_vec().unwrap()
}

/// Send raw bytes over UDP; the raw reply or `None` after `wait`.
pub async fn udp_raw(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(bytes, server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(wait, sock.recv_from(&mut buf)).await {
        Ok(Ok((n, from))) => {
            assert_eq!(from, server);
            buf.truncate(n);
            Some(buf)
        }
        _ => None,
    }
}

/// Send raw bytes over TCP (length-prefixed); the raw reply or `None` after `wait`.
pub async fn tcp_raw(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let fut = async {
        let mut s = TcpStream::connect(server).await.ok()?;
        let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(bytes);
        s.write_all(&framed).await.ok()?;
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.ok()?;
        let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
        s.read_exact(&mut buf).await.ok()?;
        Some(buf)
    };
    tokio::time::timeout(wait, fut).await.ok().flatten()
}

pub async fn udp(
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    edns: Option<u16>,
) -> (Message, usize) {
    let raw = udp_raw(server, &query_bytes(0x1234, name, qtype, edns), TIMEOUT)
        .await
        .expect("UDP reply");
    let m = Message::from_vec(&raw).expect("reply parses");
    assert_eq!(m.metadata.id, 0x1234);
    (m, raw.len())
}

pub async fn tcp(
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    edns: Option<u16>,
) -> (Message, usize) {
    let raw = tcp_raw(server, &query_bytes(0x4321, name, qtype, edns), TIMEOUT)
        .await
        .expect("TCP reply");
    let m = Message::from_vec(&raw).expect("reply parses");
    assert_eq!(m.metadata.id, 0x4321);
    (m, raw.len())
}

/// Presentation of record data (A/AAAA address, SRV "prio weight port target", PTR target).
pub fn data(r: &Record) -> String {
    hsvc_cluster::cluster::rdata_text(&r.data)
}

/// Sorted data strings of a section.
pub fn set(records: &[Record]) -> Vec<String> {
    let mut v: Vec<String> = records.iter().map(data).collect();
    v.sort();
    v
}

pub fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

pub fn is_soa(r: &Record) -> bool {
    matches!(r.data, RData::SOA(_))
}
