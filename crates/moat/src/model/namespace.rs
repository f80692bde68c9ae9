//! Namespaces. Every namespace carries `kubernetes.io/metadata.name`, as on a real cluster.

use super::labels::Labels;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    /// Where the Namespace object was declared; `None` when only referenced.
    pub span: Option<Span>,
}
