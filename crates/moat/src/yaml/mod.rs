//! YAML with source positions.

mod node;
mod parse;
pub mod write;

pub use node::{Node, Value};
pub use parse::{
    documents, parse_document, parse_stream, split_documents, DocResult, ALIAS_ALLOWANCE,
    ALIAS_FACTOR, MAX_DEPTH,
};
