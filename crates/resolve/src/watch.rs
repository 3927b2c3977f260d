//! What `hsvc watch` reports for one source: the state machine from one
//! resolution to the next. Pure (no clock, no I/O): the command feeds it
//! each outcome and prints the events it returns. It keeps only the
//! previous set, so memory stays constant however long the watch runs.

use crate::diff::{self, Entry, Field, Options};
use crate::endpoints::EndpointSet;
use crate::lookup::{LookupError, Outcome, Status};

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The first answer: the whole set.
    Initial,
    /// An endpoint (key) that was not in the previous set.
    Added,
    /// An endpoint (key) of the previous set that is gone.
    Removed,
    /// Same key, other hostname, IP, ports or TTL.
    Changed,
    /// The name stopped existing: every endpoint is gone.
    Nxdomain,
    /// A resolution failed (timeout, SERVFAIL, REFUSED, …); the set is kept.
    Error,
    /// The first answer after errors.
    Recovered,
}

impl Kind {
    /// The JSON `event` name: `initial`, `added`, `removed`, `changed`,
    /// `nxdomain`, `error` or `recovered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Initial => "initial",
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Changed => "changed",
            Kind::Nxdomain => "nxdomain",
            Kind::Error => "error",
            Kind::Recovered => "recovered",
        }
    }
}

/// One event, with the size of the set after the resolution that caused it.
#[derive(Clone, Debug)]
pub struct Event {
    /// What happened; says which of the other fields are set.
    pub kind: Kind,
    /// added, removed: the endpoint; changed: the endpoint after.
    pub entry: Option<Entry>,
    /// changed: the endpoint before.
    pub before: Option<Entry>,
    /// changed: what differs.
    pub fields: Vec<Field>,
    /// initial: the set; nxdomain: the endpoints that are gone.
    pub entries: Vec<Entry>,
    /// initial, recovered, nxdomain: `ok`, `nxdomain` or `nodata`.
    pub status: Option<Status>,
    /// error: why.
    pub error: Option<LookupError>,
    /// recovered: failed resolutions during the outage.
    pub failures: u64,
    /// Entries (keys, see [`Options::by`]) in the set after this
    /// resolution: the previous count on an error, 0 on NXDOMAIN.
    pub count: usize,
}

impl Event {
    fn new(kind: Kind, count: usize) -> Event {
        Event {
            kind,
            entry: None,
            before: None,
            fields: Vec::new(),
            entries: Vec::new(),
            status: None,
            error: None,
            failures: 0,
            count,
        }
    }
}

/// The state of one watched source.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    opts: Options,
    last: Option<(Status, EndpointSet)>,
    /// Kind of the current failure, while failing.
    failing: Option<String>,
    failures: u64,
}

impl Tracker {
    /// A tracker that has seen nothing yet; `opts` decide what matches and
    /// what counts as a change, as in [`diff::compare`].
    pub fn new(opts: Options) -> Tracker {
        Tracker {
            opts,
            ..Tracker::default()
        }
    }

    /// Entries in the current set.
    pub fn count(&self) -> usize {
        self.last
            .as_ref()
            .map_or(0, |(_, s)| diff::entries(s, self.opts.by).len())
    }

    /// The status of the last answer, if any.
    pub fn status(&self) -> Option<Status> {
        self.last.as_ref().map(|(s, _)| *s)
    }

    /// Whether the last resolution failed (an outage is in progress).
    pub fn is_failing(&self) -> bool {
        self.failing.is_some()
    }

    /// Takes one resolution's outcome and returns what changed. An error is
    /// reported once per outage (again only if its kind changes); the set
    /// is compared again when answers come back.
    pub fn observe(
        &mut self,
        outcome: Result<Outcome, &LookupError>,
        set: EndpointSet,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let status = match outcome {
            Ok(Outcome::Found) => Status::Ok,
            Ok(Outcome::NxDomain) => Status::Nxdomain,
            Ok(Outcome::NoData) => Status::Nodata,
            Err(error) => {
                self.failures += 1;
                let kind = error.kind_str();
                if self.failing.as_deref() != Some(kind) {
                    self.failing = Some(kind.to_string());
                    let mut e = Event::new(Kind::Error, self.count());
                    e.error = Some(error.clone());
                    events.push(e);
                }
                return events;
            }
        };
        let count = diff::entries(&set, self.opts.by).len();
        if self.failing.take().is_some() {
            let mut e = Event::new(Kind::Recovered, count);
            e.status = Some(status);
            e.failures = std::mem::take(&mut self.failures);
            events.push(e);
        }
        match &self.last {
            None => {
                let mut e = Event::new(Kind::Initial, count);
                e.entries = diff::entries(&set, self.opts.by);
                e.status = Some(status);
                events.push(e);
            }
            Some((was, prev)) if status == Status::Nxdomain && *was != Status::Nxdomain => {
                let mut e = Event::new(Kind::Nxdomain, 0);
                e.entries = diff::entries(prev, self.opts.by);
                e.status = Some(status);
                events.push(e);
            }
            Some((_, prev)) => {
                let d = diff::delta(prev, &set, self.opts);
                for r in d.removed {
                    let mut e = Event::new(Kind::Removed, count);
                    e.entry = Some(r);
                    events.push(e);
                }
                for a in d.added {
                    let mut e = Event::new(Kind::Added, count);
                    e.entry = Some(a);
                    events.push(e);
                }
                for (before, after, fields) in d.changed {
                    let mut e = Event::new(Kind::Changed, count);
                    e.before = Some(before);
                    e.entry = Some(after);
                    e.fields = fields;
                    events.push(e);
                }
            }
        }
        self.last = Some((status, set));
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::Endpoint;

    fn set(ips: &[&str]) -> EndpointSet {
        EndpointSet::from_vec(
            ips.iter()
                .map(|ip| Endpoint::new(ip.parse().unwrap(), 30))
                .collect(),
        )
    }

    fn kinds(v: &[Event]) -> Vec<&'static str> {
        v.iter().map(|e| e.kind.as_str()).collect()
    }

