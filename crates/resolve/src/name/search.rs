//! The search walk of a pod's resolver, replayed rule for rule from the
//! libc sources: how glibc 2.36 and musl (1.2.3, and ≥ 1.2.4) read
//! resolv.conf for it ([`LibcConf`]), which names they ask in which order
//! ([`SearchWalk`]), which questions go out for each name and how the
//! replies decide the next step and what `getaddrinfo()` returns
//! ([`Replay`]).
//!
//! Sources (file and function of each rule): glibc `resolv/res_init.c`
//! (`res_vinit_1`, `res_setoptions`), `resolv/resolv_conf.c`
//! (`update_from_conf`, `resolv_conf_matches`), `resolv/res_query.c`
//! (`__res_context_search`, `__res_context_querydomain`,
//! `__res_context_query`), `resolv/res_send.c` (`send_dg`),
//! `resolv/nss_dns/dns-host.c` (`_nss_dns_gethostbyname4_r`),
//! `sysdeps/posix/getaddrinfo.c`; musl `src/network/resolvconf.c`,
//! `lookup_name.c` (`name_from_dns_search`, `name_from_dns`),
//! `res_mkquery.c`, `res_msend.c`.
//!
//! Pure: no I/O, no clock, no environment (the caller passes its values).

use std::fmt;

use super::fqdn::{Fqdn, NameError};

/// Which libc's rules to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverRules {
    /// glibc 2.36 (Debian 12, and the glibc of most distroless images).
    Glibc,
    /// musl ≥ 1.2.4 (Alpine ≥ 3.18); checked against 1.2.5.
    Musl,
    /// musl 1.2.3 (Alpine 3.16 and 3.17).
    Musl123,
}

impl ResolverRules {
    /// The `--resolver` value: `glibc`, `musl`, `musl-1.2.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolverRules::Glibc => "glibc",
            ResolverRules::Musl => "musl",
            ResolverRules::Musl123 => "musl-1.2.3",
        }
    }

    /// The libc versions whose sources these rules follow.
    pub fn version(self) -> &'static str {
        match self {
            ResolverRules::Glibc => "glibc 2.36",
            ResolverRules::Musl => "musl 1.2.4-1.2.5",
            ResolverRules::Musl123 => "musl 1.2.3",
        }
    }

    /// musl (either version).
    pub fn is_musl(self) -> bool {
        self != ResolverRules::Glibc
    }
}

/// What glibc reads besides resolv.conf: `LOCALDOMAIN`, `RES_OPTIONS`
/// and the host name (whose domain is the search list when resolv.conf
/// has none). musl reads none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LibcEnv {
    /// `LOCALDOMAIN`: replaces the search list.
    pub localdomain: Option<String>,
    /// `RES_OPTIONS`: options applied after resolv.conf's.
    pub res_options: Option<String>,
    /// The host name (`gethostname`).
    pub hostname: Option<String>,
}

/// resolv.conf as the libc reads it for the search walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibcConf {
    /// Whose rules read it.
    pub rules: ResolverRules,
    /// The search list exactly as the libc holds it: any bytes but
    /// whitespace (`#`, `;`, a trailing `\r`, `.`), in order.
    pub search: Vec<String>,
    /// `options ndots:N`, capped at 15 (default 1).
    pub ndots: u8,
    /// glibc `options single-request` (or `single-request-reopen`): A and
    /// AAAA are asked one after the other, not in parallel.
    pub single_request: bool,
    /// glibc `options single-request-reopen`: the same, on a new socket.
    pub single_request_reopen: bool,
    /// glibc `options no-tld-query`: a name without dots is not asked as is.
    pub no_tld_query: bool,
    /// glibc `options no-aaaa`: only A is asked.
    pub no_aaaa: bool,
    /// glibc 2.36 aborts on this configuration before it sends anything.
    pub abort: Option<String>,
    /// How the file was read where a reader could expect otherwise.
    pub notes: Vec<String>,
}

impl LibcConf {
    /// Reads resolv.conf `text` as `rules` do; `env` only counts for glibc.
    pub fn read(text: &str, rules: ResolverRules, env: &LibcEnv) -> LibcConf {
        match rules {
            ResolverRules::Glibc => read_glibc(text, env),
            _ => read_musl(text, rules),
        }
    }
}

fn blank_conf(rules: ResolverRules) -> LibcConf {
    LibcConf {
        rules,
        search: Vec::new(),
        ndots: 1,
        single_request: false,
        single_request_reopen: false,
        no_tld_query: false,
        no_aaaa: false,
        abort: None,
        notes: Vec::new(),
    }
}

/// glibc's `MATCH (line, name)`: the keyword, then a space or a tab.
fn glibc_match<'a>(line: &'a str, kw: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(kw)?;
    rest.starts_with([' ', '\t']).then_some(rest)
}

/// glibc `res_vinit_1`.
fn read_glibc(text: &str, env: &LibcEnv) -> LibcConf {
    let mut c = blank_conf(ResolverRules::Glibc);
    let mut source = "resolv.conf";
    if let Some(ld) = &env.localdomain {
        // The first entry starts at the first character (it may be empty);
        // the rest are the words after each run of blanks; a newline ends
        // the value.
        let ld = ld.split('\n').next().unwrap_or("");
        let mut parts = ld.split([' ', '\t']);
        c.search.push(parts.next().unwrap_or("").to_string());
        c.search
            .extend(parts.filter(|p| !p.is_empty()).map(str::to_string));
        source = "LOCALDOMAIN";
        c.notes
            .push("LOCALDOMAIN replaces the search and domain lines of resolv.conf".into());
    }
    let mut last_search_line = None;
    for line in text.split_inclusive('\n') {
        if line.starts_with([';', '#']) {
            continue;
        }
        if let Some(rest) = glibc_match(line, "domain") {
            let rest = rest.trim_start_matches([' ', '\t']);
            if env.localdomain.is_some() || rest.is_empty() || rest.starts_with('\n') {
                continue;
            }
            let word = rest.split([' ', '\t', '\n']).next().unwrap_or("");
            c.search = vec![word.to_string()];
            last_search_line = Some(line);
        } else if let Some(rest) = glibc_match(line, "search") {
            let rest = rest.trim_start_matches([' ', '\t']);
            if env.localdomain.is_some() || rest.is_empty() || rest.starts_with('\n') {
                if env.localdomain.is_none() {
                    c.notes
                        .push("glibc ignores an empty search line (the list stays)".into());
                }
                continue;
            }
            let rest = rest.split('\n').next().unwrap_or("");
            c.search = rest
                .split([' ', '\t'])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            last_search_line = Some(line);
        } else if let Some(rest) = glibc_match(line, "options") {
            glibc_options(&mut c, rest);
        }
    }
    if let Some(line) = last_search_line {
        if line.contains(['#', ';']) {
            c.notes.push(
                "'#' and ';' start a comment only at the beginning of a line: \
                 the words after them are search domains"
                    .into(),
            );
        }
    }
    if c.search.is_empty() {
        if let Some(domain) = env.hostname.as_deref().and_then(|h| h.split_once('.')) {
            c.search.push(domain.1.to_string());
            source = "the host name";
            c.notes.push(format!(
                "no search list: glibc searches the domain of the host name, {}",
                domain.1
            ));
        }
    }
    if let Some(opts) = &env.res_options {
        glibc_options(&mut c, opts);
        c.notes.push("RES_OPTIONS applied after resolv.conf".into());
    }
    c.abort = glibc_abort(&c.search, source);
    c
}

