//! Discovery of a Kubernetes headless Service's pods for Rust clients, and
//! client-side balancing over them.
//!
//! Owns: the discovery stream ([`Discovery`]: [`Change`]s of [`Key`] →
//! [`Endpoint`]) from cluster DNS ([`DnsSource`], feature `dns`: re-resolved
//! on the answer's TTL within a [`Refresh`] window, with jitter) or from the
//! Kubernetes API (`ApiSource`, feature `api`: the EndpointSlice watch,
//! with a [`Selection`] policy); the keep-last-good rule ([`Tracker`]); the
//! pickers of hsvc-balance as a [`Balancer`] over the stream; tower's
//! `Discover` (feature `tower`); the embedded test cluster (feature
//! `testkit`).
//!
//! Must not: print, read the environment unless asked
//! ([`DnsSource::from_resolv_conf`]), answer from a cache or `/etc/hosts`,
//! fall back to another resolver, or pick a `k8s-openapi` version.
//!
//! # Guarantees
//! * A failed resolution or watch request changes nothing: the set is kept,
//!   the failure is in [`Health`], and the stream goes on. No phantom
//!   remove/add.
//! * An answer without endpoints keeps the last set by default
//!   ([`OnEmpty`]).
//! * DNS is asked again no later than the answer's TTL (clamped to
//!   [`Refresh::min`]..[`Refresh::max`]), earlier by at most the jitter.
//! * Same pods, same picks: the pickers are built over the sorted ids and
//!   rebuilt only when the members change.
//!
//! ```no_run
//! # async fn run() -> Result<(), hsvc_discover::DiscoverError> {
//! use hsvc_discover::{Balancer, DnsSource, Policy, SharedBalancer};
//!
//! let lb = SharedBalancer::follow(
//!     DnsSource::from_resolv_conf("api.shop")?.start(),
//!     Balancer::new(Policy::Hash),
//! );
//! lb.wait_for(1).await;
//! let (pod, endpoint) = lb.pick(b"tenant-7").expect("a pod");
//! println!("tenant-7 -> {pod} {:?}", endpoint.socket_addr());
//! # Ok(()) }
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "api")]
pub mod api;
pub mod balancer;
#[cfg(feature = "dns")]
pub mod dns;
pub mod endpoint;
pub mod refresh;
pub mod selection;
pub mod stream;
#[cfg(feature = "testkit")]
pub mod testkit;
#[cfg(feature = "tower")]
pub mod tower;
pub mod tracker;

use std::fmt;

#[cfg(feature = "api")]
pub use api::ApiSource;
pub use balancer::{Balancer, SharedBalancer};
#[cfg(feature = "dns")]
pub use dns::DnsSource;
pub use endpoint::{Change, Endpoint, Key, Port, PortSelect};
pub use hsvc_balance::pick::Policy;
pub use refresh::Refresh;
pub use selection::{Conditions, Selection};
pub use stream::{Discovery, Health, HealthState};
pub use tracker::{OnEmpty, Tracker};

/// Why a source could not be set up. (Failures while it runs are not
/// errors of the stream: see [`Health`].)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscoverError {
    /// The name is not a Service name.
    Name {
        /// The name, escaped.
        name: String,
        /// Why.
        reason: String,
    },
    /// resolv.conf could not be read or has no nameserver.
    Config(String),
    /// The API watch could not be set up.
    Api(String),
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::Name { name, reason } => write!(f, "`{name}`: {reason}"),
            DiscoverError::Config(s) => f.write_str(s),
            DiscoverError::Api(s) => write!(f, "API: {s}"),
        }
    }
}

impl std::error::Error for DiscoverError {}
