//! resolv.conf and server addresses: the only place that reads resolv.conf.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::name::{Fqdn, LibcConf, LibcEnv, ResolverRules};

/// The largest resolv.conf hsvc reads, in bytes.
pub const MAX_RESOLV_CONF: u64 = 64 * 1024;

/// What hsvc takes from a resolv.conf file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvConf {
    /// The file it was read from (empty when parsed from text).
    pub path: PathBuf,
    /// The file as read: a search walk reads it again under the rules of
    /// the libc it replays ([`crate::name::LibcConf`]).
    pub text: String,
    /// `nameserver` lines in order, port 53.
    pub nameservers: Vec<SocketAddr>,
    /// The search list as glibc reads it, the entries that are DNS names
    /// (for the namespace and cluster domain of short names).
    pub search: Vec<Fqdn>,
    /// `options ndots:N` as glibc reads it, clamped to 15; 1 by default.
    pub ndots: u8,
    /// Lines hsvc could not use, with the reason (reported with -v).
    pub warnings: Vec<String>,
}

impl ResolvConf {
    /// Reads and parses a resolv.conf file.
    ///
    /// Bounded: a file larger than [`MAX_RESOLV_CONF`] bytes is refused (a
    /// real one is a few hundred bytes; `/dev/zero` must not fill memory),
    /// and so is a FIFO or socket, whose open or read could block forever.
    /// Bytes that are not UTF-8 are read as U+FFFD.
    pub fn read(path: &Path) -> std::io::Result<ResolvConf> {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::metadata(path)?.file_type();
        if kind.is_fifo() || kind.is_socket() || kind.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_RESOLV_CONF + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_RESOLV_CONF {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("larger than {} KiB", MAX_RESOLV_CONF / 1024),
            ));
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut rc = ResolvConf::parse(&text);
        rc.path = path.to_path_buf();
        Ok(rc)
    }

    /// Parses resolv.conf text the way glibc reads it: `nameserver` lines
    /// in order; the search list and ndots as [`LibcConf`] reads them (the
    /// last `search`/`domain` line wins, `#` and `;` are comments only at
    /// the start of a line).
    pub fn parse(text: &str) -> ResolvConf {
        let mut rc = ResolvConf {
            text: text.to_string(),
            ..ResolvConf::default()
        };
        for raw in text.lines() {
            let mut words = raw.split([' ', '\t']).filter(|w| !w.is_empty());
            if words.next() != Some("nameserver") || !raw.starts_with("nameserver") {
                continue;
            }
            match words.next().map(parse_nameserver) {
                Some(Some(addr)) => rc.nameservers.push(addr),
                _ => rc
                    .warnings
                    .push(format!("unusable nameserver line: {}", raw.trim())),
            }
        }
        let conf = LibcConf::read(text, ResolverRules::Glibc, &LibcEnv::default());
        rc.ndots = conf.ndots;
        rc.search = conf
            .search
            .iter()
            .filter_map(|d| match Fqdn::parse(d) {
                Ok(f) => Some(f),
                Err(e) => {
                    rc.warnings
                        .push(format!("search domain {}: {e}", crate::escape::term(d)));
                    None
                }
            })
            .collect();
        rc
    }
}

/// A nameserver line's address: an IP, port 53. A zone suffix
/// (`fe80::1%eth0`) cannot be honoured and makes the line unusable.
fn parse_nameserver(word: &str) -> Option<SocketAddr> {
    word.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, 53))
}

/// Parses `--server`: `ip`, `ip:port`, `[v6]:port` or a bare IPv6 address.
pub fn parse_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if let Ok(ip) = inner.parse::<IpAddr>() {
            return Ok(SocketAddr::new(ip, 53));
        }
    }
    Err(format!(
        "'{}' is not a server address (use IP, IP:PORT or [IPv6]:PORT)",
        crate::escape::term(s)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_pod_resolv_conf() {
        let rc = ResolvConf::parse(
            "search awx.svc.cluster.local svc.cluster.local cluster.local\n\
             nameserver 10.96.0.10\n\
             options ndots:5 timeout:1 rotate\n",
        );
        assert_eq!(rc.nameservers, vec!["10.96.0.10:53".parse().unwrap()]);
        assert_eq!(rc.search.len(), 3);
        assert_eq!(rc.search[0].to_string(), "awx.svc.cluster.local.");
        assert_eq!(rc.ndots, 5);
        assert!(rc.warnings.is_empty());
    }

    #[test]
    fn last_search_or_domain_wins_and_comments_start_lines() {
        // `;` in the middle of a line is a search domain (not a name, so a
        // warning), and so is every word after it.
        let rc = ResolvConf::parse(
            "domain corp.example\n# comment\nsearch a.example b.example ; trailing\n\
             nameserver fd00::a\nnameserver fe80::1%eth0\noptions ndots:99\n",
        );
        assert_eq!(rc.search.len(), 3);
        assert_eq!(rc.search[2].to_string(), "trailing.");
        assert_eq!(rc.nameservers, vec!["[fd00::a]:53".parse().unwrap()]);
        assert_eq!(
            rc.warnings,
            [
                "unusable nameserver line: nameserver fe80::1%eth0",
                "search domain ;: character ';' in label ';' cannot be used: names take letters, digits, '-' and '_'"
            ]
        );
        assert_eq!(rc.ndots, 15);
        let rc = ResolvConf::parse("search a.example\ndomain corp.example\n");
        assert_eq!(rc.search, vec![Fqdn::parse("corp.example").unwrap()]);
        assert_eq!(ResolvConf::parse("").ndots, 1);
    }

    #[test]
    fn server_forms() {
        assert_eq!(
            parse_server("10.96.0.10").unwrap(),
            "10.96.0.10:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            parse_server("[::1]:5353").unwrap(),
            "[::1]:5353".parse().unwrap()
        );
        assert_eq!(
            parse_server("fd00::a").unwrap(),
            "[fd00::a]:53".parse().unwrap()
        );
        assert_eq!(
            parse_server("[fd00::a]").unwrap(),
            "[fd00::a]:53".parse().unwrap()
        );
        assert!(parse_server("kube-dns").is_err());
        assert!(parse_server("1.2.3.4:99999").is_err());
    }
}
