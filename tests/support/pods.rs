//! Fake pods: loopback listeners (127.x and ::1 only) that accept and
//! close, refuse, hang (full accept queue), hold connections, or answer
//! HTTP; one at a time on a free port ([`accept_and_close`],
//! [`http_responder`], …), or a Service's worth on one port and
//! consecutive addresses ([`Pods`]).
//!
//! The raw HTTP responders are test-only scaffolding; the code under test
//! speaks HTTP exclusively through hyper.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;

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

/// Writes an HTTP/1.1 response with `Content-Length` and
/// `Connection: close`, then shuts the connection down.
async fn respond(s: &mut TcpStream, status: u16, reason: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes()).await;
    let _ = s.write_all(body).await;
    let _ = s.shutdown().await;
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
                respond(&mut s, status, "Whatever", &body).await;
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

/// A [`Blackhole`] on `ip` and a free port.
pub async fn blackhole(ip: IpAddr) -> Blackhole {
    blackhole_at(SocketAddr::new(ip, 0)).await
}

/// A [`Blackhole`] on `addr`.
pub async fn blackhole_at(addr: SocketAddr) -> Blackhole {
    let sock = match addr.ip() {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
    .unwrap();
    sock.bind(addr).unwrap();
    let listener = sock.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    // Fill the queue until a connect no longer completes.
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => fillers.push(s),
            Ok(Err(e)) => panic!("filling the accept queue of {addr}: {e}"),
            Err(_) => {
                return Blackhole {
                    addr,
                    _listener: listener,
                    _fillers: fillers,
                }
            }
        }
    }
    panic!("accept queue of {addr} never filled; cannot emulate a connect timeout here");
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

// ---------------------------------------------------------------- a Service's pods

/// How a pod behaves on the Service port.
#[derive(Clone, Copy, Debug)]
pub enum Pod {
    /// Accepts and closes: TCP `open`.
    Open,
    /// Nothing listens: `refused`.
    Refused,
    /// Accept queue full, SYNs dropped: connect `timeout`.
    Blackhole,
    /// Accepts, reads, never answers: `http timeout` (TCP `open`).
    Silent,
    /// Answers every request with this status.
    Http(u16),
}

/// Listeners for `kinds[i]` on `base + i`, all on one port (as the pods of
/// a Service are), served on their own thread and runtime (so they share
/// nothing with the code under test).
pub struct Pods {
    pub port: u16,
    pub base: Ipv4Addr,
    closers: Vec<Option<oneshot::Sender<()>>>,
}

impl Pods {
    pub fn start(base: Ipv4Addr, kinds: &[Pod]) -> Pods {
        let kinds = kinds.to_vec();
        let n = kinds.len();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let port = pick_port(base, &kinds);
                let mut closers = Vec::new();
                let mut ready = Vec::new();
                for (i, kind) in kinds.into_iter().enumerate() {
                    let ip = IpAddr::V4(nth(base, i));
                    let (ctx, crx) = oneshot::channel();
                    closers.push(Some(ctx));
                    ready.push(tokio::spawn(serve(SocketAddr::new(ip, port), kind, crx)));
                }
                for r in ready {
                    r.await.unwrap();
                }
                tx.send((port, closers)).unwrap();
                std::future::pending::<()>().await;
            });
        });
        let (port, closers) = rx.recv().expect("pods started");
        assert_eq!(closers.len(), n);
        Pods {
            port,
            base,
            closers,
        }
    }

    /// Pod `i`'s address.
    pub fn ip(&self, i: usize) -> String {
        nth(self.base, i).to_string()
    }

    /// Closes pod `i`'s listener: from now on it refuses.
    pub fn close(&mut self, i: usize) {
        let _ = self.closers[i].take().expect("open pod").send(());
        // The close is done on the pods' thread; wait until it shows.
        let addr = SocketAddr::new(IpAddr::V4(nth(self.base, i)), self.port);
        for _ in 0..200 {
            if std::net::TcpStream::connect(addr).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("pod {i} still accepts");
    }
}

/// The `i`-th address from `base`.
pub fn nth(base: Ipv4Addr, i: usize) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base) + i as u32)
}

/// A port free on the first pod that listens (or on the base address).
fn pick_port(base: Ipv4Addr, kinds: &[Pod]) -> u16 {
    let i = kinds
        .iter()
        .position(|k| !matches!(k, Pod::Refused))
        .unwrap_or(0);
    let l = std::net::TcpListener::bind((nth(base, i), 0)).unwrap();
    l.local_addr().unwrap().port()
}

/// Binds `addr` for `kind` and returns once it is listening; the listener
/// keeps running in a task until `close` fires.
async fn serve(addr: SocketAddr, kind: Pod, close: oneshot::Receiver<()>) {
    let listener = match kind {
        Pod::Refused => return,
        Pod::Blackhole => {
            let hole = blackhole_at(addr).await;
            tokio::spawn(async move {
                let _ = close.await;
                drop(hole);
            });
            return;
        }
        _ => TcpListener::bind(addr).await.unwrap(),
    };
    tokio::spawn(async move {
        let accept = async {
            let mut held = Vec::new();
            while let Ok((mut s, _)) = listener.accept().await {
                match kind {
                    Pod::Silent => held.push(s),
                    Pod::Http(status) => {
                        tokio::spawn(async move {
                            read_head(&mut s).await;
                            respond(&mut s, status, "Status", b"ok").await;
                        });
                    }
                    _ => drop(s),
                }
            }
        };
        tokio::select! {
            _ = accept => {}
            _ = close => {}
        }
    });
}
