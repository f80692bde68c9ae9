//! Why a connection changed: one member flow that shows it (with the policies deciding it
//! on each side), and the changes of the objects involved (policies isolating the source
//! for egress or the destination for ingress, and the endpoints themselves).

use std::collections::BTreeSet;

use super::changes::Changes;
use super::collect::{Key, Side};
use super::ports::PortSet;
use super::refine::Refinement;
use crate::engine::{Flow, SideOutcome, SideVerdict, Target};
use crate::model::{Action, ClusterPolicy, ClusterRule, Direction, Protocol};

/// Most causes listed per entry; the rest are counted.
const MAX_CAUSES: usize = 8;
/// Most member pairs tried when looking for one that shows the change.
const MAX_PROBES: usize = 4096;

/// One flow between members of the two groups, on a port that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub from: String,
    pub to: String,
    pub port: u16,
    pub protocol: Protocol,
}

/// The probe flow on one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideBlame {
    /// `None` when an end of the probe does not exist on this side.
    pub allowed: Option<bool>,
    /// Allowed: the policies with a rule allowing it. Denied: the policies isolating the
    /// denying direction, none of whose rules allow it. `namespace/name (direction)`.
    pub policies: Vec<String>,
    /// The cluster-policy rules (Admin or Baseline tier) that decided a direction: an Accept
    /// when allowed, a Deny when denied, as `Engine::cluster_match_text` words them.
    pub tier_rules: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Blame {
    pub probe: Option<Probe>,
    /// Old side, new side.
    pub sides: [Option<SideBlame>; 2],
    /// Changed policies and endpoints behind the entry, in words.
    pub causes: Vec<String>,
}

pub struct Blamer<'s, 'a, 'e> {
    sides: &'s [Side<'a, 'e>; 2],
    changes: &'s Changes,
    refine: &'s Refinement,
    /// Cluster policies added, removed or edited: cluster-wide, so a cause of any entry.
    cluster_changes: Vec<String>,
}

/// Whether two cluster policies say the same, wherever they are written.
fn same_cluster_policy(a: &ClusterPolicy, b: &ClusterPolicy) -> bool {
    let rules = |x: &[ClusterRule], y: &[ClusterRule]| {
        x.len() == y.len()
            && x.iter().zip(y).all(|(r, q)| {
                r.name == q.name
                    && r.action == q.action
                    && r.ports == q.ports
                    && r.peers.len() == q.peers.len()
                    && r.peers.iter().zip(&q.peers).all(|(p, o)| p.kind == o.kind)
            })
    };
    (a.kind, a.tier, a.priority, &a.subject, &a.labels)
        == (b.kind, b.tier, b.priority, &b.subject, &b.labels)
        && rules(&a.ingress, &b.ingress)
        && rules(&a.egress, &b.egress)
}

/// `ClusterNetworkPolicy/x added`, `... removed`, `... changed`, by `Kind/name`.
fn cluster_policy_changes(old: &[ClusterPolicy], new: &[ClusterPolicy]) -> Vec<String> {
    let find = |list: &[ClusterPolicy], id: &str| list.iter().find(|p| p.id() == id).cloned();
    let mut out = BTreeSet::new();
    for p in old {
        match find(new, &p.id()) {
            None => out.insert(format!("{} removed", p.id())),
            Some(q) if !same_cluster_policy(p, &q) => out.insert(format!("{} changed", p.id())),
            Some(_) => false,
        };
    }
    for p in new {
        if find(old, &p.id()).is_none() {
            out.insert(format!("{} added", p.id()));
        }
    }
    out.into_iter().collect()
}

/// The names behind one direction of the probe: a deciding cluster-policy rule (pushed to
/// `tier_rules`) or the NetworkPolicies that allow it or isolate it.
fn side_names(
    side: &Side,
    v: &SideVerdict,
    allowed: bool,
    policies: &mut Vec<String>,
    tier_rules: &mut Vec<String>,
) {
    let engine = side.matrix.engine();
    if let Some(m) = engine.cluster_decision(v) {
        let decisive = match m.action {
            Action::Accept => allowed,
            Action::Deny => !allowed,
            Action::Pass => false,
        };
        if decisive {
            tier_rules.push(engine.cluster_match_text(v.direction, m));
        }
        return;
    }
    let c = engine.cluster();
    let dir = v.direction.as_str().to_ascii_lowercase();
    let ids: Vec<usize> = if allowed {
        if v.outcome != SideOutcome::Allowed {
            return;
        }
        let mut ids: Vec<usize> = v.allowing.iter().map(|&(p, _)| p).collect();
        ids.dedup();
        ids
    } else {
        if v.outcome != SideOutcome::Denied {
            return;
        }
        v.isolating.clone()
    };
    policies.extend(
        ids.iter()
            .map(|&p| format!("{} ({dir})", c.policies[p].id())),
    );
}

