//! `hsvc pick`: resolve, build the canonical pool, run the policy, print.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exit::{Exit, Fail};
use crate::output::pick::{self as render, Header, PickWriter};
use crate::output::ErrorDoc;
use crate::plan::{Keys, PickPlan as Plan, Settings};
use crate::report::Reporter;
use hsvc_balance::follow::{Follower, Update};
use hsvc_balance::selection::{simulate, Pool, Selector, SimKeys, WeightSource};
use hsvc_resolve::lookup::{Answer, Outcome, Status};
use hsvc_resolve::name::Target;

/// The shortest interval between two re-resolutions with --follow (a TTL of
/// 0 must not turn into a query storm).
const MIN_REFRESH: Duration = Duration::from_secs(1);
/// The longest interval between two re-resolutions, whatever the TTL.
const MAX_REFRESH: Duration = Duration::from_secs(300);

fn header(input: &str, target: &Target, r: Option<&Answer>, p: &Plan) -> Header {
    Header {
        name: input.to_string(),
        fqdn: target.fqdn.to_string(),
        status: r.map_or(Status::Error, Answer::status),
        policy: p.inputs.policy.name(),
        identity: p.identity.as_str(),
        weights: match p.weights {
            WeightSource::Srv => "srv",
            WeightSource::Explicit(_) => "flag",
        },
        offset: p.offset,
        seed: p.seed,
        table_size: p.table_size,
        rcode: r
            .and_then(|r| r.via.rcode)
            .map(hsvc_resolve::dns::rcode_str),
        server: r.map(|r| r.via.server.to_string()),
        transport: r.map(|r| r.via.transport),
        ttl: r.and_then(|r| r.endpoints.min_ttl()),
    }
}

fn warn(rep: &mut Reporter<'_>, warnings: &[String]) {
    for w in warnings {
        rep.warning(w);
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

/// The longest key `--keys-from` accepts, in bytes: a key is a request's
/// affinity value (a user ID, a session), not a file.
pub const MAX_KEY: usize = 64 * 1024;

/// The most picks held for one document (`-o json`, or a table of `--key`s
/// and `--count`): about 0.5 KB each. Streams (`-o jsonl`, `-o plain`,
/// `--keys-from` tables) have no such bound.
pub const MAX_HELD_PICKS: u64 = 100_000;

/// Reads one key (a line without its `\n` or `\r\n`) into `buf`; false at
/// the end. A line longer than [`MAX_KEY`] is an error, read no further.
fn read_key(r: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    buf.clear();
    let limit = MAX_KEY as u64 + 2; // the key, `\r` and `\n`
    if r.take(limit).read_until(b'\n', buf)? == 0 {
        return Ok(false);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() > MAX_KEY || (!ended && buf.len() as u64 == limit) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a key is longer than {} KiB", MAX_KEY / 1024),
        ));
    }
    Ok(true)
}

fn read_fail(e: std::io::Error) -> Fail {
    Fail::usage(format!("cannot read keys: {e}"))
}

