//! `diff`: what a change opens and closes. Two sides (old, new), each a cluster with its
//! matrix; every connection of the two matrices in one view (pod, workload, namespace) is
//! compared: added (new only), removed (old only), changed (both, different ports or pair
//! coverage), each with the member flow, policies and object changes behind it.
//!
//! `changes` matches objects across sides by identity and finds the dirty endpoints;
//! `collect` gathers each side's connections (only the rows and columns that can differ,
//! or all of them); `refine` puts external ranges on one partition; `ports` compares port
//! sets across sides; `blame` says why; `allow` excuses declared opened flows.

mod allow;
mod blame;
mod changes;
mod collect;
mod ports;
mod refine;

pub use blame::{Blame, Probe, SideBlame};
pub use changes::{policy_differences, Changes, PolicyChange};
pub use collect::{Conn, Key, Work};
pub use ports::PortSet;
pub use refine::Refinement;

use crate::check::Expectation;
use crate::error::InputError;
use crate::matrix::{GroupBy, Groups, Matrix};
use allow::Allowances;
use collect::{Dirty, Names, Side};

/// How to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only the rows and columns whose endpoints or selecting policies changed.
    Incremental,
    /// Every connection of both matrices (the reference the incremental mode must equal).
    Full,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Added,
    Removed,
    Changed,
}

/// One connection that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// Names as `moat matrix` prints them.
    pub from: String,
    pub to: String,
    pub before: Option<Conn>,
    pub after: Option<Conn>,
    /// Ports in `after` and not in `before`, and the reverse.
    pub opened: PortSet,
    pub closed: PortSet,
    pub blame: Blame,
    /// Every opened port is declared allowed by the `--allow` file.
    pub excused: bool,
}

impl Entry {
    /// Allows something the old side did not: a new connection, a new port, or more
    /// member pairs.
    pub fn opens(&self) -> bool {
        match (&self.before, &self.after) {
            (None, Some(_)) => true,
            (Some(b), Some(a)) => !self.opened.is_empty() || a.pairs > b.pairs,
            _ => false,
        }
    }

    /// Denies something the old side allowed.
    pub fn closes(&self) -> bool {
        match (&self.before, &self.after) {
            (Some(_), None) => true,
            (Some(b), Some(a)) => !self.closed.is_empty() || a.pairs < b.pairs,
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Diff {
    pub by: GroupBy,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub changed: Vec<Entry>,
    /// Policies added, removed and edited (`namespace/name`, change), old side first.
    pub policy_changes: Vec<(String, PolicyChange)>,
    /// Endpoints added, removed or changed, in words.
    pub endpoint_changes: Vec<String>,
    /// What was computed on each side.
    pub work: [Work; 2],
    /// How it was computed (incremental unless asked otherwise, or unless a tier other than
    /// NetworkPolicy decides: its inputs are not tracked by the dirty-row analysis).
    pub mode: Mode,
}

impl Diff {
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.added.iter().chain(&self.removed).chain(&self.changed)
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

pub struct Options<'a> {
    pub by: GroupBy,
    pub mode: Mode,
    /// Opened flows declared allowed (entries with `allowed: false` are not used).
    pub allow: &'a [Expectation],
}

fn key_name(k: &Key, names: &Names, refine: &Refinement) -> String {
    match k {
        Key::Group(id) => names.display(*id),
        Key::External(i) => refine.parts()[*i as usize].to_string(),
    }
}

/// Compare the two sides. Errors: `allow` entries that name nothing on the new side.
pub fn diff(old: &Matrix, new: &Matrix, opts: &Options) -> Result<Diff, Vec<InputError>> {
    let (g_old, g_new) = rayon::join(
        || Groups::build(old, opts.by),
        || Groups::build(new, opts.by),
    );
    let names = Names::build([(old, &g_old), (new, &g_new)]);
    let sides = [
        Side::new(old, g_old, 0, &names),
        Side::new(new, g_new, 1, &names),
    ];
    let refine = Refinement::build(&old.ips, &new.ips);
    let changes = Changes::find(old.engine(), new.engine());
    let allow = Allowances::resolve(&sides[1], &refine, opts.allow)?;
    // The dirty-row reasoning knows what NetworkPolicies read. The Admin and Baseline tiers
    // (cluster-wide policies) decide nothing without cluster policies; with any on either
    // side they could change connections it cannot see: then compare whole matrices.
    let np_only = |m: &Matrix| m.engine().cluster().cluster_policies.is_empty();
    let mode = if np_only(old) && np_only(new) {
        opts.mode
    } else {
        Mode::Full
    };
    let ((c_old, w_old), (c_new, w_new)) = match mode {
        Mode::Full => rayon::join(
            || collect::all(&sides[0], &refine),
            || collect::all(&sides[1], &refine),
        ),
        Mode::Incremental => {
            let dirty = Dirty::find(&sides, &changes);
            rayon::join(
                || collect::incremental(&sides[0], &refine, &dirty),
                || collect::incremental(&sides[1], &refine, &dirty),
            )
        }
    };

    let blamer = blame::Blamer::new(&sides, &changes, &refine);
    let mut d = Diff {
        by: opts.by,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        policy_changes: Vec::new(),
        endpoint_changes: Vec::new(),
        work: [w_old, w_new],
        mode,
    };
    let mut keys: Vec<&(Key, Key)> = c_old.keys().chain(c_new.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let (b, a) = (c_old.get(key), c_new.get(key));
        let kind = match (b, a) {
            (Some(b), Some(a)) if b.same_row(a) => continue,
            (Some(_), Some(_)) => EntryKind::Changed,
            (Some(_), None) => EntryKind::Removed,
            (None, Some(_)) => EntryKind::Added,
            (None, None) => continue,
        };
        let empty = PortSet::default();
        let bp = b.map_or(&empty, |c| &*c.ports);
        let ap = a.map_or(&empty, |c| &*c.ports);
        let mut e = Entry {
            kind,
            from: key_name(&key.0, &names, &refine),
            to: key_name(&key.1, &names, &refine),
            before: b.cloned(),
            after: a.cloned(),
            opened: ap.minus(bp),
            closed: bp.minus(ap),
            blame: blamer.blame(&key.0, &key.1, b.map(|c| &*c.ports), a.map(|c| &*c.ports)),
            excused: false,
        };
        if e.opens() {
            let need = if e.opened.is_empty() { ap } else { &e.opened };
            e.excused = allow.excuses(&key.0, &key.1, need);
        }
        match kind {
            EntryKind::Added => d.added.push(e),
            EntryKind::Removed => d.removed.push(e),
            EntryKind::Changed => d.changed.push(e),
        }
    }
    for (s, side) in sides.iter().enumerate() {
        let c = side.matrix.engine().cluster();
        for (p, change) in changes.policies[s].iter().enumerate() {
            match change {
                // An edit is listed once, from the new side.
                Some(PolicyChange::Edited(_)) if s == 0 => {}
                Some(ch) => d.policy_changes.push((c.policies[p].id(), ch.clone())),
                None => {}
            }
        }
        // A changed endpoint is noted on both sides alike: dedup below.
        d.endpoint_changes
            .extend(changes.endpoints[s].iter().flatten().cloned());
    }
    d.policy_changes.sort();
    d.endpoint_changes.sort();
    d.endpoint_changes.dedup();
    Ok(d)
}
