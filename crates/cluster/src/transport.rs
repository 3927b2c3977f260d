//! UDP and TCP socket loops (tokio) feeding [`super::handler::respond`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinSet;

use super::handler::respond;
use super::shared::{SharedZone, Transport};

/// Idle timeout of a TCP connection (no complete query within this time → close).
pub const TCP_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Receive datagrams forever; each query is answered in its own task (so a delayed or
/// dropped query does not hold up others). Child tasks end when this task is aborted.
pub async fn udp_loop(sock: UdpSocket, zone: SharedZone) {
    let sock = Arc::new(sock);
    let mut tasks = JoinSet::new();
    let mut buf = vec![0u8; 65535];
    loop {
        let (n, src) = match sock.recv_from(&mut buf).await {
            Ok(x) => x,
            // e.g. ECONNREFUSED after an ICMP port unreachable for an earlier reply
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            }
        };
        let data = buf[..n].to_vec();
        let (sock, zone) = (sock.clone(), zone.clone());
        tasks.spawn(async move {
            if let Some(reply) = respond(&zone, &data, src, Transport::Udp).await {
                let _ = sock.send_to(&reply, src).await;
            }
        });
        while tasks.try_join_next().is_some() {}
    }
}

/// Accept TCP connections forever; connection tasks end when this task is aborted.
pub async fn tcp_loop(listener: TcpListener, zone: SharedZone) {
    let mut conns = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, src)) => {
                conns.spawn(tcp_conn(stream, src, zone.clone()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
        while conns.try_join_next().is_some() {}
    }
}

/// Serve length-prefixed queries on one connection, in order, until EOF, error or idle.
async fn tcp_conn(mut stream: TcpStream, src: SocketAddr, zone: SharedZone) {
    loop {
        let mut len = [0u8; 2];
        match tokio::time::timeout(TCP_IDLE_TIMEOUT, stream.read_exact(&mut len)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        match tokio::time::timeout(TCP_IDLE_TIMEOUT, stream.read_exact(&mut msg)).await {
            Ok(Ok(_)) => {}
            _ => return,
        }
        let Some(reply) = respond(&zone, &msg, src, Transport::Tcp).await else {
            continue; // dropped: keep the connection, never answer this one
        };
        let Ok(rlen) = u16::try_from(reply.len()) else {
            return;
        };
        let mut framed = Vec::with_capacity(reply.len() + 2);
        framed.extend_from_slice(&rlen.to_be_bytes());
        framed.extend_from_slice(&reply);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}
