//! The Kubernetes API source: `hsvc resolve --source api`, `hsvc ls`,
//! `hsvc verify`. Glue between flags, `hsvc-api` and the renderers.

use std::io::Write;

use hsvc_api::client::ApiClient;
use hsvc_api::compare::{self, DnsAnswer, Verdict};
use hsvc_api::config::{self, Environment};
use hsvc_api::error::{ApiError, ErrorClass};
use hsvc_resolve::name::{Context, Fqdn, Meaning, Target};

use crate::exit::{Exit, Fail};
use crate::output::api as render;
use crate::output::Format;
use crate::plan::{ApiPlan, Settings};
use crate::report::Reporter;

/// The exit code of an API error: 2 usage, 1 not found, 3 failure.
pub fn exit_of(e: &ApiError) -> Exit {
    match e.class() {
        ErrorClass::Usage => Exit::Usage,
        ErrorClass::NotFound => Exit::Negative,
        ErrorClass::Failure => Exit::DnsFailure,
    }
}

/// Fails with the error's exit code; with `-o json` the error document
/// goes to stdout too.
pub(crate) fn fail(
    e: &ApiError,
    schema: &'static str,
    name: &str,
    format: Format,
    out: &mut dyn Write,
) -> Fail {
    if format.is_json() {
        let _ = crate::output::write_json(
            out,
            &render::ErrorOnly::new(schema, name, e),
            format == Format::Json,
        );
    }
    Fail {
        exit: exit_of(e),
        message: e.to_string(),
    }
}

pub(crate) async fn connect(p: &ApiPlan) -> Result<ApiClient, ApiError> {
    let opts = config::Options {
        source: p.source.clone(),
        namespace: p.namespace.clone(),
        timeout: p.timeout,
        attempts: p.attempts,
    };
    let cfg = config::load(&opts, &Environment::from_process()).await?;
    ApiClient::new(cfg)
}

pub(crate) fn diagnose(c: &ApiClient, rep: &mut Reporter<'_>) {
    let cfg = c.config();
    rep.diag(1, || {
        format!(
            "API {} ({}); namespace {} (from {}); timeout {:?} x {} attempts",
            cfg.server(),
            cfg.credentials.describe(),
            cfg.namespace,
            cfg.namespace_source.describe(),
            cfg.timeout,
            cfg.attempts
        )
    });
}

/// The Service a NAME stands for, with its namespace and name: the
/// namespace is the name's, else the API's rule (flag, context, service
/// account, default).
pub(crate) fn service_target(
    input: &str,
    namespace: &str,
    cluster_domain: Option<&Fqdn>,
) -> Result<(Target, String, String), Fail> {
    let ctx = Context::new(Some(namespace), cluster_domain, &[]);
    let t = Target::parse(input, &ctx)
        .map_err(|e| Fail::usage(crate::plan::invalid_name(input, &e)))?;
    match &t.meaning {
        Meaning::Service { namespace, service } => {
            let (ns, svc) = (namespace.clone(), service.clone());
            Ok((t, ns, svc))
        }
        _ => Err(Fail::usage(format!(
            "'{}' is not a Service name: the API source takes SVC, SVC.NS, SVC.NS.svc or SVC.NS.svc.ZONE",
            hsvc_resolve::escape::term(input)
        ))),
    }
}

/// `hsvc resolve NAME --source api`.
pub async fn resolve(
    p: &ApiPlan,
    name: &str,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let format = p.format;
    let client = connect(p)
        .await
        .map_err(|e| fail(&e, render::VIEW_SCHEMA, name, format, out))?;
    diagnose(&client, rep);
    let (_, namespace, service) =
        service_target(name, &client.config().namespace, p.cluster_domain.as_ref())?;
    let started = std::time::Instant::now();
    let view = client
        .service_view(&namespace, &service)
        .await
        .map_err(|e| fail(&e, render::VIEW_SCHEMA, name, format, out))?;
    let elapsed = started.elapsed();
    for w in &view.warnings {
        rep.warning(&w.message());
    }
    if let Some(svc) = view.service.as_ref().filter(|s| !s.headless) {
        rep.warning(&render::not_headless(svc));
    }
    render::view(out, name, client.config(), &view, elapsed, format).map_err(super::io_fail)?;
    Ok(if view.ready_count() > 0 {
        Exit::Ok
    } else {
        rep.note(&format!("{namespace}/{service}: no endpoint is ready"));
        Exit::Negative
    })
}

/// `hsvc ls`.
pub async fn ls(
    p: &ApiPlan,
    all_namespaces: bool,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let format = p.format;
    let client = connect(p)
        .await
        .map_err(|e| fail(&e, render::LS_SCHEMA, "", format, out))?;
    diagnose(&client, rep);
    let scope = (!all_namespaces).then(|| client.config().namespace.clone());
    let list = client
        .headless_services(scope.as_deref())
        .await
        .map_err(|e| fail(&e, render::LS_SCHEMA, "", format, out))?;
    for w in &list.warnings {
        rep.warning(&w.message());
    }
    if list.filtered_client_side {
        rep.diag(1, || {
            "the server refused fieldSelector=spec.clusterIP=None (400): filtered here".into()
        });
    }
    render::ls(out, &list, format).map_err(super::io_fail)?;
    Ok(if list.services.is_empty() {
        rep.note(&match &list.namespace {
            Some(ns) => format!("no headless Service in namespace {ns}"),
            None => "no headless Service in any namespace".into(),
        });
        Exit::Negative
    } else {
        Exit::Ok
    })
}

