//! Everything read: cross-file checks (names, overlaps) and the plan.

use std::collections::BTreeSet;

use super::values::labels_text;
use super::Parser;
use crate::error::InputError;
use crate::gen::intent::{
    DeclaredPort, Dns, Grant, Isolation, Party, PeerKind, Plan, Port, Service,
};
use crate::source::Span;

impl Parser {
    /// Everything read: check cross-references and build the plan.
    pub(super) fn resolve(&mut self) -> Plan {
        let mut plan = Plan {
            files: self.files.clone(),
            ..Plan::default()
        };
        plan.dns = match self.dns.take() {
            None => Some(Dns::default()),
            Some(d) => d,
        };
        self.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        plan.namespaces = self.namespaces.clone();
        let protected: BTreeSet<String> = plan.namespaces.iter().map(|n| n.name.clone()).collect();

        if let Some(dns) = &plan.dns {
            if protected.contains(&dns.namespace) {
                let span = self.dns_span.clone();
                let msg = format!("the DNS namespace `{}` cannot be protected by the same intent (its pods answer every namespace)", dns.namespace);
                match span {
                    Some(s) => self.err(&s, "dns.namespace", msg),
                    None => self.errors.push(InputError::new(None, "dns", msg)),
                }
            }
        }
        if let Some((m, span)) = &self.monitoring {
            if protected.contains(&m.namespace) {
                let msg = format!(
                    "the monitoring namespace `{}` cannot be protected by the same intent",
                    m.namespace
                );
                let span = span.clone();
                self.err(&span, "monitoring.namespace", msg);
            }
        }
        plan.monitoring = self.monitoring.as_ref().map(|(m, _)| m.clone());

        // Services: namespaces in name order, services in intent order.
        let mut services = std::mem::take(&mut self.services);
        services.sort_by(|a, b| a.0.namespace.cmp(&b.0.namespace));
        for (svc, own, _) in &mut services {
            let ns_iso = plan
                .namespace(&svc.namespace)
                .map(|n| n.isolate)
                .unwrap_or(Isolation::BOTH);
            svc.isolate = own.unwrap_or(ns_iso);
        }
        self.check_overlaps(&services);
        plan.services = services.into_iter().map(|(s, _, _)| s).collect();

        for (peer, span) in &self.peers {
            let ns = match &peer.kind {
                PeerKind::Namespace(n) | PeerKind::Pods { namespace: n, .. } => Some(n),
                PeerKind::Cidr(_) => None,
            };
            if let Some(ns) = ns.filter(|n| protected.contains(*n)) {
                let msg = format!("peer `{}` is in `{ns}`, which this intent protects: declare it as a service of `{ns}` and name it `{ns}/<service>`", peer.name);
                self.errors.push(InputError::new(
                    Some(span.clone()),
                    format!("peers.{}", peer.name),
                    msg,
                ));
            }
        }
        plan.peers = self.peers.iter().map(|(p, _)| p.clone()).collect();

        let flows = std::mem::take(&mut self.flows);
        for f in &flows {
            self.flow(&mut plan, &protected, f);
        }
        if let Some(m) = plan.monitoring.clone() {
            for i in 0..plan.services.len() {
                let ports: Vec<Port> = plan.services[i]
                    .ports
                    .iter()
                    .filter(|p| p.name.as_deref() == Some(m.port.as_str()))
                    .map(DeclaredPort::as_port)
                    .collect();
                if !ports.is_empty() {
                    plan.grants.push(Grant {
                        from: Party::Scraper,
                        to: Party::Service(i),
                        ports,
                        origin: m.origin.clone(),
                    });
                }
            }
        }
        plan
    }

    /// Two services whose selectors can select one pod would each grant that pod the
    /// other's flows; refuse rather than generate policies that say more than the intent.
    pub(super) fn check_overlaps(&mut self, services: &[(Service, Option<Isolation>, Span)]) {
        for (i, (a, _, _)) in services.iter().enumerate() {
            for (b, _, span) in &services[i + 1..] {
                if a.namespace != b.namespace {
                    continue;
                }
                let disjoint = a
                    .selector
                    .iter()
                    .any(|(k, v)| b.selector.get(k).is_some_and(|w| w != v));
                if !disjoint {
                    let msg = format!(
                        "the selectors of `{}` {} and `{}` {} can select the same pod; give one a label the other excludes (such as a different `app` value)",
                        a.name,
                        labels_text(&a.selector),
                        b.name,
                        labels_text(&b.selector)
                    );
                    let span = span.clone();
                    self.err(
                        &span,
                        &format!("namespaces.{}.services.{}.selector", b.namespace, b.name),
                        msg,
                    );
                }
            }
        }
    }
}
