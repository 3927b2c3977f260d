//! The Kubernetes name model: what a user types, what it means in cluster
//! DNS, and how a pod's resolver would walk its search list to find it.
//!
//! Pure: no I/O, no clock. See `docs/k8s-dns-spec.md` §3 and §5.

use std::fmt;
use std::net::IpAddr;

/// Longest name in text form, without the trailing dot (RFC 1035 wire
/// limit of 255 octets).
pub const MAX_NAME: usize = 253;
/// Longest label in octets.
pub const MAX_LABEL: usize = 63;

/// An absolute DNS name held as validated ASCII labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fqdn {
    labels: Vec<String>,
}

impl Fqdn {
    /// The root name `.`.
    pub fn root() -> Self {
        Fqdn { labels: Vec::new() }
    }

    /// Builds an absolute name from labels that the caller validated.
    pub fn from_labels<I: IntoIterator<Item = S>, S: Into<String>>(labels: I) -> Self {
        Fqdn {
            labels: labels.into_iter().map(Into::into).collect(),
        }
    }

    /// Parses and validates a name; a trailing dot is optional.
    pub fn parse(text: &str) -> Result<Self, NameError> {
        let (labels, _) = split_validated(text)?;
        Ok(Fqdn { labels })
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// `self` followed by `suffix` (both absolute; the result too).
    pub fn join(&self, suffix: &Fqdn) -> Result<Fqdn, NameError> {
        let mut labels = self.labels.clone();
        labels.extend(suffix.labels.iter().cloned());
        let name = Fqdn { labels };
        let len = name.text_len();
        if len > MAX_NAME {
            return Err(NameError::TooLong(len));
        }
        Ok(name)
    }

    /// Length of the text form without the trailing dot.
    pub fn text_len(&self) -> usize {
        if self.labels.is_empty() {
            return 0;
        }
        self.labels.iter().map(String::len).sum::<usize>() + self.labels.len() - 1
    }

    /// Whether `self` ends with `suffix` (case-insensitive, label-wise).
    pub fn ends_with(&self, suffix: &[String]) -> bool {
        suffix.len() <= self.labels.len()
            && self.labels[self.labels.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

impl fmt::Display for Fqdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for l in &self.labels {
            f.write_str(l)?;
            f.write_str(".")?;
        }
        Ok(())
    }
}

/// Why a name was rejected before any query was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameError {
    Empty,
    EmptyLabel,
    LabelTooLong(String),
    TooLong(usize),
    BadChar { ch: char, label: String },
    Unsupported(String),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => write!(f, "empty name"),
            NameError::EmptyLabel => write!(f, "empty label (two dots in a row, or a leading dot)"),
            NameError::LabelTooLong(l) => write!(
                f,
                "label '{}…' is {} octets long; DNS allows at most {MAX_LABEL}",
                &l[..20.min(l.len())],
                l.len()
            ),
            NameError::TooLong(n) => {
                write!(f, "name is {n} characters long; DNS allows at most {MAX_NAME}")
            }
            NameError::BadChar { ch, label } => write!(
                f,
                "character {} in label '{}' cannot be used: names take letters, digits, '-' and '_'",
                crate::escape::term(&format!("{ch:?}")),
                crate::escape::term(label)
            ),
            NameError::Unsupported(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for NameError {}

/// Splits a name into validated labels; returns whether it was absolute.
fn split_validated(text: &str) -> Result<(Vec<String>, bool), NameError> {
    if text.is_empty() {
        return Err(NameError::Empty);
    }
    if text == "." {
        return Ok((Vec::new(), true));
    }
    let absolute = text.ends_with('.');
    let body = if absolute {
        &text[..text.len() - 1]
    } else {
        text
    };
    if body.len() > MAX_NAME {
        return Err(NameError::TooLong(body.len()));
    }
    let mut labels = Vec::new();
    for label in body.split('.') {
        if label.is_empty() {
            return Err(NameError::EmptyLabel);
        }
        if let Some(ch) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(NameError::BadChar {
                ch,
                label: label.to_string(),
            });
        }
        if label.len() > MAX_LABEL {
            return Err(NameError::LabelTooLong(label.to_string()));
        }
        labels.push(label.to_string());
    }
    Ok((labels, absolute))
}

/// What a name means in cluster DNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `<svc>.<ns>.svc.<zone>`: every ready pod of the Service.
    Service,
    /// `<ep>.<svc>.<ns>.svc.<zone>`: one pod (StatefulSet hostname or dashed IP).
    Endpoint,
    /// `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: one named port.
    Srv,
    /// An IP literal: PTR lookup of the pod's names.
    Reverse,
    /// Any other name, queried as given.
    Other,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Endpoint => "endpoint",
            Kind::Srv => "srv",
            Kind::Reverse => "reverse",
            Kind::Other => "other",
        }
    }
}

