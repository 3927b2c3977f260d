//! Request handling: authentication, discovery, list / get / watch, Status errors, and
//! the hand-off of port-forward upgrades.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};

use super::objects::{self, Kind, Obj};
use super::selector::{FieldSelector, LabelSelector};
use super::store::{Event, EventType, Stored};
use super::{portforward, ApiState};

/// A response body: a whole document, or a stream of chunks (watches). An `Err` chunk
/// makes hyper abort the connection (a dropped watch).
pub enum ApiBody {
    /// A complete body.
    Full(Option<Bytes>),
    /// Chunks as they come.
    Stream(mpsc::Receiver<Result<Bytes, io::Error>>),
}

impl Body for ApiBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            ApiBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            ApiBody::Stream(rx) => rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ApiBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ApiBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ApiBody::Full(None) => SizeHint::with_exact(0),
            ApiBody::Stream(_) => SizeHint::default(),
        }
    }
}

const JSON: &str = "application/json";
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";
const ENDPOINTS_WARNING: &str =
    "299 - \"v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\"";

/// A JSON response.
pub fn json_response(status: StatusCode, v: &Value) -> Response<ApiBody> {
    let mut r = Response::new(ApiBody::Full(Some(Bytes::from(v.to_string()))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    r
}

/// A Kubernetes `Status` failure object.
pub fn status_object(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut v = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    if let Some(d) = details {
        v["details"] = d;
    }
    v
}

/// A `Status` failure response.
pub fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> Response<ApiBody> {
    json_response(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &status_object(code, reason, message, details),
    )
}

fn bad_request(message: &str) -> Response<ApiBody> {
    status(400, "BadRequest", message, None)
}

fn not_found_path() -> Response<ApiBody> {
    status(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(json!({})),
    )
}

/// `%XX` and `+` decoding of a query component.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query parameters of a request, decoded, in order.
pub fn query_params(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn truthy(v: Option<&str>) -> bool {
    matches!(v, Some("true") | Some("1"))
}

/// Entry point for every request on either port.
pub async fn handle(
    state: Arc<ApiState>,
    req: Request<Incoming>,
    secure: bool,
) -> Result<Response<ApiBody>, Infallible> {
    state.count_request();
    if secure {
        let want = format!("Bearer {}", state.opts.token);
        let ok = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h == want);
        if !ok {
            return Ok(status(401, "Unauthorized", "Unauthorized", None));
        }
    }
    let path = req.uri().path().to_string();
    let q = query_params(req.uri().query());
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();

    // Port-forward: GET (WebSocket) or POST (SPDY), before the GET-only rule.
    if let ["api", "v1", "namespaces", ns, "pods", name, "portforward"] = segs.as_slice() {
        let (ns, name) = (ns.to_string(), name.to_string());
        return Ok(portforward::handle(state, req, &ns, &name, &q).await);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Ok(status(
            405,
            "MethodNotAllowed",
            &format!("the server does not allow this method on the requested resource ({} {path}); the stand-in is read-only", req.method()),
            None,
        ));
    }
    let table = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|a| a.contains("as=Table"));
    Ok(route(&state, &segs, &q, table).await)
}

async fn route(
    state: &Arc<ApiState>,
    segs: &[&str],
    q: &[(String, String)],
    table: bool,
) -> Response<ApiBody> {
    let slices = state.opts.endpointslices;
    match segs {
        ["version"] => json_response(StatusCode::OK, &state.version()),
        ["healthz"] | ["livez"] | ["readyz"] => {
            let mut r = Response::new(ApiBody::Full(Some(Bytes::from_static(b"ok"))));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            r
        }
        ["api"] => json_response(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": state.server_address()}]}),
        ),
        ["apis"] => {
            let groups = if slices {
                vec![discovery_group()]
            } else {
                vec![]
            };
            json_response(
                StatusCode::OK,
                &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            )
        }
        ["apis", "discovery.k8s.io"] if slices => {
            let mut g = discovery_group();
            g["kind"] = json!("APIGroup");
            g["apiVersion"] = json!("v1");
            json_response(StatusCode::OK, &g)
        }
        ["api", "v1"] => json_response(StatusCode::OK, &core_resources()),
        ["apis", "discovery.k8s.io", "v1"] if slices => json_response(
            StatusCode::OK,
            &json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "discovery.k8s.io/v1",
                    "resources": [resource_doc(Kind::EndpointSlice, "endpointslice", &[])]}),
        ),
        ["api", "v1", res] => collection(state, "", res, None, q, table).await,
        ["api", "v1", "namespaces", ns, res] => {
            collection(state, "", res, Some(ns), q, table).await
        }
        ["api", "v1", "namespaces", name] => get(state, Kind::Namespace, "", name, q, table),
        ["api", "v1", "namespaces", ns, res, name] => match Kind::from_resource("", res) {
            Some(k) if k.namespaced() => get(state, k, ns, name, q, table),
            _ => not_found_path(),
        },
        ["apis", "discovery.k8s.io", "v1", "endpointslices"] if slices => {
            collection(state, "discovery.k8s.io", "endpointslices", None, q, table).await
        }
        ["apis", "discovery.k8s.io", "v1", "namespaces", ns, "endpointslices"] if slices => {
            collection(
                state,
                "discovery.k8s.io",
                "endpointslices",
                Some(ns),
                q,
                table,
            )
            .await
        }
        ["apis", "discovery.k8s.io", "v1", "namespaces", ns, "endpointslices", name] if slices => {
            get(state, Kind::EndpointSlice, ns, name, q, table)
        }
        _ => not_found_path(),
    }
}

