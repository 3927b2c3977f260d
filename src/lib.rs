//! hsvc: Kubernetes headless Services from cluster DNS.
