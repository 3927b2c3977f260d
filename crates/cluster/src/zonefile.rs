//! A small RFC 1035 master-file parser for the record types cluster DNS uses
//! (SOA NS A AAAA SRV PTR TXT CNAME MX).
//!
//! hickory-proto 0.26.3 has a zone-file parser (`serialize::txt::Parser`), but its lexer
//! decodes `\DDD` as `(d1 << 16) + (d2 << 8) + d3` instead of a decimal octet and does not
//! accept escapes in unquoted names, so this one is used instead. Supported: `$ORIGIN`,
//! `$TTL`, `@`, relative names, omitted owner (leading blank), TTL and class in either
//! order, TTL units (`30`, `1h30m`), `( … )` continuation, `;` comments, quoted strings,
//! `\DDD` and `\X` escapes in names and strings. `$INCLUDE` is rejected.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record};

use super::zone::ZoneError;

#[derive(Debug, Clone)]
struct Token {
    raw: Vec<u8>,
    quoted: bool,
}

#[derive(Debug)]
struct Line {
    number: usize,
    /// The line started with a blank: the owner is the previous one.
    inherit_owner: bool,
    tokens: Vec<Token>,
}

fn err(line: usize, msg: impl std::fmt::Display) -> ZoneError {
    ZoneError(format!("line {line}: {msg}"))
}

/// Split text into logical lines of tokens (parentheses join physical lines).
fn lex(text: &str) -> Result<Vec<Line>, ZoneError> {
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut cur: Option<Line> = None;
    let mut depth = 0usize;
    let mut number = 1usize;
    let mut i = 0usize;
    let mut at_line_start = true;
    while i < b.len() {
        let c = b[i];
        if at_line_start && depth == 0 {
            at_line_start = false;
            if let Some(l) = cur.take() {
                if !l.tokens.is_empty() {
                    lines.push(l);
                }
            }
            cur = Some(Line {
                number,
                inherit_owner: c == b' ' || c == b'\t',
                tokens: Vec::new(),
            });
        }
        match c {
            b'\n' => {
                number += 1;
                at_line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| err(number, "unbalanced ')'"))?;
                i += 1;
            }
            b'"' => {
                i += 1;
                let mut raw = Vec::new();
                loop {
                    match b.get(i) {
                        None => return Err(err(number, "unterminated string")),
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') if i + 1 < b.len() => {
                            raw.extend_from_slice(&b[i..i + 2]);
                            i += 2;
                        }
                        Some(&ch) => {
                            if ch == b'\n' {
                                number += 1;
                            }
                            raw.push(ch);
                            i += 1;
                        }
                    }
                }
                if let Some(l) = cur.as_mut() {
                    l.tokens.push(Token { raw, quoted: true });
                }
            }
            _ => {
                let mut raw = Vec::new();
                while i < b.len()
                    && !matches!(
                        b[i],
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"'
                    )
                {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        raw.extend_from_slice(&b[i..i + 2]);
                        i += 2;
                    } else {
                        raw.push(b[i]);
                        i += 1;
                    }
                }
                if let Some(l) = cur.as_mut() {
                    l.tokens.push(Token { raw, quoted: false });
                }
            }
        }
    }
    if depth != 0 {
        return Err(err(number, "unbalanced '('"));
    }
    if let Some(l) = cur.take() {
        if !l.tokens.is_empty() {
            lines.push(l);
        }
    }
    Ok(lines)
}

/// Decode `\DDD` (decimal) and `\X` escapes. With `split_dots`, unescaped dots separate
/// labels; the result then holds one entry per label.
fn unescape(raw: &[u8], split_dots: bool, line: usize) -> Result<Vec<Vec<u8>>, ZoneError> {
    let mut parts = Vec::new();
    let mut cur = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == b'\\' {
            let rest = &raw[i + 1..];
            if rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) {
                let v = u32::from(rest[0] - b'0') * 100
                    + u32::from(rest[1] - b'0') * 10
                    + u32::from(rest[2] - b'0');
                let v = u8::try_from(v).map_err(|_| err(line, format!("escape \\{v} > 255")))?;
                cur.push(v);
                i += 4;
            } else if let Some(&x) = rest.first() {
                cur.push(x);
                i += 2;
            } else {
                return Err(err(line, "dangling backslash"));
            }
        } else if c == b'.' && split_dots {
            parts.push(std::mem::take(&mut cur));
            i += 1;
        } else {
            cur.push(c);
            i += 1;
        }
    }
    parts.push(cur);
    Ok(parts)
}

