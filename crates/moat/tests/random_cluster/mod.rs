//! Random clusters for property tests: namespaces, Pods and Deployments with labels, named
//! ports, pod IPs (IPv4 and IPv6) and hostNetwork, and NetworkPolicies with every selector
//! operator, port ranges, named ports and ipBlocks with except. Deterministic from a seed.
#![allow(dead_code)]

use std::fmt::Write as _;
/// A small deterministic generator: proptest hands over the seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub const NAMESPACES: [&str; 3] = ["alpha", "beta", "gamma"];
pub const APPS: [&str; 3] = ["web", "api", "db"];
pub const TIERS: [&str; 2] = ["front", "back"];
pub const POD_IPS: [&str; 6] = [
    "10.0.0.5",
    "10.0.1.7",
    "10.1.0.9",
    "192.168.1.4",
    "2001:db8::5",
    "2001:db8:1::9",
];
pub const CIDRS: [(&str, &[&str]); 6] = [
    ("10.0.0.0/16", &["10.0.1.0/24"]),
    ("10.0.0.0/8", &[]),
    ("0.0.0.0/0", &["10.0.0.0/8", "192.168.0.0/16"]),
    ("192.168.1.0/24", &[]),
    ("2001:db8::/32", &["2001:db8:1::/48"]),
    ("::/0", &[]),
];

pub fn labels(r: &mut Rng, indent: &str) -> String {
    let mut s = String::new();
    if r.chance(85) {
        let _ = writeln!(s, "{indent}app: {}", r.pick(&APPS));
    }
    if r.chance(60) {
        let _ = writeln!(s, "{indent}tier: {}", r.pick(&TIERS));
    }
    if s.is_empty() {
        let _ = writeln!(s, "{indent}none: \"\"");
    }
    s
}

pub fn selector(r: &mut Rng, keys: &[(&str, &[&str])], indent: &str) -> String {
    let mut s = String::new();
    match r.below(4) {
        0 => s.push_str("{}\n"),
        1 => {
            let (k, vs) = keys[r.below(keys.len())];
            let _ = write!(s, "\n{indent}matchLabels: {{{k}: {}}}\n", r.pick(vs));
        }
        _ => {
            let _ = write!(s, "\n{indent}matchExpressions:\n");
            for _ in 0..1 + r.below(2) {
                let (k, vs) = keys[r.below(keys.len())];
                let op = r.pick(&["In", "NotIn", "Exists", "DoesNotExist"]);
                let values = if op == "In" || op == "NotIn" {
                    format!(", values: [{}, {}]", r.pick(vs), r.pick(vs))
                } else {
                    String::new()
                };
                let _ = writeln!(s, "{indent}- {{key: {k}, operator: {op}{values}}}");
            }
        }
    }
    s
}

