//! Per-query cost of DNS over TCP through the stand-in's port-forward stream vs. a direct
//! TCP query to the same replica: `cargo run -p hsvc-cluster --example forward_cost [N]`.

use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use hickory_proto::op::{Message, Query};
use hickory_proto::rr::{Name, RecordType};
use hsvc_cluster::{Cluster, LiveCluster};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as Ws;

fn framed_query(id: u16) -> Vec<u8> {
    let mut m = Message::query();
    m.metadata.id = id;
    m.add_query(Query::query(
        Name::from_ascii("web-headless.awx.svc.cluster.local.").unwrap(),
        RecordType::A,
    ));
    let q = m.to_vec().unwrap();
    let mut v = (q.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(&q);
    v
}

fn main() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run());
}

async fn run() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let rep = live.replicas()[0].clone();

    let mut tcp = tokio::net::TcpStream::connect(rep.addr).await.unwrap();
    let t0 = Instant::now();
    for i in 0..n {
        tcp.write_all(&framed_query(i as u16)).await.unwrap();
        let mut len = [0u8; 2];
        tcp.read_exact(&mut len).await.unwrap();
        let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
        tcp.read_exact(&mut body).await.unwrap();
    }
    let direct = t0.elapsed() / n;

    // Plain-HTTP port: the stream cost without TLS; one WebSocket, queries one at a time.
    let url = format!(
        "ws://{}/api/v1/namespaces/kube-system/pods/{}/portforward?ports=53",
        live.http_addr(),
        rep.pod
    );
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "v4.channel.k8s.io".parse().unwrap(),
    );
    let t_open = Instant::now();
    let io = tokio::net::TcpStream::connect(live.http_addr())
        .await
        .unwrap();
    let (mut ws, _) = tokio_tungstenite::client_async(req, io).await.unwrap();
    for _ in 0..2 {
        ws.next().await.unwrap().unwrap(); // port prefixes
    }
    let open = t_open.elapsed();
    let t0 = Instant::now();
    for i in 0..n {
        let mut f = vec![0u8];
        f.extend_from_slice(&framed_query(i as u16));
        ws.send(Ws::binary(f)).await.unwrap();
        let mut got = Vec::new();
        loop {
            if let Ws::Binary(b) = ws.next().await.unwrap().unwrap() {
                got.extend_from_slice(&b[1..]);
                if got.len() >= 2 && got.len() >= 2 + u16::from_be_bytes([got[0], got[1]]) as usize
                {
                    break;
                }
            }
        }
    }
    let forwarded = t0.elapsed() / n;
    println!("queries: {n}");
    println!("direct TCP:          {direct:?} per query");
    println!("through port-forward: {forwarded:?} per query (stream opened in {open:?})");
}
