//! CSV (RFC 4180): `from,to,ports,pairs,total,same_ports`.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Context, MatrixWriter, Row, TextCache};

#[derive(Default)]
pub struct Csv {
    names: TextCache,
}

pub fn field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

impl MatrixWriter for Csv {
    fn begin(&mut self, out: &mut dyn Write, _ctx: &Context) -> io::Result<()> {
        writeln!(out, "from,to,ports,pairs,total,same_ports")
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        out.write_all(
            self.names
                .get(c.from as usize, || field(ctx.name(c.from)).into_owned())
                .as_bytes(),
        )?;
        out.write_all(b",")?;
        out.write_all(
            self.names
                .get(c.to as usize, || field(ctx.name(c.to)).into_owned())
                .as_bytes(),
        )?;
        writeln!(
            out,
            ",{},{},{},{}",
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
