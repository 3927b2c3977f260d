//! `hsvc resolve`.

use std::io::Write;

use crate::exit::{Exit, Fail};
use crate::output::resolve as render;
use crate::output::{ErrorDoc, Format};
use crate::plan::{ResolvePlan, Settings};
use crate::report::Reporter;
use hsvc_resolve::lookup::Status;
use hsvc_resolve::name::{LibcConf, SearchWalk, Target};

pub async fn run(
    s: &Settings,
    args: &ResolvePlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    if s.namespaces.len() > 1 {
        // The same rule as single_target; resolve parses itself to print a
        // JSON document for rejected names.
        return Err(Fail::usage(
            "resolve takes one --namespace; use `hsvc diff` to compare namespaces",
        ));
    }
    if args.all_replicas {
        return all_replicas(s, args, out, rep).await;
    }
    one(s, args, s.resolver(), out, rep).await
}

/// `--all-replicas`: every server on its own, each answer printed (under a
/// line naming the server, but in JSON Lines, where each document names
/// it); exit 3 if one failed, else 1 if one found nothing, else 0.
async fn all_replicas(
    s: &Settings,
    args: &ResolvePlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let mut worst = Exit::Ok;
    for &server in &s.servers {
        if !s.format.is_json() {
            writeln!(out, "# {} ({server})", s.server_label(server)).map_err(super::io_fail)?;
        }
        let mut resolver = s.resolver();
        resolver.servers = vec![server];
        let exit = match one(s, args, resolver, out, rep).await {
            Ok(e) => e,
            Err(f) if f.exit == Exit::DnsFailure => {
                rep.error(&format!("{}: {}", s.server_label(server), f.message));
                Exit::DnsFailure
            }
            Err(f) => return Err(f),
        };
        worst = match (worst, exit) {
            (Exit::DnsFailure, _) | (_, Exit::DnsFailure) => Exit::DnsFailure,
            (Exit::Negative, _) | (_, Exit::Negative) => Exit::Negative,
            _ => Exit::Ok,
        };
    }
    Ok(worst)
}

async fn one(
    s: &Settings,
    args: &ResolvePlan,
    resolver: hsvc_resolve::lookup::Resolver<crate::link::AnyLink>,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let ctx = s.context(s.namespaces.first().map(String::as_str));
    let ports = &args.ports;
    let resolution = if let Some(rules) = args.search {
        let conf = LibcConf::read(&s.resolv.text, rules, &args.libc_env);
        let walk =
            SearchWalk::plan(&args.name, &conf).map_err(|e| reject(s, &args.name, e, out))?;
        resolver
            .resolve_search(&args.name, &walk, &ctx, ports)
            .await
    } else {
        let target = Target::parse(&args.name, &ctx).map_err(|e| reject(s, &args.name, e, out))?;
        resolver.resolve(target, ports).await
    };
    let resolution = s.keep_family(resolution);

    rep.trace(&resolution.trace);
    render::render(out, &resolution, s.format, args.explain, rep).map_err(super::io_fail)?;
    let exit = exit_of(&resolution, s, rep);
    // The process ends after this answer (or after one per server with
    // --all-replicas): its thousands of strings are left to the exit
    // rather than freed one by one, 0.6 M instructions at 1000 pods
    // (callgrind).
    std::mem::forget(resolution);
    exit
}

fn exit_of(
    resolution: &hsvc_resolve::lookup::Answer,
    s: &Settings,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    Ok(match &resolution.outcome {
        Ok(hsvc_resolve::lookup::Outcome::Found) => Exit::Ok,
        Err(e) => {
            if s.format.is_json() {
                rep.note(&e.to_string());
                Exit::DnsFailure
            } else {
                return Err(Fail::dns(e.to_string()));
            }
        }
        Ok(_) => {
            rep.note(&render::negative_message(resolution));
            Exit::Negative
        }
    })
}

/// A name rejected before any query: exit 2, and in JSON mode a document
/// with the error on stdout too.
fn reject(
    s: &Settings,
    input: &str,
    e: hsvc_resolve::name::NameError,
    out: &mut dyn Write,
) -> Fail {
    let message = crate::plan::invalid_name(input, &e);
    if s.format.is_json() {
        let doc = render::UsageErrorDoc {
            schema: render::SCHEMA,
            name: input,
            status: Status::Error,
            endpoints: [],
            error: ErrorDoc {
                kind: "invalid_name".into(),
                message: message.clone(),
                server: None,
            },
        };
        let _ = crate::output::write_json(out, &doc, s.format == Format::Json);
    }
    Fail::usage(message)
}