pub async fn run(
    s: &Settings,
    p: Plan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let args = &p;
    let target = p.target.clone();
    // Open the key source before asking DNS, so a missing file is a usage error.
    let keys_src = match &p.keys {
        Keys::From(path) => Some(open_keys(path)?),
        _ => None,
    };

    #[cfg(feature = "api")]
    if let Some(api) = &p.api {
        let got =
            super::api::endpoints_for(api, &args.name, render::SCHEMA, s.format, out, rep).await?;
        let mut head = header(&args.name, &target, None, &p);
        head.fqdn = got.fqdn.clone();
        head.status = hsvc_resolve::lookup::Status::Ok;
        head.server = Some(got.server.clone());
        if got.not_headless && !p.allow_cluster_ip {
            let info = got.refusal("pick");
            render::render_failure(out, s.format, &head, &got.warnings, Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail::usage(info.message));
        }
        let fetched = Fetched {
            endpoints: s.keep_family_of(got.endpoints),
            server: got.server,
            head,
            warnings: got.warnings,
        };
        return pick_from(s, p, fetched, keys_src, out, rep).await;
    }
    let resolver = s.resolver();
    let resolution = s.keep_family(resolver.resolve(target.clone(), &p.ports).await);
    rep.trace(&resolution.trace);
    let head = header(&args.name, &target, Some(&resolution), &p);
    let dns_warnings: Vec<String> = resolution
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    warn(rep, &dns_warnings);
    match &resolution.outcome {
        Ok(Outcome::Found) => {}
        Err(e) => {
            let info = ErrorDoc::from(e);
            render::render_failure(out, s.format, &head, &dns_warnings, Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail::dns(info.message));
        }
        Ok(negative) => {
            let msg = crate::output::resolve::negative_message(&resolution);
            let info = ErrorDoc {
                kind: if *negative == Outcome::NxDomain {
                    "nxdomain".into()
                } else {
                    "nodata".into()
                },
                message: msg.clone(),
                server: Some(resolution.via.server.to_string()),
            };
            render::render_failure(out, s.format, &head, &dns_warnings, Some(&info))
                .map_err(super::io_fail)?;
            return Err(Fail {
                exit: Exit::Negative,
                message: msg,
            });
        }
    }

    if resolution.is_cluster_ip() && !p.allow_cluster_ip {
        let info = crate::output::not_headless_refusal(
            &resolution.target.fqdn.to_string(),
            resolution.via.server.to_string(),
            "pick",
            false,
        );
        render::render_failure(out, s.format, &head, &dns_warnings, Some(&info))
            .map_err(super::io_fail)?;
        return Err(Fail::usage(info.message));
    }

    let fetched = Fetched {
        endpoints: resolution.endpoints,
        server: resolution.via.server.to_string(),
        head,
        warnings: dns_warnings,
    };
    pick_from(s, p, fetched, keys_src, out, rep).await
}

/// The endpoints to pick from and where they came from.
struct Fetched {
    endpoints: hsvc_resolve::endpoints::EndpointSet,
    /// The DNS server (`ip:port`) or the API server's URL.
    server: String,
    head: Header,
    warnings: Vec<String>,
}

