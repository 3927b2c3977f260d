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
//!
//! ```no_run
//! use hsvc_resolve::dns::QueryOptions;
//! use hsvc_resolve::lookup::{PortQuery, Resolver};
//! use hsvc_resolve::name::{Context, Target};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = Context::new(Some("shop"), None, &[]);
//! let target = Target::parse("api", &ctx)?; // api.shop.svc.cluster.local.
//! let resolver = Resolver::new(vec!["10.96.0.10:53".parse()?], QueryOptions::default());
//! let answer = resolver.resolve(target, &PortQuery::default()).await;
//! println!("{:?} from {}", answer.status(), answer.via.server);
//! for ep in &answer.endpoints {
//!     println!("{} {:?} ttl {}", ep.identity(), ep.ports, ep.ttl);
//! }
//! # Ok(()) }
//! ```

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
