//! From a [`Target`] to its [`EndpointSet`] through DNS: the one way every
//! command resolves a name. A, AAAA and SRV go out concurrently; SRV targets
//! without glue are looked up with bounded concurrency; every query is kept
//! for `--explain` and the JSON `queries` field.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use serde::Serialize;

use crate::dns::{self, Exchange, Failure, QueryOptions, Transport};
use crate::endpoints::{self, Endpoint, EndpointSet, SrvRecord};
use crate::name::{Ask, Context, Fqdn, Gai, Kind, Meaning, Replay, Reply, SearchWalk, Target};

/// The hasher of maps keyed by names from a reply (see the workspace's
/// Cargo.toml for why not SipHash).
type Hasher = foldhash::fast::RandomState;
/// Addresses of SRV targets, by lower-cased presentation form.
type TargetAddrs = HashMap<String, Vec<(IpAddr, u32)>, Hasher>;

/// Where and how to ask, and over what: [`dns::Sockets`], or canned
/// replies in tests.
#[derive(Clone, Debug)]
pub struct Resolver<L = dns::Sockets> {
    /// The DNS servers, in the order they are tried: a query moves to the
    /// next one after a timeout, a refused connection, a network error, a
    /// malformed reply, SERVFAIL, NOTIMP or REFUSED. Batched questions (SRV
    /// target lookups, A + AAAA) go to the first one and fall back to the
    /// others only for the questions that failed there.
    pub servers: Vec<SocketAddr>,
    /// Timeout, attempts, TCP-only and EDNS settings of every query.
    pub opts: QueryOptions,
    /// How questions travel: real sockets, or canned replies in tests.
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
    /// The `_<protocol>` label for `name` (`tcp`, `udp`, `sctp`, without
    /// the underscore); unused when `name` is `None`.
    pub protocol: String,
    /// Only addresses are wanted (`-o plain`): skip SRV and target lookups,
    /// as `dig +short` would.
    pub addresses_only: bool,
}

/// The outcome of a resolution, as exit codes see it (and the JSON
/// `status` field): derived from [`Answer::outcome`], never stored beside it.
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

/// What a lookup that did not fail found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// At least one endpoint.
    Found,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no records of the types asked (NODATA).
    NoData,
}

/// Why a lookup failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// No reply within the timeout, on every try.
    Timeout {
        /// How many tries were made.
        tries: usize,
    },
    /// The server's port is closed.
    ConnectionRefused,
    /// Another socket error.
    Network(String),
    /// Only replies that are not DNS messages answering the question.
    Malformed(dns::Malformed),
    /// No server was given to ask.
    NoServer,
    /// SERVFAIL.
    ServFail,
    /// REFUSED.
    Refused,
    /// Another rcode that carries no data (NOTIMP, FORMERR, …).
    Rcode(ResponseCode),
    /// A replayed search walk ended without an answer and without a reply
    /// that says why (musl 1.2.3's malformed question, glibc's abort).
    SearchStopped {
        /// The name as the user typed it.
        input: String,
        /// The deciding step's result (`malformed_query`, `abort`, …).
        result: &'static str,
        /// What the libc does, in a sentence, when there is more to say.
        detail: Option<String>,
    },
}

/// A failed lookup: what went wrong, asking whom, for what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The server whose reply (or silence) decided it.
    pub server: SocketAddr,
    /// The question, in presentation form (`name TYPE`).
    pub question: String,
}

impl LookupError {
    /// Short machine name for JSON: `timeout`, `connection_refused`,
    /// `network`, `malformed`, `servfail`, `refused`, `rcode`, or the search
    /// step that stopped a walk.
    pub fn kind_str(&self) -> &'static str {
        match &self.kind {
            ErrorKind::Timeout { .. } => "timeout",
            ErrorKind::ConnectionRefused => "connection_refused",
            ErrorKind::Network(_) => "network",
            ErrorKind::Malformed(_) => "malformed",
            ErrorKind::NoServer => "no_server",
            ErrorKind::ServFail => "servfail",
            ErrorKind::Refused => "refused",
            ErrorKind::Rcode(_) => "rcode",
            ErrorKind::SearchStopped { result, .. } => result,
        }
    }
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, server) = (&self.question, self.server);
        match &self.kind {
            ErrorKind::Timeout { tries } => write!(
                f,
                "{what}: no answer from {server} ({tries} tr{})",
                if *tries == 1 { "y" } else { "ies" }
            ),
            ErrorKind::ConnectionRefused => write!(f, "{what}: connection refused ({server})"),
            ErrorKind::Network(e) => write!(f, "{what}: network error: {e} ({server})"),
            ErrorKind::Malformed(e) => write!(f, "{what}: malformed reply: {e} ({server})"),
            ErrorKind::NoServer => write!(f, "{what}: no server to ask"),
            ErrorKind::ServFail => write!(f, "{what}: SERVFAIL from {server}"),
            ErrorKind::Refused => write!(f, "{what}: REFUSED from {server}"),
            ErrorKind::Rcode(rc) => write!(f, "{what}: {} from {server}", dns::rcode_str(*rc)),
            ErrorKind::SearchStopped {
                detail: Some(d), ..
            } => f.write_str(d),
            ErrorKind::SearchStopped { input, result, .. } => write!(
                f,
                "search for {} stopped: {result}",
                crate::escape::term(input),
            ),
        }
    }
}

impl std::error::Error for LookupError {}

/// The most SRV targets looked up for one name: more than one 64 KiB SRV
/// answer can name (about 2,600), so only a hostile answer reaches it.
pub const MAX_TARGET_LOOKUPS: usize = 4096;

