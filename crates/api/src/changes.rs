//! What changed between two API views of a Service, endpoint by endpoint:
//! the lines of `hsvc watch --source api`. Pure.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::model::{ApiEndpoint, Conditions, ServiceView};

/// How one address changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new address in the slices.
    Added,
    /// The address left every slice.
    Removed,
    /// Its conditions changed.
    Conditions,
}

/// One address that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EndpointChange {
    /// The address.
    pub ip: IpAddr,
    /// The pod, if a slice names one.
    pub pod: Option<String>,
    /// The hostname, if a slice gives one.
    pub hostname: Option<String>,
    /// What happened.
    pub kind: ChangeKind,
    /// Conditions before (absent when added).
    pub before: Option<Conditions>,
    /// Conditions after (absent when removed).
    pub after: Option<Conditions>,
    /// Whether CoreDNS published it before.
    pub was_published: bool,
    /// Whether CoreDNS publishes it now.
    pub published: bool,
}

/// The changes from `old` to `new`, sorted by address. Every address of the
/// first view counts as added.
pub fn changes(old: Option<&ServiceView>, new: &ServiceView) -> Vec<EndpointChange> {
    let index = |v: Option<&ServiceView>| -> BTreeMap<IpAddr, ApiEndpoint> {
        v.map(|v| v.endpoints.iter().map(|e| (e.ip, e.clone())).collect())
            .unwrap_or_default()
    };
    let (a, b) = (index(old), index(Some(new)));
    let mut out = Vec::new();
    for ip in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (x, y) = (a.get(ip), b.get(ip));
        let kind = match (x, y) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(x), Some(y)) if x.conditions != y.conditions || x.published != y.published => {
                ChangeKind::Conditions
            }
            _ => continue,
        };
        let any = y.or(x).expect("one side has the address");
        out.push(EndpointChange {
            ip: *ip,
            pod: any.pod.clone(),
            hostname: any.hostname.clone(),
            kind,
            before: x.map(|e| e.conditions),
            after: y.map(|e| e.conditions),
            was_published: x.is_some_and(|e| e.published),
            published: y.is_some_and(|e| e.published),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Origin, Slice, SliceEndpoint};

    fn view(eps: &[(&str, Option<bool>, bool)]) -> ServiceView {
        let endpoints = eps
            .iter()
            .map(|(ip, ready, terminating)| SliceEndpoint {
                addresses: vec![ip.to_string()],
                conditions: Conditions {
                    ready: *ready,
                    serving: *ready,
                    terminating: Some(*terminating),
                },
                hostname: None,
                pod: Some(format!("pod-{ip}")),
                target_kind: None,
                node: None,
                zone: None,
            })
            .collect();
        let slice = Slice {
            name: "s1".into(),
            address_type: "IPv4".into(),
            ports: vec![],
            endpoints,
        };
        ServiceView::new(
            "ns",
            "svc",
            None,
            Origin::EndpointSlice,
            vec![slice],
            vec![],
        )
    }

    #[test]
    fn added_removed_and_conditions() {
        let a = view(&[
            ("10.0.0.1", Some(true), false),
            ("10.0.0.2", Some(false), false),
        ]);
        let first = changes(None, &a);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|c| c.kind == ChangeKind::Added));
        assert!(first[0].published && !first[1].published);

        let b = view(&[("10.0.0.2", Some(true), false), ("10.0.0.3", None, false)]);
        let c = changes(Some(&a), &b);
        let kinds: Vec<(&str, &ChangeKind)> = c
            .iter()
            .map(|c| (c.pod.as_deref().unwrap(), &c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("pod-10.0.0.1", &ChangeKind::Removed),
                ("pod-10.0.0.2", &ChangeKind::Conditions),
                ("pod-10.0.0.3", &ChangeKind::Added),
            ]
        );
        assert!(!c[1].was_published && c[1].published);
        // nil ready is published (CoreDNS reads it as ready)
        assert!(c[2].published);
        assert!(changes(Some(&b), &b).is_empty());
    }
}
