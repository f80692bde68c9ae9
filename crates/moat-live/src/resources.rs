//! The resource types moat reads, and nothing else: the ClusterRole in deploy/rbac.yaml
//! grants `get` and `list` on exactly these (a test holds the two together).

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;

/// One resource type of the Kubernetes API, as the list call needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource {
    /// API group; `""` is the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    /// The URL path segment (`pods`), which is also what RBAC names.
    pub plural: &'static str,
    pub namespaced: bool,
}

/// A kind whose group, version, kind and plural come from k8s-openapi's types.
const fn typed<K: k8s_openapi::Resource>(namespaced: bool) -> Resource {
    Resource {
        group: K::GROUP,
        version: K::VERSION,
        kind: K::KIND,
        plural: K::URL_PATH_SEGMENT,
        namespaced,
    }
}

/// The cluster-wide policy tiers of sig-network's network-policy-api (CRDs), read as
/// dynamic objects: AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) and
/// their successor ClusterNetworkPolicy (v1alpha2).
const fn policy_api(version: &'static str, kind: &'static str, plural: &'static str) -> Resource {
    Resource {
        group: "policy.networking.k8s.io",
        version,
        kind,
        plural,
        namespaced: false,
    }
}

/// Everything moat lists, in the order objects are handed to the loader.
pub const RESOURCES: &[Resource] = &[
    typed::<Namespace>(false),
    typed::<Node>(false),
    typed::<Pod>(true),
    typed::<Service>(true),
    typed::<Deployment>(true),
    typed::<StatefulSet>(true),
    typed::<DaemonSet>(true),
    typed::<ReplicaSet>(true),
    typed::<Job>(true),
    typed::<CronJob>(true),
    typed::<NetworkPolicy>(true),
    policy_api("v1alpha1", "AdminNetworkPolicy", "adminnetworkpolicies"),
    policy_api(
        "v1alpha1",
        "BaselineAdminNetworkPolicy",
        "baselineadminnetworkpolicies",
    ),
    policy_api("v1alpha2", "ClusterNetworkPolicy", "clusternetworkpolicies"),
];

impl Resource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The collection's path, in one namespace or across all of them.
    pub fn url_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{base}/namespaces/{ns}/{}", self.plural),
            _ => format!("{base}/{}", self.plural),
        }
    }

    /// `pods`, or `deployments.apps`: how kubectl and RBAC errors name a resource.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_api_layout() {
        let pod = RESOURCES.iter().find(|r| r.kind == "Pod").unwrap();
        assert_eq!(pod.url_path(None), "/api/v1/pods");
        assert_eq!(pod.url_path(Some("web")), "/api/v1/namespaces/web/pods");
        assert_eq!(pod.api_version(), "v1");
        let deploy = RESOURCES.iter().find(|r| r.kind == "Deployment").unwrap();
        assert_eq!(
            deploy.url_path(Some("web")),
            "/apis/apps/v1/namespaces/web/deployments"
        );
        assert_eq!(deploy.qualified(), "deployments.apps");
        let ns = RESOURCES.iter().find(|r| r.kind == "Namespace").unwrap();
        // Cluster-scoped kinds ignore the namespace.
        assert_eq!(ns.url_path(Some("web")), "/api/v1/namespaces");
        let anp = RESOURCES
            .iter()
            .find(|r| r.kind == "AdminNetworkPolicy")
            .unwrap();
        assert_eq!(
            anp.url_path(None),
            "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies"
        );
    }
}
