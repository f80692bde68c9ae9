//! Every lint rule against its fixtures, the seeds' examples, config and the ignore annotation.

use std::path::{Path, PathBuf};

use moat::lint::{all_rules, lint, Config, Diagnostic, LintOptions, Severity};
use moat::load::{collect_files, load, read_source, LoadOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

fn lint_path(path: &Path, config: &Config, opts: &LintOptions) -> Vec<Diagnostic> {
    let files = collect_files(&[path.to_path_buf()]).expect("fixture path");
    let sources: Vec<_> = files
        .iter()
        .map(|f| read_source(f).expect("fixture readable"))
        .collect();
    let loaded = load(&sources, &LoadOptions::default());
    lint(loaded, &sources, config, opts).expect("fixture is readable YAML")
}

fn only(rule: &str) -> LintOptions {
    LintOptions {
        only: vec![rule.to_string()],
        skip: vec![],
    }
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_its_near_miss() {
    for rule in all_rules() {
        let id = rule.meta().id;
        let dir = fixtures().join(id);
        let fires = lint_path(&dir.join("fires.yaml"), &Config::default(), &only(id));
        assert!(!fires.is_empty(), "{id}: fires.yaml does not fire it");
        assert!(fires.iter().all(|d| d.rule == id));
        assert!(
            fires
                .iter()
                .all(|d| d.span.is_some() && !d.message.is_empty() && !d.help.is_empty()),
            "{id}: every diagnostic has a position, a message and a help: {fires:#?}"
        );
        let near = lint_path(&dir.join("near-miss.yaml"), &Config::default(), &only(id));
        assert!(near.is_empty(), "{id}: near-miss.yaml fires it: {near:#?}");
    }
}

#[test]
fn every_fixture_directory_is_a_rule() {
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name == "seeds" || all_rules().iter().any(|r| r.meta().id == name),
            "stray fixture dir {name}"
        );
    }
}

#[test]
fn seed_examples_are_clean_but_for_open_namespaces() {
    for example in ["three-tier", "task-api"] {
        let diags = lint_path(
            &fixtures().join("seeds").join(example),
            &Config::default(),
            &LintOptions::default(),
        );
        let other: Vec<_> = diags
            .iter()
            .filter(|d| d.rule != "namespace-without-default-deny")
            .collect();
        assert!(other.is_empty(), "{example}: {other:#?}");
        assert!(diags.iter().all(|d| d.severity == Severity::Warning));
        // production / task-api have their default-deny; only the other namespaces are open.
        for d in &diags {
            let ns = &d.object.as_ref().unwrap().name;
            assert!(
                ns != "production" && ns != "task-api" && ns != "kube-system",
                "{d:?}"
            );
        }
    }
}

