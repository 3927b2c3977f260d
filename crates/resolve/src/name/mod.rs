//! The Kubernetes name model: what a user types, what it means in cluster
//! DNS, and how a pod's resolver would walk its search list to find it.
//!
//! Pure: no I/O, no clock. See docs/cluster-dns.md §3 (names) and §5 (search).

mod fqdn;
mod search;
mod target;

pub use fqdn::{Fqdn, NameError};
pub use search::{
    Ask, Candidate, CandidateKind, Gai, LibcConf, LibcEnv, Replay, Reply, ResolverRules,
    SearchWalk, Step, Then,
};
pub use target::{dashed_ip, reverse_name, Context, Kind, Meaning, NsSource, Target};

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
            assert_eq!(t.kind(), Kind::Service, "{input}");
            assert_eq!(
                t.fqdn.to_string(),
                "web-headless.awx.svc.cluster.local.",
                "{input}"
            );
            assert_eq!(t.namespace(), Some("awx"));
            assert_eq!(t.service(), Some("web-headless"));
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
        assert_eq!(t.kind(), Kind::Endpoint);
        assert!(matches!(&t.meaning, Meaning::Endpoint { endpoint, .. } if endpoint == "web-0"));
        assert_eq!(
            t.fqdn.to_string(),
            "web-0.web-headless.awx.svc.cluster.local."
        );

        let t = Target::parse("_nginx-web-headless._tcp.web-headless.awx", &c).unwrap();
        assert_eq!(t.kind(), Kind::Srv);
        assert!(
            matches!(&t.meaning, Meaning::Srv { port_name, protocol, .. }
            if port_name == "nginx-web-headless" && protocol == "tcp")
        );
        assert_eq!(
            t.fqdn.to_string(),
            "_nginx-web-headless._tcp.web-headless.awx.svc.cluster.local."
        );

        let t = Target::parse("_http._tcp.web", &c).unwrap();
        assert_eq!(t.kind(), Kind::Srv);
        assert_eq!(
            t.fqdn.to_string(),
            "_http._tcp.web.default.svc.cluster.local."
        );

        let t = Target::parse("_postgres._tcp.db.awx.svc.cluster.local.", &c).unwrap();
        assert_eq!(t.kind(), Kind::Srv);
        assert_eq!(t.service(), Some("db"));
    }

    #[test]
    fn reverse_forms() {
        let c = ctx(None);
        let t = Target::parse("10.244.217.13", &c).unwrap();
        assert_eq!(t.kind(), Kind::Reverse);
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
        assert_eq!(t.kind(), Kind::Other);
        assert_eq!(t.fqdn.to_string(), "example.com.");
        // A namespace name is not a Service.
        let t = Target::parse("awx.svc.cluster.local", &c).unwrap();
        assert_eq!(t.kind(), Kind::Other);
    }

    #[test]
    fn custom_cluster_domain() {
        let zone = fq("k8s.internal");
        let c = Context::new(None, Some(&zone), &[]);
        let t = Target::parse("web.prod", &c).unwrap();
        assert_eq!(t.fqdn.to_string(), "web.prod.svc.k8s.internal.");
        let t = Target::parse("web.prod.svc.k8s.internal", &c).unwrap();
        assert_eq!(t.kind(), Kind::Service);
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
}
