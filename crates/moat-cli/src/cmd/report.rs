//! `moat report`: one self-contained HTML page (or the data it embeds, as JSON).

use std::collections::HashMap;

use moat::lint::{find_config, lint, Config, LintOptions};
use moat::load::Loaded;
use moat::matrix::Matrix;
use moat::report::{prepare, ReportOptions};

use crate::cli::{ReportArgs, ReportFormat};
use crate::cmd::lint::{diagnostic_text, SourceLines};
use crate::endpoint_arg::bad;
use crate::exit::Failure;
use crate::input;
use crate::output::report_html;

pub fn run(args: &ReportArgs) -> Result<i32, Failure> {
    let (sources, loaded) = input::load_strict_with_sources(&args.input)?;
    let config = match find_config(&args.input.paths) {
        None => Config::default(),
        Some(p) => Config::load(&p).map_err(|e| Failure::Input(vec![e]))?,
    };
    // Lint compiles its own engine; load_strict left no problems to hand it.
    let for_lint = Loaded {
        cluster: loaded.cluster.clone(),
        problems: Vec::new(),
        warnings: Vec::new(),
        documents: loaded.documents,
    };
    let engine = input::engine_from(&args.input, loaded);
    let matrix = Matrix::new(&engine, &[]);
    let opts = ReportOptions {
        inputs: args
            .input
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        max_edges: args.max_edges,
        detail: args.detail.clone(),
    };
    for ns in &args.detail {
        if engine.cluster().find_namespace(ns).is_none() {
            return Err(bad(format!("--detail: no namespace `{ns}` in the input")));
        }
    }
    // Lint is independent of the connectivity part: run it meanwhile.
    let (diags, prepared) = std::thread::scope(|s| {
        let linting = s.spawn(|| lint(for_lint, &sources, &config, &LintOptions::default()));
        let prepared = prepare(&engine, &matrix, &opts);
        (linting.join(), prepared)
    });
    let diags = diags
        .map_err(|_| bad("lint failed".to_string()))?
        .map_err(Failure::Input)?;
    let texts: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.name.as_ref(), s.text.as_str()))
        .collect();
    // One finding as `moat lint` prints it, code frame included.
    let lines = SourceLines::new(&texts);
    let frame = |d: &moat::lint::Diagnostic| diagnostic_text(d, &lines).trim_end().to_string();
    let report = prepared.finish(&diags, &frame);
    if let Some(note) = &report.budget.note {
        crate::stdio::stderr!("note: {note}");
    }
    let encoded = match args.format {
        ReportFormat::Html => serde_json::to_string(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report),
    };
    let json = encoded.map_err(|e| bad(format!("encoding the report: {e}")))?;
    let text = match args.format {
        ReportFormat::Html => report_html::render(&json, &opts.inputs.join(" ")),
        ReportFormat::Json => json + "\n",
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| format!("writing {}: {e}", path.display())),
        None => {
            crate::stdio::print(&text)?;
            Ok(())
        }
    };
    written.map_err(bad)?;
    Ok(0)
}