/// glibc `res_setoptions`: blank-separated words, each matched by prefix.
fn glibc_options(c: &mut LibcConf, opts: &str) {
    for word in opts.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if let Some(n) = word.strip_prefix("ndots:") {
            // atoi, then `ndots` is a 4-bit field: values above 15 are
            // clamped, negative ones wrap.
            let i = atoi(n);
            c.ndots = if i <= 15 { (i as u32 & 0xf) as u8 } else { 15 };
        } else if word.starts_with("single-request-reopen") {
            c.single_request_reopen = true;
        } else if word.starts_with("single-request") {
            c.single_request = true;
        } else if word.starts_with("no_tld_query") || word.starts_with("no-tld-query") {
            c.no_tld_query = true;
        } else if word.starts_with("no-aaaa") {
            c.no_aaaa = true;
        }
    }
}

/// C `atoi`: leading white space, a sign, digits; anything else ends it.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = (v * 10 + i64::from(b - b'0')).min(i64::from(i32::MAX) + 1);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// glibc 2.36 copies the search list into `_res.defdname` (256 bytes, at
/// most 6 entries) and asserts that the copy matches the list; the check
/// compares the bytes copied so far with `sizeof (_res.dnsrch)` (56 on
/// 64-bit) instead of 256, so a list cut short by space after fewer than
/// 57 bytes fails the assertion and the process aborts.
fn glibc_abort(search: &[String], source: &str) -> Option<String> {
    let mut used = 0usize;
    for (i, entry) in search.iter().enumerate().take(6) {
        let need = entry.len() + 1;
        if used + need > 256 {
            if used <= 56 {
                return Some(format!(
                    "glibc 2.36 aborts: the search list from {source} does not fit the 256 bytes \
                     of _res.defdname at entry {} ({} characters) after only {used} bytes, and \
                     the assertion in resolv_conf.c (update_from_conf) fails; every lookup of \
                     the process dies before a query is sent",
                    i + 1,
                    entry.len()
                ));
            }
            return None;
        }
        used += need;
    }
    None
}

/// C `isspace` in the C locale.
fn c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// musl `__get_resolv_conf`.
fn read_musl(text: &str, rules: ResolverRules) -> LibcConf {
    let mut c = blank_conf(rules);
    let mut search = String::new();
    let mut had_list = false;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if body.len() >= 255 {
            // fgets into a 256-byte buffer: a line that does not fit is
            // skipped whole.
            let kind = body.split(c_space).next().unwrap_or("");
            c.notes.push(format!(
                "musl skips a line of {} characters ('{kind} …'): lines of 255 or more do not fit its buffer",
                body.len()
            ));
            continue;
        }
        let at = |i: usize| line[i..].chars().next().is_some_and(c_space);
        if line.starts_with("options") && at(7) {
            if let Some(p) = line.find("ndots:") {
                let digits: String = line[p + 6..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if !digits.is_empty() {
                    c.ndots = digits.parse::<u64>().map_or(15, |n| n.min(15) as u8);
                }
            }
        } else if (line.starts_with("domain") || line.starts_with("search")) && at(6) {
            // Everything after the keyword and its blanks, `domain` like
            // `search`.
            had_list |= !search.trim_matches(c_space).is_empty();
            search = line
                .get(7..)
                .unwrap_or("")
                .trim_start_matches(c_space)
                .to_string();
            if line.starts_with("domain")
                && search.split(c_space).filter(|w| !w.is_empty()).count() > 1
            {
                c.notes
                    .push("musl reads every word of a domain line, as of a search line".into());
            }
        }
    }
    if had_list && search.trim_matches(c_space).is_empty() {
        c.notes
            .push("an empty search line clears musl's search list".into());
    }
    if search.contains(['#', ';']) {
        c.notes.push(
            "'#' and ';' start no comment for musl: the words after them are search domains".into(),
        );
    }
    c.search = search
        .split(c_space)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    c
}

// ---------------------------------------------------------------- the walk

/// How a candidate is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandidateKind {
    /// Asked (A and AAAA, or as the options say).
    Query,
    /// glibc: cannot be encoded (over 253 characters, an empty label, a
    /// label over 63): the search list ends here and the name is asked as
    /// is. musl 1.2.3: the lookup fails (EAI_NONAME). musl ≥ 1.2.4: skipped.
    NotEncodable,
    /// musl: the name with the domain would exceed 255 characters; skipped
    /// without a word.
    Skipped,
    /// musl 1.2.3: a domain ending in a dot (`.`, `a.`) makes `NAME..`,
    /// which it encodes into a malformed question that no server answers:
    /// the lookup times out (EAI_AGAIN).
    Malformed,
}

/// One name a resolver would try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// As the libc composes it, with a trailing dot (`web.cluster.local.`,
    /// `web.` for the root, `web..` for musl 1.2.3's malformed name). Raw
    /// characters: escape before printing.
    pub text: String,
    /// The name sent, for [`CandidateKind::Query`].
    pub fqdn: Option<Fqdn>,
    /// The name as typed (not completed with a search domain).
    pub as_is: bool,
    /// Whether and how it is sent.
    pub kind: CandidateKind,
    /// glibc: a root entry (`.`) of the search list: the name is asked
    /// with nothing appended, and not again as is at the end.
    pub root: bool,
}

/// A replay of a pod resolver's search walk: the candidates in the order
/// the libc would ask them; whether it asks them is for [`Replay`].
#[derive(Clone, Debug)]
pub struct SearchWalk {
    /// The configuration as the libc read it.
    pub conf: LibcConf,
    /// `ndots` in force.
    pub ndots: u8,
    /// Dots in the name as typed, a trailing one excluded.
    pub dots: usize,
    /// The name ends with a dot: asked as is only.
    pub trailing_dot: bool,
    /// glibc: the name is asked as is before the search list.
    pub as_is_first: bool,
    /// In the libc's order. Under glibc the name as is is listed last
    /// also when it comes first; the replay asks it once.
    pub candidates: Vec<Candidate>,
    /// glibc refuses the name before any query (its first label starts
    /// with `-`: `res_hnok` in `_nss_dns_gethostbyname4_r`).
    pub refused_name: bool,
}

/// Splits a name on its dots: `None` for an empty label (`a..b`, a
/// leading dot); one trailing dot is allowed.
fn labels_of(text: &str) -> Option<Vec<String>> {
    let body = text.strip_suffix('.').unwrap_or(text);
    if body.is_empty() {
        return Some(Vec::new());
    }
    body.split('.')
        .map(|l| (!l.is_empty()).then(|| l.to_string()))
        .collect()
}

/// What glibc's `res_nmkquery` makes of a name (`ns_name_pton` into 255
/// octets): the labels, or `None`.
fn glibc_encode(text: &str) -> Option<Fqdn> {
    let labels = labels_of(text)?;
    let wire: usize = labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    (labels.iter().all(|l| l.len() <= 63) && wire <= 255).then(|| Fqdn::from_labels(labels))
}