/// Where the namespace of a short name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsSource {
    Name,
    Flag,
    ResolvConf,
    Default,
}

/// Everything a short name is completed with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub namespace: String,
    pub namespace_source: NsSource,
    pub cluster_domain: Fqdn,
}

impl Context {
    /// Namespace: flag, else the search list's `<ns>.svc.<zone>`, else
    /// `default`. Cluster domain: flag, else inferred from the search
    /// list, else `cluster.local`.
    pub fn new(
        namespace_flag: Option<&str>,
        cluster_domain_flag: Option<&Fqdn>,
        search: &[Fqdn],
    ) -> Self {
        let inferred = infer_from_search(search);
        let cluster_domain = cluster_domain_flag
            .cloned()
            .or_else(|| inferred.as_ref().map(|(_, z)| z.clone()))
            .unwrap_or_else(|| Fqdn::from_labels(["cluster", "local"]));
        let (namespace, namespace_source) = match (namespace_flag, &inferred) {
            (Some(ns), _) => (ns.to_string(), NsSource::Flag),
            (None, Some((Some(ns), zone))) if zone == &cluster_domain => {
                (ns.clone(), NsSource::ResolvConf)
            }
            _ => ("default".to_string(), NsSource::Default),
        };
        Context {
            namespace,
            namespace_source,
            cluster_domain,
        }
    }
}

/// Finds `<ns>.svc.<zone>` (namespace and zone) or `svc.<zone>` (zone only)
/// in a pod's search list (spec R-RC2).
pub fn infer_from_search(search: &[Fqdn]) -> Option<(Option<String>, Fqdn)> {
    let with_ns = search.iter().find_map(|d| {
        let l = d.labels();
        (l.len() >= 3 && l[1].eq_ignore_ascii_case("svc")).then(|| {
            (
                Some(l[0].to_ascii_lowercase()),
                Fqdn::from_labels(l[2..].to_vec()),
            )
        })
    });
    with_ns.or_else(|| {
        search.iter().find_map(|d| {
            let l = d.labels();
            (l.len() >= 2 && l[0].eq_ignore_ascii_case("svc"))
                .then(|| (None, Fqdn::from_labels(l[1..].to_vec())))
        })
    })
}

/// A parsed user name: what to query and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// What the user typed.
    pub input: String,
    pub kind: Kind,
    /// The absolute name queried.
    pub fqdn: Fqdn,
    pub namespace: Option<String>,
    pub service: Option<String>,
    pub endpoint: Option<String>,
    /// `_port` label without the underscore, for [`Kind::Srv`].
    pub port_name: Option<String>,
    /// `_proto` label without the underscore, for [`Kind::Srv`].
    pub protocol: Option<String>,
    /// The address, for [`Kind::Reverse`].
    pub ip: Option<IpAddr>,
}

impl Target {
    fn other(input: &str, fqdn: Fqdn) -> Self {
        Target {
            input: input.to_string(),
            kind: Kind::Other,
            fqdn,
            namespace: None,
            service: None,
            endpoint: None,
            port_name: None,
            protocol: None,
            ip: None,
        }
    }

    /// Parses what the user typed into a target; the namespace and cluster
    /// domain of short names come from `ctx`.
    pub fn parse(input: &str, ctx: &Context) -> Result<Target, NameError> {
        if let Ok(ip) = input.parse::<IpAddr>() {
            let mut t = Target::other(input, reverse_name(ip));
            t.kind = Kind::Reverse;
            t.ip = Some(ip);
            return Ok(t);
        }
        let (labels, absolute) = split_validated(input)?;
        let fq = Fqdn::from_labels(labels.clone());
        Ok(Self::classify(input, &fq, absolute, ctx))
    }

