//! `Cluster::example()` must produce exactly the records of the worked example (docs/cluster-dns.md §7)
//! (transcribed in tests/fixtures/example.zone).

use std::collections::BTreeSet;

use hickory_proto::rr::Record;
use hsvc_cluster::cluster::{rdata_text, Cluster};
use hsvc_cluster::Zone;

const FIXTURE: &str = include_str!("fixtures/example.zone");

fn key(r: &Record) -> String {
    format!(
        "{} {} {} {}",
        r.name.to_ascii().to_lowercase(),
        r.ttl,
        r.record_type(),
        rdata_text(&r.data).to_lowercase()
    )
}

fn keys<'a>(rs: impl IntoIterator<Item = &'a Record>) -> BTreeSet<String> {
    rs.into_iter().map(key).collect()
}

#[test]
fn example_cluster_matches_spec_zone() {
    let spec = Zone::parse(FIXTURE).expect("fixture parses");
    let ours = Cluster::example().records();
    let (spec, ours) = (keys(spec.records()), keys(&ours));
    let missing: Vec<_> = spec.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&spec).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    // Sanity: the parser kept every record line of the fixture.
    let lines = FIXTURE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(';') && !l.starts_with('$'))
        .count();
    assert_eq!(spec.len(), lines);
}

#[test]
fn example_cluster_has_no_duplicate_records() {
    let recs = Cluster::example().records();
    assert_eq!(keys(&recs).len(), recs.len());
}

#[test]
fn zone_text_round_trips_through_the_parser() {
    let c = Cluster::example();
    let parsed = Zone::parse(&c.zone_text()).unwrap();
    assert_eq!(keys(parsed.records()), keys(&c.records()));
    let files = c.zone_files();
    assert_eq!(
        files.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(),
        ["cluster.local.", "in-addr.arpa.", "ip6.arpa."]
    );
    for (_, text) in files {
        Zone::parse(&text).unwrap();
    }
}

#[test]
fn origins_of_fixture() {
    let z = Zone::parse(FIXTURE).unwrap();
    let o: Vec<String> = z.origins().iter().map(|n| n.to_ascii()).collect();
    assert_eq!(o, ["cluster.local.", "in-addr.arpa.", "ip6.arpa."]);
}
