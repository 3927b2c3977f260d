//! `hsvc pick` output and its JSON schema (`hsvc.pick/v1`).
//!
//! Picks are written as they are made ([`PickWriter`]): arrow lines
//! (`key → ip:port hostname`) for a stream of keys in table mode, `ip:port`
//! lines in plain mode, one object per pick in JSONL; the table and the JSON
//! document are written at the end.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::{ErrorDoc, Format};
use hsvc_balance::selection::{Pool, Simulation, Slot};
use hsvc_resolve::dns::Transport;
use hsvc_resolve::escape::term;
use hsvc_resolve::lookup::Status;

pub const SCHEMA: &str = "hsvc.pick/v1";

/// What the picks were made from: the resolution and the policy inputs.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    /// The name as the user typed it.
    pub name: String,
    /// The absolute name queried.
    pub fqdn: String,
    /// `ok`, `nxdomain`, `nodata`, `error`.
    pub status: Status,
    /// `round-robin`, `weighted`, `random`, `hash`, `maglev`.
    pub policy: &'static str,
    /// `auto`, `ip`, `hostname`.
    pub identity: &'static str,
    /// `srv` or `flag` (`--weight`).
    pub weights: &'static str,
    /// Round-robin and weighted: the start position.
    pub offset: Option<u64>,
    /// Random, and the keys `--simulate` samples.
    pub seed: Option<u64>,
    /// Maglev table size.
    pub table_size: Option<u64>,
    /// Rcode of the main query.
    pub rcode: Option<String>,
    /// `ip:port` of the DNS server that answered, or the URL of the
    /// Kubernetes API server (`--source api`).
    pub server: Option<String>,
    /// `udp` or `tcp`; absent when the endpoints came from the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<Transport>,
    /// Smallest TTL of the endpoints, seconds.
    pub ttl: Option<u32>,
}

/// One member of the canonical set.
#[derive(Serialize)]
pub struct MemberDoc<'a> {
    /// The identity the pickers use (what the hash policies hash).
    pub id: Cow<'a, str>,
    /// The address printed (the lowest of `addresses`).
    pub ip: String,
    pub addresses: Vec<String>,
    pub hostname: Option<&'a str>,
    pub port: Option<u16>,
    /// `ip:port`, `[v6]:port`, or the IP without a port.
    pub address: String,
    /// Weight used by the pickers (after normalisation).
    pub weight: u32,
}

impl<'a> MemberDoc<'a> {
    fn new(s: &'a Slot) -> Self {
        MemberDoc {
            id: Cow::Borrowed(&s.id),
            ip: s.ip.to_string(),
            addresses: s.addresses.iter().map(ToString::to_string).collect(),
            hostname: s.hostname.as_deref(),
            port: s.port,
            address: s.address(),
            weight: s.weight,
        }
    }
}

fn members(pool: &Pool) -> Vec<MemberDoc<'_>> {
    pool.slots.iter().map(MemberDoc::new).collect()
}

/// One pick in the JSON document.
#[derive(Serialize, Clone, Debug)]
pub struct PickRecord {
    /// Request number, from 0.
    pub n: u64,
    /// The key (lossy UTF-8), or null for a sequence pick without key.
    pub key: Option<String>,
    pub id: String,
    pub ip: String,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub address: String,
}

/// Per-member figures of a simulation.
#[derive(Serialize)]
pub struct SimMember<'a> {
    pub id: &'a str,
    pub address: String,
    pub weight: u32,
    pub picks: u64,
    /// Observed share of the picks.
    pub share: f64,
    /// Fair share, weight / total weight.
    pub expected_share: f64,
    /// Fraction of keys that move if this member is removed (hash policies).
    pub moved_if_removed: Option<f64>,
}

/// The `simulation` object.
#[derive(Serialize)]
pub struct SimDoc<'a> {
    pub picks: u64,
    /// `sampled` (SplitMix64 keys from --seed), `given` (--key/--keys-from),
    /// or `requests` (sequence policies).
    pub keys: &'static str,
    pub members: Vec<SimMember<'a>>,
    /// Largest share / fair share (1.0 is perfect).
    pub max_over_mean: f64,
    pub min_over_mean: f64,
    /// Keys the movement figures were computed over.
    pub movement_keys: usize,
    /// Fraction of keys that move when one member of mean weight joins.
    pub moved_if_added: Option<f64>,
    /// The ideal of that figure: the newcomer's fair share.
    pub ideal_moved_if_added: Option<f64>,
    pub notes: &'a [String],
}

