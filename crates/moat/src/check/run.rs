//! Running expectations against the engine.

use super::resolve::resolve;
use super::spec::{Expectation, PortSpec};
use crate::engine::{Engine, Flow, SideOutcome, SideVerdict, Target, Verdict};
use crate::error::InputError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub expectation: Expectation,
    /// The verdict found: for a multi-pod endpoint, the verdict of the first pair that
    /// contradicts the expectation, else the common verdict.
    pub actual: bool,
    pub passed: bool,
    /// Why: the deciding policies and rules.
    pub reason: String,
    /// Number of (source pod, destination pod) pairs evaluated.
    pub pairs: usize,
}

/// Evaluate every expectation. Unresolvable endpoints or ports are input errors.
pub fn run_checks(
    engine: &Engine,
    expectations: &[Expectation],
) -> Result<Vec<CheckResult>, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut results = Vec::new();
    for exp in expectations {
        let at = |field: &str, msg: String| InputError::new(Some(exp.span.clone()), field, msg);
        let from = resolve(engine, &exp.from).map_err(|m| at("from", m));
        let to = resolve(engine, &exp.to).map_err(|m| at("to", m));
        let (from, to) = match (from, to) {
            (Ok(f), Ok(t)) => (f, t),
            (f, t) => {
                errors.extend(f.err());
                errors.extend(t.err());
                continue;
            }
        };
        let mut flows = Vec::new();
        for &dst in &to {
            let port = match &exp.port {
                PortSpec::Number(n) => *n,
                PortSpec::Name(name) => {
                    let resolved = match dst {
                        Target::Endpoint(e) => {
                            engine.cluster().endpoints[e].named_port(name, exp.protocol)
                        }
                        Target::External(_) => None,
                    };
                    match resolved {
                        Some(p) => p,
                        None => {
                            errors.push(at(
                                "port",
                                format!(
                                    "named port `{name}` is no {} container port of {}",
                                    exp.protocol,
                                    engine.target_name(dst)
                                ),
                            ));
                            continue;
                        }
                    }
                }
            };
            for &src in &from {
                flows.push(Flow {
                    src,
                    dst,
                    port,
                    protocol: exp.protocol,
                });
            }
        }
        if flows.is_empty() {
            continue;
        }
        let contradicting = flows.iter().find(|f| engine.allowed(f) != exp.allowed);
        let shown = contradicting.unwrap_or(&flows[0]);
        let verdict = engine.verdict(shown);
        results.push(CheckResult {
            expectation: exp.clone(),
            actual: verdict.allowed,
            passed: contradicting.is_none(),
            reason: reason(engine, shown, &verdict),
            pairs: flows.len(),
        });
    }
    if errors.is_empty() {
        Ok(results)
    } else {
        Err(errors)
    }
}

fn side_text(engine: &Engine, flow: &Flow, side: &SideVerdict) -> String {
    let c = engine.cluster();
    let (subject, dir) = match side.direction {
        crate::model::Direction::Egress => (flow.src, "egress"),
        crate::model::Direction::Ingress => (flow.dst, "ingress"),
    };
    let who = engine.target_name(subject);
    let names = |ids: &[usize]| {
        ids.iter()
            .map(|&p| c.policies[p].id())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(m) = engine.cluster_decision(side) {
        let verb = if side.outcome == SideOutcome::Denied {
            "denied"
        } else {
            "allowed"
        };
        return format!(
            "{dir} of {who} {verb} by {}",
            engine.cluster_match_text(side.direction, m)
        );
    }
    match side.outcome {
        SideOutcome::External => format!("{who} is external (no {dir} policy)"),
        SideOutcome::HostNetwork => format!("{who} is hostNetwork ({dir} not isolated)"),
        SideOutcome::NotIsolated => format!("{dir} of {who} is not isolated"),
        SideOutcome::Allowed => {
            let rules: Vec<String> = side
                .allowing
                .iter()
                .map(|&(p, r)| format!("{}#{}[{r}]", c.policies[p].id(), side.direction.field()))
                .collect();
            format!("{dir} of {who} allowed by {}", rules.join(", "))
        }
        SideOutcome::Denied => format!(
            "{dir} of {who} isolated by {} and no rule allows {}/{} {} {}",
            names(&side.isolating),
            flow.protocol,
            flow.port,
            if dir == "egress" { "to" } else { "from" },
            engine.target_name(if dir == "egress" { flow.dst } else { flow.src })
        ),
    }
}

/// One line saying why the flow got its verdict.
pub fn reason(engine: &Engine, flow: &Flow, v: &Verdict) -> String {
    if v.self_traffic {
        return "a pod talking to itself is always allowed".to_string();
    }
    let denied: Vec<&SideVerdict> = [&v.egress, &v.ingress]
        .into_iter()
        .filter(|s| s.outcome == SideOutcome::Denied)
        .collect();
    if denied.is_empty() {
        format!(
            "{}; {}",
            side_text(engine, flow, &v.egress),
            side_text(engine, flow, &v.ingress)
        )
    } else {
        denied
            .iter()
            .map(|s| side_text(engine, flow, s))
            .collect::<Vec<_>>()
            .join("; ")
    }
}
