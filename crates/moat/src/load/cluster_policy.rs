//! Cluster-scoped policies of policy.networking.k8s.io, validated as their CRD schemas and
//! CEL rules do: v1alpha2 ClusterNetworkPolicy (apis/v1alpha2 of
//! kubernetes-sigs/network-policy-api) and v1alpha1 AdminNetworkPolicy /
//! BaselineAdminNetworkPolicy (apis/v1alpha1, release v0.1.7). Both generations decode into
//! [`ClusterPolicy`]; the differences are in [`Gen`].

use super::cluster_ports::{port_v1, protocol_v2};
use super::decode::{index, join, Ctx};
use super::policy::selector;
use crate::model::{
    Action, Cidr, ClusterPeer, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPort,
    ClusterRule, ClusterTier, Direction, IpSet, LabelSelector, Labels, Subject,
};
use crate::yaml::{Node, Value};

/// What differs between the kinds.
struct Gen {
    kind: ClusterPolicyKind,
    /// Most rules per direction, and most peers / ports per rule.
    max_rules: usize,
    max_peers: usize,
    max_ports: usize,
    /// The field holding ports (`ports` in v1alpha1, `protocols` in v1alpha2).
    ports_field: &'static str,
    actions: &'static [&'static str],
    egress_peers: &'static [&'static str],
}

const INGRESS_PEERS: &[&str] = &["namespaces", "pods"];

fn gen(kind: ClusterPolicyKind) -> Gen {
    match kind {
        ClusterPolicyKind::ClusterNetworkPolicy => Gen {
            kind,
            max_rules: 25,
            max_peers: 25,
            max_ports: 25,
            ports_field: "protocols",
            actions: &["Accept", "Deny", "Pass"],
            egress_peers: &["namespaces", "pods", "nodes", "networks", "domainNames"],
        },
        ClusterPolicyKind::AdminNetworkPolicy => Gen {
            kind,
            max_rules: 100,
            max_peers: 100,
            max_ports: 100,
            ports_field: "ports",
            actions: &["Allow", "Deny", "Pass"],
            egress_peers: &["namespaces", "pods", "nodes", "networks", "domainNames"],
        },
        ClusterPolicyKind::BaselineAdminNetworkPolicy => Gen {
            kind,
            max_rules: 100,
            max_peers: 100,
            max_ports: 100,
            ports_field: "ports",
            actions: &["Allow", "Deny"],
            egress_peers: &["namespaces", "pods", "nodes", "networks"],
        },
    }
}

/// Decode one object served at its kind's apiVersion. `None` if anything in it is invalid
/// (every problem is recorded).
pub(crate) fn decode(
    ctx: &mut Ctx,
    kind: ClusterPolicyKind,
    name: String,
    labels: Labels,
    annotations: Labels,
    doc: &Node,
) -> Option<ClusterPolicy> {
    let before = ctx.count;
    let g = gen(kind);
    // The apiVersion was checked before (meta::served): another one is skipped and named.
    ctx.known_fields(
        doc,
        "",
        &["apiVersion", "kind", "metadata", "spec", "status"],
    );
    if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy && name != "default" {
        let at = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .unwrap_or(doc);
        ctx.invalid(
            at,
            "metadata.name",
            format!("BaselineAdminNetworkPolicy is a singleton: its name must be `default`, not `{name}`"),
        );
    }
    let Some(spec) = doc.get("spec").and_then(|s| ctx.map(s, "spec")) else {
        ctx.invalid(doc, "spec", "required field is missing");
        return None;
    };
    let mut fields = vec!["subject", "ingress", "egress"];
    match kind {
        ClusterPolicyKind::ClusterNetworkPolicy => fields.extend(["tier", "priority"]),
        ClusterPolicyKind::AdminNetworkPolicy => fields.push("priority"),
        ClusterPolicyKind::BaselineAdminNetworkPolicy => {}
    }
    ctx.known_fields(spec, "spec", &fields);

    let tier = match kind {
        ClusterPolicyKind::AdminNetworkPolicy => Some(ClusterTier::Admin),
        ClusterPolicyKind::BaselineAdminNetworkPolicy => Some(ClusterTier::Baseline),
        ClusterPolicyKind::ClusterNetworkPolicy => match spec.get("tier") {
            None => {
                ctx.invalid(
                    spec,
                    "spec.tier",
                    "required field is missing: `Admin` or `Baseline`",
                );
                None
            }
            Some(n) => match ctx.string(n, "spec.tier").as_deref() {
                Some("Admin") => Some(ClusterTier::Admin),
                Some("Baseline") => Some(ClusterTier::Baseline),
                Some(other) => {
                    ctx.invalid(
                        n,
                        "spec.tier",
                        format!("unsupported tier `{other}`: must be `Admin` or `Baseline`"),
                    );
                    None
                }
                None => None,
            },
        },
    };
    let priority = if kind == ClusterPolicyKind::BaselineAdminNetworkPolicy {
        None
    } else {
        match spec.get("priority") {
            None => {
                ctx.invalid(spec, "spec.priority", "required field is missing (0-1000)");
                None
            }
            Some(n) => match ctx.int(n, "spec.priority") {
                Some(p) if (0..=1000).contains(&p) => Some(p as u16),
                Some(p) => {
                    ctx.invalid(
                        n,
                        "spec.priority",
                        format!("priority {p} is out of range 0-1000"),
                    );
                    None
                }
                None => None,
            },
        }
    };
    let subject = match spec.get("subject") {
        None => {
            ctx.invalid(spec, "spec.subject", "required field is missing");
            None
        }
        Some(n) => subject(ctx, n, "spec.subject", kind),
    };
    let ingress = rules(ctx, &g, spec.get("ingress"), Direction::Ingress);
    let egress = rules(ctx, &g, spec.get("egress"), Direction::Egress);
    if ctx.count > before {
        return None;
    }
    Some(ClusterPolicy {
        name,
        kind,
        tier: tier?,
        priority,
        subject: subject?,
        ingress,
        egress,
        span: doc.span.clone(),
        labels,
        annotations,
    })
}