    fn timeout() -> LookupError {
        LookupError {
            kind: crate::lookup::ErrorKind::Timeout { tries: 2 },
            server: "127.0.0.1:53".parse().unwrap(),
            question: "web.ns.svc.cluster.local. A".into(),
        }
    }

    #[test]
    fn scale_up_and_down_report_each_change_once() {
        let mut t = Tracker::new(Options::default());
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.1", "10.0.0.2"]));
        assert_eq!(kinds(&ev), ["initial"]);
        assert_eq!(ev[0].entries.len(), 2);
        let ev = t.observe(
            Ok(Outcome::Found),
            set(&["10.0.0.1", "10.0.0.2", "10.0.0.3"]),
        );
        assert_eq!(kinds(&ev), ["added"]);
        assert_eq!(ev[0].count, 3);
        assert!(t
            .observe(
                Ok(Outcome::Found),
                set(&["10.0.0.1", "10.0.0.2", "10.0.0.3"])
            )
            .is_empty());
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.3", "10.0.0.4"]));
        assert_eq!(kinds(&ev), ["removed", "removed", "added"]);
        assert!(ev.iter().all(|e| e.count == 2));
    }

    #[test]
    fn an_outage_is_one_error_then_recovered_then_real_changes() {
        let mut t = Tracker::new(Options::default());
        t.observe(Ok(Outcome::Found), set(&["10.0.0.1"]));
        let ev = t.observe(Err(&timeout()), EndpointSet::default());
        assert_eq!(kinds(&ev), ["error"]);
        assert_eq!(ev[0].count, 1, "the set is kept through errors");
        assert!(t.is_failing());
        for _ in 0..5 {
            assert!(t
                .observe(Err(&timeout()), EndpointSet::default())
                .is_empty());
        }
        let mut servfail = timeout();
        servfail.kind = crate::lookup::ErrorKind::ServFail;
        assert_eq!(
            kinds(&t.observe(Err(&servfail), EndpointSet::default())),
            ["error"]
        );
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.1", "10.0.0.2"]));
        assert_eq!(kinds(&ev), ["recovered", "added"]);
        assert_eq!(ev[0].failures, 7);
        assert!(!t.is_failing());
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.1", "10.0.0.2"]));
        assert!(ev.is_empty());
    }

    #[test]
    fn nxdomain_empties_the_set_once_and_pods_can_come_back() {
        let mut t = Tracker::new(Options::default());
        t.observe(Ok(Outcome::Found), set(&["10.0.0.1", "10.0.0.2"]));
        let ev = t.observe(Ok(Outcome::NxDomain), EndpointSet::default());
        assert_eq!(kinds(&ev), ["nxdomain"]);
        assert_eq!((ev[0].count, ev[0].entries.len()), (0, 2));
        assert!(t
            .observe(Ok(Outcome::NxDomain), EndpointSet::default())
            .is_empty());
        assert_eq!(t.count(), 0);
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.9"]));
        assert_eq!(kinds(&ev), ["added"]);
    }

    #[test]
    fn first_error_then_initial_and_initial_nxdomain() {
        let mut t = Tracker::new(Options::default());
        let ev = t.observe(Err(&timeout()), EndpointSet::default());
        assert_eq!(kinds(&ev), ["error"]);
        let ev = t.observe(Ok(Outcome::Found), set(&["10.0.0.1"]));
        assert_eq!(kinds(&ev), ["recovered", "initial"]);
        let mut t = Tracker::new(Options::default());
        let ev = t.observe(Ok(Outcome::NxDomain), EndpointSet::default());
        assert_eq!(kinds(&ev), ["initial"]);
        assert_eq!(ev[0].status, Some(Status::Nxdomain));
    }

    #[test]
    fn ttl_changes_are_events_unless_ignored() {
        let mut a = set(&["10.0.0.1"]);
        let mut t = Tracker::new(Options::default());
        t.observe(Ok(Outcome::Found), a.clone());
        let b = EndpointSet::from_vec(vec![Endpoint::new("10.0.0.1".parse().unwrap(), 5)]);
        let ev = t.observe(Ok(Outcome::Found), b.clone());
        assert_eq!(kinds(&ev), ["changed"]);
        assert_eq!(ev[0].fields, [Field::Ttl]);
        assert_eq!(ev[0].before.as_ref().unwrap().ttl, 30);
        let mut t = Tracker::new(Options {
            ignore_ttl: true,
            ..Options::default()
        });
        t.observe(Ok(Outcome::Found), std::mem::take(&mut a));
        assert!(t.observe(Ok(Outcome::Found), b).is_empty());
    }
}