/// Label keys and values of pods and of namespaces, as the policies' selectors use them.
pub type Keys<'a> = &'a [(&'a str, &'a [&'a str])];

/// A random cluster: namespaces, pods and workloads, NetworkPolicies.
#[allow(dead_code)] // diff_props uses this; matrix_props adds cluster policies through `_with`.
pub fn cluster_yaml(r: &mut Rng) -> String {
    cluster_yaml_with(r, &mut |_, _, _| String::new())
}

/// [`cluster_yaml`], then what `tail` appends given the same selector keys (cluster policies).
pub fn cluster_yaml_with(
    r: &mut Rng,
    tail: &mut dyn FnMut(&mut Rng, Keys, Keys) -> String,
) -> String {
    let mut y = String::new();
    for ns in NAMESPACES {
        let env = r.pick(&["prod", "dev"]);
        let _ = write!(y, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{env: {env}}}\n---\n");
    }
    let container_ports = |r: &mut Rng| {
        let mut s = String::from(
            "      containers:\n        - name: c\n          image: x\n          ports:\n",
        );
        let _ = writeln!(
            s,
            "            - {{name: http, containerPort: {}}}",
            r.pick(&["80", "8080", "9000"])
        );
        if r.chance(50) {
            s.push_str("            - {name: dns, containerPort: 53, protocol: UDP}\n");
        }
        if r.chance(40) {
            s.push_str("            - {name: db, containerPort: 5432}\n");
        }
        s
    };
    let n = 3 + r.below(5);
    let mut ips_used = 0;
    for i in 0..n {
        let ns = r.pick(&NAMESPACES);
        if r.chance(50) {
            let replicas = 1 + r.below(2);
            let l = labels(r, "        ");
            let _ = write!(
                y,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w{i}\n  namespace: {ns}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{x: y}}}}\n  template:\n    metadata:\n      labels:\n{l}    spec:\n{}",
                container_ports(r)
            );
        } else {
            let l = labels(r, "    ");
            let host = if r.chance(15) {
                "  hostNetwork: true\n"
            } else {
                ""
            };
            let spec = container_ports(r).replace("\n      ", "\n  ");
            let spec = spec.strip_prefix("      ").unwrap_or(&spec).to_string();
            let _ = write!(y, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: {ns}\n  labels:\n{l}spec:\n{host}  {spec}");
            if ips_used < POD_IPS.len() && r.chance(70) {
                let _ = writeln!(y, "status:\n  podIP: {}", POD_IPS[ips_used]);
                ips_used += 1;
            }
        }
        y.push_str("---\n");
    }
    let pod_keys: &[(&str, &[&str])] = &[("app", &APPS), ("tier", &TIERS)];
    let ns_keys: &[(&str, &[&str])] = &[
        ("env", &["prod", "dev"]),
        ("kubernetes.io/metadata.name", &NAMESPACES),
    ];
    for p in 0..r.below(5) {
        let ns = r.pick(&NAMESPACES);
        let types = r.pick(&["[Ingress]", "[Egress]", "[Ingress, Egress]", ""]);
        let _ = write!(y, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np{p}\n  namespace: {ns}\nspec:\n  podSelector: {}", selector(r, pod_keys, "    "));
        if !types.is_empty() {
            let _ = writeln!(y, "  policyTypes: {types}");
        }
        for dir in ["ingress", "egress"] {
            if r.chance(30) {
                continue;
            }
            let _ = writeln!(y, "  {dir}:");
            for _ in 0..r.below(3) {
                y.push_str("    - ");
                let mut first = true;
                let mut field = |y: &mut String, s: String| {
                    if first {
                        y.push_str(&s);
                        first = false;
                    } else {
                        let _ = write!(y, "      {s}");
                    }
                };
                if r.chance(75) {
                    let peers_word = if dir == "ingress" { "from" } else { "to" };
                    let mut s = format!("{peers_word}:\n");
                    for _ in 0..1 + r.below(2) {
                        match r.below(4) {
                            0 => {
                                let (cidr, excepts) = CIDRS[r.below(CIDRS.len())];
                                let _ = writeln!(
                                    s,
                                    "        - ipBlock: {{cidr: \"{cidr}\", except: [{}]}}",
                                    excepts
                                        .iter()
                                        .map(|e| format!("\"{e}\""))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                );
                            }
                            1 => {
                                let _ = write!(
                                    s,
                                    "        - podSelector: {}",
                                    selector(r, pod_keys, "            ")
                                );
                            }
                            2 => {
                                let _ = write!(
                                    s,
                                    "        - namespaceSelector: {}",
                                    selector(r, ns_keys, "            ")
                                );
                            }
                            _ => {
                                let _ = write!(
                                    s,
                                    "        - namespaceSelector: {}",
                                    selector(r, ns_keys, "            ")
                                );
                                let _ = write!(
                                    s,
                                    "          podSelector: {}",
                                    selector(r, pod_keys, "            ")
                                );
                            }
                        }
                    }
                    field(&mut y, s);
                }
                if r.chance(70) {
                    let mut s = String::from("ports:\n");
                    for _ in 0..1 + r.below(2) {
                        let proto = r.pick(&["TCP", "UDP", "SCTP", "TCP"]);
                        match r.below(4) {
                            0 => {
                                let _ = writeln!(s, "        - {{protocol: {proto}}}");
                            }
                            1 => {
                                let _ = writeln!(
                                    s,
                                    "        - {{protocol: {proto}, port: {}}}",
                                    r.pick(&["53", "80", "443", "5432", "8080"])
                                );
                            }
                            2 => {
                                let (a, b) = [(8000, 8999), (1, 1024), (443, 8443), (9000, 9000)]
                                    [r.below(4)];
                                let _ = writeln!(
                                    s,
                                    "        - {{protocol: {proto}, port: {a}, endPort: {b}}}"
                                );
                            }
                            _ => {
                                let _ = writeln!(
                                    s,
                                    "        - {{protocol: {proto}, port: {}}}",
                                    r.pick(&["http", "dns", "db"])
                                );
                            }
                        }
                    }
                    field(&mut y, s);
                }
                if first {
                    y.push_str("{}\n");
                }
            }
            if y.ends_with(&format!("  {dir}:\n")) {
                y.push_str("    []\n");
            }
        }
        y.push_str("---\n");
    }
    y.push_str(&tail(r, pod_keys, ns_keys));
    y
}
