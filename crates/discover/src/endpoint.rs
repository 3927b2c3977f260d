//! What the discovery stream yields: a [`Key`] (who the pod is) and an
//! [`Endpoint`] (where to reach it), and the [`Change`]s between two views.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr};

/// Who an endpoint is: its identity, with the topology the source knows.
///
/// Strings from DNS are in escaped presentation form; strings from the API
/// are as the API server sent them: escape them
/// (`hsvc_resolve::escape::term`) before they reach a terminal.
///
/// Two keys are equal, ordered and hashed by [`Key::id`] alone, so a map
/// keyed by `Key` (tower's balancers, tonic's channel) keeps one entry per
/// pod while its other fields change. The id is, in this order:
/// the pod name (`targetRef.name`, API source only), the pod's hostname
/// when it is not just its dashed IP (a StatefulSet pod: the same as its
/// name), else the IP. So a StatefulSet pod keeps its key across restarts
/// and on both sources; a Deployment pod gets a new key with a new IP, as
/// it does in DNS.
#[derive(Clone, Debug)]
pub struct Key {
    /// The identity (see above); what the hash pickers hash.
    pub id: String,
    /// The pod (`targetRef.name`); `None` from DNS, which does not carry it.
    pub pod: Option<String>,
    /// The pod's hostname: SRV target's first label (DNS) or the slice
    /// endpoint's `hostname` (API). Escaped when it came from DNS.
    pub hostname: Option<String>,
    /// The node (`nodeName`, API source only).
    pub node: Option<String>,
    /// The zone (`topology.kubernetes.io/zone`, API source only).
    pub zone: Option<String>,
}

impl Key {
    /// A key with only an id (tests, static lists).
    pub fn new(id: impl Into<String>) -> Key {
        Key {
            id: id.into(),
            pod: None,
            hostname: None,
            node: None,
            zone: None,
        }
    }

    /// Whether every field, not only the id, is the same.
    pub fn same_fields(&self, other: &Key) -> bool {
        self.id == other.id
            && self.pod == other.pod
            && self.hostname == other.hostname
            && self.node == other.node
            && self.zone == other.zone
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.id == other.id
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        self.id.cmp(&other.id)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// A port the source lists for an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    /// The port's name, when the source gives it (the API; DNS only when
    /// asked with [`PortSelect::Named`]).
    pub name: Option<String>,
    /// The port number.
    pub port: u16,
}

/// Which port of an endpoint [`Endpoint::port`] is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum PortSelect {
    /// The lowest port the source lists (the only one, for most Services).
    #[default]
    First,
    /// The port with this name (`_<name>._tcp` in DNS, the slice port's
    /// name in the API). An endpoint without it has no port.
    Named(String),
    /// This number, whatever the source says.
    Number(u16),
}

impl PortSelect {
    /// The port of `ports` this selection chooses.
    pub fn choose(&self, ports: &[Port]) -> Option<u16> {
        match self {
            PortSelect::First => ports.iter().map(|p| p.port).min(),
            PortSelect::Named(n) => ports
                .iter()
                .find(|p| p.name.as_deref() == Some(n.as_str()))
                .map(|p| p.port),
            PortSelect::Number(n) => Some(*n),
        }
    }
}

/// Where to reach a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The pod's addresses, IPv4 first (one per family for a dual-stack
    /// pod on the API source; DNS gives one per key).
    pub addresses: Vec<IpAddr>,
    /// The port [`PortSelect`] chose; `None` when the endpoint has none.
    pub port: Option<u16>,
    /// Every port the source lists, sorted.
    pub ports: Vec<Port>,
    /// Relative weight for the weighted pickers: 1. (CoreDNS's SRV weights
    /// are `100 / N` for every record and say nothing about a pod; the
    /// API has no weights.)
    pub weight: u32,
    /// Whether the pod is ready. `false` only on the API source under
    /// [`crate::Selection::KubeProxyFallback`], for a serving pod that is
    /// terminating and used because no pod is ready.
    pub ready: bool,
}

impl Endpoint {
    /// The first address with the chosen port: what a client connects to.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        Some(SocketAddr::new(*self.addresses.first()?, self.port?))
    }
}

/// One difference between two views of the Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A pod that was not there.
    Added(Key, Endpoint),
    /// The same key with other addresses, ports, readiness or topology.
    Changed(Key, Endpoint),
    /// A pod that is gone.
    Removed(Key),
}

impl Change {
    /// The key the change is about.
    pub fn key(&self) -> &Key {
        match self {
            Change::Added(k, _) | Change::Changed(k, _) | Change::Removed(k) => k,
        }
    }
}
