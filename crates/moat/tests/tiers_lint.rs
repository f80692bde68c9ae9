//! The tier lint rules beyond their fires/near-miss fixtures: the cases each rule must
//! tell apart.

use moat::lint::{lint, Config, Diagnostic, LintOptions};
use moat::load::{load, LoadOptions, Source};

fn run(rule: &str, text: &str) -> Vec<Diagnostic> {
    let sources = vec![Source {
        name: "in.yaml".into(),
        text: text.to_string(),
    }];
    let loaded = load(&sources, &LoadOptions::default());
    assert!(loaded.problems.is_empty(), "{:#?}", loaded.problems);
    let opts = LintOptions {
        only: vec![rule.to_string()],
        skip: vec![],
    };
    lint(loaded, &sources, &Config::default(), &opts).expect("readable")
}

const PODS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels: {env: prod}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n  labels: {env: dev}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: prod\n  labels: {app: api}\nspec:\n  containers:\n    - name: api\n      ports: [{name: http, containerPort: 8080}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: tool\n  namespace: dev\n  labels: {app: tool}\nspec:\n  containers: [{name: tool}]\n---\n";

fn cnp(name: &str, tier: &str, prio: u16, body: &str) -> String {
    format!("---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: {name}\nspec:\n  tier: {tier}\n  priority: {prio}\n  subject:\n    namespaces: {{}}\n{body}")
}

#[test]
fn a_pass_in_the_baseline_tier_always_passes_to_nothing() {
    let text = format!(
        "{PODS}{}",
        cnp(
            "b",
            "Baseline",
            1,
            "  ingress:\n    - action: Pass\n      from: [{namespaces: {}}]\n"
        )
    );
    let d = run("pass-to-nothing", &text);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("the Baseline tier is the last"),
        "{}",
        d[0].message
    );
}

#[test]
fn a_pass_with_a_baseline_behind_it_is_fine() {
    let text = format!(
        "{PODS}{}{}",
        cnp(
            "a",
            "Admin",
            1,
            "  ingress:\n    - action: Pass\n      from: [{namespaces: {}}]\n"
        ),
        cnp(
            "b",
            "Baseline",
            1,
            "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n"
        )
    );
    assert!(run("pass-to-nothing", &text).is_empty());
}

#[test]
fn equal_priorities_with_the_same_action_do_not_conflict() {
    let text = format!(
        "{PODS}{}{}",
        cnp("a", "Admin", 5, "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n"),
        cnp("b", "Admin", 5, "  ingress:\n    - action: Deny\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n")
    );
    assert!(run("tier-priority-overlap", &text).is_empty());
}

#[test]
fn equal_priorities_in_different_tiers_do_not_conflict() {
    let text = format!(
        "{PODS}{}{}",
        cnp(
            "a",
            "Admin",
            5,
            "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n"
        ),
        cnp(
            "b",
            "Baseline",
            5,
            "  ingress:\n    - action: Accept\n      from: [{namespaces: {}}]\n"
        )
    );
    assert!(run("tier-priority-overlap", &text).is_empty());
}

#[test]
fn equal_priorities_on_disjoint_ports_do_not_conflict() {
    let text = format!(
        "{PODS}{}{}",
        cnp("a", "Admin", 5, "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n      protocols: [{tcp: {destinationPort: {number: 80}}}]\n"),
        cnp("b", "Admin", 5, "  ingress:\n    - action: Accept\n      from: [{namespaces: {}}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n")
    );
    assert!(run("tier-priority-overlap", &text).is_empty());
}

#[test]
fn without_pods_equal_priorities_with_different_actions_are_reported() {
    let text = format!(
        "{}{}",
        cnp(
            "a",
            "Admin",
            5,
            "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n"
        ),
        cnp(
            "b",
            "Admin",
            5,
            "  ingress:\n    - action: Accept\n      from: [{namespaces: {}}]\n"
        )
    );
    assert_eq!(run("tier-priority-overlap", &text).len(), 1);
}

const NP_FROM_DEV_HTTP: &str = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-ingress\n  namespace: prod\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {env: dev}}}]\n";

#[test]
fn an_admin_deny_of_only_some_ports_does_not_shadow_an_all_ports_allow() {
    let admin = cnp("a", "Admin", 1, "  ingress:\n    - action: Deny\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n      protocols: [{tcp: {destinationPort: {range: {start: 1, end: 65534}}}}]\n");
    let text = format!("{PODS}{admin}{NP_FROM_DEV_HTTP}");
    assert!(run("admin-deny-shadows-networkpolicy", &text).is_empty());
}

#[test]
fn an_admin_pass_before_the_deny_lets_the_networkpolicy_decide() {
    let admin = cnp("a", "Admin", 1, "  ingress:\n    - action: Pass\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n    - action: Deny\n      from: [{namespaces: {}}]\n");
    let text = format!("{PODS}{admin}{NP_FROM_DEV_HTTP}");
    assert!(run("admin-deny-shadows-networkpolicy", &text).is_empty());
}

#[test]
fn an_admin_deny_of_every_port_and_protocol_shadows_it() {
    let admin = cnp(
        "a",
        "Admin",
        1,
        "  ingress:\n    - action: Deny\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n",
    );
    let text = format!("{PODS}{admin}{NP_FROM_DEV_HTTP}");
    let d = run("admin-deny-shadows-networkpolicy", &text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, "spec.ingress[0]");
}

#[test]
fn a_v1alpha1_object_that_v1alpha2_cannot_hold_says_why() {
    let rule = "    - action: Deny\n      to: [{namespaces: {}}]\n";
    let text = format!("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: big\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  egress:\n{}", rule.repeat(30));
    let d = run("deprecated-v1alpha1", &text);
    assert_eq!(d.len(), 1);
    assert!(d[0].fix.is_none());
    assert!(d[0].help.contains("at most 25"), "{}", d[0].help);
}

#[test]
fn a_cluster_baseline_denying_everything_is_a_namespace_default_deny() {
    let ingress_only = cnp(
        "b",
        "Baseline",
        1,
        "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n",
    );
    let d = run(
        "namespace-without-default-deny",
        &format!("{PODS}{ingress_only}"),
    );
    // Egress is still open in both namespaces; ingress is covered.
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d.iter().all(|x| x.message.contains("for egress")));
    let both = cnp("b", "Baseline", 1, "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n  egress:\n    - action: Deny\n      to: [{namespaces: {}}, {networks: [0.0.0.0/0, '::/0']}]\n");
    assert!(run("namespace-without-default-deny", &format!("{PODS}{both}")).is_empty());
    // Egress to pods only is not a default deny: addresses outside stay open.
    let pods_only = cnp("b", "Baseline", 1, "  ingress:\n    - action: Deny\n      from: [{namespaces: {}}]\n  egress:\n    - action: Deny\n      to: [{namespaces: {}}]\n");
    assert_eq!(
        run(
            "namespace-without-default-deny",
            &format!("{PODS}{pods_only}")
        )
        .len(),
        2
    );
}
