//! Cluster policies written once and rendered in either generation: v1alpha2
//! ClusterNetworkPolicy, or v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gen {
    V1alpha1,
    V1alpha2,
}

pub const GENS: [Gen; 2] = [Gen::V1alpha1, Gen::V1alpha2];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Admin,
    Baseline,
}

#[derive(Clone, Debug)]
pub enum Port {
    Number(&'static str, u16),
    Range(&'static str, u16, u16),
    Named(&'static str),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub action: &'static str,
    /// Flow-style YAML peers, such as `{namespaces: {}}`.
    pub peers: Vec<String>,
    pub ports: Vec<Port>,
}

pub fn rule(action: &'static str, peers: &[&str]) -> Rule {
    Rule {
        action,
        peers: peers.iter().map(|p| p.to_string()).collect(),
        ports: vec![],
    }
}

impl Rule {
    pub fn ports(mut self, ports: &[Port]) -> Rule {
        self.ports = ports.to_vec();
        self
    }
}

#[derive(Clone, Debug)]
pub struct Pol {
    pub name: &'static str,
    pub tier: Tier,
    pub priority: u16,
    /// Flow-style YAML subject, such as `{namespaces: {matchLabels: {team: a}}}`.
    pub subject: String,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
}

pub fn admin(name: &'static str, priority: u16, subject: &str) -> Pol {
    Pol {
        name,
        tier: Tier::Admin,
        priority,
        subject: subject.to_string(),
        ingress: vec![],
        egress: vec![],
    }
}

pub fn baseline(subject: &str) -> Pol {
    Pol {
        name: "default",
        tier: Tier::Baseline,
        priority: 0,
        subject: subject.to_string(),
        ingress: vec![],
        egress: vec![],
    }
}

impl Pol {
    pub fn ingress(mut self, r: Rule) -> Pol {
        self.ingress.push(r);
        self
    }
    pub fn egress(mut self, r: Rule) -> Pol {
        self.egress.push(r);
        self
    }

    pub fn render(&self, g: Gen) -> String {
        let mut s = String::from("---\n");
        match (g, self.tier) {
            (Gen::V1alpha2, t) => {
                s.push_str(&format!(
                    "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: {}\nspec:\n  tier: {}\n  priority: {}\n",
                    self.name,
                    if t == Tier::Admin { "Admin" } else { "Baseline" },
                    self.priority
                ));
            }
            (Gen::V1alpha1, Tier::Admin) => s.push_str(&format!(
                "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: {}\nspec:\n  priority: {}\n",
                self.name, self.priority
            )),
            (Gen::V1alpha1, Tier::Baseline) => s.push_str(
                "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n",
            ),
        }
        s.push_str(&format!("  subject: {}\n", self.subject));
        for (field, peers_key, rules) in [
            ("ingress", "from", &self.ingress),
            ("egress", "to", &self.egress),
        ] {
            if rules.is_empty() {
                continue;
            }
            s.push_str(&format!("  {field}:\n"));
            for r in rules {
                let action = match (g, r.action) {
                    (Gen::V1alpha1, "Accept") => "Allow",
                    (_, a) => a,
                };
                s.push_str(&format!(
                    "    - action: {action}\n      {peers_key}: [{}]\n",
                    r.peers.join(", ")
                ));
                if !r.ports.is_empty() {
                    let items: Vec<String> = r.ports.iter().map(|p| port(g, p)).collect();
                    let key = if g == Gen::V1alpha2 {
                        "protocols"
                    } else {
                        "ports"
                    };
                    s.push_str(&format!("      {key}: [{}]\n", items.join(", ")));
                }
            }
        }
        s
    }
}

fn port(g: Gen, p: &Port) -> String {
    match (g, p) {
        (Gen::V1alpha2, Port::Number(proto, n)) => {
            format!(
                "{{{}: {{destinationPort: {{number: {n}}}}}}}",
                proto.to_lowercase()
            )
        }
        (Gen::V1alpha2, Port::Range(proto, a, b)) => format!(
            "{{{}: {{destinationPort: {{range: {{start: {a}, end: {b}}}}}}}}}",
            proto.to_lowercase()
        ),
        (Gen::V1alpha2, Port::Named(n)) => format!("{{destinationNamedPort: {n}}}"),
        (Gen::V1alpha1, Port::Number(proto, n)) => {
            format!("{{portNumber: {{protocol: {proto}, port: {n}}}}}")
        }
        (Gen::V1alpha1, Port::Range(proto, a, b)) => {
            format!("{{portRange: {{protocol: {proto}, start: {a}, end: {b}}}}}")
        }
        (Gen::V1alpha1, Port::Named(n)) => format!("{{namedPort: {n}}}"),
    }
}

/// A Pod with labels, named container ports (`name:port/PROTO`) and IPs.
pub fn pod_with(
    ns: &str,
    name: &str,
    labels: &str,
    ports: &[&str],
    ips: &[&str],
    host_network: bool,
) -> String {
    let ports: String = ports
        .iter()
        .map(|p| {
            let (pname, rest) = p.split_once(':').unwrap_or(("", p));
            let (num, proto) = rest.split_once('/').unwrap_or((rest, "TCP"));
            format!("        - {{name: {pname}, containerPort: {num}, protocol: {proto}}}\n")
        })
        .collect();
    let ips: Vec<String> = ips.iter().map(|ip| format!("{{ip: \"{ip}\"}}")).collect();
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {labels}\nspec:\n  hostNetwork: {host_network}\n  containers:\n    - name: c\n      ports:\n{ports}status:\n  podIPs: [{}]\n",
        ips.join(", ")
    )
}
