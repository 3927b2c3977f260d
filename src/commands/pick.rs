//! `hsvc pick`: resolve, build the canonical pool, run the policy, print.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{Format, PickArgs, PickIdentity, PickPolicy};
use crate::exit::{Exit, Fail};
use crate::output::pick::{self as render, Header, PickWriter};
use crate::settings::Settings;
use hsvc_balance::pick::{Maglev, MemberSet, Policy, DEFAULT_TABLE_SIZE};
use hsvc_balance::selection::{
    simulate, IdentityRule, PolicyInputs, Pool, PortChoice, Selector, SimKeys, WeightSource,
};
use hsvc_resolve::lookup::{ErrorInfo, PortQuery, Resolution, Status};
use hsvc_resolve::name::Target;

/// The shortest interval between two re-resolutions with --follow (a TTL of
/// 0 must not turn into a query storm).
const MIN_REFRESH: Duration = Duration::from_secs(1);

/// Validated flags: no clap types past this point.
struct Plan {
    inputs: PolicyInputs,
    identity: IdentityRule,
    weights: WeightSource,
    port: PortChoice,
    ports: PortQuery,
    offset: Option<u64>,
    seed: Option<u64>,
    table_size: Option<u64>,
}

fn plan(s: &Settings, a: &PickArgs) -> Result<Plan, Fail> {
    let has_keys = !a.keys.is_empty() || a.keys_from.is_some();
    let policy = match a.policy {
        Some(PickPolicy::RoundRobin) => Policy::RoundRobin,
        Some(PickPolicy::Weighted) => Policy::Weighted,
        Some(PickPolicy::Random) => Policy::Random,
        Some(PickPolicy::Hash) => Policy::Hash,
        Some(PickPolicy::Maglev) => Policy::Maglev,
        None if has_keys || a.simulate.is_some() => Policy::Hash,
        None => Policy::RoundRobin,
    };
    if policy.is_keyed() && !has_keys && a.simulate.is_none() {
        return Err(Fail::usage(format!(
            "policy {policy} picks by key: give --key, --keys-from or --simulate"
        )));
    }
    if policy.is_keyed() && a.count.is_some() {
        return Err(Fail::usage(format!(
            "--count is for the sequence policies; policy {policy} makes one pick per key"
        )));
    }
    if a.offset.is_some() && !matches!(policy, Policy::RoundRobin | Policy::Weighted) {
        return Err(Fail::usage(format!(
            "--offset applies to round-robin and weighted, not to {policy}"
        )));
    }
    if a.seed.is_some() && policy != Policy::Random && a.simulate.is_none() {
        return Err(Fail::usage(format!(
            "--seed applies to random and to --simulate, not to {policy}"
        )));
    }
    if let Some(m) = a.table_size {
        if policy != Policy::Maglev {
            return Err(Fail::usage("--table-size applies to the maglev policy"));
        }
        // An empty set validates the size alone (prime, not too large).
        Maglev::with_table_size(&MemberSet::default(), m)
            .map_err(|e| Fail::usage(format!("--table-size: {e}")))?;
    }
    if a.follow && s.format == Format::Json {
        return Err(Fail::usage(
            "--follow streams: use -o jsonl rather than -o json",
        ));
    }
    if s.namespaces.len() > 1 {
        return Err(Fail::usage("pick takes one --namespace"));
    }
    Ok(Plan {
        inputs: PolicyInputs {
            policy,
            offset: a.offset.unwrap_or(0),
            seed: a.seed.unwrap_or(0),
            table_size: a.table_size.unwrap_or(DEFAULT_TABLE_SIZE),
        },
        identity: match a.identity {
            PickIdentity::Auto => IdentityRule::Auto,
            PickIdentity::Ip => IdentityRule::Ip,
            PickIdentity::Hostname => IdentityRule::Hostname,
        },
        weights: if a.weights.is_empty() {
            WeightSource::Srv
        } else {
            WeightSource::Explicit(a.weights.clone())
        },
        port: match (&a.port, &a.port_name) {
            (Some(n), _) => PortChoice::Number(*n),
            (None, Some(name)) => PortChoice::Named(name.clone()),
            (None, None) => PortChoice::Only,
        },
        ports: PortQuery {
            name: a.port_name.clone(),
            protocol: a.protocol.clone(),
            ..PortQuery::default()
        },
        offset: matches!(policy, Policy::RoundRobin | Policy::Weighted)
            .then_some(a.offset.unwrap_or(0)),
        seed: (policy == Policy::Random || a.simulate.is_some()).then_some(a.seed.unwrap_or(0)),
        table_size: (policy == Policy::Maglev)
            .then_some(a.table_size.unwrap_or(DEFAULT_TABLE_SIZE)),
    })
}

