//! Reads of the API: one Service's view, and the headless Services of a
//! namespace or of the cluster. Every request is bounded by the timeout,
//! retried up to the attempts when it timed out or could not connect.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{ListParams, ObjectList};
use kube::Api;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::config::ApiConfig;
use crate::convert;
use crate::error::{from_kube, Access, ApiError};
use crate::model::{
    Origin, ServiceInfo, ServicePort, ServiceView, Slice, ViewWarning, SERVICE_NAME_LABEL,
};

/// Page size of lists (client-go's default).
pub const PAGE: u32 = 500;

/// `resource` names as RBAC rules spell them.
pub(crate) const SLICES: &str = "endpointslices.discovery.k8s.io";
pub(crate) const SERVICES: &str = "services";
pub(crate) const ENDPOINTS: &str = "endpoints";

/// A client for one API server.
#[derive(Clone)]
pub struct ApiClient {
    client: kube::Client,
    config: ApiConfig,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("server", &self.config.server())
            .finish()
    }
}

/// One headless Service of `hsvc ls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeadlessService {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
    /// `spec.selector`.
    pub selector: BTreeMap<String, String>,
    /// Endpoints (pods; an address where no pod is named) CoreDNS publishes.
    pub ready: usize,
    /// All endpoints in its slices.
    pub total: usize,
    /// `spec.publishNotReadyAddresses`.
    pub publish_not_ready_addresses: bool,
}

/// The answer of [`ApiClient::headless_services`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeadlessList {
    /// `None` for all namespaces.
    pub namespace: Option<String>,
    /// Sorted by namespace, name.
    pub services: Vec<HeadlessService>,
    /// The server refused `fieldSelector=spec.clusterIP=None` (400) and
    /// the Services were filtered here.
    pub filtered_client_side: bool,
    /// Where the endpoint counts came from.
    pub origin: Origin,
    /// How the list was obtained, when not plainly.
    pub warnings: Vec<ViewWarning>,
}

fn endpoints_fallback_warning() -> ViewWarning {
    ViewWarning::EndpointsFallback {
        message: "the cluster does not serve discovery.k8s.io/v1 EndpointSlices: endpoints read from v1 Endpoints (deprecated from Kubernetes 1.33; no serving/terminating, terminating pods dropped)".into(),
    }
}

fn is_code(e: &ApiError, code: u16) -> bool {
    matches!(e, ApiError::Server { code: c, .. } if *c == code)
}

impl ApiClient {
    /// A client for `config`. Call from within a tokio runtime.
    pub fn new(config: ApiConfig) -> Result<Self, ApiError> {
        let server = config.server();
        let client =
            kube::Client::try_from(config.kube.clone()).map_err(|e| ApiError::Connect {
                server,
                detail: crate::error::esc(&e.to_string()),
            })?;
        Ok(ApiClient { client, config })
    }

    /// The configuration.
    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// The underlying kube client.
    pub fn kube(&self) -> &kube::Client {
        &self.client
    }