fn subject(ctx: &mut Ctx, node: &Node, path: &str, kind: ClusterPolicyKind) -> Option<Subject> {
    let node = ctx.map(node, path)?;
    ctx.known_fields(node, path, INGRESS_PEERS);
    let (field, value) = ctx.exactly_one(node, path, INGRESS_PEERS)?;
    let p = join(path, field);
    Some(match field {
        "namespaces" => Subject::Namespaces(selector(ctx, value, &p)),
        _ => {
            let (namespace, pod) = namespaced_pod(ctx, value, &p, kind)?;
            Subject::Pods { namespace, pod }
        }
    })
}

/// `NamespacedPod`: podSelector is required; namespaceSelector too in v1alpha1.
fn namespaced_pod(
    ctx: &mut Ctx,
    node: &Node,
    path: &str,
    kind: ClusterPolicyKind,
) -> Option<(LabelSelector, LabelSelector)> {
    let node = ctx.map(node, path)?;
    ctx.known_fields(node, path, &["namespaceSelector", "podSelector"]);
    let ns = match node.get("namespaceSelector") {
        Some(n) => selector(ctx, n, &join(path, "namespaceSelector")),
        None if kind.is_deprecated() => {
            ctx.invalid(
                node,
                &join(path, "namespaceSelector"),
                "required field is missing (use {} for every namespace)",
            );
            return None;
        }
        None => LabelSelector::default(),
    };
    let pod = match node.get("podSelector") {
        Some(n) => selector(ctx, n, &join(path, "podSelector")),
        None => {
            ctx.invalid(
                node,
                &join(path, "podSelector"),
                "required field is missing (use {} for every pod)",
            );
            return None;
        }
    };
    Some((ns, pod))
}

fn rules(ctx: &mut Ctx, g: &Gen, node: Option<&Node>, d: Direction) -> Vec<ClusterRule> {
    let Some(node) = node else { return Vec::new() };
    let path = join("spec", d.field());
    let items = ctx.seq(node, &path);
    if items.len() > g.max_rules {
        ctx.invalid(
            node,
            &path,
            format!(
                "{} has {} rules: at most {} are allowed",
                d.field(),
                items.len(),
                g.max_rules
            ),
        );
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, r)| rule(ctx, g, r, &index(&path, i), d))
        .collect()
}

