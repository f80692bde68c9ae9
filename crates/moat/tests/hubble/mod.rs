//! Synthetic Hubble flow logs in the exact shape `hubble observe -o json` prints: the
//! `GetFlowsResponse` envelope around a `flow.Flow`, protojson with the proto field
//! names, in proto field order, enums by name. The bundled `examples/*/flows.jsonl` are
//! these logs; `flows_fixtures_are_fresh` keeps them in step with this generator.
#![allow(dead_code)]

use std::fmt::Write as _;

/// A pod as Hubble describes it.
#[derive(Clone, Copy)]
pub struct Pod {
    pub ns: &'static str,
    pub name: &'static str,
    pub ip: &'static str,
    pub labels: &'static [&'static str],
    pub workload: Option<(&'static str, &'static str)>,
    pub node: &'static str,
    pub identity: u32,
}

/// One end of a flow.
#[derive(Clone, Copy)]
pub enum End {
    Pod(Pod),
    /// An address outside the cluster (`reserved:world`).
    World(&'static str),
    /// The local node (`reserved:host`): kubelet probes.
    Host(&'static str),
}

impl End {
    fn ip(&self) -> &'static str {
        match self {
            End::Pod(p) => p.ip,
            End::World(ip) | End::Host(ip) => ip,
        }
    }

    fn json(&self) -> String {
        match self {
            End::Pod(p) => {
                let mut labels: Vec<String> =
                    p.labels.iter().map(|l| format!("\"k8s:{l}\"")).collect();
                labels.push(format!(
                    "\"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={}\"",
                    p.ns
                ));
                labels.push(format!("\"k8s:io.kubernetes.pod.namespace={}\"", p.ns));
                let workloads = match p.workload {
                    Some((name, kind)) => {
                        format!(",\"workloads\":[{{\"name\":\"{name}\",\"kind\":\"{kind}\"}}]")
                    }
                    None => String::new(),
                };
                format!(
                    "{{\"ID\":{},\"identity\":{},\"cluster_name\":\"default\",\"namespace\":\"{}\",\"labels\":[{}],\"pod_name\":\"{}\"{workloads}}}",
                    p.identity % 4000,
                    p.identity,
                    p.ns,
                    labels.join(","),
                    p.name
                )
            }
            End::World(_) => "{\"identity\":2,\"labels\":[\"reserved:world\"]}".to_string(),
            End::Host(_) => "{\"identity\":1,\"labels\":[\"reserved:host\"]}".to_string(),
        }
    }

    fn node(&self) -> Option<&'static str> {
        match self {
            End::Pod(p) => Some(p.node),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    Tcp { syn: bool, ack: bool },
    Udp,
    Icmp,
}

/// One flow event.
pub struct Event {
    pub src: End,
    pub dst: End,
    pub sport: u16,
    pub dport: u16,
    pub l4: L4,
    pub verdict: &'static str,
    pub drop_reason: Option<(u32, &'static str)>,
    pub direction: &'static str,
    /// `None`: the field is absent (Hubble does not know).
    pub is_reply: Option<bool>,
    pub service: Option<(&'static str, &'static str)>,
    /// Seconds after the start of the log.
    pub at: u32,
    pub nanos: u32,
}

/// The clock every log starts at.
const START: &str = "2026-11-30T09:";

fn timestamp(at: u32, nanos: u32) -> String {
    // Logs here last under an hour.
    format!("{START}{:02}:{:02}.{nanos:09}Z", at / 60, at % 60)
}

impl Event {
    pub fn line(&self) -> String {
        let time = timestamp(self.at, self.nanos);
        let (observer, node) = match self.direction {
            "INGRESS" => (self.dst.node(), self.dst.node()),
            _ => (self.src.node(), self.src.node()),
        };
        let node = format!("kind-kind/{}", node.or(observer).unwrap_or("worker-1"));
        let ipv = if self.src.ip().contains(':') {
            "IPv6"
        } else {
            "IPv4"
        };
        let l4 = match self.l4 {
            L4::Tcp { syn, ack } => {
                let mut flags = Vec::new();
                if syn {
                    flags.push("\"SYN\":true");
                }
                if ack {
                    flags.push("\"ACK\":true");
                }
                format!(
                    "{{\"TCP\":{{\"source_port\":{},\"destination_port\":{},\"flags\":{{{}}}}}}}",
                    self.sport,
                    self.dport,
                    flags.join(",")
                )
            }
            L4::Udp => format!(
                "{{\"UDP\":{{\"source_port\":{},\"destination_port\":{}}}}}",
                self.sport, self.dport
            ),
            L4::Icmp => "{\"ICMPv4\":{\"type\":8}}".to_string(),
        };
        let summary = match self.l4 {
            L4::Tcp {
                syn: true,
                ack: false,
            } => "TCP Flags: SYN",
            L4::Tcp {
                syn: true,
                ack: true,
            } => "TCP Flags: SYN, ACK",
            L4::Tcp { .. } => "TCP Flags: ACK",
            L4::Udp => "UDP",
            L4::Icmp => "ICMPv4 EchoRequest",
        };
        let mut s = String::new();
        let _ = write!(
            s,
            "{{\"flow\":{{\"time\":\"{time}\",\"uuid\":\"{:08x}-5f1e-4c2a-9b3d-{:012x}\",\"verdict\":\"{}\"",
            self.at.wrapping_mul(2654435761),
            u64::from(self.nanos) * 7919 + u64::from(self.dport),
            self.verdict
        );
        if let Some((code, _)) = self.drop_reason {
            let _ = write!(s, ",\"drop_reason\":{code}");
        }
        let _ = write!(
            s,
            ",\"ethernet\":{{\"source\":\"02:42:ac:11:00:02\",\"destination\":\"02:42:ac:11:00:03\"}},\"IP\":{{\"source\":\"{}\",\"destination\":\"{}\",\"ipVersion\":\"{ipv}\"}},\"l4\":{l4},\"source\":{},\"destination\":{},\"Type\":\"L3_L4\",\"node_name\":\"{node}\"",
            self.src.ip(),
            self.dst.ip(),
            self.src.json(),
            self.dst.json()
        );
        // What Cilium's DNS proxy learnt the external addresses are called.
        for (field, end) in [
            ("source_names", &self.src),
            ("destination_names", &self.dst),
        ] {
            if let End::World(ip) = end {
                if let Some(name) = dns_name(ip) {
                    let _ = write!(s, ",\"{field}\":[\"{name}\"]");
                }
            }
        }
        let (etype, sub) = match self.drop_reason {
            Some((code, _)) => (1, code),
            None => (4, if self.direction == "INGRESS" { 0 } else { 3 }),
        };
        let _ = write!(s, ",\"event_type\":{{\"type\":{etype},\"sub_type\":{sub}}}");
        if let Some((name, ns)) = self.service {
            let _ = write!(
                s,
                ",\"destination_service\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\"}}"
            );
        }
        let _ = write!(s, ",\"traffic_direction\":\"{}\"", self.direction);
        if self.drop_reason.is_none() {
            let point = if self.direction == "INGRESS" {
                "TO_ENDPOINT"
            } else {
                "TO_STACK"
            };
            let _ = write!(s, ",\"trace_observation_point\":\"{point}\"");
        }
        if let Some((_, desc)) = self.drop_reason {
            let _ = write!(s, ",\"drop_reason_desc\":\"{desc}\"");
        }
        if let Some(r) = self.is_reply {
            let _ = write!(s, ",\"is_reply\":{r}");
        }
        let _ = write!(
            s,
            ",\"Summary\":\"{summary}\"}},\"node_name\":\"{node}\",\"time\":\"{time}\"}}"
        );
        s
    }
}

/// The DNS names of the external addresses of the scenarios.
fn dns_name(ip: &str) -> Option<&'static str> {
    match ip {
        "198.51.100.7" | "198.51.100.9" | "198.51.100.10" => Some("api.payments.example"),
        "203.0.113.50" => Some("checkout.partner.example"),
        _ => None,
    }
}

/// A small deterministic generator (xorshift), so that logs are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn ephemeral(&mut self) -> u16 {
        32768 + self.below(28000) as u16
    }
}

