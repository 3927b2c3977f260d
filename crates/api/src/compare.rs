//! A [`Prediction`] against what each DNS server actually answered, with
//! every difference named and its likely cause. Pure.
//!
//! The DNS side is what `hsvc_resolve::lookup` produced for the Service
//! name: an [`EndpointSet`] (A + AAAA + SRV joined) and its [`Status`].
//! Addresses are matched by IP. Record names are compared where DNS gave
//! one (from SRV targets), ports where DNS asked SRV at all; SRV weights
//! and TTLs are left out (CoreDNS derives weights from the endpoint count).

use std::collections::BTreeSet;
use std::net::IpAddr;

use hsvc_resolve::endpoints::EndpointSet;
use hsvc_resolve::lookup::{LookupError, Outcome, Status};
use serde::Serialize;

use crate::predict::{AbsentReason, Answer, Prediction, PublishReason, ServiceKind};

/// What one DNS server answered for the Service name.
#[derive(Clone, Debug)]
pub struct DnsAnswer {
    /// The server, as the user knows it (`10.96.0.10:53`).
    pub server: String,
    /// Found / NXDOMAIN / NODATA, or why the lookup failed (as
    /// [`hsvc_resolve::lookup::Answer::outcome`]).
    pub outcome: Result<Outcome, LookupError>,
    /// The joined endpoints (empty unless the outcome is `Found`).
    pub endpoints: EndpointSet,
}

impl DnsAnswer {
    /// Takes what a lookup produced.
    pub fn from_lookup(server: impl Into<String>, answer: &hsvc_resolve::lookup::Answer) -> Self {
        DnsAnswer {
            server: server.into(),
            outcome: answer.outcome.clone(),
            endpoints: answer.endpoints.clone(),
        }
    }

    /// The outcome as `hsvc resolve` reports it.
    pub fn status(&self) -> Status {
        match &self.outcome {
            Ok(Outcome::Found) => Status::Ok,
            Ok(Outcome::NxDomain) => Status::Nxdomain,
            Ok(Outcome::NoData) => Status::Nodata,
            Err(_) => Status::Error,
        }
    }
}

/// The verdict for one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// DNS answered exactly what the API predicts.
    Match,
    /// Something differs (see the findings).
    Differs,
    /// The server did not answer: nothing to compare.
    Failed,
}

/// One observation about an address, or about the answer as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// Published in the API and in DNS.
    Published {
        /// Why the API publishes it.
        reason: PublishReason,
    },
    /// Not published in the API and not in DNS.
    CorrectlyAbsent {
        /// Why the API does not publish it.
        reason: AbsentReason,
    },
    /// In DNS although the API does not publish it.
    StaleInDns {
        /// Why the API does not publish it.
        reason: AbsentReason,
    },
    /// In DNS, unknown to the API.
    NotInApi,
    /// Published in the API, missing from DNS.
    MissingFromDns {
        /// Why the API publishes it.
        reason: PublishReason,
    },
    /// DNS names the address differently (first label of the SRV target).
    NameDiffers {
        /// What the API predicts.
        predicted: Vec<String>,
        /// What DNS says.
        dns: String,
    },
    /// DNS's SRV ports for the address differ from the slice's ports.
    PortsDiffer {
        /// The slice's port numbers.
        predicted: Vec<u16>,
        /// DNS's port numbers.
        dns: Vec<u16>,
    },
    /// The slice has no hostname while other endpoints have one.
    HostnameMissing,
    /// The answer's rcode differs from the prediction.
    AnswerDiffers {
        /// `noerror`, `nxdomain`, `cname`.
        predicted: String,
        /// What DNS said: `ok`, `nxdomain`, `nodata`.
        dns: String,
    },
    /// The Service is not headless: DNS answers kube-proxy's virtual IP.
    NotHeadless,
    /// Nothing to publish, NXDOMAIN as predicted.
    NxdomainAsPredicted,
    /// The DNS query failed.
    QueryFailed {
        /// Why.
        error: String,
    },
}

