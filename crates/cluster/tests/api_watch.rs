//! Watches over real sockets: chunked newline-delimited events, BOOKMARKs, resuming from
//! a resourceVersion, the in-stream 410, timeoutSeconds and dropped streams.

mod support;

use std::time::{Duration, Instant};

use hsvc_cluster::{Cluster, LiveCluster, LiveOptions};
use serde_json::Value;
use support::{Client, End};

const SLICES: &str = "/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices";

fn rv(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"]
        .as_str()
        .or_else(|| v["object"]["metadata"]["resourceVersion"].as_str())
        .unwrap()
        .parse()
        .unwrap()
}

fn quick_bookmarks() -> LiveOptions {
    let mut o = LiveOptions::default();
    o.api.bookmark_interval = Duration::from_millis(200);
    o
}

#[tokio::test]
async fn list_then_watch_sees_each_change_once() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (_, list) = c
        .get(&format!(
            "{SLICES}?labelSelector=kubernetes.io/service-name=web-headless"
        ))
        .await;
    let from = rv(&list);
    let mut w = c
        .watch(&format!("{SLICES}?watch=true&resourceVersion={from}&labelSelector=kubernetes.io/service-name=web-headless"))
        .await;
    assert!(
        w.next_within(Duration::from_millis(300)).await.is_none(),
        "no change, no event"
    );
    live.set_pod_ready("awx", "web-2", true);
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "MODIFIED");
    assert!(rv(&e) > from);
    let eps = e["object"]["endpoints"].as_array().unwrap();
    let web2 = eps
        .iter()
        .find(|x| x["targetRef"]["name"] == "web-2")
        .unwrap();
    assert_eq!(web2["conditions"]["ready"], true);
    // Resuming from the list's version replays the same event, and nothing else.
    let mut again = c
        .watch(&format!(
            "{SLICES}?watch=true&resourceVersion={from}&labelSelector=kubernetes.io/service-name=web-headless"
        ))
        .await;
    let r = again.next().await.unwrap();
    assert_eq!((r["type"].as_str(), rv(&r)), (Some("MODIFIED"), rv(&e)));
    assert!(again
        .next_within(Duration::from_millis(300))
        .await
        .is_none());
}

#[tokio::test]
async fn a_watch_without_version_starts_with_the_current_objects() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let mut w = c
        .watch("/api/v1/namespaces/awx/pods?watch=1&labelSelector=app%3Ddb")
        .await;
    let mut added = vec![];
    for _ in 0..2 {
        let e = w.next().await.unwrap();
        assert_eq!(e["type"], "ADDED");
        added.push(
            e["object"]["metadata"]["name"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    added.sort();
    assert_eq!(added, ["db-0", "db-1"]);
    live.delete_pod("awx", "db-1");
    let e = w.next().await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
        (Some("DELETED"), Some("db-1"))
    );
}

#[tokio::test]
async fn objects_leaving_a_selector_are_deleted_for_that_watch() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let from = live.api().resource_version();
    let mut w = c.watch(&format!("/api/v1/namespaces/awx/pods?watch=true&resourceVersion={from}&labelSelector=tier%3Dfront")).await;
    live.update(|m| {
        m.pod_mut("awx", "web-0")
            .unwrap()
            .labels
            .insert("tier".into(), "front".into());
    });
    assert_eq!(w.next().await.unwrap()["type"], "ADDED");
    live.update(|m| {
        m.pod_mut("awx", "web-0").unwrap().labels.remove("tier");
    });
    let e = w.next().await.unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
        (Some("DELETED"), Some("web-0"))
    );
}

#[tokio::test]
async fn bookmarks_carry_the_latest_version() {
    let live = LiveCluster::start_with(Cluster::demo(), quick_bookmarks()).unwrap();
    let c = Client::https(&live);
    let from = live.api().resource_version();
    let mut w = c
        .watch(&format!("{SLICES}?watch=true&resourceVersion={from}&allowWatchBookmarks=true&labelSelector=kubernetes.io/service-name=nothing"))
        .await;
    let b = w.next().await.unwrap();
    assert_eq!(b["type"], "BOOKMARK");
    assert_eq!(b["object"]["kind"], "EndpointSlice");
    assert_eq!(rv(&b), from);
    live.set_pod_ready("awx", "web-2", true);
    let now = live.api().resource_version();
    assert!(now > from);
    // Events this watch filters out still move its bookmarks.
    loop {
        let b = w.next().await.unwrap();
        assert_eq!(b["type"], "BOOKMARK");
        if rv(&b) == now {
            break;
        }
    }
    // Without allowWatchBookmarks there are none.
    let mut quiet = c
        .watch(&format!("{SLICES}?watch=true&resourceVersion={now}"))
        .await;
    assert!(quiet
        .next_within(Duration::from_millis(600))
        .await
        .is_none());
}

#[tokio::test]
async fn too_old_versions_get_an_in_stream_410() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let old = live.api().resource_version();
    live.set_pod_ready("awx", "web-2", true);
    live.faults().expire_history();
    let mut w = c
        .watch(&format!("{SLICES}?watch=true&resourceVersion={old}"))
        .await;
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "ERROR");
    assert_eq!(e["object"]["kind"], "Status");
    assert_eq!(e["object"]["code"], 410);
    assert_eq!(e["object"]["reason"], "Expired");
    assert!(e["object"]["message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("too old resource version: {old} (")));
    assert_eq!(w.next().await.unwrap_err(), End::Clean);
}

#[tokio::test]
async fn a_small_history_expires_by_itself() {
    let mut o = LiveOptions::default();
    o.api.history = 3;
    let live = LiveCluster::start_with(Cluster::demo(), o).unwrap();
    let old = live.api().resource_version();
    live.set_pod_ready("awx", "web-2", true); // five writes
    let mut w = Client::https(&live)
        .watch(&format!("{SLICES}?watch=true&resourceVersion={old}"))
        .await;
    assert_eq!(w.next().await.unwrap()["object"]["code"], 410);
}

#[tokio::test]
async fn timeout_seconds_ends_the_stream_cleanly() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let rv = live.api().resource_version();
    let t0 = Instant::now();
    let mut w = Client::https(&live)
        .watch(&format!(
            "{SLICES}?watch=true&resourceVersion={rv}&timeoutSeconds=1"
        ))
        .await;
    assert_eq!(w.next().await.unwrap_err(), End::Clean);
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn dropped_watch_streams_break_the_connection() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let rv = live.api().resource_version();
    let mut w = Client::http(&live)
        .watch(&format!("/api/v1/services?watch=true&resourceVersion={rv}"))
        .await;
    assert!(w.next_within(Duration::from_millis(200)).await.is_none());
    live.faults().drop_watches();
    assert_eq!(w.next().await.unwrap_err(), End::Broken);
}

#[tokio::test]
async fn table_watches_for_kubectl() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let rv = live.api().resource_version();
    let r = c
        .request(
            "GET",
            &format!("/api/v1/namespaces/awx/pods?watch=true&resourceVersion={rv}"),
            &[("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")],
        )
        .await;
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("as=Table"));
    let mut w = support::Lines::from_body(r.into_body());
    live.set_terminating("awx", "web-1", true);
    let e = w.next().await.unwrap();
    assert_eq!(e["type"], "MODIFIED");
    assert_eq!(e["object"]["kind"], "Table");
    let cells = &e["object"]["rows"][0]["cells"];
    assert_eq!(
        (cells[0].as_str(), cells[2].as_str()),
        (Some("web-1"), Some("Terminating"))
    );
}
