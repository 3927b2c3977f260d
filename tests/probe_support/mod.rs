//! Loopback test servers for the probe tests. Everything binds 127.x only.
//!
//! The raw HTTP responder here is test-only scaffolding; the code under test
//! speaks HTTP exclusively through hyper.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

pub fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A port on `ip` that nobody listens on: bind, note the port, drop.
pub fn refused_port(ip: IpAddr) -> u16 {
    let l = std::net::TcpListener::bind((ip, 0)).unwrap();
    l.local_addr().unwrap().port()
}

async fn listen(ip: IpAddr) -> (TcpListener, SocketAddr) {
    let l = TcpListener::bind((ip, 0)).await.unwrap();
    let a = l.local_addr().unwrap();
    (l, a)
}

/// Reads a request head (up to the blank line); returns it, or what arrived
/// before EOF.
pub async fn read_head(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Accepts connections and closes them immediately (TCP "open").
pub async fn accept_and_close(ip: IpAddr) -> SocketAddr {
    let (l, a) = listen(ip).await;
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            drop(s);
        }
    });
    a
}

/// What an HTTP responder saw.
#[derive(Clone, Default)]
pub struct Seen(pub Arc<Mutex<Vec<String>>>);

impl Seen {
    pub fn heads(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Answers every request with `status` after `delay`, body `body`, then closes.
pub async fn http_responder(
    ip: IpAddr,
    status: u16,
    delay: Duration,
    body: Vec<u8>,
) -> (SocketAddr, Seen) {
    let (l, a) = listen(ip).await;
    let seen = Seen::default();
    let seen2 = seen.clone();
    let body = Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let seen = seen2.clone();
            let body = Arc::clone(&body);
            tokio::spawn(async move {
                let head = read_head(&mut s).await;
                seen.0.lock().unwrap().push(head);
                tokio::time::sleep(delay).await;
                let resp = format!(
                    "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
                let _ = s.write_all(&body).await;
                let _ = s.shutdown().await;
            });
        }
    });
    (a, seen)
}

/// `http_responder` with no delay and a tiny body.
pub async fn http_status(ip: IpAddr, status: u16) -> (SocketAddr, Seen) {
    http_responder(ip, status, Duration::ZERO, b"ok".to_vec()).await
}

/// Accepts connections, reads whatever arrives, never answers; holds each
/// connection until the client closes it.
pub async fn silent(ip: IpAddr) -> SocketAddr {
    let (l, a) = listen(ip).await;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut sink = [0u8; 1024];
                while let Ok(n) = s.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    a
}

/// Reads the request head, writes `raw` verbatim, closes.
pub async fn raw_responder(ip: IpAddr, raw: &'static [u8]) -> SocketAddr {
    let (l, a) = listen(ip).await;
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                let _ = read_head(&mut s).await;
                let _ = s.write_all(raw).await;
                let _ = s.shutdown().await;
            });
        }
    });
    a
}

/// A listener whose accept queue is full, so further connects hang: the
/// loopback stand-in for a blackholed pod. Linux drops SYNs to a listener
/// with a full accept queue (unless `tcp_abort_on_overflow`), and listen
/// backlog 0 admits a single queued connection. The listener is never
/// accepted from; keep the returned value alive for the test's duration.
pub struct Blackhole {
    pub addr: SocketAddr,
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}

pub async fn blackhole(ip: IpAddr) -> Blackhole {
    let sock = match ip {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
    .unwrap();
    sock.bind(SocketAddr::new(ip, 0)).unwrap();
    let listener = sock.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // Fill the queue until a connect no longer completes.
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(e)) => panic!("filling backlog: {e}"),
            Err(_) => {
                return Blackhole {
                    addr,
                    _listener: listener,
                    _fillers: fillers,
                }
            }
        }
    }
    panic!("accept queue never filled; cannot emulate a connect timeout here");
}

/// Holds every accepted connection unanswered until the server goes quiet
/// (no new accept for `quiet`), then answers 200 to all of them. Records the
/// largest batch held at once: a lower bound on the client's in-flight count
/// (a held connection's probe cannot have finished, having no response).
pub async fn batching_gate(ip: IpAddr, quiet: Duration) -> (SocketAddr, Arc<AtomicUsize>) {
    let (l, a) = listen(ip).await;
    let max = Arc::new(AtomicUsize::new(0));
    let max2 = Arc::clone(&max);
    tokio::spawn(async move {
        let mut held: Vec<TcpStream> = Vec::new();
        loop {
            match tokio::time::timeout(quiet, l.accept()).await {
                Ok(Ok((mut s, _))) => {
                    let _ = read_head(&mut s).await;
                    held.push(s);
                    max2.fetch_max(held.len(), Ordering::SeqCst);
                }
                Ok(Err(_)) => break,
                Err(_quiet) => {
                    for mut s in held.drain(..) {
                        tokio::spawn(async move {
                            let _ = s
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                .await;
                            let _ = s.shutdown().await;
                        });
                    }
                }
            }
        }
    });
    (a, max)
}
