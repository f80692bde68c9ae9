pub mod check;
pub mod explain;
pub mod explain_drops;
pub mod flows_input;
pub mod gen;
pub mod lint;
pub mod matrix;
pub mod recommend;
