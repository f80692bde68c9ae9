//! The cluster model: what the manifests declare, validated.

mod cluster;
mod endpoint;
pub mod ipset;
pub mod labels;
mod namespace;
mod policy;
mod port;
mod selector;
mod service;

pub use cluster::{Cluster, SkipReason, SkippedObject};
pub use endpoint::{Endpoint, EndpointId, EndpointKind, NsId, Owner};
pub use ipset::{Cidr, Family, IpRange, IpSet};
pub use labels::Labels;
pub use namespace::Namespace;
pub use policy::{Direction, IpBlock, NetworkPolicy, Peer, PeerKind, PolicyTypes, Rule};
pub use port::{port_name_error, ContainerPort, PolicyPort, PortMatch, Protocol};
pub use selector::{LabelSelector, Operator, Requirement};
pub use service::{Service, ServicePort, TargetPort};
