//! The pod `portforward` subresource over WebSocket, as the kubelet serves it behind the
//! API server (kubernetes `pkg/kubelet/cri/streaming/portforward/websocket.go` with
//! `apimachinery/pkg/util/httpstream/wsstream/conn.go`):
//!
//! * `GET /api/v1/namespaces/{ns}/pods/{name}/portforward?ports=53[,…]` with a WebSocket
//!   upgrade; subprotocols `v4.channel.k8s.io` (binary) and `v4.base64.channel.k8s.io`
//!   (text, base64), or none (binary). The first one the client offers that the server
//!   knows wins: kube-rs offers `v5.channel.k8s.io, v4.channel.k8s.io` and gets v4 (the
//!   kubelet has no v5 for port-forward).
//! * Port `i` (in the order of `ports`) has data channel `2i` and error channel `2i+1`.
//!   Every message starts with its channel byte. The server's first message on each
//!   channel is the port number, little-endian u16; the client sends data right away.
//! * The data channel is relayed to a TCP connection to the pod's port; the error
//!   channel carries one text message if forwarding fails
//!   (`error forwarding port 53 to pod …, uid …: …`). v4 has no per-channel close: when
//!   the pod side closes, the whole WebSocket is closed.
//!
//! Faults: a 403 before the upgrade (RBAC `create pods/portforward`), a pod that is not
//! running (error channel), a relay that cuts the answer short and drops the connection.
//! SPDY/3.1 (what kubectl speaks, tunnelled in a WebSocket or not) is not implemented: such
//! requests get a 400 `Status` that says so.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::{header, HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::http::{status, ApiBody};
use super::objects::{uid, Kind};
use super::ApiState;
use crate::cluster::PodPhase;

/// Binary channel protocol, version 4.
pub const V4_BINARY: &str = "v4.channel.k8s.io";
/// Base64 text channel protocol, version 4.
pub const V4_BASE64: &str = "v4.base64.channel.k8s.io";

fn header_str(req: &Request<Incoming>, name: header::HeaderName) -> &str {
    req.headers()
        .get(name)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
}

/// Parse `ports` query values (repeated and/or comma-separated), as `NewV4Options` does.
fn parse_ports(q: &[(String, String)]) -> Result<Vec<u16>, String> {
    let values: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "ports")
        .map(|(_, v)| v.as_str())
        .collect();
    if values.is_empty() {
        return Err("query parameter \"ports\" is required".into());
    }
    let mut ports = Vec::new();
    for v in values {
        if v.is_empty() {
            return Err("query parameter \"ports\" cannot be empty".into());
        }
        for p in v.split(',') {
            match p.parse::<u16>() {
                Ok(0) => return Err(format!("port \"{v}\" must be > 0")),
                Ok(n) => ports.push(n),
                Err(e) => return Err(format!("unable to parse \"{v}\" as a port: {e}")),
            }
        }
    }
    Ok(ports)
}

/// Where a forwarded pod port goes and what happens on the way.
struct Plan {
    pod: String,
    uid: String,
    ports: Vec<u16>,
    targets: Vec<Result<SocketAddr, String>>,
    base64: bool,
    cut_mid_answer: bool,
}