fn parse_name(tok: &Token, origin: Option<&Name>, line: usize) -> Result<Name, ZoneError> {
    if tok.raw == b"@" {
        return origin
            .cloned()
            .ok_or_else(|| err(line, "'@' without $ORIGIN"));
    }
    if tok.raw == b"." {
        return Ok(Name::root());
    }
    let mut labels = unescape(&tok.raw, true, line)?;
    let absolute = labels.last().is_some_and(Vec::is_empty);
    if absolute {
        labels.pop();
    }
    if labels.iter().any(Vec::is_empty) {
        return Err(err(
            line,
            format!("empty label in {}", String::from_utf8_lossy(&tok.raw)),
        ));
    }
    let name = Name::from_labels(labels).map_err(|e| err(line, e))?;
    if absolute {
        return Ok(name);
    }
    let origin = origin.ok_or_else(|| err(line, "relative name without $ORIGIN"))?;
    name.append_name(origin).map_err(|e| err(line, e))
}

/// `30`, `1h`, `1h30m`, `2w` → seconds.
fn parse_ttl(s: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(s).ok()?;
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(v) = s.parse::<u32>() {
        return Some(v);
    }
    let mut total: u64 = 0;
    let mut num: u64 = 0;
    let mut have = false;
    for ch in s.chars() {
        if let Some(d) = ch.to_digit(10) {
            num = num.checked_mul(10)?.checked_add(u64::from(d))?;
            have = true;
        } else {
            let mult = match ch.to_ascii_lowercase() {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604_800,
                _ => return None,
            };
            if !have {
                return None;
            }
            total = total.checked_add(num.checked_mul(mult)?)?;
            num = 0;
            have = false;
        }
    }
    if have {
        return None; // trailing number without unit after a unit
    }
    u32::try_from(total).ok()
}

fn text(tok: &Token) -> String {
    String::from_utf8_lossy(&tok.raw).into_owned()
}

fn num<T: std::str::FromStr>(tok: Option<&Token>, line: usize, what: &str) -> Result<T, ZoneError> {
    let tok = tok.ok_or_else(|| err(line, format!("missing {what}")))?;
    text(tok)
        .parse()
        .map_err(|_| err(line, format!("bad {what}: {}", text(tok))))
}

fn ttl_field(tok: Option<&Token>, line: usize, what: &str) -> Result<u32, ZoneError> {
    let tok = tok.ok_or_else(|| err(line, format!("missing {what}")))?;
    parse_ttl(&tok.raw).ok_or_else(|| err(line, format!("bad {what}: {}", text(tok))))
}

