//! From a [`Target`] to its [`EndpointSet`] through DNS: the one way every
//! command resolves a name. A, AAAA and SRV go out concurrently; SRV targets
//! without glue are looked up with bounded concurrency; every query is kept
//! for `--explain` and the JSON `queries` field.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use serde::Serialize;

use crate::dns::{self, Exchange, Failure, QueryOptions, Transport};
use crate::endpoints::{self, Endpoint, EndpointSet, SrvRecord};
use crate::name::{self, Context, Fqdn, Kind, SearchWalk, StepResult, Target};

/// Where and how to ask, and over what: [`dns::Sockets`], or canned
/// replies in tests.
#[derive(Clone, Debug)]
pub struct Resolver<L = dns::Sockets> {
    pub servers: Vec<SocketAddr>,
    pub opts: QueryOptions,
    pub link: L,
}

impl Resolver {
    /// Asks `servers` over the network.
    pub fn new(servers: Vec<SocketAddr>, opts: QueryOptions) -> Self {
        Resolver {
            servers,
            opts,
            link: dns::Sockets::default(),
        }
    }
}

/// Extra port information to ask for.
#[derive(Clone, Debug, Default)]
pub struct PortQuery {
    /// `--port-name`: also ask `_<name>._<protocol>.<svc>…` to label ports.
    pub name: Option<String>,
    pub protocol: String,
    /// Only addresses are wanted (`-o plain`): skip SRV and target lookups,
    /// as `dig +short` would.
    pub addresses_only: bool,
}

/// The outcome of a resolution, as exit codes see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At least one address.
    Ok,
    /// The name does not exist.
    Nxdomain,
    /// The name exists but has no records of the types asked.
    Nodata,
    /// A query failed: timeout, SERVFAIL, REFUSED, network, malformed.
    Error,
}

/// Why a resolution failed.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorInfo {
    /// `timeout`, `servfail`, `refused`, `connection_refused`, `network`,
    /// `malformed`, `rcode`.
    pub kind: String,
    pub message: String,
    pub server: Option<String>,
}

/// One query as sent, for `--explain`.
#[derive(Clone, Debug, Serialize)]
pub struct QueryRecord {
    /// Why it was sent: `address`, `srv`, `port-name`, `target`, `ptr`, `search`.
    pub purpose: &'static str,
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub server: String,
    pub transport: Transport,
    pub rcode: Option<String>,
    pub error: Option<String>,
    pub answers: usize,
    pub truncated: bool,
    pub latency_ms: f64,
}

