//! The connectivity matrix: every allowed connection between endpoints and external
//! address ranges, with its exact ports.
//!
//! `ports` splits each protocol's ports into classes on which every rule is constant;
//! `ipparts` splits the address space by every ipBlock bound; `classes` gathers identical
//! endpoints; `compute` decides reachability per (source, destination) node with bitsets;
//! `group` gathers endpoints into the pod, workload and namespace views.

mod classes;
mod compute;
mod group;
mod ipparts;
mod ports;
mod stats;

pub use classes::Classes;
pub use compute::{Matrix, Row, RowFilter};
pub use group::{Aggregator, Connection, GroupBy, Groups, Selection};
pub use ipparts::IpParts;
pub use ports::{interval_text, ClassSet, PortClasses, Ports};
pub use stats::{count_pairs, PairCounts};