fn header(input: &str, target: &Target, r: Option<&Resolution>, p: &Plan) -> Header {
    Header {
        name: input.to_string(),
        fqdn: target.fqdn.to_string(),
        status: r.map_or(Status::Error, |r| r.status),
        policy: p.inputs.policy.name(),
        identity: p.identity.as_str(),
        weights: match p.weights {
            WeightSource::Srv => "srv",
            WeightSource::Explicit(_) => "flag",
        },
        offset: p.offset,
        seed: p.seed,
        table_size: p.table_size,
        rcode: r.and_then(|r| r.rcode.clone()),
        server: r.and_then(|r| r.server).map(|s| s.to_string()),
        transport: r.map_or(hsvc_resolve::dns::Transport::Udp, |r| r.transport),
        ttl: r.and_then(|r| r.endpoints.min_ttl()),
    }
}

fn warn(err: &mut dyn Write, warnings: &[String]) {
    for w in warnings {
        let _ = writeln!(err, "hsvc: warning: {}", hsvc_resolve::escape::term(w));
    }
}

/// Opens `--keys-from` (`-` is stdin).
fn open_keys(path: &Path) -> Result<Box<dyn Read + Send>, Fail> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| Fail::usage(format!("cannot read keys from {}: {e}", path.display())))
}

