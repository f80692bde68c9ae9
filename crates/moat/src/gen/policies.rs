//! The plan to NetworkPolicies: per namespace a `default-deny-all`, an `allow-dns`, and
//! per service `<service>-ingress` and `<service>-egress`, each rule commented with the
//! intent lines it came from.
//!
//! Clean by construction: `policyTypes` always written; the DNS peer is one item holding
//! both selectors (AND), with UDP and TCP 53; cross-namespace peers likewise pair the
//! namespace with the pod selector in one item; broad CIDR grants except the cloud
//! metadata address; no peer or port twice, touching ports merged into ranges.

use std::net::IpAddr;

use super::emit::{header, scalar, Out};
use super::intent::{Grant, Namespace, Origin, Party, PeerKind, Plan, Port, PortValue, Service};
use super::parse::labels_text;
use super::ports::minimal;
use crate::model::labels::NAMESPACE_NAME_LABEL;
use crate::model::{Cidr, Direction, Labels, Protocol};

/// The label every generated object carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "moat");

/// The cloud metadata addresses (AWS, GCP, Azure use the IPv4 one; AWS the IPv6 one).
pub fn metadata_cidrs() -> [Cidr; 2] {
    [
        Cidr {
            addr: IpAddr::from([169, 254, 169, 254]),
            prefix: 32,
        },
        Cidr {
            addr: IpAddr::from([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]),
            prefix: 128,
        },
    ]
}

/// One generated file: the policies of one namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceFile {
    pub namespace: String,
    pub text: String,
}

/// A peer of a rule, as the API spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PeerDoc {
    Selectors {
        namespace: Option<String>,
        pods: Option<Labels>,
    },
    IpBlock {
        cidr: Cidr,
        except: Vec<Cidr>,
    },
}

#[derive(Clone, Debug)]
struct RuleDoc {
    origins: Vec<Origin>,
    /// `None`: every peer (an opt-out's allow-all rule).
    peer: Option<PeerDoc>,
    /// Empty: every port.
    ports: Vec<Port>,
}

struct PolicyDoc {
    name: String,
    namespace: String,
    about: Vec<String>,
    selector: Labels,
    ingress: Option<Vec<RuleDoc>>,
    egress: Option<Vec<RuleDoc>>,
}

/// The policies of every protected namespace, one file per namespace (name order).
pub fn policy_files(plan: &Plan) -> Vec<NamespaceFile> {
    plan.namespaces
        .iter()
        .map(|ns| {
            let mut text = header(
                &format!("NetworkPolicies of namespace {}", ns.name),
                &plan.files,
            );
            for doc in namespace_policies(plan, ns) {
                text.push_str("---\n");
                text.push_str(&render(&doc));
            }
            NamespaceFile {
                namespace: ns.name.clone(),
                text,
            }
        })
        .collect()
}

/// Every namespace's policies in one stream.
pub fn policy_stream(plan: &Plan) -> String {
    let mut text = header("NetworkPolicies", &plan.files);
    for ns in &plan.namespaces {
        for doc in namespace_policies(plan, ns) {
            text.push_str("---\n");
            text.push_str(&render(&doc));
        }
    }
    text
}

fn namespace_policies(plan: &Plan, ns: &Namespace) -> Vec<PolicyDoc> {
    let mut docs = Vec::new();
    if ns.isolate.ingress || ns.isolate.egress {
        let mut about = vec![format!(
            "{}: deny every connection the policies below do not allow",
            ns.origin
        )];
        if !ns.isolate.egress {
            about.push("egress is not isolated in this namespace (isolate: ingress)".into());
        }
        if !ns.isolate.ingress {
            about.push("ingress is not isolated in this namespace (isolate: egress)".into());
        }
        docs.push(PolicyDoc {
            name: "default-deny-all".into(),
            namespace: ns.name.clone(),
            about,
            selector: Labels::new(),
            ingress: ns.isolate.ingress.then(Vec::new),
            egress: ns.isolate.egress.then(Vec::new),
        });
    }
    if plan.dns_policy_in(ns) {
        if let Some(rule) = dns_rule(plan) {
            docs.push(PolicyDoc {
                name: "allow-dns".into(),
                namespace: ns.name.clone(),
                about: vec![
                    "every pod may resolve names: UDP and TCP 53 to the cluster DNS".into(),
                ],
                selector: Labels::new(),
                ingress: None,
                egress: Some(vec![rule]),
            });
        }
    }
    for (i, svc) in plan.services_in(&ns.name) {
        if svc.isolate.ingress || ns.isolate.ingress {
            docs.push(service_policy(plan, ns, i, svc, Direction::Ingress));
        }
        if svc.isolate.egress || ns.isolate.egress {
            docs.push(service_policy(plan, ns, i, svc, Direction::Egress));
        }
    }
    docs
}

