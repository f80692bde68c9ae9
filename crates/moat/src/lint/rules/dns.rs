//! DNS reachability shared by `dns-egress-blocked` and `dns-udp-only`: for every pod that
//! egress isolation applies to, whether it can reach DNS on UDP and on TCP 53.

use std::collections::BTreeMap;

use super::rule_admits;
use crate::engine::PolicyId;
use crate::lint::Context;
use crate::model::{Direction, Protocol};

pub(crate) struct DnsReach {
    pub udp: bool,
    pub tcp: bool,
}

/// Groups of egress-isolated pods sharing the same isolating policies (so one finding per
/// group, not per pod), with their DNS reachability.
pub(crate) struct Group {
    pub policies: Vec<PolicyId>,
    pub endpoints: Vec<usize>,
    pub reach: DnsReach,
}

fn reach(cx: &Context, e: usize, isolating: &[PolicyId], protocol: Protocol) -> bool {
    if cx.dns_servers.is_empty() {
        // No DNS pods in the input: some egress rule must at least admit the port.
        let policies = &cx.engine.cluster().policies;
        isolating.iter().any(|&pid| {
            policies[pid]
                .egress
                .iter()
                .any(|r| rule_admits(r, protocol, 53))
        })
    } else {
        cx.dns_servers
            .iter()
            .any(|&d| cx.allowed(e, d, 53, protocol))
    }
}

pub(crate) fn groups(cx: &Context) -> Vec<Group> {
    let view = cx.engine.view();
    let mut by_policies: BTreeMap<Vec<PolicyId>, Vec<usize>> = BTreeMap::new();
    for e in 0..cx.engine.cluster().endpoints.len() {
        if cx.dns_servers.contains(&e) {
            continue;
        }
        let isolating = view.isolating(Direction::Egress, e);
        if !isolating.is_empty() {
            by_policies.entry(isolating.to_vec()).or_default().push(e);
        }
    }
    let mut out = Vec::new();
    for (policies, endpoints) in by_policies {
        // Pods under the same policies may still differ (labels matched by DNS pods'
        // ingress rules): split by actual reachability.
        let mut split: BTreeMap<(bool, bool), Vec<usize>> = BTreeMap::new();
        for e in endpoints {
            let r = (
                reach(cx, e, &policies, Protocol::Udp),
                reach(cx, e, &policies, Protocol::Tcp),
            );
            split.entry(r).or_default().push(e);
        }
        for ((udp, tcp), endpoints) in split {
            out.push(Group {
                policies: policies.clone(),
                endpoints,
                reach: DnsReach { udp, tcp },
            });
        }
    }
    out
}

/// The policy a DNS finding is reported on: the namespace-wide one if any, else the first.
pub(crate) fn blame(cx: &Context, policies: &[PolicyId]) -> PolicyId {
    let all = &cx.engine.cluster().policies;
    policies
        .iter()
        .copied()
        .find(|&p| all[p].pod_selector.is_empty())
        .unwrap_or(policies[0])
}

/// Names of the DNS server pods, for messages.
pub(crate) fn servers(cx: &Context) -> String {
    if cx.dns_servers.is_empty() {
        "DNS".to_string()
    } else {
        format!("DNS ({})", cx.endpoint_list(&cx.dns_servers, 2))
    }
}
