//! `moat report`: one self-contained HTML page (or the data it embeds, as JSON).

use std::collections::HashMap;
use std::io::Write;

use moat::lint::{find_config, lint, Config, LintOptions};
use moat::load::Loaded;
use moat::matrix::Matrix;
use moat::report::{build, ReportOptions};

use crate::cli::{ReportArgs, ReportFormat};
use crate::cmd::lint::text_report;
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
        documents: loaded.documents,
    };
    let engine = input::engine_from(&args.input, loaded);
    let diags =
        lint(for_lint, &sources, &config, &LintOptions::default()).map_err(Failure::Input)?;
    let matrix = Matrix::new(&engine, &[]);
    let texts: HashMap<&str, &str> = sources
        .iter()
        .map(|s| (s.name.as_ref(), s.text.as_str()))
        .collect();
    // One finding as `moat lint` prints it, without the closing summary line.
    let frame = |d: &moat::lint::Diagnostic| {
        let text = text_report(std::slice::from_ref(d), &texts);
        let body = text.trim_end().rsplit_once('\n').map_or("", |(b, _)| b);
        body.trim_end().to_string()
    };
    let opts = ReportOptions {
        inputs: args
            .input
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        max_edges: args.max_edges,
    };
    let report = build(&engine, &matrix, &diags, &frame, &opts);
    if let Some(note) = &report.budget.note {
        eprintln!("note: {note}");
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
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("writing the output: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    written.map_err(bad)?;
    Ok(0)
}