/// The document of `hsvc pick -o json`.
#[derive(Serialize)]
pub struct PickDoc<'a> {
    pub schema: &'static str,
    #[serde(flatten)]
    pub header: &'a Header,
    pub members: Vec<MemberDoc<'a>>,
    pub picks: &'a [PickRecord],
    pub simulation: Option<SimDoc<'a>>,
    pub warnings: &'a [String],
    pub error: Option<&'a ErrorDoc>,
}

/// A JSONL line: the set in use (first line, and after each change with --follow).
#[derive(Serialize)]
struct SetLine<'a> {
    schema: &'static str,
    event: &'static str,
    generation: u64,
    #[serde(flatten)]
    header: &'a Header,
    members: Vec<MemberDoc<'a>>,
}

/// A JSONL line: one pick (written by hand in [`PickWriter::pick`] for
/// speed; this struct is the reference the test compares against).
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Serialize)]
struct PickLine<'a> {
    schema: &'static str,
    event: &'static str,
    generation: u64,
    n: u64,
    key: Option<Cow<'a, str>>,
    id: &'a str,
    ip: &'a str,
    hostname: Option<&'a str>,
    port: Option<u16>,
    address: &'a str,
}

/// A JSONL line: the command failed before any pick.
#[derive(Serialize)]
pub struct ErrorLine<'a> {
    pub schema: &'static str,
    pub event: &'static str,
    #[serde(flatten)]
    pub header: &'a Header,
    pub error: Option<&'a ErrorDoc>,
}

struct Rendered {
    ip: String,
    address: String,
    /// ` → ip:port hostname\n`
    arrow: String,
    /// `ip:port\n`
    plain: String,
    /// The end of a JSONL pick line, from `,"id":` on (JSONL only).
    jsonl_tail: String,
}

/// The end of a [`PickLine`] after its `key`, serialised once per member.
#[derive(Serialize)]
struct PickTail<'a> {
    id: &'a str,
    ip: &'a str,
    hostname: Option<&'a str>,
    port: Option<u16>,
    address: &'a str,
}

/// A JSON value as the terminal-safe text [`super::write_json`] writes.
fn json_text<T: Serialize + ?Sized>(v: &T) -> io::Result<String> {
    serde_json::to_string(v)
        .map(hsvc_resolve::escape::json)
        .map_err(io::Error::other)
}

/// Writes picks as they are made.
pub struct PickWriter {
    format: Format,
    /// Arrow lines instead of a table (keys from a stream).
    streaming: bool,
    /// Flush after each line (a terminal, or --follow).
    flush: bool,
    generation: u64,
    rendered: Vec<Rendered>,
    ids: Vec<String>,
    hostnames: Vec<Option<String>>,
    ports: Vec<Option<u16>>,
    records: Vec<PickRecord>,
}