/// Something worth telling about an answer that is not an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// An answer above 64 KiB came back truncated even over TCP.
    TruncatedOverTcp {
        /// The question, in presentation form (`name TYPE`).
        name: String,
        /// Its type.
        rtype: RecordType,
    },
    /// An SRV target got no address from glue or from its own lookup.
    TargetWithoutAddress(String),
    /// `--port-name` named a port the Service does not have.
    NoSuchPortName(String),
    /// An SRV target that is not a pod of the Service (nor the Service
    /// itself): ignored.
    TargetOutsideService(String),
    /// More SRV targets without glue than hsvc looks up.
    TooManyTargets {
        /// Targets looked up.
        asked: usize,
        /// Targets without glue.
        unglued: usize,
    },
    /// Addresses of an SRV target (glue, or its own lookup) that the
    /// name's own A/AAAA answer does not have: ignored.
    AddressesOutsideAnswer {
        /// The SRV target.
        target: String,
        /// How many were ignored.
        count: usize,
        /// One of them.
        example: IpAddr,
    },
    /// An SRV record names the Service itself: CoreDNS answers a ClusterIP
    /// Service this way, so the address is kube-proxy's virtual IP, not a
    /// pod (the Service is not headless).
    NotHeadless(String),
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::TruncatedOverTcp { name, rtype } => write!(
                f,
                "the {rtype} answer for {name} is larger than 64 KiB and was truncated even over TCP: {}",
                if *rtype == RecordType::SRV {
                    "some endpoints lack hostname and ports"
                } else {
                    "the address set is incomplete"
                }
            ),
            Warning::TargetWithoutAddress(t) => write!(f, "SRV target {t} has no address"),
            Warning::NoSuchPortName(n) => {
                write!(f, "{n} does not exist: the Service has no port by that name")
            }
            Warning::TooManyTargets { asked, unglued } => write!(
                f,
                "{unglued} SRV targets came without addresses; only the first {asked} were looked up"
            ),
            Warning::TargetOutsideService(t) => {
                write!(f, "SRV target {t} is not a pod of this Service: ignored")
            }
            Warning::AddressesOutsideAnswer {
                target,
                count,
                example,
            } => write!(
                f,
                "{target} has {count} address{} the Service's own answer does not have (e.g. {example}): ignored",
                if *count == 1 { "" } else { "es" }
            ),
            Warning::NotHeadless(service) => write!(
                f,
                "{service} is not headless: its SRV record names the Service itself, as CoreDNS \
                 answers a ClusterIP Service, so the address is kube-proxy's virtual IP, not a pod"
            ),
        }
    }
}

/// One query as sent, for `--explain`: one record per try, so a query
/// that timed out twice and then got an answer gives three.
#[derive(Clone, Debug, Serialize)]
pub struct QueryRecord {
    /// Why it was sent: `address`, `srv`, `port-name`, `target`, `ptr`, `search`.
    pub purpose: &'static str,
    /// The question's name, absolute, in escaped presentation form.
    pub name: String,
    /// The question's type: `A`, `AAAA`, `SRV` or `PTR` (JSON `type`).
    #[serde(rename = "type")]
    pub rtype: &'static str,
    /// The server asked, serialized as `ip:port`. Kept unformatted until
    /// shown: `to_string` for every query was a tenth of a 1000-target
    /// lookup (callgrind).
    #[serde(serialize_with = "serialize_display")]
    pub server: SocketAddr,
    /// UDP, or TCP (with `--tcp`, or the retry of a truncated UDP reply).
    pub transport: Transport,
    /// The reply's rcode name (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, …);
    /// `None` when no reply came.
    pub rcode: Option<String>,
    /// Why no usable reply came (timed out, connection refused, network
    /// error, malformed reply); `None` when one did.
    pub error: Option<String>,
    /// Records in the reply's answer section.
    pub answers: usize,
    /// The reply had the TC bit set.
    pub truncated: bool,
    /// Time of this try, milliseconds with microsecond precision.
    pub latency_ms: f64,
}

/// A step of a replayed search walk.
#[derive(Clone, Debug, Serialize)]
pub struct SearchStep {
    /// The name as the libc composes it, in presentation form, with the
    /// trailing dot.
    pub candidate: String,
    /// The name as typed rather than completed with a search domain.
    pub as_is: bool,
    /// The types the libc asks for it, in order (`A`, `AAAA`): none when
    /// it skips the name or cannot encode it, `A` alone after an A
    /// failure with single-request or with no-aaaa.
    pub asked: Vec<&'static str>,
    /// The reply to each type asked: `answer`, `nodata`, `nxdomain`,
    /// `servfail`, `refused`, `rcode`, `timeout`, `connection_refused`,
    /// `error` (none for musl 1.2.3's malformed questions, which hsvc
    /// does not send).
    pub replies: Vec<&'static str>,
    /// The libc's verdict: a reply word, or `not_encodable`, `skipped`,
    /// `malformed_query`.
    pub result: &'static str,
    /// What the libc does next: `found`, `next`, `end_search` (glibc: the
    /// name as is, if not yet asked), `stop`.
    pub then: &'static str,
    /// A and AAAA records the step got.
    pub addresses: usize,
}

/// The replay of a pod resolver's search walk (`--search`): the rules it
/// followed, every candidate in the libc's order, and what
/// `getaddrinfo()` returns.
#[derive(Clone, Debug, Serialize)]
pub struct SearchReport {
    /// Whose rules were replayed: `glibc`, `musl`, `musl-1.2.3`.
    pub resolver: &'static str,
    /// The libc versions whose rules these are.
    pub follows: &'static str,
    /// The `ndots` option in force (capped at 15, as glibc and musl do).
    pub ndots: u8,
    /// Dots in the name as typed, a trailing dot not counted.
    pub dots: usize,
    /// The search list as the libc holds it (escaped for terminals).
    pub search: Vec<String>,
    /// The candidates, in order; the walk stops at the first answer or
    /// when the rules say so.
    pub steps: Vec<SearchStep>,
    /// The name the walk ended on, if it found one.
    pub found: Option<String>,
    /// What `getaddrinfo()` returns: `ok`, `EAI_NONAME`, `EAI_NODATA`,
    /// `EAI_AGAIN`, or `abort` (the process dies).
    pub getaddrinfo: &'static str,
    /// How the libc read its configuration where a reader could expect
    /// otherwise, and why glibc aborts.
    pub notes: Vec<String>,
}

/// The server and transport of the main query (A, SRV or PTR, or the
/// deciding step of a search walk), and its rcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Via {
    /// Who answered (the last server tried when none did).
    pub server: SocketAddr,
    /// Over what.
    pub transport: Transport,
    /// The reply's rcode; `None` when no reply came.
    pub rcode: Option<ResponseCode>,
}

impl Via {
    fn of(ex: &Exchange) -> Via {
        Via {
            server: ex.server,
            transport: ex.transport,
            rcode: ex.rcode(),
        }
    }
}

