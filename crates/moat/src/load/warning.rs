//! What a load noticed that does not stop it but that the user must hear about: the CLI
//! prints each one, and `--strict` makes them errors.

use std::fmt;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// The same kind, namespace and name twice: the later one is used, as `kubectl apply` would.
    Duplicate,
    /// A controller ownerReference without `kind` or `apiVersion`.
    OwnerReference,
    /// The inputs hold policies but nothing they could select (no Pod, no workload).
    NoWorkloads,
    /// The inputs hold no NetworkPolicy at all: every connection is allowed.
    NoPolicies,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub span: Option<Span>,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(s) => write!(f, "{s}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}
