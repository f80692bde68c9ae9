pub mod check;
pub mod explain;
pub mod gen;
pub mod lint;
pub mod matrix;
pub mod snapshot;
