//! Everything loaded: namespaces, endpoints, services and policies, by index.

use std::collections::{BTreeMap, HashMap};

use super::cluster_policy::ClusterPolicy;
use super::endpoint::{Endpoint, EndpointId, NsId};
use super::labels::{Labels, NAMESPACE_NAME_LABEL};
use super::namespace::Namespace;
use super::node::Node;
use super::policy::NetworkPolicy;
use super::service::Service;
use crate::source::Span;

/// A document or list item that was read but not used; counted, listed with `--verbose`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedObject {
    pub api_version: String,
    /// The kind as written (control characters escaped), or a description in parentheses
    /// for documents that have none.
    pub kind: String,
    pub name: String,
    pub span: Span,
    pub reason: SkipReason,
}

/// Why a document was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// A Kubernetes kind moat does not model (ConfigMap, an unknown `WidgetList`'s items).
    NotModeled,
    /// A modeled kind under an apiVersion the API server does not serve (`networking.k8s.io/v2`).
    UnknownApiVersion,
    /// A list item with no kind, in a `List` that does not give one.
    NoKind,
    /// A document that is not a mapping (a bare string or list).
    NotAMapping,
    /// A mapping with neither apiVersion nor kind (a values file).
    NotAnObject,
    /// One of moat's own files (expectations, intent) next to the manifests.
    MoatFile,
}

impl SkippedObject {
    /// What the object is counted as: its kind, qualified by why it was skipped.
    pub fn label(&self) -> String {
        match self.reason {
            SkipReason::UnknownApiVersion if self.api_version.is_empty() => {
                format!("{} (no apiVersion)", self.kind)
            }
            SkipReason::UnknownApiVersion => {
                format!("{} (unknown apiVersion {})", self.kind, self.api_version)
            }
            _ => self.kind.clone(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub namespaces: Vec<Namespace>,
    ns_index: HashMap<String, NsId>,
    pub endpoints: Vec<Endpoint>,
    pub policies: Vec<NetworkPolicy>,
    pub services: Vec<Service>,
    /// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy objects,
    /// sorted by tier, then precedence within the tier (see [`ClusterPolicy::precedence`]).
    pub cluster_policies: Vec<ClusterPolicy>,
    pub nodes: Vec<Node>,
    pub skipped: Vec<SkippedObject>,
}

impl Cluster {
    /// The namespace of this name, created (undeclared) if no object declared it yet:
    /// a namespace referenced by any object exists.
    pub fn namespace_id(&mut self, name: &str) -> NsId {
        if let Some(&id) = self.ns_index.get(name) {
            return id;
        }
        let mut labels = Labels::new();
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
        self.namespaces.push(Namespace {
            name: name.to_string(),
            labels,
            span: None,
        });
        let id = self.namespaces.len() - 1;
        self.ns_index.insert(name.to_string(), id);
        id
    }

    /// Record a declared Namespace object. The API server always sets the name label,
    /// overriding whatever the manifest says.
    pub fn declare_namespace(&mut self, name: &str, mut labels: Labels, span: Span) -> NsId {
        let id = self.namespace_id(name);
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
        let ns = &mut self.namespaces[id];
        ns.labels = labels;
        ns.span = Some(span);
        id
    }

    pub fn find_namespace(&self, name: &str) -> Option<NsId> {
        self.ns_index.get(name).copied()
    }

    pub fn endpoint_ns(&self, e: EndpointId) -> &Namespace {
        &self.namespaces[self.endpoints[e].namespace]
    }

    /// `namespace/name` of an endpoint.
    pub fn endpoint_name(&self, e: EndpointId) -> String {
        format!("{}/{}", self.endpoint_ns(e).name, self.endpoints[e].name)
    }

    /// Index ranges of `policies` that share a namespace. Relies on [`Cluster::finish`]
    /// sorting policies by namespace, so rules comparing policies of one namespace need not
    /// re-group them.
    pub fn policy_namespace_runs(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut start = 0;
        self.policies
            .chunk_by(|a, b| a.namespace == b.namespace)
            .map(move |run| {
                let range = start..start + run.len();
                start = range.end;
                range
            })
    }

    /// Skipped input counted by [`SkippedObject::label`]. moat's own files beside the
    /// manifests (expectations, intents, `.moat.yaml`) are known for what they are and not
    /// counted: they are not input moat could not use.
    pub fn skipped_by_kind(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for s in self
            .skipped
            .iter()
            .filter(|s| s.reason != SkipReason::MoatFile)
        {
            *m.entry(s.label()).or_insert(0) += 1;
        }
        m
    }

    /// Sort objects into a canonical order so that results never depend on file order.
    pub fn finish(&mut self) {
        let names: Vec<String> = self.namespaces.iter().map(|n| n.name.clone()).collect();
        self.endpoints
            .sort_by(|a, b| (&names[a.namespace], &a.name).cmp(&(&names[b.namespace], &b.name)));
        self.policies
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        self.cluster_policies
            .sort_by(|a, b| a.precedence().cmp(&b.precedence()));
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
    }
}
