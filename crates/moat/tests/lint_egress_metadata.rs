//! egress-to-metadata says what a rule really allows, its fix keeps IPv6 (and the pods the
//! rule allowed), and identical entries give one finding.

mod common;

use std::sync::Arc;

use moat::lint::{lint, Config, Diagnostic, LintOptions};
use moat::load::{load, LoadOptions, Source};

const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: prod, labels: {app: web}}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: data, labels: {app: db}}\nspec: {containers: [{name: c, image: postgres}]}\n";

fn policy(egress: &str) -> String {
    format!("{PODS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: out, namespace: prod}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n{egress}")
}

fn lint_text(yaml: &str, rule: &str) -> Vec<Diagnostic> {
    let sources = vec![Source {
        name: Arc::from("test.yaml"),
        text: yaml.to_string(),
    }];
    let loaded = load(&sources, &LoadOptions::default());
    let opts = LintOptions {
        only: vec![rule.into()],
        skip: vec![],
    };
    lint(loaded, &sources, &Config::default(), &opts).unwrap()
}

fn metadata(yaml: &str) -> Vec<Diagnostic> {
    lint_text(yaml, "egress-to-metadata")
}

#[test]
fn an_empty_egress_rule_is_reported_as_every_port_not_tcp_80() {
    let d = metadata(&policy("    - {}\n"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.starts_with("egress rule allows every port and protocol to the cloud metadata endpoints 169.254.169.254 and (on AWS) fd00:ec2::254"),
        "{}",
        d[0].message
    );
    assert!(!d[0].message.contains("TCP 80"), "{}", d[0].message);
}

#[test]
fn a_rule_with_ports_names_the_ports_that_reach_the_endpoint() {
    let d = metadata(&policy(
        "    - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 1, endPort: 1024}]\n",
    ));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message.starts_with("egress rule allows TCP/1-1024 to"),
        "{}",
        d[0].message
    );
    let d = metadata(&policy("    - ports: [{protocol: TCP}]\n"));
    assert!(
        d[0].message
            .starts_with("egress rule allows every TCP port to"),
        "{}",
        d[0].message
    );
}

#[test]
fn the_fix_for_an_empty_rule_keeps_ipv6_and_pods() {
    let d = metadata(&policy("    - ports: [{protocol: TCP, port: 80}]\n"));
    let fix = d[0].fix.clone().unwrap();
    for part in [
        "namespaceSelector: {}",
        "cidr: 0.0.0.0/0",
        "169.254.169.254/32",
        "cidr: ::/0",
        "fd00:ec2::254/128",
        "ports:\n    - protocol: TCP\n      port: 80\n",
    ] {
        assert!(fix.contains(part), "{part} missing from the fix:\n{fix}");
    }
    assert!(d[0].help.contains("::/0"), "{}", d[0].help);

    // The fix, applied: no finding, and every destination the rule allowed but the
    // metadata endpoints stays allowed.
    let indented: String = fix.lines().map(|l| format!("    {l}\n")).collect();
    let fixed = policy(&indented);
    assert!(metadata(&fixed).is_empty(), "{:#?}", metadata(&fixed));
    let e = common::engine(&fixed);
    assert!(common::allowed(&e, "prod/web", "data/db", 80));
    assert!(common::allowed(&e, "prod/web", "93.184.216.34", 80));
    assert!(common::allowed(&e, "prod/web", "2606:2800:220:1::1", 80));
    assert!(!common::allowed(&e, "prod/web", "169.254.169.254", 80));
    assert!(!common::allowed(&e, "prod/web", "fd00:ec2::254", 80));
}

#[test]
fn an_ipv6_block_without_except_reaches_the_aws_endpoint() {
    let d = metadata(&policy("    - to: [{ipBlock: {cidr: '::/0'}}]\n"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("fd00:ec2::254"), "{}", d[0].message);
    assert_eq!(d[0].path, "spec.egress[0].to[0].ipBlock");
    let fix = d[0].fix.clone().unwrap();
    assert!(fix.contains("    - fd00:ec2::254/128"), "{fix}");
    assert!(!fix.contains("169.254.169.254"), "{fix}");
    // With the except: nothing to report.
    let ok = policy("    - to: [{ipBlock: {cidr: '::/0', except: ['fd00:ec2::254/128']}}]\n");
    assert!(metadata(&ok).is_empty());
}

#[test]
fn identical_entries_give_one_finding_with_the_others_as_related() {
    let d = metadata(&policy("    - {}\n    - {}\n    - {}\n"));
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].path, "spec.egress[0]");
    let rel: Vec<(&str, &str)> = d[0]
        .related
        .iter()
        .map(|r| (r.path.as_str(), r.note.as_str()))
        .collect();
    assert_eq!(
        rel,
        [
            ("spec.egress[1]", "the same here"),
            ("spec.egress[2]", "the same here")
        ]
    );
    let lines: Vec<u32> = d[0]
        .related
        .iter()
        .map(|r| r.span.as_ref().unwrap().line)
        .collect();
    assert_eq!(d[0].span.as_ref().unwrap().line, 18);
    assert_eq!(lines, [19, 20], "each related position is its own entry");
    // Different entries stay different findings.
    let d = metadata(&policy(
        "    - {}\n    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n",
    ));
    assert_eq!(d.len(), 2, "{d:#?}");
}

#[test]
fn identical_ingress_entries_are_one_ingress_open_to_all_finding() {
    let yaml = format!("{PODS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: in, namespace: prod}}\nspec:\n  podSelector: {{}}\n  ingress:\n    - {{}}\n    - {{}}\n");
    let d = lint_text(&yaml, "ingress-open-to-all");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].related.len(), 1);
}