/// A log under construction: connections expand into their packets' flow events.
pub struct Log {
    pub rng: Rng,
    pub lines: Vec<String>,
    pub at: u32,
}

impl Log {
    pub fn new(seed: u64) -> Self {
        Log {
            rng: Rng::new(seed),
            lines: Vec::new(),
            at: 0,
        }
    }

    fn tick(&mut self) -> (u32, u32) {
        self.at += (self.rng.below(3)) as u32;
        (self.at, self.rng.below(1_000_000_000) as u32)
    }

    fn push(&mut self, e: Event) {
        self.lines.push(e.line());
    }

    /// A forwarded connection: its start seen at the source (egress) and at the
    /// destination (ingress), a reply, and, for TCP, a later packet of the client.
    pub fn connect(
        &mut self,
        src: End,
        dst: End,
        dport: u16,
        l4: L4,
        service: Option<(&'static str, &'static str)>,
    ) {
        let sport = self.rng.ephemeral();
        let start = match l4 {
            L4::Tcp { .. } => L4::Tcp {
                syn: true,
                ack: false,
            },
            other => other,
        };
        let pod_src = matches!(src, End::Pod(_));
        let pod_dst = matches!(dst, End::Pod(_));
        for direction in ["EGRESS", "INGRESS"] {
            if (direction == "EGRESS" && !pod_src) || (direction == "INGRESS" && !pod_dst) {
                continue;
            }
            let (at, nanos) = self.tick();
            self.push(Event {
                src,
                dst,
                sport,
                dport,
                l4: start,
                verdict: "FORWARDED",
                drop_reason: None,
                direction,
                is_reply: Some(false),
                service,
                at,
                nanos,
            });
        }
        let (at, nanos) = self.tick();
        let reply = match l4 {
            L4::Tcp { .. } => L4::Tcp {
                syn: true,
                ack: true,
            },
            other => other,
        };
        let direction = if pod_dst { "EGRESS" } else { "INGRESS" };
        self.push(Event {
            src: dst,
            dst: src,
            sport: dport,
            dport: sport,
            l4: reply,
            verdict: "FORWARDED",
            drop_reason: None,
            direction,
            is_reply: Some(true),
            service: None,
            at,
            nanos,
        });
        if matches!(l4, L4::Tcp { .. }) {
            let (at, nanos) = self.tick();
            let direction = if pod_src { "EGRESS" } else { "INGRESS" };
            self.push(Event {
                src,
                dst,
                sport,
                dport,
                l4: L4::Tcp {
                    syn: false,
                    ack: true,
                },
                verdict: "FORWARDED",
                drop_reason: None,
                direction,
                is_reply: Some(false),
                service,
                at,
                nanos,
            });
        }
    }

