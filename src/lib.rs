//! hsvc: Kubernetes headless Services from cluster DNS.
pub mod probe;
