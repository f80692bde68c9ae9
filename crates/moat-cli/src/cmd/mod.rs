pub mod check;
pub mod convert;
pub mod explain;
mod explain_tiers;
pub mod gen;
mod gen_cluster_baseline;
pub mod lint;
pub mod matrix;
pub mod report;
