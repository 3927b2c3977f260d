//! Hot paths of `hsvc resolve` on large Services: joining A and SRV records
//! into endpoints, rendering names from the wire, laying out the table.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hickory_proto::rr::Name;
use hsvc_resolve::endpoints::{join, SrvRecord};

/// Address records, SRV records and glue of an n-pod StatefulSet.
type Records = (
    Vec<(IpAddr, u32)>,
    Vec<SrvRecord>,
    HashMap<String, Vec<(IpAddr, u32)>>,
);

fn records(n: u32) -> Records {
    let base = u32::from(Ipv4Addr::new(10, 1, 0, 1));
    let mut addrs = Vec::new();
    let mut srvs = Vec::new();
    let mut glue = HashMap::new();
    for i in 0..n {
        let ip = IpAddr::V4(Ipv4Addr::from(base + i));
        let target = format!("web-{i}.web.big.svc.cluster.local.");
        addrs.push((ip, 30));
        glue.insert(target.clone(), vec![(ip, 30)]);
        srvs.push(SrvRecord {
            target,
            target_label: format!("web-{i}"),
            port: 8080,
            weight: 1,
            priority: 0,
            ttl: 30,
            port_name: None,
            protocol: None,
        });
    }
    (addrs, srvs, glue)
}

fn bench(c: &mut Criterion) {
    let (addrs, srvs, glue) = records(1000);
    c.bench_function("join 1000 A + 1000 SRV with glue", |b| {
        b.iter(|| join(black_box(&addrs), black_box(&srvs), black_box(&glue)))
    });
    let name = Name::from_ascii("web-123.web.big.svc.cluster.local.").unwrap();
    c.bench_function("display_name (LDH labels)", |b| {
        b.iter(|| hsvc_resolve::dns::display_name(black_box(&name)))
    });
    let set = join(&addrs, &srvs, &glue);
    c.bench_function("table of 1000 endpoints", |b| {
        b.iter(|| {
            let mut t = hsvc::output::table(["IP", "HOSTNAME", "PORTS", "TTL"]);
            for e in &set {
                t.add_row([
                    e.ip.to_string(),
                    hsvc::output::opt(&e.hostname),
                    hsvc::output::ports(&e.ports, false),
                    e.ttl.to_string(),
                ]);
            }
            let mut out = Vec::with_capacity(64 * 1024);
            hsvc::output::write_table(&mut out, &t).unwrap();
            out
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
