//! Endpoints: the pods that policies select and match. A workload (Deployment, StatefulSet,
//! ...) is one endpoint built from its pod template, standing for all of its replicas.

use std::net::IpAddr;

use super::labels::Labels;
use super::port::{ContainerPort, Protocol};
use crate::source::Span;

/// Index of a namespace in [`crate::model::Cluster::namespaces`].
pub type NsId = usize;
/// Index of an endpoint in [`crate::model::Cluster::endpoints`].
pub type EndpointId = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// A Pod object.
    Pod,
    /// A workload's pod template. `replicas` is what the manifest asks for (1 when unsaid;
    /// DaemonSets and Jobs are counted as 1).
    Workload { kind: String, replicas: u32 },
}

/// The controller of a Pod, from its `ownerReferences`, for grouping and addressing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub kind: String,
    pub name: String,
    /// For a ReplicaSet owner with a `pod-template-hash` label: the Deployment behind it.
    pub deployment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub namespace: NsId,
    pub name: String,
    pub kind: EndpointKind,
    pub owner: Option<Owner>,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    /// `status.podIP`/`podIPs` (Pods only).
    pub ips: Vec<IpAddr>,
    pub host_network: bool,
    /// Container images of `containers`, in order (CNI detection in lint).
    pub images: Vec<String>,
    pub span: Span,
}

impl Endpoint {
    /// The container port named `name` with this protocol.
    pub fn named_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        self.ports
            .iter()
            .find(|p| p.protocol == protocol && p.name.as_deref() == Some(name))
            .map(|p| p.port)
    }

    /// The kind to print: `Pod` or the workload's kind.
    pub fn kind_name(&self) -> &str {
        match &self.kind {
            EndpointKind::Pod => "Pod",
            EndpointKind::Workload { kind, .. } => kind,
        }
    }

    /// Whether the endpoint stands for more than one pod, so that traffic from it to
    /// itself is between distinct pods (and subject to policy).
    pub fn has_several_pods(&self) -> bool {
        matches!(self.kind, EndpointKind::Workload { replicas, .. } if replicas > 1)
    }
}