/// A name's labels when every one is 1 to 63 characters.
fn strict_labels(body: &str) -> Option<Vec<String>> {
    if body.is_empty() {
        return None;
    }
    body.split('.')
        .map(|l| (!l.is_empty() && l.len() <= 63).then(|| l.to_string()))
        .collect()
}

/// musl `__res_mkquery`.
fn musl_encode(text: &str, rules: ResolverRules) -> Result<Fqdn, CandidateKind> {
    let b = text.as_bytes();
    let mut l = b.len().min(255);
    if l > 0 && b[l - 1] == b'.' {
        l -= 1;
    }
    if l > 0 && b[l - 1] == b'.' && rules == ResolverRules::Musl {
        return Err(CandidateKind::NotEncodable);
    }
    if l > 253 {
        return Err(CandidateKind::NotEncodable);
    }
    let body = &text[..l];
    if let Some(inner) = body.strip_suffix('.') {
        // 1.2.3: the labels are encoded up to the last dot, which stays in
        // the packet as a byte of its own.
        return match strict_labels(inner) {
            Some(_) => Err(CandidateKind::Malformed),
            None => Err(CandidateKind::NotEncodable),
        };
    }
    strict_labels(body)
        .map(Fqdn::from_labels)
        .ok_or(CandidateKind::NotEncodable)
}

fn dotted(text: String) -> String {
    if text.ends_with('.') {
        text
    } else {
        text + "."
    }
}

impl SearchWalk {
    /// Plans the walk of `input` (a name hsvc accepts) under `conf`.
    pub fn plan(input: &str, conf: &LibcConf) -> Result<SearchWalk, NameError> {
        let name = Fqdn::parse(input)?;
        let trailing_dot = input.ends_with('.') && input != ".";
        let bare = input.trim_end_matches('.');
        let dots = bare.matches('.').count();
        let ndots = conf.ndots.min(15);
        let as_is = Candidate {
            text: format!("{bare}."),
            fqdn: Some(name.clone()),
            as_is: true,
            kind: CandidateKind::Query,
            root: false,
        };
        let mut candidates = Vec::new();
        let as_is_first;
        if conf.rules == ResolverRules::Glibc {
            // __res_context_search: `dots` counts a trailing dot too.
            as_is_first = dots >= usize::from(ndots) || trailing_dot;
            if as_is_first {
                candidates.push(as_is.clone());
            }
            if !trailing_dot {
                for entry in &conf.search {
                    // A leading dot is dropped; what is left empty is the
                    // root: `name.`.
                    let d = entry.strip_prefix('.').unwrap_or(entry);
                    let (text, root) = if d.is_empty() {
                        (format!("{bare}."), true)
                    } else {
                        (format!("{bare}.{d}"), false)
                    };
                    let fqdn = glibc_encode(&text);
                    candidates.push(Candidate {
                        kind: if fqdn.is_some() {
                            CandidateKind::Query
                        } else {
                            CandidateKind::NotEncodable
                        },
                        text: dotted(text),
                        fqdn,
                        as_is: false,
                        root,
                    });
                }
                candidates.push(as_is);
            }
        } else {
            as_is_first = false;
            if dots < usize::from(ndots) && !trailing_dot {
                for entry in &conf.search {
                    let text = format!("{bare}.{entry}");
                    if text.len() > 255 {
                        candidates.push(Candidate {
                            text: dotted(text),
                            fqdn: None,
                            as_is: false,
                            kind: CandidateKind::Skipped,
                            root: false,
                        });
                        continue;
                    }
                    let (fqdn, kind) = match musl_encode(&text, conf.rules) {
                        Ok(f) => (Some(f), CandidateKind::Query),
                        Err(k) => (None, k),
                    };
                    candidates.push(Candidate {
                        text: dotted(text),
                        fqdn,
                        as_is: false,
                        kind,
                        root: false,
                    });
                }
            }
            candidates.push(as_is);
        }
        let refused_name = conf.rules == ResolverRules::Glibc && bare.starts_with('-');
        Ok(SearchWalk {
            conf: conf.clone(),
            ndots,
            dots,
            trailing_dot,
            as_is_first,
            candidates,
            refused_name,
        })
    }
}

// ---------------------------------------------------------------- replies

/// The reply to one question, as the walk judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// NOERROR with this many records in the answer section (> 0).
    Answer(usize),
    /// NOERROR, no answer.
    NoData,
    /// NXDOMAIN.
    NxDomain,
    /// SERVFAIL.
    ServFail,
    /// REFUSED.
    Refused,
    /// NOTIMP.
    NotImp,
    /// FORMERR.
    FormErr,
    /// Any other rcode.
    Rcode(u16),
    /// No reply in time.
    Timeout,
    /// The server port was closed (ICMP port unreachable).
    ConnRefused,
    /// A reply that could not be used (malformed, network error).
    Error,
}

impl Reply {
    /// The word the report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Reply::Answer(_) => "answer",
            Reply::NoData => "nodata",
            Reply::NxDomain => "nxdomain",
            Reply::ServFail => "servfail",
            Reply::Refused => "refused",
            Reply::NotImp | Reply::FormErr | Reply::Rcode(_) => "rcode",
            Reply::Timeout => "timeout",
            Reply::ConnRefused => "connection_refused",
            Reply::Error => "error",
        }
    }

    fn answers(self) -> usize {
        match self {
            Reply::Answer(n) => n,
            _ => 0,
        }
    }
}

/// How the questions of one candidate go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A and AAAA at once.
    Parallel,
    /// A, then AAAA only if [`Replay::asks_aaaa_after`] says so.
    Serial,
    /// A only (glibc `no-aaaa`).
    AOnly,
}

/// What `getaddrinfo()` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gai {
    /// Addresses.
    Ok,
    /// EAI_NONAME "Name or service not known".
    NoName,
    /// EAI_NODATA "No address associated with hostname".
    NoData,
    /// EAI_AGAIN "Temporary failure in name resolution".
    Again,
    /// The process aborts (glibc 2.36's assertion).
    Abort,
}

impl Gai {
    /// `ok` or the `EAI_` name; `abort`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gai::Ok => "ok",
            Gai::NoName => "EAI_NONAME",
            Gai::NoData => "EAI_NODATA",
            Gai::Again => "EAI_AGAIN",
            Gai::Abort => "abort",
        }
    }
}

/// What the libc does after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Then {
    /// The name resolved.
    Found,
    /// The next candidate.
    Next,
    /// glibc: the search list ends; the name is asked as is if it has not
    /// been.
    EndSearch,
    /// The lookup ends here.
    Stop,
}

impl Then {
    /// The word the report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Then::Found => "found",
            Then::Next => "next",
            Then::EndSearch => "end_search",
            Then::Stop => "stop",
        }
    }
}

/// One candidate as the replay judged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The candidate, an index into [`SearchWalk::candidates`].
    pub index: usize,
    /// The types asked, in order (`A`, `AAAA`); musl 1.2.3's malformed
    /// questions are listed though hsvc does not send them.
    pub asked: Vec<&'static str>,
    /// The reply to each type asked (not for a malformed question).
    pub replies: Vec<Reply>,
    /// `answer`, `nxdomain`, `nodata`, `servfail`, `refused`, `rcode`,
    /// `timeout`, `connection_refused`, `error`, `not_encodable`,
    /// `skipped`, `malformed_query`.
    pub result: &'static str,
    /// What the libc does next.
    pub then: Then,
}