fn discovery_group() -> Value {
    let gv = json!({"groupVersion": "discovery.k8s.io/v1", "version": "v1"});
    json!({"name": "discovery.k8s.io", "versions": [gv], "preferredVersion": gv})
}

fn resource_doc(kind: Kind, singular: &str, short: &[&str]) -> Value {
    let mut v = json!({
        "name": kind.resource(), "singularName": singular, "namespaced": kind.namespaced(),
        "kind": kind.kind(), "verbs": ["get", "list", "watch"],
    });
    if !short.is_empty() {
        v["shortNames"] = json!(short);
    }
    v
}

fn core_resources() -> Value {
    json!({
        "kind": "APIResourceList", "groupVersion": "v1",
        "resources": [
            resource_doc(Kind::Namespace, "namespace", &["ns"]),
            resource_doc(Kind::Service, "service", &["svc"]),
            resource_doc(Kind::Endpoints, "endpoints", &["ep"]),
            resource_doc(Kind::Pod, "pod", &["po"]),
            {"name": "pods/portforward", "singularName": "", "namespaced": true,
             "kind": "PodPortForwardOptions", "verbs": ["create", "get"]},
        ],
    })
}

/// A parsed list/watch filter.
struct Filter {
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, o: &Obj) -> bool {
        self.namespace.as_deref().is_none_or(|n| n == o.namespace)
            && self.labels.matches(&o.labels)
            && self.fields.matches(|f| o.field(f))
    }
}

fn with_warning(mut r: Response<ApiBody>, kind: Kind, state: &ApiState) -> Response<ApiBody> {
    if kind == Kind::Endpoints && state.opts.minor >= 33 {
        r.headers_mut()
            .insert(header::WARNING, HeaderValue::from_static(ENDPOINTS_WARNING));
    }
    r
}

