//! The JSON documents hsvc prints, read back strictly, so that a field
//! added, renamed or dropped without the tests knowing fails them:
//!
//! - every struct denies unknown fields;
//! - every field a document always carries is required, also an `Option`
//!   one (printed as `null` when empty: `#[serde(deserialize_with =
//!   "required")]`, without which serde would take a missing field for
//!   `None`);
//! - a field hsvc leaves out when empty is an `Option` that may be absent
//!   (or a list that defaults to empty).
//!
//! One type per document or JSON Lines line:
//!
//! | schema | `-o json` | `-o jsonl` |
//! |---|---|---|
//! | `hsvc.resolve/v1` | [`ResolveDoc`], [`ResolveRejected`] (a name refused before any query) | the same |
//! | `hsvc.diff/v1` | [`DiffDoc`] | the same |
//! | `hsvc.watch/v1` | [`WatchEvent`] lines, then [`WatchEnd`]; either is a [`WatchLine`] | the same |
//! | `hsvc.pick/v1` | [`PickDoc`] | [`PickLine`] |
//! | `hsvc.check/v1` | [`CheckDoc`] | [`CheckLine`] |
//! | `hsvc.endpoints/v1` (`resolve --source api`) | [`EndpointsDoc`] | the same |
//! | `hsvc.ls/v1` | [`LsDoc`] | the same |
//! | `hsvc.verify/v1` | [`VerifyDoc`] | the same |
//!
//! An API source that cannot be read prints [`ApiErrorDoc`] under any of
//! the last three schemas.
//!
//! Addresses, names and enumerations are kept as the strings hsvc prints.
//!
//! The same types generate the JSON Schemas of docs/schema/ (schemars;
//! tests/schema.rs), so what the tests accept and what script authors are
//! told are one definition.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A document with a `schema` field, read as its type.
pub trait Document: DeserializeOwned {
    /// The `schema` value documents of this type carry.
    const SCHEMA: &'static str;
    /// The `schema` value this one carries.
    fn schema(&self) -> &str;
    /// Whether `schema` is one this type is read under.
    fn accepts(schema: &str) -> bool {
        schema == Self::SCHEMA
    }
}

/// `text` as a `T`, its `schema` checked; panics with the text otherwise.
pub fn parse<T: Document>(text: &str) -> T {
    parse_or(text, String::new)
}

/// [`parse`], with `context()` added to the failure message.
pub fn parse_or<T: Document>(text: &str, context: impl FnOnce() -> String) -> T {
    let doc: T = serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "not a {} document as the tests know it ({e}):\n{text}\n{}",
            T::SCHEMA,
            context()
        )
    });
    assert!(
        T::accepts(doc.schema()),
        "schema {} where {} was expected: {text}",
        doc.schema(),
        T::SCHEMA
    );
    doc
}

/// The JSON Schema of a field read with [`required`]: `Option<T>`'s
/// (`null` or a `T`), but required, as schemars makes any field whose type
/// is not an `Option`.
pub struct Nullable<T>(std::marker::PhantomData<T>);

impl<T: schemars::JsonSchema> schemars::JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Option<T>>::schema_name()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Option<T>>::json_schema(g)
    }
}

/// For `Option` fields a document always carries: `null` is `None`, a
/// missing field is an error.
fn required<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

macro_rules! document {
    ($($t:ty => $schema:literal),* $(,)?) => {
        $(impl Document for $t {
            const SCHEMA: &'static str = $schema;
            fn schema(&self) -> &str {
                &self.schema
            }
        })*
    };
}

document! {
    ResolveDoc => "hsvc.resolve/v1",
    ResolveRejected => "hsvc.resolve/v1",
    DiffDoc => "hsvc.diff/v1",
    WatchEvent => "hsvc.watch/v1",
    WatchEnd => "hsvc.watch/v1",
    PickDoc => "hsvc.pick/v1",
    CheckDoc => "hsvc.check/v1",
    EndpointsDoc => "hsvc.endpoints/v1",
    LsDoc => "hsvc.ls/v1",
    VerifyDoc => "hsvc.verify/v1",
}

// ---------------------------------------------------------------- shared

/// Why a resolution failed.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorInfo {
    pub kind: String,
    pub message: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
}

