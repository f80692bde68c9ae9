//! The proof that a translation changes nothing: two engines over the same workloads
//! allow exactly the same ports for every pair of endpoints and external address ranges.
//! The ranges are the common refinement of both matrices' partitions, so one address per
//! range stands for all of it, and the port sets are compared as exact intervals.

use crate::engine::{Engine, Target};
use crate::matrix::{Matrix, Ports};

/// How much was compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Source/destination pairs compared (each with its full port set).
    pub pairs: usize,
}

/// The first pair on which the two disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub from: String,
    pub to: String,
    pub before: Ports,
    pub after: Ports,
}

fn targets(a: &Engine, ma: &Matrix, mb: &Matrix) -> Vec<Target> {
    let mut t: Vec<Target> = (0..a.cluster().endpoints.len())
        .map(Target::Endpoint)
        .collect();
    let mut firsts: Vec<std::net::IpAddr> = ma
        .ips
        .parts()
        .iter()
        .chain(mb.ips.parts())
        .map(|p| p.first())
        .collect();
    firsts.sort();
    firsts.dedup();
    for ip in firsts {
        if let Target::External(ip) = a.resolve_ip(ip) {
            t.push(Target::External(ip));
        }
    }
    t
}

/// Whether `before` and `after` (the same workloads, different policies) decide alike.
/// Endpoints are compared by index: both must come from the same workload manifests.
pub fn prove_equal(before: &Engine, after: &Engine) -> Result<Proof, Box<Difference>> {
    let (ma, mb) = (Matrix::new(before, &[]), Matrix::new(after, &[]));
    let ts = targets(before, &ma, &mb);
    let mut pairs = 0;
    for &src in &ts {
        for &dst in &ts {
            if matches!((src, dst), (Target::External(_), Target::External(_))) {
                continue;
            }
            pairs += 1;
            let pa = ma.ports.describe(&ma.allowed_ports(src, dst));
            let pb = mb.ports.describe(&mb.allowed_ports(src, dst));
            if pa != pb {
                return Err(Box::new(Difference {
                    from: before.target_name(src),
                    to: before.target_name(dst),
                    before: pa,
                    after: pb,
                }));
            }
        }
    }
    Ok(Proof { pairs })
}