impl<'s, 'a, 'e> Blamer<'s, 'a, 'e> {
    pub fn new(sides: &'s [Side<'a, 'e>; 2], changes: &'s Changes, refine: &'s Refinement) -> Self {
        let cluster_changes = cluster_policy_changes(
            &sides[0].matrix.engine().cluster().cluster_policies,
            &sides[1].matrix.engine().cluster().cluster_policies,
        );
        Blamer {
            sides,
            changes,
            refine,
            cluster_changes,
        }
    }

    fn targets(&self, s: usize, key: &Key) -> Vec<Target> {
        match key {
            Key::External(i) => vec![Target::External(self.refine.parts()[*i as usize].first())],
            Key::Group(id) => match self.sides[s].group(*id) {
                None => vec![],
                Some(g) => self.sides[s].groups.members[g]
                    .iter()
                    .map(|&u| Target::Endpoint(u as usize))
                    .collect(),
            },
        }
    }

    /// The same target on side `to` (an endpoint by identity; an address as is).
    fn translate(&self, from: usize, t: Target) -> Option<Target> {
        match t {
            Target::External(_) => Some(t),
            Target::Endpoint(e) => self.changes.counterpart[from][e].map(Target::Endpoint),
        }
    }

    pub fn blame(
        &self,
        from: &Key,
        to: &Key,
        before: Option<&PortSet>,
        after: Option<&PortSet>,
    ) -> Blame {
        let empty = PortSet::default();
        let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
        let opened = a.minus(b);
        let closed = b.minus(a);
        // The side where the probe port is allowed, and the port.
        let (s, port) = if let Some(p) = opened.first() {
            (1, Some(p))
        } else if let Some(p) = closed.first() {
            (0, Some(p))
        } else if let Some(p) = a.first() {
            (1, Some(p))
        } else {
            (0, b.first())
        };
        let mut blame = Blame {
            causes: self.causes(from, to),
            ..Blame::default()
        };
        let Some((protocol, port)) = port else {
            return blame;
        };
        let Some((src, dst)) = self.find_pair(s, from, to, port, protocol) else {
            return blame;
        };
        let engine = self.sides[s].matrix.engine();
        blame.probe = Some(Probe {
            from: engine.target_name(src),
            to: engine.target_name(dst),
            port,
            protocol,
        });
        for t in 0..2 {
            let pair = if t == s {
                Some((src, dst))
            } else {
                self.translate(s, src).zip(self.translate(s, dst))
            };
            blame.sides[t] = Some(match pair {
                None => SideBlame {
                    allowed: None,
                    policies: vec![],
                    tier_rules: vec![],
                },
                Some((x, y)) => {
                    let side = &self.sides[t];
                    let flow = Flow {
                        src: x,
                        dst: y,
                        port,
                        protocol,
                    };
                    let v = side.matrix.engine().verdict(&flow);
                    let (mut policies, mut tier_rules) = (Vec::new(), Vec::new());
                    for d in [&v.egress, &v.ingress] {
                        side_names(side, d, v.allowed, &mut policies, &mut tier_rules);
                    }
                    SideBlame {
                        allowed: Some(v.allowed),
                        policies,
                        tier_rules,
                    }
                }
            });
        }
        blame
    }

    /// A member pair of side `s` allowed on the port (a pod's traffic to itself aside).
    fn find_pair(
        &self,
        s: usize,
        from: &Key,
        to: &Key,
        port: u16,
        protocol: Protocol,
    ) -> Option<(Target, Target)> {
        let m = self.sides[s].matrix;
        let c = m.engine().cluster();
        let srcs = self.targets(s, from);
        let dsts = self.targets(s, to);
        let mut tried = 0;
        for &a in &srcs {
            for &b in &dsts {
                if let (Target::Endpoint(x), Target::Endpoint(y)) = (a, b) {
                    if x == y && !c.endpoints[x].has_several_pods() {
                        continue;
                    }
                }
                tried += 1;
                if tried > MAX_PROBES {
                    return None;
                }
                if m.allows(a, b, port, protocol) {
                    return Some((a, b));
                }
            }
        }
        None
    }

    fn causes(&self, from: &Key, to: &Key) -> Vec<String> {
        let mut out: BTreeSet<String> = self.cluster_changes.iter().cloned().collect();
        for s in 0..2 {
            let view = self.sides[s].matrix.engine().view();
            let cluster = self.sides[s].matrix.engine().cluster();
            for (key, d) in [(from, Direction::Egress), (to, Direction::Ingress)] {
                for t in self.targets(s, key) {
                    let Target::Endpoint(e) = t else { continue };
                    if let Some(note) = &self.changes.endpoints[s][e] {
                        out.insert(note.clone());
                    }
                    for &p in view.isolating(d, e) {
                        if let Some(change) = &self.changes.policies[s][p] {
                            out.insert(format!(
                                "NetworkPolicy {} {change}",
                                cluster.policies[p].id()
                            ));
                        }
                    }
                }
            }
        }
        let n = out.len();
        let mut list: Vec<String> = out.into_iter().take(MAX_CAUSES).collect();
        if n > MAX_CAUSES {
            list.push(format!("and {} more", n - MAX_CAUSES));
        }
        list
    }
}
