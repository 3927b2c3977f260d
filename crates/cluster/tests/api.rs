//! The stand-in API over real sockets: HTTPS with a token, plain HTTP, discovery,
//! list/get, selectors, paging, Status errors, and the DNS view of the same model.

mod support;

use hickory_proto::rr::RecordType;
use hsvc_cluster::{Cluster, LiveCluster, LiveOptions};
use serde_json::Value;
use support::{addresses, udp_ask, Client};

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn slice_addresses(list: &Value, pred: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut v: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .filter(|e| pred(e))
        .flat_map(|e| e["addresses"].as_array().cloned().unwrap_or_default())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn https_needs_the_token_and_plain_http_does_not() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (s, v) = c.get("/version").await;
    assert_eq!(s, 200);
    assert_eq!(v["gitVersion"], "v1.33.0");
    for bad in [None, Some("wrong")] {
        let (s, v) = c.clone().with_token(bad).get("/api/v1/services").await;
        assert_eq!(s, 401, "{bad:?}");
        assert_eq!(
            (v["kind"].as_str(), v["reason"].as_str(), v["code"].as_u64()),
            (Some("Status"), Some("Unauthorized"), Some(401))
        );
    }
    let (s, v) = Client::http(&live).get("/api/v1/namespaces").await;
    assert_eq!(s, 200);
    assert!(names(&v).contains(&"awx".to_string()));
}

#[tokio::test]
async fn discovery_documents() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    assert_eq!(c.get("/api").await.1["versions"][0], "v1");
    let (_, apis) = c.get("/apis").await;
    assert_eq!(
        apis["groups"][0]["preferredVersion"]["groupVersion"],
        "discovery.k8s.io/v1"
    );
    let (_, core) = c.get("/api/v1").await;
    let res: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for r in [
        "services",
        "endpoints",
        "pods",
        "namespaces",
        "pods/portforward",
    ] {
        assert!(res.contains(&r), "{r} in {res:?}");
    }
    let (_, d) = c.get("/apis/discovery.k8s.io/v1").await;
    assert_eq!(d["resources"][0]["name"], "endpointslices");
    assert_eq!(d["resources"][0]["verbs"][2], "watch");
    let (s, v) = c.get("/apis/apps/v1/deployments").await;
    assert_eq!((s.as_u16(), v["reason"].as_str()), (404, Some("NotFound")));
}

#[tokio::test]
async fn a_cluster_before_1_21_has_no_endpointslices() {
    let mut opts = LiveOptions::default();
    opts.api.endpointslices = false;
    opts.api.minor = 20;
    let live = LiveCluster::start_with(Cluster::demo(), opts).unwrap();
    let c = Client::https(&live);
    assert_eq!(
        c.get("/apis").await.1["groups"].as_array().unwrap().len(),
        0
    );
    let (s, _) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices")
        .await;
    assert_eq!(s, 404);
    let (s, h, _) = c
        .get_with("/api/v1/namespaces/awx/endpoints/web-headless", &[])
        .await;
    assert_eq!(s, 200);
    assert!(
        h.get("warning").is_none(),
        "no 1.33 deprecation warning on a 1.20 server"
    );
}

#[tokio::test]
async fn endpointslices_carry_conditions_and_topology() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (s, list) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb-headless")
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["kind"], "EndpointSliceList");
    assert!(
        list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let eps = items[0]["endpoints"].as_array().unwrap();
    let by = |pod: &str| {
        eps.iter()
            .find(|e| e["targetRef"]["name"] == pod)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by("web-0")["conditions"],
        serde_json::json!({"ready": true, "serving": true, "terminating": false})
    );
    assert_eq!(by("web-2")["conditions"]["ready"], false);
    assert_eq!(
        by("web-3")["conditions"],
        serde_json::json!({"ready": false, "serving": true, "terminating": true})
    );
    assert_eq!(by("web-1")["hostname"], "web-1");
    assert_eq!(by("web-1")["nodeName"], "node-b");
    assert_eq!(by("web-1")["zone"], "zone-b");
    assert_eq!(items[0]["ports"][0]["name"], "http");
    assert_eq!(items[0]["ports"][0]["protocol"], "TCP");
    assert_eq!(
        items[0]["metadata"]["labels"]["service.kubernetes.io/headless"],
        ""
    );

    // Dual stack: one slice per family.
    let (_, db) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices?labelSelector=kubernetes.io/service-name=db")
        .await;
    let mut fams: Vec<&str> = db["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["addressType"].as_str().unwrap())
        .collect();
    fams.sort();
    assert_eq!(fams, ["IPv4", "IPv6"]);

    // get by name, and NotFound
    let name = items[0]["metadata"]["name"].as_str().unwrap();
    let (s, one) = c
        .get(&format!(
            "/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices/{name}"
        ))
        .await;
    assert_eq!(
        (s.as_u16(), one["kind"].as_str()),
        (200, Some("EndpointSlice"))
    );
    let (s, nf) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices/nope")
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        nf["message"],
        "endpointslices.discovery.k8s.io \"nope\" not found"
    );
}

