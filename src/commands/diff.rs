//! `hsvc diff`.

use std::io::Write;

use crate::cli::{DiffArgs, DiffBy};
use crate::exit::{Exit, Fail};
use crate::output::diff as render;
use crate::settings::Settings;
use crate::sources::{self, Source};
use hsvc_resolve::diff::{By, Options};
use hsvc_resolve::lookup::{PortQuery, Resolution, Status};

pub fn by(b: DiffBy) -> By {
    match b {
        DiffBy::Ip => By::Ip,
        DiffBy::Hostname => By::Hostname,
        DiffBy::Endpoint => By::Endpoint,
    }
}

/// Plans the sources; a bad name or a duplicate source is a usage error
/// before any query.
pub fn plan(s: &Settings, names: &[String]) -> Result<Vec<Source>, Fail> {
    sources::plan(s, names).map_err(|e| Fail::usage(e.to_string()))
}

/// Resolves every source concurrently, each through its one server.
pub async fn resolve_all(s: &Settings, sources: &[&Source]) -> Vec<Resolution> {
    let mut set = tokio::task::JoinSet::new();
    for (i, src) in sources.iter().enumerate() {
        let mut resolver = s.resolver();
        resolver.servers = vec![src.server];
        let target = src.target.clone();
        set.spawn(async move { (i, resolver.resolve(target, &PortQuery::default()).await) });
    }
    let mut out: Vec<Option<Resolution>> = (0..sources.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, r) = joined.expect("a resolution task never panics");
        crate::diag::trace(&r.queries);
        out[i] = Some(r);
    }
    out.into_iter()
        .map(|r| r.expect("every source resolved"))
        .collect()
}

pub async fn run(
    s: &Settings,
    args: &DiffArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Fail> {
    let sources = plan(s, &args.names)?;
    if sources.len() < 2 {
        return Err(Fail::usage(
            "diff needs two sources: two names, two -n namespaces or two --server addresses",
        ));
    }
    let refs: Vec<&Source> = sources.iter().collect();
    let resolutions = resolve_all(s, &refs).await;
    let sets: Vec<_> = resolutions
        .iter()
        .map(|r| (r.status != Status::Error).then_some(&r.endpoints))
        .collect();
    let opts = Options {
        by: by(args.by),
        ignore_ttl: args.ignore_ttl,
    };
    let comparison = hsvc_resolve::diff::compare(&sets, opts);
    let sourced: Vec<render::Sourced> = sources
        .iter()
        .zip(&resolutions)
        .map(|(source, resolution)| render::Sourced { source, resolution })
        .collect();
    render::render(out, &sourced, &comparison, s.format).map_err(super::io_fail)?;

    let mut failed = false;
    for (src, r) in sources.iter().zip(&resolutions) {
        if r.status == Status::Error {
            failed = true;
            let msg = r
                .error
                .as_ref()
                .map_or("DNS failure", |e| e.message.as_str());
            // Always on stderr too: a failed source must not pass unnoticed
            // in a pipe.
            let _ = writeln!(
                err,
                "hsvc: {}: {}",
                hsvc_resolve::escape::term(&src.label),
                hsvc_resolve::escape::term(msg)
            );
        }
        for w in &r.warnings {
            let _ = writeln!(
                err,
                "hsvc: warning: {}: {}",
                hsvc_resolve::escape::term(&src.label),
                hsvc_resolve::escape::term(w)
            );
        }
    }
    Ok(if failed {
        Exit::DnsFailure
    } else if comparison.identical() {
        Exit::Ok
    } else {
        Exit::Negative
    })
}
