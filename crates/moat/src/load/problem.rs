//! What can be wrong with an input, classified so that `lint` can report each class as its
//! own rule while every other command refuses the input.

use crate::error::InputError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// Unreadable: a file that cannot be read, invalid YAML, a value of the wrong type.
    Syntax,
    /// Well-formed, but the API server would reject it (bad CIDR, bad selector, ...).
    Invalid,
    /// A field the API does not define; strict field validation rejects it.
    UnknownField,
}

/// The object a problem belongs to, when known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub error: InputError,
    pub object: Option<ObjectRef>,
    /// For unknown fields: the nearest real field.
    pub suggestion: Option<String>,
}
