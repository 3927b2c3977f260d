//! The pod portforward subresource over WebSocket, as kube-rs uses it: DNS over TCP to
//! each CoreDNS replica through the API, replicas that differ, and the faults.

mod support;

use futures_util::StreamExt;
use hickory_proto::rr::RecordType;
use hsvc_cluster::{Cluster, LiveCluster, PodPhase};
use support::{addresses, forward_query, Client};
use tokio_tungstenite::tungstenite::Message as Ws;

const KUBE_RS: &str = "v5.channel.k8s.io, v4.channel.k8s.io";
const A: &str = "coredns-5d78c9869d-abcde";
const B: &str = "coredns-5d78c9869d-fghij";
const WEB: &str = "web-headless.awx.svc.cluster.local.";

fn pf(pod: &str) -> String {
    format!("/api/v1/namespaces/kube-system/pods/{pod}/portforward?ports=53")
}

#[tokio::test]
async fn kube_rs_offer_gets_v4_and_dns_answers_through_the_stream() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (mut ws, resp) = c.websocket(&pf(A), KUBE_RS).await.expect("upgrade");
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        "v4.channel.k8s.io"
    );
    let reply = forward_query(&mut ws, WEB, RecordType::A).await.unwrap();
    assert_eq!(addresses(&reply), ["127.244.194.67", "127.244.217.10"]);
    // Pipelined on the same stream: a second query, same connection to the pod.
    let reply = support::forward_query_on(
        &mut ws,
        "db.awx.svc.cluster.local.",
        RecordType::AAAA,
        false,
    )
    .await;
    assert_eq!(addresses(&reply.unwrap()), ["::1"]);
    let log = live.replica(A).unwrap().zone.query_log();
    assert_eq!(log.len(), 2);
    assert!(log
        .iter()
        .all(|e| e.transport == hsvc_cluster::Transport::Tcp));
    assert!(
        live.replica(B).unwrap().zone.query_log().is_empty(),
        "one stream, one replica"
    );
}

#[tokio::test]
async fn each_replica_on_its_own_stream_and_a_lagging_one_shows() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    live.lag_replica(B, true);
    live.set_pod_ready("awx", "web-2", true);
    let c = Client::https(&live);
    let mut answers = Vec::new();
    for pod in [A, B] {
        let (mut ws, _) = c.websocket(&pf(pod), KUBE_RS).await.unwrap();
        answers.push(addresses(
            &forward_query(&mut ws, WEB, RecordType::A).await.unwrap(),
        ));
    }
    assert_eq!(answers[0].len(), 3);
    assert_eq!(answers[1].len(), 2, "the lagging replica: {answers:?}");
}

#[tokio::test]
async fn base64_and_plain_protocols_and_unknown_ones() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::http(&live);
    let (mut ws, resp) = c
        .websocket(&pf(A), "v4.base64.channel.k8s.io")
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        "v4.base64.channel.k8s.io"
    );
    match ws.next().await.unwrap().unwrap() {
        Ws::Text(t) => assert_eq!(
            t.as_str(),
            "0NQA=",
            "channel '0', port 53 little-endian, base64"
        ),
        other => panic!("{other:?}"),
    }
    let _ = ws.close(None).await;
    let (mut ws, resp) = c.websocket(&pf(A), "").await.unwrap();
    assert!(resp.headers().get("sec-websocket-protocol").is_none());
    assert_eq!(
        addresses(&forward_query(&mut ws, WEB, RecordType::A).await.unwrap()).len(),
        2
    );
    match c.websocket(&pf(A), "SPDY/3.1+portforward.k8s.io").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 400),
        other => panic!("expected a refused upgrade: {:?}", other.map(|x| x.1)),
    }
    let r = c
        .request(
            "POST",
            &pf(A),
            &[("upgrade", "SPDY/3.1"), ("connection", "Upgrade")],
        )
        .await;
    assert_eq!(r.status(), 400, "SPDY is refused with a Status");
}

#[tokio::test]
async fn two_ports_have_their_own_channels() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let path = format!("/api/v1/namespaces/kube-system/pods/{A}/portforward?ports=53,9153");
    let (mut ws, _) = c.websocket(&path, KUBE_RS).await.unwrap();
    let mut prefixes = Vec::new();
    let mut error_text = None;
    while error_text.is_none() {
        match tokio::time::timeout(support::WAIT, ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Ws::Binary(b))) if b.len() == 3 && prefixes.len() < 4 => {
                prefixes.push((b[0], u16::from_le_bytes([b[1], b[2]])));
            }
            Some(Ok(Ws::Binary(b))) if b[0] == 3 => {
                error_text = Some(String::from_utf8_lossy(&b[1..]).into_owned())
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(prefixes, [(0, 53), (1, 53), (2, 9153), (3, 9153)]);
    // Nothing listens on the replica's 9153: the error channel of port 2 says so.
    let e = error_text.unwrap();
    assert!(
        e.starts_with(&format!("error forwarding port 9153 to pod {A}, uid ")),
        "{e}"
    );
}

#[tokio::test]
async fn refused_not_running_missing_and_cut_short() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    live.faults().forbid("kube-system", "pods/portforward");
    match c.websocket(&pf(A), KUBE_RS).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), 403);
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap()).unwrap();
            assert_eq!(
                body["message"],
                format!("pods \"{A}\" is forbidden: User \"system:serviceaccount:default:hsvc\" cannot create resource \"pods/portforward\" in API group \"\" in the namespace \"kube-system\"")
            );
        }
        other => panic!("expected 403: {:?}", other.map(|x| x.1)),
    }
    live.faults().clear();

    live.set_phase("kube-system", B, PodPhase::Pending);
    let (mut ws, _) = c.websocket(&pf(B), KUBE_RS).await.unwrap();
    let err = forward_query(&mut ws, WEB, RecordType::A)
        .await
        .unwrap_err();
    assert!(err.contains("pod is not running (phase Pending)"), "{err}");

    match c
        .websocket(
            "/api/v1/namespaces/kube-system/pods/coredns-gone/portforward?ports=53",
            KUBE_RS,
        )
        .await
    {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 404),
        other => panic!("expected 404: {:?}", other.map(|x| x.1)),
    }

    live.faults()
        .cut_forwards_mid_answer("kube-system", A, true);
    let (mut ws, _) = c.websocket(&pf(A), KUBE_RS).await.unwrap();
    let err = forward_query(&mut ws, WEB, RecordType::A)
        .await
        .unwrap_err();
    assert!(
        err.contains("after") && !err.contains("after 0 bytes"),
        "{err}"
    );
    assert_eq!(
        live.api().forwards(),
        2,
        "refused and missing pods were never upgraded"
    );
}

#[tokio::test]
async fn a_forward_refused_for_one_pod_only() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    live.faults().forbid_forward("kube-system", A, true);
    match c.websocket(&pf(A), KUBE_RS).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
            assert_eq!(r.status(), 403);
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_deref().unwrap()).unwrap();
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("cannot create resource \"pods/portforward\""),
                "{body}"
            );
        }
        other => panic!("expected 403: {:?}", other.map(|x| x.1)),
    }
    let (mut ws, _) = c.websocket(&pf(B), KUBE_RS).await.expect("the other pod");
    assert_eq!(
        addresses(&forward_query(&mut ws, WEB, RecordType::A).await.unwrap()).len(),
        2
    );
    live.faults().forbid_forward("kube-system", A, false);
    assert!(c.websocket(&pf(A), KUBE_RS).await.is_ok(), "allowed again");
    assert_eq!(live.api().forwards(), 2);
}