async fn pick_from(
    s: &Settings,
    p: Plan,
    fetched: Fetched,
    keys_src: Option<Box<dyn Read + Send>>,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let args = &p;
    let target = p.target.clone();
    let Fetched {
        endpoints,
        server,
        head,
        warnings: dns_warnings,
    } = fetched;
    let pool = Pool::build(&endpoints, p.identity, &p.weights, &p.port);
    warn(rep, &pool.warnings);
    let mut warnings = dns_warnings.clone();
    warnings.extend(pool.warnings.iter().cloned());
    if pool.is_empty() {
        let msg = format!(
            "{}: no endpoint has the port asked for ({} resolved)",
            target.fqdn,
            endpoints.len()
        );
        let info = ErrorDoc {
            kind: "no_endpoint".into(),
            message: msg.clone(),
            server: Some(server.clone()),
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
        } else if let Keys::Given(keys) = &args.keys {
            given = keys.iter().map(|k| k.as_bytes().to_vec()).collect();
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
    // Only -o json and tables of given keys or --count hold every pick.
    let held = s.format.is_document()
        || (!streaming
            && matches!(
                s.format,
                crate::output::Format::Table | crate::output::Format::Wide
            ));
    let too_many = || {
        Fail::usage(format!(
            "more than {MAX_HELD_PICKS} picks to hold for one document: use -o jsonl or -o plain, which stream"
        ))
    };
    let planned = match &args.keys {
        Keys::Given(k) => k.len() as u64,
        Keys::None => args.count,
        Keys::From(_) => 0,
    };
    if held && planned > MAX_HELD_PICKS {
        return Err(too_many());
    }
    let flush = args.follow || std::io::stdout().is_terminal();
    let mut w = PickWriter::new(s.format, streaming, flush);
    w.set(out, &head, &pool).map_err(super::io_fail)?;

    if let Some(src) = keys_src {
        if args.follow {
            let first_ttl = endpoints.min_ttl();
            follow(FollowCtx {
                s,
                plan: &p,
                target,
                head,
                pool,
                selector,
                writer: w,
                src,
                path: match &args.keys {
                    Keys::From(path) => path.clone(),
                    _ => PathBuf::new(),
                },
                ttl: first_ttl,
                out,
                rep,
            })
            .await?;
            return Ok(Exit::Ok);
        }
        let mut r = BufReader::with_capacity(1 << 16, src);
        let mut buf = Vec::with_capacity(256);
        let mut n = 0u64;
        while read_key(&mut r, &mut buf).map_err(read_fail)? {
            if held && n >= MAX_HELD_PICKS {
                return Err(too_many());
            }
            if let Some(i) = selector.next(&buf) {
                w.pick(out, n, Some(&buf), i).map_err(super::io_fail)?;
            }
            n += 1;
        }
    } else if let Keys::Given(keys) = &args.keys {
        for (n, k) in keys.iter().enumerate() {
            if let Some(i) = selector.next(k.as_bytes()) {
                w.pick(out, n as u64, Some(k.as_bytes()), i)
                    .map_err(super::io_fail)?;
            }
        }
    } else {
        for n in 0..args.count {
            if let Some(i) = selector.next(b"") {
                w.pick(out, n, None, i).map_err(super::io_fail)?;
            }
        }
    }
    w.finish(out, &head, &pool, &warnings)
        .map_err(super::io_fail)?;
    Ok(Exit::Ok)
}

struct FollowCtx<'a, 'b> {
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
    rep: &'a mut Reporter<'b>,
}

/// `--follow`: keys come from a reader thread; a background task
/// re-resolves at the TTL; a new set is applied between two keys.
async fn follow(c: FollowCtx<'_, '_>) -> Result<(), Fail> {
    let FollowCtx {
        s,
        plan: p,
        target,
        mut head,
        pool,
        selector,
        writer: mut w,
        src,
        path,
        ttl,
        out,
        rep,
    } = c;
    let mut follower = Follower::new(
        p.inputs,
        p.identity,
        p.weights.clone(),
        p.port.clone(),
        pool,
        selector,
    );

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

    let (set_tx, mut sets) = tokio::sync::watch::channel::<Option<Answer>>(None);
    let resolver = s.resolver();
    let ports = p.ports.clone();
    let refresh_target = target.clone();
    let settings = s.clone();
    let refresher = tokio::spawn(async move {
        let mut every = ttl.map_or(MIN_REFRESH, |t| {
            Duration::from_secs(t.into()).clamp(MIN_REFRESH, MAX_REFRESH)
        });
        loop {
            tokio::time::sleep(every).await;
            let r = settings.keep_family(resolver.resolve(refresh_target.clone(), &ports).await);
            if let (Ok(Outcome::Found), Some(t)) = (&r.outcome, r.endpoints.min_ttl()) {
                every = Duration::from_secs(t.into()).clamp(MIN_REFRESH, MAX_REFRESH);
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
                rep.trace(&r.trace);
                let answer = match &r.outcome {
                    Ok(Outcome::Found) => Ok(&r.endpoints),
                    Err(e) => Err(e.to_string()),
                    Ok(_) => Err(crate::output::resolve::negative_message(&r)),
                };
                let kept = follower.pool().len();
                match follower.apply(answer, n) {
                    Update::Applied { added, removed } => {
                        head = header(&head.name, &target, Some(&r), p);
                        if let Err(e) = w.set(out, &head, follower.pool()) {
                            break Err(super::io_fail(e));
                        }
                        rep.note(&format!(
                            "endpoint set changed (generation {}): {} endpoints, +{added} -{removed}",
                            w.generation(),
                            follower.pool().len()
                        ));
                    }
                    Update::Unchanged => {}
                    Update::KeptAfterFailure(why) => rep.warning(&format!(
                        "re-resolving failed ({why}); keeping the {kept} endpoints"
                    )),
                    Update::KeptEmpty => rep.warning(&format!(
                        "the new answer has no usable endpoint; keeping the {kept} endpoints"
                    )),
                    Update::KeptUnbuildable(e) => {
                        rep.warning(&format!("{e}; keeping the previous endpoints"))
                    }
                }
            }
        }
        if let Some(i) = follower.next(&key) {
            if let Err(e) = w.pick(out, n, Some(&key), i) {
                break Err(super::io_fail(e));
            }
        }
        n += 1;
    };
    refresher.abort();
    result
}