/// A port of an endpoint, from SRV.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub protocol: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub name: Option<String>,
    pub weight: u16,
    pub priority: u16,
}

/// The endpoints of one set that share a key (`hsvc diff` and `hsvc watch`).
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub key: String,
    pub ip: String,
    pub ips: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub fqdn: Option<String>,
    pub ports: Vec<Port>,
    pub ttl: u32,
}

// ---------------------------------------------------------------- resolve

/// `hsvc resolve -o json`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveDoc {
    pub schema: String,
    pub name: String,
    pub fqdn: String,
    pub kind: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub service: Option<String>,
    pub status: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
    pub transport: String,
    pub truncated: bool,
    pub retried_tcp: bool,
    pub complete: bool,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u32>")]
    pub ttl: Option<u32>,
    pub latency_ms: f64,
    pub endpoints: Vec<Endpoint>,
    pub queries: Vec<Query>,
    /// Only with `--search`.
    pub search: Option<Search>,
    pub warnings: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

impl ResolveDoc {
    /// The endpoints' IPs, in order.
    pub fn ips(&self) -> Vec<String> {
        self.endpoints.iter().map(|e| e.ip.clone()).collect()
    }
}

/// One endpoint of a resolve document.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub ip: String,
    pub family: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub fqdn: Option<String>,
    pub ports: Vec<Port>,
    pub ttl: u32,
    /// PTR names; left out unless there are some.
    #[serde(default)]
    pub ptr: Vec<String>,
}

/// One query as sent.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub purpose: String,
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub server: String,
    pub transport: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub error: Option<String>,
    pub answers: usize,
    pub truncated: bool,
    pub latency_ms: f64,
}

/// The search walk of `resolve --search`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Search {
    pub resolver: String,
    pub follows: String,
    pub ndots: u8,
    pub dots: usize,
    pub search: Vec<String>,
    pub steps: Vec<SearchStep>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub found: Option<String>,
    pub getaddrinfo: String,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchStep {
    pub candidate: String,
    pub as_is: bool,
    pub asked: Vec<String>,
    pub replies: Vec<String>,
    pub result: String,
    pub then: String,
    pub addresses: usize,
}

/// `hsvc resolve -o json` for a name rejected before any query.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRejected {
    pub schema: String,
    pub name: String,
    pub status: String,
    /// Always empty.
    pub endpoints: Vec<Endpoint>,
    pub error: ErrorInfo,
}

// ---------------------------------------------------------------- diff

/// `hsvc diff -o json`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffDoc {
    pub schema: String,
    pub by: String,
    pub identical: bool,
    pub sources: Vec<DiffSource>,
    pub common: Vec<Entry>,
    pub only_in: Vec<Vec<Entry>>,
    pub changed: Vec<DiffChanged>,
    pub rows: Vec<DiffRow>,
    pub summary: DiffSummary,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffSource {
    pub label: String,
    pub name: String,
    pub fqdn: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub namespace: Option<String>,
    pub server: String,
    pub status: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u32>")]
    pub ttl: Option<u32>,
    pub count: usize,
    pub latency_ms: f64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffChanged {
    pub key: String,
    pub fields: Vec<String>,
    pub values: Vec<Option<Entry>>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffRow {
    pub key: String,
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    pub present: Vec<Option<bool>>,
    pub changed: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffSummary {
    pub common: usize,
    pub only_in: Vec<usize>,
    pub partial: usize,
    pub changed: usize,
}

// ---------------------------------------------------------------- watch

/// One event of `hsvc watch -o jsonl` (or `-o json`).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchEvent {
    pub schema: String,
    pub event: String,
    pub time: String,
    pub source: String,
    pub name: String,
    pub fqdn: String,
    pub server: String,
    pub count: usize,
    pub status: Option<String>,
    pub rcode: Option<String>,
    pub endpoint: Option<Entry>,
    pub before: Option<Entry>,
    pub fields: Option<Vec<String>>,
    pub endpoints: Option<Vec<Entry>>,
    pub error: Option<ErrorInfo>,
    pub failures: Option<u64>,
}

/// The last line of a watch: why it stopped and what it saw.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchEnd {
    pub schema: String,
    pub event: String,
    pub time: String,
    pub reason: String,
    pub elapsed_ms: u64,
    pub resolutions: u64,
    pub events: u64,
    pub sources: Vec<WatchEndSource>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchEndSource {
    pub source: String,
    pub fqdn: String,
    pub server: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub status: Option<String>,
    pub count: usize,
    pub resolutions: u64,
    pub failures: u64,
    pub events: u64,
    pub failing: bool,
}

/// Any line of a watch: an event, or the end (`"event": "end"`).
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // a few lines per test: size is no concern
pub enum WatchLine {
    Event(WatchEvent),
    End(WatchEnd),
}

impl<'de> Deserialize<'de> for WatchLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if v.get("event").and_then(|e| e.as_str()) == Some("end") {
            WatchEnd::deserialize(v).map(WatchLine::End)
        } else {
            WatchEvent::deserialize(v).map(WatchLine::Event)
        }
        .map_err(serde::de::Error::custom)
    }
}

