//! The stream both sources hand out, and its health handle.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::endpoint::Change;

/// Changes are queued up to this many before the source waits for the
/// consumer.
#[cfg_attr(not(any(feature = "dns", feature = "api")), allow(dead_code))]
pub(crate) const QUEUE: usize = 1024;

/// What a source has done so far: a cheap handle that stays valid while
/// the stream is consumed elsewhere. Errors do not end the stream and do
/// not change the set: they are seen here.
#[derive(Clone, Debug, Default)]
pub struct Health(Arc<Mutex<HealthState>>);

/// A snapshot of [`Health`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HealthState {
    /// Resolutions (DNS) or watch events (API) started so far, counted from 1.
    pub resolutions: u64,
    /// The resolution whose answer last changed the set (0: none yet).
    pub changed_at: u64,
    /// Endpoints in the current set.
    pub endpoints: usize,
    /// Resolutions failed in a row (0 after a success).
    pub failures: u32,
    /// Failed resolutions in all.
    pub total_failures: u64,
    /// Why the last resolution failed, while failing: the error with the
    /// server it came from.
    pub last_error: Option<String>,
    /// Who gave the last successful answer (a DNS server `ip:port`, or the
    /// API server's URL).
    pub answered_by: Option<String>,
    /// The last answer's smallest TTL (DNS).
    pub ttl: Option<u32>,
    /// The delay chosen before the next resolution (DNS).
    pub next_in: Option<Duration>,
}

impl Health {
    /// The current state.
    pub fn get(&self) -> HealthState {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Resolutions started so far (see [`HealthState::resolutions`]).
    pub fn resolutions(&self) -> u64 {
        self.get().resolutions
    }

    #[cfg_attr(not(any(feature = "dns", feature = "api")), allow(dead_code))]
    pub(crate) fn update(&self, f: impl FnOnce(&mut HealthState)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// A headless Service's endpoints as a stream of [`Change`]s: first an
/// [`Change::Added`] for every endpoint of the first good answer, then
/// what each later answer changed. It does not end while the source runs;
/// dropping it stops the source.
#[derive(Debug)]
pub struct Discovery {
    rx: mpsc::Receiver<Change>,
    task: JoinHandle<()>,
    health: Health,
}

impl Discovery {
    #[cfg_attr(not(any(feature = "dns", feature = "api")), allow(dead_code))]
    pub(crate) fn new(rx: mpsc::Receiver<Change>, task: JoinHandle<()>, health: Health) -> Self {
        Discovery { rx, task, health }
    }

    /// The health handle of the source.
    pub fn health(&self) -> Health {
        self.health.clone()
    }

    /// The next change (`None` only if the source stopped).
    pub async fn next_change(&mut self) -> Option<Change> {
        self.rx.recv().await
    }

    /// This stream as tower's `Discover`: every [`Change::Added`] and
    /// [`Change::Changed`] becomes `Change::Insert(key, make(key,
    /// endpoint))`, every [`Change::Removed`] a `Change::Remove(key)`.
    /// It never yields an error: errors are the [`Health`]'s, and the set
    /// is kept through them.
    #[cfg(feature = "tower")]
    pub fn into_tower<S, F>(self, make: F) -> crate::tower::TowerDiscover<F>
    where
        F: FnMut(&crate::Key, &crate::Endpoint) -> S,
    {
        crate::tower::TowerDiscover::new(self, make)
    }
}

impl Stream for Discovery {
    type Item = Change;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Change>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Discovery {
    fn drop(&mut self) {
        self.task.abort();
    }
}