/// Everything a command needs to know about one resolved name: what was
/// found (or why nothing could be), who said so, and every query it took.
#[derive(Clone, Debug)]
pub struct Answer {
    /// What was asked.
    pub target: Target,
    /// Found / NXDOMAIN / NODATA, or why the lookup failed.
    pub outcome: Result<Outcome, LookupError>,
    /// The endpoints; empty unless the outcome is [`Outcome::Found`].
    pub endpoints: EndpointSet,
    /// The main query's server, transport and rcode.
    pub via: Via,
    /// Some reply came back truncated over UDP...
    pub truncated: bool,
    /// ... and was asked again over TCP.
    pub retried_tcp: bool,
    /// Every answer came back whole. False when a reply was truncated even
    /// over TCP (an answer above 64 KiB): the set may lack endpoints (A/AAAA)
    /// or hostnames and ports (SRV).
    pub complete: bool,
    /// Wall time of the whole resolution.
    pub latency: Duration,
    /// Every query sent, in order (for `--explain`, `-v` and JSON).
    pub trace: Vec<QueryRecord>,
    /// The replayed search walk, with `--search`.
    pub search: Option<SearchReport>,
    /// Things worth telling that are not errors.
    pub warnings: Vec<Warning>,
}

impl Answer {
    /// The outcome as exit codes and JSON see it.
    pub fn status(&self) -> Status {
        match &self.outcome {
            Ok(Outcome::Found) => Status::Ok,
            Ok(Outcome::NxDomain) => Status::Nxdomain,
            Ok(Outcome::NoData) => Status::Nodata,
            Err(_) => Status::Error,
        }
    }

    /// Why the lookup failed, if it did.
    pub fn error(&self) -> Option<&LookupError> {
        self.outcome.as_ref().err()
    }

    /// The answer is a ClusterIP Service's (its SRV names the Service
    /// itself, [`Warning::NotHeadless`]): the address is a virtual IP.
    pub fn is_cluster_ip(&self) -> bool {
        self.warnings
            .iter()
            .any(|w| matches!(w, Warning::NotHeadless(_)))
    }

    /// Assembles an answer; a failed one carries no endpoints (nothing from
    /// a failing reply is used).
    #[allow(clippy::too_many_arguments)]
    fn new(
        target: Target,
        error: Option<LookupError>,
        endpoints: EndpointSet,
        main: &Exchange,
        trace: Vec<QueryRecord>,
        warnings: Vec<Warning>,
        primary: &[&Exchange],
    ) -> Answer {
        let outcome = match error {
            Some(e) => Err(e),
            None if !endpoints.is_empty() => Ok(Outcome::Found),
            None if main.rcode() == Some(ResponseCode::NXDomain) => Ok(Outcome::NxDomain),
            None => Ok(Outcome::NoData),
        };
        let endpoints = if outcome.is_ok() {
            endpoints
        } else {
            EndpointSet::default()
        };
        Answer {
            target,
            outcome,
            endpoints,
            via: Via::of(main),
            truncated: primary.iter().any(|e| e.truncated),
            retried_tcp: primary.iter().any(|e| e.retried_tcp),
            complete: primary.iter().all(|e| !e.incomplete),
            latency: Duration::ZERO,
            trace,
            search: None,
            warnings,
        }
    }
}

fn record(purpose: &'static str, ex: &Exchange, out: &mut Vec<QueryRecord>) {
    let name = dns::display_name(&ex.name);
    for t in &ex.tries {
        out.push(QueryRecord {
            purpose,
            name: name.clone(),
            rtype: ex.rtype.into(),
            server: t.server,
            transport: t.transport,
            rcode: t.outcome.as_ref().ok().map(|r| dns::rcode_str(*r)),
            error: t.outcome.as_ref().err().map(ToString::to_string),
            answers: t.answers,
            truncated: t.truncated,
            latency_ms: ms(t.latency),
        });
    }
}

fn serialize_display<S: serde::Serializer>(
    v: &impl std::fmt::Display,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A duration in milliseconds with microsecond precision, as every
/// `latency_ms`-style JSON field carries it (`1.5` for 1500 µs).
pub fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

/// The error an exchange ended in, if any: a failure, or an rcode that
/// carries no data (anything but NOERROR and NXDOMAIN).
fn failure(ex: &Exchange) -> Option<LookupError> {
    let kind = match &ex.result {
        Err(Failure::Timeout) => ErrorKind::Timeout {
            tries: ex.tries.len(),
        },
        Err(Failure::ConnRefused) => ErrorKind::ConnectionRefused,
        Err(Failure::Network(e)) => ErrorKind::Network(e.clone()),
        Err(Failure::Malformed(e)) => ErrorKind::Malformed(e.clone()),
        Err(Failure::NoServer) => ErrorKind::NoServer,
        Ok(m) => match m.metadata.response_code {
            ResponseCode::NoError | ResponseCode::NXDomain => return None,
            ResponseCode::ServFail => ErrorKind::ServFail,
            ResponseCode::Refused => ErrorKind::Refused,
            rc => ErrorKind::Rcode(rc),
        },
    };
    Some(LookupError {
        kind,
        server: ex.server,
        question: format!("{} {}", dns::display_name(&ex.name), ex.rtype),
    })
}

/// The reply of an exchange, when its data may be used: only a NOERROR
/// reply answers with records (nothing from NXDOMAIN, SERVFAIL, REFUSED or
/// another rcode is taken, whatever its sections hold).
fn data(e: &Exchange) -> Option<&Message> {
    e.message()
        .filter(|m| m.metadata.response_code == ResponseCode::NoError)
}

/// The answer records of `e`'s reply (NOERROR only, see [`data`]) that
/// answer the name asked (RFC 1035 §4.1, RFC 2181 §5): class IN, owned by
/// that name or by a name along its CNAME chain. Records of other owners or
/// classes in the same section are ignored.
///
/// The first [`Exchange::question_owned`] answers are owned by the name
/// asked as the wire shows it: their owners are not compared again.
fn owned(e: &Exchange) -> impl Iterator<Item = &Record> + '_ {
    // Nothing from a reply whose rcode is not NOERROR, or from no reply.
    let answers = data(e).map_or(&[][..], |m| &m.answers[..]);
    let known = e.question_owned;
    let mut chain: Vec<Name> = vec![e.name.clone()];
    // Each pass adds at least one name or ends: bounded by the records.
    for _ in 0..answers.len() {
        let mut grew = false;
        for r in answers {
            if let (DNSClass::IN, RData::CNAME(c)) = (r.dns_class, &r.data) {
                if chain.contains(&r.name) && !chain.contains(&c.0) {
                    chain.push(c.0.clone());
                    grew = true;
                }
            }
        }
        if !grew {
            break;
        }
    }
    answers.iter().enumerate().filter_map(move |(i, r)| {
        (r.dns_class == DNSClass::IN && (i < known || chain.contains(&r.name))).then_some(r)
    })
}

