//! CSV (RFC 4180): `from,to,ports,pairs,total,same_ports`.

use std::io::{self, Write};

use super::{Context, MatrixWriter, Row};

pub struct Csv;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl MatrixWriter for Csv {
    fn begin(&mut self, out: &mut dyn Write, _ctx: &Context) -> io::Result<()> {
        writeln!(out, "from,to,ports,pairs,total,same_ports")
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        writeln!(
            out,
            "{},{},{},{},{},{}",
            field(ctx.name(c.from)),
            field(ctx.name(c.to)),
            field(row.ports_text),
            c.pairs,
            c.total,
            c.same_ports
        )
    }

    fn end(
        &mut self,
        _out: &mut dyn Write,
        _ctx: &Context,
        _count: u64,
        _note: Option<&str>,
    ) -> io::Result<()> {
        Ok(())
    }
}
