//! `moat lint`: diagnostics as rustc-style code frames, JSON or SARIF 2.1.0.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use moat::error::InputError;
use moat::lint::{
    all_rules, docs, find_config, lint, rule_by_id, Config, Diagnostic, LintOptions, Severity,
    Summary,
};
use moat::load::{load_with_documents, LoadOptions};
use moat::source::Span;
use serde_json::json;

use crate::cli::{DenyLevel, InputArgs, LintArgs, LintFormat};
use crate::exit::Failure;
use crate::{cluster, input};

fn bad(msg: String) -> Failure {
    Failure::Input(vec![InputError::new(None, "", msg)])
}

fn config(args: &LintArgs) -> Result<Config, Failure> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => find_config(&args.paths),
    };
    match path {
        None => Ok(Config::default()),
        Some(p) => Config::load(&p).map_err(|e| Failure::Input(vec![e])),
    }
}

pub fn run(args: &LintArgs) -> Result<i32, Failure> {
    for id in args.rules.iter().chain(&args.skip) {
        if rule_by_id(id).is_none() {
            return Err(bad(format!(
                "unknown rule `{id}` (moat lint --list-rules lists them)"
            )));
        }
    }
    if args.list_rules {
        print!("{}", list_rules(args.output));
        return Ok(0);
    }
    let config = config(args)?;
    let input_args = InputArgs {
        paths: args.paths.clone(),
        namespace: args.namespace.clone(),
        verbose: false,
        cluster: args.cluster.clone(),
    };
    let mut sources = input::read_sources(&input_args)?;
    let (trees, texts) = cluster::trees_and_texts(&args.cluster)?;
    let loaded = load_with_documents(
        &sources,
        trees,
        &LoadOptions {
            default_namespace: args.namespace.clone(),
        },
    );
    let opts = LintOptions {
        only: args.rules.clone(),
        skip: args.skip.clone(),
    };
    // Cluster objects are loaded as trees; their texts only serve the code frames.
    sources.extend(texts);
    let diags = lint(loaded, &sources, &config, &opts).map_err(Failure::Input)?;
    let texts: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.name.as_ref(), s.text.as_str()))
        .collect();
    let out = match args.output {
        LintFormat::Text => text_report(&diags, &texts),
        LintFormat::Json => json_report(&diags),
        LintFormat::Sarif => sarif_report(&diags),
        LintFormat::Md => return Err(bad("--output md is for --list-rules".into())),
    };
    print!("{out}");
    let s = Summary::of(&diags);
    let failing = s.error
        + if args.deny == Some(DenyLevel::Warnings) {
            s.warning
        } else {
            0
        };
    Ok(if failing > 0 { 1 } else { 0 })
}

fn list_rules(format: LintFormat) -> String {
    match format {
        LintFormat::Md => docs::rules_markdown(),
        LintFormat::Json | LintFormat::Sarif => {
            let rules: Vec<_> = all_rules()
                .iter()
                .map(|r| {
                    let m = r.meta();
                    json!({"id": m.id, "severity": m.default_severity.as_str(), "summary": m.summary})
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({"rules": rules})).unwrap_or_default();
            s.push('\n');
            s
        }
        LintFormat::Text => {
            let mut out = String::new();
            let width = all_rules()
                .iter()
                .map(|r| r.meta().id.len())
                .max()
                .unwrap_or(0);
            for r in all_rules() {
                let m = r.meta();
                let _ = writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    m.id,
                    m.default_severity.as_str(),
                    m.summary
                );
            }
            out
        }
    }
}

// ---------------------------------------------------------------- text

/// The part of a source line to underline: from the column to the end of the token (a key
/// without its colon, or the value up to a comment).
fn underline_extent(line: &str, col: usize) -> (usize, usize) {
    let chars: Vec<char> = line.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let rest: String = chars[start..].iter().collect();
    let mut content = match rest.find(" #") {
        Some(i) => rest[..i].to_string(),
        None => rest,
    };
    content = content.trim_end().to_string();
    if let Some(i) = content.find(": ") {
        content.truncate(i);
    } else if content.ends_with(':') {
        content.pop();
    }
    (start, content.chars().count().max(1))
}

struct Frame<'a> {
    span: &'a Span,
    mark: char,
    label: &'a str,
}

fn write_frames(out: &mut String, frames: &[Frame], texts: &HashMap<&str, &str>, width: usize) {
    let pad = " ".repeat(width);
    let mut last_file: Option<&str> = None;
    for (i, f) in frames.iter().enumerate() {
        if i > 0 && last_file != Some(f.span.file.as_ref()) {
            let _ = writeln!(out, "{pad}::: {}", f.span);
        }
        last_file = Some(f.span.file.as_ref());
        let Some(line) = texts
            .get(f.span.file.as_ref())
            .and_then(|t| t.lines().nth(f.span.line as usize - 1))
        else {
            continue;
        };
        let (start, len) = underline_extent(line, f.span.col as usize);
        let _ = writeln!(out, "{:>width$} | {}", f.span.line, line.trim_end());
        let marks: String = std::iter::repeat_n(f.mark, len).collect();
        let label = if f.label.is_empty() {
            String::new()
        } else {
            format!(" {}", f.label)
        };
        let _ = writeln!(out, "{pad} | {}{marks}{label}", " ".repeat(start));
    }
}

