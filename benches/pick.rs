//! Picker costs: rendezvous pick vs N, Maglev build and lookup, smooth WRR step.
//!
//! Run with short times on shared machines, e.g.
//! `cargo bench --bench pick -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hsvc_balance::pick::{
    sample_keys, Maglev, Member, MemberSet, Picker, Rendezvous, SmoothWeighted,
};

fn set(n: usize, weighted: bool) -> MemberSet {
    MemberSet::new(
        (0..n)
            .map(|i| {
                let id = format!(
                    "10-244-{}-{}.web.default.svc.cluster.local",
                    i / 250,
                    i % 250
                );
                Member::new(id, if weighted { 1 + (i % 4) as u32 } else { 1 })
            })
            .collect(),
    )
}

fn rendezvous(c: &mut Criterion) {
    let keys = sample_keys(1024, 1);
    let mut g = c.benchmark_group("rendezvous_pick");
    for n in [10usize, 100, 1000] {
        let r = Rendezvous::new(&set(n, false));
        let mut i = 0usize;
        g.bench_with_input(BenchmarkId::new("equal", n), &n, |b, _| {
            b.iter(|| {
                i = (i + 1) & 1023;
                r.pick_key(black_box(&keys[i]))
            })
        });
    }
    // Four distinct weights: four ln evaluations per pick.
    let r = Rendezvous::new(&set(1000, true));
    let mut i = 0usize;
    g.bench_function(BenchmarkId::new("weighted4", 1000), |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            r.pick_key(black_box(&keys[i]))
        })
    });
    g.finish();
}

fn maglev(c: &mut Criterion) {
    let s = set(1000, false);
    c.bench_function("maglev_build/1000/65537", |b| {
        b.iter(|| Maglev::new(black_box(&s)).unwrap())
    });
    let sw = set(1000, true);
    c.bench_function("maglev_build_weighted4/1000/65537", |b| {
        b.iter(|| Maglev::new(black_box(&sw)).unwrap())
    });
    let m = Maglev::new(&s).unwrap();
    let keys = sample_keys(1024, 2);
    let mut i = 0usize;
    c.bench_function("maglev_lookup/1000/65537", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            m.pick_key(black_box(&keys[i]))
        })
    });
}

fn swrr(c: &mut Criterion) {
    let mut w = SmoothWeighted::new(&set(1000, true));
    c.bench_function("swrr_next/1000", |b| b.iter(|| black_box(w.next_index())));
}

criterion_group!(benches, rendezvous, maglev, swrr);
criterion_main!(benches);