    fn api<K>(&self, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as kube::Resource>::DynamicType: Default,
    {
        match namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    /// Runs one request within timeout × attempts.
    pub(crate) async fn call<T, F, Fut>(&self, access: &Access, f: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let server = self.config.server();
        let creds = self.config.credentials.describe();
        let attempts = self.config.attempts.max(1);
        let mut last = None;
        for _ in 0..attempts {
            match tokio::time::timeout(self.config.timeout, f()).await {
                Err(_) => {
                    last = Some(ApiError::Timeout {
                        access: access.clone(),
                        server: server.clone(),
                        after: self.config.bound(),
                    })
                }
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => match from_kube(e, access, &server, &creds) {
                    ApiError::Timeout { .. } => {
                        last = Some(ApiError::Timeout {
                            access: access.clone(),
                            server: server.clone(),
                            after: self.config.bound(),
                        })
                    }
                    e @ ApiError::Connect { .. } => last = Some(e),
                    e => return Err(e),
                },
            }
        }
        Err(last.expect("at least one attempt"))
    }

    /// Every page of a list.
    async fn list_all<K>(
        &self,
        api: &Api<K>,
        params: ListParams,
        access: &Access,
    ) -> Result<Vec<K>, ApiError>
    where
        K: Clone + DeserializeOwned + std::fmt::Debug,
    {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut restarted = false;
        loop {
            let mut p = params.clone().limit(PAGE);
            if let Some(t) = &token {
                p = p.continue_token(t);
            }
            let page: Result<ObjectList<K>, ApiError> = self.call(access, || api.list(&p)).await;
            let page = match page {
                // An expired continue token: list again from the start, once.
                Err(e) if is_code(&e, 410) && token.is_some() && !restarted => {
                    restarted = true;
                    token = None;
                    out.clear();
                    continue;
                }
                other => other?,
            };
            out.extend(page.items);
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(c) => token = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// The Service, or `None` when it does not exist.
    pub async fn service(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Option<ServiceInfo>, ApiError> {
        let api: Api<Service> = self.api(Some(namespace));
        let access = Access {
            verb: "get",
            resource: SERVICES,
            namespace: Some(namespace.to_string()),
        };
        let svc = self.call(&access, || api.get_opt(name)).await?;
        Ok(svc.as_ref().map(convert::service))
    }

    /// The slices of one Service, or `None` when the cluster does not serve
    /// EndpointSlices (404 on the list).
    async fn slices_of(&self, namespace: &str, name: &str) -> Result<Option<Vec<Slice>>, ApiError> {
        let api: Api<EndpointSlice> = self.api(Some(namespace));
        let access = Access {
            verb: "list",
            resource: SLICES,
            namespace: Some(namespace.to_string()),
        };
        let params = ListParams::default().labels(&format!("{SERVICE_NAME_LABEL}={name}"));
        match self.list_all(&api, params, &access).await {
            Ok(items) => Ok(Some(
                items
                    .iter()
                    // The server filtered by label; a proxy that ignores
                    // labelSelector must not mix other Services in.
                    .filter(|s| {
                        s.metadata
                            .labels
                            .as_ref()
                            .and_then(|l| l.get(SERVICE_NAME_LABEL))
                            == Some(&name.to_string())
                    })
                    .map(convert::slice)
                    .collect(),
            )),
            Err(e) if is_code(&e, 404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn endpoints_of(
        &self,
        namespace: &str,
        name: &str,
        warnings: &mut Vec<ViewWarning>,
    ) -> Result<Vec<Slice>, ApiError> {
        let api: Api<Endpoints> = self.api(Some(namespace));
        let access = Access {
            verb: "get",
            resource: ENDPOINTS,
            namespace: Some(namespace.to_string()),
        };
        let eps = self.call(&access, || api.get_opt(name)).await?;
        warnings.push(endpoints_fallback_warning());
        Ok(match eps {
            None => Vec::new(),
            Some(e) => {
                let (slices, truncated) = convert::endpoints(&e);
                if truncated {
                    warnings.push(ViewWarning::EndpointsTruncated {
                        message: "v1 Endpoints holds at most 1000 addresses and this one was truncated (endpoints.kubernetes.io/over-capacity)".into(),
                    });
                }
                slices
            }
        })
    }

    /// The Service and every slice carrying its name; the Service may be
    /// missing (`service: None`), as a prediction needs.
    pub async fn observe(&self, namespace: &str, name: &str) -> Result<ServiceView, ApiError> {
        let (svc, slices) = futures::join!(
            self.service(namespace, name),
            self.slices_of(namespace, name)
        );
        let svc = svc?;
        let mut warnings = Vec::new();
        let (origin, slices) = match slices? {
            Some(s) => (Origin::EndpointSlice, s),
            None => (
                Origin::Endpoints,
                self.endpoints_of(namespace, name, &mut warnings).await?,
            ),
        };
        Ok(ServiceView::new(
            namespace, name, svc, origin, slices, warnings,
        ))
    }

    /// The API view of a Service; [`ApiError::ServiceNotFound`] when the
    /// Service does not exist.
    pub async fn service_view(&self, namespace: &str, name: &str) -> Result<ServiceView, ApiError> {
        let v = self.observe(namespace, name).await?;
        if v.service.is_none() {
            return Err(ApiError::ServiceNotFound {
                namespace: crate::error::esc(namespace),
                name: crate::error::esc(name),
            });
        }
        Ok(v)
    }

    /// The headless Services of `namespace` (`None`: all namespaces), with
    /// their endpoint counts.
    pub async fn headless_services(
        &self,
        namespace: Option<&str>,
    ) -> Result<HeadlessList, ApiError> {
        let svc_api: Api<Service> = self.api(namespace);
        let access = Access {
            verb: "list",
            resource: SERVICES,
            namespace: namespace.map(str::to_string),
        };
        let headless = ListParams::default().fields("spec.clusterIP=None");
        let (services, filtered) = match self.list_all(&svc_api, headless, &access).await {
            Ok(s) => (s, false),
            // Older servers do not know this field selector for Services.
            Err(e) if is_code(&e, 400) => (
                self.list_all(&svc_api, ListParams::default(), &access)
                    .await?,
                true,
            ),
            Err(e) => return Err(e),
        };
        let services: Vec<ServiceInfo> = services
            .iter()
            .map(convert::service)
            .filter(|s| s.headless)
            .collect();

        let mut warnings = Vec::new();
        let slice_api: Api<EndpointSlice> = self.api(namespace);
        let slice_access = Access {
            verb: "list",
            resource: SLICES,
            namespace: namespace.map(str::to_string),
        };
        let mut by_service: BTreeMap<(String, String), Vec<Slice>> = BTreeMap::new();
        let origin = match self
            .list_all(
                &slice_api,
                ListParams::default().labels(SERVICE_NAME_LABEL),
                &slice_access,
            )
            .await
        {
            Ok(slices) => {
                for s in &slices {
                    let Some(svc) = s
                        .metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(SERVICE_NAME_LABEL))
                    else {
                        continue;
                    };
                    let ns = s.metadata.namespace.clone().unwrap_or_default();
                    by_service
                        .entry((ns, svc.clone()))
                        .or_default()
                        .push(convert::slice(s));
                }
                Origin::EndpointSlice
            }
            Err(e) if is_code(&e, 404) => {
                let ep_api: Api<Endpoints> = self.api(namespace);
                let ep_access = Access {
                    verb: "list",
                    resource: ENDPOINTS,
                    namespace: namespace.map(str::to_string),
                };
                for e in self
                    .list_all(&ep_api, ListParams::default(), &ep_access)
                    .await?
                {
                    let ns = e.metadata.namespace.clone().unwrap_or_default();
                    let name = e.metadata.name.clone().unwrap_or_default();
                    by_service.insert((ns, name), convert::endpoints(&e).0);
                }
                warnings.push(endpoints_fallback_warning());
                Origin::Endpoints
            }
            Err(e) => return Err(e),
        };

        let mut out: Vec<HeadlessService> = services
            .into_iter()
            .map(|s| {
                let slices = by_service
                    .remove(&(s.namespace.clone(), s.name.clone()))
                    .unwrap_or_default();
                let view = ServiceView::new(&s.namespace, &s.name, None, origin, slices, vec![]);
                let (ready, total) = counts(&view);
                HeadlessService {
                    namespace: s.namespace.clone(),
                    name: s.name.clone(),
                    ports: s.ports.clone(),
                    selector: s.selector.clone(),
                    ready,
                    total,
                    publish_not_ready_addresses: s.publish_not_ready_addresses,
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok(HeadlessList {
            namespace: namespace.map(str::to_string),
            services: out,
            filtered_client_side: filtered,
            origin,
            warnings,
        })
    }
}

/// (published, all) endpoints of a view, counting a pod once across its
/// addresses (a dual-stack pod is one endpoint).
pub fn counts(view: &ServiceView) -> (usize, usize) {
    let mut all: BTreeMap<String, bool> = BTreeMap::new();
    for e in &view.endpoints {
        let key = e.pod.clone().unwrap_or_else(|| e.ip.to_string());
        *all.entry(key).or_insert(false) |= e.published;
    }
    let ready: BTreeSet<&String> = all.iter().filter(|(_, r)| **r).map(|(k, _)| k).collect();
    (ready.len(), all.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Conditions, SliceEndpoint};

    #[test]
    fn counts_pods_once() {
        let ep = |a: &str, pod: Option<&str>, ready: bool| SliceEndpoint {
            addresses: vec![a.into()],
            conditions: Conditions::for_pod(ready, false, false),
            hostname: None,
            pod: pod.map(str::to_string),
            target_kind: None,
            node: None,
            zone: None,
        };
        let slices = vec![
            Slice {
                name: "v4".into(),
                address_type: "IPv4".into(),
                ports: vec![],
                endpoints: vec![
                    ep("10.0.0.1", Some("db-0"), true),
                    ep("10.0.0.2", Some("db-1"), false),
                    ep("10.0.0.3", None, true),
                ],
            },
            Slice {
                name: "v6".into(),
                address_type: "IPv6".into(),
                ports: vec![],
                endpoints: vec![
                    ep("fd00::1", Some("db-0"), true),
                    ep("fd00::2", Some("db-1"), false),
                ],
            },
        ];
        let v = ServiceView::new("awx", "db", None, Origin::EndpointSlice, slices, vec![]);
        assert_eq!(counts(&v), (2, 3));
    }
}