/// Handle a port-forward request (any method).
pub async fn handle(
    state: Arc<ApiState>,
    req: Request<Incoming>,
    ns: &str,
    name: &str,
    q: &[(String, String)],
) -> Response<ApiBody> {
    if let Some(r) = state.check_forbidden("create", "pods/portforward", "", ns, Some(name)) {
        return r;
    }
    let cluster = state.cluster();
    let Some(pod) = cluster.pod(ns, name) else {
        return status(
            404,
            "NotFound",
            &format!("pods \"{name}\" not found"),
            Some(json!({"name": name, "kind": "pods"})),
        );
    };
    if pod.node.is_none() {
        return status(
            400,
            "BadRequest",
            &format!("pod {name} does not have a host assigned"),
            None,
        );
    }
    let is_ws = header_str(&req, header::UPGRADE).eq_ignore_ascii_case("websocket")
        && header_str(&req, header::CONNECTION)
            .to_ascii_lowercase()
            .split(',')
            .any(|t| t.trim() == "upgrade");
    if !is_ws {
        return status(
            400,
            "BadRequest",
            "unable to upgrade connection: the hsvc stand-in serves port-forward over WebSocket (v4.channel.k8s.io) only; SPDY/3.1 is not implemented",
            None,
        );
    }
    let ports = match parse_ports(q) {
        Ok(p) => p,
        Err(e) => return status(400, "BadRequest", &e, None),
    };
    let offered = header_str(&req, header::SEC_WEBSOCKET_PROTOCOL).to_string();
    let offered: Vec<&str> = offered
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let chosen = if offered.is_empty() {
        Some("")
    } else {
        offered
            .iter()
            .copied()
            .find(|p| *p == V4_BINARY || *p == V4_BASE64)
    };
    let Some(chosen) = chosen else {
        return status(
            400,
            "BadRequest",
            &format!(
                "unable to upgrade websocket connection: requested protocol(s) are not supported: {offered:?}; supports [\"{V4_BINARY}\" \"{V4_BASE64}\"]"
            ),
            None,
        );
    };
    let key = header_str(&req, header::SEC_WEBSOCKET_KEY).to_string();
    if key.is_empty() || header_str(&req, header::SEC_WEBSOCKET_VERSION) != "13" {
        return status(
            400,
            "BadRequest",
            "websocket: missing Sec-WebSocket-Key or version 13",
            None,
        );
    }
    let running = pod.phase == PodPhase::Running;
    let targets = ports
        .iter()
        .map(|&p| {
            if !running {
                Err(format!("pod is not running (phase {})", pod.phase.as_str()))
            } else {
                state
                    .forward_target(ns, name, p)
                    .or_else(|| pod.ips.first().map(|ip| SocketAddr::new(*ip, p)))
                    .ok_or_else(|| "pod has no IP".to_string())
            }
        })
        .collect();
    let plan = Plan {
        pod: name.to_string(),
        uid: uid(&[Kind::Pod.kind(), ns, name]),
        ports,
        targets,
        base64: chosen == V4_BASE64,
        cut_mid_answer: state.cuts_forward(ns, name),
    };
    state.count_forward();
    let accept = derive_accept_key(key.as_bytes());
    tokio::spawn(async move {
        if let Ok(upgraded) = hyper::upgrade::on(req).await {
            let ws =
                WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            relay(ws, plan).await;
        }
    });
    let mut r = Response::new(ApiBody::Full(None));
    *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = r.headers_mut();
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if !chosen.is_empty() {
        h.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(if chosen == V4_BINARY {
                V4_BINARY
            } else {
                V4_BASE64
            }),
        );
    }
    r
}

fn frame(base64: bool, ch: u8, data: &[u8]) -> Message {
    if base64 {
        let mut s = String::with_capacity(1 + data.len() * 4 / 3 + 4);
        s.push((b'0' + ch) as char);
        s.push_str(&base64::engine::general_purpose::STANDARD.encode(data));
        Message::text(s)
    } else {
        let mut v = Vec::with_capacity(data.len() + 1);
        v.push(ch);
        v.extend_from_slice(data);
        Message::binary(v)
    }
}

/// What a per-port task tells the WebSocket writer.
enum Out {
    Frame(u8, Vec<u8>),
    /// The port is done (pod side closed or failed).
    Done,
    /// Cut the connection without a close frame.
    Abort,
}

async fn relay<S>(ws: WebSocketStream<S>, plan: Plan)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    let b64 = plan.base64;
    for (i, p) in plan.ports.iter().enumerate() {
        let ch = (2 * i) as u8;
        let le = p.to_le_bytes();
        if sink.send(frame(b64, ch, &le)).await.is_err()
            || sink.send(frame(b64, ch + 1, &le)).await.is_err()
        {
            return;
        }
    }
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(64);
    let mut to_pod: Vec<Option<mpsc::Sender<Bytes>>> = Vec::new();
    for (i, target) in plan.targets.iter().enumerate() {
        let (tx, rx) = mpsc::channel::<Bytes>(64);
        to_pod.push(Some(tx));
        let ctx = PortCtx {
            data_ch: (2 * i) as u8,
            port: plan.ports[i],
            pod: plan.pod.clone(),
            uid: plan.uid.clone(),
            cut: plan.cut_mid_answer,
        };
        tokio::spawn(port_task(ctx, target.clone(), rx, out_tx.clone()));
    }
    drop(out_tx);
    let mut open = plan.ports.len();
    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() && !b64 => {
                    let ch = b[0] as usize;
                    if ch.is_multiple_of(2) {
                        if let Some(Some(tx)) = to_pod.get(ch / 2) {
                            let _ = tx.send(b.slice(1..)).await;
                        }
                    }
                }
                Some(Ok(Message::Text(t))) if b64 && !t.is_empty() => {
                    let bytes = t.as_bytes();
                    let ch = bytes[0].wrapping_sub(b'0') as usize;
                    if ch.is_multiple_of(2) {
                        if let (Some(Some(tx)), Ok(data)) = (
                            to_pod.get(ch / 2),
                            base64::engine::general_purpose::STANDARD.decode(&bytes[1..]),
                        ) {
                            let _ = tx.send(Bytes::from(data)).await;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            out = out_rx.recv() => match out {
                Some(Out::Frame(ch, data)) => {
                    if sink.send(frame(b64, ch, &data)).await.is_err() {
                        return;
                    }
                }
                Some(Out::Done) => {
                    open -= 1;
                    if open == 0 {
                        // Closing handshake: read on until the client's Close (bounded), so
                        // data it already sent does not turn our close into a reset that
                        // could lose the error frame.
                        let _ = sink.send(Message::Close(None)).await;
                        let _ = tokio::time::timeout(Duration::from_secs(2), async {
                            while let Some(Ok(m)) = stream.next().await {
                                if m.is_close() {
                                    break;
                                }
                            }
                        })
                        .await;
                        let _ = sink.close().await;
                        return;
                    }
                }
                Some(Out::Abort) | None => return,
            },
        }
    }
}

