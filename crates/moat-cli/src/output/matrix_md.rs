//! A Markdown table.

use std::io::{self, Write};

use super::{Context, MatrixWriter, Row};

pub struct Markdown;

pub fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

impl MatrixWriter for Markdown {
    fn begin(&mut self, out: &mut dyn Write, _ctx: &Context) -> io::Result<()> {
        writeln!(out, "| From | To | Ports |")?;
        writeln!(out, "| --- | --- | --- |")
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        let ports = match row.variation() {
            Some(v) => format!("{} ({v})", row.ports_text),
            None => row.ports_text.to_string(),
        };
        writeln!(
            out,
            "| `{}` | `{}` | {} |",
            cell(ctx.name(c.from)),
            cell(ctx.name(c.to)),
            cell(&ports)
        )
    }

    fn end(
        &mut self,
        out: &mut dyn Write,
        _ctx: &Context,
        count: u64,
        note: Option<&str>,
    ) -> io::Result<()> {
        writeln!(
            out,
            "\n{count} connection{}",
            if count == 1 { "" } else { "s" }
        )?;
        if let Some(n) = note {
            writeln!(out, "\n> {n}")?;
        }
        Ok(())
    }
}
