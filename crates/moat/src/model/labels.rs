//! Label maps and the API server's rules for label keys and values.

use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// The label every namespace carries on a real cluster (since Kubernetes 1.21).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Labels that controllers set per pod or per revision (so the pods of one controller
/// differ in them by design): never part of what a workload is.
pub const PER_POD_LABELS: [&str; 6] = [
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "pod-template-generation",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
];

/// The labels without [`PER_POD_LABELS`]: what the pods of one controller share.
pub fn without_per_pod(labels: &Labels) -> Labels {
    labels
        .iter()
        .filter(|(k, _)| !PER_POD_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Why a label key is invalid, or `None` when it is a valid qualified name
/// (`[prefix/]name`, prefix a DNS-1123 subdomain, name at most 63 characters).
pub fn key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() || p.len() > 253 || !is_dns1123_subdomain(p) {
            return Some(format!(
                "invalid label key `{key}`: the prefix must be a lowercase DNS subdomain"
            ));
        }
    }
    if name.is_empty() || name.len() > 63 || !is_label_name(name) {
        return Some(format!(
            "invalid label key `{key}`: the name part must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
        ));
    }
    None
}

/// Why a label value is invalid, or `None` (empty, or at most 63 characters of
/// `[A-Za-z0-9-_.]` starting and ending alphanumeric).
pub fn value_error(value: &str) -> Option<String> {
    if value.is_empty() || (value.len() <= 63 && is_label_name(value)) {
        None
    } else {
        Some(format!(
            "invalid label value `{value}`: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric"
        ))
    }
}

fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.';
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&c| ok(c))
}

/// DNS-1123 subdomain: dot-separated lowercase labels.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// DNS-1123 label: 1-63 of `[a-z0-9-]`, alphanumeric at both ends.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys() {
        assert!(key_error("app").is_none());
        assert!(key_error("kubernetes.io/metadata.name").is_none());
        assert!(key_error("app.kubernetes.io/name").is_none());
        assert!(key_error("-app").is_some());
        assert!(key_error("Bad_Prefix/app").is_some());
        assert!(key_error("").is_some());
        assert!(key_error(&"a".repeat(64)).is_some());
    }

    #[test]
    fn label_values() {
        assert!(value_error("").is_none());
        assert!(value_error("kube-dns").is_none());
        assert!(value_error("a b").is_some());
        assert!(value_error("-x").is_some());
    }
}