#[tokio::test]
async fn label_selector_operators() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let pods = |sel: &'static str| {
        let c = c.clone();
        async move {
            let (s, v) = c
                .get(&format!("/api/v1/namespaces/awx/pods?labelSelector={sel}"))
                .await;
            assert_eq!(s, 200, "{sel}: {v}");
            let mut n = names(&v);
            n.sort();
            n
        }
    };
    assert_eq!(pods("app%3Ddb").await, ["db-0", "db-1"]);
    assert_eq!(pods("app%3D%3Ddb").await, ["db-0", "db-1"]);
    assert_eq!(
        pods("app%20in%20(db%2Ccache)").await,
        ["cache-0", "db-0", "db-1"]
    );
    assert_eq!(pods("app%20notin%20(web%2Cdb)").await, ["cache-0"]);
    assert_eq!(pods("app!%3Dweb").await, ["cache-0", "db-0", "db-1"]);
    assert_eq!(pods("app").await.len(), 7);
    assert!(pods("!app").await.is_empty());
    let (s, v) = c.get("/api/v1/pods?labelSelector=app%20in%20web").await;
    assert_eq!(
        (s.as_u16(), v["reason"].as_str()),
        (400, Some("BadRequest"))
    );
}

#[tokio::test]
async fn headless_services_by_field_selector_and_its_400_fallback() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (s, v) = c
        .get("/api/v1/services?fieldSelector=spec.clusterIP%3DNone")
        .await;
    assert_eq!(s, 200);
    let n = names(&v);
    assert!(n.contains(&"web-headless".to_string()) && n.contains(&"db".to_string()));
    assert!(
        !n.contains(&"web".to_string()) && !n.contains(&"kube-dns".to_string()),
        "{n:?}"
    );
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["spec"]["clusterIP"] == "None"));
    let (_, all) = c.get("/api/v1/services").await;
    assert_eq!(names(&all).len(), n.len() + 2);
    live.faults().reject_field_selectors(true);
    let (s, e) = c
        .get("/api/v1/services?fieldSelector=spec.clusterIP%3DNone")
        .await;
    assert_eq!(s, 400);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("field label not supported: spec.clusterIP"),
        "{e}"
    );
    let (s, _) = c
        .get("/api/v1/services?fieldSelector=metadata.name%3Ddb")
        .await;
    assert_eq!(s, 200, "metadata.name still works");
}

