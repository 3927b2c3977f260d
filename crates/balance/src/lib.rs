//! What a client-side load balancer would choose among a headless Service's
//! pods, computed locally and deterministically.
//!
//! Owns: the pickers ([`pick`]: round-robin, smooth weighted round-robin,
//! seeded weighted random, weighted rendezvous, Maglev), the pool a picker
//! is built over ([`selection`]: identity, weights, ports) and the follow
//! rule that keeps a picker's pool in step with re-resolution.
//!
//! Must not: do I/O, read a clock, or know where endpoints came from (DNS or
//! the API): it takes [`hsvc_resolve::endpoints::EndpointSet`]s.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod follow;
pub mod pick;
pub mod selection;