async fn collection(
    state: &Arc<ApiState>,
    group: &str,
    res: &str,
    ns: Option<&str>,
    q: &[(String, String)],
    table: bool,
) -> Response<ApiBody> {
    let Some(kind) = Kind::from_resource(group, res) else {
        return not_found_path();
    };
    if ns.is_some() && !kind.namespaced() {
        return not_found_path();
    }
    let watch = truthy(param(q, "watch"));
    let verb = if watch { "watch" } else { "list" };
    if let Some(r) = state.check_faults(verb, kind, ns, None) {
        return r;
    }
    let labels = match LabelSelector::parse(param(q, "labelSelector").unwrap_or("")) {
        Ok(l) => l,
        Err(e) => return bad_request(&format!("unable to parse requirement: {e}")),
    };
    let fs = param(q, "fieldSelector").unwrap_or("");
    let fields = match FieldSelector::parse(fs, kind.fields()) {
        Ok(f)
            if !(state.rejects_field_selectors()
                && f.0.iter().any(|(f, _, _)| f.starts_with("spec."))) =>
        {
            f
        }
        result => {
            let why = result.err().unwrap_or_else(|| {
                let f = fs.split(['=', '!']).next().unwrap_or(fs);
                format!("field label not supported: {f}")
            });
            let gvr = format!("{{\"{}\" \"v1\" \"{}\"}}", kind.group(), kind.resource());
            return bad_request(&format!(
                "Unable to find {gvr} that match label selector \"{}\", field selector \"{fs}\": {why}",
                param(q, "labelSelector").unwrap_or("")
            ));
        }
    };
    let filter = Filter {
        namespace: ns.map(str::to_string),
        labels,
        fields,
    };
    let r = if watch {
        watch_response(state, kind, filter, q, table)
    } else {
        list(state, kind, &filter, q, table)
    };
    with_warning(r, kind, state)
}

/// A continue token: the list's resourceVersion and the last key returned.
fn encode_continue(rv: u64, start: &str) -> String {
    let v = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{start}\u{0}")});
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

fn decode_continue(token: &str) -> Option<(u64, String)> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    let rv = v["rv"].as_u64()?;
    let start = v["start"].as_str()?.trim_end_matches('\u{0}').to_string();
    Some((rv, start))
}

fn sort_key(o: &Obj) -> String {
    if o.kind.namespaced() {
        format!("{}/{}", o.namespace, o.name)
    } else {
        o.name.clone()
    }
}

fn expired_continue() -> Response<ApiBody> {
    status(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        None,
    )
}

fn list(
    state: &ApiState,
    kind: Kind,
    filter: &Filter,
    q: &[(String, String)],
    table: bool,
) -> Response<ApiBody> {
    let limit = param(q, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|&l| l > 0);
    let store = state.store();
    let (rv, items, after): (u64, Vec<Stored>, Option<String>) = match param(q, "continue")
        .filter(|c| !c.is_empty())
    {
        Some(tok) => {
            let Some((rv, start)) = decode_continue(tok) else {
                return bad_request("continue key is not valid: illegal base64 data");
            };
            match store.list_at(kind, filter.namespace.as_deref(), rv) {
                Ok(items) => (rv, items, Some(start)),
                Err(_) => return expired_continue(),
            }
        }
        None => {
            let exact = param(q, "resourceVersionMatch") == Some("Exact");
            match (
                exact,
                param(q, "resourceVersion").and_then(|r| r.parse::<u64>().ok()),
            ) {
                (true, Some(rv)) => match store.list_at(kind, filter.namespace.as_deref(), rv) {
                    Ok(items) => (rv, items, None),
                    Err(t) => {
                        return status(
                            410,
                            "Expired",
                            &format!("too old resource version: {} ({})", t.asked, t.oldest),
                            None,
                        )
                    }
                },
                _ => (
                    store.rv(),
                    store.list(kind, filter.namespace.as_deref()),
                    None,
                ),
            }
        }
    };
    drop(store);
    let mut matched: Vec<Stored> = items
        .into_iter()
        .filter(|s| filter.matches(&s.obj))
        .filter(|s| {
            after
                .as_deref()
                .is_none_or(|a| sort_key(&s.obj).as_str() > a)
        })
        .collect();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(l) = limit {
        if matched.len() > l {
            let remaining = matched.len() - l;
            matched.truncate(l);
            let last = sort_key(&matched[l - 1].obj);
            meta["continue"] = json!(encode_continue(rv, &last));
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    if table {
        let age = state.age();
        let full = param(q, "includeObject") == Some("Object");
        let rows: Vec<Value> = matched
            .iter()
            .map(|s| objects::row(&s.obj, s.rv, &age, full))
            .collect();
        let v = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                       "columnDefinitions": objects::columns(kind), "rows": rows});
        let mut r = json_response(StatusCode::OK, &v);
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(TABLE));
        return r;
    }
    let items: Vec<Value> = matched
        .iter()
        .map(|s| {
            let mut v = s.obj.with_rv(s.rv);
            if let Some(m) = v.as_object_mut() {
                m.remove("apiVersion");
                m.remove("kind");
            }
            v
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": format!("{}List", kind.kind()), "apiVersion": kind.api_version(),
                "metadata": meta, "items": items}),
    )
}

