//! The cluster model: what the manifests declare, validated.

mod cluster;
mod cluster_policy;
mod endpoint;
pub mod ipset;
pub mod labels;
mod namespace;
mod node;
mod policy;
mod port;
mod selector;
mod service;

pub use cluster::{Cluster, SkipReason, SkippedObject};
pub use cluster_policy::{
    Action, ClusterPeer, ClusterPeerKind, ClusterPolicy, ClusterPolicyKind, ClusterPort,
    ClusterRule, ClusterTier, Subject,
};
pub use endpoint::{Endpoint, EndpointId, EndpointKind, NsId, Owner};
pub use ipset::{Cidr, Family, IpRange, IpSet};
pub use labels::Labels;
pub use namespace::Namespace;
pub use node::Node;
pub use policy::{Direction, IpBlock, NetworkPolicy, Peer, PeerKind, PolicyTypes, Rule};
pub use port::{port_name_error, ContainerPort, PolicyPort, PortMatch, Protocol};
pub use selector::{LabelSelector, Operator, Requirement};
pub use service::{Service, ServicePort, TargetPort};