/// Read by hand above (on `event`), so described by hand: one of the two.
impl schemars::JsonSchema for WatchLine {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WatchLine".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Any line of a watch: an event, or the end (`\"event\": \"end\"`).",
            "oneOf": [g.subschema_for::<WatchEvent>(), g.subschema_for::<WatchEnd>()]
        })
    }
}

impl Document for WatchLine {
    const SCHEMA: &'static str = "hsvc.watch/v1";
    fn schema(&self) -> &str {
        match self {
            WatchLine::Event(e) => &e.schema,
            WatchLine::End(e) => &e.schema,
        }
    }
}

impl WatchLine {
    /// The `event` value (`end` for the end).
    pub fn event(&self) -> &str {
        match self {
            WatchLine::Event(e) => &e.event,
            WatchLine::End(e) => &e.event,
        }
    }

    /// The event; panics at the end line.
    pub fn into_event(self) -> WatchEvent {
        match self {
            WatchLine::Event(e) => e,
            WatchLine::End(e) => panic!("an end line, not an event: {e:?}"),
        }
    }
}

// ---------------------------------------------------------------- pick

/// `hsvc pick -o json` (picks, or `--simulate`).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PickDoc {
    pub schema: String,
    // The header: what the picks were made from.
    pub name: String,
    pub fqdn: String,
    pub status: String,
    pub policy: String,
    pub identity: String,
    pub weights: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub offset: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub seed: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub table_size: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
    pub transport: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u32>")]
    pub ttl: Option<u32>,
    // The document.
    pub members: Vec<Member>,
    pub picks: Vec<PickRecord>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<Simulation>")]
    pub simulation: Option<Simulation>,
    pub warnings: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

impl PickDoc {
    /// The picked members' ids, in order.
    pub fn picked(&self) -> Vec<String> {
        self.picks.iter().map(|p| p.id.clone()).collect()
    }

    /// The members' ids, in canonical order.
    pub fn member_ids(&self) -> Vec<String> {
        self.members.iter().map(|m| m.id.clone()).collect()
    }
}

/// One member of the canonical set.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub id: String,
    pub ip: String,
    pub addresses: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u16>")]
    pub port: Option<u16>,
    pub address: String,
    pub weight: u32,
}

/// One pick of a JSON document.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PickRecord {
    pub n: u64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub key: Option<String>,
    pub id: String,
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u16>")]
    pub port: Option<u16>,
    pub address: String,
}

/// The `simulation` object of `--simulate`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    pub picks: u64,
    pub keys: String,
    pub members: Vec<SimMember>,
    pub max_over_mean: f64,
    pub min_over_mean: f64,
    pub movement_keys: usize,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<f64>")]
    pub moved_if_added: Option<f64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<f64>")]
    pub ideal_moved_if_added: Option<f64>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimMember {
    pub id: String,
    pub address: String,
    pub weight: u32,
    pub picks: u64,
    pub share: f64,
    pub expected_share: f64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<f64>")]
    pub moved_if_removed: Option<f64>,
}

/// A line of `hsvc pick -o jsonl`, by its `event`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum PickLine {
    /// The set in use (first, and after each change with `--follow`).
    Set(PickSet),
    /// One pick.
    Pick(PickPick),
    /// The command failed before any pick.
    Error(PickError),
}

