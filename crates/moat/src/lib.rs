//! moat: exact, offline Kubernetes NetworkPolicy semantics.
//!
//! `load` (YAML with positions) -> `model` (namespaces, endpoints, policies) -> `engine`
//! (policies compiled once into per-endpoint allow sets; a pipeline of tiers decides).
//! The library never prints and never exits; the CLI owns both.

pub mod check;
pub mod convert;
pub mod diff;
pub mod engine;
pub mod error;
pub mod flows;
pub mod gen;
pub mod lint;
pub mod load;
pub mod matrix;
pub mod model;
pub mod report;
pub mod source;
pub mod text;
pub mod yaml;