/// Parse master-file text into records (any number of zones).
pub fn parse_records(input: &str) -> Result<Vec<Record>, ZoneError> {
    let mut origin: Option<Name> = None;
    let mut default_ttl: Option<u32> = None;
    let mut last_ttl: Option<u32> = None;
    let mut last_owner: Option<Name> = None;
    let mut out = Vec::new();
    for line in lex(input)? {
        let n = line.number;
        let toks = &line.tokens;
        let first = &toks[0];
        if !first.quoted && first.raw.first() == Some(&b'$') {
            let dir = text(first).to_ascii_uppercase();
            match dir.as_str() {
                "$ORIGIN" => {
                    let t = toks.get(1).ok_or_else(|| err(n, "$ORIGIN needs a name"))?;
                    origin = Some(parse_name(t, origin.as_ref(), n)?);
                }
                "$TTL" => default_ttl = Some(ttl_field(toks.get(1), n, "$TTL")?),
                _ => return Err(err(n, format!("unsupported directive {dir}"))),
            }
            continue;
        }
        let mut idx = 0;
        let owner = if line.inherit_owner {
            last_owner
                .clone()
                .ok_or_else(|| err(n, "no previous owner"))?
        } else {
            idx = 1;
            parse_name(first, origin.as_ref(), n)?
        };
        let mut ttl = None;
        while let Some(t) = toks.get(idx) {
            if t.raw.eq_ignore_ascii_case(b"IN") && !t.quoted {
                idx += 1;
            } else if let (None, Some(v)) = (ttl, parse_ttl(&t.raw)) {
                ttl = Some(v);
                idx += 1;
            } else {
                break;
            }
        }
        let rtype = toks
            .get(idx)
            .map(text)
            .ok_or_else(|| err(n, "missing type"))?
            .to_ascii_uppercase();
        let rd: Vec<&Token> = toks[idx + 1..].iter().collect();
        let arg = |i: usize| rd.get(i).copied();
        let name_arg = |i: usize| -> Result<Name, ZoneError> {
            parse_name(
                arg(i).ok_or_else(|| err(n, "missing name"))?,
                origin.as_ref(),
                n,
            )
        };
        let data = match rtype.as_str() {
            "A" => RData::A(A(num::<Ipv4Addr>(arg(0), n, "IPv4 address")?)),
            "AAAA" => RData::AAAA(AAAA(num::<Ipv6Addr>(arg(0), n, "IPv6 address")?)),
            "NS" => RData::NS(NS(name_arg(0)?)),
            "CNAME" => RData::CNAME(CNAME(name_arg(0)?)),
            "PTR" => RData::PTR(PTR(name_arg(0)?)),
            "MX" => RData::MX(MX::new(num(arg(0), n, "preference")?, name_arg(1)?)),
            "SRV" => RData::SRV(SRV::new(
                num(arg(0), n, "priority")?,
                num(arg(1), n, "weight")?,
                num(arg(2), n, "port")?,
                name_arg(3)?,
            )),
            "SOA" => RData::SOA(SOA::new(
                name_arg(0)?,
                name_arg(1)?,
                num(arg(2), n, "serial")?,
                ttl_field(arg(3), n, "refresh")? as i32,
                ttl_field(arg(4), n, "retry")? as i32,
                ttl_field(arg(5), n, "expire")? as i32,
                ttl_field(arg(6), n, "minimum")?,
            )),
            "TXT" => {
                if rd.is_empty() {
                    return Err(err(n, "TXT without strings"));
                }
                let mut strings = Vec::new();
                for t in &rd {
                    let bytes = unescape(&t.raw, false, n)?.concat();
                    strings.push(bytes);
                }
                RData::TXT(TXT::from_bytes(strings.iter().map(Vec::as_slice).collect()))
            }
            other => return Err(err(n, format!("unsupported record type {other}"))),
        };
        let ttl = ttl
            .or(default_ttl)
            .or(last_ttl)
            .ok_or_else(|| err(n, "no TTL and no $TTL"))?;
        last_ttl = Some(ttl);
        last_owner = Some(owner.clone());
        out.push(Record::from_rdata(owner, ttl, data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_units() {
        let recs = parse_records(
            "$ORIGIN t.\n$TTL 1h30m\na\\046b IN TXT \"x\\065\\\"y\" z\n  7 IN A 127.0.0.1 ; c\n",
        )
        .unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].ttl, 5400);
        assert_eq!(
            recs[0].name.num_labels(),
            2,
            "escaped dot stays in the label"
        );
        let RData::TXT(t) = &recs[0].data else {
            panic!()
        };
        assert_eq!(&*t.txt_data[0], b"xA\"y");
        assert_eq!(&*t.txt_data[1], b"z");
        assert_eq!(recs[1].ttl, 7);
        assert_eq!(recs[1].name, recs[0].name);
    }

    #[test]
    fn errors_not_panics() {
        for bad in [
            "a IN A 1.2.3.4",               // relative without origin
            "$ORIGIN t.\n$TTL 5\na IN A x", // bad address
            "$ORIGIN t.\n$TTL 5\na IN ( A", // unbalanced
            "$ORIGIN t.\n a IN A 1.2.3.4",  // no previous owner
            "$ORIGIN t.\n$TTL 5\na IN TXT \"open",
            "$ORIGIN t.\n$TTL 5\na IN HINFO x y",
            "$ORIGIN t.\n$TTL 5\na\\999 IN A 1.2.3.4",
            "$INCLUDE /etc/passwd",
            "$ORIGIN t.\n$TTL 5\na..b IN A 1.2.3.4",
            "$ORIGIN t.\n$TTL 5\na IN SOA x",
        ] {
            assert!(parse_records(bad).is_err(), "{bad:?}");
        }
    }
}