/// The addresses an exchange for A or AAAA answered.
fn addresses(e: &Exchange) -> Vec<(IpAddr, u32)> {
    owned(e)
        .filter(|r| r.record_type() == e.rtype)
        .filter_map(addr_of)
        .collect()
}

/// A record's TTL as RFC 2181 §8 reads it: a value with the top bit set
/// counts as 0, so every TTL shown or scheduled on is at most 2^31 − 1.
pub fn ttl_of(r: &Record) -> u32 {
    if r.ttl > i32::MAX as u32 {
        0
    } else {
        r.ttl
    }
}

fn addr_of(r: &Record) -> Option<(IpAddr, u32)> {
    match &r.data {
        RData::A(a) => Some((IpAddr::V4(a.0), ttl_of(r))),
        RData::AAAA(a) => Some((IpAddr::V6(a.0), ttl_of(r))),
        _ => None,
    }
}

fn key(n: &Name) -> String {
    dns::display_name_lower(n)
}

/// SRV records of a reply that answer its question. A target of `.` means
/// "no service here" (RFC 2782): no record.
fn srv_records(e: &Exchange, port_name: Option<&str>, protocol: Option<&str>) -> Vec<SrvRecord> {
    owned(e)
        .filter_map(|r| match &r.data {
            RData::SRV(s) if !s.target.is_root() => Some({
                let (target, target_label) = dns::key_and_first_label(&s.target);
                SrvRecord {
                    target,
                    target_label,
                    port: s.port,
                    weight: s.weight,
                    priority: s.priority,
                    ttl: ttl_of(r),
                    port_name: port_name.map(str::to_string),
                    protocol: protocol.map(str::to_string),
                }
            }),
            _ => None,
        })
        .collect()
}

/// The wire names of the SRV targets `wanted` (keys), as the replies they
/// came from spell them (the first spelling). Only the targets that need a
/// lookup need their wire name: remembering every target's was 0.8 M of a
/// 1000-pod resolve whose dashed-IP targets need none (callgrind).
fn target_names(
    sources: &[&Exchange],
    wanted: &[(String, bool, bool)],
) -> HashMap<String, Name, Hasher> {
    let mut names: HashMap<String, Name, Hasher> =
        HashMap::with_capacity_and_hasher(wanted.len(), Hasher::default());
    if wanted.is_empty() {
        return names;
    }
    let wanted: HashSet<&str, Hasher> = wanted.iter().map(|(k, _, _)| k.as_str()).collect();
    for e in sources {
        for r in owned(e) {
            if let RData::SRV(s) = &r.data {
                let k = key(&s.target);
                if wanted.contains(k.as_str()) && !names.contains_key(&k) {
                    names.insert(k, s.target.clone());
                }
            }
        }
    }
    names
}

/// Addresses of the SRV targets from the additional section: class IN,
/// owned by a target of `srvs` (other owners are ignored).
fn glue(e: &Exchange, srvs: &[SrvRecord], into: &mut TargetAddrs) {
    let Some(m) = data(e) else { return };
    if m.additionals.is_empty() {
        return;
    }
    // A set, not a scan of the records per glue record: that was quadratic
    // (445 glue records times 1000 SRV records from a CoreDNS-style reply).
    let targets: HashSet<&str, Hasher> = srvs.iter().map(|s| s.target.as_str()).collect();
    for r in &m.additionals {
        if r.dns_class != DNSClass::IN {
            continue;
        }
        let owner = key(&r.name);
        if !targets.contains(owner.as_str()) {
            continue;
        }
        if let Some(a) = addr_of(r) {
            let v = into.entry(owner).or_default();
            if !v.contains(&a) {
                v.push(a);
            }
        }
    }
}

/// A reply as the search walk judges it.
fn reply_of(ex: &Exchange) -> Reply {
    match &ex.result {
        Err(Failure::Timeout) => Reply::Timeout,
        Err(Failure::ConnRefused) => Reply::ConnRefused,
        Err(_) => Reply::Error,
        Ok(m) => match m.metadata.response_code {
            ResponseCode::NoError => match addresses(ex).len() {
                0 => Reply::NoData,
                n => Reply::Answer(n),
            },
            ResponseCode::NXDomain => Reply::NxDomain,
            ResponseCode::ServFail => Reply::ServFail,
            ResponseCode::Refused => Reply::Refused,
            ResponseCode::NotImp => Reply::NotImp,
            ResponseCode::FormErr => Reply::FormErr,
            rc => Reply::Rcode(u16::from(rc)),
        },
    }
}

