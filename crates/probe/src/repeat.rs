//! Pure helpers for `hsvc check --repeat` and `--min-healthy`.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::{Outcome, ProbeResult, Target};

/// The health-relevant part of one probe result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    /// Whether the probe was healthy.
    pub healthy: bool,
    /// Its outcome.
    pub outcome: Outcome,
}

impl From<&ProbeResult> for State {
    fn from(r: &ProbeResult) -> Self {
        State {
            healthy: r.healthy,
            outcome: r.outcome.clone(),
        }
    }
}

/// How a target's state moved between two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Present now, absent in the previous round (e.g. a new pod).
    Appeared,
    /// Present in the previous round, absent now.
    Disappeared,
    /// Unhealthy before, healthy now.
    Recovered,
    /// Healthy before, unhealthy now.
    Failed,
    /// Health unchanged but the outcome kind changed (e.g. `refused` → `timeout`).
    Changed,
}

/// One state change of one target between two rounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The target (from the newer round when present there).
    pub target: Target,
    /// Classification of the change.
    pub kind: ChangeKind,
    /// State in the previous round, `None` if the target was absent.
    pub before: Option<State>,
    /// State in this round, `None` if the target is gone.
    pub after: Option<State>,
}

/// Compares two rounds of results, keyed by target `(ip, port)`.
///
/// A present-in-both target is reported when its health or its outcome
/// [`kind`](Outcome::kind) differs (so `http 200` → `http 204` is no change,
/// `http 200` → `http 503` is [`ChangeKind::Failed`], `refused` → `timeout`
/// is [`ChangeKind::Changed`]). Targets only in `next` are
/// [`ChangeKind::Appeared`], only in `prev` [`ChangeKind::Disappeared`].
///
/// Order: changes for `next`'s targets in `next`'s order, then disappeared
/// targets in `prev`'s order. If an `(ip, port)` occurs more than once in a
/// round, the first occurrence is used and later ones are ignored.
pub fn state_changes(prev: &[ProbeResult], next: &[ProbeResult]) -> Vec<Change> {
    type Key = (IpAddr, u16);
    fn key(r: &ProbeResult) -> Key {
        (r.target.ip, r.target.port)
    }
    fn first_by_key(rs: &[ProbeResult]) -> HashMap<Key, &ProbeResult> {
        let mut m = HashMap::with_capacity(rs.len());
        for r in rs {
            m.entry(key(r)).or_insert(r);
        }
        m
    }
    let before = first_by_key(prev);
    let after = first_by_key(next);
    let mut changes = Vec::new();

    for r in next {
        if !std::ptr::eq(after[&key(r)], r) {
            continue; // duplicate key in `next`
        }
        let kind = match before.get(&key(r)) {
            None => ChangeKind::Appeared,
            Some(p) if p.healthy != r.healthy => {
                if r.healthy {
                    ChangeKind::Recovered
                } else {
                    ChangeKind::Failed
                }
            }
            Some(p) if p.outcome.kind() != r.outcome.kind() => ChangeKind::Changed,
            Some(_) => continue,
        };
        changes.push(Change {
            target: r.target.clone(),
            kind,
            before: before.get(&key(r)).map(|p| State::from(*p)),
            after: Some(State::from(r)),
        });
    }
    for p in prev {
        if std::ptr::eq(before[&key(p)], p) && !after.contains_key(&key(p)) {
            changes.push(Change {
                target: p.target.clone(),
                kind: ChangeKind::Disappeared,
                before: Some(State::from(p)),
                after: None,
            });
        }
    }
    changes
}

/// How many targets must be healthy for `check` to succeed: `N` (a count) or
/// `P%` (a percentage of the targets, up to two decimals, rounded up to
/// whole targets as Kubernetes does for `minAvailable`).
///
/// ```
/// use hsvc_probe::MinHealthy;
/// let m: MinHealthy = "50%".parse().unwrap();
/// assert_eq!(m.required(3), 2);
/// assert!(m.satisfied(2, 3) && !m.satisfied(1, 3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinHealthy {
    /// At least this many healthy targets.
    Count(usize),
    /// At least this share of the targets, in hundredths of a percent
    /// (`10000` = 100 %).
    Percent(u32),
}

impl MinHealthy {
    /// Every target must be healthy (`100%`), the default for `check`.
    pub const ALL: MinHealthy = MinHealthy::Percent(10_000);

