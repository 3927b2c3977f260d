//! hsvc-api against the stand-in API server (`hsvc_cluster::LiveCluster`)
//! over real loopback sockets: HTTPS with the token of a written
//! kubeconfig, the plain-HTTP port, faults, the v1 Endpoints fallback,
//! watches through a 410, and the prediction against the stand-in's DNS.
//! Expected values come from the cluster model, never from hsvc-api.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hsvc_api::client::ApiClient;
use hsvc_api::compare::{self, DnsAnswer, Finding, Verdict};
use hsvc_api::config::{self, Credentials, Environment, NsSource, Source};
use hsvc_api::error::ApiError;
use hsvc_api::model::{Origin, ViewWarning};
use hsvc_api::predict::predict;
use hsvc_api::watch::{watch_service, WatchEvent};
use hsvc_cluster::{Cluster, IpFamily, LiveCluster, LiveOptions, Pod, Port, Service};

fn env(dir: &Path) -> Environment {
    Environment {
        kubeconfig: None,
        home: Some(dir.join("no-home")),
        service_host: None,
        service_account_dir: dir.join("no-sa"),
    }
}

fn opts(source: Source, ns: Option<&str>) -> config::Options {
    config::Options {
        source,
        namespace: ns.map(str::to_string),
        timeout: Duration::from_secs(5),
        attempts: 1,
    }
}

async fn https_client(live: &LiveCluster, dir: &Path, ns: Option<&str>) -> ApiClient {
    let kc = live.write_kubeconfig(dir).unwrap();
    let cfg = config::load(
        &opts(
            Source::Kubeconfig {
                path: Some(kc),
                context: None,
            },
            ns,
        ),
        &env(dir),
    )
    .await
    .unwrap();
    ApiClient::new(cfg).unwrap()
}

async fn http_client(live: &LiveCluster, dir: &Path, ns: Option<&str>) -> ApiClient {
    let cfg = config::load(&opts(Source::Url(live.http_url()), ns), &env(dir))
        .await
        .unwrap();
    ApiClient::new(cfg).unwrap()
}

/// The pods a Service selects in the model, with what the EndpointSlice
/// controller makes of them: (ip, pod, published).
fn expected(c: &Cluster, ns: &str, name: &str) -> BTreeSet<(IpAddr, String, bool)> {
    let svc = c.service(ns, name).expect("service in the model");
    c.pods_of(svc)
        .into_iter()
        .filter(|p| p.in_endpoints(true))
        .flat_map(|p| {
            let published = svc.publish_not_ready_addresses || (p.ready && !p.terminating);
            p.ips.iter().map(move |ip| (*ip, p.name.clone(), published))
        })
        .collect()
}

fn got(v: &hsvc_api::model::ServiceView) -> BTreeSet<(IpAddr, String, bool)> {
    v.endpoints
        .iter()
        .map(|e| (e.ip, e.pod.clone().unwrap_or_default(), e.published))
        .collect()
}

#[tokio::test]
async fn https_with_a_written_kubeconfig() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    // The context's namespace, as kubectl would use it.
    assert_eq!(c.config().namespace, "awx");
    assert!(matches!(
        &c.config().namespace_source,
        NsSource::Context { .. }
    ));
    assert!(matches!(
        &c.config().credentials,
        Credentials::Context { .. }
    ));
    let v = c.service_view("awx", "web-headless").await.unwrap();
    assert_eq!(v.origin, Origin::EndpointSlice);
    assert!(v.service.as_ref().unwrap().headless);
    let model = live.cluster();
    assert_eq!(got(&v), expected(&model, "awx", "web-headless"));
    // Conditions as the controller writes them, per pod of the model.
    for e in &v.endpoints {
        let pod = model
            .pods
            .iter()
            .find(|p| Some(&p.name) == e.pod.as_ref())
            .unwrap();
        assert_eq!(e.conditions.serving, Some(pod.ready), "{}", pod.name);
        assert_eq!(
            e.conditions.terminating,
            Some(pod.terminating),
            "{}",
            pod.name
        );
        assert_eq!(e.node, pod.node, "{}", pod.name);
        assert_eq!(e.zone, pod.zone, "{}", pod.name);
        // hostname only when spec.subdomain equals the Service name.
        let want = (pod.subdomain.as_deref() == Some("web-headless"))
            .then(|| pod.hostname.clone())
            .flatten();
        assert_eq!(e.hostname, want, "{}", pod.name);
        assert_eq!(e.ports.len(), 1);
        assert_eq!(e.ports[0].name.as_deref(), Some("http"));
    }
}