impl PickWriter {
    pub fn new(format: Format, streaming: bool, flush: bool) -> Self {
        PickWriter {
            format,
            streaming,
            flush,
            generation: 0,
            rendered: Vec::new(),
            ids: Vec::new(),
            hostnames: Vec::new(),
            ports: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Start with (or, with --follow, change to) `pool`.
    pub fn set(&mut self, w: &mut dyn Write, header: &Header, pool: &Pool) -> io::Result<()> {
        if !self.ids.is_empty() {
            self.generation += 1;
        }
        self.rendered = pool
            .slots
            .iter()
            .map(|s| {
                let address = s.address();
                let ip = s.ip.to_string();
                let jsonl_tail = if self.format == Format::Jsonl {
                    let tail = json_text(&PickTail {
                        id: &s.id,
                        ip: &ip,
                        hostname: s.hostname.as_deref(),
                        port: s.port,
                        address: &address,
                    })?;
                    // `{"id":…}` → `,"id":…}\n`
                    format!(",{}\n", &tail[1..])
                } else {
                    String::new()
                };
                Ok(Rendered {
                    arrow: format!(" → {address} {}\n", super::opt(&s.hostname)),
                    plain: format!("{address}\n"),
                    ip,
                    address,
                    jsonl_tail,
                })
            })
            .collect::<io::Result<_>>()?;
        self.ids = pool.slots.iter().map(|s| s.id.clone()).collect();
        self.hostnames = pool.slots.iter().map(|s| s.hostname.clone()).collect();
        self.ports = pool.slots.iter().map(|s| s.port).collect();
        if self.format == Format::Jsonl {
            let line = SetLine {
                schema: SCHEMA,
                event: "set",
                generation: self.generation,
                header,
                members: members(pool),
            };
            super::write_json(w, &line, false)?;
            self.maybe_flush(w)?;
        }
        Ok(())
    }

    /// Generation of the set in use (0, then +1 per change).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn maybe_flush(&self, w: &mut dyn Write) -> io::Result<()> {
        if self.flush {
            w.flush()
        } else {
            Ok(())
        }
    }

    /// Request `n` (with `key`, if any) went to member `index`.
    pub fn pick(
        &mut self,
        w: &mut dyn Write,
        n: u64,
        key: Option<&[u8]>,
        index: usize,
    ) -> io::Result<()> {
        let r = &self.rendered[index];
        match self.format {
            Format::Plain => w.write_all(r.plain.as_bytes())?,
            Format::Table | Format::Wide if self.streaming => {
                let k = key.map(String::from_utf8_lossy).unwrap_or_default();
                w.write_all(term(&k).as_bytes())?;
                w.write_all(r.arrow.as_bytes())?;
            }
            Format::Jsonl => {
                // The bytes of `PickLine` (see the test), with the member's
                // part rendered once per set rather than once per key.
                write!(
                    w,
                    "{{\"schema\":\"{SCHEMA}\",\"event\":\"pick\",\"generation\":{},\"n\":{n},\"key\":",
                    self.generation
                )?;
                match key {
                    // Printable ASCII without `"` or `\` is its own JSON string.
                    Some(k)
                        if k.iter()
                            .all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\') =>
                    {
                        w.write_all(b"\"")?;
                        w.write_all(k)?;
                        w.write_all(b"\"")?;
                    }
                    Some(k) => w.write_all(json_text(&String::from_utf8_lossy(k))?.as_bytes())?,
                    None => w.write_all(b"null")?,
                }
                w.write_all(r.jsonl_tail.as_bytes())?;
            }
            Format::Table | Format::Wide | Format::Json | Format::Yaml => {
                self.records.push(PickRecord {
                    n,
                    key: key.map(|k| String::from_utf8_lossy(k).into_owned()),
                    id: self.ids[index].clone(),
                    ip: r.ip.clone(),
                    hostname: self.hostnames[index].clone(),
                    port: self.ports[index],
                    address: r.address.clone(),
                })
            }
        }
        self.maybe_flush(w)
    }

    /// Writes what was collected: the table (with a summary line) or the
    /// JSON document.
    pub fn finish(
        self,
        w: &mut dyn Write,
        header: &Header,
        pool: &Pool,
        warnings: &[String],
    ) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Yaml => {
                let doc = PickDoc {
                    schema: SCHEMA,
                    header,
                    members: members(pool),
                    picks: &self.records,
                    simulation: None,
                    warnings,
                    error: None,
                };
                super::write_json(w, &doc, true)
            }
            Format::Table | Format::Wide if !self.streaming => {
                let keyed = self.records.iter().any(|r| r.key.is_some());
                let wide = self.format == Format::Wide;
                let mut t = match (keyed, wide) {
                    (true, false) => super::table(["KEY", "IP", "HOSTNAME", "PORT"]),
                    (false, false) => super::table(["#", "IP", "HOSTNAME", "PORT"]),
                    (true, true) => {
                        super::table(["KEY", "IP", "HOSTNAME", "PORT", "IDENTITY", "WEIGHT"])
                    }
                    (false, true) => {
                        super::table(["#", "IP", "HOSTNAME", "PORT", "IDENTITY", "WEIGHT"])
                    }
                };
                for r in &self.records {
                    let mut row = vec![
                        match &r.key {
                            Some(k) => term(k).into_owned(),
                            None => r.n.to_string(),
                        },
                        r.ip.clone(),
                        super::opt(&r.hostname),
                        r.port.map_or_else(|| "-".into(), |p| p.to_string()),
                    ];
                    if wide {
                        let weight = pool.set.index_of(&r.id).map_or(0, |i| pool.slots[i].weight);
                        row.push(term(&r.id).into_owned());
                        row.push(weight.to_string());
                    }
                    t.add_row(row);
                }
                super::write_table(w, &t)?;
                writeln!(w, "{}", summary(header, pool, self.records.len() as u64))
            }
            _ => Ok(()),
        }
    }
}