    /// A connection attempt dropped by policy at `direction` (one SYN and a retry).
    pub fn drop(
        &mut self,
        src: End,
        dst: End,
        dport: u16,
        l4: L4,
        direction: &'static str,
        tries: u32,
    ) {
        let sport = self.rng.ephemeral();
        let l4 = match l4 {
            L4::Tcp { .. } => L4::Tcp {
                syn: true,
                ack: false,
            },
            other => other,
        };
        for _ in 0..tries {
            let (at, nanos) = self.tick();
            self.push(Event {
                src,
                dst,
                sport,
                dport,
                l4,
                verdict: "DROPPED",
                drop_reason: Some((133, "POLICY_DENIED")),
                direction,
                is_reply: Some(false),
                service: None,
                at,
                nanos,
            });
        }
    }

    pub fn raw(&mut self, line: &str) {
        self.lines.push(line.to_string());
    }

    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }
}

const TCP: L4 = L4::Tcp {
    syn: true,
    ack: false,
};

// ------------------------------------------------------------------ three-tier

pub const FRONTEND_A: Pod = Pod {
    ns: "production",
    name: "frontend-7d8f9b6c4d-x2k4l",
    ip: "10.244.1.11",
    labels: &[
        "app=frontend",
        "pod-template-hash=7d8f9b6c4d",
        "tier=frontend",
    ],
    workload: Some(("frontend", "Deployment")),
    node: "worker-1",
    identity: 21011,
};
pub const FRONTEND_B: Pod = Pod {
    ns: "production",
    name: "frontend-7d8f9b6c4d-q9w8e",
    ip: "10.244.2.12",
    labels: &[
        "app=frontend",
        "pod-template-hash=7d8f9b6c4d",
        "tier=frontend",
    ],
    workload: Some(("frontend", "Deployment")),
    node: "worker-2",
    identity: 21011,
};
pub const BACKEND_A: Pod = Pod {
    ns: "production",
    name: "backend-5c9f8d7b6-r2t4y",
    ip: "10.244.1.21",
    labels: &["pod-template-hash=5c9f8d7b6", "tier=backend"],
    workload: Some(("backend", "Deployment")),
    node: "worker-1",
    identity: 21012,
};
/// No `workloads` field (older Cilium): matched by its generated name.
pub const BACKEND_B: Pod = Pod {
    ns: "production",
    name: "backend-5c9f8d7b6-m3n5b",
    ip: "10.244.2.22",
    labels: &["pod-template-hash=5c9f8d7b6", "tier=backend"],
    workload: None,
    node: "worker-2",
    identity: 21012,
};
pub const DATABASE: Pod = Pod {
    ns: "production",
    name: "database-6b7c9d8f5-h7j8k",
    ip: "10.244.2.31",
    labels: &["pod-template-hash=6b7c9d8f5", "tier=database"],
    workload: Some(("database", "Deployment")),
    node: "worker-2",
    identity: 21013,
};
pub const INGRESS: Pod = Pod {
    ns: "ingress-nginx",
    name: "ingress-nginx-controller-5d88495688-zx7cv",
    ip: "10.244.1.41",
    labels: &[
        "app.kubernetes.io/component=controller",
        "app.kubernetes.io/name=ingress-nginx",
        "pod-template-hash=5d88495688",
    ],
    workload: Some(("ingress-nginx-controller", "Deployment")),
    node: "worker-1",
    identity: 30001,
};
pub const COREDNS_A: Pod = Pod {
    ns: "kube-system",
    name: "coredns-76f75df574-abcde",
    ip: "10.244.0.2",
    labels: &["k8s-app=kube-dns", "pod-template-hash=76f75df574"],
    workload: Some(("coredns", "Deployment")),
    node: "worker-1",
    identity: 102,
};
pub const COREDNS_B: Pod = Pod {
    ns: "kube-system",
    name: "coredns-76f75df574-fghij",
    ip: "10.244.0.3",
    labels: &["k8s-app=kube-dns", "pod-template-hash=76f75df574"],
    workload: Some(("coredns", "Deployment")),
    node: "worker-2",
    identity: 102,
};
pub const PROMETHEUS: Pod = Pod {
    ns: "monitoring",
    name: "prometheus-6d4f5b7c8-p1r2s",
    ip: "10.244.2.51",
    labels: &["app=prometheus", "pod-template-hash=6d4f5b7c8"],
    workload: Some(("prometheus", "Deployment")),
    node: "worker-2",
    identity: 40001,
};
/// Not in the manifests (a CronJob run nobody declared).
pub const STRAY: Pod = Pod {
    ns: "production",
    name: "report-28374650-abcde",
    ip: "10.244.1.61",
    labels: &["job-name=report-28374650"],
    workload: Some(("report", "CronJob")),
    node: "worker-1",
    identity: 21099,
};

