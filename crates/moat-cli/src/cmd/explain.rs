//! `moat explain`: why one flow is allowed or denied.

use std::fmt::Write as _;

use moat::check::resolve;
use moat::engine::{
    Engine, Explanation, PeerResult, PortResult, SideExplanation, SideOutcome, Target,
};
use moat::model::{ClusterTier as Tier, Direction, Protocol};
use serde_json::json;

use super::explain_tiers as tiers_text;
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::endpoint_arg::{bad, parse_endpoint};
use crate::exit::Failure;
use crate::input;
use crate::stdio;

pub fn run(args: &ExplainArgs) -> Result<i32, Failure> {
    let engine = input::engine(&args.input)?;
    let protocol = Protocol::parse(&args.protocol.to_ascii_uppercase()).ok_or_else(|| {
        bad(format!(
            "--protocol `{}`: expected TCP, UDP or SCTP",
            args.protocol
        ))
    })?;
    let from = resolve(&engine, &parse_endpoint(&args.from, "from")?)
        .map_err(|m| bad(format!("--from: {m}")))?;
    let to = resolve(&engine, &parse_endpoint(&args.to, "to")?)
        .map_err(|m| bad(format!("--to: {m}")))?;
    let mut explanations = Vec::new();
    for &dst in &to {
        let port = match args.port.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => match dst {
                Target::Endpoint(e) => engine.cluster().endpoints[e]
                    .named_port(&args.port, protocol)
                    .ok_or_else(|| {
                        bad(format!(
                            "--port `{}`: no {protocol} container port of that name on {}",
                            args.port,
                            engine.target_name(dst)
                        ))
                    })?,
                Target::External(_) => {
                    return Err(bad(format!(
                        "--port `{}`: a named port needs a pod destination",
                        args.port
                    )))
                }
            },
        };
        for &src in &from {
            explanations.push(engine.explain(&moat::engine::Flow {
                src,
                dst,
                port,
                protocol,
            }));
        }
    }
    let out = match args.output {
        ExplainFormat::Text => explanations
            .iter()
            .map(|x| text(&engine, x))
            .collect::<Vec<_>>()
            .join("\n"),
        ExplainFormat::Json => {
            let items: Vec<_> = explanations.iter().map(|x| to_json(&engine, x)).collect();
            let doc = if items.len() == 1 {
                items.into_iter().next().unwrap_or_default()
            } else {
                json!(items)
            };
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    stdio::print(&out)?;
    Ok(0)
}

fn word(allowed: bool) -> &'static str {
    if allowed {
        "ALLOWED"
    } else {
        "DENIED"
    }
}

fn outcome_text(o: SideOutcome) -> &'static str {
    match o {
        SideOutcome::Allowed => "allowed",
        SideOutcome::Denied => "DENIED",
        SideOutcome::NotIsolated => {
            "allowed (not isolated: no policy selects it for this direction)"
        }
        SideOutcome::External => "not evaluated (external address: no policy of its own)",
        SideOutcome::HostNetwork => "allowed (hostNetwork: policies do not isolate it)",
    }
}

pub fn text(engine: &Engine, x: &Explanation) -> String {
    let c = engine.cluster();
    let f = &x.flow;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} -> {} {}/{}: {}",
        engine.target_name(f.src),
        engine.target_name(f.dst),
        f.protocol,
        f.port,
        word(x.verdict.allowed)
    );
    for side in [&x.egress, &x.ingress] {
        let Some(subject) = side.subject else {
            let who = engine.target_name(if side.direction == Direction::Egress {
                f.src
            } else {
                f.dst
            });
            let _ = writeln!(
                out,
                "\n{} of {who}: {}",
                side.direction.field(),
                outcome_text(side.outcome)
            );
            continue;
        };
        let verdict_side = if side.direction == Direction::Egress {
            &x.verdict.egress
        } else {
            &x.verdict.ingress
        };
        let _ = writeln!(
            out,
            "\n{} of {}: {}{}",
            side.direction.field(),
            c.endpoint_name(subject),
            outcome_text(side.outcome),
            tiers_text::decided_by(engine, side, verdict_side)
        );
        tiers_text::cluster_side_text(engine, side, Tier::Admin, &mut out);
        side_text(engine, side, &mut out);
        tiers_text::cluster_side_text(engine, side, Tier::Baseline, &mut out);
    }
    for n in &x.notes {
        let _ = writeln!(out, "\nnote: {n}");
    }
    out
}