/// glibc's `h_errno` after one `res_query`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Herrno {
    Found,
    HostNotFound,
    NoData,
    /// TRY_AGAIN, and whether the first reply buffer held SERVFAIL.
    TryAgain {
        servfail: bool,
    },
    NoRecovery,
}

/// Walks a [`SearchWalk`] as the libc would, fed one candidate's replies
/// at a time.
#[derive(Clone, Debug)]
pub struct Replay<'w> {
    walk: &'w SearchWalk,
    pos: usize,
    pending: Option<(usize, Ask)>,
    steps: Vec<Step>,
    outcome: Option<(Gai, Option<usize>)>,
    // glibc state: single-request mode (set by the options, or by glibc
    // itself after a lost reply; -reopen only changes the socket).
    single: bool,
    root_seen: bool,
    got_nodata: bool,
    got_servfail: bool,
    saved: Option<Herrno>,
    last: Herrno,
}

impl<'w> Replay<'w> {
    /// Starts the replay of `walk`.
    pub fn new(walk: &'w SearchWalk) -> Replay<'w> {
        let mut r = Replay {
            walk,
            pos: 0,
            pending: None,
            steps: Vec::new(),
            outcome: None,
            single: walk.conf.single_request || walk.conf.single_request_reopen,
            root_seen: false,
            got_nodata: false,
            got_servfail: false,
            saved: None,
            last: Herrno::HostNotFound,
        };
        if walk.conf.abort.is_some() {
            r.outcome = Some((Gai::Abort, None));
        } else if walk.refused_name {
            r.outcome = Some((Gai::NoName, None));
        }
        r
    }

    /// The next candidate to ask and how, or `None` when the walk is over.
    pub fn next_question(&mut self) -> Option<(usize, Ask)> {
        if let Some(p) = self.pending {
            return Some(p);
        }
        while self.outcome.is_none() {
            let i = self.pos;
            let Some(c) = self.walk.candidates.get(i) else {
                self.finish();
                break;
            };
            if self.walk.conf.rules == ResolverRules::Glibc {
                if c.as_is && i > 0 && (self.walk.as_is_first || self.root_seen) {
                    // Tried as is first, or the root was on the list.
                    self.finish();
                    break;
                }
                if c.as_is && i > 0 && self.walk.conf.no_tld_query && self.walk.dots == 0 {
                    let searched = self.walk.candidates.iter().any(|c| !c.as_is);
                    if searched {
                        self.finish();
                        break;
                    }
                }
                if c.root {
                    self.root_seen = true;
                }
                if c.kind == CandidateKind::NotEncodable {
                    self.pass(i, "not_encodable", Then::EndSearch);
                    self.last = Herrno::NoRecovery;
                    self.end_search();
                    continue;
                }
                let ask = if self.walk.conf.no_aaaa {
                    Ask::AOnly
                } else if self.single {
                    Ask::Serial
                } else {
                    Ask::Parallel
                };
                self.pending = Some((i, ask));
                return self.pending;
            }
            match c.kind {
                CandidateKind::Query => {
                    self.pending = Some((i, Ask::Parallel));
                    return self.pending;
                }
                CandidateKind::Skipped => {
                    self.pass(i, "skipped", Then::Next);
                    self.pos += 1;
                }
                CandidateKind::NotEncodable if self.walk.conf.rules == ResolverRules::Musl => {
                    self.pass(i, "skipped", Then::Next);
                    self.pos += 1;
                }
                CandidateKind::NotEncodable => {
                    self.pass(i, "not_encodable", Then::Stop);
                    self.outcome = Some((Gai::NoName, Some(i)));
                }
                CandidateKind::Malformed => {
                    self.steps.push(Step {
                        index: i,
                        asked: vec!["A", "AAAA"],
                        replies: Vec::new(),
                        result: "malformed_query",
                        then: Then::Stop,
                    });
                    self.outcome = Some((Gai::Again, Some(i)));
                }
            }
        }
        None
    }

    /// For [`Ask::Serial`]: whether AAAA is sent after A's reply (glibc
    /// sends it only once A was answered with anything but SERVFAIL,
    /// NOTIMP or REFUSED).
    pub fn asks_aaaa_after(&self, a: Reply) -> bool {
        glibc_good(a)
    }

    /// The replies to the pending candidate: A's, and AAAA's if it was
    /// asked.
    pub fn answer(&mut self, a: Reply, aaaa: Option<Reply>) {
        let (i, ask) = self.pending.take().expect("answer() after next_question()");
        let mut asked = vec!["A"];
        let mut replies = vec![a];
        if let Some(r) = aaaa {
            asked.push("AAAA");
            replies.push(r);
        }
        if self.walk.conf.rules.is_musl() {
            let (result, then) = musl_judge(a, aaaa.unwrap_or(Reply::Timeout));
            self.steps.push(Step {
                index: i,
                asked,
                replies,
                result,
                then,
            });
            match then {
                Then::Found => self.outcome = Some((Gai::Ok, Some(i))),
                Then::Stop => {
                    let gai = match result {
                        "nodata" if self.walk.conf.rules == ResolverRules::Musl123 => Gai::NoName,
                        "nodata" => Gai::NoData,
                        _ => Gai::Again,
                    };
                    self.outcome = Some((gai, Some(i)));
                }
                _ => {
                    self.pos += 1;
                    if self.pos >= self.walk.candidates.len() {
                        // The name as is was not found either.
                        self.outcome = Some((Gai::NoName, Some(i)));
                    }
                }
            }
            return;
        }
        let h = self.glibc_step(ask, a, aaaa);
        let c = &self.walk.candidates[i];
        let conn_refused = a == Reply::ConnRefused || aaaa == Some(Reply::ConnRefused);
        let result = match h {
            Herrno::Found => "answer",
            Herrno::HostNotFound => "nxdomain",
            Herrno::NoData => "nodata",
            Herrno::TryAgain { servfail: true } => "servfail",
            _ if conn_refused => "connection_refused",
            _ => replies
                .iter()
                .find(|r| !matches!(r, Reply::Answer(_) | Reply::NoData | Reply::NxDomain))
                .map_or("error", |r| r.as_str()),
        };
        let then;
        if h == Herrno::Found {
            then = Then::Found;
            self.outcome = Some((Gai::Ok, Some(i)));
        } else if c.as_is && i == 0 && self.walk.as_is_first {
            // As is before the search list (or with a trailing dot).
            self.saved = Some(h);
            self.last = h;
            if self.walk.trailing_dot {
                then = Then::Stop;
                self.outcome = Some((herrno_gai(h), Some(i)));
            } else {
                then = Then::Next;
                self.pos += 1;
            }
        } else if c.as_is {
            then = Then::Stop;
            self.last = h;
            self.pos += 1;
        } else if conn_refused {
            then = Then::Stop;
            self.outcome = Some((Gai::Again, Some(i)));
        } else {
            self.last = h;
            match h {
                Herrno::NoData => {
                    self.got_nodata = true;
                    then = Then::Next;
                    self.pos += 1;
                }
                Herrno::HostNotFound => {
                    then = Then::Next;
                    self.pos += 1;
                }
                Herrno::TryAgain { servfail: true } => {
                    self.got_servfail = true;
                    then = Then::Next;
                    self.pos += 1;
                }
                _ => {
                    then = Then::EndSearch;
                    self.end_search();
                }
            }
        }
        self.steps.push(Step {
            index: i,
            asked,
            replies,
            result,
            then,
        });
        if self.outcome.is_none() && then == Then::Stop {
            self.finish();
        }
    }

    /// glibc: skips the rest of the search list to the final as-is.
    fn end_search(&mut self) {
        self.pos = self.walk.candidates.len() - 1;
    }

    fn pass(&mut self, index: usize, result: &'static str, then: Then) {
        self.steps.push(Step {
            index,
            asked: Vec::new(),
            replies: Vec::new(),
            result,
            then,
        });
    }

    /// glibc: the end of `__res_context_search` without an answer.
    fn finish(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        let h = if let Some(s) = self.saved {
            s
        } else if self.got_nodata {
            Herrno::NoData
        } else if self.got_servfail {
            Herrno::TryAgain { servfail: true }
        } else {
            self.last
        };
        let deciding = self.steps.last().map(|s| s.index);
        self.outcome = Some((herrno_gai(h), deciding));
    }

    /// glibc `send_dg` and `__res_context_query` for one candidate.
    fn glibc_step(&mut self, ask: Ask, a: Reply, aaaa: Option<Reply>) -> Herrno {
        if a == Reply::ConnRefused || aaaa == Some(Reply::ConnRefused) {
            return Herrno::TryAgain { servfail: false };
        }
        let rc = |r: Reply| r == Reply::ServFail;
        match ask {
            Ask::AOnly => {
                if glibc_good(a) {
                    glibc_eval(a, a)
                } else {
                    Herrno::TryAgain { servfail: rc(a) }
                }
            }
            Ask::Serial => {
                if !glibc_good(a) {
                    // AAAA is never sent: the A reply was a failure, or
                    // none came.
                    return Herrno::TryAgain { servfail: rc(a) };
                }
                let b = aaaa.unwrap_or(Reply::Timeout);
                if glibc_good(b) {
                    glibc_eval(a, b)
                } else {
                    // AAAA failed or timed out (glibc retries, then gives
                    // up on it): A alone decides.
                    glibc_eval(a, a)
                }
            }
            Ask::Parallel => {
                let b = aaaa.unwrap_or(Reply::Timeout);
                let none = |r: Reply| matches!(r, Reply::Timeout | Reply::Error);
                match (glibc_good(a), glibc_good(b)) {
                    (true, true) => glibc_eval(a, b),
                    (true, false) if none(b) => {
                        // Timed out after one answer: glibc retries in
                        // single-request mode, then single-request-reopen,
                        // and keeps that mode for the rest of the lookup.
                        self.single = true;
                        glibc_eval(a, a)
                    }
                    (true, false) => glibc_eval(a, a),
                    (false, true) if none(a) => {
                        // AAAA answered, A did not: retried in
                        // single-request mode (kept), A times out again.
                        self.single = true;
                        Herrno::TryAgain { servfail: false }
                    }
                    (false, true) => glibc_eval(b, b),
                    // The first reply received (A's unless it never came)
                    // stays in the answer buffer whose rcode the search
                    // loop reads.
                    (false, false) if none(a) => Herrno::TryAgain { servfail: rc(b) },
                    (false, false) => Herrno::TryAgain { servfail: rc(a) },
                }
            }
        }
    }

    /// The steps so far, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// What `getaddrinfo()` returns, and the candidate it stopped on;
    /// `None` until the walk is over.
    pub fn outcome(&self) -> Option<(Gai, Option<usize>)> {
        self.outcome
    }
}

/// glibc `send_dg`: a reply it keeps (anything but SERVFAIL, NOTIMP,
/// REFUSED, and a reply at all).
fn glibc_good(r: Reply) -> bool {
    !matches!(
        r,
        Reply::ServFail
            | Reply::NotImp
            | Reply::Refused
            | Reply::Timeout
            | Reply::Error
            | Reply::ConnRefused
    )
}

/// glibc `__res_context_query`'s verdict on the kept replies.
fn glibc_eval(hp: Reply, hp2: Reply) -> Herrno {
    if hp.answers() > 0 || hp2.answers() > 0 {
        return Herrno::Found;
    }
    let noerror = |r: Reply| matches!(r, Reply::NoData | Reply::Answer(_));
    let code = if noerror(hp) { hp2 } else { hp };
    match code {
        Reply::NxDomain => Herrno::HostNotFound,
        Reply::ServFail => Herrno::TryAgain { servfail: true },
        Reply::NoData | Reply::Answer(_) => Herrno::NoData,
        _ => Herrno::NoRecovery,
    }
}

fn herrno_gai(h: Herrno) -> Gai {
    match h {
        Herrno::Found => Gai::Ok,
        Herrno::NoData => Gai::NoData,
        Herrno::TryAgain { .. } => Gai::Again,
        Herrno::HostNotFound | Herrno::NoRecovery => Gai::NoName,
    }
}

/// musl `name_from_dns`: A's reply is judged first, then AAAA's; only
/// NOERROR and NXDOMAIN are accepted replies (`res_msend` waits past
/// SERVFAIL, REFUSED and the rest until its timeout).
fn musl_judge(a: Reply, aaaa: Reply) -> (&'static str, Then) {
    for r in [a, aaaa] {
        match r {
            Reply::NxDomain => return ("nxdomain", Then::Next),
            Reply::Answer(_) | Reply::NoData => {}
            // Not accepted: to musl it is as if no reply came (EAI_AGAIN).
            _ => return (r.as_str(), Then::Stop),
        }
    }
    if a.answers() + aaaa.answers() > 0 {
        ("answer", Then::Found)
    } else {
        ("nodata", Then::Stop)
    }
}

impl fmt::Display for Gai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K8S: &str = "search awx.svc.cluster.local svc.cluster.local cluster.local\n\
                       nameserver 10.96.0.10\noptions ndots:5\n";

