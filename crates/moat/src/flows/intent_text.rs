//! A recommended plan written back as an intent file, for people who would rather
//! review and edit the intent than the policies: `moat gen` turns it into the very
//! policies `recommend` writes (the comments aside: they then cite the intent's lines).

use super::plan::Recommendation;
use crate::gen::{
    flow_labels, scalar, DeclaredPort, Party, PeerKind, Plan, Port, PortValue, MANAGED_MARKER,
};
use crate::model::Protocol;

fn port_text(p: &Port) -> String {
    let v = match &p.value {
        PortValue::Range(a, b) if a == b => a.to_string(),
        PortValue::Range(a, b) => format!("{a}-{b}"),
        PortValue::Named(n) => n.clone(),
    };
    if p.protocol == Protocol::Tcp {
        v
    } else {
        format!("{v}/{}", p.protocol)
    }
}

fn declared(ports: &[DeclaredPort]) -> String {
    // `8080`, `http:8080`, `53/UDP`: plain YAML as the intent format writes them.
    let items: Vec<String> = ports.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// How a flow line of namespace `ns` names a party.
fn reference(plan: &Plan, ns: &str, p: &Party) -> String {
    match p {
        Party::Service(i) => {
            let s = &plan.services[*i];
            if s.namespace == ns {
                s.name.clone()
            } else {
                s.id()
            }
        }
        Party::Peer(i) => plan.peers[*i].name.clone(),
        Party::Scraper => "monitoring".into(),
    }
}

/// The intent text of a recommendation.
pub fn intent_text(rec: &Recommendation) -> String {
    let plan = &rec.plan;
    let mut out = format!(
        "{MANAGED_MARKER} from {} (moat recommend): an intent allowing exactly the observed connections\n# Review it, then `moat gen` this file to write the policies.\n",
        plan.files.join(", ")
    );
    match &plan.dns {
        Some(d) => {
            if let Some(o) = &d.origin {
                out.push_str(&format!("# {o}\n"));
            }
            out.push_str(&format!(
                "dns: {{namespace: {}, selector: {}}}\n",
                scalar(&d.namespace),
                flow_labels(&d.selector)
            ));
        }
        None => out.push_str("# no DNS lookups to the cluster DNS were seen\ndns: false\n"),
    }
    if !plan.peers.is_empty() {
        out.push_str("peers:\n");
        for p in &plan.peers {
            out.push_str(&format!("  # {}\n", p.origin));
            let mut fields = match &p.kind {
                PeerKind::Cidr(c) => vec![format!("cidr: {}", scalar(&c.to_string()))],
                PeerKind::Namespace(ns) => vec![format!("namespace: {}", scalar(ns))],
                PeerKind::Pods {
                    namespace,
                    selector,
                } => vec![
                    format!("namespace: {}", scalar(namespace)),
                    format!("selector: {}", flow_labels(selector)),
                ],
            };
            if !p.ports.is_empty() {
                fields.push(format!("ports: {}", declared(&p.ports)));
            }
            out.push_str(&format!(
                "  {}: {{{}}}\n",
                scalar(&p.name),
                fields.join(", ")
            ));
        }
    }
    out.push_str("namespaces:\n");
    for ns in &plan.namespaces {
        out.push_str(&format!("  # {}\n", ns.origin));
        out.push_str(&format!("  {}:\n", scalar(&ns.name)));
        if plan.dns.is_some() && !ns.dns {
            out.push_str("    # no DNS lookups from this namespace were seen\n    dns: false\n");
        }
        out.push_str("    services:\n");
        for (_, s) in plan.services_in(&ns.name) {
            out.push_str(&format!("      # {}\n", s.origin));
            let mut fields = vec![format!("selector: {}", flow_labels(&s.selector))];
            if !s.ports.is_empty() {
                fields.push(format!("ports: {}", declared(&s.ports)));
            }
            out.push_str(&format!(
                "      {}: {{{}}}\n",
                scalar(&s.name),
                fields.join(", ")
            ));
        }
        // A flow is listed under the namespace of its destination service, else of its
        // source service.
        let home = |g: &crate::gen::Grant| match (&g.to, &g.from) {
            (Party::Service(i), _) | (_, Party::Service(i)) => plan.services[*i].namespace.clone(),
            _ => String::new(),
        };
        let flows: Vec<_> = plan.grants.iter().filter(|g| home(g) == ns.name).collect();
        if flows.is_empty() {
            continue;
        }
        out.push_str("    flows:\n");
        for g in flows {
            let ports: Vec<String> = g.ports.iter().map(port_text).collect();
            out.push_str(&format!("      # {}\n", g.origin));
            out.push_str(&format!(
                "      - {} -> {}:{}\n",
                reference(plan, &ns.name, &g.from),
                reference(plan, &ns.name, &g.to),
                ports.join(",")
            ));
        }
    }
    out
}