impl Finding {
    /// Whether this finding is an agreement (true) or a difference.
    pub fn agrees(&self) -> bool {
        matches!(
            self,
            Finding::Published { .. }
                | Finding::CorrectlyAbsent { .. }
                | Finding::HostnameMissing
                | Finding::NotHeadless
                | Finding::NxdomainAsPredicted
        )
    }

    /// The finding in words, with its likely cause.
    pub fn cause(&self) -> String {
        match self {
            Finding::Published { reason } => match reason {
                PublishReason::Ready => "ready: published".into(),
                PublishReason::ReadyUnknown => {
                    "ready unknown (unset): CoreDNS reads it as ready and publishes it".into()
                }
                PublishReason::PublishNotReady => {
                    "publishNotReadyAddresses: not-ready pod correctly published".into()
                }
                PublishReason::PublishTerminating => {
                    "publishNotReadyAddresses: terminating pod correctly published".into()
                }
                PublishReason::ReadyByWriter => {
                    "ready although not serving or terminating: the slice's writer (not the EndpointSlice controller) says so; published".into()
                }
                PublishReason::ClusterIp => {
                    "not headless: DNS answers the ClusterIP (kube-proxy's virtual IP), not the pods".into()
                }
            },
            Finding::CorrectlyAbsent { reason } => match reason {
                AbsentReason::NotReady => "not ready: correctly absent".into(),
                AbsentReason::Terminating => "terminating: correctly absent".into(),
                AbsentReason::ReadyFalse => "ready=false: correctly absent".into(),
                AbsentReason::NotHeadless => {
                    "pod of a Service with a ClusterIP: correctly absent (DNS answers the ClusterIP)".into()
                }
                AbsentReason::NoService => {
                    "no Service object: slices alone publish nothing; correctly absent".into()
                }
            },
            Finding::StaleInDns { reason } => match reason {
                AbsentReason::Terminating => "in DNS but terminating in the API — stale replica or cache window (TTL 5 s + cache)".into(),
                AbsentReason::NotReady | AbsentReason::ReadyFalse => "in DNS but not ready in the API — stale replica or cache window (TTL 5 s + cache); CoreDNS 1.8.1–1.8.3 published unready endpoints (coredns#4594)".into(),
                AbsentReason::NotHeadless => "in DNS as a pod, but the Service has a ClusterIP — it was headless before: stale replica or cache window".into(),
                AbsentReason::NoService => "in DNS but the Service does not exist — deleted: stale replica or cache window".into(),
            },
            Finding::NotInApi => "in DNS but in no EndpointSlice of the Service — a deleted pod: stale replica or cache window (TTL 5 s + cache)".into(),
            Finding::MissingFromDns { .. } => "ready in the API but missing from DNS — replica lag or CoreDNS cannot list EndpointSlices (RBAC)".into(),
            Finding::NameDiffers { predicted, dns } => {
                let want = predicted.join(" or ");
                if hsvc_resolve::name::dashed_ip(dns).is_none() && predicted.iter().all(|p| hsvc_resolve::name::dashed_ip(p).is_some()) {
                    format!("DNS names it {dns}, the slice has no hostname ({want}) — CoreDNS's endpoint_pod_names option, or a stale replica from when the pod's spec.subdomain matched")
                } else if hsvc_resolve::name::dashed_ip(dns).is_some() {
                    format!("hostname missing in DNS ({dns}, the slice says {want}) — stale replica from before the hostname was set")
                } else {
                    format!("DNS names it {dns}, the slice says {want} — stale replica")
                }
            }
            Finding::PortsDiffer { predicted, dns } => format!(
                "SRV ports {} in DNS, {} in the slice — stale replica, or the Service's targetPort changed",
                ports_text(dns),
                ports_text(predicted)
            ),
            Finding::HostnameMissing => "hostname missing: pod's spec.subdomain differs from the Service name, so DNS names it by its dashed IP (kubernetes#124207)".into(),
            Finding::AnswerDiffers { predicted, dns } => match (predicted.as_str(), dns.as_str()) {
                ("nxdomain", "ok") => "DNS answers addresses but the API has nothing to publish — stale replica or cache window".into(),
                ("noerror", "nxdomain") => "DNS says NXDOMAIN but the API has ready endpoints — replica lag, a cached NXDOMAIN (negative caching for the SOA minimum), or CoreDNS cannot list EndpointSlices (RBAC)".into(),
                ("nxdomain", "nodata") => "DNS says NODATA where CoreDNS answers NXDOMAIN for a headless Service with nothing ready — not CoreDNS's kubernetes plugin, or a cache in front".into(),
                ("noerror", "nodata") => "DNS says NODATA but the API has ready endpoints — replica lag or not CoreDNS's kubernetes plugin".into(),
                (p, d) => format!("predicted {p}, DNS answered {d}"),
            },
            Finding::NotHeadless => "not headless: the Service has a ClusterIP; DNS answers kube-proxy's virtual IP, not the pods".into(),
            Finding::NxdomainAsPredicted => "no publishable endpoint: NXDOMAIN, as predicted".into(),
            Finding::QueryFailed { error } => format!("no answer to compare: {error}"),
        }
    }
}

