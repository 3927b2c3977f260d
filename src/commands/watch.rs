//! `hsvc watch`: the loop, the clock and Ctrl-C. What counts as a change
//! is decided by [`hsvc_resolve::watch::Tracker`].

use std::io::Write;
use std::time::{Duration, SystemTime};

use tokio::time::{sleep_until, Instant};

use crate::exit::{Exit, Fail};
use crate::output::watch::{self as render, EndDoc, EndSourceDoc, Origin};
use crate::plan::{Settings, WatchPlan};
use crate::report::Reporter;
use crate::sources::{self, Source};
use hsvc_resolve::lookup::Answer;
use hsvc_resolve::watch::Tracker;

/// Interval when the answer gives no TTL (empty set, failure) and none was
/// seen before: CoreDNS's default TTL, the negative-caching time.
const NO_TTL_INTERVAL: Duration = Duration::from_secs(5);
/// Floor of TTL-derived intervals.
const MIN_TTL_INTERVAL: Duration = Duration::from_secs(1);
/// Ceiling of TTL-derived intervals: a server's TTL of days (or 2^31 − 1
/// seconds) must not put the watch to sleep for good.
const MAX_TTL_INTERVAL: Duration = Duration::from_secs(300);

struct State {
    tracker: Tracker,
    next: Instant,
    /// Interval derived from the last TTL seen.
    ttl_interval: Option<Duration>,
    resolutions: u64,
    failures: u64,
    events: u64,
}

fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => sleep_until(d).await,
        None => std::future::pending().await,
    }
}

pub async fn run(
    s: &Settings,
    args: &WatchPlan,
    out: &mut dyn Write,
    rep: &mut Reporter<'_>,
) -> Result<Exit, Fail> {
    let sources = &args.sources;
    let opts = args.opts;
    let width = sources
        .iter()
        .map(|src| hsvc_resolve::escape::term(&src.label).chars().count())
        .max()
        .unwrap_or(0);
    let started = Instant::now();
    let deadline = args.duration.map(|d| started + d);
    let mut states: Vec<State> = sources
        .iter()
        .map(|_| State {
            tracker: Tracker::new(opts),
            next: started,
            ttl_interval: None,
            resolutions: 0,
            failures: 0,
            events: 0,
        })
        .collect();
    let done = |st: &State| args.count.is_some_and(|c| st.resolutions >= c);
    let ctrl_c = interrupted();
    tokio::pin!(ctrl_c);

    let reason = loop {
        if states.iter().all(done) {
            break "count";
        }
        let now = Instant::now();
        let due: Vec<usize> = (0..states.len())
            .filter(|&i| !done(&states[i]) && states[i].next <= now)
            .collect();
        if due.is_empty() {
            let next = states
                .iter()
                .filter(|st| !done(st))
                .map(|st| st.next)
                .min()
                .unwrap_or(now);
            tokio::select! {
                _ = sleep_until(next) => continue,
                _ = &mut ctrl_c => break "interrupted",
                _ = until(deadline) => break "duration",
            }
        }
        let refs: Vec<&Source> = due.iter().map(|&i| &sources[i]).collect();
        let results = tokio::select! {
            r = sources::resolve_all(s, &refs, rep) => r,
            _ = &mut ctrl_c => break "interrupted",
            _ = until(deadline) => break "duration",
        };
        for (&i, r) in due.iter().zip(results) {
            let interval = next_interval(args.interval, &r, &mut states[i]);
            let st = &mut states[i];
            st.next = now + interval;
            st.resolutions += 1;
            if r.outcome.is_err() {
                st.failures += 1;
            }
            let time = now_rfc3339();
            let origin = Origin {
                label: &sources[i].label,
                name: &r.target.input,
                fqdn: r.target.fqdn.to_string(),
                server: sources[i].server.to_string(),
                rcode: r.via.rcode.map(hsvc_resolve::dns::rcode_str),
                width,
            };
            let events = st
                .tracker
                .observe(r.outcome.as_ref().copied(), r.endpoints.clone());
            for ev in &events {
                st.events += 1;
                render::render_event(out, s.format, &time, &origin, ev)
                    .and_then(|()| out.flush())
                    .map_err(super::io_fail)?;
            }
        }
    };

    let time = now_rfc3339();
    let end = EndDoc {
        schema: render::SCHEMA,
        event: "end",
        time: &time,
        reason,
        elapsed_ms: started.elapsed().as_millis() as u64,
        resolutions: states.iter().map(|st| st.resolutions).sum(),
        events: states.iter().map(|st| st.events).sum(),
        sources: sources
            .iter()
            .zip(&states)
            .map(|(src, st)| EndSourceDoc {
                source: &src.label,
                fqdn: src.target.fqdn.to_string(),
                server: src.server.to_string(),
                status: st.tracker.status(),
                count: st.tracker.count(),
                resolutions: st.resolutions,
                failures: st.failures,
                events: st.events,
                failing: st.tracker.is_failing(),
            })
            .collect(),
    };
    render::render_end(out, s.format, &end)
        .and_then(|()| out.flush())
        .map_err(super::io_fail)?;
    Ok(Exit::Ok)
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill`, `timeout` and a
/// container's stop send): either ends the watch with its summary. A
/// handler that cannot be installed leaves that signal's default, rather
/// than stopping at once.
async fn interrupted() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// `--interval`, else the answer's TTL (at least 1 s), else the last TTL
/// seen, else 5 s.
fn next_interval(flag: Option<Duration>, r: &Answer, st: &mut State) -> Duration {
    if let Some(d) = flag {
        return d;
    }
    if let Some(ttl) = r.endpoints.min_ttl() {
        st.ttl_interval =
            Some(Duration::from_secs(u64::from(ttl)).clamp(MIN_TTL_INTERVAL, MAX_TTL_INTERVAL));
    }
    st.ttl_interval.unwrap_or(NO_TTL_INTERVAL)
}
