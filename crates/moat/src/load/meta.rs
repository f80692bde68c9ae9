//! What the API server checks on every object before its kind's own rules: a served
//! apiVersion, the name and namespace formats, the labels, and the fields of `metadata`.

use super::decode::{join, Ctx};
use super::lists::escape_control;
use crate::model::labels::{is_dns1123_label, is_dns1123_subdomain, key_error, value_error};
use crate::model::ClusterPolicyKind;
use crate::yaml::Node;

/// The fields of ObjectMeta (`clusterName` was removed in 1.25).
const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Whether the API server serves this modelled kind at this group version (the tier kinds at
/// the version of their generation: v1alpha2 ClusterNetworkPolicy, v1alpha1 ANP and BANP).
pub(crate) fn served(group: &str, version: &str, kind: &str) -> bool {
    if let Some(k) = ClusterPolicyKind::parse(kind) {
        return k.api_version().split_once('/') == Some((group, version));
    }
    match (group, kind) {
        ("", "Namespace" | "Pod" | "Service" | "ReplicationController" | "Node")
        | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job" | "CronJob")
        | ("networking.k8s.io", "NetworkPolicy") => version == "v1",
        _ => true,
    }
}

/// The name format each kind's validation applies (`ValidateXName` in the API server).
#[derive(Clone, Copy, PartialEq, Eq)]
enum NameFormat {
    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63: Namespace, StatefulSet (its pods' hostnames).
    Label,
    /// A DNS-1035 label (starts with a letter): Service (its DNS name).
    Label1035,
    /// Dot-separated labels, at most 253: everything else.
    Subdomain,
}

fn name_format(kind: &str) -> NameFormat {
    match kind {
        "Namespace" | "StatefulSet" => NameFormat::Label,
        "Service" => NameFormat::Label1035,
        _ => NameFormat::Subdomain,
    }
}

/// Why `name` is not a valid name for `kind`, or `None`.
pub(crate) fn name_error(kind: &str, name: &str) -> Option<String> {
    let shown = escape_control(name);
    let format = name_format(kind);
    let ok = match format {
        NameFormat::Label => is_dns1123_label(name),
        NameFormat::Label1035 => is_dns1123_label(name) && name.as_bytes()[0].is_ascii_lowercase(),
        NameFormat::Subdomain => is_dns1123_subdomain(name),
    };
    if !ok {
        let rule = match format {
            NameFormat::Label => "a DNS-1123 label: at most 63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit",
            NameFormat::Label1035 => "a DNS-1035 label: at most 63 characters of lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
            NameFormat::Subdomain => "a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
        };
        return Some(format!("invalid {kind} name `{shown}`: must be {rule}"));
    }
    // A CronJob's Jobs are named after it plus an 11-character suffix.
    if kind == "CronJob" && name.len() > 52 {
        return Some(format!(
            "invalid CronJob name `{shown}`: at most 52 characters (its Jobs add a suffix)"
        ));
    }
    None
}

/// Check `metadata` of an object the loader models: fields, name, namespace, labels.
pub(crate) fn check(ctx: &mut Ctx, meta: &Node, kind: &str, name: &str) {
    ctx.known_fields(meta, "metadata", META_FIELDS);
    if let Some(e) = name_error(kind, name) {
        let at = meta.get("name").unwrap_or(meta);
        ctx.invalid(at, "metadata.name", e);
    }
    if let Some(ns) = meta.get("namespace").and_then(Node::as_str) {
        if !is_dns1123_label(ns) {
            let at = meta.get("namespace").unwrap_or(meta);
            ctx.invalid(
                at,
                "metadata.namespace",
                format!(
                    "invalid namespace `{}`: must be a DNS-1123 label (at most 63 characters of lowercase letters, digits and '-', starting and ending with a letter or digit)",
                    escape_control(ns)
                ),
            );
        }
    }
    if let Some(labels) = meta.get("labels") {
        check_labels(ctx, labels, "metadata.labels");
    }
}

/// Every key and value of a label map, as the API server validates an object's labels.
pub(crate) fn check_labels(ctx: &mut Ctx, labels: &Node, path: &str) {
    for (k, knode, v) in labels.entries() {
        if let Some(e) = key_error(k) {
            ctx.invalid(knode, &join(path, k), escape_control(&e).into_owned());
        }
        if let Some(s) = v.as_str() {
            if let Some(e) = value_error(s) {
                ctx.invalid(v, &join(path, k), escape_control(&e).into_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_kinds_format() {
        assert!(name_error("Pod", "web-1.example").is_none());
        assert!(name_error("Pod", "bad_name").is_some());
        assert!(name_error("Namespace", "a.b").is_some());
        assert!(name_error("StatefulSet", "a.b").is_some());
        assert!(name_error("Service", "1web").is_some());
        assert!(name_error("Deployment", "1web").is_none());
        assert!(name_error("NetworkPolicy", &"a".repeat(300)).is_some());
        assert!(name_error("CronJob", &"a".repeat(53)).is_some());
        assert!(name_error("Job", &"a".repeat(53)).is_none());
    }

    #[test]
    fn only_served_versions_of_core_kinds() {
        assert!(served("networking.k8s.io", "v1", "NetworkPolicy"));
        assert!(!served("networking.k8s.io", "v2", "NetworkPolicy"));
        assert!(!served("batch", "v1beta1", "CronJob"));
        assert!(!served("", "v2", "Pod"));
        assert!(served(
            "policy.networking.k8s.io",
            "v1alpha1",
            "AdminNetworkPolicy"
        ));
        assert!(served(
            "policy.networking.k8s.io",
            "v1alpha2",
            "ClusterNetworkPolicy"
        ));
        assert!(!served(
            "policy.networking.k8s.io",
            "v1alpha2",
            "AdminNetworkPolicy"
        ));
        assert!(!served(
            "policy.networking.k8s.io",
            "v1alpha1",
            "ClusterNetworkPolicy"
        ));
    }
}
