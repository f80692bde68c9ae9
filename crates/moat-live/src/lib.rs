//! moat-live: read a live Kubernetes cluster, read-only, into the trees moat's loader
//! decodes, so that a cluster and its manifests give one and the same model.
//!
//! Only list calls (GET) are made, on exactly the resources of [`RESOURCES`] (the ClusterRole
//! in deploy/rbac.yaml), through kube-rs with rustls. Lists are paged (`limit` 500 +
//! `continue`), resource types are read concurrently, 429 and 5xx are retried with back-off,
//! and every request has a deadline. The library crate `moat` stays free of all of this.

mod error;
mod fetch;
mod layout;
mod object;
mod read;
mod resources;
mod snapshot;

pub use error::LiveError;
pub use object::Object;
pub use read::{read_cluster, ClusterOptions, ClusterRead, ReadStats};
pub use resources::{Resource, RESOURCES};
pub use snapshot::snapshot_yaml;
