//! A small HTTP(S) and WebSocket client for the stand-in API, and DNS helpers. Written
//! against the wire (hyper, rustls, tungstenite), not against the server's code.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RData, RecordType};
use hsvc_cluster::LiveCluster;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::WebSocketStream;

/// Upper bound for anything a test waits for.
pub const WAIT: Duration = Duration::from_secs(10);

pub trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static> Io for T {}

/// How to reach the API.
#[derive(Clone)]
pub struct Client {
    pub addr: SocketAddr,
    pub tls: Option<TlsConnector>,
    pub token: Option<String>,
}

pub fn connector(ca_pem: &str) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    let der = pem_to_der(ca_pem);
    roots.add(der.into()).expect("CA certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body")
}

impl Client {
    /// HTTPS with the CA and the token.
    pub fn https(live: &LiveCluster) -> Client {
        Client {
            addr: live.https_addr(),
            tls: Some(connector(live.ca_pem())),
            token: Some(live.token().to_string()),
        }
    }

    /// Plain HTTP, no token.
    pub fn http(live: &LiveCluster) -> Client {
        Client {
            addr: live.http_addr(),
            tls: None,
            token: None,
        }
    }

    pub fn with_token(mut self, t: Option<&str>) -> Client {
        self.token = t.map(str::to_string);
        self
    }

    async fn io(&self) -> Box<dyn IoDyn> {
        let tcp = TcpStream::connect(self.addr).await.expect("connect");
        match &self.tls {
            Some(c) => {
                let name = ServerName::IpAddress(self.addr.ip().into());
                Box::new(c.connect(name, tcp).await.expect("TLS handshake"))
            }
            None => Box::new(tcp),
        }
    }

    /// Send a request; the response with its body still streaming.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> http::Response<Incoming> {
        let io = self.io().await;
        let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .expect("HTTP handshake");
        tokio::spawn(async move {
            let _ = conn.with_upgrades().await;
        });
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string());
        if let Some(t) = &self.token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        send.send_request(b.body(Empty::<Bytes>::new()).unwrap())
            .await
            .expect("response")
    }

    /// GET and read the whole body.
    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, Bytes) {
        let r = tokio::time::timeout(WAIT, self.request("GET", path, headers))
            .await
            .expect("response in time");
        let (parts, body) = r.into_parts();
        let body = tokio::time::timeout(WAIT, body.collect())
            .await
            .expect("body in time")
            .expect("body")
            .to_bytes();
        (parts.status, parts.headers, body)
    }

    /// GET a JSON document.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.get_with(path, &[]).await;
        let v =
            serde_json::from_slice(&b).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {b:?}"));
        (s, v)
    }

    /// Open a watch; read its lines with [`Lines::next`].
    pub async fn watch(&self, path: &str) -> Lines {
        let r = self.request("GET", path, &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        Lines {
            body: r.into_body(),
            buf: Vec::new(),
        }
    }

    /// WebSocket upgrade to `path`, offering `protocols`.
    pub async fn websocket(
        &self,
        path: &str,
        protocols: &str,
    ) -> Result<
        (
            WebSocketStream<Box<dyn IoDyn>>,
            http::Response<Option<Vec<u8>>>,
        ),
        tokio_tungstenite::tungstenite::Error,
    > {
        let io = self.io().await;
        let url = format!("ws://{}{path}", self.addr);
        let mut req = url.into_client_request().unwrap();
        if !protocols.is_empty() {
            req.headers_mut()
                .insert("sec-websocket-protocol", protocols.parse().unwrap());
        }
        if let Some(t) = &self.token {
            req.headers_mut()
                .insert("authorization", format!("Bearer {t}").parse().unwrap());
        }
        tokio_tungstenite::client_async(req, io).await
    }
}

pub trait IoDyn: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> IoDyn for T {}

/// Newline-delimited JSON from a streaming body.
pub struct Lines {
    body: Incoming,
    buf: Vec<u8>,
}

/// What ended a watch stream.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// The final chunk arrived.
    Clean,
    /// The connection broke.
    Broken,
}

impl Lines {
    /// Lines of a response body.
    pub fn from_body(body: Incoming) -> Lines {
        Lines {
            body,
            buf: Vec::new(),
        }
    }

