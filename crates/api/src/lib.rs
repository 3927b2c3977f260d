//! The Kubernetes API view of a headless Service, and what CoreDNS should
//! answer for it.
//!
//! Owns: reading the API as kubectl would ([`config`]: kubeconfig,
//! in-cluster, a plain `kubectl proxy` URL; [`client`]: the Service and every
//! EndpointSlice carrying its name, the headless Services of a namespace,
//! [`watch`]: a Service's endpoints as they change), the plain data those
//! reads produce ([`model`]), cluster DNS through the API server's pod
//! port-forward ([`portforward`], feature `portforward`), the CoreDNS prediction from it ([`predict`],
//! pure) and its comparison with a DNS answer ([`compare`], pure). Errors
//! are typed ([`error`]) so that the CLI maps them to exit codes.
//!
//! Must not: print, read flags, or pick a Kubernetes version for
//! `k8s-openapi` (only the final binary may).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod changes;
pub mod client;
pub mod compare;
pub mod config;
pub mod convert;
pub mod error;
pub mod lag;
pub mod model;
#[cfg(feature = "portforward")]
pub mod portforward;
pub mod predict;
pub mod watch;