struct PortCtx {
    data_ch: u8,
    port: u16,
    pod: String,
    uid: String,
    cut: bool,
}

async fn port_task(
    ctx: PortCtx,
    target: Result<SocketAddr, String>,
    mut from_client: mpsc::Receiver<Bytes>,
    out: mpsc::Sender<Out>,
) {
    let fail = |why: String| {
        format!(
            "error forwarding port {} to pod {}, uid {}: {why}",
            ctx.port, ctx.pod, ctx.uid
        )
    };
    let addr = match target {
        Ok(a) => a,
        Err(why) => {
            let _ = out
                .send(Out::Frame(ctx.data_ch + 1, fail(why).into_bytes()))
                .await;
            let _ = out.send(Out::Done).await;
            return;
        }
    };
    let conn = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr)).await;
    let mut conn = match conn {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let why = format!(
                "failed to connect to localhost:{} inside namespace of pod {}: {e}",
                ctx.port, ctx.pod
            );
            let _ = out
                .send(Out::Frame(ctx.data_ch + 1, fail(why).into_bytes()))
                .await;
            let _ = out.send(Out::Done).await;
            return;
        }
        Err(_) => {
            let why = format!("timed out connecting to localhost:{}", ctx.port);
            let _ = out
                .send(Out::Frame(ctx.data_ch + 1, fail(why).into_bytes()))
                .await;
            let _ = out.send(Out::Done).await;
            return;
        }
    };
    let mut buf = vec![0u8; 16 * 1024];
    let mut client_open = true;
    loop {
        tokio::select! {
            data = from_client.recv(), if client_open => match data {
                Some(d) => {
                    if conn.write_all(&d).await.is_err() {
                        break;
                    }
                }
                None => client_open = false,
            },
            n = conn.read(&mut buf) => match n {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if ctx.cut {
                        // Half of the pod's first answer (a DNS-over-TCP frame: its
                        // length prefix says how long; a read may hold several
                        // answers, and none of them may arrive whole), then the
                        // connection is gone.
                        let first = if n >= 2 {
                            2 + usize::from(u16::from_be_bytes([buf[0], buf[1]]))
                        } else {
                            n
                        };
                        let keep = (first.min(n) / 2).max(1).min(n);
                        let _ = out.send(Out::Frame(ctx.data_ch, buf[..keep].to_vec())).await;
                        let _ = out.send(Out::Abort).await;
                        return;
                    }
                    if out.send(Out::Frame(ctx.data_ch, buf[..n].to_vec())).await.is_err() {
                        return;
                    }
                }
            },
        }
    }
    let _ = out.send(Out::Done).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ports_like_the_kubelet() {
        assert_eq!(parse_ports(&q(&[("ports", "53")])).unwrap(), vec![53]);
        assert_eq!(
            parse_ports(&q(&[("ports", "53,9153"), ("ports", "80")])).unwrap(),
            vec![53, 9153, 80]
        );
        assert!(parse_ports(&q(&[])).unwrap_err().contains("required"));
        assert!(parse_ports(&q(&[("ports", "0")]))
            .unwrap_err()
            .contains("> 0"));
        assert!(parse_ports(&q(&[("ports", "x")])).is_err());
        assert!(parse_ports(&q(&[("ports", "70000")])).is_err());
    }

    #[test]
    fn frames_carry_the_channel() {
        match frame(false, 3, b"ab") {
            Message::Binary(b) => assert_eq!(&b[..], &[3, b'a', b'b']),
            other => panic!("{other:?}"),
        }
        match frame(true, 1, b"ab") {
            Message::Text(t) => assert_eq!(t.as_str(), "1YWI="),
            other => panic!("{other:?}"),
        }
    }
}
