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
mod tiers;

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
    /// Namespaces whose workload connections to embed first, when not all fit.
    pub detail: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            inputs: Vec::new(),
            max_edges: 250_000,
            detail: Vec::new(),
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
    let mut cluster_policies = tiers::policies(engine, &workloads);
    let peer_sets = peers::attach(
        engine,
        matrix,
        &groups,
        &mut policies,
        &mut cluster_policies,
    );
    let namespace_matrix = areas::matrix(matrix, &areas, &mut ports);
    let (edges, mut budget) = edges(matrix, &groups, &areas, &namespace_matrix, &mut ports, opts);
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
        cluster_policies,
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
    // moat's own files next to the manifests are not skipped input (see skipped_by_kind).
    let skipped = cluster
        .skipped_by_kind()
        .into_iter()
        .map(|(k, n)| (k, n as u32))
        .collect();
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
        unselected: r.workloads.iter().filter(|w| w.unselected()).count() as u32,
        findings,
        skipped,
    }
}

/// Workload-level edges of whole namespaces: every edge from or to a workload of a chosen
/// namespace, so that those workloads' cards are complete both ways. Namespaces are chosen
/// in order (`detail` first, then by name) while their connections fit the budget; a cell's
/// allowed pairs bound the workload edges behind it, so the budget is never exceeded.
fn edges(
    matrix: &Matrix,
    groups: &Groups,
    areas: &areas::Areas,
    cells: &[Cell],
    ports: &mut PortSets,
    opts: &ReportOptions,
) -> (Vec<Edge>, Budget) {
    let n_areas = areas.order.len();
    let detail_first: Vec<u32> = opts
        .detail
        .iter()
        .filter_map(|name| areas.find(matrix.engine().cluster(), name))
        .collect();
    let mut order = detail_first.clone();
    order.extend((0..n_areas as u32).filter(|a| !detail_first.contains(a)));
    // A single-pod workload's edge to itself is in no cell's pairs: count one per workload.
    let mut workloads = vec![0u64; n_areas];
    for ns in groups.namespace.iter().flatten() {
        workloads[areas.of_ns[*ns] as usize] += 1;
    }
    let mut chosen = vec![false; n_areas];
    let mut spent = 0u64;
    let max = opts.max_edges as u64;
    for a in order {
        // Cells touching `a` that no chosen namespace already accounts for.
        let cost: u64 = cells
            .iter()
            .filter(|c| c.0 == a || c.1 == a)
            .filter(|c| {
                let other = (if c.0 == a { c.1 } else { c.0 }) as usize;
                // The external area is never chosen; a chosen namespace counted it already.
                other >= n_areas || !chosen[other]
            })
            .map(|c| c.3)
            .sum::<u64>()
            + workloads[a as usize];
        if spent + cost <= max {
            chosen[a as usize] = true;
            spent += cost;
        }
    }
    let all = chosen.iter().all(|&c| c);
    let mut sel = Selection::default();
    if !all {
        let mut units = crate::engine::BitSet::new(groups.unit_count());
        for (e, ep) in matrix.engine().cluster().endpoints.iter().enumerate() {
            if chosen[areas.of_ns[ep.namespace] as usize] {
                units.insert(e);
            }
        }
        sel.touching.push(units);
    }
    let agg = Aggregator::new(matrix, groups, &sel);
    let mut edges: Vec<Edge> = Vec::new();
    agg.for_each(&agg.source_groups(), |c| {
        edges.push(Edge(
            c.from,
            c.to,
            ports.intern(&c.ports),
            u8::from(c.uniform),
        ));
        true
    });
    let detail: Vec<u32> = (0..n_areas as u32)
        .filter(|&a| chosen[a as usize])
        .collect();
    let with_workloads = areas
        .order
        .iter()
        .filter(|&&ns| groups.namespace.contains(&Some(ns)))
        .count();
    let cut = !all;
    let note = cut.then(|| {
        let shown = detail
            .iter()
            .filter(|&&a| groups.namespace.contains(&Some(areas.order[a as usize])))
            .count();
        format!(
            "Workload-level connections are embedded for {shown} of {with_workloads} namespaces ({} connections, the budget is {max}): every connection from or to their workloads. Elsewhere the namespace matrix, which is complete, stands in. Choose the namespaces with --detail, or raise --max-edges.",
            edges.len()
        )
    });
    let budget = Budget {
        max_edges: max,
        edges: edges.len() as u64,
        detail_namespaces: if cut { detail } else { Vec::new() },
        allowed_pairs: 0,
        cut,
        note,
    };
    (edges, budget)
}