    /// The next event, `Err(End)` when the stream is over; panics after [`WAIT`].
    pub async fn next(&mut self) -> Result<Value, End> {
        self.next_within(WAIT).await.expect("watch event in time")
    }

    /// The next event, `None` if nothing came within `d`.
    pub async fn next_within(&mut self, d: Duration) -> Option<Result<Value, End>> {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=i).collect();
                return Some(Ok(serde_json::from_slice(&line).expect("a JSON line")));
            }
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return None,
                Ok(None) => return Some(Err(End::Clean)),
                Ok(Some(Err(_))) => return Some(Err(End::Broken)),
                Ok(Some(Ok(f))) => {
                    if let Ok(d) = f.into_data() {
                        self.buf.extend_from_slice(&d);
                    }
                }
            }
        }
    }

    /// Skip BOOKMARKs; the next other event.
    pub async fn next_change(&mut self) -> Result<Value, End> {
        loop {
            let e = self.next().await?;
            if e["type"] != "BOOKMARK" {
                return Ok(e);
            }
        }
    }
}

/// A DNS query message.
pub fn dns_query(name: &str, t: RecordType, id: u16) -> Vec<u8> {
    let mut m = Message::query();
    m.metadata.id = id;
    m.add_query(Query::query(Name::from_ascii(name).unwrap(), t));
    m.to_vec().unwrap()
}

/// The A/AAAA addresses of a reply, sorted.
pub fn addresses(reply: &[u8]) -> Vec<String> {
    let m = Message::from_vec(reply).expect("DNS reply");
    let mut v: Vec<String> = m
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::A(a) => Some(a.0.to_string()),
            RData::AAAA(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect();
    v.sort();
    v
}

/// Ask a DNS server over UDP.
pub async fn udp_ask(server: SocketAddr, name: &str, t: RecordType) -> Vec<u8> {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    sock.send_to(&dns_query(name, t, 7), server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    let (n, _) = tokio::time::timeout(WAIT, sock.recv_from(&mut buf))
        .await
        .expect("DNS reply in time")
        .unwrap();
    buf.truncate(n);
    buf
}

/// Binary frame on a channel.
pub fn chan(ch: u8, data: &[u8]) -> Ws {
    let mut v = vec![ch];
    v.extend_from_slice(data);
    Ws::binary(v)
}

/// Send one DNS query over TCP framing on channel 0 of a port-forward and read the reply
/// (after the two port-prefix frames). Returns the reply, or the error-channel text.
pub async fn forward_query<S>(
    ws: &mut WebSocketStream<S>,
    name: &str,
    t: RecordType,
) -> Result<Vec<u8>, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    forward_query_on(ws, name, t, true).await
}

/// [`forward_query`] on a stream whose port prefixes were already read (`fresh` false).
pub async fn forward_query_on<S>(
    ws: &mut WebSocketStream<S>,
    name: &str,
    t: RecordType,
    fresh: bool,
) -> Result<Vec<u8>, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let q = dns_query(name, t, 42);
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    ws.send(chan(0, &framed)).await.map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    let mut seen_prefix = [!fresh; 2];
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .map_err(|_| "no answer in time".to_string())?;
        match msg {
            Some(Ok(Ws::Binary(b))) => {
                let ch = b[0] as usize;
                if ch < 2 && !seen_prefix[ch] {
                    assert_eq!(&b[1..], &53u16.to_le_bytes(), "port prefix on channel {ch}");
                    seen_prefix[ch] = true;
                    continue;
                }
                if ch == 1 {
                    return Err(String::from_utf8_lossy(&b[1..]).into_owned());
                }
                data.extend_from_slice(&b[1..]);
                if data.len() >= 2 {
                    let len = u16::from_be_bytes([data[0], data[1]]) as usize;
                    if data.len() >= 2 + len {
                        return Ok(data[2..2 + len].to_vec());
                    }
                }
            }
            Some(Ok(Ws::Close(_))) | None => {
                return Err(format!("closed after {} bytes", data.len()))
            }
            Some(Err(e)) => return Err(format!("broken after {} bytes: {e}", data.len())),
            Some(Ok(_)) => {}
        }
    }
}