#[tokio::test]
async fn limit_and_continue_are_consistent_and_expire() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (_, all) = c.get("/api/v1/pods").await;
    let all = names(&all);
    let (_, p1) = c.get("/api/v1/pods?limit=5").await;
    assert_eq!(names(&p1), all[..5]);
    let tok = p1["metadata"]["continue"].as_str().unwrap().to_string();
    assert_eq!(p1["metadata"]["remainingItemCount"], all.len() - 5);
    // A change between pages does not show in the rest of this list.
    live.delete_pod("shop", "api-2");
    let (s, p2) = c
        .get(&format!("/api/v1/pods?limit=100&continue={tok}"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(names(&p2), all[5..]);
    assert_eq!(
        p2["metadata"]["resourceVersion"],
        p1["metadata"]["resourceVersion"]
    );
    assert!(p2["metadata"]["continue"].is_null());
    live.faults().expire_history();
    let (s, e) = c.get(&format!("/api/v1/pods?limit=5&continue={tok}")).await;
    assert_eq!(
        (s.as_u16(), e["reason"].as_str(), e["code"].as_u64()),
        (410, Some("Expired"), Some(410))
    );
    let (s, _) = c.get("/api/v1/pods?continue=%25%25").await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn v1_endpoints_splits_ready_and_warns() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let (s, h, b) = c
        .get_with("/api/v1/namespaces/awx/endpoints/web-headless", &[])
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        h.get("warning").unwrap(),
        "299 - \"v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\""
    );
    let v: Value = serde_json::from_slice(&b).unwrap();
    let ips = |k: &str| -> Vec<String> {
        let mut v: Vec<String> = v["subsets"][0][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["ip"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ips("addresses"), ["127.244.194.67", "127.244.217.10"]);
    assert_eq!(
        ips("notReadyAddresses"),
        ["127.244.217.11"],
        "terminating web-3 is dropped"
    );
}

#[tokio::test]
async fn forbidden_and_internal_errors_read_like_a_real_api_server() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    live.faults().forbid("awx", "endpointslices");
    let (s, v) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices")
        .await;
    assert_eq!(s, 403);
    assert_eq!(
        v["message"],
        "endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:default:hsvc\" cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"awx\""
    );
    assert_eq!(v["details"]["group"], "discovery.k8s.io");
    let (s, _) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")
        .await;
    assert_eq!(s, 200, "other namespaces are allowed");
    let (s, v) = c
        .get("/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices?watch=true")
        .await;
    assert_eq!(s, 403);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("cannot watch resource"));
    live.faults().clear();
    live.faults().internal_error("services", true);
    let (s, v) = c.get("/api/v1/namespaces/awx/services").await;
    assert_eq!(
        (s.as_u16(), v["reason"].as_str()),
        (500, Some("InternalError"))
    );
    let (s, v) = Client::http(&live)
        .get("/api/v1/namespaces/awx/services/db")
        .await;
    assert_eq!(s, 500, "{v}");
    let (s, _, _) = c.get_with("/api/v1/namespaces/awx/pods", &[]).await;
    assert_eq!(s, 200);
    let r = c
        .request("DELETE", "/api/v1/namespaces/awx/pods/web-0", &[])
        .await;
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn tables_for_kubectl() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    let c = Client::https(&live);
    let accept = [(
        "accept",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    )];
    let (s, h, b) = c.get_with("/api/v1/namespaces/awx/services", &accept).await;
    assert_eq!(s, 200);
    assert!(h["content-type"].to_str().unwrap().contains("as=Table"));
    let t: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(t["kind"], "Table");
    let cols: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        &cols[..6],
        [
            "Name",
            "Type",
            "Cluster-IP",
            "External-IP",
            "Port(s)",
            "Age"
        ]
    );
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "web-headless")
        .unwrap();
    assert_eq!(row["cells"][2], "None");
    assert_eq!(row["cells"][4], "8080/TCP");
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["namespace"], "awx");
}

#[tokio::test]
async fn one_change_shows_in_the_api_and_in_dns_and_a_lagging_replica_keeps_the_old_answer() {
    let live = LiveCluster::start(Cluster::demo()).unwrap();
    assert_eq!(live.replicas().len(), 2);
    let (fast, slow) = (live.replicas()[0].clone(), live.replicas()[1].clone());
    assert_eq!(slow.pod, "coredns-5d78c9869d-fghij");
    let c = Client::https(&live);
    let slices = "/apis/discovery.k8s.io/v1/namespaces/awx/endpointslices?labelSelector=kubernetes.io/service-name=web-headless";
    let name = "web-headless.awx.svc.cluster.local.";
    let ready = |e: &Value| e["conditions"]["ready"] != false;
    let (_, before) = c.get(slices).await;
    let rv0: u64 = before["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        slice_addresses(&before, ready),
        ["127.244.194.67", "127.244.217.10"]
    );
    assert_eq!(
        addresses(&udp_ask(fast.addr, name, RecordType::A).await),
        ["127.244.194.67", "127.244.217.10"]
    );

    assert!(live.lag_replica(&slow.pod, true));
    assert!(live.set_pod_ready("awx", "web-2", true));
    let (_, after) = c.get(slices).await;
    let rv1: u64 = after["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv1 > rv0);
    let three = ["127.244.194.67", "127.244.217.10", "127.244.217.11"];
    assert_eq!(slice_addresses(&after, ready), three);
    assert_eq!(
        addresses(&udp_ask(fast.addr, name, RecordType::A).await),
        three
    );
    assert_eq!(
        addresses(&udp_ask(slow.addr, name, RecordType::A).await).len(),
        2,
        "lagging replica"
    );

    assert!(live.set_terminating("awx", "web-0", true));
    let (_, term) = c.get(slices).await;
    assert_eq!(
        slice_addresses(&term, ready),
        ["127.244.194.67", "127.244.217.11"]
    );
    assert_eq!(
        slice_addresses(&term, |_| true).len(),
        4,
        "terminating endpoints stay in the slice"
    );
    assert!(live.delete_pod("awx", "web-0"));
    assert!(live.scale("awx", "web", 6));
    let (_, scaled) = c.get(slices).await;
    assert_eq!(slice_addresses(&scaled, |_| true).len(), 5);
    assert_eq!(
        addresses(&udp_ask(fast.addr, name, RecordType::A).await).len(),
        4
    );
    live.lag_replica(&slow.pod, false);
    assert_eq!(
        addresses(&udp_ask(slow.addr, name, RecordType::A).await).len(),
        4,
        "caught up"
    );
}