    /// Healthy targets needed out of `total`. For a count this may exceed
    /// `total` (then it can never be satisfied).
    pub fn required(&self, total: usize) -> usize {
        match *self {
            MinHealthy::Count(n) => n,
            MinHealthy::Percent(hundredths) => {
                let need = (total as u128 * u128::from(hundredths)).div_ceil(10_000);
                need as usize
            }
        }
    }

    /// Whether `healthy` out of `total` meets the requirement. With
    /// `total == 0`, a percentage is vacuously met and a count only if it is 0;
    /// callers wanting "no pods" to fail must check that themselves.
    pub fn satisfied(&self, healthy: usize, total: usize) -> bool {
        healthy >= self.required(total)
    }
}

impl Default for MinHealthy {
    fn default() -> Self {
        MinHealthy::ALL
    }
}

/// Why a `--min-healthy` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHealthyParseError(String);

impl fmt::Display for MinHealthyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MinHealthyParseError {}

impl FromStr for MinHealthy {
    type Err = MinHealthyParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = |why: &str| MinHealthyParseError(format!("invalid min-healthy {s:?}: {why}"));
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        if let Some(p) = t.strip_suffix('%') {
            let (int, frac) = p.split_once('.').unwrap_or((p, ""));
            if !digits(int) || (p.contains('.') && !digits(frac)) {
                return Err(bad("expected N or P% (e.g. 3, 50%, 99.5%)"));
            }
            if frac.len() > 2 {
                return Err(bad("at most two decimals in a percentage"));
            }
            let int: u32 = int.parse().map_err(|_| bad("percentage too large"))?;
            let frac: u32 = format!("{frac:0<2}").parse().unwrap_or(0);
            let hundredths = int
                .checked_mul(100)
                .and_then(|v| v.checked_add(frac))
                .filter(|&v| v <= 10_000)
                .ok_or_else(|| bad("percentage above 100%"))?;
            Ok(MinHealthy::Percent(hundredths))
        } else if digits(t) {
            t.parse()
                .map(MinHealthy::Count)
                .map_err(|_| bad("count too large"))
        } else {
            Err(bad("expected N or P% (e.g. 3, 50%, 99.5%)"))
        }
    }
}

impl fmt::Display for MinHealthy {
    /// Canonical spelling that parses back: `3`, `50%`, `99.5%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MinHealthy::Count(n) => write!(f, "{n}"),
            MinHealthy::Percent(h) if h % 100 == 0 => write!(f, "{}%", h / 100),
            MinHealthy::Percent(h) if h % 10 == 0 => write!(f, "{}.{}%", h / 100, h % 100 / 10),
            MinHealthy::Percent(h) => write!(f, "{}.{:02}%", h / 100, h % 100),
        }
    }
}