#[tokio::test]
async fn plain_http_like_kubectl_proxy() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = http_client(&live, dir.path(), Some("awx")).await;
    assert_eq!(c.config().credentials, Credentials::Anonymous);
    let v = c.service_view("awx", "db").await.unwrap();
    // Dual-stack: one IPv4 and one IPv6 slice, merged by address.
    let families: BTreeSet<&str> = v.slices.iter().map(|s| s.address_type.as_str()).collect();
    assert_eq!(families, BTreeSet::from(["IPv4", "IPv6"]));
    assert_eq!(got(&v), expected(&live.cluster(), "awx", "db"));
}

#[tokio::test]
async fn unauthorized_forbidden_not_found() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = live.kubeconfig().replace(live.token(), "wrong-token");
    assert_ne!(bad, live.kubeconfig(), "the token is in the kubeconfig");
    let f = dir.path().join("bad-kubeconfig");
    std::fs::write(&f, bad).unwrap();
    let cfg = config::load(
        &opts(
            Source::Kubeconfig {
                path: Some(f),
                context: None,
            },
            None,
        ),
        &env(dir.path()),
    )
    .await
    .unwrap();
    let ctx = match &cfg.credentials {
        Credentials::Context { context, .. } => context.clone(),
        other => panic!("{other:?}"),
    };
    let e = ApiClient::new(cfg)
        .unwrap()
        .service_view("awx", "web-headless")
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Unauthorized { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("unauthorized (credentials for context {ctx})")),
        "{e}"
    );

    let c = https_client(&live, dir.path(), None).await;
    live.faults().forbid("awx", "endpointslices");
    let e = c.service_view("awx", "web-headless").await.unwrap_err();
    assert!(matches!(e, ApiError::Forbidden { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("`list endpointslices.discovery.k8s.io in awx`"),
        "{e}"
    );
    live.faults().clear();

    let e = c.service_view("awx", "no-such-service").await.unwrap_err();
    assert!(matches!(e, ApiError::ServiceNotFound { .. }), "{e}");
    assert_eq!(e.class(), hsvc_api::error::ErrorClass::NotFound);

    live.faults().internal_error("services", true);
    let e = c.service_view("awx", "web-headless").await.unwrap_err();
    assert!(matches!(e, ApiError::Server { code: 500, .. }), "{e}");
}

#[tokio::test]
async fn headless_list_and_the_field_selector_fallback() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    let model = live.cluster();
    let want: BTreeSet<(String, String, usize, usize)> = model
        .services
        .iter()
        .filter(|s| s.is_headless())
        .map(|s| {
            // Ready/total by pod, as the list counts them.
            let pods: Vec<&Pod> = model
                .pods_of(s)
                .into_iter()
                .filter(|p| p.in_endpoints(true))
                .collect();
            let ready = pods
                .iter()
                .filter(|p| s.publish_not_ready_addresses || (p.ready && !p.terminating))
                .count();
            let total = if s.selector.is_some() {
                pods.len()
            } else {
                s.endpoints.len()
            };
            (s.namespace.clone(), s.name.clone(), ready, total)
        })
        .collect();
    let all = c.headless_services(None).await.unwrap();
    assert!(!all.filtered_client_side);
    let have: BTreeSet<(String, String, usize, usize)> = all
        .services
        .iter()
        .map(|s| (s.namespace.clone(), s.name.clone(), s.ready, s.total))
        .collect();
    assert_eq!(have, want);
    assert!(
        !all.services
            .iter()
            .any(|s| s.name == "web" && s.namespace == "awx"),
        "awx/web has a ClusterIP"
    );

    live.faults().reject_field_selectors(true);
    let filtered = c.headless_services(None).await.unwrap();
    assert!(filtered.filtered_client_side);
    assert_eq!(filtered.services, all.services);

    let awx = c.headless_services(Some("awx")).await.unwrap();
    assert!(awx.services.iter().all(|s| s.namespace == "awx"));
    assert_eq!(
        awx.services.len(),
        want.iter().filter(|w| w.0 == "awx").count()
    );
}

