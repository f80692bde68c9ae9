//! The data behind `moat report`: one document holding the summary, the connectivity at
//! workload and namespace level, the policies with their rules, and the lint findings, for
//! a page to show without computing anything beyond lookups.
//!
//! Everything is read through the public views: the matrix (`Matrix`, `Groups`,
//! `Aggregator`) for what is allowed, the engine's view for which policies select and
//! isolate whom, and the compiled rules' peer sets for the explain box.

mod areas;
mod data;
mod findings;
mod nodes;
mod peers;

pub use data::*;

use std::collections::HashMap;

use crate::engine::Engine;
use crate::lint::Diagnostic;
use crate::matrix::{Aggregator, ClassSet, GroupBy, Groups, Matrix, Ports, Selection};
use crate::model::Protocol;

/// What to put in the report besides the cluster itself.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// The paths the report is made from, shown in the page.
    pub inputs: Vec<String>,
    /// Most workload-level edges to embed; the namespace matrix is always complete.
    pub max_edges: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            inputs: Vec::new(),
            max_edges: 250_000,
        }
    }
}

/// Port sets, interned by their class set.
pub(crate) struct PortSets<'m, 'e> {
    matrix: &'m Matrix<'e>,
    index: HashMap<Vec<u64>, u32>,
    pub sets: Vec<PortSet>,
}

impl<'m, 'e> PortSets<'m, 'e> {
    fn new(matrix: &'m Matrix<'e>) -> Self {
        PortSets {
            matrix,
            index: HashMap::new(),
            sets: Vec::new(),
        }
    }

    pub fn intern(&mut self, set: &ClassSet) -> u32 {
        if let Some(&i) = self.index.get(set) {
            return i;
        }
        let ports = self.matrix.ports.describe(set);
        let ranges = match &ports {
            Ports::All => Protocol::ALL
                .iter()
                .map(|p| (p.as_str(), 1, 65535))
                .collect(),
            Ports::Some(list) => list
                .iter()
                .flat_map(|(p, rs)| rs.iter().map(move |&(a, b)| (p.as_str(), a, b)))
                .collect(),
        };
        self.sets.push(PortSet {
            text: ports.to_string(),
            ranges,
        });
        let i = (self.sets.len() - 1) as u32;
        self.index.insert(set.to_vec(), i);
        i
    }
}

/// Build the report. `frame` renders one diagnostic as `moat lint` prints it (the code
/// frame needs the source texts, which the caller holds).
pub fn build(
    engine: &Engine,
    matrix: &Matrix,
    diags: &[Diagnostic],
    frame: &dyn Fn(&Diagnostic) -> String,
    opts: &ReportOptions,
) -> Report {
    prepare(engine, matrix, opts).finish(diags, frame)
}

/// A report without its findings yet: the connectivity part, which is the costly one, so
/// that a caller can lint meanwhile.
pub struct Prepared<'m, 'e> {
    engine: &'e Engine,
    matrix: &'m Matrix<'e>,
    groups: Groups,
    areas: areas::Areas,
    port_sets: Vec<PortSet>,
    report: Report,
}

/// Everything but the findings (see [`Prepared::finish`]).
pub fn prepare<'m, 'e>(
    engine: &'e Engine,
    matrix: &'m Matrix<'e>,
    opts: &ReportOptions,
) -> Prepared<'m, 'e> {
    let cluster = engine.cluster();
    let groups = Groups::build(matrix, GroupBy::Workload);
    let areas = areas::Areas::new(cluster);
    let mut ports = PortSets::new(matrix);

    let (workloads, externals) = nodes::nodes(engine, matrix, &groups, &areas);
    let mut policies = nodes::policies(engine, &areas, &workloads);
    let peer_sets = peers::attach(engine, matrix, &groups, &mut policies);
    let (edges, mut budget) = edges(matrix, &groups, &mut ports, opts.max_edges);
    let namespace_matrix = areas::matrix(matrix, &areas, &mut ports);
    budget.allowed_pairs = namespace_matrix.iter().map(|c| c.3).sum();

    let report = Report {
        schema: SCHEMA,
        tool: format!("moat {}", env!("CARGO_PKG_VERSION")),
        inputs: opts.inputs.clone(),
        totals: Totals::default(),
        namespaces: Vec::new(),
        workloads,
        externals,
        policies,
        port_sets: Vec::new(),
        peer_sets,
        namespace_matrix,
        edges,
        findings: Vec::new(),
        budget,
    };
    Prepared {
        engine,
        matrix,
        groups,
        areas,
        port_sets: ports.sets,
        report,
    }
}

