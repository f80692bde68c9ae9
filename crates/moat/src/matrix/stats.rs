//! Counting allowed pairs without writing them: the compute-only pass of `--stats`.

use rayon::prelude::*;

use super::compute::{Matrix, Row, RowFilter};

/// Allowed pairs, a pod's traffic to itself left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCounts {
    /// Endpoint to endpoint.
    pub internal: u64,
    /// Endpoint to external range.
    pub egress_external: u64,
    /// External range to endpoint.
    pub ingress_external: u64,
    /// (source node, destination node) pairs: what was computed.
    pub node_pairs: u64,
}

impl std::ops::Add for PairCounts {
    type Output = PairCounts;
    fn add(self, o: PairCounts) -> PairCounts {
        PairCounts {
            internal: self.internal + o.internal,
            egress_external: self.egress_external + o.egress_external,
            ingress_external: self.ingress_external + o.ingress_external,
            node_pairs: self.node_pairs + o.node_pairs,
        }
    }
}

/// Every row, counted in parallel.
pub fn count_pairs(m: &Matrix) -> PairCounts {
    let c = m.classes.len();
    let cluster = m.engine().cluster();
    let size = |k: usize| m.classes.members[k].len() as u64;
    let singles = |k: usize| {
        m.classes.members[k]
            .iter()
            .filter(|&&e| !cluster.endpoints[e as usize].has_several_pods())
            .count() as u64
    };
    (0..m.node_count())
        .into_par_iter()
        .map_init(Row::default, |row, s| {
            m.row(s, RowFilter::default(), row);
            let mut out = PairCounts {
                node_pairs: row.len() as u64,
                ..Default::default()
            };
            for &d in &row.dsts {
                let d = d as usize;
                match (s < c, d < c) {
                    (true, true) => {
                        out.internal += size(s) * size(d) - if s == d { singles(s) } else { 0 };
                    }
                    (true, false) => out.egress_external += size(s),
                    (false, true) => out.ingress_external += size(d),
                    (false, false) => {}
                }
            }
            out
        })
        .reduce(PairCounts::default, |a, b| a + b)
}