fn big_cluster(replicas: usize, dual: bool) -> Cluster {
    let mut c = Cluster::new("cluster.local");
    let mut svc = Service::headless_selecting(
        "big",
        "pool",
        vec![Port::tcp("http", 8080)],
        &[("app", "pool")],
    );
    if dual {
        svc.ip_families = vec![IpFamily::V4, IpFamily::V6];
    }
    c.services.push(svc);
    for i in 0..replicas {
        let v4 = IpAddr::V4(Ipv4Addr::from(
            u32::from(Ipv4Addr::new(127, 50, 0, 1)) + i as u32,
        ));
        let mut ips = vec![v4];
        if dual {
            ips.push(format!("fd00:50::{:x}", i + 1).parse().unwrap());
        }
        c.pods
            .push(Pod::new("big", &format!("pool-{i}"), &[("app", "pool")], ips).stateful("pool"));
    }
    c
}

#[tokio::test]
async fn many_slices_and_dual_stack_are_merged() {
    let live = LiveCluster::start(big_cluster(250, true)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = http_client(&live, dir.path(), None).await;
    let v = c.service_view("big", "pool").await.unwrap();
    // 100 endpoints per slice and family: 3 + 3 slices.
    assert!(v.slices.len() >= 6, "{} slices", v.slices.len());
    assert_eq!(v.endpoints.len(), 500);
    assert_eq!(got(&v), expected(&live.cluster(), "big", "pool"));
    assert_eq!(hsvc_api::client::counts(&v), (250, 250));
    // SRV dedup by (target, port): one per pod, both families behind it.
    let p = predict(&v);
    assert_eq!(p.srv.len(), 250);
    assert_eq!(p.addresses.len(), 500);
}

#[tokio::test]
async fn v1_endpoints_fallback() {
    let mut o = LiveOptions::default();
    o.api.endpointslices = false;
    let live = LiveCluster::start_with(Cluster::demo(), o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    let v = c.service_view("awx", "web-headless").await.unwrap();
    assert_eq!(v.origin, Origin::Endpoints);
    assert!(v
        .warnings
        .iter()
        .any(|w| matches!(w, ViewWarning::EndpointsFallback { message } if message.contains("deprecated from Kubernetes 1.33"))));
    // v1 Endpoints drops terminating pods and lists not-ready ones apart.
    let model = live.cluster();
    let want: BTreeSet<(IpAddr, String, bool)> = expected(&model, "awx", "web-headless")
        .into_iter()
        .filter(|(_, pod, _)| !model.pods.iter().any(|p| &p.name == pod && p.terminating))
        .collect();
    assert_eq!(got(&v), want);
    let list = c.headless_services(Some("awx")).await.unwrap();
    assert_eq!(list.origin, Origin::Endpoints);
}

#[tokio::test]
async fn timeouts_and_refused_connections_fail_within_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    // A listener that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let mut o = opts(Source::Url(url), Some("awx"));
    o.timeout = Duration::from_millis(300);
    o.attempts = 2;
    let c = ApiClient::new(config::load(&o, &env(dir.path())).await.unwrap()).unwrap();
    let t0 = Instant::now();
    let e = c.service_view("awx", "web").await.unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e}");
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    assert!(e.to_string().contains("within 600 ms"), "{e}");

    drop(silent);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let c = ApiClient::new(
        config::load(&opts(Source::Url(url), Some("awx")), &env(dir.path()))
            .await
            .unwrap(),
    )
    .unwrap();
    let t0 = Instant::now();
    let e = c.service_view("awx", "web").await.unwrap_err();
    assert!(
        matches!(&e, ApiError::Connect { detail, .. } if detail == "connection refused"),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));
}