    /// Classifies an absolute name found by a search walk.
    pub fn from_fqdn(input: &str, fqdn: &Fqdn, ctx: &Context) -> Target {
        Self::classify(input, fqdn, true, ctx)
    }

    fn classify(input: &str, fq: &Fqdn, absolute: bool, ctx: &Context) -> Target {
        let labels = fq.labels();
        let zone = ctx.cluster_domain.labels();
        let mut svc_zone: Vec<String> = vec!["svc".into()];
        svc_zone.extend(zone.iter().cloned());

        // Strip the `.svc.<zone>` or (relative names only) `.svc` suffix.
        let (rest, qualified): (&[String], bool) = if fq.ends_with(&svc_zone) {
            (&labels[..labels.len() - svc_zone.len()], true)
        } else if !absolute
            && labels.len() > 1
            && labels[labels.len() - 1].eq_ignore_ascii_case("svc")
        {
            (&labels[..labels.len() - 1], true)
        } else if absolute {
            return Target::other(input, fq.clone());
        } else {
            (labels, false)
        };

        let under = |l: &String| l.starts_with('_') && l.len() > 1;
        let strip = |l: &String| l.trim_start_matches('_').to_string();
        let (kind, port, proto, ep, svc, ns) = match rest {
            [svc] if !qualified => (Kind::Service, None, None, None, svc, ctx.namespace.clone()),
            [svc, ns] if !under(svc) => (Kind::Service, None, None, None, svc, ns.clone()),
            [p, pr, svc] if !qualified && under(p) && under(pr) => (
                Kind::Srv,
                Some(strip(p)),
                Some(strip(pr)),
                None,
                svc,
                ctx.namespace.clone(),
            ),
            [ep, svc, ns] if !under(ep) && !under(svc) => (
                Kind::Endpoint,
                None,
                None,
                Some(ep.clone()),
                svc,
                ns.clone(),
            ),
            [p, pr, svc, ns] if under(p) && under(pr) => (
                Kind::Srv,
                Some(strip(p)),
                Some(strip(pr)),
                None,
                svc,
                ns.clone(),
            ),
            _ => {
                let mut abs = fq.clone();
                if !absolute && qualified {
                    abs = fq.join(&Fqdn::from_labels(zone.to_vec())).unwrap_or(abs);
                }
                return Target::other(input, abs);
            }
        };
        let mut out: Vec<String> = Vec::new();
        if let (Some(p), Some(pr)) = (&port, &proto) {
            out.push(format!("_{p}"));
            out.push(format!("_{pr}"));
        }
        if let Some(e) = &ep {
            out.push(e.clone());
        }
        out.push(svc.clone());
        out.push(ns.clone());
        out.extend(svc_zone);
        let fqdn = Fqdn::from_labels(out);
        if fqdn.text_len() > MAX_NAME {
            // Completing a short name made it too long: query it as typed.
            return Target::other(input, fq.clone());
        }
        Target {
            input: input.to_string(),
            kind,
            fqdn,
            namespace: Some(ns),
            service: Some(svc.clone()),
            endpoint: ep,
            port_name: port,
            protocol: proto,
            ip: None,
        }
    }
}

/// `in-addr.arpa` / `ip6.arpa` name of an address (nibble form for IPv6).
pub fn reverse_name(ip: IpAddr) -> Fqdn {
    let mut labels: Vec<String> = Vec::new();
    match ip {
        IpAddr::V4(v4) => {
            labels.extend(v4.octets().iter().rev().map(|o| o.to_string()));
            labels.push("in-addr".into());
        }
        IpAddr::V6(v6) => {
            for o in v6.octets().iter().rev() {
                labels.push(format!("{:x}", o & 0xf));
                labels.push(format!("{:x}", o >> 4));
            }
            labels.push("ip6".into());
        }
    }
    labels.push("arpa".into());
    Fqdn::from_labels(labels)
}

