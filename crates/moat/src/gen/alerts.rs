//! `moat gen --monitoring`: a PrometheusRule (prometheus-operator) alerting on policy
//! drops, as seed 001 recommends, so that a missing allow is seen before users report it.
//!
//! The metric is the Cilium agent's `cilium_drop_count_total`. Its `reason` label is the
//! agent's text for the drop reason, `Policy denied` (older releases: `Policy denied
//! (L3)`; deny rules: `Policy denied by denylist`), not the Hubble enum name
//! `POLICY_DENIED` that seed 001 writes, which matches no series. The metric carries
//! `direction` but not the namespace of the dropping pod (its `namespace` label, when
//! scraped through a ServiceMonitor, is the agent's own), so the alert is per direction
//! and points at `moat explain-drops` for the connections.

use super::emit::{scalar, MANAGED_MARKER};

/// The alert's name.
pub const DROP_ALERT: &str = "NetworkPolicyDrops";

/// The PrometheusRule, in namespace `namespace`.
pub fn prometheus_rule(namespace: &str) -> String {
    format!(
        r#"{MANAGED_MARKER} --monitoring: alert on NetworkPolicy drops (Cilium)
# Cilium exports cilium_drop_count_total from every agent; the reason of policy drops is
# "Policy denied" (older releases "Policy denied (L3)", deny rules "Policy denied by
# denylist"), hence the regular expression.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: moat-network-policy-drops
  namespace: {ns}
  labels:
    app.kubernetes.io/managed-by: moat
spec:
  groups:
    - name: network-policy-monitoring
      rules:
        - alert: {DROP_ALERT}
          expr: sum by (direction) (rate(cilium_drop_count_total{{reason=~"Policy denied.*"}}[5m])) > 0
          for: 5m
          labels:
            severity: warning
          annotations:
            summary: "NetworkPolicy is dropping {{{{ $labels.direction }}}} traffic"
            description: "Cilium drops {{{{ $value | humanize }}}} packets/s by policy ({{{{ $labels.direction }}}}). A new service may need a policy, or a policy is stale. See the connections with `hubble observe --verdict DROPPED -o json | moat explain-drops - --with MANIFESTS`."
        - record: moat:cilium_policy_drops:rate5m
          expr: sum by (direction) (rate(cilium_drop_count_total{{reason=~"Policy denied.*"}}[5m]))
"#,
        ns = scalar(namespace)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_yaml_and_selects_the_agent_reason_text() {
        let text = prometheus_rule("monitoring");
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("yaml");
        let rule = &docs[0]["spec"]["groups"][0]["rules"][0];
        assert_eq!(rule["alert"].as_str(), Some(DROP_ALERT));
        let expr = rule["expr"].as_str().expect("expr");
        assert!(
            expr.contains(r#"cilium_drop_count_total{reason=~"Policy denied.*"}"#),
            "{expr}"
        );
        assert_eq!(
            docs[0]["metadata"]["namespace"].as_str(),
            Some("monitoring")
        );
        assert!(rule["annotations"]["summary"]
            .as_str()
            .expect("summary")
            .contains("{{ $labels.direction }}"));
    }
}
