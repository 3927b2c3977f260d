//! The one link type every DNS command resolves over: the real network
//! ([`Sockets`]), or with `--server kube` cluster DNS through the API
//! server, each CoreDNS replica on its own port-forward stream
//! (`hsvc_api::portforward`). The servers of the latter are the replicas'
//! pod IP:port, which names them truthfully in every `Via` and trace;
//! [`AnyLink::name_of`] gives the pod name for labels.

use std::net::SocketAddr;

use hsvc_resolve::dns::{Ask, Link, QueryOptions, Sink, Sockets, Transport};

use crate::exit::Fail;
use crate::report::Reporter;

/// The `--server` value that means "cluster DNS through the API server".
pub const KUBE: &str = "kube";

/// Real sockets, or the replicas of the DNS Service through the API.
#[derive(Clone, Debug)]
pub enum AnyLink {
    /// UDP and TCP sockets of this machine.
    Sockets(Sockets),
    /// `--server kube`, with the namespace of the kubeconfig's context
    /// (what a short name means, as for kubectl).
    #[cfg(feature = "api")]
    Kube(
        std::sync::Arc<hsvc_api::portforward::PortForwardDns>,
        std::sync::Arc<str>,
    ),
}

impl Default for AnyLink {
    fn default() -> Self {
        AnyLink::Sockets(Sockets::default())
    }
}

impl AnyLink {
    /// The pod of a replica with `--server kube`; `None` for an address.
    pub fn name_of(&self, server: SocketAddr) -> Option<&str> {
        #[cfg(not(feature = "api"))]
        let _ = server;
        match self {
            AnyLink::Sockets(_) => None,
            #[cfg(feature = "api")]
            AnyLink::Kube(k, _) => k.replica(server).map(|r| r.pod.as_str()),
        }
    }

    /// The servers this link was made for (`--server kube`: the replicas).
    pub fn servers(&self) -> Option<Vec<SocketAddr>> {
        match self {
            AnyLink::Sockets(_) => None,
            #[cfg(feature = "api")]
            AnyLink::Kube(k, _) => Some(k.replicas().iter().map(|r| r.addr).collect()),
        }
    }

    /// The link for one more resolver: sockets get connections of their
    /// own (as before there was a choice of link); the replicas' streams
    /// are shared, one per replica per command.
    pub fn for_resolver(&self) -> AnyLink {
        match self {
            AnyLink::Sockets(_) => AnyLink::Sockets(Sockets::default()),
            #[cfg(feature = "api")]
            AnyLink::Kube(k, ns) => AnyLink::Kube(k.clone(), ns.clone()),
        }
    }

    /// The namespace of a short name with `--server kube`: the kubeconfig
    /// context's (else the service account's, else `default`), as kubectl.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            AnyLink::Sockets(_) => None,
            #[cfg(feature = "api")]
            AnyLink::Kube(_, ns) => Some(ns),
        }
    }

    /// A new round of resolutions (a `watch` poll): replicas that failed
    /// get a fresh try.
    pub fn rearm(&self) {
        #[cfg(feature = "api")]
        if let AnyLink::Kube(k, _) = self {
            k.rearm();
        }
    }
}

impl Link for AnyLink {
    async fn send<'a>(
        &'a self,
        server: SocketAddr,
        transport: Transport,
        asks: &'a [Ask<'a>],
        opts: &'a QueryOptions,
        sink: &'a mut Sink<'_>,
    ) {
        match self {
            AnyLink::Sockets(s) => s.send(server, transport, asks, opts, sink).await,
            #[cfg(feature = "api")]
            AnyLink::Kube(k, _) => k.send(server, transport, asks, opts, sink).await,
        }
    }
}

/// Whether `--server kube` was given.
pub fn wants_kube(g: &crate::cli::GlobalArgs) -> bool {
    g.servers.iter().any(|s| s == KUBE)
}

/// Whether the command asks DNS servers (`--server` means something to it).
fn asks_servers(c: &crate::cli::Command) -> bool {
    use crate::cli::Command;
    match c {
        Command::Completions(_) => false,
        #[cfg(feature = "demo")]
        Command::Demo(_) => false,
        #[cfg(feature = "api")]
        Command::Ls(_) => false,
        #[cfg(feature = "api")]
        Command::Resolve(a) if a.source == crate::cli::SourceKind::Api => false,
        #[cfg(feature = "api")]
        Command::Pick(a) if a.source == crate::cli::SourceKind::Api => false,
        #[cfg(feature = "api")]
        Command::Check(a) if a.source == crate::cli::SourceKind::Api => false,
        _ => true,
    }
}

