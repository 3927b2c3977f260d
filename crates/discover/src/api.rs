//! The API source: the Service's EndpointSlices through the real watch
//! (hsvc-api on kube-rs: list, then watch with bookmarks, list again on
//! 410 Gone without reporting what did not change).

use futures_util::StreamExt;
use hsvc_api::client::ApiClient;
use hsvc_api::model::{ApiEndpoint, ServiceView};
use hsvc_api::watch::{watch_service, WatchEvent};
use tokio::sync::mpsc;

use crate::endpoint::{Endpoint, Key, Port, PortSelect};
use crate::selection::{Conditions, Selection};
use crate::stream::{Discovery, Health, QUEUE};
use crate::tracker::{OnEmpty, Tracker};
use crate::DiscoverError;

/// A headless Service watched through the Kubernetes API.
///
/// ```no_run
/// # async fn run(client: hsvc_api::client::ApiClient) -> Result<(), hsvc_discover::DiscoverError> {
/// use futures_util::StreamExt;
/// use hsvc_discover::{ApiSource, Selection};
///
/// let mut changes = ApiSource::new(client, "shop", "api")
///     .selection(Selection::KubeProxyFallback)
///     .start()?;
/// while let Some(change) = changes.next().await {
///     let key = change.key();
///     println!("{key} on node {:?} in zone {:?}", key.node, key.zone);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ApiSource {
    client: ApiClient,
    namespace: String,
    name: String,
    selection: Selection,
    port: PortSelect,
    on_empty: OnEmpty,
}

impl ApiSource {
    /// The Service `namespace/name`, read with `client` (see
    /// `hsvc_api::config` for kubeconfig, in-cluster and proxy set-ups).
    pub fn new(client: ApiClient, namespace: &str, name: &str) -> ApiSource {
        ApiSource {
            client,
            namespace: namespace.to_string(),
            name: name.to_string(),
            selection: Selection::DnsPublished,
            port: PortSelect::First,
            on_empty: OnEmpty::KeepLast,
        }
    }

    /// The selection policy (default: [`Selection::DnsPublished`]).
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Which port [`Endpoint::port`] is (default: the lowest).
    pub fn port(mut self, port: PortSelect) -> Self {
        self.port = port;
        self
    }

    /// What an empty selection does (default: [`OnEmpty::KeepLast`]).
    pub fn on_empty(mut self, on_empty: OnEmpty) -> Self {
        self.on_empty = on_empty;
        self
    }

    /// Starts the watch on the current tokio runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(self) -> Result<Discovery, DiscoverError> {
        let events = watch_service(&self.client, &self.namespace, &self.name)
            .map_err(|e| DiscoverError::Api(e.to_string()))?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let health = Health::default();
        let server = self.client.config().server();
        let h = health.clone();
        let task = tokio::spawn(async move {
            let mut events = std::pin::pin!(events);
            let mut tracker = Tracker::new(self.on_empty);
            loop {
                let ev = tokio::select! {
                    ev = events.next() => ev,
                    _ = tx.closed() => return,
                };
                let Some(ev) = ev else { return };
                let mut n = 0;
                h.update(|s| {
                    s.resolutions += 1;
                    n = s.resolutions;
                });
                match ev {
                    WatchEvent::Snapshot { view, .. } => {
                        let changes = tracker.apply(entries(&view, self.selection, &self.port));
                        let count = tracker.current().len();
                        h.update(|s| {
                            s.failures = 0;
                            s.last_error = None;
                            s.answered_by = Some(server.clone());
                            s.endpoints = count;
                            if !changes.is_empty() {
                                s.changed_at = n;
                            }
                        });
                        for c in changes {
                            if tx.send(c).await.is_err() {
                                return;
                            }
                        }
                    }
                    WatchEvent::Resync { .. } => {}
                    WatchEvent::Error(e) => h.update(|s| {
                        s.failures = s.failures.saturating_add(1);
                        s.total_failures += 1;
                        s.last_error = Some(e.to_string());
                    }),
                }
            }
        });
        Ok(Discovery::new(rx, task, health))
    }
}

fn conditions(e: &ApiEndpoint) -> Conditions {
    Conditions {
        ready: e.conditions.ready,
        serving: e.conditions.serving,
        terminating: e.conditions.terminating,
    }
}

/// The keys and endpoints of a view that `selection` admits.
pub fn entries(
    view: &ServiceView,
    selection: Selection,
    port: &PortSelect,
) -> Vec<(Key, Endpoint)> {
    let conds: Vec<Conditions> = view.endpoints.iter().map(conditions).collect();
    view.endpoints
        .iter()
        .zip(selection.select(&conds))
        .filter_map(|(e, sel)| {
            let ready = sel?;
            let mut ports: Vec<Port> = e
                .ports
                .iter()
                .filter_map(|p| {
                    Some(Port {
                        name: p.name.clone(),
                        port: u16::try_from(p.port?).ok()?,
                    })
                })
                .collect();
            ports.sort();
            ports.dedup();
            let id = e
                .pod
                .clone()
                .or_else(|| e.hostname.clone())
                .unwrap_or_else(|| e.ip.to_string());
            let key = Key {
                id,
                pod: e.pod.clone(),
                hostname: e.hostname.clone(),
                node: e.node.clone(),
                zone: e.zone.clone(),
            };
            let ep = Endpoint {
                addresses: vec![e.ip],
                port: port.choose(&ports),
                ports,
                weight: 1,
                ready,
            };
            Some((key, ep))
        })
        .collect()
}
