//! The discovery stream as tower's `Discover` (the `tower` feature), for
//! `tower::balance` and anything else built on `tower::discover::Change`.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tower::discover::Change as TowerChange;

use crate::endpoint::{Change, Endpoint, Key};
use crate::stream::Discovery;

/// See [`Discovery::into_tower`].
pub struct TowerDiscover<F> {
    inner: Discovery,
    make: F,
}

impl<F> std::fmt::Debug for TowerDiscover<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TowerDiscover")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<F> TowerDiscover<F> {
    pub(crate) fn new(inner: Discovery, make: F) -> Self {
        TowerDiscover { inner, make }
    }

    /// The source's health.
    pub fn health(&self) -> crate::Health {
        self.inner.health()
    }
}

/// One change as tower's: added and changed endpoints are inserted (a new
/// service replaces the old one of the key), removed ones removed.
pub fn to_tower<S>(
    change: Change,
    make: &mut impl FnMut(&Key, &Endpoint) -> S,
) -> TowerChange<Key, S> {
    match change {
        Change::Added(k, e) | Change::Changed(k, e) => {
            let s = make(&k, &e);
            TowerChange::Insert(k, s)
        }
        Change::Removed(k) => TowerChange::Remove(k),
    }
}

impl<F, S> Stream for TowerDiscover<F>
where
    F: FnMut(&Key, &Endpoint) -> S + Unpin,
{
    type Item = Result<TowerChange<Key, S>, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(c)) => Poll::Ready(Some(Ok(to_tower(c, &mut this.make)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
