//! A Service's endpoints as they change, through kube's `watcher`: list,
//! then watch with bookmarks; on 410 Gone it lists again. The events are
//! folded into a store of slices and a [`ServiceView`] is emitted only when
//! it differs from the last one, so a re-list that finds what was already
//! known reports nothing (no phantom changes). Errors are stream items:
//! the watch goes on after them, with kube's backoff.
//!
//! The Service object is read with each (re-)list: its fields that matter
//! here cannot change without the slices changing too (`clusterIP` is
//! immutable; a `publishNotReadyAddresses` change rewrites every
//! endpoint's `ready`; deleting it deletes its slices).

use std::collections::{BTreeMap, VecDeque};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Api;
use serde::Serialize;

use crate::client::{ApiClient, SLICES};
use crate::convert;
use crate::error::{esc, from_kube, from_status, Access, ApiError};
use crate::model::{Origin, ServiceInfo, ServiceView, Slice, SERVICE_NAME_LABEL};

/// What a watch yields.
#[derive(Debug)]
pub enum WatchEvent {
    /// The endpoints: first the initial list, then every change.
    Snapshot {
        /// The view.
        view: ServiceView,
        /// The first one.
        initial: bool,
    },
    /// The watch listed again (410 Gone, or a stream that ended); a
    /// snapshot follows only if something really changed.
    Resync {
        /// Why.
        reason: String,
    },
    /// A failed request; the watch goes on.
    Error(ApiError),
}

/// A summary of a [`WatchEvent`] for JSON lines.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WatchRecord<'a> {
    /// See [`WatchEvent::Snapshot`].
    Snapshot {
        /// The view.
        view: &'a ServiceView,
        /// The first one.
        initial: bool,
    },
    /// See [`WatchEvent::Resync`].
    Resync {
        /// Why.
        reason: &'a str,
    },
    /// See [`WatchEvent::Error`].
    Error {
        /// The error.
        error: crate::error::ErrorInfo,
    },
}

impl WatchEvent {
    /// The serialisable form.
    pub fn record(&self) -> WatchRecord<'_> {
        match self {
            WatchEvent::Snapshot { view, initial } => WatchRecord::Snapshot {
                view,
                initial: *initial,
            },
            WatchEvent::Resync { reason } => WatchRecord::Resync { reason },
            WatchEvent::Error(e) => WatchRecord::Error { error: e.info() },
        }
    }
}

/// The fold of watcher events into a view. Pure, so that re-list and
/// phantom-change handling are unit-tested without a server.
#[derive(Debug, Default)]
pub struct Folder {
    store: BTreeMap<String, Slice>,
    pending: Option<BTreeMap<String, Slice>>,
    last: Option<ServiceView>,
    lists: u32,
}

/// What the folder needs to know of one watcher event.
#[derive(Clone, Debug)]
pub enum Fold {
    /// A list starts.
    Init,
    /// An object of the list.
    InitApply(Slice),
    /// The list is complete.
    InitDone,
    /// Added or modified.
    Apply(Slice),
    /// Deleted (by name).
    Delete(String),
}

impl Folder {
    /// Applies one event; returns whether the store is complete (a list has
    /// finished) and so a view may be computed.
    pub fn apply(&mut self, ev: Fold) -> bool {
        match ev {
            Fold::Init => {
                self.lists += 1;
                self.pending = Some(BTreeMap::new());
                false
            }
            Fold::InitApply(s) => {
                if let Some(p) = &mut self.pending {
                    p.insert(s.name.clone(), s);
                }
                false
            }
            Fold::InitDone => {
                if let Some(p) = self.pending.take() {
                    self.store = p;
                }
                true
            }
            Fold::Apply(s) => {
                self.store.insert(s.name.clone(), s);
                self.last.is_some()
            }
            Fold::Delete(name) => {
                self.store.remove(&name);
                self.last.is_some()
            }
        }
    }

    /// How many lists were started (more than one: re-listed).
    pub fn lists(&self) -> u32 {
        self.lists
    }

