//! `gen`: NetworkPolicies from a short, reviewable intent.
//!
//! `parse` reads intent files into a validated [`Plan`]; `policies` writes the
//! NetworkPolicies, `expect` the expectations that prove them, `workloads` skeleton
//! workloads for a dry run, `kyverno` a ClusterPolicy for new namespaces, and `draft` an
//! intent from existing manifests. Everything is text, deterministic to the byte.

mod draft;
mod emit;
mod expect;
mod intent;
mod kyverno;
mod parse;
mod policies;
mod ports;
mod with;
mod workloads;

pub use draft::draft;
pub use emit::scalar;
pub use emit::{is_managed, MANAGED_MARKER};
pub use expect::{expectations, representative, OUTSIDER_NAMESPACE};
pub use intent::{
    DeclaredPort, Dns, Grant, Isolation, Monitoring, Namespace, Origin, Party, Peer, PeerKind,
    Plan, Port, PortValue, Service,
};
pub use kyverno::{kyverno_policy, KYVERNO_VERSION, SYSTEM_NAMESPACES};
pub use parse::{parse_intent, parse_intents, IntentSource};
pub use policies::{metadata_cidrs, policy_files, policy_stream, NamespaceFile, MANAGED_BY};
pub use with::check_workloads;
pub use workloads::workloads;