fn dns_rule(plan: &Plan) -> Option<RuleDoc> {
    let dns = plan.dns.as_ref()?;
    let origins = dns.origin.clone().into_iter().collect();
    Some(RuleDoc {
        origins,
        peer: Some(PeerDoc::Selectors {
            namespace: Some(dns.namespace.clone()),
            pods: Some(dns.selector.clone()),
        }),
        ports: [Protocol::Udp, Protocol::Tcp]
            .into_iter()
            .map(|protocol| Port {
                protocol,
                value: PortValue::Range(53, 53),
            })
            .collect(),
    })
}

fn service_policy(plan: &Plan, ns: &Namespace, i: usize, svc: &Service, d: Direction) -> PolicyDoc {
    let isolated = match d {
        Direction::Ingress => svc.isolate.ingress,
        Direction::Egress => svc.isolate.egress,
    };
    let word = match d {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    };
    let mut about = vec![match d {
        Direction::Ingress => format!(
            "who may connect to {} {}",
            svc.name,
            labels_text(&svc.selector)
        ),
        Direction::Egress => format!(
            "where {} {} may connect",
            svc.name,
            labels_text(&svc.selector)
        ),
    }];
    let rules = if !isolated {
        about.push(format!(
            "{}: {word} is not isolated for this service (opt-out): everything is allowed",
            svc.origin
        ));
        vec![RuleDoc {
            origins: Vec::new(),
            peer: None,
            ports: Vec::new(),
        }]
    } else {
        let mut rules: Vec<RuleDoc> = Vec::new();
        let own: Vec<&Grant> = plan
            .grants
            .iter()
            .filter(|g| match d {
                Direction::Ingress => g.to == Party::Service(i),
                Direction::Egress => g.from == Party::Service(i),
            })
            .collect();
        for g in own {
            let other = match d {
                Direction::Ingress => &g.from,
                Direction::Egress => &g.to,
            };
            let peer = peer_doc(plan, svc, other, d);
            match rules.iter_mut().find(|r| r.peer.as_ref() == Some(&peer)) {
                Some(r) => {
                    r.ports.extend(g.ports.iter().cloned());
                    if !r.origins.contains(&g.origin) {
                        r.origins.push(g.origin.clone());
                    }
                }
                None => rules.push(RuleDoc {
                    origins: vec![g.origin.clone()],
                    peer: Some(peer),
                    ports: g.ports.clone(),
                }),
            }
        }
        if d == Direction::Egress && ns.dns && !plan.dns_policy_in(ns) {
            rules.extend(dns_rule(plan));
        }
        for r in &mut rules {
            r.ports = minimal(&r.ports);
        }
        if rules.is_empty() {
            about.push(match d {
                Direction::Ingress => {
                    "no flow into this service is declared: every connection is denied".to_string()
                }
                Direction::Egress => {
                    "no flow from this service is declared: every connection is denied".to_string()
                }
            });
        }
        rules
    };
    PolicyDoc {
        name: format!("{}-{word}", svc.name),
        namespace: svc.namespace.clone(),
        about,
        selector: svc.selector.clone(),
        ingress: (d == Direction::Ingress).then(|| rules.clone()),
        egress: (d == Direction::Egress).then_some(rules),
    }
}

/// The other side of a grant, as a peer of a policy in `svc`'s namespace.
fn peer_doc(plan: &Plan, svc: &Service, other: &Party, d: Direction) -> PeerDoc {
    let foreign = |ns: &str| (ns != svc.namespace).then(|| ns.to_string());
    match other {
        Party::Service(j) => {
            let o = &plan.services[*j];
            PeerDoc::Selectors {
                namespace: foreign(&o.namespace),
                pods: Some(o.selector.clone()),
            }
        }
        Party::Scraper => match &plan.monitoring {
            Some(m) => PeerDoc::Selectors {
                namespace: Some(m.namespace.clone()),
                pods: Some(m.selector.clone()),
            },
            // The parser creates scraper grants only with a monitoring section.
            None => PeerDoc::Selectors {
                namespace: None,
                pods: Some(Labels::new()),
            },
        },
        Party::Peer(j) => match &plan.peers[*j].kind {
            PeerKind::Namespace(ns) => PeerDoc::Selectors {
                namespace: Some(ns.clone()),
                pods: None,
            },
            PeerKind::Pods {
                namespace,
                selector,
            } => PeerDoc::Selectors {
                namespace: Some(namespace.clone()),
                pods: Some(selector.clone()),
            },
            PeerKind::Cidr(c) => {
                let except = if d == Direction::Egress && !svc.allow_metadata {
                    metadata_cidrs()
                        .into_iter()
                        .filter(|m| c.prefix < m.prefix && c.contains(m))
                        .collect()
                } else {
                    Vec::new()
                };
                PeerDoc::IpBlock { cidr: *c, except }
            }
        },
    }
}