fn side_text(engine: &Engine, side: &SideExplanation, out: &mut String) {
    let c = engine.cluster();
    for pe in &side.policies {
        let p = &c.policies[pe.policy];
        let rules = p.rules(side.direction);
        let typ = if p.policy_types.explicit {
            ""
        } else {
            ", policyTypes inferred"
        };
        let _ = writeln!(out, "  policy {} ({}{typ})", p.id(), p.span);
        if rules.is_empty() {
            let _ = writeln!(
                out,
                "    isolates {} and has no {} rules: allows nothing",
                side.direction.field(),
                side.direction.field()
            );
        }
        for r in &pe.rules {
            let rule = &rules[r.index];
            let head = format!("{}[{}] ({})", side.direction.field(), r.index, rule.span);
            if r.allows {
                let peer = match &r.peer {
                    PeerResult::AnyPeer => "any peer".to_string(),
                    PeerResult::Matched(i) => format!("{}[{i}]", side.direction.peers_field()),
                    PeerResult::NotMatched(_) => String::new(),
                };
                let port = match &r.port {
                    PortResult::AnyPort => "any port".to_string(),
                    PortResult::Matched(i) => format!("ports[{i}]"),
                    PortResult::NotMatched(_) => String::new(),
                };
                let _ = writeln!(out, "    {head}: ALLOWS (peer: {peer}; port: {port})");
            } else {
                let _ = writeln!(out, "    {head}: does not match");
                if let PeerResult::NotMatched(reasons) = &r.peer {
                    for (i, why) in reasons.iter().enumerate() {
                        let _ = writeln!(out, "      {}[{i}]: {why}", side.direction.peers_field());
                    }
                }
                if let PortResult::NotMatched(why) = &r.port {
                    let _ = writeln!(out, "      port: {why}");
                }
            }
        }
    }
    for &pid in &side.other_direction_policies {
        let p = &c.policies[pid];
        let _ = writeln!(
            out,
            "  (policy {} also selects it, but its policyTypes leave out {}{})",
            p.id(),
            side.direction.as_str(),
            if p.policy_types.explicit {
                ""
            } else {
                " by inference: policyTypes is omitted"
            }
        );
    }
}

fn to_json(engine: &Engine, x: &Explanation) -> serde_json::Value {
    let c = engine.cluster();
    let side = |s: &SideExplanation| {
        let policies: Vec<_> = s
            .policies
            .iter()
            .map(|pe| {
                let p = &c.policies[pe.policy];
                let rules: Vec<_> = pe
                    .rules
                    .iter()
                    .map(|r| {
                        let span = &p.rules(s.direction)[r.index].span;
                        let peer = match &r.peer {
                            PeerResult::AnyPeer => json!({"matched": true, "any": true}),
                            PeerResult::Matched(i) => json!({"matched": true, "index": i}),
                            PeerResult::NotMatched(why) => json!({"matched": false, "reasons": why}),
                        };
                        let port = match &r.port {
                            PortResult::AnyPort => json!({"matched": true, "any": true}),
                            PortResult::Matched(i) => json!({"matched": true, "index": i}),
                            PortResult::NotMatched(why) => json!({"matched": false, "reason": why}),
                        };
                        json!({"index": r.index, "allows": r.allows, "file": span.file.as_ref(), "line": span.line, "column": span.col, "peer": peer, "port": port})
                    })
                    .collect();
                json!({"namespace": p.namespace, "name": p.name, "file": p.span.file.as_ref(), "line": p.span.line, "column": p.span.col, "policyTypesInferred": !p.policy_types.explicit, "rules": rules})
            })
            .collect();
        let outcome = match s.outcome {
            SideOutcome::Allowed => "allowed",
            SideOutcome::Denied => "denied",
            SideOutcome::NotIsolated => "not-isolated",
            SideOutcome::External => "external",
            SideOutcome::HostNetwork => "host-network",
        };
        let mut doc = json!({
            "endpoint": s.subject.map(|e| c.endpoint_name(e)),
            "outcome": outcome,
            "tier": s.tier,
            "policies": policies,
        });
        if !c.cluster_policies.is_empty() {
            let v = if s.direction == Direction::Egress {
                &x.verdict.egress
            } else {
                &x.verdict.ingress
            };
            tiers_text::add_json(engine, s, v, &mut doc);
        }
        doc
    };
    json!({
        "from": engine.target_name(x.flow.src),
        "to": engine.target_name(x.flow.dst),
        "port": x.flow.port,
        "protocol": x.flow.protocol.as_str(),
        "allowed": x.verdict.allowed,
        "selfTraffic": x.verdict.self_traffic,
        "egress": side(&x.egress),
        "ingress": side(&x.ingress),
        "notes": x.notes,
    })
}