fn get(
    state: &ApiState,
    kind: Kind,
    ns: &str,
    name: &str,
    q: &[(String, String)],
    table: bool,
) -> Response<ApiBody> {
    let ns_opt = kind.namespaced().then_some(ns);
    if let Some(r) = state.check_faults("get", kind, ns_opt, Some(name)) {
        return r;
    }
    let found = state.store().get(kind, ns, name);
    let r = match found {
        None => status(
            404,
            "NotFound",
            &format!("{} \"{name}\" not found", kind.qualified()),
            Some(json!({"name": name, "group": kind.group(), "kind": kind.resource()})),
        ),
        Some(s) if table => {
            let full = param(q, "includeObject") == Some("Object");
            let v = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                           "metadata": {"resourceVersion": s.rv.to_string()},
                           "columnDefinitions": objects::columns(kind),
                           "rows": [objects::row(&s.obj, s.rv, &state.age(), full)]});
            let mut r = json_response(StatusCode::OK, &v);
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(TABLE));
            r
        }
        Some(s) => json_response(StatusCode::OK, &s.obj.with_rv(s.rv)),
    };
    with_warning(r, kind, state)
}

/// What a watch sends for one store event, given the filter (an object that stops
/// matching is DELETED for this watch, one that starts matching is ADDED).
fn event_for(filter: &Filter, e: &Event) -> Option<(EventType, Arc<Obj>)> {
    let new_m = filter.matches(&e.new);
    let old_m = e.old.as_ref().is_some_and(|(_, o)| filter.matches(o));
    match e.kind {
        EventType::Added => new_m.then(|| (EventType::Added, e.new.clone())),
        EventType::Deleted => (old_m || new_m).then(|| (EventType::Deleted, e.new.clone())),
        EventType::Modified => match (old_m, new_m) {
            (true, true) => Some((EventType::Modified, e.new.clone())),
            (false, true) => Some((EventType::Added, e.new.clone())),
            (true, false) => Some((EventType::Deleted, e.new.clone())),
            (false, false) => None,
        },
    }
}

struct WatchOut {
    kind: Kind,
    table: bool,
    full: bool,
    first: bool,
    age: String,
}

impl WatchOut {
    fn line(&mut self, ty: &str, obj: &Arc<Obj>, rv: u64) -> Bytes {
        let object = if self.table {
            let mut t = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                               "metadata": {"resourceVersion": rv.to_string()},
                               "rows": [objects::row(obj, rv, &self.age, self.full)]});
            if self.first {
                t["columnDefinitions"] = objects::columns(self.kind);
            } else {
                t["columnDefinitions"] = json!([]);
            }
            self.first = false;
            t
        } else {
            obj.with_rv(rv)
        };
        Bytes::from(format!("{}\n", json!({"type": ty, "object": object})))
    }

    fn bookmark(&self, rv: u64) -> Bytes {
        let v = json!({"type": "BOOKMARK", "object": {"kind": self.kind.kind(), "apiVersion": self.kind.api_version(),
                       "metadata": {"resourceVersion": rv.to_string()}}});
        Bytes::from(format!("{v}\n"))
    }
}

fn error_line(code: u16, reason: &str, message: &str) -> Bytes {
    let v = json!({"type": "ERROR", "object": status_object(code, reason, message, None)});
    Bytes::from(format!("{v}\n"))
}