impl Serialize for MinHealthy {
    /// Serialized as its canonical string, e.g. `"50%"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn r(last_octet: u8, port: u16, outcome: Outcome) -> ProbeResult {
        ProbeResult {
            target: Target::new(
                IpAddr::from([127, 0, 0, last_octet]),
                port,
                last_octet as usize,
            ),
            healthy: outcome.is_healthy(),
            outcome,
            latency: Duration::from_millis(1),
        }
    }

    fn http(status: u16) -> Outcome {
        Outcome::Http {
            status,
            ok: (200..300).contains(&status),
        }
    }

    fn kinds(cs: &[Change]) -> Vec<(u8, ChangeKind)> {
        cs.iter()
            .map(|c| match c.target.ip {
                IpAddr::V4(v4) => (v4.octets()[3], c.kind),
                IpAddr::V6(_) => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn identical_rounds_have_no_changes() {
        let a = vec![r(1, 80, http(200)), r(2, 80, Outcome::Refused)];
        assert!(state_changes(&a, &a).is_empty());
        assert!(state_changes(&[], &[]).is_empty());
    }

    #[test]
    fn classifies_changes() {
        let prev = vec![
            r(1, 80, http(200)),        // -> 503: failed
            r(2, 80, Outcome::Refused), // -> 200: recovered
            r(3, 80, http(200)),        // -> 204: same kind, same health: no change
            r(4, 80, Outcome::Refused), // -> timeout: changed
            r(5, 80, http(500)),        // -> 503: no change
            r(6, 80, http(200)),        // gone: disappeared
        ];
        let next = vec![
            r(7, 80, Outcome::Open), // new: appeared
            r(1, 80, http(503)),
            r(2, 80, http(200)),
            r(3, 80, http(204)),
            r(4, 80, Outcome::Timeout),
            r(5, 80, http(503)),
        ];
        let cs = state_changes(&prev, &next);
        assert_eq!(
            kinds(&cs),
            vec![
                (7, ChangeKind::Appeared),
                (1, ChangeKind::Failed),
                (2, ChangeKind::Recovered),
                (4, ChangeKind::Changed),
                (6, ChangeKind::Disappeared),
            ]
        );
        assert_eq!(cs[0].before, None);
        assert_eq!(cs[0].after.as_ref().unwrap().outcome, Outcome::Open);
        assert_eq!(cs[1].before.as_ref().unwrap().outcome, http(200));
        assert!(!cs[1].after.as_ref().unwrap().healthy);
        assert_eq!(cs[4].after, None);
    }

    #[test]
    fn keyed_by_ip_and_port_not_index_or_order() {
        let mut a = r(1, 80, http(200));
        a.target.index = 0;
        let mut b = r(1, 80, http(200));
        b.target.index = 9;
        b.target.host = Some("x".into());
        assert!(state_changes(
            &[a.clone(), r(2, 80, Outcome::Open)],
            &[r(2, 80, Outcome::Open), b]
        )
        .is_empty());
        // Same IP, another port: a different target.
        let cs = state_changes(&[a], &[r(1, 81, http(200))]);
        assert_eq!(
            kinds(&cs),
            vec![(1, ChangeKind::Appeared), (1, ChangeKind::Disappeared)]
        );
    }

    #[test]
    fn duplicates_use_first_occurrence() {
        let prev = vec![r(1, 80, http(200)), r(1, 80, http(503))];
        let next = vec![r(1, 80, http(200)), r(1, 80, Outcome::Refused)];
        assert!(state_changes(&prev, &next).is_empty());
    }

    #[test]
    fn min_healthy_parses() {
        let p = |s: &str| s.parse::<MinHealthy>();
        assert_eq!(p("3"), Ok(MinHealthy::Count(3)));
        assert_eq!(p(" 0 "), Ok(MinHealthy::Count(0)));
        assert_eq!(p("50%"), Ok(MinHealthy::Percent(5000)));
        assert_eq!(p("100%"), Ok(MinHealthy::ALL));
        assert_eq!(p("0%"), Ok(MinHealthy::Percent(0)));
        assert_eq!(p("99.5%"), Ok(MinHealthy::Percent(9950)));
        assert_eq!(p("33.33%"), Ok(MinHealthy::Percent(3333)));
        assert_eq!(p("100.00%"), Ok(MinHealthy::ALL));
        for bad in [
            "",
            "%",
            "-1",
            "1.5",
            "101%",
            "100.01%",
            "50.%",
            ".5%",
            "5.555%",
            "x",
            "50 %",
            "99999999999999999999999",
            "4294967296%",
        ] {
            assert!(p(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn min_healthy_display_round_trips() {
        for s in ["3", "0", "50%", "99.5%", "33.33%", "100%", "0%", "0.05%"] {
            let m: MinHealthy = s.parse().unwrap();
            assert_eq!(m.to_string(), s);
        }
        assert_eq!(
            serde_json::to_string(&MinHealthy::Percent(5000)).unwrap(),
            r#""50%""#
        );
    }

    #[test]
    fn min_healthy_satisfied() {
        let m = |s: &str| s.parse::<MinHealthy>().unwrap();
        assert!(m("2").satisfied(2, 5) && !m("2").satisfied(1, 5));
        assert!(!m("6").satisfied(5, 5)); // more than exist: never
        assert!(m("100%").satisfied(5, 5) && !m("100%").satisfied(4, 5));
        // Percentages round up to whole targets.
        assert_eq!(m("50%").required(3), 2);
        assert_eq!(m("50%").required(4), 2);
        assert_eq!(m("99.5%").required(1000), 995);
        assert_eq!(m("99.5%").required(10), 10);
        assert_eq!(m("0%").required(10), 0);
        assert_eq!(m("33.33%").required(3), 1);
        // Empty set: percent vacuous, count only if zero.
        assert!(m("100%").satisfied(0, 0));
        assert!(m("0").satisfied(0, 0) && !m("1").satisfied(0, 0));
        assert_eq!(MinHealthy::default(), MinHealthy::ALL);
        assert_eq!(MinHealthy::ALL.required(usize::MAX), usize::MAX);
    }
}