    fn glibc(text: &str) -> LibcConf {
        LibcConf::read(text, ResolverRules::Glibc, &LibcEnv::default())
    }

    fn musl(text: &str) -> LibcConf {
        LibcConf::read(text, ResolverRules::Musl, &LibcEnv::default())
    }

    fn musl123(text: &str) -> LibcConf {
        LibcConf::read(text, ResolverRules::Musl123, &LibcEnv::default())
    }

    fn names(w: &SearchWalk) -> Vec<&str> {
        w.candidates.iter().map(|c| c.text.as_str()).collect()
    }

    /// Replays `input` under `conf`, answering each question with
    /// `reply(candidate, type)`; returns the questions asked (`name type`,
    /// with `(malformed)` for musl 1.2.3's) and getaddrinfo's result.
    fn replay(
        conf: &LibcConf,
        input: &str,
        reply: impl Fn(&str, &str) -> Reply,
    ) -> (Vec<String>, &'static str, Option<String>) {
        let walk = SearchWalk::plan(input, conf).unwrap();
        let mut r = Replay::new(&walk);
        let mut asked = Vec::new();
        while let Some((i, ask)) = r.next_question() {
            let name = walk.candidates[i].text.as_str();
            asked.push(format!("{name} A"));
            let a = reply(name, "A");
            let aaaa = match ask {
                Ask::Parallel => Some(reply(name, "AAAA")),
                Ask::Serial if r.asks_aaaa_after(a) => Some(reply(name, "AAAA")),
                _ => None,
            };
            if aaaa.is_some() {
                asked.push(format!("{name} AAAA"));
            }
            r.answer(a, aaaa);
        }
        for s in r.steps() {
            if s.result == "malformed_query" {
                asked.push(format!("{} (malformed)", walk.candidates[s.index].text));
            }
        }
        let (gai, at) = r.outcome().expect("the walk ended");
        let found = (gai == Gai::Ok).then(|| walk.candidates[at.unwrap()].text.clone());
        (asked, gai.as_str(), found)
    }