fn object_text(d: &Diagnostic) -> Option<String> {
    let o = d.object.as_ref()?;
    let name = match &o.namespace {
        Some(ns) => format!("{ns}/{}", o.name),
        None => o.name.clone(),
    };
    Some(if d.path.is_empty() {
        format!("{} {name}", o.kind)
    } else {
        format!("{} {name}, {}", o.kind, d.path)
    })
}

pub fn text_report(diags: &[Diagnostic], texts: &HashMap<&str, &str>) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{}[{}]: {}", d.severity, d.rule, d.message);
        let width = std::iter::once(d.span.as_ref())
            .chain(d.related.iter().map(|r| r.span.as_ref()))
            .flatten()
            .map(|s| s.line.to_string().len())
            .max()
            .unwrap_or(1);
        let pad = " ".repeat(width);
        if let Some(span) = &d.span {
            let _ = writeln!(out, "{pad}--> {span}");
            let _ = writeln!(out, "{pad} |");
            let mut frames = vec![Frame {
                span,
                mark: '^',
                label: &d.label,
            }];
            for r in &d.related {
                if let Some(s) = &r.span {
                    frames.push(Frame {
                        span: s,
                        mark: '-',
                        label: &r.note,
                    });
                }
            }
            // Source order, as rustc shows them; the primary keeps its `^`.
            frames.sort_by(|a, b| {
                (&a.span.file, a.span.line, a.span.col).cmp(&(
                    &b.span.file,
                    b.span.line,
                    b.span.col,
                ))
            });
            write_frames(&mut out, &frames, texts, width);
            let _ = writeln!(out, "{pad} |");
        }
        if let Some(o) = object_text(d) {
            let _ = writeln!(out, "{pad} = in: {o}");
        }
        if !d.help.is_empty() {
            let _ = writeln!(out, "{pad} = help: {}", d.help);
        }
        if let Some(fix) = &d.fix {
            let _ = writeln!(out, "{pad} = fix:");
            for l in fix.lines() {
                let _ = writeln!(out, "{pad}     {l}");
            }
        }
        out.push('\n');
    }
    let s = Summary::of(diags);
    let _ = writeln!(
        out,
        "lint: {} error(s), {} warning(s), {} info",
        s.error, s.warning, s.info
    );
    out
}

// ---------------------------------------------------------------- json

fn object_json(d: &Diagnostic) -> serde_json::Value {
    match &d.object {
        None => serde_json::Value::Null,
        Some(o) => json!({"kind": o.kind, "namespace": o.namespace, "name": o.name}),
    }
}

pub fn json_report(diags: &[Diagnostic]) -> String {
    let items: Vec<_> = diags
        .iter()
        .map(|d| {
            json!({
                "rule": d.rule,
                "severity": d.severity.as_str(),
                "object": object_json(d),
                "file": d.span.as_ref().map(|s| s.file.as_ref()),
                "line": d.span.as_ref().map(|s| s.line),
                "column": d.span.as_ref().map(|s| s.col),
                "path": d.path,
                "message": d.message,
                "help": d.help,
                "fix": d.fix,
            })
        })
        .collect();
    let s = Summary::of(diags);
    let doc = json!({
        "diagnostics": items,
        "summary": {"error": s.error, "warning": s.warning, "info": s.info},
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

// ---------------------------------------------------------------- sarif

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF artifact URI: relative paths as written, with forward slashes.
fn uri(file: &str) -> String {
    let p = PathBuf::from(file);
    p.to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

pub fn sarif_report(diags: &[Diagnostic]) -> String {
    let rules: Vec<_> = all_rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.why},
                "help": {"text": m.fix},
                "defaultConfiguration": {"level": sarif_level(m.default_severity)},
            })
        })
        .collect();
    let index: HashMap<&str, usize> = all_rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.meta().id, i))
        .collect();
    let results: Vec<_> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if !d.help.is_empty() {
                text.push_str(&format!("\nhelp: {}", d.help));
            }
            let mut result = json!({
                "ruleId": d.rule,
                "ruleIndex": index.get(d.rule).copied().unwrap_or(0),
                "level": sarif_level(d.severity),
                "message": {"text": text},
            });
            let mut location = serde_json::Map::new();
            if let Some(s) = &d.span {
                location.insert(
                    "physicalLocation".into(),
                    json!({
                        "artifactLocation": {"uri": uri(&s.file)},
                        "region": {"startLine": s.line, "startColumn": s.col},
                    }),
                );
            }
            if let Some(o) = &d.object {
                let name = match &o.namespace {
                    Some(ns) => format!("{}/{ns}/{}", o.kind, o.name),
                    None => format!("{}/{}", o.kind, o.name),
                };
                let fq = if d.path.is_empty() {
                    name.clone()
                } else {
                    format!("{name}/{}", d.path)
                };
                location.insert(
                    "logicalLocations".into(),
                    json!([{"name": o.name, "fullyQualifiedName": fq, "kind": "object"}]),
                );
            }
            if !location.is_empty() {
                result["locations"] = json!([location]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "moat",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
