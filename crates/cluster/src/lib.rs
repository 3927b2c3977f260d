//! An authoritative "cluster DNS" server that answers like CoreDNS's *kubernetes* plugin,
//! for the test suite and `hsvc demo`.
//!
//! * [`cluster`]: a Service/endpoint model and the records CoreDNS answers for it.
//! * [`zone`]: the record store and the NOERROR/NODATA/NXDOMAIN/REFUSED decision.
//! * [`SharedZone`]: the handle through which a running server is changed (records,
//!   faults, outage switch) and observed (query log).
//! * [`serve`] / [`spawn_background`]: UDP and TCP on one port.
//! * [`api`]: a stand-in Kubernetes API server over the same model.
//! * [`LiveCluster`]: DNS replicas and the API from one shared model, changed while they
//!   run (the handle for tests and `hsvc demo`).
//!
//! Transport: plain tokio sockets with hickory-proto for decoding and an own encoder
//! ([`wire`]). hickory-server 0.26.3's `Server` + `RequestHandler` was tried first and
//! works, but every reply then goes through hickory-proto's `BinEncoder`, which compresses
//! at most 120 names per message: a 3000-endpoint A answer needs ~150 KB and cannot go out
//! over TCP, and UDP replies hold fewer records than CoreDNS's (25 instead of 28 A without
//! EDNS). Its `ResponseHandler` also has no way to send the raw bytes `Fault::Malformed`
//! needs.
//!
//! ```no_run
//! use hsvc_cluster::{spawn_background, cluster::Cluster, SharedZone, Fault};
//! let zone = SharedZone::from_cluster(&Cluster::example());
//! let srv = spawn_background("127.0.0.1:0".parse().unwrap(), zone.clone()).unwrap();
//! zone.set_fault("web-headless.awx.svc.cluster.local", Fault::ServFail);
//! println!("cluster DNS at {}", srv.addr);
//! // dropping `srv` stops the server and joins its thread
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod cluster;
mod handler;
mod live;
mod pods;
mod shared;
mod transport;
pub mod wire;
pub mod zone;
pub mod zonefile;

use std::io;
use std::net::SocketAddr;
use std::thread::JoinHandle;

use tokio::sync::oneshot;
use tokio::task::JoinSet;

pub use cluster::{Cluster, Conditions, Endpoint, IpFamily, Pod, PodPhase, Port, Service};
pub use handler::respond;
pub use live::{LiveCluster, LiveOptions, Replica};
pub use pods::{PodBehaviour, PodServers};
pub use shared::{normalize_name, Fault, QueryLogEntry, SharedZone, Transport};
pub use zone::{Behaviour, Lookup, TruncationMode, Zone, ZoneError};

/// A server running on the caller's tokio runtime.
pub struct RunningServer {
    /// Address of both the UDP socket and the TCP listener.
    pub addr: SocketAddr,
    /// The state the server answers from.
    pub zone: SharedZone,
    tasks: JoinSet<()>,
}

impl RunningServer {
    /// Stop serving: abort the socket loops (and with them every connection and pending
    /// query) and wait until they are gone; the sockets are closed on return.
    pub async fn shutdown(mut self) -> io::Result<()> {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// Run until the socket loops end, which they only do when aborted: use with
    /// `tokio::select!` and Ctrl-C, then call [`RunningServer::shutdown`].
    pub async fn block_until_done(&mut self) -> io::Result<()> {
        while self.tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// Bind UDP on `listen`, then TCP on the same address and port. With port 0 the port is
/// picked by the OS for UDP; if TCP cannot have it, both are retried (up to 64 times).
pub fn bind_udp_tcp(
    listen: SocketAddr,
) -> io::Result<(std::net::UdpSocket, std::net::TcpListener)> {
    let mut last = None;
    for _ in 0..64 {
        let udp = std::net::UdpSocket::bind(listen)?;
        let addr = udp.local_addr()?;
        match std::net::TcpListener::bind(addr) {
            Ok(tcp) => {
                udp.set_nonblocking(true)?;
                tcp.set_nonblocking(true)?;
                return Ok((udp, tcp));
            }
            Err(e) if listen.port() == 0 && e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port")))
}

fn start(
    udp: std::net::UdpSocket,
    tcp: std::net::TcpListener,
    zone: SharedZone,
) -> io::Result<RunningServer> {
    let addr = udp.local_addr()?;
    let udp = tokio::net::UdpSocket::from_std(udp)?;
    let tcp = tokio::net::TcpListener::from_std(tcp)?;
    let mut tasks = JoinSet::new();
    tasks.spawn(transport::udp_loop(udp, zone.clone()));
    tasks.spawn(transport::tcp_loop(tcp, zone.clone()));
    Ok(RunningServer { addr, zone, tasks })
}

/// Serve `zone` on UDP and TCP at `listen` (port 0: a free port, see [`bind_udp_tcp`]) on
/// the current tokio runtime. Only bind loopback addresses in tests.
pub async fn serve(listen: SocketAddr, zone: SharedZone) -> io::Result<RunningServer> {
    let (udp, tcp) = bind_udp_tcp(listen)?;
    start(udp, tcp, zone)
}

/// A server on its own thread and single-threaded tokio runtime. Dropping the handle (or
/// [`ServerHandle::shutdown`]) stops the server and joins the thread.
pub struct ServerHandle {
    /// Address of both the UDP socket and the TCP listener.
    pub addr: SocketAddr,
    /// The state the server answers from.
    pub zone: SharedZone,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// Stop the server and wait for its thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// Start a server on a background thread (for tests that run the `hsvc` binary as a
/// subprocess, and for synchronous callers). Sockets are bound before this returns.
pub fn spawn_background(listen: SocketAddr, zone: SharedZone) -> io::Result<ServerHandle> {
    let (udp, tcp) = bind_udp_tcp(listen)?;
    let addr = udp.local_addr()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
    let thread_zone = zone.clone();
    let thread = std::thread::Builder::new()
        .name(format!("hsvc-dns-{addr}"))
        .spawn(move || {
            rt.block_on(async move {
                let mut running = match start(udp, tcp, thread_zone) {
                    Ok(r) => {
                        let _ = ready_tx.send(Ok(()));
                        r
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                tokio::select! {
                    _ = stop_rx => {}
                    _ = running.block_until_done() => {}
                }
                let _ = running.shutdown().await;
            });
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(ServerHandle {
            addr,
            zone,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(io::Error::other("server thread died during start"))
        }
    }
}