/// One line for people: what was picked from where.
pub fn summary(h: &Header, pool: &Pool, picks: u64) -> String {
    let n = pool.len();
    let mut s = format!(
        "{picks} pick{} · policy {} · {n} endpoint{} of {}",
        if picks == 1 { "" } else { "s" },
        h.policy,
        if n == 1 { "" } else { "s" },
        h.fqdn
    );
    match (&h.rcode, &h.server, h.transport) {
        (Some(rc), Some(server), Some(t)) => {
            s.push_str(&format!(" · {rc} from {server} over {}", t.as_str()))
        }
        (None, Some(server), None) => s.push_str(&format!(
            " · as CoreDNS should publish them, from the API at {server}"
        )),
        _ => {}
    }
    s
}

/// The document or line of a failure (status not ok, or no usable endpoint).
pub fn render_failure(
    w: &mut dyn Write,
    format: Format,
    header: &Header,
    warnings: &[String],
    error: Option<&ErrorDoc>,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Yaml => super::write_json(
            w,
            &PickDoc {
                schema: SCHEMA,
                header,
                members: Vec::new(),
                picks: &[],
                simulation: None,
                warnings,
                error,
            },
            true,
        ),
        Format::Jsonl => super::write_json(
            w,
            &ErrorLine {
                schema: SCHEMA,
                event: "error",
                header,
                error,
            },
            false,
        ),
        _ => Ok(()),
    }
}

fn percent(f: f64) -> String {
    format!("{:.2}%", f * 100.0)
}