/// Reads one key (a line without its `\n` or `\r\n`) into `buf`; false at
/// the end.
fn read_key(r: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    if r.read_until(b'\n', buf)? == 0 {
        return Ok(false);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(true)
}

fn read_fail(e: std::io::Error) -> Fail {
    Fail::usage(format!("cannot read keys: {e}"))
}

pub async fn run(
    s: &Settings,
    args: &PickArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, Fail> {
    let p = plan(s, args)?;
    let target = s.single_target("pick", &args.name)?;
    // Open the key source before asking DNS, so a missing file is a usage error.
    let keys_src = match &args.keys_from {
        Some(path) => Some(open_keys(path)?),
        None => None,
    };

    let resolver = s.resolver();
    let resolution = resolver.resolve(target.clone(), &p.ports).await;
    crate::diag::trace(&resolution.queries);
    let head = header(&args.name, &target, Some(&resolution), &p);
    warn(err, &resolution.warnings);
    match resolution.status {
        Status::Ok => {}
        Status::Error => {
            let msg = resolution
                .error
                .as_ref()
                .map_or("DNS failure".to_string(), |e| e.message.clone());
            render::render_failure(
                out,
                s.format,
                &head,
                &resolution.warnings,
                resolution.error.as_ref(),
            )
            .map_err(super::io_fail)?;
            return Err(Fail::dns(msg));
        }
        Status::Nxdomain | Status::Nodata => {
            let msg = crate::output::resolve::negative_message(&resolution);
            let info = ErrorInfo {
                kind: if resolution.status == Status::Nxdomain {
                    "nxdomain".into()
                } else {
                    "nodata".into()
                },
                message: msg.clone(),
                server: resolution.server.map(|s| s.to_string()),
            };
            render::render_failure(out, s.format, &head, &resolution.warnings, Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail {
                exit: Exit::Negative,
                message: msg,
            });
        }
    }

    let pool = Pool::build(&resolution.endpoints, p.identity, &p.weights, &p.port);
    warn(err, &pool.warnings);
    let mut warnings = resolution.warnings.clone();
    warnings.extend(pool.warnings.iter().cloned());
    if pool.is_empty() {
        let msg = format!(
            "{}: no endpoint has the port asked for ({} resolved)",
            target.fqdn,
            resolution.endpoints.len()
        );
        let info = ErrorInfo {
            kind: "no_endpoint".into(),
            message: msg.clone(),
            server: resolution.server.map(|s| s.to_string()),
        };
        render::render_failure(out, s.format, &head, &warnings, Some(&info))
            .map_err(super::io_fail)?;
        return Err(Fail {
            exit: Exit::Negative,
            message: msg,
        });
    }
    let mut selector =
        Selector::new(&p.inputs, &pool.set, 0).map_err(|e| Fail::usage(e.to_string()))?;

    if let Some(n) = args.simulate {
        let given: Vec<Vec<u8>>;
        let (keys, label) = if let Some(src) = keys_src {
            let mut r = BufReader::with_capacity(1 << 16, src);
            let mut buf = Vec::new();
            let mut all = Vec::new();
            while (all.len() as u64) < n && read_key(&mut r, &mut buf).map_err(read_fail)? {
                all.push(buf.clone());
            }
            given = all;
            (SimKeys::Given(&given), "given")
        } else if !args.keys.is_empty() {
            given = args.keys.iter().map(|k| k.as_bytes().to_vec()).collect();
            (SimKeys::Given(&given), "given")
        } else if p.inputs.policy.is_keyed() {
            (
                SimKeys::Sampled {
                    n,
                    seed: p.inputs.seed,
                },
                "sampled",
            )
        } else {
            (
                SimKeys::Sampled {
                    n,
                    seed: p.inputs.seed,
                },
                "requests",
            )
        };
        let sim = simulate(&pool, &p.inputs, keys).map_err(|e| Fail::usage(e.to_string()))?;
        render::render_simulation(out, s.format, &head, &pool, &sim, label, &warnings)
            .map_err(super::io_fail)?;
        return Ok(Exit::Ok);
    }

    let streaming = keys_src.is_some();
    let flush = args.follow || std::io::stdout().is_terminal();
    let mut w = PickWriter::new(s.format, streaming, flush);
    w.set(out, &head, &pool).map_err(super::io_fail)?;

    if let Some(src) = keys_src {
        if args.follow {
            let first_ttl = resolution.endpoints.min_ttl();
            follow(FollowCtx {
                s,
                plan: &p,
                target,
                head,
                pool,
                selector,
                writer: w,
                src,
                path: args.keys_from.clone().unwrap_or_default(),
                ttl: first_ttl,
                out,
                err,
            })
            .await?;
            return Ok(Exit::Ok);
        }
        let mut r = BufReader::with_capacity(1 << 16, src);
        let mut buf = Vec::with_capacity(256);
        let mut n = 0u64;
        while read_key(&mut r, &mut buf).map_err(read_fail)? {
            if let Some(i) = selector.next(&buf) {
                w.pick(out, n, Some(&buf), i).map_err(super::io_fail)?;
            }
            n += 1;
        }
    } else if !args.keys.is_empty() {
        for (n, k) in args.keys.iter().enumerate() {
            if let Some(i) = selector.next(k.as_bytes()) {
                w.pick(out, n as u64, Some(k.as_bytes()), i)
                    .map_err(super::io_fail)?;
            }
        }
    } else {
        for n in 0..args.count.unwrap_or(1) {
            if let Some(i) = selector.next(b"") {
                w.pick(out, n, None, i).map_err(super::io_fail)?;
            }
        }
    }
    w.finish(out, &head, &pool, &warnings)
        .map_err(super::io_fail)?;
    Ok(Exit::Ok)
}

struct FollowCtx<'a> {
    s: &'a Settings,
    plan: &'a Plan,
    target: Target,
    head: Header,
    pool: Pool,
    selector: Selector,
    writer: PickWriter,
    src: Box<dyn Read + Send>,
    path: PathBuf,
    ttl: Option<u32>,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

/// `--follow`: keys come from a reader thread; a background task
/// re-resolves at the TTL; a new set is applied between two keys.
async fn follow(c: FollowCtx<'_>) -> Result<(), Fail> {
    let FollowCtx {
        s,
        plan: p,
        target,
        mut head,
        mut pool,
        mut selector,
        writer: mut w,
        src,
        path,
        ttl,
        out,
        err,
    } = c;

    let (key_tx, mut keys) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(1024);
    std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(1 << 16, src);
        loop {
            let mut buf = Vec::new();
            match read_key(&mut r, &mut buf) {
                Ok(true) => {
                    if key_tx.blocking_send(Ok(buf)).is_err() {
                        return;
                    }
                }
                Ok(false) => return,
                Err(e) => {
                    let _ = key_tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });

    let (set_tx, mut sets) = tokio::sync::watch::channel::<Option<Resolution>>(None);
    let resolver = s.resolver();
    let ports = p.ports.clone();
    let refresh_target = target.clone();
    let refresher = tokio::spawn(async move {
        let mut every = ttl.map_or(MIN_REFRESH, |t| {
            Duration::from_secs(t.into()).max(MIN_REFRESH)
        });
        loop {
            tokio::time::sleep(every).await;
            let r = resolver.resolve(refresh_target.clone(), &ports).await;
            crate::diag::trace(&r.queries);
            if let (Status::Ok, Some(t)) = (r.status, r.endpoints.min_ttl()) {
                every = Duration::from_secs(t.into()).max(MIN_REFRESH);
            }
            if set_tx.send(Some(r)).is_err() {
                return;
            }
        }
    });

    let mut n = 0u64;
    let result = loop {
        let Some(key) = keys.recv().await else {
            break Ok(());
        };
        let key = match key {
            Ok(k) => k,
            Err(e) => {
                break Err(Fail::usage(format!(
                    "cannot read keys from {}: {e}",
                    path.display()
                )))
            }
        };
        if sets.has_changed().unwrap_or(false) {
            let update = sets.borrow_and_update().clone();
            if let Some(r) = update {
                if let Some((new_pool, new_selector)) = apply(p, &r, &pool, n, err) {
                    let gone = pool.ids_not_in(&new_pool).len();
                    let added = new_pool.ids_not_in(&pool).len();
                    head = header(&head.name, &target, Some(&r), p);
                    pool = new_pool;
                    selector = new_selector;
                    if let Err(e) = w.set(out, &head, &pool) {
                        break Err(super::io_fail(e));
                    }
                    let _ = writeln!(
                        err,
                        "hsvc: endpoint set changed (generation {}): {} endpoints, +{added} -{gone}",
                        w.generation(),
                        pool.len()
                    );
                }
            }
        }
        if let Some(i) = selector.next(&key) {
            if let Err(e) = w.pick(out, n, Some(&key), i) {
                break Err(super::io_fail(e));
            }
        }
        n += 1;
    };
    refresher.abort();
    result
}

/// The pool and selector of a fresh resolution, if it changes anything and
/// is usable; otherwise the previous set is kept (as a client keeps its last
/// good addresses) with a warning.
fn apply(
    p: &Plan,
    r: &Resolution,
    current: &Pool,
    served: u64,
    err: &mut dyn Write,
) -> Option<(Pool, Selector)> {
    if r.status != Status::Ok {
        let why = match r.status {
            Status::Error => r
                .error
                .as_ref()
                .map_or("DNS failure".to_string(), |e| e.message.clone()),
            _ => crate::output::resolve::negative_message(r),
        };
        let _ = writeln!(
            err,
            "hsvc: warning: re-resolving failed ({}); keeping the {} endpoints",
            hsvc_resolve::escape::term(&why),
            current.len()
        );
        return None;
    }
    let pool = Pool::build(&r.endpoints, p.identity, &p.weights, &p.port);
    if pool.same_members(current) {
        return None;
    }
    if pool.is_empty() {
        let _ = writeln!(
            err,
            "hsvc: warning: the new answer has no usable endpoint; keeping the {} endpoints",
            current.len()
        );
        return None;
    }
    match Selector::new(&p.inputs, &pool.set, served) {
        Ok(sel) => Some((pool, sel)),
        Err(e) => {
            let _ = writeln!(err, "hsvc: warning: {e}; keeping the previous endpoints");
            None
        }
    }
}