/// A step of a replayed search walk.
#[derive(Clone, Debug, Serialize)]
pub struct SearchStep {
    pub candidate: String,
    pub as_is: bool,
    /// `answer`, `nxdomain`, `nodata`, `servfail`, `rcode`, `timeout`,
    /// `connection_refused`, `error`.
    pub result: &'static str,
    pub addresses: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct SearchReport {
    pub resolver: &'static str,
    pub ndots: u8,
    pub dots: usize,
    pub search: Vec<String>,
    pub steps: Vec<SearchStep>,
    /// The name the walk ended on, if it found one.
    pub found: Option<String>,
}

/// Everything a command needs to know about one resolved name.
#[derive(Clone, Debug)]
pub struct Resolution {
    pub target: Target,
    pub endpoints: EndpointSet,
    pub status: Status,
    pub error: Option<ErrorInfo>,
    /// Server and transport of the main query (A, SRV or PTR).
    pub server: Option<SocketAddr>,
    pub transport: Transport,
    /// Rcode of the main query (or of the last search step).
    pub rcode: Option<String>,
    /// Some reply came back truncated over UDP...
    pub truncated: bool,
    /// ... and was asked again over TCP.
    pub retried_tcp: bool,
    /// Every answer came back whole. False when a reply was truncated even
    /// over TCP (an answer above 64 KiB): the set may lack endpoints (A/AAAA)
    /// or hostnames and ports (SRV).
    pub complete: bool,
    pub latency: Duration,
    pub queries: Vec<QueryRecord>,
    pub search: Option<SearchReport>,
    pub warnings: Vec<String>,
}

fn record(purpose: &'static str, ex: &Exchange, out: &mut Vec<QueryRecord>) {
    let name = dns::display_name(&ex.name);
    for t in &ex.tries {
        out.push(QueryRecord {
            purpose,
            name: name.clone(),
            rtype: ex.rtype.to_string(),
            server: t.server.to_string(),
            transport: t.transport,
            rcode: t.outcome.as_ref().ok().map(|r| dns::rcode_str(*r)),
            error: t.outcome.as_ref().err().map(ToString::to_string),
            answers: t.answers,
            truncated: t.truncated,
            latency_ms: ms(t.latency),
        });
    }
}

/// Milliseconds with microsecond precision.
pub fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

fn failure_info(ex: &Exchange) -> Option<ErrorInfo> {
    if matches!(&ex.result, Ok(m) if matches!(m.metadata.response_code, ResponseCode::NoError | ResponseCode::NXDomain))
    {
        return None;
    }
    let server = Some(ex.server.to_string());
    let what = format!("{} {}", dns::display_name(&ex.name), ex.rtype);
    match &ex.result {
        Err(f) => Some(ErrorInfo {
            kind: f.kind().to_string(),
            message: match f {
                Failure::Timeout => format!(
                    "{what}: no answer from {} ({} tr{})",
                    ex.server,
                    ex.tries.len(),
                    if ex.tries.len() == 1 { "y" } else { "ies" }
                ),
                _ => format!("{what}: {f} ({})", ex.server),
            },
            server,
        }),
        Ok(m) => match m.metadata.response_code {
            ResponseCode::NoError | ResponseCode::NXDomain => None,
            rc => Some(ErrorInfo {
                kind: match rc {
                    ResponseCode::ServFail => "servfail".into(),
                    ResponseCode::Refused => "refused".into(),
                    _ => "rcode".into(),
                },
                message: format!("{what}: {} from {}", dns::rcode_str(rc), ex.server),
                server,
            }),
        },
    }
}

fn addresses(m: &Message, rtype: RecordType) -> Vec<(IpAddr, u32)> {
    m.answers
        .iter()
        .filter(|r| r.record_type() == rtype)
        .filter_map(addr_of)
        .collect()
}

fn addr_of(r: &Record) -> Option<(IpAddr, u32)> {
    match &r.data {
        RData::A(a) => Some((IpAddr::V4(a.0), r.ttl)),
        RData::AAAA(a) => Some((IpAddr::V6(a.0), r.ttl)),
        _ => None,
    }
}

fn key(n: &Name) -> String {
    dns::display_name(n).to_ascii_lowercase()
}

/// SRV records of a reply; `names` keeps each target's wire name for
/// lookups.
fn srv_records(
    m: &Message,
    port_name: Option<&str>,
    protocol: Option<&str>,
    names: &mut HashMap<String, Name>,
) -> Vec<SrvRecord> {
    m.answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::SRV(s) => Some(SrvRecord {
                target: {
                    let k = key(&s.target);
                    names.entry(k.clone()).or_insert_with(|| s.target.clone());
                    k
                },
                target_label: dns::first_label(&s.target).unwrap_or_default(),
                port: s.port,
                weight: s.weight,
                priority: s.priority,
                ttl: r.ttl,
                port_name: port_name.map(str::to_string),
                protocol: protocol.map(str::to_string),
            }),
            _ => None,
        })
        .collect()
}

fn glue(m: &Message, into: &mut HashMap<String, Vec<(IpAddr, u32)>>) {
    for r in &m.additionals {
        if let Some(a) = addr_of(r) {
            let v = into.entry(key(&r.name)).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
        }
    }
}

fn step_result(a: &Exchange, aaaa: &Exchange) -> (StepResult, usize) {
    let n = [a, aaaa]
        .iter()
        .filter_map(|e| e.message().map(|m| addresses(m, e.rtype).len()))
        .sum::<usize>();
    if n > 0 {
        return (StepResult::Answer, n);
    }
    let judge = |e: &Exchange| match &e.result {
        Err(Failure::Timeout) => StepResult::Timeout,
        Err(Failure::ConnRefused) => StepResult::ConnRefused,
        Err(_) => StepResult::Error,
        Ok(m) => match m.metadata.response_code {
            ResponseCode::NoError => StepResult::NoData,
            ResponseCode::NXDomain => StepResult::NxDomain,
            ResponseCode::ServFail => StepResult::ServFail,
            _ => StepResult::OtherRcode,
        },
    };
    let (ra, raaaa) = (judge(a), judge(aaaa));
    // Any failure of either reply weighs more than a negative answer; then
    // NXDOMAIN in either (musl) / the A reply's rcode unless NOERROR (glibc).
    let r = match (ra, raaaa) {
        (x, _) if !matches!(x, StepResult::NoData | StepResult::NxDomain) => x,
        (_, y) if !matches!(y, StepResult::NoData | StepResult::NxDomain) => y,
        (StepResult::NxDomain, _) | (_, StepResult::NxDomain) => StepResult::NxDomain,
        _ => StepResult::NoData,
    };
    (r, 0)
}

