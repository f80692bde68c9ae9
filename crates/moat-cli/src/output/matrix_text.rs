//! Aligned text: one connection per line.

use std::io::{self, Write};

use super::{Context, MatrixWriter, Row};

#[derive(Default)]
pub struct Text {
    from_w: usize,
    to_w: usize,
}

impl MatrixWriter for Text {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Context) -> io::Result<()> {
        let w = ctx
            .shown
            .iter()
            .map(|&g| ctx.groups.names[g].len())
            .max()
            .unwrap_or(0);
        self.from_w = w.max(4);
        self.to_w = w.max(2);
        writeln!(
            out,
            "{:<fw$}  {:<tw$}  PORTS",
            "FROM",
            "TO",
            fw = self.from_w,
            tw = self.to_w
        )
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        write!(
            out,
            "{:<fw$}  {:<tw$}  {}",
            ctx.name(c.from),
            ctx.name(c.to),
            row.ports_text,
            fw = self.from_w,
            tw = self.to_w
        )?;
        match row.variation() {
            Some(v) => writeln!(out, "  ({v})"),
            None => writeln!(out),
        }
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
            "{count} connection{}",
            if count == 1 { "" } else { "s" }
        )?;
        if let Some(n) = note {
            writeln!(out, "note: {n}")?;
        }
        Ok(())
    }
}
