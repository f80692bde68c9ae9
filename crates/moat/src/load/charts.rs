//! Inputs that are not manifests yet: Helm charts and kustomizations. moat reads what the
//! API server would receive, so these are errors that say how to render them, named at the
//! file (and line) that shows what they are.

use std::path::Path;
use std::sync::Arc;

use super::files::Source;
use crate::error::InputError;
use crate::source::Span;
use crate::yaml::{Node, Value};

/// What a source is, when it is not a manifest.
enum Unrendered {
    Chart,
    Kustomization,
}

fn classify(name: &str) -> Option<Unrendered> {
    let file = Path::new(name).file_name()?.to_str()?;
    match file {
        "Chart.yaml" | "Chart.yml" => Some(Unrendered::Chart),
        "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
            Some(Unrendered::Kustomization)
        }
        _ => None,
    }
}

fn dir_of(name: &str) -> String {
    match Path::new(name).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_string(),
    }
}

/// The sources to load, and an error for each chart or kustomization among them. The other
/// files of a chart's or kustomization's directory are left out: they are its templates,
/// values and patches, not objects.
pub(crate) fn screen(sources: &[Source]) -> (Vec<&Source>, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    for src in sources {
        let Some(what) = classify(&src.name) else {
            continue;
        };
        let dir = dir_of(&src.name);
        let msg = match what {
            Unrendered::Chart => format!(
                "a Helm chart, not manifests: moat reads rendered output; pipe it in: `helm template RELEASE {dir} | moat <command> -`"
            ),
            Unrendered::Kustomization => format!(
                "a kustomization, not manifests: moat reads rendered output; pipe it in: `kustomize build {dir} | moat <command> -` (or `kubectl kustomize {dir}`)"
            ),
        };
        errors.push(InputError::new(
            Some(Span::new(src.name.clone(), 1, 1)),
            "",
            msg,
        ));
        roots.push(dir);
    }
    let inside = |name: &str| {
        roots.iter().any(|r| {
            let parent = Path::new(name).parent().unwrap_or(Path::new(""));
            parent.starts_with(r) || (r == "." && parent.as_os_str().is_empty())
        })
    };
    let kept = sources.iter().filter(|s| !inside(&s.name)).collect();
    (kept, errors)
}

/// Whether a parsed document shows the marks of an unrendered Go template: `{{ x }}`
/// written as a YAML value parses as a flow mapping whose key is itself a mapping, which no
/// Kubernetes object has.
pub(crate) fn looks_templated(node: &Node) -> bool {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .any(|(k, v)| matches!(k.value, Value::Map(_) | Value::Seq(_)) || looks_templated(v)),
        Value::Seq(items) => items.iter().any(looks_templated),
        _ => false,
    }
}

/// The error for a document that holds an unrendered template: at the first `{{` outside a
/// comment, naming the action.
pub(crate) fn template_error(file: &Arc<str>, chunk: &str, line_offset: u32) -> Option<InputError> {
    for (i, line) in chunk.lines().enumerate() {
        let code = match line.find('#') {
            // A `#` starts a comment only at a line start or after a space.
            Some(p) if p == 0 || line[..p].ends_with([' ', '\t']) => &line[..p],
            _ => line,
        };
        let Some(at) = code.find("{{") else { continue };
        let action_end = code[at..].find("}}").map_or(code.len(), |e| at + e + 2);
        let action = &code[at..action_end];
        let col = code[..at].chars().count() as u32 + 1;
        return Some(InputError::new(
            Some(Span::new(file.clone(), line_offset + i as u32 + 1, col)),
            "",
            format!(
                "unrendered Helm template `{action}`: moat reads rendered manifests; pipe them in: `helm template RELEASE CHART | moat <command> -`"
            ),
        ));
    }
    None
}