impl Document for PickLine {
    const SCHEMA: &'static str = "hsvc.pick/v1";
    fn schema(&self) -> &str {
        match self {
            PickLine::Set(l) => &l.schema,
            PickLine::Pick(l) => &l.schema,
            PickLine::Error(l) => &l.schema,
        }
    }
}

impl PickLine {
    /// The `event` value.
    pub fn event(&self) -> &'static str {
        match self {
            PickLine::Set(_) => "set",
            PickLine::Pick(_) => "pick",
            PickLine::Error(_) => "error",
        }
    }

    /// The set line; panics at another.
    pub fn set(&self) -> &PickSet {
        match self {
            PickLine::Set(s) => s,
            other => panic!("not a set line: {other:?}"),
        }
    }

    /// The pick line; panics at another.
    pub fn pick(&self) -> &PickPick {
        match self {
            PickLine::Pick(p) => p,
            other => panic!("not a pick line: {other:?}"),
        }
    }
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PickSet {
    pub schema: String,
    pub generation: u64,
    // The header, as in `PickDoc`.
    pub name: String,
    pub fqdn: String,
    pub status: String,
    pub policy: String,
    pub identity: String,
    pub weights: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub offset: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub seed: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub table_size: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
    pub transport: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u32>")]
    pub ttl: Option<u32>,
    pub members: Vec<Member>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PickPick {
    pub schema: String,
    pub generation: u64,
    pub n: u64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub key: Option<String>,
    pub id: String,
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u16>")]
    pub port: Option<u16>,
    pub address: String,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PickError {
    pub schema: String,
    // The header, as in `PickDoc`.
    pub name: String,
    pub fqdn: String,
    pub status: String,
    pub policy: String,
    pub identity: String,
    pub weights: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub offset: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub seed: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u64>")]
    pub table_size: Option<u64>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
    pub transport: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u32>")]
    pub ttl: Option<u32>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

// ---------------------------------------------------------------- check

/// `hsvc check -o json`: one document at the end of the run.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckDoc {
    pub schema: String,
    // The plan: what is checked, how.
    pub name: String,
    pub fqdn: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub service: Option<String>,
    pub check: Probe,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u16>")]
    pub port: Option<u16>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub port_name: Option<String>,
    pub concurrency: u32,
    pub connect_timeout_ms: f64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<f64>")]
    pub http_timeout_ms: Option<f64>,
    pub min_healthy: String,
    pub rounds: u32,
    // The document.
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<CheckDns>")]
    pub dns: Option<CheckDns>,
    pub results: Vec<CheckResult>,
    pub changes: Vec<CheckChange>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<CheckSummary>")]
    pub summary: Option<CheckSummary>,
    pub warnings: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

/// The `check` object: `{"type": "tcp"}` or `{"type": "http", "path": …,
/// "expect": …}`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Probe {
    Tcp,
    Http { path: String, expect: String },
}

/// What happened to one probe, by its `kind`; `text` is the short form
/// tables show.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    Open { text: String },
    Refused { text: String },
    Timeout { text: String },
    Unreachable { text: String },
    Http { status: u16, ok: bool, text: String },
    HttpTimeout { text: String },
    Error { error: String, text: String },
}

impl Outcome {
    /// The `kind` value.
    pub fn kind(&self) -> &'static str {
        match self {
            Outcome::Open { .. } => "open",
            Outcome::Refused { .. } => "refused",
            Outcome::Timeout { .. } => "timeout",
            Outcome::Unreachable { .. } => "unreachable",
            Outcome::Http { .. } => "http",
            Outcome::HttpTimeout { .. } => "http_timeout",
            Outcome::Error { .. } => "error",
        }
    }

    /// The `text` value.
    pub fn text(&self) -> &str {
        match self {
            Outcome::Open { text }
            | Outcome::Refused { text }
            | Outcome::Timeout { text }
            | Outcome::Unreachable { text }
            | Outcome::Http { text, .. }
            | Outcome::HttpTimeout { text }
            | Outcome::Error { text, .. } => text,
        }
    }
}

/// One probed target.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub fqdn: Option<String>,
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub port_name: Option<String>,
    pub healthy: bool,
    pub outcome: Outcome,
    pub latency_ms: f64,
}

