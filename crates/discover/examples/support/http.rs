//! HTTP/1.1 pods that answer with their name, and a one-request client.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One pod: HTTP/1.1, answers every request with the pod's name. Aborting
/// the task closes its connections too.
pub async fn serve(pod: String, listener: TcpListener, hits: Arc<AtomicU64>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let (pod, hits) = (pod.clone(), hits.clone());
        conns.spawn(async move {
            let svc = service_fn(move |_req: Request<hyper::body::Incoming>| {
                hits.fetch_add(1, Ordering::SeqCst);
                let body = Full::new(Bytes::from(pod.clone()));
                async move { Ok::<_, Infallible>(Response::new(body)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// The client: hyper-util's pooled client (one kept-alive connection per
/// pod address, as an application would use it).
pub type Client = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Empty<Bytes>,
>;

/// A pooled HTTP/1.1 client.
pub fn client() -> Client {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// One GET of `path` at the pod at `addr`; the body.
pub async fn get(
    client: &Client,
    addr: SocketAddr,
    host: &str,
    path: &str,
) -> Result<String, String> {
    let req = Request::get(format!("http://{addr}{path}"))
        .header("host", host)
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let resp = client
        .request(req)
        .await
        .map_err(|e| format!("{addr}: {e}"))?;
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}