fn ports_text(p: &[u16]) -> String {
    if p.is_empty() {
        return "none".into();
    }
    p.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
}

/// One address of the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The address.
    pub ip: IpAddr,
    /// The pod, if the API names one.
    pub pod: Option<String>,
    /// In the predicted answer.
    pub predicted: bool,
    /// In the DNS answer.
    pub in_dns: bool,
    /// The record name DNS gave (first label of the SRV target).
    pub dns_name: Option<String>,
    /// Whether every finding agrees.
    pub agrees: bool,
    /// What was found, each with [`Finding::cause`] in `causes`.
    pub findings: Vec<Finding>,
    /// The findings in words, in the same order.
    pub causes: Vec<String>,
}

/// The comparison for one DNS server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerReport {
    /// The server.
    pub server: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What DNS said: `ok`, `nxdomain`, `nodata`, `error`.
    pub dns_status: Status,
    /// Findings about the answer as a whole.
    pub findings: Vec<Finding>,
    /// The findings in words.
    pub causes: Vec<String>,
    /// One row per address of the prediction, the API or DNS, by IP.
    pub rows: Vec<Row>,
}

/// The prediction against every server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// What the API says CoreDNS should answer.
    pub prediction: Prediction,
    /// One report per DNS server, in the order given.
    pub servers: Vec<ServerReport>,
    /// `failed` if any server failed, else `differs` if any differs, else
    /// `match`.
    pub verdict: Verdict,
}

/// Whether DNS gave SRV information at all (ports on any endpoint): ports
/// and names are only compared then (`-o plain` asks A/AAAA only).
fn dns_has_srv(set: &EndpointSet) -> bool {
    set.iter().any(|e| !e.ports.is_empty())
}

