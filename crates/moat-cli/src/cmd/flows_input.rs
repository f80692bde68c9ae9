//! Reading Hubble flow logs for `recommend` and `explain-drops`: files or stdin, gzip or
//! not, streamed line by line; what the lines were, reported on stderr.

use std::path::PathBuf;

use moat::error::InputError;
use moat::flows::{open, scan, FlowLine, LineCounts};

use crate::exit::Failure;

/// Stream every flow of every FLOWS path (`-`: stdin) through `each`.
pub fn read_flows(
    paths: &[PathBuf],
    mut each: impl FnMut(&FlowLine),
) -> Result<LineCounts, Failure> {
    let mut counts = LineCounts::default();
    for p in paths {
        let name = if p.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            p.display().to_string()
        };
        let opened = if p.as_os_str() == "-" {
            open(std::io::stdin())
        } else {
            std::fs::File::open(p).and_then(open)
        };
        let mut reader = opened.map_err(|e| bad(format!("{name}: {e}")))?;
        scan(&name, &mut reader, &mut counts, &mut each)
            .map_err(|e| bad(format!("{name}: {e} (after line {})", counts.lines)))?;
    }
    Ok(counts)
}

/// stdin can be read once: by the flows or by the manifests.
pub fn one_stdin(flows: &[PathBuf], manifests: &[PathBuf]) -> Result<(), Failure> {
    let dash = |v: &[PathBuf]| v.iter().any(|p| p.as_os_str() == "-");
    if dash(flows) && dash(manifests) {
        return Err(bad(
            "`-` (stdin) is given for both FLOWS and --with: stdin can be read once".into(),
        ));
    }
    Ok(())
}

fn bad(msg: String) -> Failure {
    Failure::Input(vec![InputError::new(None, "", msg)])
}

/// `300 lines: 280 flows (FORWARDED 250, DROPPED 30), 1 other event, 2 malformed`, then
/// one line per reported malformed line.
pub fn lines_text(c: &LineCounts) -> String {
    let verdicts: Vec<String> = c
        .by_verdict
        .iter()
        .map(|(v, n)| format!("{v} {n}"))
        .collect();
    let mut s = format!("{} lines: {} flows", c.lines, c.flows);
    if !verdicts.is_empty() {
        s.push_str(&format!(" ({})", verdicts.join(", ")));
    }
    if c.other_events > 0 {
        s.push_str(&format!(", {} other events", c.other_events));
    }
    if c.blank > 0 {
        s.push_str(&format!(", {} blank", c.blank));
    }
    s.push_str(&format!(", {} malformed\n", c.malformed));
    for m in &c.malformed_samples {
        s.push_str(&format!(
            "  malformed: {}:{}: {}\n",
            m.file, m.line, m.message
        ));
    }
    let unlisted = c.malformed - c.malformed_samples.len() as u64;
    if unlisted > 0 {
        s.push_str(&format!("  ... and {unlisted} more malformed lines\n"));
    }
    if c.flows == 0 && c.malformed > 0 {
        s.push_str("  no line is a Hubble flow in JSON: export with `hubble observe -o json` (or `-o jsonpb`)\n");
    }
    s
}

/// The line counts as json (`lines` of `moat.drops/v1`).
pub fn lines_json(c: &LineCounts) -> serde_json::Value {
    serde_json::json!({
        "total": c.lines,
        "flows": c.flows,
        "blank": c.blank,
        "other_events": c.other_events,
        "malformed": c.malformed,
        "by_verdict": c.by_verdict,
        "malformed_lines": c.malformed_samples.iter().map(|m| serde_json::json!({"file": m.file, "line": m.line, "message": m.message})).collect::<Vec<_>>(),
    })
}