/// The link of the command line: `None` (sockets, planned from the
/// addresses) unless `--server kube` for a command that asks DNS, whose
/// replicas are found here, before planning, since the sources of `diff`
/// and `watch` are the replicas.
pub async fn for_args(
    cli: &crate::cli::Cli,
    rep: &mut Reporter<'_>,
) -> Result<Option<AnyLink>, Fail> {
    let g = &cli.global;
    if !wants_kube(g) || !asks_servers(&cli.command) {
        return Ok(None);
    }
    if g.servers.iter().any(|s| s != KUBE && !s.is_empty()) {
        return Err(Fail::usage(
            "--server kube asks every CoreDNS replica through the API: give no addresses with it",
        ));
    }
    #[cfg(feature = "api")]
    {
        kube(g, rep).await.map(Some)
    }
    #[cfg(not(feature = "api"))]
    {
        let _ = rep;
        Err(Fail::usage(
            "--server kube needs the Kubernetes API: this hsvc was built without it",
        ))
    }
}

/// `NS/NAME` of `--dns-service`.
#[cfg(feature = "api")]
fn dns_service(v: Option<&str>) -> Result<(String, String), Fail> {
    let Some(v) = v else {
        let (ns, name) = hsvc_api::portforward::DNS_SERVICE;
        return Ok((ns.into(), name.into()));
    };
    let label = |s: &str| {
        hsvc_resolve::name::Fqdn::parse(s)
            .ok()
            .filter(|f| f.labels().len() == 1)
            .is_some()
    };
    match v.split_once('/') {
        Some((ns, name)) if label(ns) && label(name) => Ok((ns.into(), name.into())),
        _ => Err(Fail::usage(format!(
            "--dns-service '{}' is not NAMESPACE/NAME",
            hsvc_resolve::escape::term(v)
        ))),
    }
}

#[cfg(feature = "api")]
async fn kube(g: &crate::cli::GlobalArgs, rep: &mut Reporter<'_>) -> Result<AnyLink, Fail> {
    use hsvc_api::client::ApiClient;
    use hsvc_api::config;
    use hsvc_api::portforward::PortForwardDns;
    let (ns, name) = dns_service(g.dns_service.as_deref())?;
    let api_fail = |e: hsvc_api::error::ApiError| Fail {
        exit: crate::commands::api::exit_of(&e),
        message: e.to_string(),
    };
    let opts = config::Options {
        source: match &g.api_url {
            Some(url) => config::Source::Url(url.clone()),
            None => config::Source::Kubeconfig {
                path: g.kubeconfig.clone(),
                context: g.context.clone(),
            },
        },
        namespace: None,
        timeout: g.timeout,
        attempts: g.attempts,
    };
    let cfg = config::load(&opts, &config::Environment::from_process())
        .await
        .map_err(api_fail)?;
    let client = ApiClient::new(cfg).map_err(api_fail)?;
    let replicas = client.dns_replicas(&ns, &name).await.map_err(|e| match e {
        hsvc_api::error::ApiError::ServiceNotFound { .. } => Fail {
            exit: crate::exit::Exit::Usage,
            message: format!("{e}: name the cluster's DNS Service with --dns-service NS/NAME"),
        },
        e => api_fail(e),
    })?;
    if replicas.is_empty() {
        return Err(Fail::dns(format!(
            "no DNS pod behind {ns}/{name}: its EndpointSlices name no pod to forward to"
        )));
    }
    let server = client.config().server();
    rep.diag(1, || {
        let list: Vec<String> = replicas
            .iter()
            .map(|r| format!("{} ({})", r.pod, r.addr))
            .collect();
        format!(
            "servers: {} replicas of {ns}/{name} through the port-forward of {server}: {}",
            replicas.len(),
            list.join(", ")
        )
    });
    for r in replicas.iter().filter(|r| !r.ready) {
        rep.warning(&format!(
            "{}: its endpoint in {ns}/{name} is not ready; asked after the ready ones",
            hsvc_resolve::escape::term(&r.pod)
        ));
    }
    let link = PortForwardDns::new(&client, replicas).map_err(api_fail)?;
    let namespace: std::sync::Arc<str> = client.config().namespace.as_str().into();
    Ok(AnyLink::Kube(std::sync::Arc::new(link), namespace))
}

#[cfg(all(test, feature = "api"))]
mod tests {
    use super::*;

    #[test]
    fn dns_service_is_namespace_slash_name() {
        assert_eq!(
            dns_service(None).unwrap(),
            ("kube-system".to_string(), "kube-dns".to_string())
        );
        assert_eq!(
            dns_service(Some("dns/coredns")).unwrap(),
            ("dns".to_string(), "coredns".to_string())
        );
        for bad in ["coredns", "a/b/c", "/x", "x/", "a.b/c"] {
            let e = dns_service(Some(bad)).unwrap_err();
            assert_eq!(e.exit, crate::exit::Exit::Usage, "{bad}");
        }
    }
}