/// Compares one server's answer with the prediction.
pub fn compare_one(prediction: &Prediction, dns: &DnsAnswer) -> ServerReport {
    let mut findings = Vec::new();
    let mut rows = Vec::new();
    if let Err(e) = &dns.outcome {
        findings.push(Finding::QueryFailed {
            error: e.to_string(),
        });
        return finish(dns, Verdict::Failed, findings, rows);
    }
    let predicted_answer = match &prediction.answer {
        Answer::Noerror => "noerror",
        Answer::Nxdomain => "nxdomain",
        Answer::Cname { .. } => "cname",
    };
    let dns_answer = match dns.status() {
        Status::Ok => "ok",
        Status::Nxdomain => "nxdomain",
        Status::Nodata => "nodata",
        Status::Error => "error",
    };
    let answer_agrees = matches!(
        (predicted_answer, dns_answer),
        ("noerror", "ok") | ("nxdomain", "nxdomain") | ("cname", _)
    );
    if !answer_agrees {
        findings.push(Finding::AnswerDiffers {
            predicted: predicted_answer.into(),
            dns: dns_answer.into(),
        });
    } else if predicted_answer == "nxdomain" {
        findings.push(Finding::NxdomainAsPredicted);
    }
    if prediction.kind == ServiceKind::ClusterIp {
        findings.push(Finding::NotHeadless);
    }
    if prediction.kind == ServiceKind::ExternalName {
        // hsvc follows no CNAME here: only the rcode is compared.
        let verdict = if answer_agrees {
            Verdict::Match
        } else {
            Verdict::Differs
        };
        return finish(dns, verdict, findings, rows);
    }

    let with_srv = dns_has_srv(&dns.endpoints);
    let mut ips: BTreeSet<IpAddr> = BTreeSet::new();
    ips.extend(prediction.addresses.iter().map(|a| a.ip));
    ips.extend(prediction.absent.iter().map(|a| a.ip));
    ips.extend(dns.endpoints.iter().map(|e| e.ip));
    for ip in ips {
        let got = dns.endpoints.get(&ip);
        let mut f = Vec::new();
        let mut pod = None;
        match (prediction.address(&ip), prediction.absent_address(&ip), got) {
            (Some(want), _, Some(got)) => {
                pod = want.pod.clone();
                f.push(Finding::Published {
                    reason: want.reason,
                });
                if let Some(name) = got.hostname.as_deref().filter(|_| with_srv) {
                    if !want.names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                        f.push(Finding::NameDiffers {
                            predicted: want.names.clone(),
                            dns: name.to_string(),
                        });
                    }
                }
                if with_srv {
                    let mut a: Vec<u16> = want.ports.iter().map(|p| p.port).collect();
                    a.sort_unstable();
                    a.dedup();
                    let mut d: Vec<u16> = got.ports.iter().map(|p| p.port).collect();
                    d.sort_unstable();
                    d.dedup();
                    if a != d {
                        f.push(Finding::PortsDiffer {
                            predicted: a,
                            dns: d,
                        });
                    }
                }
                if want.hostname_missing {
                    f.push(Finding::HostnameMissing);
                }
            }
            (Some(want), _, None) => {
                pod = want.pod.clone();
                f.push(Finding::MissingFromDns {
                    reason: want.reason,
                });
            }
            (None, Some(absent), Some(_)) => {
                pod = absent.pod.clone();
                f.push(Finding::StaleInDns {
                    reason: absent.reason,
                });
            }
            (None, Some(absent), None) => {
                pod = absent.pod.clone();
                f.push(Finding::CorrectlyAbsent {
                    reason: absent.reason,
                });
            }
            (None, None, Some(_)) => f.push(Finding::NotInApi),
            (None, None, None) => continue,
        }
        let agrees = f.iter().all(Finding::agrees);
        rows.push(Row {
            ip,
            pod,
            predicted: prediction.address(&ip).is_some(),
            in_dns: got.is_some(),
            dns_name: got.and_then(|g| g.hostname.clone()),
            agrees,
            causes: f.iter().map(Finding::cause).collect(),
            findings: f,
        });
    }
    let all_agree = answer_agrees && rows.iter().all(|r| r.agrees);
    let verdict = if all_agree {
        Verdict::Match
    } else {
        Verdict::Differs
    };
    finish(dns, verdict, findings, rows)
}

fn finish(
    dns: &DnsAnswer,
    verdict: Verdict,
    findings: Vec<Finding>,
    rows: Vec<Row>,
) -> ServerReport {
    ServerReport {
        server: dns.server.clone(),
        verdict,
        dns_status: dns.status(),
        causes: findings.iter().map(Finding::cause).collect(),
        findings,
        rows,
    }
}

