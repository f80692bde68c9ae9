//! The rule trait and the metadata every rule carries (its docs are generated from it).

use super::context::Context;
use super::diagnostic::{Diagnostic, Severity};

/// What a rule is, for `--list-rules`, docs/rules.md and SARIF.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub default_severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A manifest that fires the rule.
    pub example: &'static str,
    /// How to fix it, prose then (after a blank line) corrected YAML where one exists.
    pub fix: &'static str,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Push every finding; severity is the default one (config overrides come later).
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>);
}
