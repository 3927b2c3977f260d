//! [`PodServers`]: stand-in workloads listening on the model's pod addresses, so that
//! `hsvc check`, a probe or a client under test reaches something local. Only loopback
//! addresses are ever bound: a pod address off this machine is skipped, never dialled.

use std::collections::BTreeSet;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

use crate::cluster::{Cluster, Pod};

/// How a stand-in pod answers on its TCP ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodBehaviour {
    /// Accepts; an HTTP request gets `200 OK`, body the pod name, header `x-pod`.
    Healthy,
    /// Accepts; an HTTP request gets `503 Service Unavailable` (draining).
    Unhealthy,
    /// Nothing listens: connections are refused.
    Refuse,
}

/// Listeners on `(pod address, Service port)` for every TCP port of every Service
/// outside `kube-system` that selects the pod. Dropping it stops them.
#[derive(Debug)]
pub struct PodServers {
    tasks: JoinSet<()>,
    /// Addresses listened on.
    pub bound: Vec<SocketAddr>,
    /// Addresses that could not be bound, with why (e.g. a system where only
    /// 127.0.0.1 is local, or a port another program holds).
    pub failed: Vec<(SocketAddr, io::Error)>,
}

impl PodServers {
    /// Starts the listeners on the current tokio runtime.
    pub async fn start(cluster: &Cluster, behaviour: impl Fn(&Pod) -> PodBehaviour) -> PodServers {
        let mut wanted: BTreeSet<(SocketAddr, String, PodBehaviour)> = BTreeSet::new();
        for svc in cluster
            .services
            .iter()
            .filter(|s| s.namespace != "kube-system")
        {
            for pod in cluster.pods_of(svc) {
                let b = behaviour(pod);
                if b == PodBehaviour::Refuse {
                    continue;
                }
                for port in svc.ports.iter().filter(|p| p.protocol == "tcp") {
                    for ip in pod.ips.iter().filter(|ip| ip.is_loopback()) {
                        wanted.insert((SocketAddr::new(*ip, port.port), pod.name.clone(), b));
                    }
                }
            }
        }
        let mut out = PodServers {
            tasks: JoinSet::new(),
            bound: Vec::new(),
            failed: Vec::new(),
        };
        let mut seen = BTreeSet::new();
        for (addr, pod, b) in wanted {
            // Two Services over one pod and port (awx/web and awx/web-headless): one listener.
            if !seen.insert(addr) {
                continue;
            }
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => {
                    out.bound.push(addr);
                    out.tasks.spawn(serve(l, pod, b));
                }
                Err(e) => out.failed.push((addr, e)),
            }
        }
        out
    }

    /// Stops every listener.
    pub fn stop(&mut self) {
        self.tasks.abort_all();
    }
}

async fn serve(l: tokio::net::TcpListener, pod: String, b: PodBehaviour) {
    let mut conns = JoinSet::new();
    while let Ok((s, _)) = l.accept().await {
        conns.spawn(answer(s, pod.clone(), b));
        while conns.try_join_next().is_some() {}
    }
}

/// Reads one request head (bounded: 8 KiB, 5 s) and answers it as HTTP/1.1; a
/// client that sends nothing (a TCP check) just sees the connection accepted.
async fn answer(mut s: tokio::net::TcpStream, pod: String, b: PodBehaviour) {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    let head = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while len < buf.len() {
            match s.read(&mut buf[len..]).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => len += n,
            }
            if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                return true;
            }
        }
        false
    })
    .await;
    if head != Ok(true) {
        return;
    }
    let (status, body) = match b {
        PodBehaviour::Unhealthy => ("503 Service Unavailable", "draining\n".to_string()),
        _ => ("200 OK", format!("{pod}\n")),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\nx-pod: {pod}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr) -> io::Result<String> {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await?;
        let mut out = String::new();
        s.read_to_string(&mut out).await?;
        Ok(out)
    }

    #[tokio::test]
    async fn pods_answer_as_told_and_only_on_loopback() {
        let c = Cluster::demo();
        let servers = PodServers::start(&c, |p| match p.name.as_str() {
            "api-1" => PodBehaviour::Unhealthy,
            "api-2" => PodBehaviour::Refuse,
            _ => PodBehaviour::Healthy,
        })
        .await;
        assert!(servers.bound.iter().all(|a| a.ip().is_loopback()));
        // awx/web and awx/web-headless share web-0's port 8080: one listener.
        let web0: SocketAddr = "127.244.217.10:8080".parse().unwrap();
        assert_eq!(servers.bound.iter().filter(|a| **a == web0).count(), 1);
        let ok = get("127.77.0.1:8080".parse().unwrap()).await.unwrap();
        assert!(
            ok.starts_with("HTTP/1.1 200 OK\r\n") && ok.contains("x-pod: api-0"),
            "{ok}"
        );
        let bad = get("127.77.0.2:8080".parse().unwrap()).await.unwrap();
        assert!(bad.starts_with("HTTP/1.1 503"), "{bad}");
        let refused = get("127.77.0.3:8080".parse().unwrap()).await.unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        // kube-system's CoreDNS pods are the DNS replicas' business, not ours.
        assert!(!servers.bound.iter().any(|a| a.port() == 53));
    }
}
