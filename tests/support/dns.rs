//! A raw DNS client for asking servers directly (loopback only): queries
//! encoded with hickory-proto, sent over UDP or TCP (length-prefixed), in
//! async (tokio) and blocking (std) forms. It shares no code with hsvc's
//! own client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream as StdTcpStream, UdpSocket as StdUdpSocket};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, Query};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How long [`udp`] and [`tcp`] wait for a reply.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// Encodes a query with RD set; `edns` = advertised UDP payload size.
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

// ---------------------------------------------------------------- async

/// Sends raw bytes over UDP; the raw reply, or `None` after `wait`.
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

/// Sends raw bytes over TCP (length-prefixed); the raw reply, or `None`
/// after `wait`.
pub async fn tcp_raw(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let fut = async {
        let mut s = TcpStream::connect(server).await.ok()?;
        s.write_all(&framed(bytes)).await.ok()?;
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.ok()?;
        let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
        s.read_exact(&mut buf).await.ok()?;
        Some(buf)
    };
    tokio::time::timeout(wait, fut).await.ok().flatten()
}

/// Asks over UDP (id 0x1234); the parsed reply and its size in bytes.
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

/// Asks over TCP (id 0x4321); the parsed reply and its size in bytes.
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

// ---------------------------------------------------------------- blocking

/// [`udp_raw`] without a runtime.
pub fn blocking_udp_raw(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let sock = StdUdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(wait)).unwrap();
    sock.send_to(bytes, server).unwrap();
    let mut buf = vec![0u8; 65535];
    let (n, _) = sock.recv_from(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}

/// [`tcp_raw`] without a runtime (`wait` bounds the connect and each read).
pub fn blocking_tcp_raw(server: SocketAddr, bytes: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let mut s = StdTcpStream::connect_timeout(&server, wait).ok()?;
    s.set_read_timeout(Some(wait)).ok()?;
    s.write_all(&framed(bytes)).ok()?;
    let mut len = [0u8; 2];
    s.read_exact(&mut len).ok()?;
    let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
    s.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn framed(bytes: &[u8]) -> Vec<u8> {
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(bytes);
    framed
}

// ---------------------------------------------------------------- records

/// Presentation of record data (A/AAAA address, SRV "prio weight port
/// target", PTR target).
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