fn watch_response(
    state: &Arc<ApiState>,
    kind: Kind,
    filter: Filter,
    q: &[(String, String)],
    table: bool,
) -> Response<ApiBody> {
    let rv = param(q, "resourceVersion")
        .filter(|r| !r.is_empty())
        .map(|r| r.parse::<u64>());
    let rv = match rv {
        Some(Err(_)) => return bad_request("resourceVersion: Invalid value: must be a number"),
        Some(Ok(v)) => Some(v),
        None => None,
    };
    let timeout = param(q, "timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let bookmarks = truthy(param(q, "allowWatchBookmarks"));
    let out = WatchOut {
        kind,
        table,
        full: param(q, "includeObject") == Some("Object"),
        first: true,
        age: state.age(),
    };
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(watch_task(
        state.clone(),
        tx,
        kind,
        filter,
        rv,
        bookmarks,
        timeout,
        out,
    ));
    let mut r = Response::new(ApiBody::Stream(rx));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if table { TABLE } else { JSON }),
    );
    r
}

#[allow(clippy::too_many_arguments)]
async fn watch_task(
    state: Arc<ApiState>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    kind: Kind,
    filter: Filter,
    rv: Option<u64>,
    bookmarks: bool,
    timeout: Duration,
    mut out: WatchOut,
) {
    let mut kill = state.kill_watches.subscribe();
    // Snapshot and subscription under one lock: nothing missed, nothing twice.
    let snapshot = {
        let store = state.store();
        match rv {
            None | Some(0) => {
                let objs = store.list(kind, filter.namespace.as_deref());
                Ok((objs, Vec::new(), store.subscribe(), store.rv()))
            }
            Some(r) => match store.watch_from(r) {
                Ok((past, rx)) => Ok((Vec::new(), past, rx, r)),
                Err(t) => Err(format!(
                    "too old resource version: {} ({})",
                    t.asked, t.oldest
                )),
            },
        }
    };
    let (initial, past, mut rx, mut seen) = match snapshot {
        Ok(s) => s,
        Err(msg) => {
            let _ = tx.send(Ok(error_line(410, "Expired", &msg))).await;
            return;
        }
    };
    for s in initial.iter().filter(|s| filter.matches(&s.obj)) {
        if tx.send(Ok(out.line("ADDED", &s.obj, s.rv))).await.is_err() {
            return;
        }
    }
    for e in &past {
        if e.new.kind != kind {
            continue;
        }
        seen = seen.max(e.rv);
        if let Some((ty, obj)) = event_for(&filter, e) {
            if tx
                .send(Ok(out.line(ty.as_str(), &obj, e.rv)))
                .await
                .is_err()
            {
                return;
            }
        }
    }
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut ticker = tokio::time::interval(state.opts.bookmark_interval);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = &mut deadline => {
                if bookmarks {
                    let _ = tx.send(Ok(out.bookmark(seen))).await;
                }
                return;
            }
            _ = ticker.tick(), if bookmarks => {
                if tx.send(Ok(out.bookmark(seen))).await.is_err() {
                    return;
                }
            }
            _ = kill.changed() => {
                let _ = tx.send(Err(io::Error::other("watch stream dropped (injected fault)"))).await;
                return;
            }
            _ = tx.closed() => return,
            r = rx.recv() => match r {
                Ok(e) => {
                    seen = seen.max(e.rv);
                    if e.new.kind != kind {
                        continue;
                    }
                    if let Some((ty, obj)) = event_for(&filter, &e) {
                        if tx.send(Ok(out.line(ty.as_str(), &obj, e.rv))).await.is_err() {
                            return;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let msg = format!("too old resource version: {seen} ({})", state.store().rv());
                    let _ = tx.send(Ok(error_line(410, "Expired", &msg))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        let q = query_params(Some(
            "labelSelector=app%20in%20(web%2Cdb)&watch=true&x&fieldSelector=spec.clusterIP%3DNone",
        ));
        assert_eq!(param(&q, "labelSelector"), Some("app in (web,db)"));
        assert_eq!(param(&q, "fieldSelector"), Some("spec.clusterIP=None"));
        assert_eq!(param(&q, "x"), Some(""));
        assert!(truthy(param(&q, "watch")));
        assert_eq!(percent_decode("a+b%zz%4"), "a b%zz%4");
    }

    #[test]
    fn continue_tokens_round_trip() {
        let t = encode_continue(42, "awx/web-headless");
        assert_eq!(decode_continue(&t), Some((42, "awx/web-headless".into())));
        assert_eq!(decode_continue("%%%"), None);
    }
}
