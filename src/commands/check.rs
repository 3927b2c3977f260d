//! `hsvc check`: resolve, plan the targets, probe them, render, repeat.

use std::io::Write;
use std::time::Instant;

use crate::exit::{Exit, Fail};
use crate::output::check::{self as render, ChangeRow, DnsInfo, Plan, Progress, Row, Summary};
use crate::output::ErrorDoc;
use crate::plan::{CheckPlan, Settings};
use crate::report::Reporter;
use hsvc_probe::{self, ProbeResult};

pub async fn run(
    s: &Settings,
    args: &CheckPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let json = s.format.is_json();
    let target = &args.target;
    let (check, opts, min, ports, choice) = (
        &args.check,
        &args.probe,
        args.min,
        &args.ports,
        &args.choice,
    );
    let plan = Plan {
        name: &args.name,
        fqdn: target.fqdn.to_string(),
        namespace: target.namespace().map(str::to_string),
        service: target.service().map(str::to_string),
        check,
        port: args.port,
        port_name: args.port_name.as_deref(),
        concurrency: opts.concurrency as u32,
        connect_timeout_ms: hsvc_resolve::lookup::ms(opts.connect_timeout),
        http_timeout_ms: args
            .http
            .then(|| hsvc_resolve::lookup::ms(opts.http_timeout)),
        min_healthy: min,
        rounds: args.repeat,
    };
    let mut r = render::Renderer::new(s.format, plan);
    r.start(out).map_err(super::io_fail)?;
    let resolver = s.resolver();

    let mut prev: Option<(Vec<ProbeResult>, Vec<Row>)> = None;
    let mut last = Exit::Ok;
    for round in 1..=args.repeat {
        let started = Instant::now();
        #[cfg(feature = "api")]
        if let Some(api) = &args.api {
            // The API: the endpoints CoreDNS should publish, read each round.
            let mut got =
                super::api::endpoints_for(api, &args.name, render::SCHEMA, s.format, out, rep)
                    .await?;
            got.endpoints = s.keep_family_of(got.endpoints);
            let dns = DnsInfo::from_api(&got.server, got.endpoints.len(), got.latency);
            if round == 1 && got.not_headless && !args.allow_cluster_ip {
                let info = got.refusal("check");
                r.finish(out, Some(dns), Some(&info))
                    .map_err(super::io_fail)?;
                return Err(Fail::usage(info.message));
            }
            let planned = hsvc_probe::targets::plan(&got.endpoints, choice)
                .map_err(|e| Fail::usage(e.to_string()))?;
            let results = hsvc_probe::probe_all(planned, check, opts, None).await;
            let summary = Summary::new(round, &results, min, started.elapsed());
            last = report_round(
                &mut r,
                out,
                rep,
                &mut prev,
                round,
                results,
                &got.endpoints,
                summary,
                dns,
            )?;
            if round < args.repeat {
                tokio::time::sleep_until((started + args.interval).into()).await;
            }
            continue;
        }
        let res = s.keep_family(resolver.resolve(target.clone(), ports).await);
        rep.trace(&res.trace);
        r.warnings(rep, &res.warnings).map_err(super::io_fail)?;
        if let Some(e) = res.error() {
            let info = ErrorDoc::from(e);
            r.finish(out, Some(DnsInfo::new(&res)), Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail::dns(info.message));
        }
        if round == 1 && res.is_cluster_ip() && !args.allow_cluster_ip {
            let info = crate::output::not_headless_refusal(
                &res.target.fqdn.to_string(),
                res.via.server.to_string(),
                "check",
                false,
            );
            r.finish(out, Some(DnsInfo::new(&res)), Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail::usage(info.message));
        }
        if res.endpoints.is_empty() {
            rep.note(&crate::output::resolve::negative_message(&res));
        }
        let planned = hsvc_probe::targets::plan(&res.endpoints, choice).map_err(|e| {
            let mut message = e.to_string();
            if res.truncated {
                message.push_str(" (the DNS answer was truncated)");
            }
            let info = ErrorDoc {
                kind: "no_port".into(),
                message: message.clone(),
                server: None,
            };
            if json {
                let _ = r.finish(out, Some(DnsInfo::new(&res)), Some(&info));
            }
            Fail::usage(message)
        })?;

        let progress = Progress::for_stderr();
        let update = |done: usize, total: usize| progress.update(done, total);
        let results = hsvc_probe::probe_all(planned, check, opts, Some(&update)).await;
        progress.clear();

        let summary = Summary::new(round, &results, min, started.elapsed());
        let dns = DnsInfo::new(&res);
        last = report_round(
            &mut r,
            out,
            rep,
            &mut prev,
            round,
            results,
            &res.endpoints,
            summary,
            dns,
        )?;
        if round < args.repeat {
            tokio::time::sleep_until((started + args.interval).into()).await;
        }
    }
    r.finish(out, None, None).map_err(super::io_fail)?;
    Ok(last)
}

/// Renders a round, whichever source gave its endpoints: the first in
/// full, later ones as the changes since the previous round (kept in
/// `prev`). Returns the round's exit.
#[allow(clippy::too_many_arguments)]
fn report_round(
    r: &mut render::Renderer<'_>,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
    prev: &mut Option<(Vec<ProbeResult>, Vec<Row>)>,
    round: u32,
    results: Vec<ProbeResult>,
    endpoints: &hsvc_resolve::endpoints::EndpointSet,
    summary: Summary,
    dns: DnsInfo,
) -> Result<Exit, Fail> {
    let rows = Row::join(&results, endpoints);
    match prev {
        None => r.first_round(out, rep, &rows, summary, dns),
        Some((prev_results, prev_rows)) => {
            let changes = hsvc_probe::state_changes(prev_results, &results);
            let changes = ChangeRow::from_changes(round, changes, prev_rows, &rows);
            r.later_round(out, changes, summary, dns)
        }
    }
    .map_err(super::io_fail)?;
    *prev = Some((results, rows));
    Ok(if summary.ok { Exit::Ok } else { Exit::Negative })
}
