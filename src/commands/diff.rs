//! `hsvc diff`.

use std::io::Write;

use crate::exit::{Exit, Fail};
use crate::output::diff as render;
use crate::plan::{DiffPlan, Settings};
use crate::report::Reporter;
use crate::sources::{self, Source};

pub async fn run(
    s: &Settings,
    args: &DiffPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let sources = &args.sources;
    if sources.len() < 2 {
        return Err(Fail::usage(
            "diff needs two sources: two names, two -n namespaces or two --server addresses",
        ));
    }
    let refs: Vec<&Source> = sources.iter().collect();
    let resolutions = sources::resolve_all(s, &refs, rep).await;
    let sets: Vec<_> = resolutions
        .iter()
        .map(|r| r.outcome.is_ok().then_some(&r.endpoints))
        .collect();
    let comparison = hsvc_resolve::diff::compare(&sets, args.opts);
    let sourced: Vec<render::Sourced> = sources
        .iter()
        .zip(&resolutions)
        .map(|(source, resolution)| render::Sourced {
            label: &source.label,
            server: source.server,
            resolution,
        })
        .collect();
    render::render(out, &sourced, &comparison, s.format).map_err(super::io_fail)?;

    let mut failed = false;
    for (src, r) in sources.iter().zip(&resolutions) {
        if let Some(e) = r.error() {
            failed = true;
            // Always on stderr too: a failed source must not pass unnoticed
            // in a pipe.
            rep.note(&format!("{}: {e}", src.label));
        }
        for w in &r.warnings {
            rep.warning(&format!("{}: {w}", src.label));
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