/// The address a CoreDNS dashed-IP endpoint label stands for (spec R4.1):
/// `10-244-194-69` → 10.244.194.69, `fd00-10-244--13` → fd00:10:244::13
/// (a trailing `-0` added by CoreDNS ≥ 1.12.3 is accepted too).
pub fn dashed_ip(label: &str) -> Option<IpAddr> {
    if label.is_empty() || !label.contains('-') {
        return None;
    }
    let dashes = label.matches('-').count();
    if dashes == 3 && !label.contains("--") {
        if let Ok(ip) = label.replace('-', ".").parse::<std::net::Ipv4Addr>() {
            return Some(IpAddr::V4(ip));
        }
    }
    let colon = label.replace('-', ":");
    if let Ok(ip) = colon.parse::<std::net::Ipv6Addr>() {
        return Some(IpAddr::V6(ip));
    }
    // `2001-db8-…--0`: the `0` was appended to a name that ended in `-`.
    colon
        .strip_suffix('0')
        .and_then(|c| c.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

/// Which libc's search rules to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverRules {
    Glibc,
    Musl,
}

impl ResolverRules {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolverRules::Glibc => "glibc",
            ResolverRules::Musl => "musl",
        }
    }
}

/// One name a resolver would try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub fqdn: Fqdn,
    /// The name as typed (not completed with a search domain).
    pub as_is: bool,
}

/// The result of asking for one candidate (an A+AAAA pair), as the walk
/// judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// At least one address.
    Answer,
    NxDomain,
    NoData,
    ServFail,
    /// REFUSED, NOTIMP, FORMERR, ...
    OtherRcode,
    Timeout,
    /// The server port was closed (ICMP port unreachable / RST).
    ConnRefused,
    /// Malformed reply or other network error.
    Error,
}

/// What the walk does after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Query the next candidate.
    Continue,
    /// Stop here; the name resolved.
    Found,
    /// Stop here; resolution failed.
    Fail,
}

/// A replay of a pod resolver's search walk (spec §5.2–5.4).
#[derive(Clone, Debug)]
pub struct SearchWalk {
    pub rules: ResolverRules,
    pub ndots: u8,
    pub dots: usize,
    pub candidates: Vec<Candidate>,
    as_is_first: bool,
    trailing_dot: bool,
}

impl SearchWalk {
    /// Plans the walk of `input` under `rules`. `search` is the list the
    /// resolver uses (the caller applies musl's 255-character line limit).
    pub fn plan(
        input: &str,
        search: &[Fqdn],
        ndots: u8,
        rules: ResolverRules,
    ) -> Result<SearchWalk, NameError> {
        let (labels, trailing_dot) = split_validated(input)?;
        let name = Fqdn::from_labels(labels);
        let dots = input.trim_end_matches('.').matches('.').count();
        let ndots = ndots.min(15);
        let as_is_first = trailing_dot || dots >= ndots as usize;
        let as_is = Candidate {
            fqdn: name.clone(),
            as_is: true,
        };
        let suffixed = || {
            search
                .iter()
                .filter_map(|d| name.join(d).ok())
                .map(|fqdn| Candidate { fqdn, as_is: false })
        };
        let candidates: Vec<Candidate> = match (rules, trailing_dot, as_is_first) {
            (_, true, _) => vec![as_is],
            (ResolverRules::Musl, _, true) => vec![as_is],
            (ResolverRules::Glibc, _, true) => std::iter::once(as_is).chain(suffixed()).collect(),
            (_, _, false) => suffixed().chain(std::iter::once(as_is)).collect(),
        };
        Ok(SearchWalk {
            rules,
            ndots,
            dots,
            candidates,
            as_is_first,
            trailing_dot,
        })
    }

    /// What the resolver does after candidate `index` gave `result`.
    pub fn next(&self, index: usize, result: StepResult) -> Next {
        let last = index + 1 >= self.candidates.len();
        if result == StepResult::Answer {
            return Next::Found;
        }
        let decision = match self.rules {
            ResolverRules::Musl => match result {
                StepResult::NxDomain => Next::Continue,
                _ => Next::Fail,
            },
            ResolverRules::Glibc => {
                let cand = &self.candidates[index];
                if cand.as_is && self.as_is_first {
                    // Tried as is first: any failure goes on to the search list.
                    if self.trailing_dot {
                        Next::Fail
                    } else {
                        Next::Continue
                    }
                } else if cand.as_is {
                    Next::Fail
                } else {
                    match result {
                        StepResult::NxDomain | StepResult::NoData | StepResult::ServFail => {
                            Next::Continue
                        }
                        StepResult::ConnRefused => Next::Fail,
                        // Other errors end the search list, but glibc still
                        // tries the name as is if it has not yet.
                        _ => return self.skip_to_as_is(index),
                    }
                }
            }
        };
        match decision {
            Next::Continue if last => Next::Fail,
            d => d,
        }
    }

