//! `diff` is the set difference of the two matrices, on random clusters and random edits
//! of them (policies replaced or removed, labels changed, workloads added and removed,
//! namespace labels changed, ports changed), in every view; the incremental computation
//! equals the full one; every entry names a cause.

use std::collections::BTreeMap;

use moat::diff::{diff, Diff, EntryKind, Mode, Options, PortSet};
use moat::engine::Engine;
use moat::load::{load_str, LoadOptions};
use moat::matrix::{Aggregator, GroupBy, Groups, Matrix, Selection};
use moat::model::IpRange;
use proptest::prelude::*;
use random_cluster::{cluster_yaml, Rng};

mod random_cluster;

fn docs(yaml: &str) -> Vec<String> {
    yaml.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// One to three random edits of a cluster.
fn edit(r: &mut Rng, yaml: &str) -> String {
    let mut d = docs(yaml);
    let other = docs(&cluster_yaml(&mut Rng(r.next() | 1)));
    for _ in 0..1 + r.below(3) {
        if d.is_empty() {
            break;
        }
        let i = r.below(d.len());
        match r.below(6) {
            0 => {
                d.remove(i);
            }
            1 => {
                // Replace a policy with another cluster's policy of the same name, or add one.
                if let Some(p) = other.iter().find(|x| x.contains("kind: NetworkPolicy")) {
                    match d.iter().position(|x| x.contains("kind: NetworkPolicy")) {
                        Some(j) if r.chance(60) => d[j] = p.clone(),
                        _ => d.push(p.replace("name: np", "name: extra-np")),
                    }
                }
            }
            2 => {
                let (a, b) = [
                    ("app: web", "app: api"),
                    ("app: api", "app: db"),
                    ("tier: front", "tier: back"),
                    ("app: db", "app: web"),
                ][r.below(4)];
                d[i] = d[i].replacen(a, b, 1);
            }
            3 => {
                if let Some(w) = other
                    .iter()
                    .find(|x| x.contains("kind: Pod") || x.contains("kind: Deployment"))
                {
                    // New names; pod IPs dropped so that they cannot collide.
                    let w: String = w
                        .replace("name: p", "name: new-p")
                        .replace("name: w", "name: new-w")
                        .lines()
                        .filter(|l| !l.starts_with("status:") && !l.contains("podIP"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                    d.push(w);
                }
            }
            4 => {
                d[i] = if d[i].contains("env: prod") {
                    d[i].replace("env: prod", "env: dev")
                } else {
                    d[i].replace("env: dev", "env: prod")
                };
            }
            _ => {
                let (a, b) = [
                    ("port: 80}", "port: 8080}"),
                    ("port: 53}", "port: 5432}"),
                    ("10.0.0.0/8", "10.0.0.0/16"),
                    ("containerPort: 80}", "containerPort: 9000}"),
                ][r.below(4)];
                d[i] = d[i].replacen(a, b, 1);
            }
        }
    }
    d.iter().map(|x| format!("{x}---\n")).collect()
}

fn engine(yaml: &str) -> Option<Engine> {
    let loaded = load_str("random.yaml", yaml, &LoadOptions::default());
    loaded
        .problems
        .is_empty()
        .then(|| Engine::new(loaded.cluster))
}

/// A matrix row as `moat matrix` prints it: ports, and the pair counts when not uniform.
type Row = (PortSet, Option<(u64, u64, bool)>);

/// Every connection of a matrix, external ranges split into the given common parts.
fn rows(m: &Matrix, by: GroupBy, common: &[IpRange]) -> BTreeMap<(String, String), Row> {
    let g = Groups::build(m, by);
    let sel = Selection::default();
    let agg = Aggregator::new(m, &g, &sel);
    let names = |h: u32| -> Vec<String> {
        let h = h as usize;
        if !g.is_external(h) {
            return vec![g.names[h].clone()];
        }
        let part = m.ips.parts()[g.members[h][0] as usize - g.endpoints];
        common
            .iter()
            .filter(|q| q.family == part.family && part.start <= q.start && q.end <= part.end)
            .map(|q| q.to_string())
            .collect()
    };
    let mut out = BTreeMap::new();
    agg.for_each(&(0..g.len()).collect::<Vec<_>>(), |c| {
        let ports = PortSet::from_ports(&m.ports.describe(&c.ports));
        let extra = (!c.uniform).then_some((c.pairs, c.total, c.same_ports));
        for f in names(c.from) {
            for t in names(c.to) {
                out.insert((f.clone(), t), (ports.clone(), extra));
            }
        }
        true
    });
    out
}

/// The common refinement, computed the plain way: every start of either side.
fn common_parts(a: &Matrix, b: &Matrix) -> Vec<IpRange> {
    let mut all: Vec<IpRange> = a.ips.parts().iter().chain(b.ips.parts()).copied().collect();
    let mut starts: Vec<_> = all.iter().map(|r| (r.family, r.start)).collect();
    starts.sort();
    starts.dedup();
    all.sort();
    starts
        .iter()
        .enumerate()
        .map(|(i, &(family, start))| {
            let end = match starts.get(i + 1) {
                Some(&(f, s)) if f == family => s - 1,
                _ => all
                    .iter()
                    .filter(|r| r.family == family)
                    .map(|r| r.end)
                    .max()
                    .unwrap(),
            };
            IpRange { family, start, end }
        })
        .collect()
}

type Flat = Vec<(EntryKind, String, String, Option<Row>, Option<Row>)>;

fn flat(d: &Diff) -> Flat {
    let row = |c: &Option<moat::diff::Conn>| {
        c.as_ref().map(|c| {
            (
                (*c.ports).clone(),
                (!c.uniform).then_some((c.pairs, c.total, c.same_ports)),
            )
        })
    };
    let mut v: Flat = d
        .entries()
        .map(|e| {
            (
                e.kind,
                e.from.clone(),
                e.to.clone(),
                row(&e.before),
                row(&e.after),
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn diff_is_the_set_difference_of_the_two_matrices(seed in any::<u64>()) {
        let mut r = Rng(seed | 1);
        let old_yaml = cluster_yaml(&mut r);
        let new_yaml = edit(&mut r, &old_yaml);
        let old = engine(&old_yaml).expect("generator writes valid YAML");
        // An edit may make the input invalid (a removed document, a port out of range):
        // those are not diffs.
        let Some(new) = engine(&new_yaml) else { return Ok(()) };
        let (mo, mn) = (Matrix::new(&old, &[]), Matrix::new(&new, &[]));
        let common = common_parts(&mo, &mn);
        for by in [GroupBy::Pod, GroupBy::Workload, GroupBy::Namespace] {
            let (a, b) = (rows(&mo, by, &common), rows(&mn, by, &common));
            let mut want: Flat = Vec::new();
            for (k, rb) in &a {
                match b.get(k) {
                    None => want.push((EntryKind::Removed, k.0.clone(), k.1.clone(), Some(rb.clone()), None)),
                    Some(ra) if ra != rb => want.push((EntryKind::Changed, k.0.clone(), k.1.clone(), Some(rb.clone()), Some(ra.clone()))),
                    Some(_) => {}
                }
            }
            for (k, ra) in &b {
                if !a.contains_key(k) {
                    want.push((EntryKind::Added, k.0.clone(), k.1.clone(), None, Some(ra.clone())));
                }
            }
            want.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
            let full = diff(&mo, &mn, &Options { by, mode: Mode::Full, allow: &[] }).unwrap();
            let inc = diff(&mo, &mn, &Options { by, mode: Mode::Incremental, allow: &[] }).unwrap();
            prop_assert_eq!(&flat(&full), &want, "full diff, {:?}\n{}\n=====\n{}", by, old_yaml, new_yaml);
            prop_assert_eq!(&inc.changed, &full.changed, "incremental changed, {:?}\n{}\n=====\n{}", by, old_yaml, new_yaml);
            prop_assert_eq!(&inc.added, &full.added);
            prop_assert_eq!(&inc.removed, &full.removed);
            for e in full.entries() {
                let (bp, ap) = (e.before.as_ref().map(|c| (*c.ports).clone()).unwrap_or_default(), e.after.as_ref().map(|c| (*c.ports).clone()).unwrap_or_default());
                prop_assert_eq!(&e.opened, &ap.minus(&bp));
                prop_assert_eq!(&e.closed, &bp.minus(&ap));
                prop_assert!(!e.blame.causes.is_empty(), "no cause for {:?}\n{}\n=====\n{}", e, old_yaml, new_yaml);
            }
        }
    }
}

#[test]
fn edits_change_connectivity_often() {
    // The property proves little if edits rarely change anything.
    let mut changed = 0;
    let mut valid = 0;
    for seed in 1..120u64 {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let old_yaml = cluster_yaml(&mut r);
        let new_yaml = edit(&mut r, &old_yaml);
        let (Some(old), Some(new)) = (engine(&old_yaml), engine(&new_yaml)) else {
            continue;
        };
        valid += 1;
        let (mo, mn) = (Matrix::new(&old, &[]), Matrix::new(&new, &[]));
        let d = diff(
            &mo,
            &mn,
            &Options {
                by: GroupBy::Workload,
                mode: Mode::Incremental,
                allow: &[],
            },
        )
        .unwrap();
        changed += usize::from(!d.is_empty());
    }
    assert!(
        valid > 90 && changed > 50,
        "valid {valid}, changed {changed}"
    );
}