fn step_str(r: StepResult) -> &'static str {
    match r {
        StepResult::Answer => "answer",
        StepResult::NxDomain => "nxdomain",
        StepResult::NoData => "nodata",
        StepResult::ServFail => "servfail",
        StepResult::OtherRcode => "rcode",
        StepResult::Timeout => "timeout",
        StepResult::ConnRefused => "connection_refused",
        StepResult::Error => "error",
    }
}

impl<L: dns::Link> Resolver<L> {
    async fn ask(&self, name: &Name, rtype: RecordType) -> Exchange {
        self.ask_many(vec![(name.clone(), rtype)])
            .await
            .pop()
            .expect("one answer for one question")
    }

    /// Asks several questions at once over one socket (or TCP connection).
    async fn ask_many(&self, questions: Vec<(Name, RecordType)>) -> Vec<Exchange> {
        let questions: Vec<_> = questions.into_iter().map(dns::Question::from).collect();
        dns::exchange(&self.link, &self.servers, &self.opts, &questions).await
    }

    /// Resolves a parsed target into its endpoints.
    pub async fn resolve(&self, target: Target, ports: &PortQuery) -> Resolution {
        let started = Instant::now();
        let mut res = match target.kind {
            Kind::Reverse => self.reverse(target).await,
            Kind::Srv => self.srv(target).await,
            _ => self.addresses_and_srv(target, ports, None).await,
        };
        res.latency = started.elapsed();
        res
    }

    /// Replays the search walk of `input` (glibc or musl rules) and, if it
    /// finds a name, resolves it like [`Resolver::resolve`].
    pub async fn resolve_search(
        &self,
        input: &str,
        walk: &SearchWalk,
        search: &[Fqdn],
        ctx: &Context,
        ports: &PortQuery,
    ) -> Resolution {
        let started = Instant::now();
        let mut report = SearchReport {
            resolver: walk.rules.as_str(),
            ndots: walk.ndots,
            dots: walk.dots,
            search: search.iter().map(ToString::to_string).collect(),
            steps: Vec::new(),
            found: None,
        };
        let mut queries = Vec::new();
        let mut index = Some(0);
        let mut seen_nodata = false;
        let mut seen_servfail = false;
        let mut first_as_is: Option<(StepResult, Exchange)> = None;
        let mut last: Option<(StepResult, Exchange)> = None;
        while let Some(i) = index {
            let cand = &walk.candidates[i];
            let n = dns::to_name(&cand.fqdn);
            let [a, aaaa]: [Exchange; 2] = self
                .ask_many(vec![(n.clone(), RecordType::A), (n, RecordType::AAAA)])
                .await
                .try_into()
                .expect("two answers for two questions");
            record("search", &a, &mut queries);
            record("search", &aaaa, &mut queries);
            let (result, count) = step_result(&a, &aaaa);
            report.steps.push(SearchStep {
                candidate: cand.fqdn.to_string(),
                as_is: cand.as_is,
                result: step_str(result),
                addresses: count,
            });
            if result == StepResult::Answer {
                report.found = Some(cand.fqdn.to_string());
                let target = Target::from_fqdn(input, &cand.fqdn, ctx);
                let mut res = self.addresses_and_srv(target, ports, Some((a, aaaa))).await;
                queries.append(&mut res.queries);
                res.queries = queries;
                res.search = Some(report);
                res.latency = started.elapsed();
                return res;
            }
            seen_nodata |= result == StepResult::NoData;
            seen_servfail |= result == StepResult::ServFail;
            if cand.as_is && i == 0 {
                first_as_is = Some((result, a.clone()));
            }
            last = Some((result, a));
            index = walk.next_index(i, result);
        }
        // glibc's failure code: the as-is error if it was tried first, else
        // NODATA if any candidate had it, else SERVFAIL if seen, else the
        // last error. musl stops on the deciding step.
        let (last_result, last_ex) = last.expect("the walk asks at least once");
        let (result, ex) = match (walk.rules, first_as_is) {
            (name::ResolverRules::Glibc, Some(first)) => first,
            (name::ResolverRules::Glibc, None) if seen_nodata => (StepResult::NoData, last_ex),
            (name::ResolverRules::Glibc, None) if seen_servfail => (StepResult::ServFail, last_ex),
            _ => (last_result, last_ex),
        };
        let target = Target::from_fqdn(input, &walk.candidates[0].fqdn, ctx);
        let (status, error) = match result {
            StepResult::NxDomain => (Status::Nxdomain, None),
            StepResult::NoData => (Status::Nodata, None),
            _ => (
                Status::Error,
                failure_info(&ex).or_else(|| {
                    Some(ErrorInfo {
                        kind: step_str(result).to_string(),
                        message: format!(
                            "search for {} stopped: {}",
                            crate::escape::term(input),
                            step_str(result)
                        ),
                        server: Some(ex.server.to_string()),
                    })
                }),
            ),
        };
        Resolution {
            target,
            endpoints: EndpointSet::default(),
            status,
            error,
            server: Some(ex.server),
            transport: ex.transport,
            rcode: ex.rcode().map(dns::rcode_str),
            truncated: queries.iter().any(|q| q.truncated),
            retried_tcp: false,
            complete: true,
            latency: started.elapsed(),
            queries,
            search: Some(report),
            warnings: Vec::new(),
        }
    }