#[test]
fn seed_001_allow_dns_fires_peer_or_confusion() {
    let diags = lint_path(
        &fixtures().join("seeds/seed-001"),
        &Config::default(),
        &only("peer-or-confusion"),
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    let o = d.object.as_ref().unwrap();
    assert_eq!(
        (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str()),
        ("NetworkPolicy", Some("production"), "allow-dns")
    );
    assert_eq!(d.path, "spec.egress[0].to[1]");
    let span = d.span.as_ref().unwrap();
    assert!(span.file.ends_with("policies.yaml"));
    assert_eq!(
        (span.line, span.col),
        (37, 11),
        "the `podSelector` of the second peer"
    );
    assert_eq!(
        d.related[0].span.as_ref().unwrap().line,
        34,
        "the namespaceSelector peer"
    );
    let fix = d.fix.as_deref().unwrap();
    assert!(
        fix.contains("    - namespaceSelector:\n") && fix.contains("\n      podSelector:\n"),
        "{fix}"
    );
}

#[test]
fn ignore_annotation_silences_the_named_rules_only() {
    let dir = std::env::temp_dir().join(format!("moat-lint-ignore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(fixtures().join("ingress-open-to-all/fires.yaml")).unwrap();
    let silenced = text.replace(
        "  namespace: shared-services\n",
        "  namespace: shared-services\n  annotations:\n    moat.dev/ignore: \"redundant-rule, ingress-open-to-all\"\n",
    );
    let other = text.replace(
        "  namespace: shared-services\n",
        "  namespace: shared-services\n  annotations:\n    moat.dev/ignore: redundant-rule\n",
    );
    std::fs::write(dir.join("silenced.yaml"), silenced).unwrap();
    std::fs::write(dir.join("other.yaml"), other).unwrap();
    assert!(lint_path(
        &dir.join("silenced.yaml"),
        &Config::default(),
        &LintOptions::default()
    )
    .iter()
    .all(|d| d.rule != "ingress-open-to-all"));
    assert!(lint_path(
        &dir.join("other.yaml"),
        &Config::default(),
        &LintOptions::default()
    )
    .iter()
    .any(|d| d.rule == "ingress-open-to-all"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn config_sets_severity_skips_rules_and_lists_system_namespaces() {
    let cfg = Config::parse(
        ".moat.yaml",
        "severity:\n  namespace-without-default-deny: error\nskip: [peer-or-confusion]\nsystemNamespaces: [kube-system, ingress-nginx]\n",
    )
    .unwrap();
    let diags = lint_path(
        &fixtures().join("seeds/seed-001"),
        &cfg,
        &LintOptions::default(),
    );
    assert!(diags.iter().all(|d| d.rule != "peer-or-confusion"));
    let open: Vec<_> = diags
        .iter()
        .filter(|d| d.rule == "namespace-without-default-deny")
        .collect();
    assert!(
        open.is_empty(),
        "ingress-nginx is a system namespace now: {open:#?}"
    );
    let diags = lint_path(
        &fixtures().join("seeds/three-tier"),
        &cfg,
        &LintOptions::default(),
    );
    assert!(diags
        .iter()
        .any(|d| d.rule == "namespace-without-default-deny" && d.severity == Severity::Error));
}

#[test]
fn config_rejects_unknown_rules_and_settings() {
    let e = Config::parse(".moat.yaml", "skip: [no-such-rule]\n").unwrap_err();
    assert!(e.message.contains("unknown rule `no-such-rule`"), "{e}");
    assert_eq!(e.span.unwrap().line, 1);
    assert!(Config::parse(".moat.yaml", "severity:\n  dns-udp-only: fatal\n").is_err());
    assert!(Config::parse(".moat.yaml", "rules: {}\n").is_err());
}

#[test]
fn unknown_field_suggests_the_real_field() {
    let diags = lint_path(
        &fixtures().join("unknown-field/fires.yaml"),
        &Config::default(),
        &only("unknown-field"),
    );
    let helps: Vec<&str> = diags.iter().map(|d| d.help.as_str()).collect();
    assert_eq!(
        helps,
        [
            "rename `podselector` to `podSelector`",
            "rename `policyType` to `policyTypes`",
            "rename `matchLabel` to `matchLabels`"
        ]
    );
}

#[test]
fn invalid_policy_reports_every_bad_value_with_its_path() {
    let diags = lint_path(
        &fixtures().join("invalid-policy/fires.yaml"),
        &Config::default(),
        &only("invalid-policy"),
    );
    let paths: Vec<&str> = diags.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "spec.podSelector.matchExpressions[0].operator",
            "spec.egress[0].to[0].ipBlock.cidr",
            "spec.egress[0].ports[0].protocol",
            "spec.egress[0].ports[1].endPort"
        ]
    );
}

#[test]
fn dns_egress_blocked_uses_real_reachability_when_dns_pods_are_present() {
    // The DNS pods isolate their own ingress: egress alone is not enough.
    let dir = std::env::temp_dir().join(format!("moat-lint-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let near =
        std::fs::read_to_string(fixtures().join("dns-egress-blocked/near-miss.yaml")).unwrap();
    let text = format!(
        "{near}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: dns-closed\n  namespace: kube-system\nspec:\n  podSelector:\n    matchLabels:\n      k8s-app: kube-dns\n  policyTypes: [Ingress]\n"
    );
    std::fs::write(dir.join("x.yaml"), text).unwrap();
    let diags = lint_path(
        &dir.join("x.yaml"),
        &Config::default(),
        &only("dns-egress-blocked"),
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        diags[0]
            .help
            .contains("ingress policies of kube-system/coredns refuse it"),
        "{}",
        diags[0].help
    );
    std::fs::remove_dir_all(&dir).ok();
}