/// The health of a target in one round.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub healthy: bool,
    pub outcome: Outcome,
}

/// One state change after the first round.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckChange {
    pub round: u32,
    pub ip: String,
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    pub kind: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<State>")]
    pub before: Option<State>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<State>")]
    pub after: Option<State>,
}

/// The verdict of one round.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSummary {
    pub round: u32,
    pub total: usize,
    pub healthy: usize,
    pub unhealthy: usize,
    pub required: usize,
    pub ok: bool,
    pub wall_ms: f64,
}

/// What DNS said.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckDns {
    pub status: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub rcode: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub server: Option<String>,
    pub transport: String,
    pub endpoints: usize,
    pub latency_ms: f64,
}

/// A line of `hsvc check -o jsonl`, by its `type`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum CheckLine {
    /// First: what is checked, how.
    Start(CheckStart),
    /// One target of the first round.
    Result(CheckResultLine),
    /// One state change in a later round.
    Change(CheckChangeLine),
    /// After each round.
    Summary(CheckSummaryLine),
    /// The run stopped on an error.
    Error(CheckErrorLine),
}

impl Document for CheckLine {
    const SCHEMA: &'static str = "hsvc.check/v1";
    fn schema(&self) -> &str {
        match self {
            CheckLine::Start(l) => &l.schema,
            CheckLine::Result(l) => &l.schema,
            CheckLine::Change(l) => &l.schema,
            CheckLine::Summary(l) => &l.schema,
            CheckLine::Error(l) => &l.schema,
        }
    }
}

impl CheckLine {
    /// The `type` value.
    pub fn kind(&self) -> &'static str {
        match self {
            CheckLine::Start(_) => "start",
            CheckLine::Result(_) => "result",
            CheckLine::Change(_) => "change",
            CheckLine::Summary(_) => "summary",
            CheckLine::Error(_) => "error",
        }
    }

    pub fn start(&self) -> &CheckStart {
        match self {
            CheckLine::Start(l) => l,
            other => panic!("not a start line: {other:?}"),
        }
    }

    pub fn result(&self) -> &CheckResultLine {
        match self {
            CheckLine::Result(l) => l,
            other => panic!("not a result line: {other:?}"),
        }
    }

    pub fn change(&self) -> &CheckChangeLine {
        match self {
            CheckLine::Change(l) => l,
            other => panic!("not a change line: {other:?}"),
        }
    }

    pub fn summary(&self) -> &CheckSummaryLine {
        match self {
            CheckLine::Summary(l) => l,
            other => panic!("not a summary line: {other:?}"),
        }
    }
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckStart {
    pub schema: String,
    // The plan, as in `CheckDoc`.
    pub name: String,
    pub fqdn: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub namespace: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub service: Option<String>,
    pub check: Probe,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<u16>")]
    pub port: Option<u16>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub port_name: Option<String>,
    pub concurrency: u32,
    pub connect_timeout_ms: f64,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<f64>")]
    pub http_timeout_ms: Option<f64>,
    pub min_healthy: String,
    pub rounds: u32,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResultLine {
    pub schema: String,
    pub round: u32,
    // The target, as in `CheckResult`.
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub fqdn: Option<String>,
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub port_name: Option<String>,
    pub healthy: bool,
    pub outcome: Outcome,
    pub latency_ms: f64,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckChangeLine {
    pub schema: String,
    // The change, as in `CheckChange`.
    pub round: u32,
    pub ip: String,
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    pub kind: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<State>")]
    pub before: Option<State>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<State>")]
    pub after: Option<State>,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSummaryLine {
    pub schema: String,
    // The verdict, as in `CheckSummary`.
    pub round: u32,
    pub total: usize,
    pub healthy: usize,
    pub unhealthy: usize,
    pub required: usize,
    pub ok: bool,
    pub wall_ms: f64,
    pub dns: CheckDns,
}

#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckErrorLine {
    pub schema: String,
    pub error: ErrorInfo,
}

// ---------------------------------------------------------------- the API source

/// `hsvc resolve --source api -o json`: the API's view of one Service.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointsDoc {
    pub schema: String,
    pub name: String,
    pub namespace: String,
    pub service_name: String,
    /// `ok` or `empty`.
    pub status: String,
    pub api: ApiSource,
    /// `endpoint_slice` or `endpoints`.
    pub origin: String,
    pub headless: bool,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ApiService>")]
    pub service: Option<ApiService>,
    pub ready: usize,
    pub total: usize,
    pub endpoints: Vec<ApiEndpoint>,
    pub slices: Vec<ApiSlice>,
    pub latency_ms: f64,
    pub warnings: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

/// `hsvc ls -o json`: the headless Services.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LsDoc {
    pub schema: String,
    /// `null` for all namespaces.
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub namespace: Option<String>,
    pub services: Vec<HeadlessService>,
    pub filtered_client_side: bool,
    pub origin: String,
    pub warnings: Vec<ViewWarning>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

/// `hsvc verify -o json`: the API's prediction against each DNS server.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyDoc {
    pub schema: String,
    pub name: String,
    pub namespace: String,
    pub service_name: String,
    pub api: ApiSource,
    pub origin: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ApiService>")]
    pub service: Option<ApiService>,
    pub endpoints: Vec<ApiEndpoint>,
    // The comparison.
    pub prediction: Prediction,
    pub servers: Vec<ServerReport>,
    /// `match`, `differs` or `failed`.
    pub verdict: String,
    // The document.
    pub warnings: Vec<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<ErrorInfo>")]
    pub error: Option<ErrorInfo>,
}

/// The document when the API could not be read, under the schema of the
/// command (`hsvc.endpoints/v1`, `hsvc.ls/v1`, `hsvc.verify/v1`).
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiErrorDoc {
    pub schema: String,
    pub name: String,
    /// Always `error`.
    pub status: String,
    pub error: ErrorInfo,
}

impl Document for ApiErrorDoc {
    const SCHEMA: &'static str = "hsvc.endpoints/v1, hsvc.ls/v1 or hsvc.verify/v1";
    fn schema(&self) -> &str {
        &self.schema
    }
    fn accepts(schema: &str) -> bool {
        ["hsvc.endpoints/v1", "hsvc.ls/v1", "hsvc.verify/v1"].contains(&schema)
    }
}

/// Where the API was read.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiSource {
    pub server: String,
    pub credentials: Credentials,
    pub namespace_source: NsSource,
}

