//! NetworkPolicy decoding and validation, following the API server's
//! `ValidateNetworkPolicy` (pkg/apis/networking/validation).

use super::decode::{index, join, Ctx};
use crate::model::labels::{key_error, value_error};
use crate::model::{
    port_name_error, Cidr, Direction, IpBlock, IpSet, LabelSelector, NetworkPolicy, Operator, Peer,
    PeerKind, PolicyPort, PolicyTypes, PortMatch, Protocol, Requirement, Rule,
};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// Decode `spec` of a NetworkPolicy. Returns `None` if anything in it is invalid.
pub(crate) fn decode(
    ctx: &mut Ctx,
    name: String,
    namespace: String,
    labels: crate::model::Labels,
    annotations: crate::model::Labels,
    doc: &Node,
    span: Span,
) -> Option<NetworkPolicy> {
    let before = ctx.count;
    let spec_node = doc.get("spec");
    let spec = spec_node.and_then(|s| ctx.map(s, "spec"));
    let empty = Node {
        value: Value::Map(vec![]),
        span: span.clone(),
    };
    let spec = spec.unwrap_or(&empty);
    ctx.known_fields(
        spec,
        "spec",
        &["podSelector", "policyTypes", "ingress", "egress"],
    );

    let pod_selector = match spec.get("podSelector") {
        Some(n) => selector(ctx, n, "spec.podSelector"),
        None => LabelSelector::default(),
    };

    let ingress_node = spec.get("ingress");
    let egress_node = spec.get("egress");
    let ingress = rules(ctx, ingress_node, Direction::Ingress);
    let egress = rules(ctx, egress_node, Direction::Egress);

    let policy_types = match spec.get("policyTypes").filter(|n| !n.is_null()) {
        None => PolicyTypes::inferred(egress.len()),
        Some(n) => {
            let mut t = PolicyTypes {
                ingress: false,
                egress: false,
                explicit: true,
            };
            let items = ctx.seq(n, "spec.policyTypes");
            for (i, item) in items.iter().enumerate() {
                let p = index("spec.policyTypes", i);
                match ctx.string(item, &p).as_deref() {
                    Some("Ingress") => t.ingress = true,
                    Some("Egress") => t.egress = true,
                    Some(other) => ctx.invalid(
                        item,
                        &p,
                        format!("unsupported policy type `{other}`: must be `Ingress` or `Egress`"),
                    ),
                    None => {}
                }
            }
            if items.len() > 2 {
                ctx.invalid(n, "spec.policyTypes", "may not have more than 2 entries");
            }
            if items.is_empty() {
                // The API server defaults an empty list like an omitted one.
                PolicyTypes::inferred(egress.len())
            } else {
                t
            }
        }
    };

    if ctx.count > before {
        return None;
    }
    Some(NetworkPolicy {
        name,
        namespace,
        pod_selector,
        policy_types,
        ingress,
        egress,
        ingress_written: ingress_node.is_some(),
        egress_written: egress_node.is_some(),
        span,
        annotations,
        labels,
    })
}

fn rules(ctx: &mut Ctx, node: Option<&Node>, dir: Direction) -> Vec<Rule> {
    let Some(node) = node else { return Vec::new() };
    let path = join("spec", dir.field());
    let peers_key = dir.peers_field();
    let mut out = Vec::new();
    for (i, r) in ctx.seq(node, &path).iter().enumerate() {
        let rp = index(&path, i);
        let Some(r) = ctx.map(r, &rp).or(if r.is_null() { Some(r) } else { None }) else {
            continue;
        };
        ctx.known_fields(r, &rp, &[peers_key, "ports"]);
        let peers = r.get(peers_key).map(|n| {
            let pp = join(&rp, peers_key);
            ctx.seq(n, &pp)
                .iter()
                .enumerate()
                .filter_map(|(j, p)| peer(ctx, p, &index(&pp, j)))
                .collect::<Vec<_>>()
        });
        let ports = r.get("ports").map(|n| {
            let pp = join(&rp, "ports");
            ctx.seq(n, &pp)
                .iter()
                .enumerate()
                .filter_map(|(j, p)| port(ctx, p, &index(&pp, j)))
                .collect::<Vec<_>>()
        });
        out.push(Rule {
            // An empty list means the same as an omitted one: every peer, every port.
            peers: peers.filter(|p| !p.is_empty()),
            ports: ports.filter(|p| !p.is_empty()),
            span: r.span.clone(),
        });
    }
    out
}

