//! In-memory authoritative record store: one or more zones (e.g. `cluster.local.`,
//! `in-addr.arpa.`, `ip6.arpa.`), indexed by lower-cased owner name and type. The rules
//! cited (R…, §…) are those of docs/cluster-dns.md.
//!
//! [`Zone::lookup`] decides NOERROR / NODATA / NXDOMAIN / REFUSED the way an authoritative
//! server does for a static zone (empty non-terminals exist; no wildcards, R17.2) and builds
//! the additional section for SRV and NS answers (R8.1, R12.2).

use std::collections::{HashMap, HashSet};
use std::fmt;

use hickory_proto::rr::{LowerName, Name, RData, Record, RecordType};

use super::cluster::Cluster;

/// Error loading a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError(pub String);

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "zone error: {}", self.0)
    }
}

impl std::error::Error for ZoneError {}

/// How the server answers where CoreDNS and BIND differ (docs/cluster-dns.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// What to send when a reply does not fit.
    pub truncation: TruncationMode,
    /// BIND 9.18 sends no SRV glue at all from 14 SRV records up: `Some(13)` emulates that;
    /// `None` (CoreDNS, Knot) always adds glue.
    pub srv_glue_limit: Option<usize>,
    /// Answer NXDOMAIN where CoreDNS does although a static zone has the name (docs/cluster-dns.md §6):
    /// `_<proto>.<svc>…` and `dns.<zone>` (empty non-terminals), `dns-version.<zone>` for
    /// types other than TXT, `ns.dns.<zone>` TXT. Only applies to zones built from a
    /// [`Cluster`]. `false` answers like BIND/Knot serving the same zone file.
    pub coredns_names: bool,
}

/// Reply shape when the answer does not fit the transport's size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TruncationMode {
    /// CoreDNS/miekg: keep records in order answer → authority → additional as many as fit,
    /// set TC (a partial RRset with TC=1, §4.2).
    #[default]
    CoreDns,
    /// BIND/Knot with EDNS: empty answer, TC=1.
    Empty,
}

impl Default for Behaviour {
    /// CoreDNS behaviour.
    fn default() -> Self {
        Behaviour {
            truncation: TruncationMode::CoreDns,
            srv_glue_limit: None,
            coredns_names: true,
        }
    }
}

impl Behaviour {
    /// BIND 9.18 as observed against BIND 9.18.49 (docs/cluster-dns.md §6): empty answer + TC, no SRV glue above 13 SRV.
    pub fn bind() -> Self {
        Behaviour {
            truncation: TruncationMode::Empty,
            srv_glue_limit: Some(13),
            coredns_names: false,
        }
    }
}

/// Result of a lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The name is in a zone and has records of the type (owner names echo the query).
    Answer {
        /// Answer section.
        answers: Vec<Record>,
        /// Additional section (SRV target / NS host addresses).
        additionals: Vec<Record>,
    },
    /// The name exists but has no record of the type: NOERROR, empty answer, zone SOA.
    NoData {
        /// The zone's SOA record (authority section).
        soa: Record,
    },
    /// The name does not exist in the zone: NXDOMAIN, zone SOA.
    NxDomain {
        /// The zone's SOA record (authority section).
        soa: Record,
    },
    /// The name is outside every zone served.
    Refused,
}

#[derive(Debug, Clone)]
struct ZoneData {
    origin: LowerName,
    soa: Record,
    /// Every owner name and every ancestor up to the origin (empty non-terminals).
    names: HashSet<LowerName>,
}

/// Where CoreDNS says NXDOMAIN for a name a static zone has (see [`Behaviour::coredns_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum CoreDnsNx {
    /// NXDOMAIN for every type except these.
    Except(Vec<RecordType>),
    /// NXDOMAIN for these types only.
    Only(Vec<RecordType>),
}

/// A set of authoritative zones with their records.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    zones: Vec<ZoneData>,
    coredns_nx: HashMap<LowerName, CoreDnsNx>,
    rrsets: HashMap<(LowerName, RecordType), Vec<Record>>,
    /// Records in load order, for [`Zone::records`].
    order: Vec<Record>,
}