/// Compares the prediction with every server's answer.
pub fn compare(prediction: &Prediction, answers: &[DnsAnswer]) -> Comparison {
    let servers: Vec<ServerReport> = answers.iter().map(|a| compare_one(prediction, a)).collect();
    let verdict = if servers.iter().any(|s| s.verdict == Verdict::Failed) {
        Verdict::Failed
    } else if servers.iter().any(|s| s.verdict == Verdict::Differs) {
        Verdict::Differs
    } else {
        Verdict::Match
    };
    Comparison {
        prediction: prediction.clone(),
        servers,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Conditions, Origin, ServiceInfo, ServiceView, Slice, SliceEndpoint, SlicePort,
    };
    use crate::predict::predict;
    use hsvc_resolve::endpoints::{Endpoint, PortInfo};

    fn ep(addr: &str, c: Conditions, host: Option<&str>) -> SliceEndpoint {
        SliceEndpoint {
            addresses: vec![addr.to_string()],
            conditions: c,
            hostname: host.map(str::to_string),
            pod: host.map(str::to_string),
            target_kind: None,
            node: None,
            zone: None,
        }
    }

    fn svc(pnr: bool) -> ServiceInfo {
        let mut s = ServiceInfo::headless("awx", "web-headless", vec![]);
        s.publish_not_ready_addresses = pnr;
        s
    }

    fn prediction(service: Option<ServiceInfo>, eps: Vec<SliceEndpoint>) -> Prediction {
        let slice = Slice {
            name: "web-headless-abcde".into(),
            address_type: "IPv4".into(),
            ports: vec![SlicePort {
                name: Some("http".into()),
                port: Some(80),
                protocol: "TCP".into(),
                app_protocol: None,
            }],
            endpoints: eps,
        };
        predict(&ServiceView::new(
            "awx",
            "web-headless",
            service,
            Origin::EndpointSlice,
            vec![slice],
            vec![],
        ))
    }

    fn dns_ep(ip: &str, host: Option<&str>, ports: &[u16]) -> Endpoint {
        let mut e = Endpoint::new(ip.parse().unwrap(), 5);
        e.hostname = host.map(str::to_string);
        e.ports = ports
            .iter()
            .map(|&port| PortInfo {
                port,
                protocol: None,
                name: None,
                weight: 50,
                priority: 0,
            })
            .collect();
        e
    }

    fn answer(status: Status, eps: Vec<Endpoint>) -> DnsAnswer {
        let outcome = match status {
            Status::Ok => Ok(Outcome::Found),
            Status::Nxdomain => Ok(Outcome::NxDomain),
            Status::Nodata => Ok(Outcome::NoData),
            Status::Error => Err(LookupError {
                kind: hsvc_resolve::lookup::ErrorKind::Timeout { tries: 2 },
                server: "127.0.0.1:53".parse().unwrap(),
                question: "web-headless.awx.svc.cluster.local. A".into(),
            }),
        };
        DnsAnswer {
            server: "127.0.0.1:53".into(),
            outcome,
            endpoints: EndpointSet::from_vec(eps),
        }
    }

    const READY: Conditions = Conditions::READY;
    const NOT_READY: Conditions = Conditions::NOT_READY;
    const TERMINATING: Conditions = Conditions::TERMINATING;

    fn kinds(r: &ServerReport) -> Vec<(String, Vec<String>)> {
        r.rows
            .iter()
            .map(|row| {
                (
                    row.ip.to_string(),
                    row.findings
                        .iter()
                        .map(|f| {
                            serde_json::to_value(f).unwrap()["kind"]
                                .as_str()
                                .unwrap()
                                .to_string()
                        })
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn table() {
        let three = || {
            vec![
                ep("10.0.0.1", READY, Some("web-0")),
                ep("10.0.0.2", NOT_READY, Some("web-1")),
                ep("10.0.0.3", TERMINATING, Some("web-2")),
            ]
        };
        struct Case {
            what: &'static str,
            pnr: bool,
            eps: Vec<SliceEndpoint>,
            dns: DnsAnswer,
            verdict: Verdict,
            rows: Vec<(&'static str, Vec<&'static str>)>,
            cause: &'static str,
        }
        let cases = vec![
            Case {
                what: "DNS as predicted",
                pnr: false,
                eps: three(),
                dns: answer(Status::Ok, vec![dns_ep("10.0.0.1", Some("web-0"), &[80])]),
                verdict: Verdict::Match,
                rows: vec![
                    ("10.0.0.1", vec!["published"]),
                    ("10.0.0.2", vec!["correctly_absent"]),
                    ("10.0.0.3", vec!["correctly_absent"]),
                ],
                cause: "not ready: correctly absent",
            },
            Case {
                what: "terminating pod still in DNS",
                pnr: false,
                eps: three(),
                dns: answer(
                    Status::Ok,
                    vec![dns_ep("10.0.0.1", Some("web-0"), &[80]), dns_ep("10.0.0.3", Some("web-2"), &[80])],
                ),
                verdict: Verdict::Differs,
                rows: vec![
                    ("10.0.0.1", vec!["published"]),
                    ("10.0.0.2", vec!["correctly_absent"]),
                    ("10.0.0.3", vec!["stale_in_dns"]),
                ],
                cause: "in DNS but terminating in the API — stale replica or cache window (TTL 5 s + cache)",
            },
            Case {
                what: "not-ready pod in DNS",
                pnr: false,
                eps: three(),
                dns: answer(
                    Status::Ok,
                    vec![dns_ep("10.0.0.1", Some("web-0"), &[80]), dns_ep("10.0.0.2", Some("web-1"), &[80])],
                ),
                verdict: Verdict::Differs,
                rows: vec![
                    ("10.0.0.1", vec!["published"]),
                    ("10.0.0.2", vec!["stale_in_dns"]),
                    ("10.0.0.3", vec!["correctly_absent"]),
                ],
                cause: "in DNS but not ready in the API",
            },
            Case {
                what: "ready pod missing from DNS",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0")), ep("10.0.0.4", READY, Some("web-3"))],
                dns: answer(Status::Ok, vec![dns_ep("10.0.0.1", Some("web-0"), &[80])]),
                verdict: Verdict::Differs,
                rows: vec![("10.0.0.1", vec!["published"]), ("10.0.0.4", vec!["missing_from_dns"])],
                cause: "ready in the API but missing from DNS — replica lag or CoreDNS cannot list EndpointSlices (RBAC)",
            },
            Case {
                what: "deleted pod still in DNS",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0"))],
                dns: answer(
                    Status::Ok,
                    vec![dns_ep("10.0.0.1", Some("web-0"), &[80]), dns_ep("10.0.0.9", Some("web-9"), &[80])],
                ),
                verdict: Verdict::Differs,
                rows: vec![("10.0.0.1", vec!["published"]), ("10.0.0.9", vec!["not_in_api"])],
                cause: "in no EndpointSlice",
            },
            Case {
                what: "publishNotReadyAddresses publishes all three",
                pnr: true,
                eps: vec![
                    ep("10.0.0.1", Conditions::for_pod(true, false, true), Some("web-0")),
                    ep("10.0.0.2", Conditions::for_pod(false, false, true), Some("web-1")),
                    ep("10.0.0.3", Conditions::for_pod(true, true, true), Some("web-2")),
                ],
                dns: answer(
                    Status::Ok,
                    vec![
                        dns_ep("10.0.0.1", Some("web-0"), &[80]),
                        dns_ep("10.0.0.2", Some("web-1"), &[80]),
                        dns_ep("10.0.0.3", Some("web-2"), &[80]),
                    ],
                ),
                verdict: Verdict::Match,
                rows: vec![
                    ("10.0.0.1", vec!["published"]),
                    ("10.0.0.2", vec!["published"]),
                    ("10.0.0.3", vec!["published"]),
                ],
                cause: "publishNotReadyAddresses: not-ready pod correctly published",
            },
            Case {
                what: "hostname in the slice, dashed in DNS",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0"))],
                dns: answer(Status::Ok, vec![dns_ep("10.0.0.1", Some("10-0-0-1"), &[80])]),
                verdict: Verdict::Differs,
                rows: vec![("10.0.0.1", vec!["published", "name_differs"])],
                cause: "hostname missing in DNS",
            },
            Case {
                what: "no hostname while its siblings have one",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0")), ep("10.0.0.2", READY, None)],
                dns: answer(
                    Status::Ok,
                    vec![dns_ep("10.0.0.1", Some("web-0"), &[80]), dns_ep("10.0.0.2", Some("10-0-0-2"), &[80])],
                ),
                verdict: Verdict::Match,
                rows: vec![
                    ("10.0.0.1", vec!["published"]),
                    ("10.0.0.2", vec!["published", "hostname_missing"]),
                ],
                cause: "hostname missing: pod's spec.subdomain differs from the Service name",
            },
            Case {
                what: "SRV port differs",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0"))],
                dns: answer(Status::Ok, vec![dns_ep("10.0.0.1", Some("web-0"), &[8080])]),
                verdict: Verdict::Differs,
                rows: vec![("10.0.0.1", vec!["published", "ports_differ"])],
                cause: "SRV ports 8080 in DNS, 80 in the slice",
            },
            Case {
                what: "addresses only (no SRV asked): names and ports not compared",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0"))],
                dns: answer(Status::Ok, vec![dns_ep("10.0.0.1", None, &[])]),
                verdict: Verdict::Match,
                rows: vec![("10.0.0.1", vec!["published"])],
                cause: "ready: published",
            },
            Case {
                what: "nothing ready: NXDOMAIN as predicted",
                pnr: false,
                eps: vec![ep("10.0.0.2", NOT_READY, Some("web-1"))],
                dns: answer(Status::Nxdomain, vec![]),
                verdict: Verdict::Match,
                rows: vec![("10.0.0.2", vec!["correctly_absent"])],
                cause: "not ready: correctly absent",
            },
            Case {
                what: "ready pods but NXDOMAIN",
                pnr: false,
                eps: vec![ep("10.0.0.1", READY, Some("web-0"))],
                dns: answer(Status::Nxdomain, vec![]),
                verdict: Verdict::Differs,
                rows: vec![("10.0.0.1", vec!["missing_from_dns"])],
                cause: "ready in the API but missing from DNS",
            },
        ];
        for c in cases {
            let p = prediction(Some(svc(c.pnr)), c.eps);
            let r = compare_one(&p, &c.dns);
            assert_eq!(r.verdict, c.verdict, "{}", c.what);
            let want: Vec<(String, Vec<String>)> = c
                .rows
                .iter()
                .map(|(ip, ks)| (ip.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect();
            assert_eq!(kinds(&r), want, "{}", c.what);
            let all: Vec<&String> = r
                .rows
                .iter()
                .flat_map(|row| &row.causes)
                .chain(&r.causes)
                .collect();
            assert!(
                all.iter().any(|s| s.contains(c.cause)),
                "{}: no cause containing {:?} in {all:?}",
                c.what,
                c.cause
            );
        }
    }

    #[test]
    fn answer_level_differences() {
        let nothing = prediction(Some(svc(false)), vec![ep("10.0.0.2", NOT_READY, None)]);
        let r = compare_one(&nothing, &answer(Status::Nodata, vec![]));
        assert_eq!(r.verdict, Verdict::Differs);
        assert!(matches!(&r.findings[0], Finding::AnswerDiffers { dns, .. } if dns == "nodata"));
        let r = compare_one(&nothing, &answer(Status::Nxdomain, vec![]));
        assert_eq!(r.findings, [Finding::NxdomainAsPredicted]);
        let ready = prediction(Some(svc(false)), vec![ep("10.0.0.1", READY, None)]);
        let r = compare_one(&ready, &answer(Status::Nxdomain, vec![]));
        assert!(r.causes[0].contains("negative caching"), "{:?}", r.causes);
    }

    #[test]
    fn failed_query_fails_the_comparison() {
        let p = prediction(Some(svc(false)), vec![ep("10.0.0.1", READY, None)]);
        let bad = answer(Status::Error, vec![]);
        let good = answer(
            Status::Ok,
            vec![dns_ep("10.0.0.1", Some("10-0-0-1"), &[80])],
        );
        let c = compare(&p, &[good.clone(), bad]);
        assert_eq!(c.servers[0].verdict, Verdict::Match);
        assert_eq!(c.servers[1].verdict, Verdict::Failed);
        assert!(c.servers[1].rows.is_empty());
        assert!(
            c.servers[1].causes[0].contains("no answer from 127.0.0.1:53 (2 tries)"),
            "{:?}",
            c.servers[1].causes
        );
        assert_eq!(c.verdict, Verdict::Failed);
        let c = compare(&p, &[good.clone(), good]);
        assert_eq!(c.verdict, Verdict::Match);
    }

    #[test]
    fn verdict_per_server() {
        let p = prediction(Some(svc(false)), vec![ep("10.0.0.1", READY, Some("web-0"))]);
        let fresh = answer(Status::Ok, vec![dns_ep("10.0.0.1", Some("web-0"), &[80])]);
        let stale = answer(
            Status::Ok,
            vec![
                dns_ep("10.0.0.1", Some("web-0"), &[80]),
                dns_ep("10.0.0.7", Some("web-7"), &[80]),
            ],
        );
        let c = compare(&p, &[fresh, stale]);
        assert_eq!(
            c.servers.iter().map(|s| s.verdict).collect::<Vec<_>>(),
            [Verdict::Match, Verdict::Differs]
        );
        assert_eq!(c.verdict, Verdict::Differs);
        // Serialisable, with the causes spelled out.
        let j = serde_json::to_value(&c).unwrap();
        assert_eq!(
            j["servers"][1]["rows"][1]["findings"][0]["kind"],
            "not_in_api"
        );
        assert_eq!(j["verdict"], "differs");
    }

    #[test]
    fn cluster_ip_service() {
        let mut s = svc(false);
        s.headless = false;
        s.cluster_ips = vec!["10.96.0.20".into()];
        s.ports = vec![crate::model::ServicePort {
            name: Some("http".into()),
            port: 80,
            target_port: None,
            protocol: "TCP".into(),
        }];
        let p = prediction(Some(s), vec![ep("10.0.0.1", READY, None)]);
        let ok = answer(
            Status::Ok,
            vec![dns_ep("10.96.0.20", Some("web-headless"), &[80])],
        );
        let r = compare_one(&p, &ok);
        assert_eq!(r.verdict, Verdict::Match, "{r:?}");
        assert!(r.findings.contains(&Finding::NotHeadless));
        assert_eq!(
            kinds(&r),
            [
                ("10.0.0.1".to_string(), vec!["correctly_absent".to_string()]),
                ("10.96.0.20".to_string(), vec!["published".to_string()]),
            ]
        );
        // DNS still answering the pods of a formerly headless Service.
        let stale = answer(
            Status::Ok,
            vec![dns_ep("10.0.0.1", Some("10-0-0-1"), &[80])],
        );
        let r = compare_one(&p, &stale);
        assert_eq!(r.verdict, Verdict::Differs);
        assert!(r.rows.iter().any(|row| row.findings
            == [Finding::StaleInDns {
                reason: AbsentReason::NotHeadless
            }]));
    }

    #[test]
    fn missing_service() {
        let p = prediction(None, vec![ep("10.0.0.1", READY, None)]);
        let r = compare_one(&p, &answer(Status::Nxdomain, vec![]));
        assert_eq!(r.verdict, Verdict::Match);
        let r = compare_one(&p, &answer(Status::Ok, vec![dns_ep("10.0.0.1", None, &[])]));
        assert_eq!(r.verdict, Verdict::Differs);
        assert!(r.rows[0].causes[0].contains("does not exist"));
    }

    #[test]
    fn endpoint_pod_names_is_named() {
        let p = prediction(Some(svc(false)), vec![ep("10.0.0.1", READY, None)]);
        let r = compare_one(
            &p,
            &answer(
                Status::Ok,
                vec![dns_ep("10.0.0.1", Some("web-7c9f"), &[80])],
            ),
        );
        assert_eq!(r.verdict, Verdict::Differs);
        assert!(
            r.rows[0].causes[1].contains("endpoint_pod_names"),
            "{:?}",
            r.rows[0].causes
        );
    }
}