fn peer(ctx: &mut Ctx, node: &Node, path: &str) -> Option<Peer> {
    let node = ctx.map(node, path)?;
    ctx.known_fields(node, path, &["podSelector", "namespaceSelector", "ipBlock"]);
    let pod = node
        .get("podSelector")
        .map(|n| selector(ctx, n, &join(path, "podSelector")));
    let ns = node
        .get("namespaceSelector")
        .map(|n| selector(ctx, n, &join(path, "namespaceSelector")));
    let block = node
        .get("ipBlock")
        .and_then(|n| ip_block(ctx, n, &join(path, "ipBlock")));
    let kind = match (pod, ns, node.get("ipBlock")) {
        (None, None, None) => {
            ctx.invalid(
                node,
                path,
                "must specify a peer: podSelector, namespaceSelector or ipBlock",
            );
            return None;
        }
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            ctx.invalid(
                node,
                path,
                "may not specify more than 1 peer type: ipBlock cannot be combined with podSelector or namespaceSelector",
            );
            return None;
        }
        (None, None, Some(_)) => PeerKind::IpBlock(block?),
        (pod, namespace, None) => PeerKind::Selectors { namespace, pod },
    };
    Some(Peer {
        kind,
        span: node.span.clone(),
    })
}

fn ip_block(ctx: &mut Ctx, node: &Node, path: &str) -> Option<IpBlock> {
    let node = ctx.map(node, path)?;
    ctx.known_fields(node, path, &["cidr", "except"]);
    let cidr_path = join(path, "cidr");
    let cidr = match node.get("cidr") {
        None => {
            ctx.invalid(node, &cidr_path, "required field is missing");
            return None;
        }
        Some(n) => {
            let s = ctx.string(n, &cidr_path)?;
            match Cidr::parse(&s) {
                Ok(c) => c,
                Err(e) => {
                    ctx.invalid(n, &cidr_path, e);
                    return None;
                }
            }
        }
    };
    let mut except = Vec::new();
    let mut ok = true;
    if let Some(n) = node.get("except") {
        let ep = join(path, "except");
        for (i, e) in ctx.seq(n, &ep).iter().enumerate() {
            let p = index(&ep, i);
            let Some(s) = ctx.string(e, &p) else {
                ok = false;
                continue;
            };
            match Cidr::parse(&s) {
                Ok(c) if cidr.contains(&c) && c.prefix > cidr.prefix => except.push(c),
                Ok(_) => {
                    ok = false;
                    ctx.invalid(
                        e,
                        &p,
                        format!("`{s}` must be a strict subset of cidr `{cidr}`"),
                    );
                }
                Err(msg) => {
                    ok = false;
                    ctx.invalid(e, &p, msg);
                }
            }
        }
    }
    ok.then(|| IpBlock {
        set: IpSet::from_block(&cidr, &except),
        cidr,
        except,
    })
}

fn port(ctx: &mut Ctx, node: &Node, path: &str) -> Option<PolicyPort> {
    let node = ctx.map(node, path)?;
    ctx.known_fields(node, path, &["protocol", "port", "endPort"]);
    let protocol = match node.get("protocol") {
        None => Protocol::Tcp,
        Some(n) if n.is_null() => Protocol::Tcp,
        Some(n) => {
            let p = join(path, "protocol");
            let s = ctx.string(n, &p)?;
            match Protocol::parse(&s) {
                Some(proto) => proto,
                None => {
                    ctx.invalid(
                        n,
                        &p,
                        format!(
                            "unsupported protocol `{s}`: must be TCP, UDP or SCTP (upper case)"
                        ),
                    );
                    return None;
                }
            }
        }
    };
    let pp = join(path, "port");
    let port = match node.get("port").filter(|n| !n.is_null()) {
        None => None,
        Some(n) => match &n.value {
            Value::Int(i) => match u16::try_from(*i) {
                Ok(v) if v >= 1 => Some(PortMatch::Range(v, v)),
                _ => {
                    ctx.invalid(n, &pp, format!("port {i} is out of range 1-65535"));
                    return None;
                }
            },
            Value::Float(f) if f.fract() == 0.0 && f.abs() >= 9.2e18 => {
                ctx.invalid(n, &pp, format!("port {f:e} is out of range 1-65535"));
                return None;
            }
            Value::Str(s) => {
                if let Some(e) = port_name_error(s) {
                    ctx.invalid(n, &pp, e);
                    return None;
                }
                Some(PortMatch::Named(s.clone()))
            }
            _ => {
                ctx.invalid(
                    n,
                    &pp,
                    format!("expected a port number or name, found {}", n.type_name()),
                );
                return None;
            }
        },
    };
    let ep = join(path, "endPort");
    let port = match (port, node.get("endPort").filter(|n| !n.is_null())) {
        (port, None) => port.unwrap_or(PortMatch::All),
        (Some(PortMatch::Range(start, _)), Some(n)) => {
            let end = ctx.int(n, &ep)?;
            match u16::try_from(end) {
                Ok(e) if e >= start => PortMatch::Range(start, e),
                Ok(_) => {
                    ctx.invalid(
                        n,
                        &ep,
                        format!("endPort {end} must be greater than or equal to port {start}"),
                    );
                    return None;
                }
                Err(_) => {
                    ctx.invalid(n, &ep, format!("endPort {end} is out of range 1-65535"));
                    return None;
                }
            }
        }
        (Some(PortMatch::Named(name)), Some(n)) => {
            ctx.invalid(
                n,
                &ep,
                format!("endPort may not be set when port is a named port (`{name}`)"),
            );
            return None;
        }
        (_, Some(n)) => {
            ctx.invalid(
                n,
                &ep,
                "endPort may only be set together with a numeric port",
            );
            return None;
        }
    };
    Some(PolicyPort { protocol, port })
}

