//! State shared between a running server and the code that controls it (tests, `hsvc demo`):
//! the zone, behaviour flags, injected faults and the log of received queries.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use hickory_proto::rr::RecordType;

use super::cluster::Cluster;
use super::zone::{Behaviour, Zone};

/// A fault injected for one query name (optionally one type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Never answer (neither over UDP nor TCP).
    Drop,
    /// Answer normally after this delay.
    Delay(Duration),
    /// Answer SERVFAIL.
    ServFail,
    /// Answer REFUSED.
    Refused,
    /// Answer with the right ID but a body that does not parse as DNS (an A record whose
    /// RDATA is 3 bytes long).
    Malformed,
    /// Over UDP always answer TC=1 with no records; over TCP answer normally.
    ForceTc,
}

/// Transport a query came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
}

/// One query as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryLogEntry {
    /// Query name, lower case, absolute (trailing dot).
    pub name: String,
    /// Query type.
    pub qtype: RecordType,
    /// Transport.
    pub transport: Transport,
    /// EDNS UDP payload size the client advertised, `None` without EDNS.
    pub edns_payload: Option<u16>,
    /// Client address.
    pub src: SocketAddr,
}

#[derive(Debug, Default)]
struct Inner {
    zone: RwLock<Arc<Zone>>,
    behaviour: RwLock<Behaviour>,
    faults: RwLock<HashMap<(String, Option<RecordType>), Fault>>,
    drop_all: AtomicBool,
    log: Mutex<Vec<QueryLogEntry>>,
}

/// Cheaply clonable handle on the server's state; every change is seen by the next query.
#[derive(Debug, Clone, Default)]
pub struct SharedZone(Arc<Inner>);

/// Lower-case, absolute form used as fault and log key.
pub fn normalize_name(name: &str) -> String {
    let mut s = name.trim().to_ascii_lowercase();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

impl SharedZone {
    /// Share `zone` with CoreDNS behaviour, no faults, empty log.
    pub fn new(zone: Zone) -> SharedZone {
        let s = SharedZone::default();
        s.set_zone(zone);
        s
    }

    /// Share the records of `cluster`.
    pub fn from_cluster(cluster: &Cluster) -> SharedZone {
        SharedZone::new(Zone::from_cluster(cluster))
    }

    /// The current zone (a snapshot: later replacements do not change it).
    pub fn zone(&self) -> Arc<Zone> {
        read(&self.0.zone).clone()
    }

    /// Replace the whole zone.
    pub fn set_zone(&self, zone: Zone) {
        *write(&self.0.zone) = Arc::new(zone);
    }

    /// Replace the zone with the records of `cluster` (e.g. after scaling a Service).
    pub fn set_cluster(&self, cluster: &Cluster) {
        self.set_zone(Zone::from_cluster(cluster));
    }

    /// Current behaviour flags.
    pub fn behaviour(&self) -> Behaviour {
        *read(&self.0.behaviour)
    }

    /// Switch between CoreDNS and BIND-like behaviour.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *write(&self.0.behaviour) = behaviour;
    }

    /// Inject `fault` for every query type at `name` (any case, dot optional).
    pub fn set_fault(&self, name: &str, fault: Fault) {
        write(&self.0.faults).insert((normalize_name(name), None), fault);
    }

    /// Inject `fault` for `name` and `qtype` only (takes precedence over a name-wide fault).
    pub fn set_fault_for(&self, name: &str, qtype: RecordType, fault: Fault) {
        write(&self.0.faults).insert((normalize_name(name), Some(qtype)), fault);
    }

    /// Remove the faults set for `name` (all types).
    pub fn clear_fault(&self, name: &str) {
        let key = normalize_name(name);
        write(&self.0.faults).retain(|(n, _), _| *n != key);
    }

    /// Remove every fault.
    pub fn clear_faults(&self) {
        write(&self.0.faults).clear();
    }

    /// The fault that applies to a query, if any.
    pub fn fault_for(&self, name: &str, qtype: RecordType) -> Option<Fault> {
        let key = normalize_name(name);
        let faults = read(&self.0.faults);
        faults
            .get(&(key.clone(), Some(qtype)))
            .or_else(|| faults.get(&(key, None)))
            .copied()
    }

    /// Outage switch: while `true` no query gets any answer (queries are still logged).
    pub fn set_drop_all(&self, drop: bool) {
        self.0.drop_all.store(drop, Ordering::SeqCst);
    }

    /// Whether the outage switch is on.
    pub fn drop_all(&self) -> bool {
        self.0.drop_all.load(Ordering::SeqCst)
    }

    /// Append to the query log (done by the server for every query it decodes).
    pub fn log_query(&self, entry: QueryLogEntry) {
        self.0
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    /// Every query received so far, in arrival order.
    pub fn query_log(&self) -> Vec<QueryLogEntry> {
        self.0
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Received queries for `name` (any case, dot optional).
    pub fn queries_for(&self, name: &str) -> Vec<QueryLogEntry> {
        let key = normalize_name(name);
        self.query_log()
            .into_iter()
            .filter(|e| e.name == key)
            .collect()
    }

    /// Empty the query log.
    pub fn clear_query_log(&self) {
        self.0
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
