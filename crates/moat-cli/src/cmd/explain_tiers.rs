//! `moat explain`, the cluster tiers: which tier, policy, priority and rule decided, and
//! each cluster policy's rules with why they match or not.

use std::fmt::Write as _;

use moat::engine::{
    ClusterPolicyExplanation, Engine, PeerResult, PortResult, SideExplanation, SideVerdict,
};
use moat::model::{Action, ClusterTier};
use serde_json::json;

/// ` by <tier> <policy> (priority N), <rule>` when a cluster tier decided or passed.
pub fn decided_by(engine: &Engine, side: &SideExplanation, v: &SideVerdict) -> String {
    let mut parts = Vec::new();
    for m in &v.cluster_matches {
        let t = engine.cluster_match_text(side.direction, m);
        parts.push(if m.action == Action::Pass {
            format!("passed on by {t}")
        } else {
            format!("by {t}")
        });
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; then "))
    }
}

pub fn cluster_side_text(
    engine: &Engine,
    side: &SideExplanation,
    tier: ClusterTier,
    out: &mut String,
) {
    let c = engine.cluster();
    let d = side.direction;
    for pe in side.cluster_policies.iter().filter(|pe| pe.tier == tier) {
        let p = &c.cluster_policies[pe.policy];
        let reached = if pe.reached {
            ""
        } else {
            ", not reached: decided before"
        };
        let _ = writeln!(
            out,
            "  {tier} tier: {} ({}, {}{reached})",
            p.id(),
            p.priority_text(),
            p.span
        );
        if !pe.reached {
            continue;
        }
        let rules = p.rules(d);
        let mut decided = false;
        for r in &pe.rules {
            let rule = &rules[r.index];
            let head = format!(
                "{}[{}]{} {} ({})",
                d.field(),
                r.index,
                rule.name_suffix(),
                r.action.spelled_for(p.kind),
                rule.span
            );
            if decided {
                let _ = writeln!(out, "    {head}: not reached");
                continue;
            }
            if r.matches {
                let peer = match &r.peer {
                    PeerResult::Matched(i) => format!("{}[{i}]", d.peers_field()),
                    _ => "any peer".to_string(),
                };
                let port = match &r.port {
                    PortResult::Matched(i) => format!("ports[{i}]"),
                    _ => "any port".to_string(),
                };
                let effect = match r.action {
                    Action::Accept => "ALLOWS",
                    Action::Deny => "DENIES",
                    Action::Pass => "PASSES to the next tier",
                };
                let _ = writeln!(
                    out,
                    "    {head}: MATCHES, {effect} (peer: {peer}; port: {port})"
                );
                decided = true;
            } else {
                let _ = writeln!(out, "    {head}: does not match");
                if let PeerResult::NotMatched(reasons) = &r.peer {
                    for (i, why) in reasons.iter().enumerate() {
                        let _ = writeln!(out, "      {}[{i}]: {why}", d.peers_field());
                    }
                }
                if let PortResult::NotMatched(why) = &r.port {
                    let _ = writeln!(out, "      port: {why}");
                }
            }
        }
    }
}

fn policy_json(
    engine: &Engine,
    d: moat::model::Direction,
    pe: &ClusterPolicyExplanation,
) -> serde_json::Value {
    let p = &engine.cluster().cluster_policies[pe.policy];
    let rules: Vec<_> = pe
        .rules
        .iter()
        .map(|r| {
            let rule = &p.rules(d)[r.index];
            let peer = match &r.peer {
                PeerResult::Matched(i) => json!({"matched": true, "index": i}),
                PeerResult::AnyPeer => json!({"matched": true, "any": true}),
                PeerResult::NotMatched(why) => json!({"matched": false, "reasons": why}),
            };
            let port = match &r.port {
                PortResult::AnyPort => json!({"matched": true, "any": true}),
                PortResult::Matched(i) => json!({"matched": true, "index": i}),
                PortResult::NotMatched(why) => json!({"matched": false, "reason": why}),
            };
            json!({
                "index": r.index,
                "name": rule.name,
                "action": r.action.as_str(),
                "matches": r.matches,
                "file": rule.span.file.as_ref(),
                "line": rule.span.line,
                "column": rule.span.col,
                "peer": peer,
                "port": port,
            })
        })
        .collect();
    json!({
        "kind": p.kind.as_str(),
        "apiVersion": p.kind.api_version(),
        "name": p.name,
        "tier": pe.tier.as_str(),
        "priority": p.priority,
        "reached": pe.reached,
        "file": p.span.file.as_ref(),
        "line": p.span.line,
        "column": p.span.col,
        "rules": rules,
    })
}

/// Adds `clusterPolicies` and `clusterMatches` to a side's json (when the input has
/// cluster policies at all, so that NetworkPolicy-only output keeps its shape).
pub fn add_json(
    engine: &Engine,
    side: &SideExplanation,
    v: &SideVerdict,
    doc: &mut serde_json::Value,
) {
    let c = engine.cluster();
    let d = side.direction;
    let policies: Vec<_> = side
        .cluster_policies
        .iter()
        .map(|pe| policy_json(engine, d, pe))
        .collect();
    let matches: Vec<_> = v
        .cluster_matches
        .iter()
        .map(|m| {
            let p = &c.cluster_policies[m.policy];
            json!({
                "tier": m.tier.as_str(),
                "kind": p.kind.as_str(),
                "name": p.name,
                "priority": p.priority,
                "rule": m.rule,
                "ruleName": p.rules(d)[m.rule].name,
                "action": m.action.as_str(),
            })
        })
        .collect();
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("clusterPolicies".into(), json!(policies));
        obj.insert("clusterMatches".into(), json!(matches));
    }
}
