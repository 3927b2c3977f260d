//! hsvc: Kubernetes headless Services from cluster DNS.

#[cfg(feature = "server")]
pub mod server;
