//! The set of HTTP status codes an HTTP probe accepts as healthy (`--expect`).

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Acceptable HTTP status codes, parsed from a comma-separated list.
///
/// Each item is one of:
/// * a class `Nxx` (e.g. `2xx`, case-insensitive `x`), meaning `N00..=N99`;
/// * an exact code (e.g. `200`);
/// * an inclusive range `A-B` (e.g. `200-299`).
///
/// Codes must lie in `100..=999` (what HTTP/1.1 status lines can carry).
/// The default is `2xx`.
///
/// ```
/// use hsvc_probe::Expect;
/// let e: Expect = "2xx,301".parse().unwrap();
/// assert!(e.matches(204) && e.matches(301) && !e.matches(302));
/// assert_eq!(e.to_string(), "2xx,301");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect(Vec<Item>);

/// One comma-separated element of an [`Expect`], kept as written for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// `Nxx`, stored as the leading digit.
    Class(u8),
    /// A single code.
    Exact(u16),
    /// An inclusive range `lo-hi`.
    Range(u16, u16),
}

impl Item {
    fn matches(self, status: u16) -> bool {
        match self {
            Item::Class(c) => status / 100 == u16::from(c),
            Item::Exact(s) => status == s,
            Item::Range(lo, hi) => (lo..=hi).contains(&status),
        }
    }
}

impl Expect {
    /// Whether `status` is one of the accepted codes.
    pub fn matches(&self, status: u16) -> bool {
        self.0.iter().any(|i| i.matches(status))
    }
}

impl Default for Expect {
    /// `2xx`.
    fn default() -> Self {
        Expect(vec![Item::Class(2)])
    }
}

/// Why an `--expect` specification was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectParseError(String);

impl fmt::Display for ExpectParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExpectParseError {}

fn parse_code(s: &str, whole: &str) -> Result<u16, ExpectParseError> {
    let bad = || {
        ExpectParseError(format!(
            "invalid status code {s:?} in {whole:?} (expected 100..=999, a class like 2xx, or a range like 200-299)"
        ))
    };
    if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let code: u16 = s.parse().map_err(|_| bad())?;
    if !(100..=999).contains(&code) {
        return Err(bad());
    }
    Ok(code)
}

impl FromStr for Expect {
    type Err = ExpectParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        if spec.trim().is_empty() {
            return Err(ExpectParseError("empty status specification".into()));
        }
        let mut items = Vec::new();
        for raw in spec.split(',') {
            let item = raw.trim();
            if item.is_empty() {
                return Err(ExpectParseError(format!(
                    "empty item in status specification {spec:?}"
                )));
            }
            let b = item.as_bytes();
            let parsed = if b.len() == 3
                && (b'1'..=b'9').contains(&b[0])
                && b[1].eq_ignore_ascii_case(&b'x')
                && b[2].eq_ignore_ascii_case(&b'x')
            {
                Item::Class(b[0] - b'0')
            } else if let Some((lo, hi)) = item.split_once('-') {
                let (lo, hi) = (parse_code(lo.trim(), spec)?, parse_code(hi.trim(), spec)?);
                if lo > hi {
                    return Err(ExpectParseError(format!(
                        "empty status range {item:?} in {spec:?} (start is after end)"
                    )));
                }
                Item::Range(lo, hi)
            } else {
                Item::Exact(parse_code(item, spec)?)
            };
            items.push(parsed);
        }
        Ok(Expect(items))
    }
}

impl fmt::Display for Expect {
    /// The canonical spelling, which parses back to an equal value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, item) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(",")?;
            }
            match item {
                Item::Class(c) => write!(f, "{c}xx")?,
                Item::Exact(s) => write!(f, "{s}")?,
                Item::Range(lo, hi) => write!(f, "{lo}-{hi}")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Expect {
    /// Serialized as its canonical string, e.g. `"2xx,301"`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Expect {
        s.parse().unwrap_or_else(|err| panic!("{s:?}: {err}"))
    }

    #[test]
    fn default_is_2xx() {
        let d = Expect::default();
        assert_eq!(d, e("2xx"));
        assert!(d.matches(200) && d.matches(204) && d.matches(299));
        assert!(!d.matches(199) && !d.matches(300) && !d.matches(503));
    }

    #[test]
    fn lists_classes_and_ranges() {
        let x = e("200,204");
        assert!(x.matches(200) && x.matches(204) && !x.matches(201));
        let x = e("2xx,301");
        assert!(x.matches(250) && x.matches(301) && !x.matches(302));
        let x = e("200-299");
        assert!(x.matches(200) && x.matches(299) && !x.matches(300));
        let x = e(" 2XX , 404 , 500 - 502 ");
        assert!(x.matches(201) && x.matches(404) && x.matches(501) && !x.matches(503));
        assert_eq!(x.to_string(), "2xx,404,500-502");
        let x = e("200-200");
        assert!(x.matches(200) && !x.matches(201));
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "2xx",
            "200,204",
            "2xx,301",
            "200-299",
            "1xx,3xx,418,500-599",
        ] {
            assert_eq!(e(s).to_string(), s);
            assert_eq!(e(&e(s).to_string()), e(s));
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "", " ", ",", "200,", ",200", "2x", "2xxx", "0xx", "x2x", "abc", "99", "1000", "099",
            "+200", "299-200", "200-", "-200", "200-2xx", "20 0", "2xx;301",
        ] {
            assert!(s.parse::<Expect>().is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn serializes_as_string() {
        assert_eq!(
            serde_json::to_string(&e("2xx,301")).unwrap(),
            r#""2xx,301""#
        );
    }
}
