//! Reply decoding, the fast path (`hsvc_resolve::dns::wire::decode`) against
//! hickory-proto's `Message::from_vec`, on the replies a 1000-pod
//! StatefulSet gets: an A answer of 1000 records and an SRV answer of 1000
//! records with glue (as CoreDNS sends it).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::{A, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hsvc_resolve::dns::{wire, Question};

fn reply(q: &Name, t: RecordType, answers: Vec<Record>, additionals: Vec<Record>) -> Vec<u8> {
    let mut m = Message::new(0x1234, MessageType::Response, OpCode::Query);
    m.metadata.authoritative = true;
    m.add_query(Query::query(q.clone(), t));
    m.answers = answers;
    m.additionals = additionals;
    m.to_vec().unwrap()
}

fn bench(c: &mut Criterion) {
    let q = Name::from_ascii("web.big.svc.cluster.local.").unwrap();
    let n = 1000u32;
    let addr = |i: u32| RData::A(A::from(std::net::Ipv4Addr::from(0x0a01_0001 + i)));
    let a: Vec<Record> = (0..n)
        .map(|i| Record::from_rdata(q.clone(), 30, addr(i)))
        .collect();
    let mut srv = Vec::new();
    let mut glue = Vec::new();
    for i in 0..n {
        let target = Name::from_ascii(format!("web-{i}.web.big.svc.cluster.local.")).unwrap();
        let data = RData::SRV(SRV::new(0, 1, 8080, target.clone()));
        srv.push(Record::from_rdata(q.clone(), 30, data));
        glue.push(Record::from_rdata(target, 30, addr(i)));
    }
    let cases = [
        ("1000 A", RecordType::A, reply(&q, RecordType::A, a, vec![])),
        (
            "1000 SRV + glue",
            RecordType::SRV,
            reply(&q, RecordType::SRV, srv, glue),
        ),
    ];
    for (what, t, bytes) in &cases {
        let question = Question::new(q.clone(), *t);
        c.bench_function(&format!("decode {what}: fast path"), |b| {
            b.iter(|| wire::decode(black_box(bytes), &question).unwrap())
        });
        c.bench_function(&format!("decode {what}: Message::from_vec"), |b| {
            b.iter(|| Message::from_vec(black_box(bytes)).unwrap())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
