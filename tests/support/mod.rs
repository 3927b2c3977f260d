//! Support for the integration tests, one module per job. A test file
//! declares `mod support;` and imports what it needs:
//!
//! - [`bin`]: the real `hsvc` binary, run once ([`bin::hsvc`], [`bin::Run`])
//!   or spawned and read line by line ([`bin::Spawned`]), and the temporary
//!   files its arguments point at ([`bin::temp_file`], removed on drop);
//! - [`cluster`]: the test cluster and its in-process cluster DNS on
//!   loopback ([`cluster::Dns`]), which the binary is pointed at;
//! - [`dns`]: a raw DNS client (UDP and TCP, async and blocking) for
//!   asking servers directly;
//! - [`hostile`]: hostile DNS responders that answer as a test's script
//!   says (stray IDs, wrong questions, cut frames, huge replies, silence);
//! - [`pods`]: fake pods: loopback listeners that accept, refuse, hang or
//!   answer HTTP;
//! - [`interop`]: BIND 9, Knot, dnsdist and nsupdate on loopback, and the
//!   oracle that computes expected answers from a cluster's zone;
//! - [`libc`]: the real glibc and musl `getaddrinfo()` in private
//!   namespaces against a logging DNS server (the libc_walk matrix);
//! - [`schema`]: the JSON documents hsvc prints, as strict serde types;
//! - [`docs_gen`]: completions and man pages from the clap definitions
//!   (shared with `examples/gen_docs.rs`).
//!
//! Every test binary compiles every module and uses only some of them.
#![allow(dead_code)]

pub mod bin;
pub mod cluster;
pub mod dns;
pub mod docs_gen;
pub mod hostile;
pub mod interop;
pub mod libc;
pub mod pods;
pub mod schema;
pub mod standin;
