//! External ranges on both sides: each side's matrix splits the address space by its own
//! ipBlocks, so ranges are compared on the common refinement of both partitions. Each part
//! of a side is a union of common parts, and behaves the same on all of them.

use std::ops::Range;

use crate::matrix::IpParts;
use crate::model::IpRange;

pub struct Refinement {
    /// Sorted by (family, start), covering each family's space.
    parts: Vec<IpRange>,
    /// Per side, per part of that side: the common parts it is made of.
    of_part: [Vec<Range<usize>>; 2],
}

impl Refinement {
    pub fn build(old: &IpParts, new: &IpParts) -> Self {
        let mut bounds: Vec<(crate::model::Family, u128, u128)> = old
            .parts()
            .iter()
            .chain(new.parts())
            .map(|r| (r.family, r.start, r.end))
            .collect();
        bounds.sort_unstable();
        // Starts of both partitions; each common part runs to the next start.
        let mut starts: Vec<(crate::model::Family, u128)> =
            bounds.iter().map(|&(f, s, _)| (f, s)).collect();
        starts.dedup();
        let mut parts = Vec::with_capacity(starts.len());
        for (i, &(family, start)) in starts.iter().enumerate() {
            let end = match starts.get(i + 1) {
                Some(&(f, s)) if f == family => s - 1,
                _ => bounds
                    .iter()
                    .filter(|b| b.0 == family)
                    .map(|b| b.2)
                    .max()
                    .unwrap_or(start),
            };
            parts.push(IpRange { family, start, end });
        }
        let split = |p: &IpParts| -> Vec<Range<usize>> {
            p.parts()
                .iter()
                .map(|r| {
                    let a = parts.partition_point(|q| (q.family, q.start) < (r.family, r.start));
                    let b = parts.partition_point(|q| (q.family, q.start) <= (r.family, r.end));
                    a..b
                })
                .collect()
        };
        let of_part = [split(old), split(new)];
        Refinement { parts, of_part }
    }

    pub fn parts(&self) -> &[IpRange] {
        &self.parts
    }

    /// The common parts of part `part` of side `side` (0 old, 1 new).
    pub fn split(&self, side: usize, part: usize) -> Range<usize> {
        self.of_part[side][part].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_str, LoadOptions};

    fn parts(cidrs: &[&str]) -> IpParts {
        let mut y = String::new();
        for (i, c) in cidrs.iter().enumerate() {
            y.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}}}\nspec:\n  podSelector: {{}}\n  egress: [{{to: [{{ipBlock: {{cidr: \"{c}\"}}}}]}}]\n---\n"
            ));
        }
        let loaded = load_str("t.yaml", &y, &LoadOptions::default());
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        IpParts::build(&loaded.cluster)
    }

    #[test]
    fn each_side_is_a_union_of_common_parts() {
        let old = parts(&["10.0.0.0/8"]);
        let new = parts(&["10.1.0.0/16", "192.168.0.0/16"]);
        let r = Refinement::build(&old, &new);
        let names: Vec<String> = r.parts().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            names,
            [
                "0.0.0.0-9.255.255.255",
                "10.0.0.0/16",
                "10.1.0.0/16",
                "10.2.0.0-10.255.255.255",
                "11.0.0.0-192.167.255.255",
                "192.168.0.0/16",
                "192.169.0.0-255.255.255.255",
                "::/0"
            ]
        );
        // Old 10.0.0.0/8 is common parts 1..4; new 10.1.0.0/16 is part 2.
        let ten = old.part_of("10.0.0.1".parse().unwrap());
        assert_eq!(r.split(0, ten), 1..4);
        let n = new.part_of("10.1.2.3".parse().unwrap());
        assert_eq!(r.split(1, n), 2..3);
        for side in 0..2 {
            let p = if side == 0 { &old } else { &new };
            let covered: usize = (0..p.len()).map(|i| r.split(side, i).len()).sum();
            assert_eq!(covered, r.parts().len());
        }
    }
}
