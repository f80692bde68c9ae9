pub mod check;
pub mod explain;
pub mod lint;
pub mod matrix;