/// A candidate's name as the report shows it: the presentation form of
/// its raw labels, with the trailing dot.
fn candidate_text(text: &str) -> String {
    if text == "." {
        return ".".into();
    }
    let body = text.strip_suffix('.').unwrap_or(text);
    let mut out = String::new();
    for l in body.split('.') {
        crate::escape::push_label(&mut out, l.as_bytes());
        out.push('.');
    }
    out
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

    /// This resolver with an overall deadline for `batches` rounds of
    /// questions: each batch may take `timeout` × `attempts` on every
    /// server, and no more.
    fn bounded(&self, batches: u32) -> Resolver<&L>
    where
        L: Sync,
    {
        let per_server = self.opts.timeout * self.opts.attempts.max(1);
        let servers = u32::try_from(self.servers.len().max(1)).unwrap_or(u32::MAX);
        let budget = per_server
            .saturating_mul(servers)
            .saturating_mul(batches.max(1));
        let mut opts = self.opts.clone();
        let deadline = Instant::now() + budget;
        opts.deadline = Some(opts.deadline.map_or(deadline, |d| d.min(deadline)));
        Resolver {
            servers: self.servers.clone(),
            opts,
            link: &self.link,
        }
    }

    /// Resolves a parsed target into its endpoints. The whole resolution
    /// is bounded: the name's own questions and the SRV target lookups may
    /// each take `timeout` × `attempts` per server.
    pub async fn resolve(&self, target: Target, ports: &PortQuery) -> Answer
    where
        L: Sync,
    {
        let started = Instant::now();
        let this = self.bounded(2);
        let mut res = match &target.meaning {
            Meaning::Reverse { ip } => {
                let ip = *ip;
                this.reverse(target, ip).await
            }
            Meaning::Srv {
                port_name,
                protocol,
                ..
            } => {
                let (p, pr) = (port_name.clone(), protocol.clone());
                this.srv(target, &p, &pr).await
            }
            _ => this.addresses_and_srv(target, ports, None).await,
        };
        res.latency = started.elapsed();
        res
    }

    /// Replays the search walk of `input` (glibc or musl rules): asks what
    /// the libc would ask, in its order, and if the walk finds a name,
    /// resolves it like [`Resolver::resolve`].
    pub async fn resolve_search(
        &self,
        input: &str,
        walk: &SearchWalk,
        ctx: &Context,
        ports: &PortQuery,
    ) -> Answer
    where
        L: Sync,
    {
        let started = Instant::now();
        // Two questions per candidate at most, then the found name's.
        let candidates = u32::try_from(walk.candidates.len()).unwrap_or(u32::MAX);
        let this = self.bounded(candidates.saturating_mul(2).saturating_add(2));
        let mut replay = Replay::new(walk);
        let mut queries = Vec::new();
        let mut asked: Vec<(Exchange, Option<Exchange>)> = Vec::new();
        while let Some((i, ask)) = replay.next_question() {
            let fqdn = walk.candidates[i]
                .fqdn
                .as_ref()
                .expect("the replay asks only names it can send");
            let n = dns::to_name(fqdn);
            let (a, aaaa) = match ask {
                Ask::Parallel => {
                    let [a, aaaa]: [Exchange; 2] = this
                        .ask_many(vec![(n.clone(), RecordType::A), (n, RecordType::AAAA)])
                        .await
                        .try_into()
                        .expect("two answers for two questions");
                    (a, Some(aaaa))
                }
                Ask::Serial => {
                    let a = this.ask(&n, RecordType::A).await;
                    let aaaa = if replay.asks_aaaa_after(reply_of(&a)) {
                        Some(this.ask(&n, RecordType::AAAA).await)
                    } else {
                        None
                    };
                    (a, aaaa)
                }
                Ask::AOnly => (this.ask(&n, RecordType::A).await, None),
            };
            record("search", &a, &mut queries);
            if let Some(e) = &aaaa {
                record("search", e, &mut queries);
            }
            replay.answer(reply_of(&a), aaaa.as_ref().map(reply_of));
            asked.push((a, aaaa));
        }
        let (gai, at) = replay.outcome().expect("the replay ran to its end");
        let mut exchanges = asked.iter();
        let steps = replay
            .steps()
            .iter()
            .map(|st| {
                let c = &walk.candidates[st.index];
                let mut addresses = 0;
                if !st.replies.is_empty() {
                    let (a, aaaa) = exchanges.next().expect("one exchange per asked step");
                    for e in std::iter::once(a).chain(aaaa.as_ref()) {
                        addresses += self::addresses(e).len();
                    }
                }
                SearchStep {
                    candidate: candidate_text(&c.text),
                    as_is: c.as_is,
                    asked: st.asked.clone(),
                    replies: st.replies.iter().map(|r| r.as_str()).collect(),
                    result: st.result,
                    then: st.then.as_str(),
                    addresses,
                }
            })
            .collect();
        let mut notes = walk.conf.notes.clone();
        notes.extend(walk.conf.abort.clone());
        if walk.refused_name {
            notes.push(
                "glibc refuses a name whose first label starts with '-' (res_hnok) without a query"
                    .into(),
            );
        }
        let mut report = SearchReport {
            resolver: walk.conf.rules.as_str(),
            follows: walk.conf.rules.version(),
            ndots: walk.ndots,
            dots: walk.dots,
            search: walk
                .conf
                .search
                .iter()
                .map(|d| crate::escape::term(d).into_owned())
                .collect(),
            steps,
            found: None,
            getaddrinfo: gai.as_str(),
            notes,
        };
        if gai == Gai::Ok {
            let i = at.expect("a found walk names its candidate");
            let cand = &walk.candidates[i];
            let fqdn = cand.fqdn.as_ref().expect("a found candidate was sent");
            report.found = Some(candidate_text(&cand.text));
            let (a, aaaa) = asked.pop().expect("the found candidate was asked last");
            let target = Target::from_fqdn(input, fqdn, ctx);
            let mut res = this.addresses_and_srv(target, ports, Some((a, aaaa))).await;
            queries.append(&mut res.trace);
            res.trace = queries;
            res.search = Some(report);
            res.latency = started.elapsed();
            return res;
        }
        // The deciding exchange: the last one asked for the step the walk
        // stopped on (or its last step).
        let deciding = at.and_then(|i| {
            let steps = replay.steps();
            let pos = steps.iter().rposition(|s| s.index == i)?;
            if steps[pos].replies.is_empty() {
                return None;
            }
            let nth = steps[..=pos]
                .iter()
                .filter(|s| !s.replies.is_empty())
                .count();
            asked.get(nth - 1)
        });
        let via = deciding.map_or(
            Via {
                server: self.servers[0],
                transport: if self.opts.tcp {
                    Transport::Tcp
                } else {
                    Transport::Udp
                },
                rcode: None,
            },
            |(a, _)| Via::of(a),
        );
        let stopped = |result: &'static str, detail: Option<String>| LookupError {
            kind: ErrorKind::SearchStopped {
                input: input.to_string(),
                result,
                detail,
            },
            server: via.server,
            question: input.to_string(),
        };
        let outcome = match gai {
            Gai::NoName => Ok(Outcome::NxDomain),
            Gai::NoData => Ok(Outcome::NoData),
            Gai::Abort => Err(stopped("abort", walk.conf.abort.clone())),
            _ => Err(deciding
                .and_then(|(a, aaaa)| failure(a).or_else(|| aaaa.as_ref().and_then(failure)))
                .unwrap_or_else(|| {
                    let last = replay.steps().last().map_or("error", |s| s.result);
                    let detail = (last == "malformed_query").then(|| {
                        format!(
                            "musl 1.2.3 sends a malformed question for {} and waits out its \
                             timeout: getaddrinfo() fails with EAI_AGAIN",
                            replay
                                .steps()
                                .last()
                                .map(|s| candidate_text(&walk.candidates[s.index].text))
                                .unwrap_or_default()
                        )
                    });
                    stopped(last, detail)
                })),
        };
        let shown = walk
            .candidates
            .iter()
            .find_map(|c| c.fqdn.as_ref())
            .expect("the name as is is always a candidate");
        Answer {
            target: Target::from_fqdn(input, shown, ctx),
            outcome,
            endpoints: EndpointSet::default(),
            via,
            truncated: queries.iter().any(|q| q.truncated),
            retried_tcp: false,
            complete: true,
            latency: started.elapsed(),
            trace: queries,
            search: Some(report),
            warnings: Vec::new(),
        }
    }

    /// A, AAAA and SRV at the name (plus `_port._proto` with --port-name).
    async fn addresses_and_srv(
        &self,
        target: Target,
        ports: &PortQuery,
        known: Option<(Exchange, Option<Exchange>)>,
    ) -> Answer {
        let n = dns::to_name(&target.fqdn);
        let named = ports.name.as_ref().and_then(|p| {
            let svc_name = match target.kind() {
                Kind::Service | Kind::Endpoint => Some(&target.fqdn),
                _ => None,
            }?;
            let labels = svc_name.labels();
            let skip = usize::from(target.kind() == Kind::Endpoint);
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
            None => (next(), Some(next())),
        };
        let srv = want_srv.then(&mut next);
        let named_ex = named_name.as_ref().filter(|_| want_srv).map(|_| next());
        let mut queries = Vec::new();
        if asked {
            record("address", &a, &mut queries);
            if let Some(e) = &aaaa {
                record("address", e, &mut queries);
            }
        }
        if let Some(e) = &srv {
            record("srv", e, &mut queries);
        }
        if let Some(e) = &named_ex {
            record("port-name", e, &mut queries);
        }

        let mut addrs = addresses(&a);
        if let Some(e) = &aaaa {
            addrs.extend(addresses(e));
        }
        let mut warnings = Vec::new();
        let pods = pod_zone(&target);
        let mut srvs = Vec::new();
        let mut target_addrs = TargetAddrs::default();
        if let Some(e) = &srv {
            let mut found = srv_records(e, None, None);
            keep_pod_targets(&mut found, pods.as_deref(), &mut warnings);
            glue(e, &found, &mut target_addrs);
            srvs.extend(found);
        }
        if let (Some(e), Some(p)) = (&named_ex, &ports.name) {
            let mut found = srv_records(e, Some(p), Some(&ports.protocol));
            keep_pod_targets(&mut found, pods.as_deref(), &mut warnings);
            glue(e, &found, &mut target_addrs);
            srvs.extend(found);
        }
        let sources: Vec<&Exchange> = srv.iter().chain(named_ex.iter()).collect();
        // Glue is a courtesy of the server, not a second source of pods: an
        // address the name's own A/AAAA answer does not have is reported
        // and left out.
        let known = Known::of(&addrs);
        for (t, v) in target_addrs.iter_mut() {
            if let Some(w) = known.keep(t, v) {
                warnings.push(w);
            }
        }
        let mut primary = vec![&a];
        primary.extend(aaaa.as_ref());
        primary.extend(srv.as_ref());
        primary.extend(named_ex.as_ref());
        for e in &primary {
            if e.incomplete {
                warnings.push(Warning::TruncatedOverTcp {
                    name: dns::display_name(&e.name),
                    rtype: e.rtype,
                });
            }
        }
        // Only the families the name has are worth asking of its targets.
        let families = families_of(addrs.iter());
        let (endpoints, target_errors) = self
            .join_with_targets(
                &addrs,
                &srvs,
                &sources,
                families,
                target_addrs,
                &mut queries,
                &mut warnings,
                (pods.is_some(), &known),
            )
            .await;

        // A search walk judged its own A and AAAA replies: a failed AAAA
        // beside an answered A is what the pod's resolver accepts too.
        let judged = if asked {
            0
        } else {
            1 + usize::from(aaaa.is_some())
        };
        let error = primary
            .iter()
            .skip(judged)
            .find_map(|e| failure(e))
            .or(target_errors);
        if let (Some(e), Some(m)) = (&named_ex, named_ex.as_ref().and_then(Exchange::message)) {
            if m.metadata.response_code == ResponseCode::NXDomain {
                warnings.push(Warning::NoSuchPortName(dns::display_name(&e.name)));
            }
        }
        Answer::new(target, error, endpoints, &a, queries, warnings, &primary)
    }

    /// Completes the SRV targets' addresses with lookups where needed and
    /// joins everything into endpoints; also returns the first lookup
    /// failure, if any.
    #[allow(clippy::too_many_arguments)]
    async fn join_with_targets(
        &self,
        addrs: &[(IpAddr, u32)],
        srvs: &[SrvRecord],
        sources: &[&Exchange],
        families: (bool, bool),
        mut target_addrs: TargetAddrs,
        queries: &mut Vec<QueryRecord>,
        warnings: &mut Vec<Warning>,
        (pod_labels, known): (bool, &Known),
    ) -> (EndpointSet, Option<LookupError>) {
        let error = self
            .lookup_targets(
                srvs,
                sources,
                families,
                &mut target_addrs,
                queries,
                warnings,
                (pod_labels, known),
            )
            .await;
        (
            endpoints::join_with(addrs, srvs, &target_addrs, pod_labels),
            error,
        )
    }

    /// Looks up A/AAAA of SRV targets the reply gave no address for and
    /// whose label is not a dashed IP (BIND omits glue above 13 SRV
    /// records). Returns the first failure, if any.
    #[allow(clippy::too_many_arguments)]
    async fn lookup_targets(
        &self,
        srvs: &[SrvRecord],
        sources: &[&Exchange],
        (v4, v6): (bool, bool),
        target_addrs: &mut TargetAddrs,
        queries: &mut Vec<QueryRecord>,
        warnings: &mut Vec<Warning>,
        (pod_labels, known): (bool, &Known),
    ) -> Option<LookupError> {
        // Per target, the wanted families its glue lacks. A reply can carry
        // part of the glue without TC (BIND drops additional records that do
        // not fit a 512-byte reply and keeps the rest), so a target with an
        // A but no AAAA of a dual-stack Service is asked for its AAAA.
        let mut missing: Vec<(String, bool, bool)> = Vec::new();
        let mut seen: HashSet<&str, Hasher> =
            HashSet::with_capacity_and_hasher(srvs.len(), Hasher::default());
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
            // A dashed-IP target of a Service's pod names its one address itself.
            if pod_labels && crate::name::dashed_ip(&s.target_label).is_some() {
                continue;
            }
            missing.push((s.target.clone(), need4, need6));
        }
        if missing.len() > MAX_TARGET_LOOKUPS {
            warnings.push(Warning::TooManyTargets {
                asked: MAX_TARGET_LOOKUPS,
                unglued: missing.len(),
            });
            missing.truncate(MAX_TARGET_LOOKUPS);
        }
        let names = target_names(sources, &missing);
        // Every key came from one of the sources: none is left out.
        missing.retain(|(k, _, _)| names.contains_key(k));
        let mut questions = Vec::with_capacity(missing.len() * 2);
        for (k, need4, need6) in &missing {
            let n = &names[k];
            if *need4 {
                questions.push((n.clone(), RecordType::A));
            }
            if *need6 {
                questions.push((n.clone(), RecordType::AAAA));
            }
        }
        // Each reply is reduced to what the join needs as soon as it is
        // final (its trace line, its addresses, its failure): a thousand
        // 64 KB answers are never held at once.
        let questions: Vec<dns::Question> =
            questions.into_iter().map(dns::Question::from).collect();
        let mut answers =
            dns::exchange_each(&self.link, &self.servers, &self.opts, &questions, |_, e| {
                let mut trace = Vec::with_capacity(e.tries.len());
                record("target", &e, &mut trace);
                let mut addrs = addresses(&e);
                let dropped = known.keep(&key(&e.name), &mut addrs);
                (trace, addrs, failure(&e), dropped)
            })
            .await
            .into_iter();
        let mut error = None;
        for (k, need4, need6) in &missing {
            let mut v = target_addrs.remove(k).unwrap_or_default();
            let asked = usize::from(*need4) + usize::from(*need6);
            for (mut trace, addrs, failed, dropped) in answers.by_ref().take(asked) {
                queries.append(&mut trace);
                v.extend(addrs);
                warnings.extend(dropped);
                if error.is_none() {
                    error = failed;
                }
            }
            if v.is_empty() && error.is_none() {
                warnings.push(Warning::TargetWithoutAddress(k.clone()));
            }
            target_addrs.insert(k.clone(), v);
        }
        error
    }

    /// `_port._proto` names: SRV only, endpoints from the targets.
    async fn srv(&self, target: Target, port_name: &str, protocol: &str) -> Answer {
        let n = dns::to_name(&target.fqdn);
        let srv = self.ask(&n, RecordType::SRV).await;
        let mut queries = Vec::new();
        record("srv", &srv, &mut queries);
        let mut target_addrs = TargetAddrs::default();
        let mut warnings = Vec::new();
        let pods = pod_zone(&target);
        let mut srvs = srv_records(&srv, Some(port_name), Some(protocol));
        keep_pod_targets(&mut srvs, pods.as_deref(), &mut warnings);
        glue(&srv, &srvs, &mut target_addrs);
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
        let (endpoints, target_errors) = self
            .join_with_targets(
                &[],
                &srvs,
                &[&srv],
                families,
                target_addrs,
                &mut queries,
                &mut warnings,
                (pods.is_some(), &Known(None)),
            )
            .await;
        let error = failure(&srv).or(target_errors);
        Answer::new(target, error, endpoints, &srv, queries, warnings, &[&srv])
    }

    /// An IP literal: PTR to the pod's names.
    async fn reverse(&self, target: Target, ip: IpAddr) -> Answer {
        let n = dns::to_name(&target.fqdn);
        let ptr = self.ask(&n, RecordType::PTR).await;
        let mut queries = Vec::new();
        record("ptr", &ptr, &mut queries);
        let mut eps = Vec::new();
        let mut names: Vec<(String, u32, Option<String>)> = owned(&ptr)
            .filter_map(|r| match &r.data {
                RData::PTR(p) => Some((dns::display_name(&p.0), ttl_of(r), dns::first_label(&p.0))),
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
        let endpoints = EndpointSet::from_vec(eps);
        let error = failure(&ptr);
        Answer::new(target, error, endpoints, &ptr, queries, Vec::new(), &[&ptr])
    }
}

/// The addresses a name's own A/AAAA answer has: a pod's address from
/// glue or from a target lookup must be one of them (when the name was
/// asked for addresses at all).
pub(crate) struct Known(Option<HashSet<IpAddr, Hasher>>);

impl Known {
    fn of(addrs: &[(IpAddr, u32)]) -> Known {
        Known((!addrs.is_empty()).then(|| addrs.iter().map(|(ip, _)| *ip).collect()))
    }

    /// Keeps the known addresses of `target`; says what it dropped.
    fn keep(&self, target: &str, v: &mut Vec<(IpAddr, u32)>) -> Option<Warning> {
        let set = self.0.as_ref()?;
        let before = v.len();
        let mut example = None;
        v.retain(|(ip, _)| {
            let ok = set.contains(ip);
            if !ok && example.is_none() {
                example = Some(*ip);
            }
            ok
        });
        example.map(|example| Warning::AddressesOutsideAnswer {
            target: target.to_string(),
            count: before - v.len(),
            example,
        })
    }
}

/// The name a Kubernetes target's pods live under, as a key (lower-cased
/// presentation form): the Service name (for a Service, one of its pods, or
/// one of its SRV names). `None` for other names, whose SRV targets are not
/// pods.
fn pod_zone(target: &Target) -> Option<String> {
    let skip = match target.meaning {
        Meaning::Service { .. } => 0,
        Meaning::Endpoint { .. } => 1,
        Meaning::Srv { .. } => 2,
        Meaning::Reverse { .. } | Meaning::Other => return None,
    };
    let labels = target.fqdn.labels();
    Some(key(&dns::to_name(&Fqdn::from_labels(
        labels.get(skip..).unwrap_or_default().iter().cloned(),
    ))))
}

/// Whether an SRV target (a key) is the Service itself or one label under
/// it. Keys are compared as strings: the target's first label is its
/// `target_label` (the same escaping, only the case differs), so the target
/// is one label under the zone when it is that label, a dot and the zone.
/// Through hickory's `Name::zone_of` this was 2.9 M of a 1000-pod resolve
/// (callgrind).
fn inside_service(s: &SrvRecord, zone: &str) -> bool {
    let t = &s.target;
    let label = s.target_label.len();
    t == zone
        || (t.len() == label + 1 + zone.len() && t.as_bytes()[label] == b'.' && t.ends_with(zone))
}

/// Keeps the SRV records whose target is a pod of the Service (one label
/// under its name) or the Service itself (a ClusterIP Service's SRV names
/// the Service); others are reported and dropped, so neither their labels
/// nor their glue become endpoints.
fn keep_pod_targets(srvs: &mut Vec<SrvRecord>, pods: Option<&str>, warnings: &mut Vec<Warning>) {
    let Some(zone) = pods else { return };
    if let Some(s) = srvs.iter().find(|s| s.target == zone) {
        let w = Warning::NotHeadless(s.target.clone());
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    let mut outside: HashSet<String, Hasher> = HashSet::default();
    srvs.retain(|s| {
        let inside = inside_service(s, zone);
        if !inside && outside.insert(s.target.clone()) {
            let w = Warning::TargetOutsideService(s.target.clone());
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        inside
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_with_the_top_bit_set_count_as_zero() {
        use hickory_proto::rr::rdata::A;
        let name = Name::from_ascii("web.awx.svc.cluster.local.").unwrap();
        for (wire, seen) in [
            (5u32, 5u32),
            (i32::MAX as u32, i32::MAX as u32),
            (1 << 31, 0),
            (u32::MAX, 0),
        ] {
            let r = Record::from_rdata(name.clone(), wire, RData::A(A::new(10, 0, 0, 1)));
            assert_eq!(ttl_of(&r), seen, "{wire}");
        }
    }

    fn srv_to(target: &Name) -> SrvRecord {
        SrvRecord {
            target: key(target),
            target_label: dns::first_label(target).unwrap_or_default(),
            port: 80,
            weight: 1,
            priority: 0,
            ttl: 30,
            port_name: None,
            protocol: None,
        }
    }

    #[test]
    fn pod_targets_are_kept_and_others_reported_once() {
        let zone = key(&Name::from_ascii("web.awx.svc.cluster.local.").unwrap());
        let names = [
            "web-0.web.awx.svc.cluster.local.",
            "WEB-1.Web.AWX.svc.cluster.local.",
            "10-244-0-1.web.awx.svc.cluster.local.",
            "web.awx.svc.cluster.local.",
            "a.b.web.awx.svc.cluster.local.",
            "evil.example.",
            "evil.example.",
            "xweb.awx.svc.cluster.local.",
            "x.xweb.awx.svc.cluster.local.",
        ];
        let mut srvs: Vec<SrvRecord> = names
            .iter()
            .map(|n| srv_to(&Name::from_ascii(n).unwrap()))
            .collect();
        let mut warnings = Vec::new();
        keep_pod_targets(&mut srvs, Some(&zone), &mut warnings);
        let kept: Vec<&str> = srvs.iter().map(|s| s.target.as_str()).collect();
        assert_eq!(
            kept,
            [
                "web-0.web.awx.svc.cluster.local.",
                "web-1.web.awx.svc.cluster.local.",
                "10-244-0-1.web.awx.svc.cluster.local.",
                "web.awx.svc.cluster.local.",
            ]
        );
        assert_eq!(
            warnings,
            [
                Warning::NotHeadless("web.awx.svc.cluster.local.".into()),
                Warning::TargetOutsideService("a.b.web.awx.svc.cluster.local.".into()),
                Warning::TargetOutsideService("evil.example.".into()),
                Warning::TargetOutsideService("xweb.awx.svc.cluster.local.".into()),
                Warning::TargetOutsideService("x.xweb.awx.svc.cluster.local.".into()),
            ]
        );
        // Not a Kubernetes name: nothing is judged.
        let mut all: Vec<SrvRecord> = names
            .iter()
            .map(|n| srv_to(&Name::from_ascii(n).unwrap()))
            .collect();
        let mut none = Vec::new();
        keep_pod_targets(&mut all, None, &mut none);
        assert_eq!(all.len(), names.len());
        assert!(none.is_empty());
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn key_and_first_label_render_once_what_each_renders(
            labels in prop::collection::vec(label(), 0..4),
        ) {
            let n = name_of(&labels);
            let (k, l) = dns::key_and_first_label(&n);
            prop_assert_eq!(k, key(&n));
            prop_assert_eq!(l, dns::first_label(&n).unwrap_or_default());
        }
    }

    /// Labels of bytes that need escaping, dots and both cases included.
    fn label() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop::sample::select(vec![
                b'a', b'A', b'b', b'-', b'0', b'.', b'\\', 0x1b, 0xc3, b' ',
            ]),
            1..5,
        )
    }

    fn name_of(labels: &[Vec<u8>]) -> Name {
        let mut n = Name::from_labels(labels.iter().map(|l| l.as_slice())).unwrap();
        n.set_fqdn(true);
        n
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// The string test says what hickory's `zone_of` and label counts
        /// say: the Service itself or one label under it, whatever the
        /// case and the escaping of the labels.
        #[test]
        fn inside_service_is_the_zone_or_one_label_under_it(
            zone in prop::collection::vec(label(), 1..4),
            prefix in prop::collection::vec(label(), 0..3),
            other in prop::collection::vec(label(), 0..4),
            flip in any::<u64>(),
            mode in 0u8..3,
        ) {
            // The target: prefix + the zone (its case flipped here and
            // there), prefix + some other name, or prefix + a zone suffix.
            let mut bit = 0;
            let flipped: Vec<Vec<u8>> = zone.iter().map(|l| l.iter().map(|&b| {
                bit = (bit + 1) % 64;
                if flip >> bit & 1 == 1 { b.to_ascii_uppercase() } else { b }
            }).collect()).collect();
            let tail: Vec<Vec<u8>> = match mode {
                0 => flipped,
                1 => other,
                _ => flipped[1..].to_vec(),
            };
            let target: Vec<Vec<u8>> = prefix.iter().cloned().chain(tail).collect();
            prop_assume!(!target.is_empty());
            let (z, t) = (name_of(&zone), name_of(&target));
            let want = z.zone_of(&t)
                && (t.num_labels() == z.num_labels() || t.num_labels() == z.num_labels() + 1);
            prop_assert_eq!(inside_service(&srv_to(&t), &key(&z)), want, "{} in {}", key(&t), key(&z));
        }
    }
}

#[cfg(test)]
#[path = "lookup_tests.rs"]
mod canned_tests;