const DNS_SERVICE: Option<(&str, &str)> = Some(("kube-dns", "kube-system"));

/// The three-tier application of seed 000 running with no policies: what Hubble sees.
pub fn three_tier() -> String {
    let mut log = Log::new(0x5eed_0003);
    let frontends = [FRONTEND_A, FRONTEND_B];
    let backends = [BACKEND_A, BACKEND_B];
    let dns = [COREDNS_A, COREDNS_B];
    let clients = ["203.0.113.10", "203.0.113.11", "198.51.100.200"];
    log.raw(r#"{"node_status":{"state_change":"NODE_CONNECTED","node_names":["kind-kind/worker-1","kind-kind/worker-2"],"message":"Connected"},"node_name":"kind-kind/worker-1","time":"2026-11-30T09:00:00Z"}"#);
    for round in 0..12u64 {
        let client = clients[(round % 3) as usize];
        let port = if round % 4 == 0 { 80 } else { 443 };
        log.connect(End::World(client), End::Pod(INGRESS), port, TCP, None);
        let fe = frontends[log.rng.below(2) as usize];
        log.connect(
            End::Pod(INGRESS),
            End::Pod(fe),
            if round % 3 == 0 { 80 } else { 443 },
            TCP,
            Some(("frontend-service", "production")),
        );
        let d = dns[log.rng.below(2) as usize];
        log.connect(End::Pod(fe), End::Pod(d), 53, L4::Udp, DNS_SERVICE);
        let be = backends[log.rng.below(2) as usize];
        log.connect(
            End::Pod(fe),
            End::Pod(be),
            8080,
            TCP,
            Some(("backend-service", "production")),
        );
        let d = dns[log.rng.below(2) as usize];
        log.connect(End::Pod(be), End::Pod(d), 53, L4::Udp, DNS_SERVICE);
        log.connect(
            End::Pod(be),
            End::Pod(DATABASE),
            5432,
            TCP,
            Some(("postgres-service", "production")),
        );
        if round % 4 == 1 {
            let ip = if round % 8 == 1 {
                "198.51.100.7"
            } else {
                "198.51.100.9"
            };
            log.connect(End::Pod(be), End::World(ip), 443, TCP, None);
        }
        if round % 6 == 2 {
            // A truncated DNS answer: the retry goes over TCP.
            log.connect(End::Pod(be), End::Pod(dns[0]), 53, TCP, DNS_SERVICE);
        }
        // The kubelet's probes, from each pod's own node.
        log.connect(End::Host("10.244.1.1"), End::Pod(FRONTEND_A), 80, TCP, None);
        log.connect(
            End::Host("10.244.2.1"),
            End::Pod(BACKEND_B),
            8080,
            TCP,
            None,
        );
        if round % 3 == 0 {
            log.connect(End::Pod(PROMETHEUS), End::Pod(be), 8080, TCP, None);
        }
    }
    // A ping, a pod nobody declared, a line cut short, an unknown verdict's reply.
    let (at, nanos) = (log.at + 1, 5);
    log.push(Event {
        src: End::Pod(FRONTEND_A),
        dst: End::Pod(BACKEND_A),
        sport: 0,
        dport: 0,
        l4: L4::Icmp,
        verdict: "FORWARDED",
        drop_reason: None,
        direction: "EGRESS",
        is_reply: Some(false),
        service: None,
        at,
        nanos,
    });
    log.connect(End::Pod(STRAY), End::Pod(DATABASE), 5432, TCP, None);
    log.raw(r#"{"flow":{"time":"2026-11-30T09:59:59Z","verdict":"FORWARDED","IP":{"source":"10.244.1.11""#);
    // A reply Hubble could not classify (no is_reply): told apart by its SYN+ACK flags.
    let (at, nanos) = (log.at + 1, 6);
    log.push(Event {
        src: End::Pod(BACKEND_A),
        dst: End::Pod(FRONTEND_A),
        sport: 8080,
        dport: 41000,
        l4: L4::Tcp {
            syn: true,
            ack: true,
        },
        verdict: "FORWARDED",
        drop_reason: None,
        direction: "EGRESS",
        is_reply: None,
        service: None,
        at,
        nanos,
    });
    log.text()
}

// ------------------------------------------------------------------ seed 001

pub const S_FRONTEND: Pod = Pod {
    ns: "production",
    name: "frontend-6f7d8c9b5-aaaaa",
    ip: "10.244.1.11",
    labels: &["app=frontend", "pod-template-hash=6f7d8c9b5"],
    workload: Some(("frontend", "Deployment")),
    node: "worker-1",
    identity: 51001,
};
pub const S_API: Pod = Pod {
    ns: "production",
    name: "api-7d8f9b6c4d-x2k4l",
    ip: "10.244.2.21",
    labels: &["app=api", "pod-template-hash=7d8f9b6c4d"],
    workload: Some(("api", "Deployment")),
    node: "worker-2",
    identity: 51002,
};
pub const S_DATABASE: Pod = Pod {
    ns: "production",
    name: "database-5b6c7d8e9-bbbbb",
    ip: "10.244.2.31",
    labels: &["app=database", "pod-template-hash=5b6c7d8e9"],
    workload: Some(("database", "Deployment")),
    node: "worker-2",
    identity: 51003,
};
pub const S_INGRESS: Pod = Pod {
    ns: "ingress-nginx",
    name: "ingress-nginx-controller-5d88495688-zx7cv",
    ip: "10.244.1.41",
    labels: &[
        "app.kubernetes.io/name=ingress-nginx",
        "pod-template-hash=5d88495688",
    ],
    workload: Some(("ingress-nginx-controller", "Deployment")),
    node: "worker-1",
    identity: 30001,
};
pub const S_COREDNS: Pod = Pod {
    ns: "kube-system",
    name: "coredns-76f75df574-abcde",
    ip: "10.244.0.2",
    labels: &["k8s-app=kube-dns", "pod-template-hash=76f75df574"],
    workload: Some(("coredns", "Deployment")),
    node: "worker-1",
    identity: 102,
};
pub const S_STRAY: Pod = Pod {
    ns: "production",
    name: "debug-shell",
    ip: "10.244.1.99",
    labels: &["run=debug-shell"],
    workload: None,
    node: "worker-1",
    identity: 51099,
};

fn dropped(
    log: &mut Log,
    src: End,
    dst: End,
    dport: u16,
    l4: L4,
    reason: (u32, &'static str),
    direction: &'static str,
) {
    let sport = log.rng.ephemeral();
    let (at, nanos) = log.tick();
    log.push(Event {
        src,
        dst,
        sport,
        dport,
        l4,
        verdict: "DROPPED",
        drop_reason: Some(reason),
        direction,
        is_reply: Some(false),
        service: None,
        at,
        nanos,
    });
}

/// Seed 001's application with its six policies in force, as Hubble sees it.
pub fn seed_001() -> String {
    let mut log = Log::new(0x5eed_0001);
    for round in 0..10u32 {
        // Allowed: DNS (allow-dns, with its OR peers), API -> database, ingress -> frontend:80.
        log.connect(
            End::Pod(S_API),
            End::Pod(S_COREDNS),
            53,
            L4::Udp,
            DNS_SERVICE,
        );
        log.connect(End::Pod(S_API), End::Pod(S_DATABASE), 5432, TCP, None);
        log.connect(End::Pod(S_INGRESS), End::Pod(S_FRONTEND), 80, TCP, None);
        log.connect(End::Pod(S_API), End::World("198.51.100.10"), 443, TCP, None);
        // The frontend has no egress rule: every call to the API dies at its egress.
        log.drop(
            End::Pod(S_FRONTEND),
            End::Pod(S_API),
            8080,
            TCP,
            "EGRESS",
            3,
        );
        // frontend-allow-ingress opens port 80 only.
        log.drop(
            End::Pod(S_INGRESS),
            End::Pod(S_FRONTEND),
            443,
            TCP,
            "INGRESS",
            2,
        );
        if round % 2 == 0 {
            // Outside the payment processor's range.
            log.drop(
                End::Pod(S_API),
                End::World("203.0.113.50"),
                443,
                TCP,
                "EGRESS",
                2,
            );
        }
        if round % 5 == 0 {
            // A resolver outside the cluster.
            log.drop(
                End::Pod(S_DATABASE),
                End::World("8.8.8.8"),
                53,
                L4::Udp,
                "EGRESS",
                1,
            );
        }
    }
    // Drift: the manifests allow the ingress controller into the frontend on port 80,
    // yet the CNI dropped it (a stale policy on the node).
    log.drop(
        End::Pod(S_INGRESS),
        End::Pod(S_FRONTEND),
        80,
        TCP,
        "INGRESS",
        2,
    );
    // Not policy: a datapath error, counted apart.
    dropped(
        &mut log,
        End::Pod(S_API),
        End::Pod(S_DATABASE),
        5432,
        TCP,
        (155, "CT_MAP_INSERTION_FAILED"),
        "EGRESS",
    );
    // Policy audit mode on one node: would have been dropped (no egress rule to the API).
    let sport = log.rng.ephemeral();
    let (at, nanos) = log.tick();
    log.push(Event {
        src: End::Pod(S_DATABASE),
        dst: End::Pod(S_API),
        sport,
        dport: 8080,
        l4: TCP,
        verdict: "AUDIT",
        drop_reason: None,
        direction: "EGRESS",
        is_reply: Some(false),
        service: None,
        at,
        nanos,
    });
    // A pod nobody declared, and a ping.
    log.drop(
        End::Pod(S_STRAY),
        End::Pod(S_DATABASE),
        5432,
        TCP,
        "INGRESS",
        1,
    );
    dropped(
        &mut log,
        End::Pod(S_FRONTEND),
        End::Pod(S_DATABASE),
        0,
        L4::Icmp,
        (133, "POLICY_DENIED"),
        "EGRESS",
    );
    log.raw("this line is not JSON");
    log.text()
}
