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
//!
//! ```
//! use hsvc_balance::pick::{Member, MemberSet, Picker, Rendezvous};
//!
//! // Any order in, the same canonical set (and the same picks) out.
//! let set = MemberSet::new(vec![Member::new("web-1", 1), Member::new("web-0", 1)]);
//! let owner = Rendezvous::new(&set).pick_key(b"session-42").unwrap();
//! // Adding a member moves a key only onto the new member.
//! let bigger = set.with_member(Member::new("web-2", 1));
//! let now = Rendezvous::new(&bigger).pick_key(b"session-42").unwrap();
//! let (was, is) = (&set.members()[owner].id, &bigger.members()[now].id);
//! assert!(is == was || is == "web-2");
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod follow;
pub mod pick;
pub mod selection;