    fn skip_to_as_is(&self, index: usize) -> Next {
        if !self.as_is_first && index + 1 < self.candidates.len() {
            Next::Continue
        } else {
            Next::Fail
        }
    }

    /// For glibc, the index of the candidate to ask after `index` when the
    /// search list was abandoned (only the final as-is remains).
    pub fn next_index(&self, index: usize, result: StepResult) -> Option<usize> {
        match self.next(index, result) {
            Next::Continue => {
                let abandon = self.rules == ResolverRules::Glibc
                    && !self.candidates[index].as_is
                    && !matches!(
                        result,
                        StepResult::NxDomain | StepResult::NoData | StepResult::ServFail
                    );
                if abandon {
                    Some(self.candidates.len() - 1)
                } else {
                    Some(index + 1)
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(ns: Option<&str>) -> Context {
        Context::new(ns, None, &[])
    }

    fn fq(s: &str) -> Fqdn {
        Fqdn::parse(s).unwrap()
    }

    #[test]
    fn service_forms() {
        let c = ctx(Some("awx"));
        for input in [
            "web-headless",
            "web-headless.awx",
            "web-headless.awx.svc",
            "web-headless.awx.svc.cluster.local",
            "web-headless.awx.svc.cluster.local.",
        ] {
            let t = Target::parse(input, &c).unwrap();
            assert_eq!(t.kind, Kind::Service, "{input}");
            assert_eq!(
                t.fqdn.to_string(),
                "web-headless.awx.svc.cluster.local.",
                "{input}"
            );
            assert_eq!(t.namespace.as_deref(), Some("awx"));
            assert_eq!(t.service.as_deref(), Some("web-headless"));
        }
    }

    #[test]
    fn namespace_in_name_beats_flag() {
        let t = Target::parse("web-headless.default", &ctx(Some("awx"))).unwrap();
        assert_eq!(
            t.fqdn.to_string(),
            "web-headless.default.svc.cluster.local."
        );
    }

    #[test]
    fn endpoint_and_srv_forms() {
        let c = ctx(None);
        let t = Target::parse("web-0.web-headless.awx", &c).unwrap();
        assert_eq!(t.kind, Kind::Endpoint);
        assert_eq!(t.endpoint.as_deref(), Some("web-0"));
        assert_eq!(
            t.fqdn.to_string(),
            "web-0.web-headless.awx.svc.cluster.local."
        );

        let t = Target::parse("_nginx-web-headless._tcp.web-headless.awx", &c).unwrap();
        assert_eq!(t.kind, Kind::Srv);
        assert_eq!(t.port_name.as_deref(), Some("nginx-web-headless"));
        assert_eq!(t.protocol.as_deref(), Some("tcp"));
        assert_eq!(
            t.fqdn.to_string(),
            "_nginx-web-headless._tcp.web-headless.awx.svc.cluster.local."
        );

        let t = Target::parse("_http._tcp.web", &c).unwrap();
        assert_eq!(t.kind, Kind::Srv);
        assert_eq!(
            t.fqdn.to_string(),
            "_http._tcp.web.default.svc.cluster.local."
        );

        let t = Target::parse("_postgres._tcp.db.awx.svc.cluster.local.", &c).unwrap();
        assert_eq!(t.kind, Kind::Srv);
        assert_eq!(t.service.as_deref(), Some("db"));
    }

    #[test]
    fn reverse_forms() {
        let c = ctx(None);
        let t = Target::parse("10.244.217.13", &c).unwrap();
        assert_eq!(t.kind, Kind::Reverse);
        assert_eq!(t.fqdn.to_string(), "13.217.244.10.in-addr.arpa.");
        let t = Target::parse("fd00:10:244::13", &c).unwrap();
        assert_eq!(
            t.fqdn.to_string(),
            "3.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa."
        );
    }

    #[test]
    fn other_names_are_queried_as_given() {
        let c = ctx(None);
        let t = Target::parse("example.com.", &c).unwrap();
        assert_eq!(t.kind, Kind::Other);
        assert_eq!(t.fqdn.to_string(), "example.com.");
        // A namespace name is not a Service.
        let t = Target::parse("awx.svc.cluster.local", &c).unwrap();
        assert_eq!(t.kind, Kind::Other);
    }

    #[test]
    fn custom_cluster_domain() {
        let zone = fq("k8s.internal");
        let c = Context::new(None, Some(&zone), &[]);
        let t = Target::parse("web.prod", &c).unwrap();
        assert_eq!(t.fqdn.to_string(), "web.prod.svc.k8s.internal.");
        let t = Target::parse("web.prod.svc.k8s.internal", &c).unwrap();
        assert_eq!(t.kind, Kind::Service);
    }

    #[test]
    fn context_from_search_list() {
        let search = vec![
            fq("awx.svc.cluster.local"),
            fq("svc.cluster.local"),
            fq("cluster.local"),
            fq("corp.example"),
        ];
        let c = Context::new(None, None, &search);
        assert_eq!(c.namespace, "awx");
        assert_eq!(c.namespace_source, NsSource::ResolvConf);
        assert_eq!(c.cluster_domain.to_string(), "cluster.local.");

        let search = vec![fq("team-a.svc.k8s.example"), fq("svc.k8s.example")];
        let c = Context::new(None, None, &search);
        assert_eq!(c.cluster_domain.to_string(), "k8s.example.");
        assert_eq!(c.namespace, "team-a");

        let c = Context::new(Some("x"), None, &search);
        assert_eq!(c.namespace, "x");
        assert_eq!(c.namespace_source, NsSource::Flag);

        let c = Context::new(None, None, &[fq("corp.example")]);
        assert_eq!(c.namespace, "default");
        assert_eq!(c.cluster_domain.to_string(), "cluster.local.");
    }

    #[test]
    fn invalid_names_are_rejected() {
        let c = ctx(None);
        assert_eq!(Target::parse("", &c), Err(NameError::Empty));
        assert_eq!(Target::parse("a..b", &c), Err(NameError::EmptyLabel));
        assert_eq!(Target::parse(".a", &c), Err(NameError::EmptyLabel));
        let long = "a".repeat(64);
        assert!(matches!(
            Target::parse(&long, &c),
            Err(NameError::LabelTooLong(_))
        ));
        assert!(Target::parse(&"a".repeat(63), &c).is_ok());
        let name = vec!["abcdefghi"; 26].join(".");
        assert_eq!(name.len(), 259);
        assert!(matches!(
            Target::parse(&name, &c),
            Err(NameError::TooLong(259))
        ));
        assert!(matches!(
            Target::parse("we b", &c),
            Err(NameError::BadChar { ch: ' ', .. })
        ));
        assert!(matches!(
            Target::parse("web\x1b", &c),
            Err(NameError::BadChar { .. })
        ));
        assert!(matches!(
            Target::parse("wéb", &c),
            Err(NameError::BadChar { .. })
        ));
        assert!(matches!(
            Target::parse("*.web", &c),
            Err(NameError::BadChar { .. })
        ));
        // The message never echoes raw control characters.
        let msg = Target::parse("web\x1b", &c).unwrap_err().to_string();
        assert!(!msg.contains('\x1b'), "{msg}");
    }

    #[test]
    fn dashed_ips() {
        assert_eq!(
            dashed_ip("10-244-194-69"),
            Some("10.244.194.69".parse().unwrap())
        );
        assert_eq!(
            dashed_ip("fd00-10-244--13"),
            Some("fd00:10:244::13".parse().unwrap())
        );
        assert_eq!(
            dashed_ip("2001-db8-3333-4444-5555-6666--0"),
            Some("2001:db8:3333:4444:5555:6666::".parse().unwrap())
        );
        assert_eq!(
            dashed_ip("2001-db8-3333-4444-5555-6666--"),
            Some("2001:db8:3333:4444:5555:6666::".parse().unwrap())
        );
        assert_eq!(dashed_ip("web-0"), None);
        assert_eq!(dashed_ip("db"), None);
    }

    fn k8s_search() -> Vec<Fqdn> {
        vec![
            fq("awx.svc.cluster.local"),
            fq("svc.cluster.local"),
            fq("cluster.local"),
        ]
    }

    fn names(w: &SearchWalk) -> Vec<String> {
        w.candidates.iter().map(|c| c.fqdn.to_string()).collect()
    }

    #[test]
    fn walk_short_name_under_ndots5() {
        for rules in [ResolverRules::Glibc, ResolverRules::Musl] {
            let w = SearchWalk::plan("web-headless", &k8s_search(), 5, rules).unwrap();
            assert_eq!(
                names(&w),
                [
                    "web-headless.awx.svc.cluster.local.",
                    "web-headless.svc.cluster.local.",
                    "web-headless.cluster.local.",
                    "web-headless."
                ]
            );
            assert_eq!(w.next(0, StepResult::Answer), Next::Found);
        }
    }

    #[test]
    fn walk_many_dots_glibc_tries_as_is_then_searches() {
        let input = "web-9.web-headless.awx.svc.cluster.local";
        let w = SearchWalk::plan(input, &k8s_search(), 5, ResolverRules::Glibc).unwrap();
        assert_eq!(w.candidates.len(), 4);
        assert!(w.candidates[0].as_is);
        assert_eq!(w.next(0, StepResult::NxDomain), Next::Continue);
        assert_eq!(w.next(1, StepResult::NxDomain), Next::Continue);
        assert_eq!(w.next(3, StepResult::NxDomain), Next::Fail);
        // musl: as is only.
        let w = SearchWalk::plan(input, &k8s_search(), 5, ResolverRules::Musl).unwrap();
        assert_eq!(w.candidates.len(), 1);
        assert_eq!(w.next(0, StepResult::NxDomain), Next::Fail);
    }

    #[test]
    fn walk_nodata_glibc_continues_musl_stops() {
        let g = SearchWalk::plan("awx", &k8s_search(), 5, ResolverRules::Glibc).unwrap();
        assert_eq!(g.next(0, StepResult::NxDomain), Next::Continue);
        assert_eq!(g.next(1, StepResult::NoData), Next::Continue);
        assert_eq!(g.next(2, StepResult::ServFail), Next::Continue);
        assert_eq!(g.next(3, StepResult::NxDomain), Next::Fail);
        let m = SearchWalk::plan("awx", &k8s_search(), 5, ResolverRules::Musl).unwrap();
        assert_eq!(m.next(0, StepResult::NxDomain), Next::Continue);
        assert_eq!(m.next(1, StepResult::NoData), Next::Fail);
        assert_eq!(m.next(0, StepResult::ServFail), Next::Fail);
    }

    #[test]
    fn walk_glibc_timeout_abandons_search_but_tries_as_is() {
        let g = SearchWalk::plan("web", &k8s_search(), 5, ResolverRules::Glibc).unwrap();
        assert_eq!(g.next_index(0, StepResult::Timeout), Some(3));
        assert_eq!(g.next_index(0, StepResult::NxDomain), Some(1));
        assert_eq!(g.next_index(0, StepResult::ConnRefused), None);
        assert_eq!(g.next_index(3, StepResult::Timeout), None);
    }

    #[test]
    fn walk_trailing_dot_is_final() {
        let g = SearchWalk::plan("web.", &k8s_search(), 5, ResolverRules::Glibc).unwrap();
        assert_eq!(names(&g), ["web."]);
        assert_eq!(g.next(0, StepResult::NxDomain), Next::Fail);
    }

    #[test]
    fn walk_ndots_capped_and_long_candidates_skipped() {
        let w = SearchWalk::plan("a.b", &k8s_search(), 99, ResolverRules::Glibc).unwrap();
        assert_eq!(w.ndots, 15);
        let long = fq(&vec!["x".repeat(60); 4].join("."));
        let name = "y".repeat(60);
        let w = SearchWalk::plan(&name, &[long], 5, ResolverRules::Musl).unwrap();
        assert_eq!(names(&w), [format!("{name}.")]);
    }
}
