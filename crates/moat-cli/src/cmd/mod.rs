pub mod check;
pub mod convert;
pub mod explain;
mod explain_tiers;
pub mod gen;
pub mod lint;
pub mod matrix;