/// Whose credentials the requests carried, by `kind`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Credentials {
    Context { context: String, files: Vec<String> },
    InCluster,
    Anonymous,
}

/// Where the namespace came from, by `from`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "from", rename_all = "snake_case", deny_unknown_fields)]
pub enum NsSource {
    Flag,
    Context { context: String },
    ServiceAccount,
    Default,
}

impl NsSource {
    /// The `from` value.
    pub fn tag(&self) -> &'static str {
        match self {
            NsSource::Flag => "flag",
            NsSource::Context { .. } => "context",
            NsSource::ServiceAccount => "service_account",
            NsSource::Default => "default",
        }
    }
}

/// A Service object as hsvc reads it.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiService {
    pub namespace: String,
    pub name: String,
    #[serde(rename = "type")]
    pub service_type: String,
    pub cluster_ips: Vec<String>,
    pub headless: bool,
    pub publish_not_ready_addresses: bool,
    pub ports: Vec<ServicePort>,
    pub selector: BTreeMap<String, String>,
    /// Only for an ExternalName Service.
    pub external_name: Option<String>,
}

/// `spec.ports[]`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePort {
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub name: Option<String>,
    pub port: i32,
    /// Only when set.
    pub target_port: Option<String>,
    pub protocol: String,
}

/// An endpoint's `conditions` (`null`: unknown).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<bool>")]
    pub ready: Option<bool>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<bool>")]
    pub serving: Option<bool>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<bool>")]
    pub terminating: Option<bool>,
}

/// A port of an EndpointSlice.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlicePort {
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub name: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<i32>")]
    pub port: Option<i32>,
    pub protocol: String,
    /// Only when set.
    pub app_protocol: Option<String>,
}

/// One address of the Service, merged across its slices.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiEndpoint {
    pub ip: String,
    pub family: String,
    pub conditions: Conditions,
    pub published: bool,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub pod: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub node: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub zone: Option<String>,
    pub ports: Vec<SlicePort>,
    pub slices: Vec<String>,
}