    /// The view if it differs from the last one emitted.
    pub fn view(
        &mut self,
        namespace: &str,
        name: &str,
        service: Option<ServiceInfo>,
    ) -> Option<(ServiceView, bool)> {
        let v = ServiceView::new(
            namespace,
            name,
            service,
            Origin::EndpointSlice,
            self.store.values().cloned().collect(),
            vec![],
        );
        if self.last.as_ref() == Some(&v) {
            return None;
        }
        let initial = self.last.is_none();
        self.last = Some(v.clone());
        Some((v, initial))
    }
}

struct State {
    inner: BoxStream<'static, Result<Event<EndpointSlice>, watcher::Error>>,
    client: ApiClient,
    namespace: String,
    name: String,
    service: Option<ServiceInfo>,
    folder: Folder,
    queue: VecDeque<WatchEvent>,
}

fn owned_by(s: &EndpointSlice, name: &str) -> bool {
    s.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(SERVICE_NAME_LABEL))
        .is_some_and(|v| v == name)
}

/// Watches the endpoints of `namespace/name`. The stream does not end by
/// itself; drop it to stop.
pub fn watch_service(
    client: &ApiClient,
    namespace: &str,
    name: &str,
) -> Result<impl Stream<Item = WatchEvent> + Send + 'static, ApiError> {
    // A watch is a long response: no read timeout (the watcher has its own
    // idle timeout, the watch's timeoutSeconds + 5 s).
    let mut cfg = client.config().kube.clone();
    cfg.read_timeout = None;
    let server = client.config().server();
    let kc = kube::Client::try_from(cfg).map_err(|e| ApiError::Connect {
        server,
        detail: esc(&e.to_string()),
    })?;
    let api: Api<EndpointSlice> = Api::namespaced(kc, namespace);
    let wc = watcher::Config::default().labels(&format!("{SERVICE_NAME_LABEL}={name}"));
    let inner = watcher::watcher(api, wc).default_backoff().boxed();
    let st = State {
        inner,
        client: client.clone(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        service: None,
        folder: Folder::default(),
        queue: VecDeque::new(),
    };
    Ok(futures::stream::unfold(st, |mut st| async move {
        loop {
            if let Some(ev) = st.queue.pop_front() {
                return Some((ev, st));
            }
            let ev = st.inner.next().await?;
            let fold = match ev {
                Ok(Event::Init) => {
                    if st.folder.lists() >= 1 {
                        st.queue.push_back(WatchEvent::Resync {
                            reason: "listed again".into(),
                        });
                    }
                    Fold::Init
                }
                Ok(Event::InitApply(s)) if owned_by(&s, &st.name) => {
                    Fold::InitApply(convert::slice(&s))
                }
                Ok(Event::InitApply(_)) => continue,
                Ok(Event::InitDone) => Fold::InitDone,
                Ok(Event::Apply(s)) if owned_by(&s, &st.name) => Fold::Apply(convert::slice(&s)),
                // Relabelled away: gone for this Service.
                Ok(Event::Apply(s)) | Ok(Event::Delete(s)) => {
                    Fold::Delete(s.metadata.name.clone().unwrap_or_default())
                }
                Err(e) => {
                    let ev = map_watch_error(&st, e);
                    st.queue.push_back(ev);
                    continue;
                }
            };
            let relisted = matches!(fold, Fold::InitDone);
            if st.folder.apply(fold) {
                if relisted {
                    match st.client.service(&st.namespace, &st.name).await {
                        Ok(s) => st.service = s,
                        Err(e) => st.queue.push_back(WatchEvent::Error(e)),
                    }
                }
                if let Some((view, initial)) =
                    st.folder.view(&st.namespace, &st.name, st.service.clone())
                {
                    st.queue.push_back(WatchEvent::Snapshot { view, initial });
                }
            }
        }
    }))
}

