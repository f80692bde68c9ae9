//! Lint findings in the report, tied to the namespace, workload or policy they concern.

use std::collections::HashMap;

use crate::engine::Engine;
use crate::lint::Diagnostic;
use crate::matrix::Groups;

use super::areas::Areas;
use super::data::{Finding, Report, SeverityCounts};

pub(crate) fn count(c: &mut SeverityCounts, severity: &str) {
    match severity {
        "error" => c.error += 1,
        "warning" => c.warning += 1,
        _ => c.info += 1,
    }
}

pub(crate) fn attach(
    engine: &Engine,
    groups: &Groups,
    areas: &Areas,
    diags: &[Diagnostic],
    frame: &dyn Fn(&Diagnostic) -> String,
    report: &mut Report,
) {
    let cluster = engine.cluster();
    // Objects by (namespace, name): endpoints to their workload node, policies to their index.
    let mut workload_of: HashMap<(&str, &str), u32> = HashMap::new();
    for (e, ep) in cluster.endpoints.iter().enumerate() {
        let ns = cluster.namespaces[ep.namespace].name.as_str();
        workload_of.insert((ns, ep.name.as_str()), groups.of_unit[e]);
    }
    // A controller of Pod objects is named by its group (`namespace/name`).
    for (w, name) in groups.names.iter().enumerate() {
        if let (Some(_), Some((ns, n))) = (groups.namespace[w], name.split_once('/')) {
            workload_of.entry((ns, n)).or_insert(w as u32);
        }
    }
    let policy_of: HashMap<(&str, &str), u32> = cluster
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| ((p.namespace.as_str(), p.name.as_str()), i as u32))
        .collect();
    for d in diags {
        let i = report.findings.len() as u32;
        let mut namespace = None;
        let mut object = None;
        if let Some(o) = &d.object {
            object = Some(match &o.namespace {
                Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
                None => format!("{} {}", o.kind, o.name),
            });
            match (o.kind.as_str(), &o.namespace) {
                ("Namespace", _) => namespace = areas.find(cluster, &o.name),
                ("NetworkPolicy", Some(ns)) => {
                    namespace = areas.find(cluster, ns);
                    if let Some(&p) = policy_of.get(&(ns.as_str(), o.name.as_str())) {
                        report.policies[p as usize].findings.push(i);
                    }
                }
                (_, Some(ns)) => {
                    namespace = areas.find(cluster, ns);
                    if let Some(&w) = workload_of.get(&(ns.as_str(), o.name.as_str())) {
                        if let Some(wl) = report.workloads.get_mut(w as usize) {
                            wl.findings.push(i);
                        }
                    }
                }
                (_, None) => {}
            }
        }
        report.findings.push(Finding {
            rule: d.rule,
            severity: d.severity.as_str(),
            message: d.message.clone(),
            help: d.help.clone(),
            fix: d.fix.clone(),
            file: d.span.as_ref().map(|s| s.file.to_string()),
            line: d.span.as_ref().map(|s| s.line),
            object,
            namespace,
            frame: frame(d),
        });
    }
}
