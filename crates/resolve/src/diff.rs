//! Set comparison of endpoint sets, for `hsvc diff` (several sources at
//! once) and `hsvc watch` (one source, before and after). Pure: sets come
//! in, rows and deltas go out; no I/O, no clock.
//!
//! Endpoints are matched by a [`By`] key. Whatever is not part of the key
//! (hostname, IP, ports, TTL) is compared and reported as a change. SRV
//! weights are left out on purpose: CoreDNS derives them from the number of
//! endpoints (docs/cluster-dns.md R6.3), so every scale would "change" every pod.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use crate::endpoints::{Endpoint, EndpointSet, PortInfo};

/// What makes two endpoints "the same one".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// The address (default).
    #[default]
    Ip,
    /// The pod hostname (StatefulSet), else the IP: a pod that moved to a
    /// new IP is a change, not a removal and an addition.
    Hostname,
    /// IP, hostname and ports together: only the TTL can still change.
    Endpoint,
}

impl By {
    /// The `--by` value and JSON name: `ip`, `hostname` or `endpoint`.
    pub fn as_str(self) -> &'static str {
        match self {
            By::Ip => "ip",
            By::Hostname => "hostname",
            By::Endpoint => "endpoint",
        }
    }
}

/// How to compare.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// What matches an endpoint in one set with one in another.
    pub by: By,
    /// Do not report TTL differences (e.g. behind a cache that counts down).
    pub ignore_ttl: bool,
}

/// A field that differs between two entries with the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The addresses under the key differ (only possible when the key is
    /// not the IP, e.g. a StatefulSet pod that moved with `--by hostname`).
    Ip,
    /// The hostname differs (compared case-insensitively).
    Hostname,
    /// The set of ports differs: number, protocol, name or priority (the
    /// SRV weight is ignored, see the module docs).
    Ports,
    /// The TTL differs (not reported with [`Options::ignore_ttl`]).
    Ttl,
}

impl Field {
    /// The JSON and table name: `ip`, `hostname`, `ports` or `ttl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Ip => "ip",
            Field::Hostname => "hostname",
            Field::Ports => "ports",
            Field::Ttl => "ttl",
        }
    }
}

/// The part of a port that identifies it (the weight is left out).
type PortKey = (u16, Option<String>, Option<String>, u16);

fn port_key(p: &PortInfo) -> PortKey {
    (p.port, p.protocol.clone(), p.name.clone(), p.priority)
}

fn port_keys(ps: &[PortInfo]) -> Vec<PortKey> {
    let mut v: Vec<PortKey> = ps.iter().map(port_key).collect();
    v.sort();
    v.dedup();
    v
}

