//! Text: one line per changed connection with its ports, then the flow that shows it, its
//! verdict on each side, and the object changes behind it.

use std::io::{self, Write};

use moat::diff::Entry;

use super::diff_report::{group_name, ports_cell, probe_text, side_text, sign, Report};

pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let d = r.diff;
    writeln!(
        out,
        "moat diff ({} view): {} → {}",
        group_name(d.by),
        r.old,
        r.new
    )?;
    let opening = d.entries().filter(|e| e.opens()).count();
    let closing = d.entries().filter(|e| e.closes()).count();
    writeln!(
        out,
        "{} added, {} removed, {} changed: {opening} opening, {closing} closing",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    )?;
    for e in d.entries() {
        writeln!(out)?;
        entry(out, e)?;
    }
    if !d.policy_changes.is_empty() || !d.endpoint_changes.is_empty() {
        writeln!(out)?;
        writeln!(out, "objects changed:")?;
        for (p, c) in &d.policy_changes {
            writeln!(out, "  NetworkPolicy {p} {c}")?;
        }
        for e in &d.endpoint_changes {
            writeln!(out, "  {e}")?;
        }
    }
    if let Some(w) = r.gate.word() {
        writeln!(out)?;
        let excused = if r.gate.excused > 0 {
            format!(" ({} opening excused by --allow)", r.gate.excused)
        } else {
            String::new()
        };
        if r.gate.failed() {
            writeln!(
                out,
                "gate --fail-on {w}: FAILED, {}{excused}",
                moat::text::count(r.gate.failing, "change")
            )?;
        } else {
            writeln!(out, "gate --fail-on {w}: passed{excused}")?;
        }
    }
    Ok(())
}

fn entry(out: &mut dyn Write, e: &Entry) -> io::Result<()> {
    let head = ports_cell(e);
    let excused = if e.excused {
        "  [allowed by --allow]"
    } else {
        ""
    };
    writeln!(
        out,
        "{} {} → {}  {head}{excused}",
        sign(e.kind),
        e.from,
        e.to
    )?;
    if let Some(p) = &e.blame.probe {
        writeln!(out, "    flow    {}", probe_text(p))?;
        writeln!(out, "    before  {}", side_text(&e.blame.sides[0]))?;
        writeln!(out, "    after   {}", side_text(&e.blame.sides[1]))?;
    }
    for c in &e.blame.causes {
        writeln!(out, "    cause   {c}")?;
    }
    Ok(())
}