impl Zone {
    /// Build from records. Every SOA record makes its owner a zone apex; every other record
    /// must lie in one of those zones (the deepest one owns it). Identical records are merged.
    pub fn from_records(records: impl IntoIterator<Item = Record>) -> Result<Zone, ZoneError> {
        let records: Vec<Record> = records.into_iter().collect();
        let mut zones: Vec<ZoneData> = Vec::new();
        for r in records
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
        {
            let origin = LowerName::new(&r.name);
            if zones.iter().any(|z| z.origin == origin) {
                return Err(ZoneError(format!("two SOA records for {}", r.name)));
            }
            let mut names = HashSet::new();
            names.insert(origin.clone());
            zones.push(ZoneData {
                origin,
                soa: r.clone(),
                names,
            });
        }
        if zones.is_empty() {
            return Err(ZoneError("no SOA record: no zone".into()));
        }
        let mut zone = Zone {
            zones,
            coredns_nx: HashMap::new(),
            rrsets: HashMap::new(),
            order: Vec::new(),
        };
        let mut seen: HashSet<(LowerName, RData)> = HashSet::new();
        for r in records {
            let owner = LowerName::new(&r.name);
            let Some(zi) = zone.zone_index(&owner) else {
                return Err(ZoneError(format!("{} is outside every zone", r.name)));
            };
            let set = zone
                .rrsets
                .entry((owner.clone(), r.record_type()))
                .or_default();
            if !seen.insert((owner.clone(), r.data.clone())) {
                continue;
            }
            set.push(r.clone());
            zone.order.push(r);
            let origin_labels = zone.zones[zi].origin.num_labels();
            let mut n: Name = owner.into();
            while n.num_labels() > origin_labels {
                if !zone.zones[zi].names.insert(LowerName::new(&n)) {
                    break;
                }
                n = n.base_name();
            }
        }
        Ok(zone)
    }

    /// The zones of a [`Cluster`] (forward zone plus both reverse zones).
    pub fn from_cluster(cluster: &Cluster) -> Zone {
        // Cluster records always carry one SOA per zone and in-zone owners.
        let mut zone = Zone::from_records(cluster.records())
            .unwrap_or_else(|e| panic!("the cluster model produced an invalid zone: {e}"));
        let apex = format!("{}.", cluster.domain);
        let lower = |s: &str| Name::from_ascii(s).ok().map(|n| LowerName::new(&n));
        let mut rules = Vec::new();
        rules.push((lower(&format!("dns.{apex}")), CoreDnsNx::Except(vec![])));
        rules.push((
            lower(&format!("dns-version.{apex}")),
            CoreDnsNx::Except(vec![RecordType::TXT]),
        ));
        rules.push((
            lower(&format!("ns.dns.{apex}")),
            CoreDnsNx::Only(vec![RecordType::TXT]),
        ));
        // R7.5: `_<proto>.<svc>.<ns>.svc.<zone>` exists in a zone file only as an empty
        // non-terminal; CoreDNS parses one extra label as an endpoint name → NXDOMAIN.
        let owners: HashSet<&LowerName> = zone.rrsets.keys().map(|(o, _)| o).collect();
        for z in &zone.zones {
            for n in &z.names {
                let first = n.iter().next().unwrap_or_default();
                if first.starts_with(b"_") && !owners.contains(n) {
                    rules.push((Some(n.clone()), CoreDnsNx::Except(vec![])));
                }
            }
        }
        zone.coredns_nx = rules
            .into_iter()
            .filter_map(|(n, r)| n.map(|n| (n, r)))
            .collect();
        zone
    }

    /// Parse RFC 1035 master-file text (see [`super::zonefile`]: `$ORIGIN`, `$TTL`, `@`,
    /// relative names, `\DDD`, comments, parentheses). The text may hold several zones,
    /// each with its own SOA, as [`Cluster::zone_text`] writes them.
    pub fn parse(text: &str) -> Result<Zone, ZoneError> {
        Zone::from_records(super::zonefile::parse_records(text)?)
    }

    /// The apexes served, in load order.
    pub fn origins(&self) -> Vec<Name> {
        self.zones.iter().map(|z| Name::from(&z.origin)).collect()
    }

    /// All records, in load order.
    pub fn records(&self) -> &[Record] {
        &self.order
    }