/// The matching key of an entry; sorts IPs numerically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// [`By::Ip`]: the address.
    Ip(IpAddr),
    /// [`By::Hostname`]: [`Endpoint::identity`].
    Hostname(String),
    /// [`By::Endpoint`]: address, hostname and the sorted port keys.
    Endpoint(IpAddr, Option<String>, Vec<PortKey>),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Ip(ip) => write!(f, "{ip}"),
            Key::Hostname(h) => f.write_str(h),
            Key::Endpoint(ip, h, ports) => {
                write!(f, "{ip}")?;
                if let Some(h) = h {
                    write!(f, " {h}")?;
                }
                for (i, (port, proto, _, _)) in ports.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { "," })?;
                    write!(f, "{port}")?;
                    if let Some(p) = proto {
                        write!(f, "/{p}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The key `e` is matched by under `by`.
fn key_of(e: &Endpoint, by: By) -> Key {
    match by {
        By::Ip => Key::Ip(e.ip),
        By::Hostname => Key::Hostname(e.identity()),
        By::Endpoint => Key::Endpoint(e.ip, e.hostname.clone(), port_keys(&e.ports)),
    }
}

/// The endpoints of one set that share a key (one, except with
/// [`By::Hostname`] for a dual-stack pod).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The key in text form: the IP, the hostname, or `IP HOSTNAME PORTS`.
    pub key: String,
    /// The lowest address.
    pub ip: IpAddr,
    /// Every address under this key (one unless `--by hostname`).
    pub ips: Vec<IpAddr>,
    /// The hostname of the lowest address's endpoint (escaped presentation
    /// form), see [`Endpoint::hostname`].
    pub hostname: Option<String>,
    /// The SRV target of the lowest address's endpoint, see
    /// [`Endpoint::fqdn`].
    pub fqdn: Option<String>,
    /// The ports of every endpoint under the key, merged, sorted by port,
    /// protocol, name and priority.
    pub ports: Vec<PortInfo>,
    /// Smallest TTL of the records, seconds.
    pub ttl: u32,
    /// The key itself: entries and rows sort by it.
    #[serde(skip)]
    pub(crate) sort: Key,
}

impl Entry {
    fn from_endpoints(key: Key, eps: &[&Endpoint]) -> Entry {
        let first = eps[0];
        let mut ports: Vec<PortInfo> = Vec::new();
        for e in eps {
            for p in &e.ports {
                if !ports.iter().any(|q| port_key(q) == port_key(p)) {
                    ports.push(p.clone());
                }
            }
        }
        ports.sort_by_key(port_key);
        Entry {
            key: key.to_string(),
            ip: first.ip,
            ips: eps.iter().map(|e| e.ip).collect(),
            hostname: first.hostname.clone(),
            fqdn: first.fqdn.clone(),
            ports,
            ttl: eps.iter().map(|e| e.ttl).min().unwrap_or(0),
            sort: key,
        }
    }

    /// The fields in which `other` differs from `self`, in [`Field`] order.
    /// With [`By::Endpoint`] hostname and ports are part of the key, so
    /// only the TTL is compared.
    fn differences(&self, other: &Entry, opts: Options) -> Vec<Field> {
        let mut f = Vec::new();
        if self.ips != other.ips {
            f.push(Field::Ip);
        }
        if opts.by != By::Endpoint
            && !eq_ignore_case(self.hostname.as_deref(), other.hostname.as_deref())
        {
            f.push(Field::Hostname);
        }
        if opts.by != By::Endpoint && port_keys(&self.ports) != port_keys(&other.ports) {
            f.push(Field::Ports);
        }
        if !opts.ignore_ttl && self.ttl != other.ttl {
            f.push(Field::Ttl);
        }
        f
    }
}

/// DNS names compare case-insensitively.
fn eq_ignore_case(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// The entries of a set, sorted by key.
pub(crate) fn entries(set: &EndpointSet, by: By) -> Vec<Entry> {
    let mut groups: BTreeMap<Key, Vec<&Endpoint>> = BTreeMap::new();
    for e in set {
        groups.entry(key_of(e, by)).or_default().push(e);
    }
    groups
        .into_iter()
        .map(|(k, eps)| Entry::from_endpoints(k, &eps))
        .collect()
}

/// One key across all sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Per source: the entry, or `None` when the source does not have it
    /// (or could not be resolved, see [`Comparison::available`]).
    pub cells: Vec<Option<Entry>>,
    /// Fields that differ between the sources that have the key.
    pub changed: Vec<Field>,
}

impl Row {
    /// The first source's entry that exists.
    pub fn first(&self) -> &Entry {
        self.cells
            .iter()
            .flatten()
            .next()
            .expect("a row has at least one entry")
    }
}

/// The comparison of several sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The key rows were matched by.
    pub by: By,
    /// Whether each source was resolved; a source that failed has no set
    /// and takes no part in "common" and "only in".
    pub available: Vec<bool>,
    /// One row per key found in any source, in key order (IPs numerically).
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Whether the row is in every available source.
    pub fn is_common(&self, row: &Row) -> bool {
        row.cells
            .iter()
            .zip(&self.available)
            .all(|(c, ok)| c.is_some() || !ok)
    }

    /// The source index when the row is in exactly one available source
    /// and there are at least two.
    pub fn only_in(&self, row: &Row) -> Option<usize> {
        if self.available.iter().filter(|a| **a).count() < 2 {
            return None;
        }
        let mut present = row.cells.iter().enumerate().filter(|(_, c)| c.is_some());
        match (present.next(), present.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// Rows in every available source (see [`Comparison::is_common`]).
    pub fn common(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| self.is_common(r))
    }

    /// Rows only in source `i`.
    pub fn only(&self, i: usize) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| self.only_in(r) == Some(i))
    }

    /// Rows in more than one source (not all) — only with 3+ sources.
    pub fn partial(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| !self.is_common(r) && self.only_in(r).is_none())
    }

    /// Rows whose entries differ between the sources that have them.
    pub fn changed(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| !r.changed.is_empty())
    }

    /// No endpoint missing anywhere and no change.
    pub fn identical(&self) -> bool {
        self.rows
            .iter()
            .all(|r| self.is_common(r) && r.changed.is_empty())
    }
}

/// Compares the sets of several sources; `None` marks a source that could
/// not be resolved.
pub fn compare(sets: &[Option<&EndpointSet>], opts: Options) -> Comparison {
    let mut rows: BTreeMap<Key, Vec<Option<Entry>>> = BTreeMap::new();
    for (i, set) in sets.iter().enumerate() {
        let Some(set) = set else { continue };
        for e in entries(set, opts.by) {
            let key = e.sort.clone();
            rows.entry(key).or_insert_with(|| vec![None; sets.len()])[i] = Some(e);
        }
    }
    let rows = rows
        .into_values()
        .map(|cells| {
            let mut present = cells.iter().flatten();
            let first = present.next().expect("a row has at least one entry");
            let mut changed: Vec<Field> =
                present.flat_map(|e| first.differences(e, opts)).collect();
            changed.sort();
            changed.dedup();
            Row { cells, changed }
        })
        .collect();
    Comparison {
        by: opts.by,
        available: sets.iter().map(Option::is_some).collect(),
        rows,
    }
}