    /// A, AAAA and SRV at the name (plus `_port._proto` with --port-name).
    async fn addresses_and_srv(
        &self,
        target: Target,
        ports: &PortQuery,
        known: Option<(Exchange, Exchange)>,
    ) -> Resolution {
        let n = dns::to_name(&target.fqdn);
        let named = ports.name.as_ref().and_then(|p| {
            let svc_name = match target.kind {
                Kind::Service | Kind::Endpoint => Some(&target.fqdn),
                _ => None,
            }?;
            let labels = svc_name.labels();
            let skip = usize::from(target.kind == Kind::Endpoint);
            let mut l = vec![format!("_{p}"), format!("_{}", ports.protocol)];
            l.extend(labels[skip..].iter().cloned());
            Some(Fqdn::from_labels(l))
        });
        let named_name = named.as_ref().map(dns::to_name);
        // A and AAAA that a search walk already asked are recorded there.
        let asked = known.is_none();
        let mut questions = Vec::with_capacity(4);
        if asked {
            questions.push((n.clone(), RecordType::A));
            questions.push((n.clone(), RecordType::AAAA));
        }
        let want_srv = !ports.addresses_only;
        if want_srv {
            questions.push((n.clone(), RecordType::SRV));
        }
        if let Some(nn) = named_name.as_ref().filter(|_| want_srv) {
            questions.push((nn.clone(), RecordType::SRV));
        }
        let mut answers = if questions.is_empty() {
            Vec::new()
        } else {
            self.ask_many(questions).await
        }
        .into_iter();
        let mut next = || answers.next().expect("one answer per question");
        let (a, aaaa) = match known {
            Some(pair) => pair,
            None => (next(), next()),
        };
        let srv = want_srv.then(&mut next);
        let named_ex = named_name.as_ref().filter(|_| want_srv).map(|_| next());
        let mut queries = Vec::new();
        if asked {
            record("address", &a, &mut queries);
            record("address", &aaaa, &mut queries);
        }
        if let Some(e) = &srv {
            record("srv", e, &mut queries);
        }
        if let Some(e) = &named_ex {
            record("port-name", e, &mut queries);
        }

        let mut addrs = Vec::new();
        for e in [&a, &aaaa] {
            if let Some(m) = e.message() {
                addrs.extend(addresses(m, e.rtype));
            }
        }
        let mut srvs = Vec::new();
        let mut target_addrs = HashMap::new();
        let mut names = HashMap::new();
        if let Some(m) = srv.as_ref().and_then(Exchange::message) {
            srvs.extend(srv_records(m, None, None, &mut names));
            glue(m, &mut target_addrs);
        }
        if let (Some(m), Some(p)) = (named_ex.as_ref().and_then(|e| e.message()), &ports.name) {
            srvs.extend(srv_records(m, Some(p), Some(&ports.protocol), &mut names));
            glue(m, &mut target_addrs);
        }
        let mut warnings = Vec::new();
        let mut primary = vec![&a, &aaaa];
        primary.extend(srv.as_ref());
        primary.extend(named_ex.as_ref());
        for e in &primary {
            if e.incomplete {
                warnings.push(format!(
                    "the {} answer for {} is larger than 64 KiB and was truncated even over TCP: {}",
                    e.rtype,
                    dns::display_name(&e.name),
                    if e.rtype == RecordType::SRV {
                        "some endpoints lack hostname and ports"
                    } else {
                        "the address set is incomplete"
                    }
                ));
            }
        }
        // Only the families the name has are worth asking of its targets.
        let families = families_of(addrs.iter());
        let (endpoints, target_errors) = self
            .join_with_targets(
                &addrs,
                &srvs,
                &names,
                families,
                target_addrs,
                &mut queries,
                &mut warnings,
            )
            .await;

        let error = primary
            .iter()
            .find_map(|e| failure_info(e))
            .or(target_errors);
        let status = status_of(&error, &endpoints, &a);
        if let (Some(e), Some(m)) = (&named_ex, named_ex.as_ref().and_then(|e| e.message())) {
            if m.metadata.response_code == ResponseCode::NXDomain {
                warnings.push(format!(
                    "{} does not exist: the Service has no port by that name",
                    dns::display_name(&e.name)
                ));
            }
        }
        Resolution {
            target,
            endpoints,
            status,
            error,
            server: Some(a.server),
            transport: a.transport,
            rcode: a.rcode().map(dns::rcode_str),
            truncated: primary.iter().any(|e| e.truncated),
            retried_tcp: primary.iter().any(|e| e.retried_tcp),
            complete: primary.iter().all(|e| !e.incomplete),
            latency: Duration::ZERO,
            queries,
            search: None,
            warnings,
        }
    }