/// A LabelSelector, validated like `ValidateLabelSelector`.
pub(crate) fn selector(ctx: &mut Ctx, node: &Node, path: &str) -> LabelSelector {
    let mut sel = LabelSelector::default();
    let Some(node) = ctx.map(node, path) else {
        return sel;
    };
    ctx.known_fields(node, path, &["matchLabels", "matchExpressions"]);
    if let Some(ml) = node.get("matchLabels") {
        let mp = join(path, "matchLabels");
        let labels = ctx.string_map(ml, &mp);
        for (k, v) in labels {
            let knode = ml
                .entries()
                .find(|(key, _, _)| *key == k)
                .map(|(_, kn, vn)| (kn, vn));
            if let Some((kn, vn)) = knode {
                if let Some(e) = key_error(&k) {
                    ctx.invalid(kn, &join(&mp, &k), e);
                }
                if let Some(e) = value_error(&v) {
                    ctx.invalid(vn, &join(&mp, &k), e);
                }
            }
            sel.requirements.push(Requirement {
                key: k,
                op: Operator::In,
                values: vec![v],
            });
        }
    }
    if let Some(me) = node.get("matchExpressions") {
        let mp = join(path, "matchExpressions");
        for (i, e) in ctx.seq(me, &mp).iter().enumerate() {
            let ep = index(&mp, i);
            let Some(e) = ctx.map(e, &ep) else { continue };
            ctx.known_fields(e, &ep, &["key", "operator", "values"]);
            let key = e.get("key").and_then(|n| ctx.string(n, &join(&ep, "key")));
            let Some(key) = key else {
                ctx.invalid(e, &join(&ep, "key"), "required field is missing");
                continue;
            };
            if let Some(err) = key_error(&key) {
                let n = e.get("key").unwrap_or(e);
                ctx.invalid(n, &join(&ep, "key"), err);
            }
            let op_path = join(&ep, "operator");
            let op = match e.get("operator") {
                None => {
                    ctx.invalid(e, &op_path, "required field is missing");
                    continue;
                }
                Some(n) => match ctx.string(n, &op_path) {
                    None => continue,
                    Some(s) => match Operator::parse(&s) {
                        Some(op) => op,
                        None => {
                            ctx.invalid(n, &op_path, format!("`{s}` is not a valid selector operator: must be In, NotIn, Exists or DoesNotExist"));
                            continue;
                        }
                    },
                },
            };
            let vp = join(&ep, "values");
            let mut values = Vec::new();
            if let Some(vn) = e.get("values") {
                for (j, v) in ctx.seq(vn, &vp).iter().enumerate() {
                    let p = index(&vp, j);
                    if let Some(s) = ctx.string(v, &p) {
                        if let Some(err) = value_error(&s) {
                            ctx.invalid(v, &p, err);
                        }
                        values.push(s);
                    }
                }
            }
            let at = e.get("values").unwrap_or(e);
            match op {
                Operator::In | Operator::NotIn if values.is_empty() => ctx.invalid(
                    at,
                    &vp,
                    format!(
                        "must be specified and non-empty when `operator` is {}",
                        op.as_str()
                    ),
                ),
                Operator::Exists | Operator::DoesNotExist if !values.is_empty() => ctx.invalid(
                    at,
                    &vp,
                    format!("may not be specified when `operator` is {}", op.as_str()),
                ),
                _ => {}
            }
            values.sort();
            values.dedup();
            sel.requirements.push(Requirement { key, op, values });
        }
    }
    sel
}