/// One EndpointSlice (or v1 Endpoints subset) as stored.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiSlice {
    pub name: String,
    pub address_type: String,
    pub ports: Vec<SlicePort>,
    pub endpoints: Vec<SliceEndpoint>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SliceEndpoint {
    pub addresses: Vec<String>,
    pub conditions: Conditions,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub hostname: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub pod: Option<String>,
    /// Only when not `Pod`.
    pub target_kind: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub node: Option<String>,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub zone: Option<String>,
}

/// One headless Service of `hsvc ls`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadlessService {
    pub namespace: String,
    pub name: String,
    pub ports: Vec<ServicePort>,
    pub selector: BTreeMap<String, String>,
    pub ready: usize,
    pub total: usize,
    pub publish_not_ready_addresses: bool,
}

/// How a list or view was obtained, when not plainly, by `kind`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ViewWarning {
    EndpointsFallback { message: String },
    EndpointsTruncated { message: String },
    NotAnAddress { slice: String, address: String },
    ConflictingHostnames { ip: String, hostnames: Vec<String> },
}

/// What CoreDNS should answer for the Service.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    pub namespace: String,
    pub name: String,
    /// `headless`, `cluster_ip`, `external_name`, `missing`.
    pub kind: String,
    pub answer: PredictedAnswer,
    pub addresses: Vec<PredictedAddress>,
    pub absent: Vec<AbsentAddress>,
    /// (target label, port) of each SRV record at the bare name.
    pub srv: Vec<(String, u16)>,
}

/// The answer at the Service name, by `rcode`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rcode", rename_all = "lowercase", deny_unknown_fields)]
pub enum PredictedAnswer {
    Noerror,
    Nxdomain,
    Cname { target: String },
}

#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictedAddress {
    pub ip: String,
    pub family: String,
    pub names: Vec<String>,
    pub ports: Vec<PredictedPort>,
    pub reason: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub pod: Option<String>,
    pub hostname_missing: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictedPort {
    pub port: u16,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub name: Option<String>,
    pub protocol: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsentAddress {
    pub ip: String,
    pub family: String,
    pub reason: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub pod: Option<String>,
    pub name: String,
}

/// The comparison with one DNS server.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerReport {
    pub server: String,
    pub verdict: String,
    pub dns_status: String,
    pub findings: Vec<Finding>,
    pub causes: Vec<String>,
    pub rows: Vec<VerifyRow>,
}

/// One address, predicted or answered.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRow {
    pub ip: String,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub pod: Option<String>,
    pub predicted: bool,
    pub in_dns: bool,
    #[serde(deserialize_with = "required")]
    #[schemars(with = "Nullable<String>")]
    pub dns_name: Option<String>,
    pub agrees: bool,
    pub findings: Vec<Finding>,
    pub causes: Vec<String>,
}

/// What the comparison found, by `kind`.
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Finding {
    Published { reason: String },
    CorrectlyAbsent { reason: String },
    StaleInDns { reason: String },
    NotInApi,
    MissingFromDns { reason: String },
    NameDiffers { predicted: Vec<String>, dns: String },
    PortsDiffer { predicted: Vec<u16>, dns: Vec<u16> },
    HostnameMissing,
    AnswerDiffers { predicted: String, dns: String },
    NotHeadless,
    NxdomainAsPredicted,
    QueryFailed { error: String },
}

impl Finding {
    /// The `kind` value.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Published { .. } => "published",
            Finding::CorrectlyAbsent { .. } => "correctly_absent",
            Finding::StaleInDns { .. } => "stale_in_dns",
            Finding::NotInApi => "not_in_api",
            Finding::MissingFromDns { .. } => "missing_from_dns",
            Finding::NameDiffers { .. } => "name_differs",
            Finding::PortsDiffer { .. } => "ports_differ",
            Finding::HostnameMissing => "hostname_missing",
            Finding::AnswerDiffers { .. } => "answer_differs",
            Finding::NotHeadless => "not_headless",
            Finding::NxdomainAsPredicted => "nxdomain_as_predicted",
            Finding::QueryFailed { .. } => "query_failed",
        }
    }
}