/// The next snapshot; re-lists and errors on the way are counted.
async fn next_snapshot(
    s: &mut tokio::sync::mpsc::UnboundedReceiver<WatchEvent>,
    resyncs: &mut u32,
    errors: &mut u32,
) -> hsvc_api::model::ServiceView {
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(10), s.recv())
            .await
            .expect("an event within 10 s")
            .expect("the watch does not end");
        match ev {
            WatchEvent::Snapshot { view, .. } => return view,
            WatchEvent::Resync { .. } => *resyncs += 1,
            WatchEvent::Error(_) => *errors += 1,
        }
    }
}

/// `change`, then a change elsewhere (no event for this watch), the
/// history forgotten and the stream cut, all at once: the watcher
/// resumes from a resourceVersion that is now too old, gets the in-stream
/// 410 and lists again.
fn force_410(live: &LiveCluster, change: impl FnOnce(&LiveCluster)) {
    change(live);
    live.update(|c| {
        let p = c.pod_mut("awx", "cache-0").unwrap();
        p.ready = !p.ready;
    });
    live.faults().expire_history();
    live.faults().drop_watches();
}

#[tokio::test]
async fn watch_through_a_410_without_phantom_changes() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    // The stream is driven all the time, as a command would drive it: a
    // watcher only reconnects while it is polled.
    let mut stream = Box::pin(watch_service(&c, "awx", "web-headless").unwrap());
    let (tx, mut s) = tokio::sync::mpsc::unbounded_channel();
    let pump = tokio::spawn(async move {
        while let Some(ev) = stream.next().await {
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
    let (mut resyncs, mut errors) = (0, 0);
    let first = next_snapshot(&mut s, &mut resyncs, &mut errors).await;
    assert_eq!(
        got(&first),
        expected(&live.cluster(), "awx", "web-headless")
    );

    live.set_pod_ready("awx", "web-2", true);
    let second = next_snapshot(&mut s, &mut resyncs, &mut errors).await;
    assert_eq!(
        got(&second),
        expected(&live.cluster(), "awx", "web-headless")
    );
    assert_ne!(got(&first), got(&second));

    // A change elsewhere moves the resourceVersion on while the watch is
    // down: 410, a re-list that finds what was known — no snapshot. The
    // next snapshot must be the next real change.
    force_410(&live, |_| {});
    // Let the watcher see the cut, get its 410 and list again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    live.set_terminating("awx", "web-0", true);
    let third = next_snapshot(&mut s, &mut resyncs, &mut errors).await;
    assert_eq!(
        got(&third),
        expected(&live.cluster(), "awx", "web-headless")
    );
    let web0 = third
        .endpoints
        .iter()
        .find(|e| e.pod.as_deref() == Some("web-0"))
        .unwrap();
    assert_eq!(web0.conditions.terminating, Some(true));
    assert!(!web0.published);
    let r1 = resyncs;
    assert!(r1 >= 1, "the 410 was reported as a re-list");

    // A change made while the watch is down is not lost: the re-list
    // after the 410 finds it.
    force_410(&live, |l| {
        l.delete_pod("awx", "web-1");
    });
    let fourth = next_snapshot(&mut s, &mut resyncs, &mut errors).await;
    assert_eq!(
        got(&fourth),
        expected(&live.cluster(), "awx", "web-headless")
    );
    assert!(!got(&fourth).iter().any(|(_, pod, _)| pod == "web-1"));
    // The re-list may come after the event itself (delivered before the
    // cut): it must then report nothing new.
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), s.recv()).await {
            Ok(Some(WatchEvent::Snapshot { view, .. })) => {
                panic!("phantom change after the re-list: {:?}", got(&view))
            }
            Ok(Some(WatchEvent::Resync { .. })) => resyncs += 1,
            Ok(Some(WatchEvent::Error(_))) => errors += 1,
            Ok(None) => panic!("the watch ended"),
            Err(_) => {}
        }
    }
    assert!(resyncs > r1, "a second re-list");
    eprintln!("watch: {resyncs} re-lists, {errors} errors on the way");
    pump.abort();
}