/// What changed from one set to the next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Delta {
    /// Keys only in the later set.
    pub added: Vec<Entry>,
    /// Keys only in the earlier set.
    pub removed: Vec<Entry>,
    /// (before, after, fields).
    pub changed: Vec<(Entry, Entry, Vec<Field>)>,
}

impl Delta {
    /// Nothing was added, removed or changed.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The changes from `before` to `after`, each in key order.
pub(crate) fn delta(before: &EndpointSet, after: &EndpointSet, opts: Options) -> Delta {
    let mut d = Delta::default();
    let mut old = entries(before, opts.by).into_iter().peekable();
    let mut new = entries(after, opts.by).into_iter().peekable();
    loop {
        match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(_), None) => d.removed.extend(old.by_ref()),
            (None, Some(_)) => d.added.extend(new.by_ref()),
            (Some(o), Some(n)) => match o.sort.cmp(&n.sort) {
                std::cmp::Ordering::Less => d.removed.push(old.next().expect("peeked")),
                std::cmp::Ordering::Greater => d.added.push(new.next().expect("peeked")),
                std::cmp::Ordering::Equal => {
                    let (o, n) = (old.next().expect("peeked"), new.next().expect("peeked"));
                    let fields = o.differences(&n, opts);
                    if !fields.is_empty() {
                        d.changed.push((o, n, fields));
                    }
                }
            },
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(ip: &str, host: Option<&str>, port: u16, ttl: u32) -> Endpoint {
        let mut e = Endpoint::new(ip.parse().unwrap(), ttl);
        e.hostname = host.map(str::to_string);
        e.ports.push(PortInfo {
            port,
            protocol: None,
            name: None,
            weight: 33,
            priority: 0,
        });
        e
    }

    fn set(eps: Vec<Endpoint>) -> EndpointSet {
        EndpointSet::from_vec(eps)
    }

    fn keys(es: &[Entry]) -> Vec<&str> {
        es.iter().map(|e| e.key.as_str()).collect()
    }

    #[test]
    fn identical_sets_compare_identical_whatever_the_key() {
        let a = set(vec![
            ep("10.0.0.2", Some("web-1"), 80, 30),
            ep("10.0.0.1", Some("web-0"), 80, 30),
        ]);
        for by in [By::Ip, By::Hostname, By::Endpoint] {
            let c = compare(
                &[Some(&a), Some(&a.clone())],
                Options {
                    by,
                    ..Default::default()
                },
            );
            assert!(c.identical(), "{by:?}");
            assert_eq!(c.common().count(), 2);
            assert!(delta(
                &a,
                &a,
                Options {
                    by,
                    ignore_ttl: false
                }
            )
            .is_empty());
        }
    }

    #[test]
    fn only_in_each_side_sorted_numerically() {
        let a = set(vec![
            ep("10.0.0.9", None, 80, 30),
            ep("10.0.0.10", None, 80, 30),
        ]);
        let b = set(vec![
            ep("10.0.0.10", None, 80, 30),
            ep("10.0.0.100", None, 80, 30),
        ]);
        let c = compare(&[Some(&a), Some(&b)], Options::default());
        assert!(!c.identical());
        let only = |i| c.only(i).map(|r| r.first().key.clone()).collect::<Vec<_>>();
        assert_eq!(only(0), ["10.0.0.9"]);
        assert_eq!(only(1), ["10.0.0.100"]);
        assert_eq!(c.common().count(), 1);
        let rows: Vec<_> = c.rows.iter().map(|r| r.first().key.clone()).collect();
        assert_eq!(rows, ["10.0.0.9", "10.0.0.10", "10.0.0.100"]);
    }

    #[test]
    fn ports_ttl_and_hostname_are_changes_but_weights_are_not() {
        let a = set(vec![ep("10.0.0.1", Some("web-0"), 80, 30)]);
        let mut e = ep("10.0.0.1", Some("web-0"), 80, 30);
        e.ports[0].weight = 16;
        assert!(compare(&[Some(&a), Some(&set(vec![e]))], Options::default()).identical());

        let b = set(vec![ep("10.0.0.1", Some("web-9"), 8080, 5)]);
        let c = compare(&[Some(&a), Some(&b)], Options::default());
        assert_eq!(c.changed().count(), 1);
        assert_eq!(
            c.rows[0].changed,
            [Field::Hostname, Field::Ports, Field::Ttl]
        );
        assert!(c.is_common(&c.rows[0]));
        assert!(!c.identical());

        let ignore = Options {
            ignore_ttl: true,
            ..Default::default()
        };
        let b = set(vec![ep("10.0.0.1", Some("WEB-0"), 80, 5)]);
        assert!(
            compare(&[Some(&a), Some(&b)], ignore).identical(),
            "case and TTL ignored"
        );
    }

    #[test]
    fn by_endpoint_makes_a_port_change_two_entries() {
        let a = set(vec![ep("10.0.0.1", Some("web-0"), 80, 30)]);
        let b = set(vec![ep("10.0.0.1", Some("web-0"), 8080, 30)]);
        let opts = Options {
            by: By::Endpoint,
            ..Default::default()
        };
        let c = compare(&[Some(&a), Some(&b)], opts);
        assert_eq!(c.only(0).count(), 1);
        assert_eq!(c.only(1).count(), 1);
        assert_eq!(c.only(0).next().unwrap().first().key, "10.0.0.1 web-0 80");
        let d = delta(&a, &b, opts);
        assert_eq!((d.added.len(), d.removed.len(), d.changed.len()), (1, 1, 0));
    }

    #[test]
    fn by_hostname_follows_a_pod_to_its_new_ip() {
        let a = set(vec![ep("10.0.0.1", Some("web-0"), 80, 30)]);
        let b = set(vec![ep("10.0.0.7", Some("web-0"), 80, 30)]);
        let by_ip = delta(&a, &b, Options::default());
        assert_eq!((by_ip.added.len(), by_ip.removed.len()), (1, 1));
        let by_host = delta(
            &a,
            &b,
            Options {
                by: By::Hostname,
                ..Default::default()
            },
        );
        assert!(by_host.added.is_empty() && by_host.removed.is_empty());
        assert_eq!(by_host.changed[0].2, [Field::Ip]);
        assert_eq!(by_host.changed[0].1.ip.to_string(), "10.0.0.7");
    }

    #[test]
    fn dashed_hostnames_key_by_ip_and_dual_stack_pods_group() {
        let e = ep("10.0.0.1", Some("10-0-0-1"), 80, 30);
        assert_eq!(key_of(&e, By::Hostname), Key::Hostname("10.0.0.1".into()));
        let s = set(vec![
            ep("10.0.0.1", Some("db-0"), 5432, 30),
            ep("fd00::1", Some("db-0"), 5432, 20),
        ]);
        let es = entries(&s, By::Hostname);
        assert_eq!(keys(&es), ["db-0"]);
        assert_eq!(es[0].ips.len(), 2);
        assert_eq!(es[0].ttl, 20);
        assert_eq!(es[0].ports.len(), 1);
    }

    #[test]
    fn delta_lists_added_removed_changed_in_key_order() {
        let a = set(vec![
            ep("10.0.0.1", None, 80, 30),
            ep("10.0.0.2", None, 80, 30),
            ep("10.0.0.3", None, 80, 30),
        ]);
        let b = set(vec![
            ep("10.0.0.2", None, 81, 30),
            ep("10.0.0.4", None, 80, 30),
            ep("10.0.0.5", None, 80, 30),
        ]);
        let d = delta(&a, &b, Options::default());
        assert_eq!(keys(&d.removed), ["10.0.0.1", "10.0.0.3"]);
        assert_eq!(keys(&d.added), ["10.0.0.4", "10.0.0.5"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].2, [Field::Ports]);
        let back = delta(&b, &a, Options::default());
        assert_eq!(keys(&back.added), keys(&d.removed));
        assert_eq!(
            delta(&EndpointSet::default(), &a, Options::default())
                .added
                .len(),
            3
        );
    }

    #[test]
    fn three_sources_partial_rows_and_failed_sources() {
        let a = set(vec![
            ep("10.0.0.1", None, 80, 30),
            ep("10.0.0.2", None, 80, 30),
        ]);
        let b = set(vec![
            ep("10.0.0.1", None, 80, 30),
            ep("10.0.0.2", None, 80, 30),
        ]);
        let c3 = set(vec![ep("10.0.0.1", None, 80, 30)]);
        let c = compare(&[Some(&a), Some(&b), Some(&c3)], Options::default());
        assert_eq!(c.common().count(), 1);
        assert_eq!(c.partial().count(), 1);
        assert!((0..3).all(|i| c.only(i).count() == 0));
        // A failed source is not "missing" the endpoints.
        let c = compare(&[Some(&a), None, Some(&b)], Options::default());
        assert!(c.identical());
        assert_eq!(c.available, [true, false, true]);
        // With one usable source nothing is "only" there.
        let c = compare(&[Some(&a), None], Options::default());
        assert_eq!(c.only(0).count(), 0);
    }
}