    fn zone_index(&self, name: &LowerName) -> Option<usize> {
        self.zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.origin.zone_of(name))
            .max_by_key(|(_, z)| z.origin.num_labels())
            .map(|(i, _)| i)
    }

    /// Records of one RRset (owner compared case-insensitively), as stored.
    pub fn rrset(&self, name: &Name, rtype: RecordType) -> &[Record] {
        self.rrsets
            .get(&(LowerName::new(name), rtype))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Answer `qname`/`qtype` like an authoritative server (see module docs).
    ///
    /// `ANY` gets NOERROR with an empty answer for an existing name, as CoreDNS answers
    /// (R17.1). A CNAME at the name is returned and followed inside the store (R16).
    pub fn lookup(&self, qname: &Name, qtype: RecordType, behaviour: &Behaviour) -> Lookup {
        let lower = LowerName::new(qname);
        let Some(zi) = self.zone_index(&lower) else {
            return Lookup::Refused;
        };
        let zone = &self.zones[zi];
        if behaviour.coredns_names {
            let nx = match self.coredns_nx.get(&lower) {
                Some(CoreDnsNx::Except(types)) => !types.contains(&qtype),
                Some(CoreDnsNx::Only(types)) => types.contains(&qtype),
                None => false,
            };
            if nx {
                return Lookup::NxDomain {
                    soa: zone.soa.clone(),
                };
            }
        }
        let echo = |r: &Record| {
            let mut r = r.clone();
            r.name = qname.clone();
            r
        };
        if qtype != RecordType::ANY {
            let direct = self.rrset(qname, qtype);
            if !direct.is_empty() {
                let answers: Vec<Record> = direct.iter().map(echo).collect();
                let additionals = self.additionals(&answers, behaviour);
                return Lookup::Answer {
                    answers,
                    additionals,
                };
            }
            let cname = self.rrset(qname, RecordType::CNAME);
            if !cname.is_empty() {
                let mut answers: Vec<Record> = cname.iter().map(echo).collect();
                let mut target = cname_target(&cname[0]);
                for _ in 0..8 {
                    let Some(t) = target else { break };
                    let rs = self.rrset(&t, qtype);
                    if !rs.is_empty() {
                        answers.extend(rs.iter().cloned());
                        break;
                    }
                    let next = self.rrset(&t, RecordType::CNAME);
                    answers.extend(next.iter().cloned());
                    target = next.first().and_then(cname_target);
                }
                return Lookup::Answer {
                    answers,
                    additionals: Vec::new(),
                };
            }
        }
        if zone.names.contains(&lower) {
            Lookup::NoData {
                soa: zone.soa.clone(),
            }
        } else {
            Lookup::NxDomain {
                soa: zone.soa.clone(),
            }
        }
    }

    /// A/AAAA of SRV targets and NS hosts found in the store, one per distinct record.
    fn additionals(&self, answers: &[Record], behaviour: &Behaviour) -> Vec<Record> {
        let srv_count = answers
            .iter()
            .filter(|r| r.record_type() == RecordType::SRV)
            .count();
        if let Some(limit) = behaviour.srv_glue_limit {
            if srv_count > limit {
                return Vec::new();
            }
        }
        let mut out = Vec::new();
        let mut seen: HashSet<LowerName> = HashSet::new();
        for r in answers {
            let target = match &r.data {
                RData::SRV(s) => &s.target,
                RData::NS(n) => &n.0,
                _ => continue,
            };
            if !seen.insert(LowerName::new(target)) {
                continue;
            }
            out.extend(self.rrset(target, RecordType::A).iter().cloned());
            out.extend(self.rrset(target, RecordType::AAAA).iter().cloned());
        }
        out
    }
}