fn map_watch_error(st: &State, e: watcher::Error) -> WatchEvent {
    let cfg = st.client.config();
    let (server, creds) = (cfg.server(), cfg.credentials.describe());
    let access = |verb| Access {
        verb,
        resource: SLICES,
        namespace: Some(st.namespace.clone()),
    };
    match e {
        watcher::Error::WatchError(status) if status.code == 410 => WatchEvent::Resync {
            reason: "410 Gone: the resourceVersion is too old".into(),
        },
        watcher::Error::WatchError(status) => {
            WatchEvent::Error(from_status(&status, &access("watch"), &server, &creds))
        }
        watcher::Error::InitialListFailed(e) => {
            WatchEvent::Error(from_kube(e, &access("list"), &server, &creds))
        }
        watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e) => {
            WatchEvent::Error(from_kube(e, &access("watch"), &server, &creds))
        }
        watcher::Error::NoResourceVersion => WatchEvent::Error(ApiError::Decode {
            access: access("watch"),
            server,
            detail: "no metadata.resourceVersion in a watch event".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Conditions, SliceEndpoint};

    fn slice(name: &str, ips: &[(&str, bool)]) -> Slice {
        Slice {
            name: name.into(),
            address_type: "IPv4".into(),
            ports: vec![],
            endpoints: ips
                .iter()
                .map(|(ip, ready)| SliceEndpoint {
                    addresses: vec![ip.to_string()],
                    conditions: Conditions::for_pod(*ready, false, false),
                    hostname: None,
                    pod: None,
                    target_kind: None,
                    node: None,
                    zone: None,
                })
                .collect(),
        }
    }

    fn ips(v: &ServiceView) -> Vec<String> {
        v.endpoints
            .iter()
            .map(|e| format!("{}{}", e.ip, if e.published { "" } else { "!" }))
            .collect()
    }

    #[test]
    fn relist_without_change_reports_nothing() {
        let mut f = Folder::default();
        let mut views = Vec::new();
        let feed = |f: &mut Folder, ev: Fold, views: &mut Vec<(Vec<String>, bool)>| {
            if f.apply(ev) {
                if let Some((v, initial)) = f.view("awx", "web", None) {
                    views.push((ips(&v), initial));
                }
            }
        };
        feed(&mut f, Fold::Init, &mut views);
        feed(
            &mut f,
            Fold::InitApply(slice("a", &[("10.0.0.1", true)])),
            &mut views,
        );
        feed(
            &mut f,
            Fold::InitApply(slice("b", &[("10.0.0.2", true)])),
            &mut views,
        );
        assert!(views.is_empty(), "nothing before the list is complete");
        feed(&mut f, Fold::InitDone, &mut views);
        feed(
            &mut f,
            Fold::Apply(slice("b", &[("10.0.0.2", false)])),
            &mut views,
        );
        // The same object again (a resourceVersion bump): no change.
        feed(
            &mut f,
            Fold::Apply(slice("b", &[("10.0.0.2", false)])),
            &mut views,
        );
        // 410: the watcher lists again and finds what we know.
        feed(&mut f, Fold::Init, &mut views);
        feed(
            &mut f,
            Fold::InitApply(slice("b", &[("10.0.0.2", false)])),
            &mut views,
        );
        feed(
            &mut f,
            Fold::InitApply(slice("a", &[("10.0.0.1", true)])),
            &mut views,
        );
        feed(&mut f, Fold::InitDone, &mut views);
        // A re-list that finds a change made while the watch was down.
        feed(&mut f, Fold::Init, &mut views);
        feed(
            &mut f,
            Fold::InitApply(slice("a", &[("10.0.0.1", true)])),
            &mut views,
        );
        feed(&mut f, Fold::InitDone, &mut views);
        feed(&mut f, Fold::Delete("a".into()), &mut views);
        assert_eq!(
            views,
            [
                (vec!["10.0.0.1".to_string(), "10.0.0.2".to_string()], true),
                (vec!["10.0.0.1".to_string(), "10.0.0.2!".to_string()], false),
                (vec!["10.0.0.1".to_string()], false),
                (vec![], false),
            ]
        );
        assert_eq!(f.lists(), 3);
    }
}
