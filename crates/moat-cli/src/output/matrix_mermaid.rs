//! Mermaid flowchart: namespaces as subgraphs, edges labelled with ports. Mermaid cannot
//! reopen a subgraph, so every shown group is declared first (one line per group, never
//! per pair), then the edges stream.

use std::io::{self, Write};

use moat::matrix::GroupBy;

use super::{Context, MatrixWriter, Row};

#[derive(Default)]
pub struct Mermaid;

fn label(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "#quot;"))
}

impl MatrixWriter for Mermaid {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Context) -> io::Result<()> {
        writeln!(out, "flowchart LR")?;
        let cluster = ctx.matrix.engine().cluster();
        let mut current_ns: Option<usize> = None;
        for &g in ctx.shown {
            let ns = ctx.groups.namespace[g];
            let name = &ctx.groups.names[g];
            if ctx.by == GroupBy::Namespace || ns.is_none() {
                if current_ns.take().is_some() {
                    writeln!(out, "  end")?;
                }
                let shape = if ns.is_none() {
                    ("([", "])")
                } else {
                    ("[", "]")
                };
                writeln!(out, "  g{g}{}{}{}", shape.0, label(name), shape.1)?;
                continue;
            }
            if current_ns != ns {
                if current_ns.is_some() {
                    writeln!(out, "  end")?;
                }
                let ns_i = ns.unwrap_or(0);
                writeln!(
                    out,
                    "  subgraph ns{ns_i}[{}]",
                    label(&cluster.namespaces[ns_i].name)
                )?;
                current_ns = ns;
            }
            let ns_name = &cluster.namespaces[ns.unwrap_or(0)].name;
            let short = name.strip_prefix(&format!("{ns_name}/")).unwrap_or(name);
            writeln!(out, "    g{g}[{}]", label(short))?;
        }
        if current_ns.is_some() {
            writeln!(out, "  end")?;
        }
        Ok(())
    }

    fn row(&mut self, out: &mut dyn Write, _ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        let text = match row.variation() {
            Some(v) => format!("{} ({v})", row.ports_text),
            None => row.ports_text.to_string(),
        };
        writeln!(out, "  g{} -->|{}| g{}", c.from, label(&text), c.to)
    }

    fn end(
        &mut self,
        out: &mut dyn Write,
        _ctx: &Context,
        _count: u64,
        note: Option<&str>,
    ) -> io::Result<()> {
        if let Some(n) = note {
            writeln!(out, "  %% {n}")?;
        }
        Ok(())
    }
}
