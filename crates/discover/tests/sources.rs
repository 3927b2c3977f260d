//! The sources against the embedded cluster over real loopback sockets:
//! DNS through failures and empty answers (keep-last-good, no phantom
//! changes), the API watch with its selection policies and topology, and
//! tower's view of the stream. Expected values come from the cluster
//! model.

use std::time::Duration;

use futures_util::StreamExt;
use hsvc_api::client::ApiClient;
use hsvc_api::config::{self, Environment, Source};
use hsvc_discover::testkit::{Cluster, Fault, LiveCluster};
use hsvc_discover::{ApiSource, Change, Discovery, DnsSource, Health, OnEmpty, Refresh, Selection};
use hsvc_resolve::dns::QueryOptions;

/// Bounds every wait, so that a broken source fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(20);

fn fast() -> Refresh {
    Refresh {
        min: Duration::from_millis(50),
        max: Duration::from_secs(1),
        jitter: 0.1,
    }
}

fn live(ttl: u32) -> LiveCluster {
    let mut c = Cluster::demo();
    c.ttl = ttl;
    LiveCluster::start(c).unwrap()
}

fn dns(live: &LiveCluster, ns: &str, name: &str) -> DnsSource {
    DnsSource::new(vec![live.dns_addr()], ns, name)
        .unwrap()
        .refresh(fast())
        .query_options(QueryOptions {
            timeout: Duration::from_millis(300),
            attempts: 1,
            ..QueryOptions::default()
        })
        .jitter_seed(1)
}

async fn next(d: &mut Discovery) -> Change {
    tokio::time::timeout(PATIENCE, d.next_change())
        .await
        .expect("a change within the patience")
        .expect("the stream goes on")
}

async fn take(d: &mut Discovery, n: usize) -> Vec<Change> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(next(d).await);
    }
    v
}

fn added_ids(v: &[Change]) -> Vec<String> {
    v.iter()
        .map(|c| match c {
            Change::Added(k, _) => k.id.clone(),
            other => panic!("expected an addition, got {other:?}"),
        })
        .collect()
}

