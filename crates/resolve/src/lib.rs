//! Kubernetes names and cluster DNS, as a pod's resolver and CoreDNS see them.
//!
//! Owns: the name model ([`name`]: what a user's NAME means, the search walk
//! a libc would replay), resolv.conf ([`resolv_conf`]), the DNS wire and its
//! UDP/TCP transports ([`dns`]), lookups ([`lookup`]: A + AAAA + SRV joined
//! into an [`endpoints::EndpointSet`]), and the pure comparisons built on
//! endpoint sets ([`diff`], [`watch`]). [`escape`] makes anything that came
//! off the wire safe to print.
//!
//! Must not: print, read flags or environment (the CLI hands over typed
//! values), or depend on the CLI, the pickers, the probes or the test
//! cluster.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod diff;
pub mod dns;
pub mod endpoints;
pub mod escape;
pub mod lookup;
pub mod name;
pub mod resolv_conf;
pub mod watch;
