//! Which of a Service's endpoints a client should use, from their
//! EndpointSlice conditions (the API source; DNS has only what CoreDNS
//! publishes). Pure.

/// The conditions of one slice endpoint; `None` is "unknown", which
/// Kubernetes says to read as true (`ready`, `serving`) or false
/// (`terminating`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Conditions {
    /// `ready`.
    pub ready: Option<bool>,
    /// `serving`.
    pub serving: Option<bool>,
    /// `terminating`.
    pub terminating: Option<bool>,
}

/// The selection policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Selection {
    /// What cluster DNS publishes: endpoints whose `ready` is true or unset
    /// (CoreDNS's rule; `publishNotReadyAddresses` makes the controller
    /// write `ready: true` for every pod). The default, and all a DNS
    /// client can ever see.
    #[default]
    DnsPublished,
    /// What kube-proxy does for a Service's traffic: the ready endpoints;
    /// when there is none, those that are serving and terminating (so that
    /// a rolling restart of every pod does not drop traffic), marked
    /// not [`crate::Endpoint::ready`].
    KubeProxyFallback,
}

impl Selection {
    /// For each endpoint, whether to use it and whether it counts as ready:
    /// `Some(true)` ready, `Some(false)` used as a fallback, `None` not used.
    pub fn select(self, endpoints: &[Conditions]) -> Vec<Option<bool>> {
        let ready: Vec<bool> = endpoints.iter().map(|c| c.ready.unwrap_or(true)).collect();
        let fallback = self == Selection::KubeProxyFallback && !ready.iter().any(|r| *r);
        endpoints
            .iter()
            .zip(ready)
            .map(|(c, r)| {
                if r {
                    Some(true)
                } else if fallback && c.serving.unwrap_or(true) && c.terminating.unwrap_or(false) {
                    Some(false)
                } else {
                    None
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const READY: Conditions = Conditions {
        ready: Some(true),
        serving: Some(true),
        terminating: Some(false),
    };
    const NOT_READY: Conditions = Conditions {
        ready: Some(false),
        serving: Some(false),
        terminating: Some(false),
    };
    const DRAINING: Conditions = Conditions {
        ready: Some(false),
        serving: Some(true),
        terminating: Some(true),
    };
    const DYING: Conditions = Conditions {
        ready: Some(false),
        serving: Some(false),
        terminating: Some(true),
    };

    #[test]
    fn dns_published_is_ready_or_unknown_only() {
        let s = Selection::DnsPublished;
        assert_eq!(
            s.select(&[READY, NOT_READY, DRAINING, Conditions::default()]),
            [Some(true), None, None, Some(true)]
        );
        assert_eq!(s.select(&[DRAINING, DYING]), [None, None], "no fallback");
    }

    #[test]
    fn kube_proxy_falls_back_to_serving_terminating_only_when_none_is_ready() {
        let s = Selection::KubeProxyFallback;
        assert_eq!(
            s.select(&[READY, DRAINING, NOT_READY]),
            [Some(true), None, None]
        );
        assert_eq!(
            s.select(&[DRAINING, DYING, NOT_READY]),
            [Some(false), None, None]
        );
        assert_eq!(s.select(&[]), Vec::<Option<bool>>::new());
    }
}