/// `hsvc verify NAME`.
pub async fn verify(
    s: &Settings,
    p: &ApiPlan,
    name: &str,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let format = s.format;
    let client = connect(p)
        .await
        .map_err(|e| fail(&e, render::VERIFY_SCHEMA, name, format, out))?;
    diagnose(&client, rep);
    // Both sides speak of the same Service: the API's namespace rule for
    // a short name, the DNS side's cluster domain.
    let zone = s.context(None).cluster_domain;
    let (target, namespace, service) =
        service_target(name, &client.config().namespace, Some(&zone))?;
    let sources: Vec<crate::sources::Source> = s
        .servers
        .iter()
        .map(|&server| crate::sources::Source {
            label: server.to_string(),
            target: target.clone(),
            server,
        })
        .collect();
    let refs: Vec<&crate::sources::Source> = sources.iter().collect();
    // The API first, then DNS: a change in between shows as DNS being
    // ahead, never as DNS lagging behind an API read it never saw.
    let view = client
        .observe(&namespace, &service)
        .await
        .map_err(|e| fail(&e, render::VERIFY_SCHEMA, name, format, out))?;
    let answers = crate::sources::resolve_all(s, &refs, rep).await;
    for w in &view.warnings {
        rep.warning(&w.message());
    }
    let prediction = hsvc_api::predict::predict(&view);
    let dns: Vec<DnsAnswer> = sources
        .iter()
        .zip(&answers)
        .map(|(src, a)| DnsAnswer::from_lookup(src.label.clone(), a))
        .collect();
    let comparison = compare::compare(&prediction, &dns);
    render::verify(out, name, client.config(), &view, &comparison, format)
        .map_err(super::io_fail)?;
    for srv in &comparison.servers {
        if srv.verdict == Verdict::Failed {
            for c in &srv.causes {
                rep.note(&format!("{}: {c}", srv.server));
            }
        }
    }
    Ok(match comparison.verdict {
        Verdict::Failed => Exit::DnsFailure,
        // DNS was still compared (a deleted Service may linger in a
        // cache), but there is nothing to verify: not found.
        _ if view.service.is_none() => {
            rep.note(&format!(
                "service {}/{} not found in the API",
                hsvc_resolve::escape::term(&namespace),
                hsvc_resolve::escape::term(&service)
            ));
            Exit::Negative
        }
        Verdict::Match => Exit::Ok,
        Verdict::Differs => Exit::Negative,
    })
}

/// The endpoints of NAME as CoreDNS should publish them, read from the API:
/// what `pick` and `check` work on with `--source api`.
pub(crate) struct ApiEndpoints {
    pub endpoints: hsvc_resolve::endpoints::EndpointSet,
    /// The API server's URL.
    pub server: String,
    /// `svc.ns.svc.zone.`
    pub fqdn: String,
    pub latency: std::time::Duration,
    /// The Service has a ClusterIP: the set is that virtual IP.
    pub not_headless: bool,
    pub warnings: Vec<String>,
}

impl ApiEndpoints {
    /// Why `command` refuses a ClusterIP Service.
    pub fn refusal(&self, command: &str) -> crate::output::ErrorDoc {
        crate::output::not_headless_refusal(&self.fqdn, self.server.clone(), command, true)
    }
}

pub(crate) async fn endpoints_for(
    p: &ApiPlan,
    name: &str,
    schema: &'static str,
    format: Format,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<ApiEndpoints, Fail> {
    let client = connect(p)
        .await
        .map_err(|e| fail(&e, schema, name, format, out))?;
    diagnose(&client, rep);
    let (target, namespace, service) =
        service_target(name, &client.config().namespace, p.cluster_domain.as_ref())?;
    let started = std::time::Instant::now();
    let view = client
        .service_view(&namespace, &service)
        .await
        .map_err(|e| fail(&e, schema, name, format, out))?;
    let latency = started.elapsed();
    let warnings: Vec<String> = view.warnings.iter().map(|w| w.message()).collect();
    for w in &warnings {
        rep.warning(w);
    }
    if view.service.is_none() {
        return Err(Fail {
            exit: Exit::Negative,
            message: format!(
                "service {}/{} not found in the API",
                hsvc_resolve::escape::term(&namespace),
                hsvc_resolve::escape::term(&service)
            ),
        });
    }
    let prediction = hsvc_api::predict::predict(&view);
    Ok(ApiEndpoints {
        endpoints: hsvc_api::predict::endpoint_set(&prediction),
        server: client.config().server(),
        fqdn: target.fqdn.to_string(),
        latency,
        not_headless: prediction.kind == hsvc_api::predict::ServiceKind::ClusterIp,
        warnings,
    })
}