async fn wait_health(h: &Health, what: &str, pred: impl Fn(&hsvc_discover::HealthState) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !pred(&h.get()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: {:?}",
            h.get()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn dns_failures_change_nothing_and_the_next_change_is_the_real_one() {
    let live = live(1);
    let name = "api.shop.svc.cluster.local";
    let mut d = dns(&live, "shop", "api").start();
    let h = d.health();
    let first = take(&mut d, 3).await;
    assert_eq!(added_ids(&first), ["api-0", "api-1", "api-2"]);
    match &first[0] {
        Change::Added(k, e) => {
            assert_eq!(k.hostname.as_deref(), Some("api-0"));
            let model = live.cluster();
            let ip = model.pod("shop", "api-0").unwrap().ips[0];
            let port = model.service("shop", "api").unwrap().ports[0].port;
            assert_eq!(e.socket_addr(), Some(std::net::SocketAddr::new(ip, port)));
            assert!(e.ready);
        }
        _ => unreachable!(),
    }

    // SERVFAIL, then no answer at all: failures in the health, no change.
    let zone = &live.replicas()[0].zone;
    zone.set_fault(name, Fault::ServFail);
    wait_health(&h, "servfail seen", |s| s.failures >= 2).await;
    let st = h.get();
    let err = st.last_error.unwrap();
    assert!(
        err.contains("servfail") && err.contains(&live.dns_addr().to_string()),
        "{err}"
    );
    assert_eq!(st.endpoints, 3, "the set is kept");
    zone.clear_faults();
    zone.set_drop_all(true);
    let before = h.get().total_failures;
    wait_health(&h, "timeouts seen", |s| s.total_failures >= before + 2).await;
    assert!(h.get().last_error.unwrap().contains("timeout"));
    zone.set_drop_all(false);

    // Back: the first change after the outage is the real scale-up, not a
    // remove/add of what was there all along.
    live.scale("shop", "api", 4);
    let c = next(&mut d).await;
    assert_eq!(added_ids(&[c]), ["api-3"]);
    wait_health(&h, "recovered", |s| {
        s.failures == 0 && s.last_error.is_none()
    })
    .await;
    let s = h.get();
    assert_eq!(s.endpoints, 4);
    assert_eq!(s.answered_by, Some(live.dns_addr().to_string()));
    assert_eq!(s.ttl, Some(1));
}

#[tokio::test(flavor = "current_thread")]
async fn an_empty_answer_keeps_the_set_unless_told_to_apply_it() {
    let live = live(1);
    let mut keep = dns(&live, "shop", "api").start();
    let mut apply = dns(&live, "shop", "api").on_empty(OnEmpty::Apply).start();
    take(&mut keep, 3).await;
    take(&mut apply, 3).await;
    for p in ["api-0", "api-1", "api-2"] {
        live.set_pod_ready("shop", p, false);
    }
    let removed = take(&mut apply, 3).await;
    assert!(
        removed.iter().all(|c| matches!(c, Change::Removed(_))),
        "{removed:?}"
    );
    let h = keep.health();
    let seen = h.resolutions();
    wait_health(&h, "resolved while empty", |s| s.resolutions >= seen + 2).await;
    assert_eq!(h.get().endpoints, 3);
    live.set_pod_ready("shop", "api-1", true);
    // The keeping stream had nothing to report; now the set is api-1 only.
    let c = take(&mut keep, 2).await;
    assert!(
        c.iter()
            .all(|c| matches!(c, Change::Removed(k) if k.id != "api-1")),
        "{c:?}"
    );
    assert_eq!(added_ids(&take(&mut apply, 1).await), ["api-1"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_name_that_is_not_a_service_is_refused() {
    let live = live(5);
    let e = DnsSource::new(
        vec![live.dns_addr()],
        "shop",
        "10-1-2-3.shop.pod.cluster.local",
    )
    .unwrap_err();
    assert!(e.to_string().contains("not a Service name"), "{e}");
    assert!(DnsSource::new(vec![live.dns_addr()], "shop", "a..b").is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn tower_sees_inserts_and_removes() {
    use tower::discover::Change as T;
    let live = live(1);
    let mut d = dns(&live, "shop", "api")
        .start()
        .into_tower(|k, e| (k.id.clone(), e.socket_addr()));
    let mut ids = Vec::new();
    for _ in 0..3 {
        match tokio::time::timeout(PATIENCE, d.next())
            .await
            .unwrap()
            .unwrap()
        {
            Ok(T::Insert(k, (id, addr))) => {
                assert_eq!(k.id, id);
                assert!(addr.is_some());
                ids.push(id);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(ids, ["api-0", "api-1", "api-2"]);
    live.scale("shop", "api", 2);
    match tokio::time::timeout(PATIENCE, d.next())
        .await
        .unwrap()
        .unwrap()
    {
        Ok(T::Remove(k)) => assert_eq!(k.id, "api-2"),
        other => panic!("{other:?}"),
    }
}

async fn api_client(live: &LiveCluster, dir: &std::path::Path) -> ApiClient {
    let env = Environment {
        kubeconfig: None,
        home: Some(dir.join("no-home")),
        service_host: None,
        service_account_dir: dir.join("no-sa"),
    };
    let kc = live.write_kubeconfig(dir).unwrap();
    let opts = config::Options {
        source: Source::Kubeconfig {
            path: Some(kc),
            context: None,
        },
        namespace: None,
        timeout: Duration::from_secs(5),
        attempts: 1,
    };
    ApiClient::new(config::load(&opts, &env).await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_watch_carries_topology_and_each_selection_policy() {
    let live = live(30);
    let dir = tempfile::tempdir().unwrap();
    let client = api_client(&live, dir.path()).await;
    // awx/web-headless: web-0, web-1 ready; web-2 not ready; web-3 terminating.
    let mut published = ApiSource::new(client.clone(), "awx", "web-headless")
        .start()
        .unwrap();
    let mut fallback = ApiSource::new(client, "awx", "web-headless")
        .selection(Selection::KubeProxyFallback)
        .start()
        .unwrap();
    for d in [&mut published, &mut fallback] {
        let first = take(d, 2).await;
        assert_eq!(added_ids(&first), ["web-0", "web-1"]);
        match &first[1] {
            Change::Added(k, e) => {
                assert_eq!(k.pod.as_deref(), Some("web-1"));
                assert_eq!(k.hostname.as_deref(), Some("web-1"));
                assert_eq!(k.node.as_deref(), Some("node-b"));
                assert_eq!(k.zone.as_deref(), Some("zone-b"));
                let model = live.cluster();
                let svc = model.service("awx", "web-headless").unwrap();
                assert_eq!(e.port, Some(svc.ports[0].port));
                assert!(e.ready);
            }
            _ => unreachable!(),
        }
    }

    // No pod ready: DNS publishes nothing (the set is kept), kube-proxy
    // falls back to web-3, serving while terminating.
    live.set_pod_ready("awx", "web-0", false);
    live.set_pod_ready("awx", "web-1", false);
    let c = take(&mut fallback, 3).await;
    assert!(
        matches!(&c[0], Change::Removed(k) if k.id == "web-0"),
        "{c:?}"
    );
    assert!(
        matches!(&c[1], Change::Removed(k) if k.id == "web-1"),
        "{c:?}"
    );
    match &c[2] {
        Change::Added(k, e) => {
            assert_eq!(k.id, "web-3");
            assert!(!e.ready, "a fallback endpoint is not ready");
            assert_eq!(k.node.as_deref(), Some("node-b"));
        }
        other => panic!("{other:?}"),
    }

    // The watch is cut and its history expired (410 on resume): the re-list
    // finds what is known, and reports nothing; the next change is real.
    let h = published.health();
    live.faults().expire_history();
    live.faults().drop_watches();
    live.set_pod_ready("awx", "web-1", true);
    let c = next(&mut published).await;
    assert!(matches!(&c, Change::Removed(k) if k.id == "web-0"), "{c:?}");
    assert_eq!(h.get().endpoints, 1);
    let c = take(&mut fallback, 2).await;
    assert!(
        matches!(&c[0], Change::Removed(k) if k.id == "web-3"),
        "{c:?}"
    );
    assert_eq!(added_ids(&c[1..]), ["web-1"]);
    assert_eq!(h.get().answered_by, Some(live.https_url()));
}

#[tokio::test(flavor = "current_thread")]
async fn resolv_conf_gives_the_namespace_and_its_errors_are_one_line() {
    let live = live(5);
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("resolv.conf");
    std::fs::write(
        &rc,
        "nameserver 127.0.0.1\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
    )
    .unwrap();
    let src = DnsSource::from_resolv_conf_at(&rc, "api")
        .unwrap()
        .servers(vec![live.dns_addr()]);
    let r = src.resolve_once().await.unwrap();
    let model = live.cluster();
    let svc = model.service("shop", "api").unwrap();
    let mut want: Vec<_> = model.pods_of(svc).iter().map(|p| p.ips[0]).collect();
    want.sort();
    let got: Vec<_> = r.entries.iter().map(|(_, e)| e.addresses[0]).collect();
    assert_eq!(got, want);
    assert_eq!(r.server, live.dns_addr());

    std::fs::write(&rc, "search shop.svc.cluster.local\n").unwrap();
    let e = DnsSource::from_resolv_conf_at(&rc, "api").unwrap_err();
    assert!(e.to_string().ends_with("no nameserver"), "{e}");
    let e = DnsSource::from_resolv_conf_at(&dir.path().join("missing"), "api").unwrap_err();
    assert!(!e.to_string().contains('\n'), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_testkit_client_watches_and_publish_not_ready_counts_as_published() {
    let live = live(30);
    let client = hsvc_discover::testkit::api_client(&live).await.unwrap();
    // shop/jobs publishes not-ready addresses: both pods are in DNS, so
    // both are in the DnsPublished selection.
    let mut d = ApiSource::new(client, "shop", "jobs").start().unwrap();
    let model = live.cluster();
    let svc = model.service("shop", "jobs").unwrap();
    assert!(svc.publish_not_ready_addresses);
    let mut want: Vec<String> = model.pods_of(svc).iter().map(|p| p.name.clone()).collect();
    want.sort();
    assert!(
        model.pods_of(svc).iter().any(|p| !p.ready),
        "the model has a not-ready pod"
    );
    let got = take(&mut d, want.len()).await;
    assert_eq!(added_ids(&got), want);
    assert_eq!(d.health().get().answered_by, Some(live.http_url()));
}
