//! Output writers. Matrix writers stream: one connection at a time into a `Write`.

pub mod diff_csv;
pub mod diff_json;
pub mod diff_md;
pub mod diff_report;
pub mod diff_text;
pub mod matrix_csv;
pub mod matrix_dot;
pub mod matrix_json;
pub mod matrix_md;
pub mod matrix_mermaid;
pub mod matrix_text;
pub mod report_html;

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
    /// Which of this run's distinct port sets `ports` is: writers that derive their own
    /// text from a port set compute it once per id.
    pub ports_id: usize,
    pub ports: &'a Ports,
    pub ports_text: &'a str,
}

impl Row<'_> {
    /// Why a grouped connection is not the same for every member pair, if it is not.
    pub fn variation(&self) -> Option<String> {
        let c = self.conn;
        variation(c.uniform, c.pairs, c.total, c.same_ports)
    }
}

/// Why a grouped connection is not the same for every member pair (`3 of 4 pairs, ports
/// differ by pair`), if it is not.
pub fn variation(uniform: bool, pairs: u64, total: u64, same_ports: bool) -> Option<String> {
    if uniform {
        return None;
    }
    let mut parts = Vec::new();
    if pairs < total {
        parts.push(format!("{pairs} of {total} pairs"));
    }
    if !same_ports {
        parts.push("ports differ by pair".to_string());
    }
    Some(parts.join(", "))
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
        F::Csv => Box::new(matrix_csv::Csv::default()),
        F::Md => Box::new(matrix_md::Markdown),
        F::Dot => Box::new(matrix_dot::Dot::default()),
        F::Mermaid => Box::new(matrix_mermaid::Mermaid),
    }
}

/// Port sets are few: describe each once (neighbouring rows often share one).
#[derive(Default)]
pub struct PortsCache {
    /// Looked up once per row on the writing thread: foldhash, not SipHash, whose cost
    /// there was a quarter of the row's (the keys are moat's own port-class words).
    map: foldhash::HashMap<Vec<u64>, usize>,
    items: Vec<(Ports, String)>,
    last_key: Vec<u64>,
    last: Option<usize>,
}

impl PortsCache {
    /// The port set `set` described, with its id (ids count distinct sets from 0).
    pub fn get(&mut self, m: &Matrix, set: &[u64]) -> (usize, &(Ports, String)) {
        if let Some(i) = self.last {
            if self.last_key.as_slice() == set {
                return (i, &self.items[i]);
            }
        }
        let i = match self.map.get(set) {
            Some(&i) => i,
            None => {
                let p = m.ports.describe(set);
                let t = p.to_string();
                self.items.push((p, t));
                self.map.insert(set.to_vec(), self.items.len() - 1);
                self.items.len() - 1
            }
        };
        self.last_key.clear();
        self.last_key.extend_from_slice(set);
        self.last = Some(i);
        (i, &self.items[i])
    }
}

/// Text computed once per small dense id (a group's escaped name, a port set's JSON):
/// rows repeat the same few texts many times.
#[derive(Default)]
pub struct TextCache {
    texts: Vec<Option<String>>,
}

impl TextCache {
    /// Called several times per row: inlined, with the text already made as the fast path.
    #[inline]
    pub fn get(&mut self, id: usize, make: impl FnOnce() -> String) -> &str {
        if !matches!(self.texts.get(id), Some(Some(_))) {
            self.fill(id, make());
        }
        self.texts[id].as_deref().unwrap_or_default()
    }

    #[cold]
    fn fill(&mut self, id: usize, text: String) {
        if self.texts.len() <= id {
            self.texts.resize(id + 1, None);
        }
        self.texts[id] = Some(text);
    }
}

pub fn group_word(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Pod => "pod",
        GroupBy::Workload => "workload",
        GroupBy::Namespace => "namespace",
    }
}
