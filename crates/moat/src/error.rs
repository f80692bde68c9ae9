//! Input errors. The library never prints: it returns every problem it found, each with
//! the file:line:column, the field path and what is wrong, and the CLI decides how to show them.

use std::fmt;

use crate::source::Span;

/// One problem in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub span: Option<Span>,
    /// Field path inside the object, such as `spec.ingress[0].from[1].ipBlock.cidr`.
    pub path: String,
    pub message: String,
}

impl InputError {
    pub fn new(span: Option<Span>, path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            span,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(span) = &self.span {
            write!(f, "{span}: ")?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// All the problems of one load, in input order. Never empty when returned as an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}
