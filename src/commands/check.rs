//! `hsvc check`: resolve, plan the targets, probe them, render, repeat.

use std::io::Write;
use std::time::Instant;

use crate::cli::CheckArgs;
use crate::exit::{Exit, Fail};
use crate::output::check::{self as render, ChangeRow, DnsInfo, Plan, Progress, Row, Summary};
use crate::output::ErrorDoc;
use crate::plan::Settings;
use crate::report::Reporter;
use hsvc_probe::targets::PortChoice;
use hsvc_probe::{self, Check, ProbeOptions, ProbeResult};
use hsvc_resolve::lookup::PortQuery;

pub async fn run(
    s: &Settings,
    args: &CheckArgs,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let json = s.format.is_json();
    let target = s.single_target("check", &args.name)?;
    let choice = match (args.port, &args.port_name) {
        (Some(p), _) => PortChoice::Number(p),
        (None, Some(n)) => PortChoice::Named(n.clone()),
        (None, None) => PortChoice::AllSrv,
    };
    let check = match &args.http {
        Some(path) => Check::Http {
            path: path.clone(),
            expect: args.expect.clone(),
        },
        None => Check::Tcp,
    };
    let opts = ProbeOptions {
        connect_timeout: args.connect_timeout,
        http_timeout: args.http_timeout,
        concurrency: args.concurrency as usize,
    };
    let min = args.min_healthy.unwrap_or_default();
    // SRV is always needed here (ports): every other field keeps its
    // default (main adds `addresses_only`, which must stay false here).
    #[allow(clippy::needless_update)]
    let ports = PortQuery {
        name: args.port_name.clone(),
        protocol: "tcp".into(),
        ..PortQuery::default()
    };
    let plan = Plan {
        name: &args.name,
        fqdn: target.fqdn.to_string(),
        namespace: target.namespace().map(str::to_string),
        service: target.service().map(str::to_string),
        check: &check,
        port: args.port,
        port_name: args.port_name.as_deref(),
        concurrency: args.concurrency,
        connect_timeout_ms: hsvc_resolve::lookup::ms(args.connect_timeout),
        http_timeout_ms: args
            .http
            .as_ref()
            .map(|_| hsvc_resolve::lookup::ms(args.http_timeout)),
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
        let res = resolver.resolve(target.clone(), &ports).await;
        rep.trace(&res.trace);
        r.warnings(rep, &res.warnings).map_err(super::io_fail)?;
        if let Some(e) = res.error() {
            let info = ErrorDoc::from(e);
            r.finish(out, Some(DnsInfo::new(&res)), Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail::dns(info.message));
        }
        if res.endpoints.is_empty() {
            rep.note(&crate::output::resolve::negative_message(&res));
        }
        let planned = hsvc_probe::targets::plan(&res.endpoints, &choice).map_err(|e| {
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
        let results = hsvc_probe::probe_all(planned, &check, &opts, Some(&update)).await;
        progress.clear();

        let summary = Summary::new(round, &results, min, started.elapsed());
        let rows = Row::join(&results, &res.endpoints);
        let dns = DnsInfo::new(&res);
        match &prev {
            None => r.first_round(out, rep, &rows, summary, dns),
            Some((prev_results, prev_rows)) => {
                let changes = hsvc_probe::state_changes(prev_results, &results);
                let changes = ChangeRow::from_changes(round, changes, prev_rows, &rows);
                r.later_round(out, changes, summary, dns)
            }
        }
        .map_err(super::io_fail)?;
        last = if summary.ok { Exit::Ok } else { Exit::Negative };
        prev = Some((results, rows));
        if round < args.repeat {
            tokio::time::sleep_until((started + args.interval).into()).await;
        }
    }
    r.finish(out, None, None).map_err(super::io_fail)?;
    Ok(last)
}