fn render(doc: &PolicyDoc) -> String {
    let mut o = Out::default();
    o.comment(
        0,
        &format!("{}/{}: {}", doc.namespace, doc.name, doc.about[0]),
    );
    for a in &doc.about[1..] {
        o.comment(0, a);
    }
    o.line(0, "apiVersion: networking.k8s.io/v1");
    o.line(0, "kind: NetworkPolicy");
    o.line(0, "metadata:");
    o.line(2, &format!("name: {}", scalar(&doc.name)));
    o.line(2, &format!("namespace: {}", scalar(&doc.namespace)));
    o.line(2, "labels:");
    o.line(4, &format!("{}: {}", MANAGED_BY.0, MANAGED_BY.1));
    o.line(0, "spec:");
    o.selector(2, "podSelector", &doc.selector);
    o.line(2, "policyTypes:");
    if doc.ingress.is_some() {
        o.line(4, "- Ingress");
    }
    if doc.egress.is_some() {
        o.line(4, "- Egress");
    }
    for (d, rules) in [
        (Direction::Ingress, &doc.ingress),
        (Direction::Egress, &doc.egress),
    ] {
        let Some(rules) = rules else { continue };
        // A default-deny writes no rules at all; a service policy with nothing declared
        // says so explicitly.
        if rules.is_empty() {
            if doc.name != "default-deny-all" {
                o.line(2, &format!("{}: []", d.field()));
            }
            continue;
        }
        o.line(2, &format!("{}:", d.field()));
        for r in rules {
            render_rule(&mut o, r, d);
        }
    }
    o.text
}

fn render_rule(o: &mut Out, r: &RuleDoc, d: Direction) {
    for origin in &r.origins {
        o.comment(4, &origin.to_string());
    }
    let Some(peer) = &r.peer else {
        o.line(4, "- {}");
        return;
    };
    o.line(4, &format!("- {}:", d.peers_field()));
    match peer {
        PeerDoc::Selectors { namespace, pods } => {
            let mut first = true;
            let mut lead = |o: &mut Out, key: &str, labels: &Labels| {
                let prefix = if first { "- " } else { "  " };
                first = false;
                if labels.is_empty() {
                    o.line(8, &format!("{prefix}{key}: {{}}"));
                } else {
                    o.line(8, &format!("{prefix}{key}:"));
                    o.labels(12, "matchLabels", labels);
                }
            };
            if let Some(ns) = namespace {
                let mut l = Labels::new();
                l.insert(NAMESPACE_NAME_LABEL.to_string(), ns.clone());
                lead(o, "namespaceSelector", &l);
            }
            if let Some(p) = pods {
                lead(o, "podSelector", p);
            }
        }
        PeerDoc::IpBlock { cidr, except } => {
            o.line(8, "- ipBlock:");
            o.line(12, &format!("cidr: {}", scalar(&cidr.to_string())));
            if !except.is_empty() {
                o.comment(
                    12,
                    "the cloud metadata address: instance credentials live there",
                );
                o.line(12, "except:");
                for e in except {
                    o.line(14, &format!("- {}", scalar(&e.to_string())));
                }
            }
        }
    }
    if r.ports.is_empty() {
        return;
    }
    o.line(6, "ports:");
    for p in &r.ports {
        o.line(8, &format!("- protocol: {}", p.protocol));
        match &p.value {
            PortValue::Range(a, b) => {
                o.line(10, &format!("port: {a}"));
                if b > a {
                    o.line(10, &format!("endPort: {b}"));
                }
            }
            PortValue::Named(n) => o.line(10, &format!("port: {}", scalar(n))),
        }
    }
}
