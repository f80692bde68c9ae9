//! What a lint rule reports.

use std::fmt;

use crate::load::ObjectRef;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Another place a diagnostic points at (the second peer of an OR, the covering rule, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// The object the place is in: its document's span until located, then the field's.
    pub span: Option<Span>,
    pub path: String,
    pub note: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    /// The object it concerns, when there is one (a CNI finding concerns the DaemonSet).
    pub object: Option<ObjectRef>,
    /// Where: the object's document until [`super::locate`] narrows it to `path`.
    pub span: Option<Span>,
    /// YAML path of the offending field inside the object, e.g. `spec.egress[0].to[1]`.
    pub path: String,
    /// One line: what is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
    /// The corrected YAML, where one exists.
    pub fix: Option<String>,
    /// Label under the primary position in a code frame.
    pub label: String,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity,
            object: None,
            span: None,
            path: String::new(),
            message: message.into(),
            help: String::new(),
            fix: None,
            label: String::new(),
            related: Vec::new(),
        }
    }

    pub fn at(
        mut self,
        object: Option<ObjectRef>,
        span: Option<Span>,
        path: impl Into<String>,
    ) -> Self {
        self.object = object;
        self.span = span;
        self.path = path.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn fix(mut self, yaml: impl Into<String>) -> Self {
        self.fix = Some(yaml.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn related(
        mut self,
        span: Option<Span>,
        path: impl Into<String>,
        note: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            span,
            path: path.into(),
            note: note.into(),
        });
        self
    }
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl Summary {
    pub fn of(diags: &[Diagnostic]) -> Summary {
        let mut s = Summary::default();
        for d in diags {
            match d.severity {
                Severity::Error => s.error += 1,
                Severity::Warning => s.warning += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }
}
