use std::collections::BTreeMap;

use crate::lint::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::labels::without_per_pod;
use crate::model::{EndpointKind, Labels};

pub struct ControllerPodsDiffer;

static META: RuleMeta = RuleMeta {
    id: "controller-pods-differ",
    default_severity: Severity::Warning,
    summary: "Pods of one controller (by ownerReference) carry different labels, beyond the per-pod ones controllers set (`pod-template-hash`, `statefulset.kubernetes.io/pod-name`, ...).",
    why: "NetworkPolicy selects pods by label, not controllers: a policy written for the workload can select some of its replicas and miss others (a pod relabelled by hand, a half-finished rollout), so the same Deployment is open on one pod and closed on the next.",
    example: "# two pods of ReplicaSet web-6d4cf56db6; one was relabelled with `kubectl label pod`\nmetadata:\n  name: web-6d4cf56db6-abcde\n  labels: {app: web, pod-template-hash: 6d4cf56db6}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-6d4cf56db6, controller: true}]\n---\nmetadata:\n  name: web-6d4cf56db6-fghij\n  labels: {app: web, pod-template-hash: 6d4cf56db6, quarantine: \"true\"}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-6d4cf56db6, controller: true}]",
    fix: "Give every pod of the controller the labels of its pod template (`kubectl label pod NAME KEY-` removes one), or finish the rollout; write policies against the template's labels.",
};

/// The controller a Pod belongs to: a Deployment through its ReplicaSet, else its owner.
fn controller(kind: &str, name: &str, deployment: Option<&str>) -> (String, String) {
    match deployment {
        Some(d) => ("Deployment".into(), d.into()),
        None => (kind.into(), name.into()),
    }
}

/// How the labels of pod `b` differ from those of pod `a`, key by key.
fn differences(a: (&str, &Labels), b: (&str, &Labels)) -> Vec<(String, String)> {
    let ((an, a), (bn, b)) = (a, b);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let text = match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) if x == y => return None,
                (Some(x), Some(y)) => format!("`{k}={x}` on {an}, `{k}={y}` on {bn}"),
                (Some(x), None) => format!("`{k}={x}` on {an} only"),
                (None, Some(y)) => format!("`{k}={y}` on {bn} only"),
                (None, None) => return None,
            };
            Some((k.clone(), text))
        })
        .collect()
}

impl Rule for ControllerPodsDiffer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let cluster = cx.engine.cluster();
        // Pods by (namespace, controller kind, controller name), in input order.
        let mut groups: BTreeMap<(usize, String, String), Vec<usize>> = BTreeMap::new();
        for (e, ep) in cluster.endpoints.iter().enumerate() {
            let (EndpointKind::Pod, Some(o)) = (&ep.kind, &ep.owner) else {
                continue;
            };
            let (kind, name) = controller(&o.kind, &o.name, o.deployment.as_deref());
            groups
                .entry((ep.namespace, kind, name))
                .or_default()
                .push(e);
        }
        for ((ns, kind, name), pods) in groups {
            // The distinct label sets, each with its first pod.
            let mut classes: Vec<(Labels, usize)> = Vec::new();
            for &e in &pods {
                let id = without_per_pod(&cluster.endpoints[e].labels);
                if !classes.iter().any(|(l, _)| *l == id) {
                    classes.push((id, e));
                }
            }
            if classes.len() < 2 {
                continue;
            }
            let (first_labels, first) = &classes[0];
            let ns_name = &cluster.namespaces[ns].name;
            let (other_labels, other) = &classes[1];
            let (first_name, other_name) =
                (cluster.endpoint_name(*first), cluster.endpoint_name(*other));
            let diffs = differences((&first_name, first_labels), (&other_name, other_labels));
            let key_path = |labels: &Labels| {
                diffs
                    .iter()
                    .map(|(k, _)| k)
                    .find(|k| labels.contains_key(*k))
                    .map(|k| format!("metadata.labels.{k}"))
                    .unwrap_or_else(|| "metadata.labels".to_string())
            };
            let texts: Vec<&str> = diffs.iter().map(|(_, t)| t.as_str()).collect();
            let mut d = Diagnostic::new(
                META.id,
                META.default_severity,
                format!(
                    "pods of {kind} {ns_name}/{name} have different labels: {}; a NetworkPolicy selecting by them treats the controller's pods differently",
                    texts.join(", "),
                ),
            )
            .at(
                Some(cx.endpoint_ref(*first)),
                Some(cluster.endpoints[*first].span.clone()),
                key_path(first_labels),
            )
            .label(format!("labels of {}", cluster.endpoints[*first].name))
            .help(format!(
                "give every pod of {kind} {name} the labels of its pod template, or finish the rollout; NetworkPolicy selects pods by label, not by controller"
            ));
            for (labels, e) in &classes[1..] {
                d = d.related(
                    Some(cluster.endpoints[*e].span.clone()),
                    key_path(labels),
                    format!(
                        "labels of {}, also of {kind} {name}",
                        cluster.endpoints[*e].name
                    ),
                );
            }
            out.push(d);
        }
    }
}
