//! CSV: one row per changed connection.
//! Columns: change, from, to, before, after, opened, closed, excused, flow, causes.

use std::io::{self, Write};

use super::diff_report::{kind_word, probe_text, side_ports, Report};
use super::matrix_csv::field;

pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        out,
        "change,from,to,before,after,opened,closed,excused,flow,causes"
    )?;
    for e in r.diff.entries() {
        let cols = [
            kind_word(e.kind).to_string(),
            e.from.clone(),
            e.to.clone(),
            side_ports(e.before.as_ref()),
            side_ports(e.after.as_ref()),
            e.opened.to_string(),
            e.closed.to_string(),
            e.excused.to_string(),
            e.blame.probe.as_ref().map(probe_text).unwrap_or_default(),
            e.blame.causes.join("; "),
        ];
        let line: Vec<String> = cols.iter().map(|c| field(c).into_owned()).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}