    fn exists(target: &'static str) -> impl Fn(&str, &str) -> Reply {
        move |n, _| {
            if n == target {
                Reply::Answer(1)
            } else {
                Reply::NxDomain
            }
        }
    }

    // ------------------------------------------------------------ parsing

    #[test]
    fn a_pod_resolv_conf_reads_alike_in_both_libcs() {
        for c in [glibc(K8S), musl(K8S), musl123(K8S)] {
            assert_eq!(
                c.search,
                [
                    "awx.svc.cluster.local",
                    "svc.cluster.local",
                    "cluster.local"
                ]
            );
            assert_eq!(c.ndots, 5);
            assert_eq!(c.abort, None);
        }
    }

    #[test]
    fn hash_and_semicolon_in_a_line_are_search_domains() {
        let text = "search a.example b.example # set by kubelet\n";
        for c in [glibc(text), musl(text)] {
            assert_eq!(
                c.search,
                ["a.example", "b.example", "#", "set", "by", "kubelet"]
            );
        }
        let c = glibc("search a.example ; b.example\n");
        assert_eq!(c.search, ["a.example", ";", "b.example"]);
        // At the start of a line they are comments.
        let text = "search a.example\n# search x.example\n; search y.example\n";
        assert_eq!(glibc(text).search, ["a.example"]);
        assert_eq!(musl(text).search, ["a.example"]);
    }

    #[test]
    fn an_empty_search_line_is_ignored_by_glibc_and_clears_musl() {
        for empty in ["search\n", "search \n", "search\t\n"] {
            let text = format!("search a.example\n{empty}");
            assert_eq!(glibc(&text).search, ["a.example"], "{empty:?}");
            assert!(musl(&text).search.is_empty(), "{empty:?}");
        }
        // Without a newline after it, musl does not see a keyword either.
        assert_eq!(musl("search a.example\nsearch").search, ["a.example"]);
    }

    #[test]
    fn last_search_or_domain_wins_and_domain_takes_one_word_in_glibc() {
        let text = "search x.example\ndomain a.example\n";
        assert_eq!(glibc(text).search, ["a.example"]);
        assert_eq!(musl(text).search, ["a.example"]);
        let text = "domain a.example b.example\n";
        assert_eq!(glibc(text).search, ["a.example"]);
        assert_eq!(musl(text).search, ["a.example", "b.example"]);
        assert_eq!(glibc("domain\n").search, Vec::<String>::new());
    }

    #[test]
    fn keywords_start_the_line_and_blanks_differ() {
        let text = " search a.example\n";
        assert!(glibc(text).search.is_empty());
        assert!(musl(text).search.is_empty());
        let text = "search\ta.example\t\tb.example\n";
        assert_eq!(glibc(text).search, ["a.example", "b.example"]);
        assert_eq!(musl(text).search, ["a.example", "b.example"]);
        // glibc splits on blanks only: a CR stays in the last word.
        let text = "search a.example b.example\r\n";
        assert_eq!(glibc(text).search, ["a.example", "b.example\r"]);
        assert_eq!(musl(text).search, ["a.example", "b.example"]);
    }

    #[test]
    fn musl_skips_lines_of_255_characters_and_keeps_the_earlier_list() {
        let long = |len: usize| {
            let mut l = "search x.example ".to_string();
            l.push_str(&"y".repeat(len - l.len()));
            l
        };
        for (len, kept) in [(254, false), (255, true), (300, true)] {
            let text = format!("search a.example\n{}\n", long(len));
            let m = musl(&text);
            if kept {
                assert_eq!(m.search, ["a.example"], "{len}");
                assert_eq!(
                    m.notes,
                    [format!(
                        "musl skips a line of {len} characters ('search …'): lines of 255 or more do not fit its buffer"
                    )]
                );
            } else {
                assert_eq!(m.search.len(), 2, "{len}");
            }
            assert_eq!(glibc(&text).search.len(), 2, "glibc reads any length");
        }
        // Any kind of line: a long options line loses its ndots.
        let text = format!("options ndots:5 {}\n", "x".repeat(260));
        assert_eq!(musl(&text).ndots, 1);
        assert_eq!(glibc(&text).ndots, 5);
    }

    #[test]
    fn ndots_as_each_libc_reads_it() {
        for (opt, g, m) in [
            ("ndots:0", 0, 0),
            ("ndots:15", 15, 15),
            ("ndots:16", 15, 15),
            ("ndots:99", 15, 15),
            ("ndots:x", 0, 1),
            ("ndots:-1", 15, 1),
            ("ndots:2 ndots:5", 5, 2),
            ("xndots:3", 1, 3),
        ] {
            let text = format!("options {opt}\n");
            assert_eq!(glibc(&text).ndots, g, "glibc {opt}");
            assert_eq!(musl(&text).ndots, m, "musl {opt}");
        }
        assert_eq!(glibc("options ndots:3\noptions rotate\n").ndots, 3);
        assert_eq!(glibc("").ndots, 1);
    }

    #[test]
    fn glibc_options_match_by_prefix() {
        let c = glibc("options single-request\n");
        assert!(c.single_request && !c.single_request_reopen);
        let c = glibc("options single-request-reopen edns0 rotate\n");
        assert!(c.single_request_reopen && !c.single_request);
        let c = glibc("options no-tld-query no-aaaa\n");
        assert!(c.no_tld_query && c.no_aaaa);
        assert!(glibc("options no_tld_query\n").no_tld_query);
        let m = musl("options single-request no-aaaa\n");
        assert!(!m.single_request && !m.no_aaaa);
    }

    #[test]
    fn localdomain_and_res_options_are_glibcs_only() {
        let env = LibcEnv {
            localdomain: Some("corp.example  awx.svc.cluster.local".into()),
            res_options: Some("ndots:1 single-request".into()),
            hostname: None,
        };
        let g = LibcConf::read(K8S, ResolverRules::Glibc, &env);
        assert_eq!(g.search, ["corp.example", "awx.svc.cluster.local"]);
        assert_eq!(g.ndots, 1);
        assert!(g.single_request);
        let m = LibcConf::read(K8S, ResolverRules::Musl, &env);
        assert_eq!(m.search.len(), 3);
        assert_eq!(m.ndots, 5);
        // An empty LOCALDOMAIN is a list of one empty entry: the root.
        let env = LibcEnv {
            localdomain: Some(String::new()),
            ..LibcEnv::default()
        };
        assert_eq!(LibcConf::read(K8S, ResolverRules::Glibc, &env).search, [""]);
        let env = LibcEnv {
            localdomain: Some(" a.example".into()),
            ..LibcEnv::default()
        };
        assert_eq!(
            LibcConf::read(K8S, ResolverRules::Glibc, &env).search,
            ["", "a.example"]
        );
    }

