//! Hostile DNS responders on loopback, for running the real binary
//! against (`support::bin`, whose runs carry wall time and, measured, peak
//! memory):
//!
//! - [`Hostile`]: raw tokio UDP and TCP sockets on one port that answer
//!   each query as a per-test script says — with a QR=0 "reply", a foreign
//!   opcode, another question, a stray ID, a cut frame, 64 KiB of records,
//!   or nothing at all;
//! - [`Scripted`]: a UDP-only server that answers each question with the
//!   message a script builds (the ID and question filled in).
//!
//! They share no code with the client (nor with the test cluster): they
//! build replies with hickory's encoder and bend their bytes by hand.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket as StdUdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, SRV};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// Over which transport a query came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A datagram.
    Udp,
    /// A frame on a TCP connection.
    Tcp,
}

/// A query as the responder saw it.
#[derive(Clone, Debug)]
pub struct Asked {
    pub via: Via,
    pub msg: Message,
    /// How many times this (name, type, transport) was asked before.
    pub seen: usize,
}

impl Asked {
    pub fn id(&self) -> u16 {
        self.msg.metadata.id
    }
    pub fn name(&self) -> &Name {
        self.msg.queries[0].name()
    }
    pub fn rtype(&self) -> RecordType {
        self.msg.queries[0].query_type()
    }
    pub fn is(&self, name: &str, rtype: RecordType) -> bool {
        self.rtype() == rtype && *self.name() == Name::from_ascii(name).unwrap()
    }
}

/// One step of a scripted reply.
#[derive(Clone, Debug)]
pub enum Act {
    /// A DNS message: one datagram, or one length-prefixed frame.
    Send(Vec<u8>),
    /// Bytes written to the TCP stream as they are, with no prefix.
    Raw(Vec<u8>),
    /// Wait before the next step.
    Sleep(Duration),
    /// Close the TCP connection.
    Close,
}

/// What the TCP side does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpMode {
    /// Accept and answer by the script.
    Serve,
    /// Listen, but never accept: the kernel completes the handshake and
    /// the query sits unread.
    NeverAccept,
    /// Accept, read, never answer.
    Silent,
    /// A listener whose accept queue is full: the kernel drops further
    /// SYNs, so connecting hangs.
    Full,
}

type Script = dyn Fn(&Asked) -> Vec<Act> + Send + Sync;