fn rule(ctx: &mut Ctx, g: &Gen, node: &Node, path: &str, d: Direction) -> Option<ClusterRule> {
    let node = ctx.map(node, path)?;
    let peers_key = d.peers_field();
    ctx.known_fields(node, path, &["name", "action", peers_key, g.ports_field]);
    let before = ctx.count;
    let name = node
        .get("name")
        .and_then(|n| ctx.string(n, &join(path, "name")));
    if let (Some(n), Some(node)) = (&name, node.get("name")) {
        if n.chars().count() > 100 {
            ctx.invalid(
                node,
                &join(path, "name"),
                "a rule name may be at most 100 characters",
            );
        }
    }
    let ap = join(path, "action");
    let action = match node.get("action") {
        None => {
            ctx.invalid(
                node,
                &ap,
                format!("required field is missing: one of {}", g.actions.join(", ")),
            );
            None
        }
        Some(n) => match ctx.string(n, &ap) {
            Some(s) if g.actions.contains(&s.as_str()) => Some(match s.as_str() {
                "Accept" | "Allow" => Action::Accept,
                "Deny" => Action::Deny,
                _ => Action::Pass,
            }),
            Some(s) => {
                let hint = match (s.as_str(), g.kind) {
                    ("Allow", ClusterPolicyKind::ClusterNetworkPolicy) => {
                        " (v1alpha2 spells it `Accept`)"
                    }
                    ("Accept", _) => " (v1alpha1 spells it `Allow`)",
                    ("Pass", ClusterPolicyKind::BaselineAdminNetworkPolicy) => {
                        " (the baseline is the last tier: there is nothing to pass to)"
                    }
                    _ => "",
                };
                ctx.invalid(
                    n,
                    &ap,
                    format!(
                        "unsupported action `{s}` for {}: must be one of {}{hint}",
                        g.kind.as_str(),
                        g.actions.join(", ")
                    ),
                );
                None
            }
            None => None,
        },
    };
    let pp = join(path, peers_key);
    let peers: Vec<ClusterPeer> = match node.get(peers_key) {
        None => {
            ctx.invalid(
                node,
                &pp,
                format!("required field is missing: a rule needs at least one `{peers_key}` peer"),
            );
            Vec::new()
        }
        Some(n) => {
            let items = ctx.seq(n, &pp);
            if items.is_empty() {
                ctx.invalid(n, &pp, format!("`{peers_key}` must have at least one peer"));
            }
            if items.len() > g.max_peers {
                ctx.invalid(
                    n,
                    &pp,
                    format!(
                        "at most {} peers are allowed, found {}",
                        g.max_peers,
                        items.len()
                    ),
                );
            }
            items
                .iter()
                .enumerate()
                .filter_map(|(j, p)| peer(ctx, g, p, &index(&pp, j), d))
                .collect()
        }
    };
    let ports = node.get(g.ports_field).map(|n| {
        let portp = join(path, g.ports_field);
        let items = ctx.seq(n, &portp);
        if items.is_empty() {
            ctx.invalid(
                n,
                &portp,
                format!(
                    "`{}` must have at least one entry when set (omit it for every port)",
                    g.ports_field
                ),
            );
        }
        if items.len() > g.max_ports {
            ctx.invalid(
                n,
                &portp,
                format!(
                    "at most {} entries are allowed, found {}",
                    g.max_ports,
                    items.len()
                ),
            );
        }
        items
            .iter()
            .enumerate()
            .filter_map(|(j, p)| {
                let p_path = index(&portp, j);
                if g.kind == ClusterPolicyKind::ClusterNetworkPolicy {
                    protocol_v2(ctx, p, &p_path)
                } else {
                    port_v1(ctx, p, &p_path)
                }
            })
            .collect::<Vec<_>>()
    });
    // CEL on egress rules: named ports exist only on pods.
    if d == Direction::Egress {
        let non_pod = peers.iter().find(|p| {
            matches!(
                p.kind,
                ClusterPeerKind::Networks { .. }
                    | ClusterPeerKind::Nodes(_)
                    | ClusterPeerKind::DomainNames(_)
            )
        });
        let named = ports
            .iter()
            .flatten()
            .any(|p| matches!(p, ClusterPort::Named(_)));
        if non_pod.is_some() && named {
            ctx.invalid(
                node,
                path,
                "networks/nodes/domainNames peers cannot be used with named ports: only pods have named ports",
            );
        }
    }
    // The API admits domainNames only in Accept rules.
    if let (Some(a), Some(p)) = (
        action,
        peers
            .iter()
            .find(|p| matches!(p.kind, ClusterPeerKind::DomainNames(_))),
    ) {
        if a != Action::Accept {
            ctx.invalid(
                &Node {
                    value: Value::Null,
                    span: p.span.clone(),
                },
                &pp,
                format!(
                    "domainNames peers are only supported in {} rules, not {}",
                    Action::Accept.spelled_for(g.kind),
                    a.spelled_for(g.kind)
                ),
            );
        }
    }
    if ctx.count > before {
        return None;
    }
    Some(ClusterRule {
        name,
        action: action?,
        peers,
        ports,
        span: node.span.clone(),
    })
}