    #[test]
    fn glibc_searches_the_host_names_domain_without_a_list() {
        let env = LibcEnv {
            hostname: Some("web-0.corp.example".into()),
            ..LibcEnv::default()
        };
        let g = LibcConf::read("options ndots:5\n", ResolverRules::Glibc, &env);
        assert_eq!(g.search, ["corp.example"]);
        let g = LibcConf::read(K8S, ResolverRules::Glibc, &env);
        assert_eq!(g.search.len(), 3);
        let env = LibcEnv {
            hostname: Some("web-0".into()),
            ..LibcEnv::default()
        };
        assert!(LibcConf::read("", ResolverRules::Glibc, &env)
            .search
            .is_empty());
        assert!(LibcConf::read("", ResolverRules::Musl, &env)
            .search
            .is_empty());
    }

    #[test]
    fn glibc_2_36_aborts_on_a_long_entry_after_short_ones() {
        let long = [
            "p".repeat(63),
            "q".repeat(63),
            "r".repeat(63),
            "s".repeat(63),
        ]
        .join(".");
        let g = glibc(&format!("search a.example b.example {long}\n"));
        assert_eq!(
            g.abort.as_deref(),
            Some(
                "glibc 2.36 aborts: the search list from resolv.conf does not fit the 256 bytes \
                 of _res.defdname at entry 3 (255 characters) after only 20 bytes, and the \
                 assertion in resolv_conf.c (update_from_conf) fails; every lookup of the \
                 process dies before a query is sent"
            )
        );
        let (asked, gai, _) = replay(&g, "web", exists("web.a.example."));
        assert!(asked.is_empty());
        assert_eq!(gai, "abort");
        // 57 bytes or more before the long entry: no abort.
        let g = glibc(&format!(
            "search awx.svc.cluster.local svc.cluster.local cluster.local corp.example {long}\n"
        ));
        assert_eq!(g.abort, None);
        // Six short entries fill the copy first: no abort either.
        let g = glibc(&format!("search a b c d e f {long}\n"));
        assert_eq!(g.abort, None);
        assert_eq!(musl(&format!("search a b {long}\n")).abort, None);
    }

    // ------------------------------------------------------------ walks

    #[test]
    fn short_name_under_ndots5() {
        for c in [glibc(K8S), musl(K8S), musl123(K8S)] {
            let w = SearchWalk::plan("web-headless", &c).unwrap();
            assert_eq!(
                names(&w),
                [
                    "web-headless.awx.svc.cluster.local.",
                    "web-headless.svc.cluster.local.",
                    "web-headless.cluster.local.",
                    "web-headless."
                ]
            );
            let (asked, gai, found) = replay(
                &c,
                "web-headless",
                exists("web-headless.awx.svc.cluster.local."),
            );
            assert_eq!(
                asked,
                [
                    "web-headless.awx.svc.cluster.local. A",
                    "web-headless.awx.svc.cluster.local. AAAA"
                ]
            );
            assert_eq!(
                (gai, found.as_deref()),
                ("ok", Some("web-headless.awx.svc.cluster.local."))
            );
        }
    }

    #[test]
    fn many_dots_glibc_asks_as_is_first_musl_only_as_is() {
        let input = "web-9.web.awx.svc.cluster.local";
        let (asked, gai, _) = replay(&glibc(K8S), input, |_, _| Reply::NxDomain);
        assert_eq!(asked.len(), 8);
        assert_eq!(asked[0], "web-9.web.awx.svc.cluster.local. A");
        assert_eq!(
            asked[7],
            "web-9.web.awx.svc.cluster.local.cluster.local. AAAA"
        );
        assert_eq!(gai, "EAI_NONAME");
        let (asked, gai, _) = replay(&musl(K8S), input, |_, _| Reply::NxDomain);
        assert_eq!(asked, [format!("{input}. A"), format!("{input}. AAAA")]);
        assert_eq!(gai, "EAI_NONAME");
    }

    #[test]
    fn nodata_and_servfail_glibc_go_on_musl_stops() {
        let sf = |n: &str, _: &str| {
            if n == "awx.awx.svc.cluster.local." {
                Reply::ServFail
            } else if n == "awx.svc.cluster.local." {
                Reply::NoData
            } else {
                Reply::NxDomain
            }
        };
        let (asked, gai, _) = replay(&glibc(K8S), "awx", sf);
        assert_eq!(asked.len(), 8);
        assert_eq!(gai, "EAI_NODATA", "glibc: a NODATA anywhere wins");
        let (asked, gai, _) = replay(&musl(K8S), "awx", sf);
        assert_eq!(asked.len(), 2);
        assert_eq!(gai, "EAI_AGAIN");
        let (_, gai, _) = replay(&musl(K8S), "awx", |n, _| {
            if n == "awx.awx.svc.cluster.local." {
                Reply::NoData
            } else {
                Reply::NxDomain
            }
        });
        assert_eq!(gai, "EAI_NODATA");
        let (_, gai, _) = replay(&musl123(K8S), "awx", |n, _| {
            if n == "awx.awx.svc.cluster.local." {
                Reply::NoData
            } else {
                Reply::NxDomain
            }
        });
        assert_eq!(gai, "EAI_NONAME", "musl 1.2.3 says EAI_NONAME for NODATA");
    }

    #[test]
    fn glibc_timeout_ends_the_search_but_asks_as_is() {
        let (asked, gai, _) = replay(&glibc(K8S), "web", |n, _| {
            if n == "web.awx.svc.cluster.local." {
                Reply::Timeout
            } else {
                Reply::NxDomain
            }
        });
        assert_eq!(
            asked,
            [
                "web.awx.svc.cluster.local. A",
                "web.awx.svc.cluster.local. AAAA",
                "web. A",
                "web. AAAA"
            ]
        );
        assert_eq!(gai, "EAI_NONAME");
    }

    #[test]
    fn trailing_dot_is_final() {
        for c in [glibc(K8S), musl(K8S)] {
            let w = SearchWalk::plan("web.", &c).unwrap();
            assert_eq!(names(&w), ["web."]);
        }
        let (asked, gai, _) = replay(&glibc(K8S), "web.", |_, _| Reply::ServFail);
        assert_eq!(asked, ["web. A", "web. AAAA"]);
        assert_eq!(gai, "EAI_AGAIN");
    }

    #[test]
    fn ndots_is_clamped_at_15() {
        let c = glibc("options ndots:99\n");
        let w = SearchWalk::plan("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o", &c).unwrap();
        assert_eq!(w.ndots, 15);
        assert!(!w.as_is_first);
        let w = SearchWalk::plan("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", &c).unwrap();
        assert!(w.as_is_first);
    }

