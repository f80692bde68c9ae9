pub mod check;
pub mod diff;
pub mod explain;
pub mod gen;
pub mod lint;
pub mod matrix;
