//! YAML with source positions.

mod node;
mod parse;
pub mod write;

pub use node::{Node, Value};
pub use parse::{documents, parse_stream, DocResult, MAX_DEPTH, MAX_NODES_PER_DOCUMENT};
