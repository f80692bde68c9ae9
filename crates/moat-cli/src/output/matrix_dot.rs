//! Graphviz: namespaces as clusters, external ranges as ellipses, edges labelled with
//! ports. Nodes are declared when first used (Graphviz merges subgraphs of the same name),
//! so the graph streams.

use std::io::{self, Write};

use moat::matrix::GroupBy;

use super::{Context, MatrixWriter, Row};

#[derive(Default)]
pub struct Dot {
    declared: Vec<bool>,
}

pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Dot {
    fn declare(&mut self, out: &mut dyn Write, ctx: &Context, g: u32) -> io::Result<()> {
        let gi = g as usize;
        if self.declared[gi] {
            return Ok(());
        }
        self.declared[gi] = true;
        let name = ctx.name(g);
        match ctx.groups.namespace[gi] {
            None => writeln!(out, "  {} [shape=ellipse, style=dashed];", quote(name)),
            Some(_) if ctx.by == GroupBy::Namespace => writeln!(out, "  {};", quote(name)),
            Some(ns) => {
                let ns_name = &ctx.matrix.engine().cluster().namespaces[ns].name;
                let short = name.strip_prefix(&format!("{ns_name}/")).unwrap_or(name);
                writeln!(
                    out,
                    "  subgraph {} {{ label={}; {} [label={}]; }}",
                    quote(&format!("cluster_{ns_name}")),
                    quote(ns_name),
                    quote(name),
                    quote(short)
                )
            }
        }
    }
}

impl MatrixWriter for Dot {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Context) -> io::Result<()> {
        self.declared = vec![false; ctx.groups.len()];
        writeln!(out, "digraph moat {{")?;
        writeln!(out, "  rankdir=LR;")?;
        writeln!(out, "  node [shape=box, fontname=\"Helvetica\"];")?;
        writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        self.declare(out, ctx, c.from)?;
        self.declare(out, ctx, c.to)?;
        let label = match row.variation() {
            Some(v) => format!("{} ({v})", row.ports_text),
            None => row.ports_text.to_string(),
        };
        writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(ctx.name(c.from)),
            quote(ctx.name(c.to)),
            quote(&label)
        )
    }

    fn end(
        &mut self,
        out: &mut dyn Write,
        _ctx: &Context,
        _count: u64,
        note: Option<&str>,
    ) -> io::Result<()> {
        if let Some(n) = note {
            writeln!(out, "  // {n}")?;
        }
        writeln!(out, "}}")
    }
}
