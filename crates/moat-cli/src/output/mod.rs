//! Output writers. Matrix writers stream: one connection at a time into a `Write`.

pub mod matrix_csv;
pub mod matrix_dot;
pub mod matrix_json;
pub mod matrix_md;
pub mod matrix_mermaid;
pub mod matrix_text;

use std::collections::HashMap;
use std::io::{self, Write};

use moat::matrix::{Connection, GroupBy, Groups, Matrix, Ports};

/// What every writer may read.
pub struct Context<'a, 'e> {
    pub matrix: &'a Matrix<'e>,
    pub groups: &'a Groups,
    /// Groups with a selected member, in order (for headers and node lists).
    pub shown: &'a [usize],
    pub by: GroupBy,
}

impl Context<'_, '_> {
    pub fn name(&self, g: u32) -> &str {
        &self.groups.names[g as usize]
    }
}

/// A connection ready to print: its ports as a value and as text.
pub struct Row<'a> {
    pub conn: &'a Connection,
    pub ports: &'a Ports,
    pub ports_text: &'a str,
}

impl Row<'_> {
    /// Why a grouped connection is not the same for every member pair, if it is not.
    pub fn variation(&self) -> Option<String> {
        let c = self.conn;
        if c.uniform {
            return None;
        }
        let mut parts = Vec::new();
        if c.pairs < c.total {
            parts.push(format!("{} of {} pairs", c.pairs, c.total));
        }
        if !c.same_ports {
            parts.push("ports differ by pair".to_string());
        }
        Some(parts.join(", "))
    }
}

pub trait MatrixWriter {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Context) -> io::Result<()>;
    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()>;
    /// `note`: why the output stopped early, and how to get the rest.
    fn end(
        &mut self,
        out: &mut dyn Write,
        ctx: &Context,
        count: u64,
        note: Option<&str>,
    ) -> io::Result<()>;
}

pub fn matrix_writer(format: crate::cli::MatrixFormat) -> Box<dyn MatrixWriter> {
    use crate::cli::MatrixFormat as F;
    match format {
        F::Text => Box::new(matrix_text::Text::default()),
        F::Json => Box::new(matrix_json::Json::default()),
        F::Csv => Box::new(matrix_csv::Csv),
        F::Md => Box::new(matrix_md::Markdown),
        F::Dot => Box::new(matrix_dot::Dot::default()),
        F::Mermaid => Box::new(matrix_mermaid::Mermaid),
    }
}

/// Port sets are few: describe each once.
#[derive(Default)]
pub struct PortsCache {
    map: HashMap<Vec<u64>, (Ports, String)>,
}

impl PortsCache {
    pub fn get(&mut self, m: &Matrix, set: &[u64]) -> &(Ports, String) {
        if !self.map.contains_key(set) {
            let p = m.ports.describe(set);
            let t = p.to_string();
            self.map.insert(set.to_vec(), (p, t));
        }
        &self.map[set]
    }
}

pub fn group_word(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Pod => "pod",
        GroupBy::Workload => "workload",
        GroupBy::Namespace => "namespace",
    }
}
