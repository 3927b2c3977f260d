//! The versioned object store behind the API: one global resourceVersion counter bumped
//! on every object write, a bounded event history for watches and continue tokens, and a
//! broadcast of new events to open watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use tokio::sync::broadcast;

use super::objects::{Key, Kind, Obj};

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object changed.
    Modified,
    /// The object was deleted.
    Deleted,
}

impl EventType {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One write to the store.
#[derive(Debug, Clone)]
pub struct Event {
    /// resourceVersion of the write (for DELETED, the deletion's).
    pub rv: u64,
    /// What happened.
    pub kind: EventType,
    /// The object before (None for ADDED).
    pub old: Option<(u64, Arc<Obj>)>,
    /// The object after (for DELETED: its last state).
    pub new: Arc<Obj>,
}

/// Live events of a watch.
pub type EventReceiver = broadcast::Receiver<Arc<Event>>;

/// A stored object and the resourceVersion of its last write.
#[derive(Debug, Clone)]
pub struct Stored {
    /// resourceVersion.
    pub rv: u64,
    /// The object.
    pub obj: Arc<Obj>,
}

/// The store.
#[derive(Debug)]
pub struct Store {
    objects: BTreeMap<Key, Stored>,
    rv: u64,
    history: VecDeque<Arc<Event>>,
    capacity: usize,
    /// Events with rv > `compacted` are all in `history`.
    compacted: u64,
    tx: broadcast::Sender<Arc<Event>>,
}

/// A resourceVersion older than the history holds (HTTP 410 Gone, reason Expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooOld {
    /// The version asked for.
    pub asked: u64,
    /// The oldest version still available.
    pub oldest: u64,
}

impl Store {
    /// An empty store keeping the last `capacity` events.
    pub fn new(capacity: usize) -> Store {
        let (tx, _) = broadcast::channel(4096);
        Store {
            objects: BTreeMap::new(),
            rv: 0,
            history: VecDeque::new(),
            capacity: capacity.max(1),
            compacted: 0,
            tx,
        }
    }

    /// The current (latest) resourceVersion.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// Replace the contents with `objs`: every object that is new, changed or gone is one
    /// write with its own resourceVersion and one event. Returns the number of writes.
    pub fn apply(&mut self, objs: Vec<Obj>) -> usize {
        let mut next: BTreeMap<Key, Obj> = objs.into_iter().map(|o| (o.key(), o)).collect();
        let mut events = Vec::new();
        let keys: Vec<Key> = self.objects.keys().cloned().collect();
        for key in keys {
            match next.remove(&key) {
                None => {
                    let old = self.objects.remove(&key).expect("key listed");
                    self.rv += 1;
                    events.push(Event {
                        rv: self.rv,
                        kind: EventType::Deleted,
                        old: Some((old.rv, old.obj.clone())),
                        new: old.obj,
                    });
                }
                Some(obj) => {
                    let cur = &self.objects[&key];
                    if *cur.obj != obj {
                        self.rv += 1;
                        let obj = Arc::new(obj);
                        events.push(Event {
                            rv: self.rv,
                            kind: EventType::Modified,
                            old: Some((cur.rv, cur.obj.clone())),
                            new: obj.clone(),
                        });
                        self.objects.insert(key, Stored { rv: self.rv, obj });
                    }
                }
            }
        }
        for (key, obj) in next {
            self.rv += 1;
            let obj = Arc::new(obj);
            events.push(Event {
                rv: self.rv,
                kind: EventType::Added,
                old: None,
                new: obj.clone(),
            });
            self.objects.insert(key, Stored { rv: self.rv, obj });
        }
        let n = events.len();
        for e in events {
            let e = Arc::new(e);
            self.history.push_back(e.clone());
            while self.history.len() > self.capacity {
                if let Some(gone) = self.history.pop_front() {
                    self.compacted = gone.rv;
                }
            }
            let _ = self.tx.send(e);
        }
        n
    }

    /// Forget the whole history: every older resourceVersion and continue token is now
    /// expired (what etcd compaction does).
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
    }

    /// Objects of `kind` (all, or in `namespace`) as they are now.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Stored> {
        self.objects
            .range((kind, String::new(), String::new())..)
            .take_while(|((k, _, _), _)| *k == kind)
            .filter(|((_, ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Objects of `kind` as they were at `rv` (for continue tokens).
    pub fn list_at(
        &self,
        kind: Kind,
        namespace: Option<&str>,
        rv: u64,
    ) -> Result<Vec<Stored>, TooOld> {
        if rv < self.compacted || rv > self.rv {
            return Err(TooOld {
                asked: rv,
                oldest: self.compacted,
            });
        }
        let mut objs: BTreeMap<Key, Stored> = self
            .list(kind, namespace)
            .into_iter()
            .map(|s| (s.obj.key(), s))
            .collect();
        for e in self.history.iter().rev().take_while(|e| e.rv > rv) {
            if e.new.kind != kind || namespace.is_some_and(|n| n != e.new.namespace) {
                continue;
            }
            let key = e.new.key();
            match (&e.kind, &e.old) {
                (EventType::Added, _) => {
                    objs.remove(&key);
                }
                (_, Some((orv, old))) => {
                    objs.insert(
                        key,
                        Stored {
                            rv: *orv,
                            obj: old.clone(),
                        },
                    );
                }
                (_, None) => {}
            }
        }
        Ok(objs.into_values().collect())
    }

    /// One object.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Stored> {
        self.objects
            .get(&(kind, namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// Events after `rv` and a receiver for the ones to come (subscribed atomically with
    /// the snapshot, so nothing is missed or repeated).
    pub fn watch_from(&self, rv: u64) -> Result<(Vec<Arc<Event>>, EventReceiver), TooOld> {
        if rv < self.compacted {
            return Err(TooOld {
                asked: rv,
                oldest: self.compacted,
            });
        }
        let past = self.history.iter().filter(|e| e.rv > rv).cloned().collect();
        Ok((past, self.tx.subscribe()))
    }

    /// A receiver for future events only.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::objects::{build, rfc3339, BuildOptions};
    use crate::cluster::Cluster;

    fn opts() -> BuildOptions {
        BuildOptions {
            max_endpoints_per_slice: 100,
            max_endpoints_addresses: 1000,
            created: rfc3339(0),
        }
    }

    #[test]
    fn writes_bump_versions_and_history_rebuilds_old_lists() {
        let mut c = Cluster::demo();
        let mut s = Store::new(100);
        let n0 = s.apply(build(&c, &opts()));
        assert_eq!(s.rv(), n0 as u64);
        let before = s.list(Kind::Pod, Some("awx"));
        let rv0 = s.rv();
        c.pod_mut("awx", "web-2").unwrap().ready = true;
        let n1 = s.apply(build(&c, &opts()));
        // the pod, its two Services' slices and Endpoints
        assert_eq!(n1, 5, "{n1}");
        assert_eq!(s.apply(build(&c, &opts())), 0, "no change, no write");
        let at = s.list_at(Kind::Pod, Some("awx"), rv0).unwrap();
        assert_eq!(at.len(), before.len());
        assert!(at
            .iter()
            .zip(&before)
            .all(|(a, b)| a.rv == b.rv && a.obj == b.obj));
        let (past, _) = s.watch_from(rv0).unwrap();
        assert_eq!(past.len(), 5);
        assert!(past.iter().all(|e| e.kind == EventType::Modified));
        s.compact();
        assert_eq!(s.watch_from(rv0).unwrap_err().oldest, s.rv());
        assert!(s.list_at(Kind::Pod, None, rv0).is_err());
    }
}