impl Prepared<'_, '_> {
    /// Attach the lint findings and count what depends on them.
    pub fn finish(self, diags: &[Diagnostic], frame: &dyn Fn(&Diagnostic) -> String) -> Report {
        let Prepared {
            engine,
            matrix,
            groups,
            areas,
            port_sets,
            mut report,
        } = self;
        findings::attach(engine, &groups, &areas, diags, frame, &mut report);
        report.namespaces = areas::namespaces(engine, matrix, &groups, &areas, &report);
        report.port_sets = port_sets;
        report.totals = totals(engine, &report);
        report
    }
}

fn totals(engine: &Engine, r: &Report) -> Totals {
    let cluster = engine.cluster();
    let mut skipped = std::collections::BTreeMap::new();
    for (k, n) in cluster.skipped_by_kind() {
        if k != crate::load::NOT_AN_OBJECT {
            skipped.insert(k.to_string(), n as u32);
        }
    }
    let mut findings = SeverityCounts::default();
    for f in &r.findings {
        findings::count(&mut findings, f.severity);
    }
    Totals {
        namespaces: r.namespaces.len() as u32,
        workloads: r.workloads.len() as u32,
        pods: r.workloads.iter().map(|w| w.pods).sum(),
        policies: r.policies.len() as u32,
        external_ranges: r.externals.len() as u32,
        unselected: r
            .workloads
            .iter()
            .filter(|w| w.ingress.policies.is_empty() && w.egress.policies.is_empty())
            .count() as u32,
        findings,
        skipped,
    }
}

/// Workload-level edges, whole sources at a time, until the budget is spent.
fn edges(
    matrix: &Matrix,
    groups: &Groups,
    ports: &mut PortSets,
    max: usize,
) -> (Vec<Edge>, Budget) {
    let sel = Selection::default();
    let agg = Aggregator::new(matrix, groups, &sel);
    let sources = agg.source_groups();
    let mut edges: Vec<Edge> = Vec::new();
    let mut pending: Vec<Edge> = Vec::new();
    let mut current: Option<u32> = None;
    let mut complete = 0u32;
    let mut cut = false;
    agg.for_each(&sources, |c| {
        if current != Some(c.from) {
            if edges.len() + pending.len() > max {
                cut = true;
                complete = current.unwrap_or(0);
                return false;
            }
            edges.append(&mut pending);
            current = Some(c.from);
        }
        pending.push(Edge(
            c.from,
            c.to,
            ports.intern(&c.ports),
            u8::from(c.uniform),
        ));
        true
    });
    if !cut {
        if edges.len() + pending.len() > max {
            cut = true;
            complete = current.unwrap_or(0);
        } else {
            edges.append(&mut pending);
            complete = groups.len() as u32;
        }
    }
    let note = cut.then(|| {
        format!(
            "Workload-level connections are embedded for the first {complete} of {} sources ({} connections, the budget is {max}); the namespace matrix is complete. Narrow the input, or raise --max-edges.",
            groups.len(),
            edges.len()
        )
    });
    let budget = Budget {
        max_edges: max as u64,
        edges: edges.len() as u64,
        complete_sources: complete,
        allowed_pairs: 0,
        cut,
        note,
    };
    (edges, budget)
}