fn cname_target(r: &Record) -> Option<Name> {
    match &r.data {
        RData::CNAME(c) => Some(c.0.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn nodata_nxdomain_refused() {
        let z = Zone::from_cluster(&Cluster::example());
        let b = Behaviour::default();
        assert!(matches!(
            z.lookup(&n("awx.svc.cluster.local."), RecordType::A, &b),
            Lookup::NoData { .. }
        ));
        assert!(matches!(
            z.lookup(
                &n("web-headless.awx.svc.cluster.local."),
                RecordType::AAAA,
                &b
            ),
            Lookup::NoData { .. }
        ));
        assert!(matches!(
            z.lookup(&n("nosuchns.svc.cluster.local."), RecordType::A, &b),
            Lookup::NxDomain { .. }
        ));
        assert!(matches!(
            z.lookup(&n("example.com."), RecordType::A, &b),
            Lookup::Refused
        ));
        match z.lookup(
            &n("WEB-1.web-headless.AWX.svc.cluster.local."),
            RecordType::A,
            &b,
        ) {
            Lookup::Answer { answers, .. } => {
                assert_eq!(answers.len(), 1);
                assert_eq!(
                    answers[0].name.to_ascii(),
                    "WEB-1.web-headless.AWX.svc.cluster.local."
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn srv_glue_and_bind_limit() {
        let z = Zone::from_cluster(&Cluster::example());
        let q = n("_postgres._tcp.db.awx.svc.cluster.local.");
        match z.lookup(&q, RecordType::SRV, &Behaviour::default()) {
            Lookup::Answer {
                answers,
                additionals,
            } => {
                assert_eq!(answers.len(), 2);
                assert_eq!(additionals.len(), 4);
            }
            other => panic!("{other:?}"),
        }
        let mut c = Cluster::new("cluster.local");
        c.services.push(super::super::cluster::Service::statefulset(
            "ns",
            "s",
            14,
            std::net::Ipv4Addr::new(10, 0, 0, 1),
            ("p", 1),
        ));
        let z = Zone::from_cluster(&c);
        match z.lookup(
            &n("_p._tcp.s.ns.svc.cluster.local."),
            RecordType::SRV,
            &Behaviour::bind(),
        ) {
            Lookup::Answer {
                answers,
                additionals,
            } => {
                assert_eq!(answers.len(), 14);
                assert!(additionals.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parse_round_trip() {
        let c = Cluster::example();
        let parsed = Zone::parse(&c.zone_text()).unwrap();
        let built = Zone::from_cluster(&c);
        let key = |z: &Zone| {
            let mut v: Vec<String> = z
                .records()
                .iter()
                .map(|r| r.to_string().to_lowercase())
                .collect();
            v.sort();
            v
        };
        assert_eq!(key(&parsed), key(&built));
        assert_eq!(parsed.origins().len(), 3);
    }

    #[test]
    fn garbage_zone_text_is_an_error() {
        assert!(Zone::parse("this is not a zone").is_err());
        assert!(Zone::parse("").is_err());
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    const TEXT: &str = r#"
$ORIGIN example.test.
$TTL 60
@   IN SOA ns.example.test. hostmaster.example.test. (
        7 3600 600 86400 60 ) ; multi-line with a comment
    IN NS  ns
ns  IN A   127.0.0.1
www 30 IN CNAME web.svc
web.svc IN A 127.0.0.2
web.svc IN AAAA ::1
_http._tcp.web.svc IN SRV 0 100 80 web.svc
txt IN TXT "a \"quoted\" \065 string" second
esc\097ped IN A 127.0.0.3
"#;

    #[test]
    fn parses_relative_names_ttl_parens_escapes_and_chases_cnames() {
        let z = Zone::parse(TEXT).unwrap();
        let b = Behaviour::default();
        let n = |s: &str| Name::from_ascii(s).unwrap();
        match z.lookup(&n("www.example.test."), RecordType::A, &b) {
            Lookup::Answer { answers, .. } => {
                assert_eq!(answers.len(), 2);
                assert_eq!(answers[0].record_type(), RecordType::CNAME);
                assert_eq!(answers[0].ttl, 30);
                assert_eq!(answers[1].ttl, 60);
            }
            other => panic!("{other:?}"),
        }
        match z.lookup(&n("_http._tcp.web.svc.example.test."), RecordType::SRV, &b) {
            Lookup::Answer { additionals, .. } => assert_eq!(additionals.len(), 2),
            other => panic!("{other:?}"),
        }
        match z.lookup(&n("txt.example.test."), RecordType::TXT, &b) {
            Lookup::Answer { answers, .. } => {
                let RData::TXT(t) = &answers[0].data else {
                    panic!()
                };
                assert_eq!(&*t.txt_data[0], b"a \"quoted\" A string");
                assert_eq!(&*t.txt_data[1], b"second");
            }
            other => panic!("{other:?}"),
        }
        // \DDD in names
        assert!(matches!(
            z.lookup(&n("escaped.example.test."), RecordType::A, &b),
            Lookup::Answer { .. }
        ));
        assert!(matches!(
            z.lookup(&n("_tcp.web.svc.example.test."), RecordType::A, &b),
            Lookup::NoData { .. }
        ));
        assert!(matches!(
            z.lookup(&n("nope.example.test."), RecordType::A, &b),
            Lookup::NxDomain { .. }
        ));
    }
}