/// A horizontal bar of `fraction` (0..=1) of `width` cells, in eighths.
pub fn bar(fraction: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = (fraction.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    s
}

/// Width of the bars of the simulation chart.
const BAR_WIDTH: usize = 40;

/// Renders `--simulate`.
pub fn render_simulation(
    w: &mut dyn Write,
    format: Format,
    header: &Header,
    pool: &Pool,
    sim: &Simulation,
    keys: &'static str,
    warnings: &[String],
) -> io::Result<()> {
    let ideal_add = sim.on_add.map(|_| {
        let n = pool.set.len() as f64;
        let mean = (pool.set.total_weight() as f64 / n).round().max(1.0);
        mean / (pool.set.total_weight() as f64 + mean)
    });
    let sim_members: Vec<SimMember<'_>> = pool
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| SimMember {
            id: &s.id,
            address: s.address(),
            weight: s.weight,
            picks: sim.counts[i],
            share: sim.stats.shares[i],
            expected_share: sim.stats.expected[i],
            moved_if_removed: sim.on_remove.as_ref().map(|m| m[i]),
        })
        .collect();
    match format {
        Format::Json | Format::Jsonl | Format::Yaml => {
            let doc = PickDoc {
                schema: SCHEMA,
                header,
                members: members(pool),
                picks: &[],
                simulation: Some(SimDoc {
                    picks: sim.picks,
                    keys,
                    members: sim_members,
                    max_over_mean: sim.stats.max_over_mean,
                    min_over_mean: sim.stats.min_over_mean,
                    movement_keys: sim.movement_keys,
                    moved_if_added: sim.on_add,
                    ideal_moved_if_added: ideal_add,
                    notes: &sim.notes,
                }),
                warnings,
                error: None,
            };
            super::write_json(w, &doc, format == Format::Json)
        }
        Format::Plain => {
            for m in &sim_members {
                writeln!(w, "{} {} {:.6}", m.address, m.picks, m.share)?;
            }
            Ok(())
        }
        Format::Table | Format::Wide => {
            let max_share = sim
                .stats
                .shares
                .iter()
                .copied()
                .fold(0.0f64, f64::max)
                .max(f64::MIN_POSITIVE);
            let removal = sim.on_remove.is_some();
            let mut headers = vec!["ENDPOINT", "ADDRESS", "WEIGHT", "PICKS", "SHARE", "FAIR"];
            if removal {
                headers.push("MOVED IF REMOVED");
            }
            headers.push("DISTRIBUTION");
            let mut t = super::table(headers);
            for m in &sim_members {
                let mut row = vec![
                    term(m.id).into_owned(),
                    m.address.clone(),
                    m.weight.to_string(),
                    m.picks.to_string(),
                    percent(m.share),
                    percent(m.expected_share),
                ];
                if let Some(f) = m.moved_if_removed {
                    row.push(percent(f));
                }
                row.push(bar(m.share / max_share, BAR_WIDTH));
                t.add_row(row);
            }
            super::write_table(w, &t)?;
            let what = match keys {
                "sampled" => format!("sampled keys (seed {})", header.seed.unwrap_or(0)),
                "given" => "given keys".to_string(),
                _ => "picks".to_string(),
            };
            writeln!(
                w,
                "{} {what} over {} endpoint{} · policy {} · max/mean {:.3} · min/mean {:.3}",
                sim.picks,
                pool.len(),
                if pool.len() == 1 { "" } else { "s" },
                header.policy,
                sim.stats.max_over_mean,
                sim.stats.min_over_mean,
            )?;
            if let Some(rm) = &sim.on_remove {
                let mean = rm.iter().sum::<f64>() / rm.len().max(1) as f64;
                let max = rm.iter().copied().fold(0.0f64, f64::max);
                writeln!(
                    w,
                    "removing one endpoint moves {} of {} keys on average, at most {} \
                     (ideal: its own share, {} on average)",
                    percent(mean),
                    sim.movement_keys,
                    percent(max),
                    percent(1.0 / pool.len() as f64),
                )?;
            }
            if let (Some(add), Some(ideal)) = (sim.on_add, ideal_add) {
                writeln!(
                    w,
                    "adding one endpoint moves {} of {} keys (ideal {})",
                    percent(add),
                    sim.movement_keys,
                    percent(ideal)
                )?;
            }
            for n in &sim.notes {
                writeln!(w, "note: {}", term(n))?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hsvc_balance::selection::{IdentityRule, PortChoice, WeightSource};
    use hsvc_resolve::endpoints::{EndpointSet, PortInfo};

    #[test]
    fn hand_written_jsonl_pick_lines_equal_the_serde_struct() {
        let mut e = hsvc_resolve::endpoints::Endpoint::new("fd00::1".parse().unwrap(), 5);
        e.hostname = Some("h\\027x\"q".into());
        e.ports = vec![PortInfo {
            port: 80,
            protocol: None,
            name: None,
            weight: 1,
            priority: 0,
        }];
        let bare = hsvc_resolve::endpoints::Endpoint::new("10.0.0.1".parse().unwrap(), 5);
        let pool = Pool::build(
            &EndpointSet::from_vec(vec![e, bare]),
            IdentityRule::Auto,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        let header = Header {
            name: "x".into(),
            fqdn: "x.".into(),
            status: Status::Ok,
            policy: "hash",
            identity: "auto",
            weights: "srv",
            offset: None,
            seed: None,
            table_size: None,
            rcode: None,
            server: None,
            transport: Some(Transport::Udp),
            ttl: None,
        };
        let mut w = PickWriter::new(Format::Jsonl, true, false);
        let mut out = Vec::new();
        w.set(&mut out, &header, &pool).unwrap();
        out.clear();
        let key: &[u8] = b"k\x1b\"\xff\n\xe2\x80\xae";
        let plain: &[u8] = b"user-42 ~x";
        for (n, i) in [(0u64, 0usize), (1, 1)] {
            w.pick(&mut out, n, Some(key), i).unwrap();
        }
        w.pick(&mut out, 2, None, 1).unwrap();
        w.pick(&mut out, 3, Some(plain), 0).unwrap();
        let mut want = Vec::new();
        for (n, i, k) in [
            (0u64, 0usize, Some(key)),
            (1, 1, Some(key)),
            (2, 1, None),
            (3, 0, Some(plain)),
        ] {
            let s = &pool.slots[i];
            let (ip, address) = (s.ip.to_string(), s.address());
            let line = PickLine {
                schema: SCHEMA,
                event: "pick",
                generation: 0,
                n,
                key: k.map(String::from_utf8_lossy),
                id: &s.id,
                ip: &ip,
                hostname: s.hostname.as_deref(),
                port: s.port,
                address: &address,
            };
            super::super::write_json(&mut want, &line, false).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    #[test]
    fn bars_use_eighths() {
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██");
        assert_eq!(bar(1.0 / 32.0, 4), "▏");
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(2.0, 2), "██");
    }
}