    /// Completes the SRV targets' addresses with lookups where needed and
    /// joins everything into endpoints; also returns the first lookup
    /// failure, if any.
    #[allow(clippy::too_many_arguments)]
    async fn join_with_targets(
        &self,
        addrs: &[(IpAddr, u32)],
        srvs: &[SrvRecord],
        names: &HashMap<String, Name>,
        families: (bool, bool),
        mut target_addrs: HashMap<String, Vec<(IpAddr, u32)>>,
        queries: &mut Vec<QueryRecord>,
        warnings: &mut Vec<String>,
    ) -> (EndpointSet, Option<ErrorInfo>) {
        let error = self
            .lookup_targets(srvs, names, families, &mut target_addrs, queries, warnings)
            .await;
        (endpoints::join(addrs, srvs, &target_addrs), error)
    }

    /// Looks up A/AAAA of SRV targets the reply gave no address for and
    /// whose label is not a dashed IP (BIND omits glue above 13 SRV
    /// records). Returns the first failure, if any.
    async fn lookup_targets(
        &self,
        srvs: &[SrvRecord],
        names: &HashMap<String, Name>,
        (v4, v6): (bool, bool),
        target_addrs: &mut HashMap<String, Vec<(IpAddr, u32)>>,
        queries: &mut Vec<QueryRecord>,
        warnings: &mut Vec<String>,
    ) -> Option<ErrorInfo> {
        // Per target, the wanted families its glue lacks. A reply can carry
        // part of the glue without TC (BIND drops additional records that do
        // not fit a 512-byte reply and keeps the rest), so a target with an
        // A but no AAAA of a dual-stack Service is asked for its AAAA.
        let mut missing: Vec<(String, Name, bool, bool)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for s in srvs {
            if !seen.insert(&s.target) {
                continue;
            }
            let have = target_addrs.get(&s.target);
            let has = |f: fn(&IpAddr) -> bool| have.is_some_and(|v| v.iter().any(|(ip, _)| f(ip)));
            let (need4, need6) = (v4 && !has(IpAddr::is_ipv4), v6 && !has(IpAddr::is_ipv6));
            if !need4 && !need6 {
                continue;
            }
            // A dashed-IP target names its one address itself.
            if crate::name::dashed_ip(&s.target_label).is_some() {
                continue;
            }
            if let Some(n) = names.get(&s.target) {
                missing.push((s.target.clone(), n.clone(), need4, need6));
            }
        }
        let mut questions = Vec::with_capacity(missing.len() * 2);
        for (_, n, need4, need6) in &missing {
            if *need4 {
                questions.push((n.clone(), RecordType::A));
            }
            if *need6 {
                questions.push((n.clone(), RecordType::AAAA));
            }
        }
        let mut answers = self.ask_many(questions).await.into_iter();
        let mut error = None;
        for (k, _, need4, need6) in &missing {
            let mut v = target_addrs.remove(k).unwrap_or_default();
            let asked = usize::from(*need4) + usize::from(*need6);
            for e in answers.by_ref().take(asked) {
                record("target", &e, queries);
                if let Some(m) = e.message() {
                    v.extend(addresses(m, e.rtype));
                }
                if error.is_none() {
                    error = failure_info(&e);
                }
            }
            if v.is_empty() && error.is_none() {
                warnings.push(format!("SRV target {k} has no address"));
            }
            target_addrs.insert(k.clone(), v);
        }
        error
    }