async fn dns(live: &LiveCluster, ns: &str, name: &str) -> Vec<DnsAnswer> {
    let ctx = hsvc_resolve::name::Context::new(Some(ns), None, &[]);
    let target = hsvc_resolve::name::Target::parse(name, &ctx).unwrap();
    let mut out = Vec::new();
    for r in live.replicas() {
        let resolver = hsvc_resolve::lookup::Resolver::new(
            vec![r.addr],
            hsvc_resolve::dns::QueryOptions {
                timeout: Duration::from_secs(2),
                attempts: 1,
                tcp: false,
                edns: Some(1232),
                deadline: None,
            },
        );
        let a = resolver
            .resolve(target.clone(), &hsvc_resolve::lookup::PortQuery::default())
            .await;
        out.push(DnsAnswer::from_lookup(r.addr.to_string(), &a));
    }
    out
}

#[tokio::test]
async fn prediction_matches_the_stand_in_dns_and_names_a_lagging_replica() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    assert!(
        live.replicas().len() >= 2,
        "two CoreDNS replicas in the demo"
    );
    for (ns, name) in [
        ("awx", "web-headless"),
        ("awx", "db"),
        ("default", "web-headless"),
        ("shop", "jobs"),
        ("awx", "web"),
    ] {
        let v = c.observe(ns, name).await.unwrap();
        let cmp = compare::compare(&predict(&v), &dns(&live, ns, name).await);
        assert_eq!(
            cmp.verdict,
            Verdict::Match,
            "{ns}/{name}: {:#?}",
            cmp.servers
        );
    }

    // One replica freezes; web-0 starts terminating.
    let lagging = live.replicas()[1].pod.clone();
    live.lag_replica(&lagging, true);
    live.set_terminating("awx", "web-0", true);
    let v = c.observe("awx", "web-headless").await.unwrap();
    let cmp = compare::compare(&predict(&v), &dns(&live, "awx", "web-headless").await);
    assert_eq!(cmp.verdict, Verdict::Differs);
    assert_eq!(cmp.servers[0].verdict, Verdict::Match);
    assert_eq!(cmp.servers[1].verdict, Verdict::Differs);
    let web0 = live
        .cluster()
        .pods
        .iter()
        .find(|p| p.name == "web-0")
        .unwrap()
        .ips[0];
    let row = cmp.servers[1].rows.iter().find(|r| r.ip == web0).unwrap();
    assert!(row
        .findings
        .iter()
        .any(|f| matches!(f, Finding::StaleInDns { .. })));
    assert!(
        row.causes[0].contains("terminating in the API"),
        "{:?}",
        row.causes
    );
}

/// Wall time of an API read of a Service with `n` endpoints.
async fn time_read(n: usize) -> Duration {
    let live = LiveCluster::start(big_cluster(n, false)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = https_client(&live, dir.path(), None).await;
    c.service_view("big", "pool").await.unwrap(); // connection and TLS set up
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t0 = Instant::now();
        let v = c.service_view("big", "pool").await.unwrap();
        best = best.min(t0.elapsed());
        assert_eq!(v.endpoints.len(), n);
    }
    best
}

#[tokio::test]
async fn api_read_of_3_and_1000_endpoints() {
    let small = time_read(3).await;
    let large = time_read(1000).await;
    println!("API read over HTTPS, best of 5: 3 endpoints {small:?}, 1000 endpoints {large:?}");
    assert!(large < Duration::from_secs(5), "{large:?}");
}
