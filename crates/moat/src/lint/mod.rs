//! `moat lint`: rules over the loaded manifests, each a file under `rules/` with its own
//! metadata (id, default severity, summary, why, example, fix), from which the docs are
//! generated. Reachability rules ask the compiled engine; nothing re-evaluates selectors.

mod config;
mod context;
mod diagnostic;
pub mod docs;
mod locate;
mod merge;
mod registry;
mod rule;
mod rules;
mod yamlfmt;

pub use config::{find_config, Config, CONFIG_FILE};
pub use context::Context;
pub use diagnostic::{Diagnostic, Related, Severity, Summary};
pub use locate::IGNORE_ANNOTATION;
pub use registry::{all_rules, rule_by_id};
pub use rule::{Rule, RuleMeta};

use crate::engine::Engine;
use crate::error::InputError;
use crate::load::{Loaded, ProblemKind, Source};

// The config is a leaf module (rules read it through the context); checking its rule ids
// against the registry happens here, at the top of the lint module.
impl Config {
    /// Parse a config text; unknown rule ids are errors.
    pub fn parse(name: &str, text: &str) -> Result<Config, InputError> {
        Config::parse_with(name, text, &|id| rule_by_id(id).is_some())
    }

    /// Read and parse a config file; unknown rule ids are errors.
    pub fn load(path: &std::path::Path) -> Result<Config, InputError> {
        Config::load_with(path, &|id| rule_by_id(id).is_some())
    }
}

/// Which rules run, beyond the config: `--rule` (only these) and `--skip`.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

/// Lint a load. Unreadable input (syntax problems) is returned as the error: nothing can be
/// said about a document that could not be read. Diagnostics come sorted by position.
pub fn lint(
    loaded: Loaded,
    sources: &[Source],
    config: &Config,
    opts: &LintOptions,
) -> Result<Vec<Diagnostic>, Vec<InputError>> {
    let syntax: Vec<InputError> = loaded
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Syntax)
        .map(|p| p.error.clone())
        .collect();
    if !syntax.is_empty() {
        return Err(syntax);
    }
    let engine = Engine::new(loaded.cluster);
    let cx = Context::new(&engine, &loaded.problems, config);
    let mut diags = Vec::new();
    for rule in all_rules() {
        let id = rule.meta().id;
        let chosen = opts.only.is_empty() || opts.only.iter().any(|r| r == id);
        let skipped = opts.skip.iter().any(|r| r == id) || config.skip.iter().any(|r| r == id);
        if chosen && !skipped {
            rule.check(&cx, &mut diags);
        }
    }
    for d in &mut diags {
        if let Some(s) = config.severity.get(d.rule) {
            d.severity = *s;
        }
    }
    let mut diags = locate::locate(diags, sources);
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.span.as_ref().map(|s| (s.file.clone(), s.line, s.col));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
    diags.dedup();
    Ok(merge::merge_identical(diags))
}
