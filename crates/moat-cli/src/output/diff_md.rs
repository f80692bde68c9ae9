//! Markdown for a pull-request comment: a headline, a summary table of every changed
//! connection, the gate, then the reasons folded in `<details>`. At most `MAX_ROWS`
//! connections are listed and `MAX_DETAILS` explained, to stay well under GitHub's
//! comment size limit (65,536 characters).

use std::io::{self, Write};

use super::diff_report::{group_name, kind_word, ports_cell, probe_text, side_text, Report};
use super::matrix_md::cell;

const MAX_ROWS: usize = 100;
/// Most connections explained in the folded details.
const MAX_DETAILS: usize = 25;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let d = r.diff;
    let n = d.added.len() + d.removed.len() + d.changed.len();
    let opening = d.entries().filter(|e| e.opens()).count();
    let closing = d.entries().filter(|e| e.closes()).count();
    if n == 0 {
        writeln!(out, "### moat diff: no connection changed")?;
    } else {
        writeln!(
            out,
            "### moat diff: {} opening, {} closing",
            plural(opening, "connection", "connections"),
            closing
        )?;
    }
    writeln!(
        out,
        "\n`{}` → `{}`, {} view: {} added, {} removed, {} changed.",
        cell(&r.old),
        cell(&r.new),
        group_name(d.by),
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    )?;
    if n > 0 {
        writeln!(out, "\n| Change | From | To | Ports |")?;
        writeln!(out, "| --- | --- | --- | --- |")?;
        for e in d.entries().take(MAX_ROWS) {
            let allow = if e.excused { " (allowed)" } else { "" };
            writeln!(
                out,
                "| {}{allow} | `{}` | `{}` | {} |",
                kind_word(e.kind),
                cell(&e.from),
                cell(&e.to),
                cell(&ports_cell(e))
            )?;
        }
        if n > MAX_ROWS {
            writeln!(
                out,
                "\n{} more not shown: `moat diff --output json` lists every one.",
                n - MAX_ROWS
            )?;
        }
    }
    if let Some(w) = r.gate.word() {
        let excused = if r.gate.excused > 0 {
            format!(" ({} declared allowed)", r.gate.excused)
        } else {
            String::new()
        };
        if r.gate.failed() {
            writeln!(
                out,
                "\n**Gate** `--fail-on {w}`: **failed**, {}{excused}.",
                plural(r.gate.failing, "change", "changes")
            )?;
        } else {
            writeln!(out, "\n**Gate** `--fail-on {w}`: passed{excused}.")?;
        }
    }
    if n > 0 {
        writeln!(
            out,
            "\n<details>\n<summary>Why each connection changed</summary>\n"
        )?;
        for e in d.entries().take(MAX_DETAILS) {
            writeln!(
                out,
                "#### {} `{}` → `{}`\n",
                kind_word(e.kind),
                cell(&e.from),
                cell(&e.to)
            )?;
            writeln!(out, "- ports: {}", ports_cell(e))?;
            if let Some(p) = &e.blame.probe {
                writeln!(out, "- flow: `{}`", probe_text(p))?;
                writeln!(out, "  - before: {}", side_text(&e.blame.sides[0]))?;
                writeln!(out, "  - after: {}", side_text(&e.blame.sides[1]))?;
            }
            for c in &e.blame.causes {
                writeln!(out, "- cause: {c}")?;
            }
            writeln!(out)?;
        }
        if n > MAX_DETAILS {
            writeln!(
                out,
                "{} more: `moat diff --output json` explains every one.\n",
                n - MAX_DETAILS
            )?;
        }
        writeln!(out, "</details>")?;
    }
    let objects = d.policy_changes.len() + d.endpoint_changes.len();
    if objects > 0 {
        writeln!(
            out,
            "\n<details>\n<summary>Objects changed ({objects})</summary>\n"
        )?;
        for (p, c) in &d.policy_changes {
            writeln!(out, "- NetworkPolicy `{p}` {c}")?;
        }
        for e in &d.endpoint_changes {
            writeln!(out, "- {e}")?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}