    #[test]
    fn root_in_the_search_list() {
        let text = "search awx.svc.cluster.local .\noptions ndots:5\n";
        // glibc asks `web.` at the root's place and not again at the end.
        let (asked, gai, _) = replay(&glibc(text), "web", |_, _| Reply::NxDomain);
        assert_eq!(
            asked,
            [
                "web.awx.svc.cluster.local. A",
                "web.awx.svc.cluster.local. AAAA",
                "web. A",
                "web. AAAA"
            ]
        );
        assert_eq!(gai, "EAI_NONAME");
        // ... unless the search ended before the root was reached.
        let (asked, _, _) = replay(&glibc(text), "web", |n, _| {
            if n == "web.awx.svc.cluster.local." {
                Reply::Refused
            } else {
                Reply::NxDomain
            }
        });
        assert_eq!(asked[2..], ["web. A", "web. AAAA"]);
        // musl ≥ 1.2.4 skips it; the name is asked as is at the end.
        let (asked, _, _) = replay(&musl(text), "web", |_, _| Reply::NxDomain);
        assert_eq!(asked[2..], ["web. A", "web. AAAA"]);
        // musl 1.2.3 sends a malformed question, times out: EAI_AGAIN, even
        // for a Service that exists further down the list.
        let text = "search . awx.svc.cluster.local\noptions ndots:5\n";
        let (asked, gai, _) = replay(&musl123(text), "web", exists("web.awx.svc.cluster.local."));
        assert_eq!(asked, ["web.. (malformed)"]);
        assert_eq!(gai, "EAI_AGAIN");
        let (asked, gai, found) = replay(&musl(text), "web", exists("web.awx.svc.cluster.local."));
        assert_eq!(asked.len(), 2);
        assert_eq!(
            (gai, found.as_deref()),
            ("ok", Some("web.awx.svc.cluster.local."))
        );
        // A leading dot is dropped by glibc; musl cannot encode `web..a`.
        let text = "search .cluster.local\noptions ndots:5\n";
        let w = SearchWalk::plan("web", &glibc(text)).unwrap();
        assert_eq!(names(&w), ["web.cluster.local.", "web."]);
        let w = SearchWalk::plan("web", &musl123(text)).unwrap();
        assert_eq!(w.candidates[0].kind, CandidateKind::NotEncodable);
    }

    #[test]
    fn single_request_sends_no_aaaa_after_a_servfail() {
        let text = format!("{K8S}options single-request\n");
        let reply = |n: &str, t: &str| match (n, t) {
            ("web.awx.svc.cluster.local.", "A") => Reply::ServFail,
            ("web.svc.cluster.local.", _) => Reply::Answer(1),
            _ => Reply::NxDomain,
        };
        let (asked, gai, found) = replay(&glibc(&text), "web", reply);
        assert_eq!(
            asked,
            [
                "web.awx.svc.cluster.local. A",
                "web.svc.cluster.local. A",
                "web.svc.cluster.local. AAAA"
            ]
        );
        assert_eq!(
            (gai, found.as_deref()),
            ("ok", Some("web.svc.cluster.local."))
        );
        // In parallel (the default) both go out.
        let (asked, _, _) = replay(&glibc(K8S), "web", reply);
        assert_eq!(asked.len(), 4);
    }

    #[test]
    fn musl_judges_a_first() {
        let target = "web.svc.cluster.local.";
        let first = "web.awx.svc.cluster.local.";
        // A NXDOMAIN moves on, whatever AAAA said.
        let (asked, gai, _) = replay(&musl(K8S), "web", |n, t| {
            match (n == first, t, n == target) {
                (true, "A", _) => Reply::NxDomain,
                (true, _, _) => Reply::ServFail,
                (_, _, true) => Reply::Answer(1),
                _ => Reply::NxDomain,
            }
        });
        assert_eq!(asked.len(), 4);
        assert_eq!(gai, "ok");
        // AAAA SERVFAIL fails the lookup even with A answers.
        let (asked, gai, _) = replay(&musl(K8S), "web", |n, t| match (n == first, t) {
            (true, "A") => Reply::Answer(1),
            (true, _) => Reply::ServFail,
            _ => Reply::NxDomain,
        });
        assert_eq!(asked.len(), 2);
        assert_eq!(gai, "EAI_AGAIN");
        // AAAA NXDOMAIN moves on too, A answers dropped.
        let (asked, gai, found) = replay(&musl(K8S), "web", |n, t| match (n, t) {
            (n, "A") if n == first => Reply::Answer(1),
            (n, _) if n == target => Reply::Answer(1),
            _ => Reply::NxDomain,
        });
        assert_eq!(asked.len(), 4);
        assert_eq!((gai, found.as_deref()), ("ok", Some(target)));
    }

    #[test]
    fn glibc_a_nxdomain_and_aaaa_servfail_is_name_not_known() {
        let (asked, gai, _) = replay(&glibc(K8S), "web", |_, t| match t {
            "A" => Reply::NxDomain,
            _ => Reply::ServFail,
        });
        assert_eq!(asked.len(), 8);
        assert_eq!(gai, "EAI_NONAME");
        // Both SERVFAIL: the search goes on, the lookup ends EAI_AGAIN.
        let (asked, gai, _) = replay(&glibc(K8S), "web", |_, _| Reply::ServFail);
        assert_eq!(asked.len(), 8);
        assert_eq!(gai, "EAI_AGAIN");
    }

    #[test]
    fn candidates_over_253_characters() {
        let long = format!("{0}.{0}.{0}.{1}", "a".repeat(63), "c".repeat(40));
        assert_eq!(long.len(), 232);
        let target = format!("{long}.svc.cluster.local.");
        // glibc ends the search at the first (254 characters) and asks the
        // name as is.
        let reply = |n: &str, _: &str| {
            if n == target {
                Reply::Answer(1)
            } else {
                Reply::NxDomain
            }
        };
        let (asked, gai, _) = replay(&glibc(K8S), &long, reply);
        assert_eq!(asked, [format!("{long}. A"), format!("{long}. AAAA")]);
        assert_eq!(gai, "EAI_NONAME");
        // musl ≥ 1.2.4 skips it and goes on.
        let (asked, gai, _) = replay(&musl(K8S), &long, reply);
        assert_eq!(asked[0], format!("{target} A"));
        assert_eq!(gai, "ok");
        // musl 1.2.3 gives up on it: EAI_NONAME without a query.
        let (asked, gai, _) = replay(&musl123(K8S), &long, reply);
        assert!(asked.is_empty());
        assert_eq!(gai, "EAI_NONAME");
        // Over 255 with the domain: both musls skip it without a word.
        let longer = format!("{0}.{0}.{0}.{1}", "a".repeat(63), "c".repeat(43));
        let w = SearchWalk::plan(&longer, &musl123(K8S)).unwrap();
        assert_eq!(w.candidates[0].kind, CandidateKind::Skipped);
        assert_eq!(w.candidates[1].kind, CandidateKind::Query);
    }

    #[test]
    fn glibc_no_tld_query_and_no_aaaa() {
        let text = format!("{K8S}options no-tld-query no-aaaa\n");
        let (asked, _, _) = replay(&glibc(&text), "web", |_, _| Reply::NxDomain);
        assert_eq!(
            asked,
            [
                "web.awx.svc.cluster.local. A",
                "web.svc.cluster.local. A",
                "web.cluster.local. A"
            ]
        );
    }

    #[test]
    fn glibc_refuses_a_leading_dash_without_a_query() {
        let (asked, gai, _) = replay(&glibc(K8S), "-web", |_, _| Reply::Answer(1));
        assert!(asked.is_empty());
        assert_eq!(gai, "EAI_NONAME");
        let (asked, _, _) = replay(&musl(K8S), "-web", |_, _| Reply::Answer(1));
        assert_eq!(asked.len(), 2);
    }
}
