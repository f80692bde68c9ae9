//! Intent files to a validated [`Plan`], with every error at its file:line:column.
//!
//! ```yaml
//! dns: {namespace: kube-system, selector: {k8s-app: kube-dns}}   # the default; `dns: off`
//! monitoring: {namespace: monitoring, selector: {app: prometheus}, port: metrics}
//! peers:
//!   gateway:  {namespace: envoy-gateway-system}                    # a whole namespace
//!   postgres: {namespace: database, selector: {app: postgres}, ports: [5432]}
//!   payments: {cidr: 198.51.100.0/24}
//! namespaces:
//!   production:
//!     isolate: both                # both (default) | ingress | egress | none
//!     dns: true                    # per-namespace opt-out
//!     services:
//!       frontend: {selector: {tier: frontend}, ports: [80, 443]}
//!       api:      {selector: {tier: api}, ports: [8080, metrics:9090], isolate: ingress}
//!     flows:
//!       - ingress-nginx/* -> frontend:80,443
//!       - frontend -> api:8080
//!       - api -> payments:443
//!       - api -> 0.0.0.0/0:443     # the metadata address is excepted
//! ```
//!
//! The parser reads every file ([`sections`]: the top-level keys, namespaces, services,
//! peers) with the typed readers of [`values`], then resolves names across files
//! ([`resolve`]) and the flows ([`flows`]).

mod flows;
mod resolve;
mod sections;
mod values;

pub(crate) use values::labels_text;

use std::collections::BTreeMap;

use super::intent::{Dns, Isolation, Monitoring, Namespace, Origin, Peer, Plan, Service};
use crate::error::InputError;
use crate::source::Span;

/// One intent file: its name (as shown in errors) and text.
pub struct IntentSource<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Parse and validate intent files into one plan. Every problem is reported.
pub fn parse_intents(sources: &[IntentSource]) -> Result<Plan, Vec<InputError>> {
    let mut p = Parser::default();
    for src in sources {
        p.file(src);
    }
    let plan = p.resolve();
    if p.errors.is_empty() {
        Ok(plan)
    } else {
        p.errors.sort_by(|a, b| a.span.cmp(&b.span));
        Err(p.errors)
    }
}

/// Convenience: one intent text.
pub fn parse_intent(name: &str, text: &str) -> Result<Plan, Vec<InputError>> {
    parse_intents(&[IntentSource { name, text }])
}

const TOP: [&str; 4] = ["dns", "monitoring", "peers", "namespaces"];
const NAMESPACE: [&str; 4] = ["isolate", "dns", "services", "flows"];
const SERVICE: [&str; 4] = ["selector", "ports", "isolate", "allow-metadata"];
const PEER: [&str; 4] = ["namespace", "selector", "cidr", "ports"];
const DNS: [&str; 2] = ["namespace", "selector"];
const MONITORING: [&str; 3] = ["namespace", "selector", "port"];

/// A flow as written, resolved once every file is read.
struct RawFlow {
    namespace: String,
    text: String,
    span: Span,
    origin: Origin,
}

#[derive(Default)]
struct Parser {
    errors: Vec<InputError>,
    files: Vec<String>,
    dns: Option<Option<Dns>>,
    dns_span: Option<Span>,
    monitoring: Option<(Monitoring, Span)>,
    peers: Vec<(Peer, Span)>,
    namespaces: Vec<Namespace>,
    /// Services with their own isolation setting, if any, resolved against the namespace later.
    services: Vec<(Service, Option<Isolation>, Span)>,
    flows: Vec<RawFlow>,
    /// Inline peers (`ns/*`, CIDRs) created while resolving flows, by their text.
    inline: BTreeMap<String, usize>,
}

/// The nearest few candidates to `wanted`, best first.
pub(crate) fn near<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        // Jaro-Winkler for long names, edit distance for short ones (`wbe` -> `web`).
        .filter(|(s, c)| *s > 0.7 || (wanted.len() >= 3 && strsim::osa_distance(wanted, c) <= 2))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect()
}

fn did_you_mean(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", near.join(" or "))
    }
}

fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