    /// `_port._proto` names: SRV only, endpoints from the targets.
    async fn srv(&self, target: Target) -> Resolution {
        let n = dns::to_name(&target.fqdn);
        let srv = self.ask(&n, RecordType::SRV).await;
        let mut queries = Vec::new();
        record("srv", &srv, &mut queries);
        let mut srvs = Vec::new();
        let mut target_addrs = HashMap::new();
        let mut names = HashMap::new();
        if let Some(m) = srv.message() {
            srvs = srv_records(
                m,
                target.port_name.as_deref(),
                target.protocol.as_deref(),
                &mut names,
            );
            glue(m, &mut target_addrs);
        }
        // The families the glue shows: a target missing one of them lost its
        // glue to a full reply. A UDP reply may have lost a whole family
        // without TC (BIND keeps the A glue and drops every AAAA of a
        // dual-stack Service from a 512-byte reply), so then both are
        // wanted; over TCP the glue is whole.
        let families = if srv.transport == Transport::Udp {
            (true, true)
        } else {
            families_of(target_addrs.values().flatten())
        };
        let mut warnings = Vec::new();
        let (endpoints, target_errors) = self
            .join_with_targets(
                &[],
                &srvs,
                &names,
                families,
                target_addrs,
                &mut queries,
                &mut warnings,
            )
            .await;
        let error = failure_info(&srv).or(target_errors);
        let status = status_of(&error, &endpoints, &srv);
        Resolution {
            target,
            endpoints,
            status,
            error,
            server: Some(srv.server),
            transport: srv.transport,
            rcode: srv.rcode().map(dns::rcode_str),
            truncated: srv.truncated,
            retried_tcp: srv.retried_tcp,
            complete: !srv.incomplete,
            latency: Duration::ZERO,
            queries,
            search: None,
            warnings,
        }
    }

    /// An IP literal: PTR to the pod's names.
    async fn reverse(&self, target: Target) -> Resolution {
        let n = dns::to_name(&target.fqdn);
        let ptr = self.ask(&n, RecordType::PTR).await;
        let mut queries = Vec::new();
        record("ptr", &ptr, &mut queries);
        let ip = target.ip.expect("reverse targets carry their IP");
        let mut eps = Vec::new();
        if let Some(m) = ptr.message() {
            let mut names: Vec<(String, u32, Option<String>)> = m
                .answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::PTR(p) => Some((dns::display_name(&p.0), r.ttl, dns::first_label(&p.0))),
                    _ => None,
                })
                .collect();
            names.sort();
            names.dedup();
            if !names.is_empty() {
                let mut e = Endpoint::new(ip, names.iter().map(|n| n.1).min().unwrap_or(0));
                e.hostname = names[0].2.clone();
                e.fqdn = Some(names[0].0.clone());
                e.ptr = names.into_iter().map(|n| n.0).collect();
                eps.push(e);
            }
        }
        let endpoints = EndpointSet::from_vec(eps);
        let error = failure_info(&ptr);
        let status = status_of(&error, &endpoints, &ptr);
        Resolution {
            target,
            endpoints,
            status,
            error,
            server: Some(ptr.server),
            transport: ptr.transport,
            rcode: ptr.rcode().map(dns::rcode_str),
            truncated: ptr.truncated,
            retried_tcp: ptr.retried_tcp,
            complete: !ptr.incomplete,
            latency: Duration::ZERO,
            queries,
            search: None,
            warnings: Vec::new(),
        }
    }
}

/// (IPv4, IPv6): which address families appear; both when none does.
fn families_of<'a>(addrs: impl Iterator<Item = &'a (IpAddr, u32)> + Clone) -> (bool, bool) {
    match (
        addrs.clone().any(|(ip, _)| ip.is_ipv4()),
        addrs.clone().any(|(ip, _)| ip.is_ipv6()),
    ) {
        (false, false) => (true, true),
        f => f,
    }
}

fn status_of(error: &Option<ErrorInfo>, eps: &EndpointSet, main: &Exchange) -> Status {
    if error.is_some() {
        Status::Error
    } else if !eps.is_empty() {
        Status::Ok
    } else if main.rcode() == Some(ResponseCode::NXDomain) {
        Status::Nxdomain
    } else {
        Status::Nodata
    }
}