fn peer(ctx: &mut Ctx, g: &Gen, node: &Node, path: &str, d: Direction) -> Option<ClusterPeer> {
    let node = ctx.map(node, path)?;
    let before = ctx.count;
    let allowed = match d {
        Direction::Ingress => INGRESS_PEERS,
        Direction::Egress => g.egress_peers,
    };
    for (key, knode, _) in node.entries() {
        if d == Direction::Ingress && ["networks", "nodes", "domainNames"].contains(&key) {
            ctx.invalid(
                knode,
                &join(path, key),
                format!("`{key}` peers are egress-only: ingress peers are namespaces or pods"),
            );
        }
    }
    if d == Direction::Egress {
        ctx.known_fields(node, path, allowed);
    } else {
        ctx.known_fields(
            node,
            path,
            &["namespaces", "pods", "networks", "nodes", "domainNames"],
        );
    }
    if ctx.count > before {
        // A field of the wrong direction or kind: already said; "exactly one" would repeat it.
        return None;
    }
    let (field, value) = ctx.exactly_one(node, path, allowed)?;
    let p = join(path, field);
    let kind = match field {
        "namespaces" => ClusterPeerKind::Namespaces(selector(ctx, value, &p)),
        "pods" => {
            let (namespace, pod) = namespaced_pod(ctx, value, &p, g.kind)?;
            ClusterPeerKind::Pods { namespace, pod }
        }
        "nodes" => ClusterPeerKind::Nodes(selector(ctx, value, &p)),
        "networks" => {
            let items = ctx.seq(value, &p);
            if items.is_empty() || items.len() > 25 {
                ctx.invalid(
                    value,
                    &p,
                    format!("networks must have 1-25 CIDRs, found {}", items.len()),
                );
            }
            let mut cidrs = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let ip = index(&p, i);
                let Some(s) = ctx.string(item, &ip) else {
                    continue;
                };
                if s.len() > 43 {
                    ctx.invalid(item, &ip, "a CIDR may be at most 43 characters");
                    continue;
                }
                match Cidr::parse(&s) {
                    Ok(c) if cidrs.contains(&c) => ctx.invalid(
                        item,
                        &ip,
                        format!("duplicate CIDR `{s}` (networks is a set)"),
                    ),
                    Ok(c) => cidrs.push(c),
                    Err(e) => ctx.invalid(item, &ip, e),
                }
            }
            let set = cidrs.iter().fold(IpSet::empty(), |acc, c| {
                acc.union(&IpSet::from_block(c, &[]))
            });
            ClusterPeerKind::Networks { cidrs, set }
        }
        _ => {
            let items = ctx.seq(value, &p);
            if items.is_empty() || items.len() > 25 {
                ctx.invalid(
                    value,
                    &p,
                    format!("domainNames must have 1-25 names, found {}", items.len()),
                );
            }
            let mut names = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let ip = index(&p, i);
                let Some(s) = ctx.string(item, &ip) else {
                    continue;
                };
                if !is_domain_name(&s) {
                    ctx.invalid(
                        item,
                        &ip,
                        format!("`{s}` is not a domain name: labels of letters, digits, `-` and `_`, with an optional leading `*.` wildcard"),
                    );
                } else if names.contains(&s) {
                    ctx.invalid(item, &ip, format!("duplicate domain name `{s}`"));
                } else {
                    names.push(s);
                }
            }
            ClusterPeerKind::DomainNames(names)
        }
    };
    Some(ClusterPeer {
        kind,
        span: node.span.clone(),
    })
}

/// The API's DomainName pattern: an optional `*.` prefix, then at least two labels of
/// `[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?`, with an optional trailing dot.
fn is_domain_name(s: &str) -> bool {
    let s = s.strip_prefix("*.").unwrap_or(s);
    let s = s.strip_suffix('.').unwrap_or(s);
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        })
}
