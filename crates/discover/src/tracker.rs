//! From one view of the Service to the next: the [`Change`]s, and the
//! keep-last-good rule. Pure (no clock, no I/O): both sources feed it.
//!
//! A failed resolution never reaches the tracker (the sources keep the set
//! and only report the failure), so a transient error can produce no
//! remove/add. An empty answer that is not an error (the Service has no
//! ready pod, or is gone) is applied or ignored as [`OnEmpty`] says.

use std::collections::BTreeMap;

use crate::endpoint::{Change, Endpoint, Key};

/// What an answer without any endpoint does to the set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OnEmpty {
    /// Keep the last non-empty set, as client-side balancers do (and
    /// `hsvc pick --follow`): something to try beats nothing. The default.
    #[default]
    KeepLast,
    /// Remove every endpoint: the set is always exactly what the source says.
    Apply,
}

/// The current set and the rule for empty answers.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    current: BTreeMap<Key, Endpoint>,
    on_empty: OnEmpty,
}

/// Merges entries with the same key (a dual-stack pod: one A and one AAAA
/// record, or one address per family in the slices): addresses and ports
/// are united, sorted (IPv4 first), the key's fields taken from the first.
pub fn merge(entries: Vec<(Key, Endpoint)>) -> BTreeMap<Key, Endpoint> {
    let mut out: BTreeMap<Key, Endpoint> = BTreeMap::new();
    for (k, e) in entries {
        match out.get_mut(&k) {
            Some(have) => {
                have.addresses.extend(e.addresses);
                have.ports.extend(e.ports);
                have.port = have.port.or(e.port);
                have.ready |= e.ready;
            }
            None => {
                out.insert(k, e);
            }
        }
    }
    for e in out.values_mut() {
        e.addresses.sort();
        e.addresses.dedup();
        e.ports.sort();
        e.ports.dedup();
    }
    out
}

impl Tracker {
    /// An empty tracker.
    pub fn new(on_empty: OnEmpty) -> Tracker {
        Tracker {
            current: BTreeMap::new(),
            on_empty,
        }
    }

    /// The set in use.
    pub fn current(&self) -> &BTreeMap<Key, Endpoint> {
        &self.current
    }

    /// Takes a successful answer's endpoints and returns what changed:
    /// removals, then changes, then additions, each in key order.
    pub fn apply(&mut self, entries: Vec<(Key, Endpoint)>) -> Vec<Change> {
        let next = merge(entries);
        if next.is_empty() && self.on_empty == OnEmpty::KeepLast {
            return Vec::new();
        }
        let mut changes = Vec::new();
        for k in self.current.keys() {
            if !next.contains_key(k) {
                changes.push(Change::Removed(k.clone()));
            }
        }
        let mut added = Vec::new();
        for (k, e) in &next {
            match self.current.get_key_value(k) {
                Some((old_k, old_e)) if old_e == e && old_k.same_fields(k) => {}
                Some(_) => changes.push(Change::Changed(k.clone(), e.clone())),
                None => added.push(Change::Added(k.clone(), e.clone())),
            }
        }
        changes.extend(added);
        self.current = next;
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(ip: &str, port: u16) -> Endpoint {
        Endpoint {
            addresses: vec![ip.parse().unwrap()],
            port: Some(port),
            ports: vec![crate::Port { name: None, port }],
            weight: 1,
            ready: true,
        }
    }

    fn view(pods: &[(&str, &str)]) -> Vec<(Key, Endpoint)> {
        pods.iter()
            .map(|(id, ip)| (Key::new(*id), ep(ip, 80)))
            .collect()
    }

    fn names(c: &[Change]) -> Vec<String> {
        c.iter()
            .map(|c| match c {
                Change::Added(k, _) => format!("+{k}"),
                Change::Changed(k, _) => format!("~{k}"),
                Change::Removed(k) => format!("-{k}"),
            })
            .collect()
    }

    #[test]
    fn scale_up_down_and_a_restarted_pod() {
        let mut t = Tracker::default();
        let c = t.apply(view(&[("web-0", "10.0.0.1"), ("web-1", "10.0.0.2")]));
        assert_eq!(names(&c), ["+web-0", "+web-1"]);
        assert!(t
            .apply(view(&[("web-1", "10.0.0.2"), ("web-0", "10.0.0.1")]))
            .is_empty());
        let c = t.apply(view(&[
            ("web-0", "10.0.0.1"),
            ("web-1", "10.0.0.9"),
            ("web-2", "10.0.0.3"),
        ]));
        assert_eq!(names(&c), ["~web-1", "+web-2"]);
        let c = t.apply(view(&[("web-2", "10.0.0.3")]));
        assert_eq!(names(&c), ["-web-0", "-web-1"]);
        assert_eq!(t.current().len(), 1);
    }

    #[test]
    fn an_empty_answer_keeps_the_last_set_unless_told_otherwise() {
        let mut t = Tracker::default();
        t.apply(view(&[("a", "10.0.0.1")]));
        assert!(t.apply(vec![]).is_empty());
        assert_eq!(t.current().len(), 1);
        let mut t = Tracker::new(OnEmpty::Apply);
        t.apply(view(&[("a", "10.0.0.1")]));
        assert_eq!(names(&t.apply(vec![])), ["-a"]);
    }

    #[test]
    fn topology_changes_are_changes_and_dual_stack_merges() {
        let mut t = Tracker::default();
        let mut k = Key::new("db-0");
        k.node = Some("node-a".into());
        t.apply(vec![(k.clone(), ep("10.0.0.1", 5432))]);
        k.node = Some("node-b".into());
        let c = t.apply(vec![(k.clone(), ep("10.0.0.1", 5432))]);
        assert_eq!(names(&c), ["~db-0"]);
        let c = t.apply(vec![
            (k.clone(), ep("fd00::1", 5432)),
            (k.clone(), ep("10.0.0.1", 5432)),
        ]);
        match &c[..] {
            [Change::Changed(_, e)] => assert_eq!(
                e.addresses,
                [
                    "10.0.0.1".parse::<std::net::IpAddr>().unwrap(),
                    "fd00::1".parse().unwrap()
                ]
            ),
            other => panic!("{other:?}"),
        }
    }
}
