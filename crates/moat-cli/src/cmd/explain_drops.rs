//! `moat explain-drops`: every distinct dropped connection of Hubble flow logs, explained
//! against the manifests by the engine; drift when the manifests allow what was dropped.

use std::fmt::Write as _;

use moat::flows::{Drop, DropCollector, DropReport, LineCounts};
use serde_json::json;

use super::flows_input::{lines_json, lines_text, one_stdin, read_flows};
use crate::cli::{DropsFormat, ExplainDropsArgs};
use crate::exit::Failure;
use crate::input;
use crate::stdio;

pub fn run(args: &ExplainDropsArgs) -> Result<i32, Failure> {
    one_stdin(&args.flows, &args.input.paths)?;
    let engine = input::engine(&args.input)?;
    let mut collector = DropCollector::new(&engine);
    let counts = read_flows(&args.flows, |f| collector.observe(f))?;
    let report = collector.finish();
    let out = match args.output {
        DropsFormat::Text => text(&report, &counts),
        DropsFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&to_json(&report, &counts)).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    stdio::print(&out)?;
    Ok(if report.drops.iter().any(|d| d.drift) {
        1
    } else {
        0
    })
}

fn port_text(d: &Drop) -> String {
    match d.protocol {
        Some(p) => format!("{p}/{}", d.port),
        None => "no port (ICMP)".to_string(),
    }
}

fn drop_head(d: &Drop) -> String {
    let dir = d.direction.map_or("direction unknown", |d| d.field());
    let when = match (&d.first, &d.last) {
        (Some(a), Some(b)) if a == b => format!(", at {a}"),
        (Some(a), Some(b)) => format!(", {a} .. {b}"),
        _ => String::new(),
    };
    let named = if d.names.is_empty() {
        String::new()
    } else {
        format!(" ({})", d.names.join(", "))
    };
    format!(
        "{}{}{} -> {}{named} {}, {dir}: {} {}{}{when}",
        if d.drift { "DRIFT " } else { "" },
        if d.audit { "AUDIT " } else { "" },
        d.from,
        d.to,
        port_text(d),
        d.count,
        if d.audit { "would-be drop" } else { "drop" },
        if d.count == 1 { "" } else { "s" }
    )
}

pub fn text(r: &DropReport, counts: &LineCounts) -> String {
    let mut out = String::new();
    let total: u64 = r.drops.iter().map(|d| d.count).sum();
    let drift = r.drops.iter().filter(|d| d.drift).count();
    let audits: u64 = r.drops.iter().filter(|d| d.audit).map(|d| d.count).sum();
    let audit_text = if audits > 0 {
        format!(" ({audits} in policy audit mode)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} distinct dropped connections in {total} policy drops{audit_text}; {drift} drift",
        r.drops.len()
    );
    out.push_str(&lines_text(counts));
    for d in &r.drops {
        let _ = writeln!(out, "\n{}", drop_head(d));
        let _ = writeln!(out, "  {} (first seen at {})", d.verdict, d.seen_at);
        // NetworkPolicy is the usual decider; say so only when another tier decided.
        if let Some(t) = d.tier.as_deref().filter(|t| *t != "NetworkPolicy") {
            let _ = writeln!(out, "  decided by the {t} tier");
        }
        if !d.isolated_by.is_empty() {
            let _ = writeln!(out, "  isolated by: {}", d.isolated_by.join(", "));
        }
        if let Some(n) = &d.nearest {
            let label = if n.peer_matches && n.port_matches {
                "allowed by"
            } else {
                "nearest"
            };
            let rule = n
                .rule
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {label}: {}{rule} ({})", n.policy, n.at);
            for w in &n.why {
                let _ = writeln!(out, "    {w}");
            }
        }
        if d.drift {
            let _ = writeln!(out, "  drift: the manifests allow this connection, yet it was dropped: a stale policy on the node, a CNI that does not enforce as specified, or manifests that are not what runs");
        }
    }
    if !r.not_policy.is_empty() || r.replies > 0 {
        out.push('\n');
    }
    for (reason, n) in &r.not_policy {
        let _ = writeln!(out, "not a policy drop: {reason} ({n} flows)");
    }
    if r.replies > 0 {
        let _ = writeln!(
            out,
            "dropped replies (left out: policies decide connection starts): {}",
            r.replies
        );
    }
    out
}

pub fn to_json(r: &DropReport, counts: &LineCounts) -> serde_json::Value {
    let drops: Vec<_> = r
        .drops
        .iter()
        .map(|d| {
            let nearest = d.nearest.as_ref().map(|n| {
                json!({
                    "policy": n.policy,
                    "rule": n.rule,
                    "at": n.at,
                    "peer_matches": n.peer_matches,
                    "port_matches": n.port_matches,
                    "why": n.why,
                })
            });
            json!({
                "from": d.from,
                "to": d.to,
                "port": d.port,
                "protocol": d.protocol.map(|p| p.as_str()),
                "direction": d.direction.map(|d| d.field()),
                "audit": d.audit,
                "count": d.count,
                "first": d.first,
                "last": d.last,
                "seen_at": d.seen_at,
                "names": d.names,
                "reasons": d.reasons,
                "tier": d.tier,
                "isolated_by": d.isolated_by,
                "verdict": d.verdict,
                "nearest": nearest,
                "drift": d.drift,
            })
        })
        .collect();
    let mut lines = lines_json(counts);
    lines["dropped_not_policy"] = json!(r.not_policy);
    lines["dropped_replies"] = json!(r.replies);
    json!({
        "schema": "moat.drops/v1",
        "drops": drops,
        "lines": lines,
    })
}
