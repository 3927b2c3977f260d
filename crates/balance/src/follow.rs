//! The follow rule: keep a picker's pool in step with re-resolution, as a
//! client-side balancer does. A changed, usable endpoint set replaces the
//! pool; a failed resolution, an empty set or one the policy cannot be
//! built over keeps the last good pool.

use hsvc_resolve::endpoints::EndpointSet;

use crate::selection::{IdentityRule, PolicyInputs, Pool, PortChoice, Selector, WeightSource};

/// A pool and its selector that follow fresh answers.
pub struct Follower {
    inputs: PolicyInputs,
    identity: IdentityRule,
    weights: WeightSource,
    port: PortChoice,
    pool: Pool,
    selector: Selector,
}

/// What one fresh answer did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Update {
    /// The pool changed: `added` members joined, `removed` left.
    Applied {
        /// Members not in the previous pool.
        added: usize,
        /// Members of the previous pool that are gone.
        removed: usize,
    },
    /// Same members as before: nothing to do.
    Unchanged,
    /// The resolution failed; the last good pool is kept.
    KeptAfterFailure(String),
    /// The answer had no usable endpoint; the last good pool is kept.
    KeptEmpty,
    /// The policy cannot be built over the new set; the last good pool is kept.
    KeptUnbuildable(String),
}

impl Follower {
    /// Starts from a first pool and its selector.
    pub fn new(
        inputs: PolicyInputs,
        identity: IdentityRule,
        weights: WeightSource,
        port: PortChoice,
        pool: Pool,
        selector: Selector,
    ) -> Self {
        Follower {
            inputs,
            identity,
            weights,
            port,
            pool,
            selector,
        }
    }

    /// The pool in use.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The next pick for `key` (ignored by the sequence policies).
    pub fn next(&mut self, key: &[u8]) -> Option<usize> {
        self.selector.next(key)
    }

    /// Applies a fresh answer (`Err` with the reason when the resolution
    /// failed), `served` picks having been made so far (sequence policies
    /// go on from there).
    pub fn apply(&mut self, answer: Result<&EndpointSet, String>, served: u64) -> Update {
        let set = match answer {
            Ok(set) => set,
            Err(why) => return Update::KeptAfterFailure(why),
        };
        let pool = Pool::build(set, self.identity, &self.weights, &self.port);
        if pool.same_members(&self.pool) {
            return Update::Unchanged;
        }
        if pool.is_empty() {
            return Update::KeptEmpty;
        }
        match Selector::new(&self.inputs, &pool.set, served) {
            Ok(selector) => {
                let removed = self.pool.ids_not_in(&pool).len();
                let added = pool.ids_not_in(&self.pool).len();
                self.pool = pool;
                self.selector = selector;
                Update::Applied { added, removed }
            }
            Err(e) => Update::KeptUnbuildable(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pick::Policy;
    use hsvc_resolve::endpoints::Endpoint;

    fn set(ips: &[&str]) -> EndpointSet {
        EndpointSet::from_vec(
            ips.iter()
                .map(|ip| Endpoint::new(ip.parse().unwrap(), 5))
                .collect(),
        )
    }

    fn follower(ips: &[&str]) -> Follower {
        let inputs = PolicyInputs {
            policy: Policy::Hash,
            offset: 0,
            seed: 0,
            table_size: crate::pick::DEFAULT_TABLE_SIZE,
        };
        let pool = Pool::build(
            &set(ips),
            IdentityRule::Ip,
            &WeightSource::Srv,
            &PortChoice::Only,
        );
        let selector = Selector::new(&inputs, &pool.set, 0).unwrap();
        Follower::new(
            inputs,
            IdentityRule::Ip,
            WeightSource::Srv,
            PortChoice::Only,
            pool,
            selector,
        )
    }

    #[test]
    fn a_changed_set_is_applied_and_counted() {
        let mut f = follower(&["10.0.0.1", "10.0.0.2"]);
        let u = f.apply(Ok(&set(&["10.0.0.2", "10.0.0.3", "10.0.0.4"])), 10);
        assert_eq!(
            u,
            Update::Applied {
                added: 2,
                removed: 1
            }
        );
        assert_eq!(f.pool().len(), 3);
    }

    #[test]
    fn the_last_good_pool_survives_failures_and_empty_answers() {
        let mut f = follower(&["10.0.0.1", "10.0.0.2"]);
        let before: Vec<_> = (0..50u32)
            .map(|k| f.next(k.to_string().as_bytes()))
            .collect();
        assert_eq!(
            f.apply(Err("timeout".into()), 0),
            Update::KeptAfterFailure("timeout".into())
        );
        assert_eq!(f.apply(Ok(&set(&[])), 0), Update::KeptEmpty);
        assert_eq!(
            f.apply(Ok(&set(&["10.0.0.2", "10.0.0.1"])), 0),
            Update::Unchanged
        );
        let after: Vec<_> = (0..50u32)
            .map(|k| f.next(k.to_string().as_bytes()))
            .collect();
        assert_eq!(before, after, "no phantom change moves a key");
        assert_eq!(f.pool().len(), 2);
    }
}