/// A running responder; stops when dropped.
pub struct Hostile {
    pub addr: SocketAddr,
    /// TCP connections accepted.
    pub connections: Arc<AtomicUsize>,
    /// Every query seen.
    pub log: Arc<Mutex<Vec<Asked>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Hostile {
    /// UDP answers by `script`, TCP by `mode` (and `script` when serving),
    /// on one port of 127.0.0.1. A silent UDP side is a script that
    /// returns nothing.
    pub fn start(
        mode: TcpMode,
        script: impl Fn(&Asked) -> Vec<Act> + Send + Sync + 'static,
    ) -> Hostile {
        let script: Arc<Script> = Arc::new(script);
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let connections = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (c2, l2) = (connections.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                // One port for both transports, as a DNS server has.
                let (udp, tcp) = loop {
                    let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    let port = udp.local_addr().unwrap();
                    let sock = tokio::net::TcpSocket::new_v4().unwrap();
                    if sock.bind(port).is_err() {
                        continue;
                    }
                    let backlog = if mode == TcpMode::Full { 0 } else { 1024 };
                    if let Ok(tcp) = sock.listen(backlog) {
                        break (udp, tcp);
                    }
                };
                let addr = udp.local_addr().unwrap();
                // Fill the accept queue (backlog 0 holds one) until a
                // connect no longer completes.
                let mut fillers = Vec::new();
                if mode == TcpMode::Full {
                    for _ in 0..8 {
                        match tokio::time::timeout(
                            Duration::from_millis(200),
                            TcpStream::connect(addr),
                        )
                        .await
                        {
                            Ok(Ok(s)) => fillers.push(s),
                            _ => break,
                        }
                    }
                }
                tx.send(addr).unwrap();
                let udp = Arc::new(udp);
                let seen: Arc<Mutex<Vec<(Name, RecordType, Via)>>> = Arc::default();
                let serve_udp = serve_udp(udp, script.clone(), seen.clone(), l2.clone());
                let serve_tcp = async move {
                    match mode {
                        TcpMode::NeverAccept | TcpMode::Full => std::future::pending::<()>().await,
                        _ => loop {
                            let Ok((s, _)) = tcp.accept().await else {
                                continue;
                            };
                            c2.fetch_add(1, Ordering::SeqCst);
                            tokio::spawn(serve_conn(
                                s,
                                mode,
                                script.clone(),
                                seen.clone(),
                                l2.clone(),
                            ));
                        },
                    }
                    drop((tcp, fillers));
                };
                tokio::select! {
                    _ = serve_udp => {}
                    _ = serve_tcp => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("responder up");
        Hostile {
            addr,
            connections,
            log,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// The queries seen over `via`.
    pub fn asked(&self, via: Via) -> Vec<Asked> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.via == via)
            .cloned()
            .collect()
    }
}

fn note(seen: &Mutex<Vec<(Name, RecordType, Via)>>, msg: &Message, via: Via) -> usize {
    let q = &msg.queries[0];
    let key = (q.name().clone(), q.query_type(), via);
    let mut s = seen.lock().unwrap();
    let n = s.iter().filter(|k| **k == key).count();
    s.push(key);
    n
}

async fn serve_udp(
    sock: Arc<UdpSocket>,
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<(Name, RecordType, Via)>>>,
    log: Arc<Mutex<Vec<Asked>>>,
) {
    let mut buf = vec![0u8; 65535];
    loop {
        let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let Ok(msg) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        if msg.queries.len() != 1 {
            continue;
        }
        let asked = Asked {
            via: Via::Udp,
            seen: note(&seen, &msg, Via::Udp),
            msg,
        };
        log.lock().unwrap().push(asked.clone());
        let acts = script(&asked);
        let sock = sock.clone();
        tokio::spawn(async move {
            for act in acts {
                match act {
                    Act::Send(b) | Act::Raw(b) => {
                        let _ = sock.send_to(&b, peer).await;
                    }
                    Act::Sleep(d) => tokio::time::sleep(d).await,
                    Act::Close => {}
                }
            }
        });
    }
}

async fn serve_conn(
    s: TcpStream,
    mode: TcpMode,
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<(Name, RecordType, Via)>>>,
    log: Arc<Mutex<Vec<Asked>>>,
) {
    let (mut rd, wr) = s.into_split();
    let wr = Arc::new(tokio::sync::Mutex::new(Some(wr)));
    loop {
        let mut len = [0u8; 2];
        if rd.read_exact(&mut len).await.is_err() {
            return;
        }
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if rd.read_exact(&mut body).await.is_err() {
            return;
        }
        let Ok(msg) = Message::from_vec(&body) else {
            continue;
        };
        if msg.queries.len() != 1 {
            continue;
        }
        let asked = Asked {
            via: Via::Tcp,
            seen: note(&seen, &msg, Via::Tcp),
            msg,
        };
        log.lock().unwrap().push(asked.clone());
        if mode == TcpMode::Silent {
            continue;
        }
        let acts = script(&asked);
        let wr = wr.clone();
        tokio::spawn(async move {
            for act in acts {
                let mut guard = wr.lock().await;
                let Some(w) = guard.as_mut() else { return };
                let r = match act {
                    Act::Send(b) => {
                        let mut f = (b.len() as u16).to_be_bytes().to_vec();
                        f.extend_from_slice(&b);
                        w.write_all(&f).await
                    }
                    Act::Raw(b) => w.write_all(&b).await,
                    Act::Sleep(d) => {
                        drop(guard);
                        tokio::time::sleep(d).await;
                        Ok(())
                    }
                    Act::Close => {
                        let _ = w.shutdown().await;
                        *guard = None;
                        Ok(())
                    }
                };
                if r.is_err() {
                    return;
                }
            }
        });
    }
}

// ---- replies ----

pub fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// A well-formed reply to `q` with `rcode` and `answers`.
pub fn reply(q: &Asked, rcode: ResponseCode, answers: Vec<Record>) -> Message {
    let mut m = Message::new(q.id(), MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = true;
    m.metadata.recursion_available = true;
    m.metadata.authoritative = true;
    m.metadata.response_code = rcode;
    m.add_query(q.msg.queries[0].clone());
    m.answers = answers;
    m
}

pub fn bytes(m: &Message) -> Vec<u8> {
    m.to_vec().unwrap()
}

/// NOERROR with `answers`, as bytes.
pub fn ok(q: &Asked, answers: Vec<Record>) -> Vec<u8> {
    bytes(&reply(q, ResponseCode::NoError, answers))
}

/// NOERROR, no records (NODATA).
pub fn nodata(q: &Asked) -> Vec<u8> {
    ok(q, Vec::new())
}

pub fn rcode(q: &Asked, rc: ResponseCode) -> Vec<u8> {
    bytes(&reply(q, rc, Vec::new()))
}

/// An A record for the question's name.
pub fn a(q: &Asked, ip: Ipv4Addr) -> Record {
    Record::from_rdata(q.name().clone(), 30, RData::A(A(ip)))
}

pub fn srv(owner: &Name, port: u16, target: &str) -> Record {
    Record::from_rdata(
        owner.clone(),
        30,
        RData::SRV(SRV::new(0, 100, port, name(target))),
    )
}

/// The same reply with the TC bit set and no records.
pub fn truncated(q: &Asked) -> Vec<u8> {
    let mut m = reply(q, ResponseCode::NoError, Vec::new());
    m.metadata.truncation = true;
    bytes(&m)
}

/// The bytes of `m` with QR cleared: a query, not a response.
pub fn qr0(mut b: Vec<u8>) -> Vec<u8> {
    b[2] &= !0x80;
    b
}

/// The bytes of `m` with opcode `op`.
pub fn opcode(mut b: Vec<u8>, op: u8) -> Vec<u8> {
    b[2] = (b[2] & !0x78) | (op << 3);
    b
}

/// The bytes with message ID `id`.
pub fn with_id(mut b: Vec<u8>, id: u16) -> Vec<u8> {
    b[..2].copy_from_slice(&id.to_be_bytes());
    b
}

/// A reply to `q` whose question is `name`/`rtype` in `class`, carrying
/// `answers` (owned by that name).
pub fn for_question(
    q: &Asked,
    name: &Name,
    rtype: RecordType,
    class: DNSClass,
    answers: Vec<Record>,
) -> Vec<u8> {
    let mut m = reply(q, ResponseCode::NoError, Vec::new());
    let mut other = Query::query(name.clone(), rtype);
    other.set_query_class(class);
    m.queries = vec![other];
    m.answers = answers;
    bytes(&m)
}

/// As many A records of `owner` as fit a message of about `size` bytes:
/// 16 bytes each with a compressed owner name.
pub fn many_a(owner: &Name, size: usize) -> Vec<Record> {
    (0..(size.saturating_sub(100) / 16) as u32)
        .map(|i| {
            Record::from_rdata(
                owner.clone(),
                30,
                RData::A(A(Ipv4Addr::from(0x0a00_0000 + i))),
            )
        })
        .collect()
}

/// A NOERROR reply to `q` with `n` A records (10.0.0.0 upwards), built
/// as bytes: each record's owner is a pointer to the question name, so the
/// records are the same 16 bytes apart for every question and `block`
/// (from [`a_block`]) is reused as it is.
pub fn ok_with_a_block(q: &Asked, block: &[u8]) -> Vec<u8> {
    let n = (block.len() / 16) as u16;
    let mut out = Vec::with_capacity(12 + 260 + block.len());
    out.extend_from_slice(&q.id().to_be_bytes());
    out.extend_from_slice(&[0x85, 0x80]); // QR AA RD RA, NOERROR
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let mut qname = Vec::new();
    for label in q.name().iter() {
        qname.push(label.len() as u8);
        qname.extend_from_slice(label);
    }
    qname.push(0);
    out.extend_from_slice(&qname);
    out.extend_from_slice(&[0, 1, 0, 1]); // A, IN
    out.extend_from_slice(block);
    out
}

/// `n` A records owned by the name at offset 12 (the question's).
pub fn a_block(n: u32) -> Vec<u8> {
    let mut b = Vec::with_capacity(n as usize * 16);
    for i in 0..n {
        b.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]);
        b.extend_from_slice(&(0x0a00_0000 + i).to_be_bytes());
    }
    b
}

// ---- a scripted UDP server ----

type Answer = dyn Fn(&Query) -> Message + Send + Sync;

/// A UDP server on 127.0.0.1 that answers each question with `script`
/// (its ID and question set from the query); nothing listens on TCP.
/// Stops when dropped.
pub struct Scripted {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Scripted {
    pub fn start(script: Box<Answer>) -> Scripted {
        let sock = StdUdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = sock.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !flag.load(Ordering::Relaxed) {
                let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(q) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let Some(query) = q.queries.first() else {
                    continue;
                };
                let mut reply = script(query);
                reply.metadata.id = q.metadata.id;
                reply.queries = vec![query.clone()];
                let _ = sock.send_to(&reply.to_vec().unwrap(), peer);
            }
        });
        Scripted {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
