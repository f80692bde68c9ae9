//! What every command has in common: the input flags, help text that ends its last line,
//! and counted nouns in human output.

mod common;

use common::{moat, three_tier_with_configmap, Scratch};

const COMMANDS: [&str; 5] = ["check", "explain", "matrix", "lint", "gen"];

#[test]
fn every_command_that_reads_manifests_has_the_shared_input_flags() {
    for cmd in COMMANDS {
        let (help, _, code) = moat(&[cmd, "--help"]);
        assert_eq!(code, 0);
        for flag in ["-n, --namespace <NS>", "-v, --verbose"] {
            assert!(help.contains(flag), "`moat {cmd}` lacks {flag}:\n{help}");
        }
    }
}

#[test]
fn verbose_lists_skipped_objects_in_every_command() {
    let d = three_tier_with_configmap("verbose");
    let p = d.str();
    let listed = format!("skipped: {p}/cm.yaml:1:1: ConfigMap settings (v1)");
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "check",
            p,
            "--expect",
            "examples/three-tier/expect.yaml",
            "-v",
        ],
        vec![
            "explain",
            p,
            "--from",
            "production/frontend",
            "--to",
            "production/backend",
            "--port",
            "8080",
            "-v",
        ],
        vec!["matrix", p, "-v"],
        vec!["lint", p, "-v"],
        vec!["gen", "--from", p, "-v"],
        vec!["gen", "examples/three-tier/intent.yaml", "--with", p, "-v"],
    ];
    for args in &runs {
        let (_, err, code) = moat(args);
        assert!(code == 0 || code == 1, "{args:?}: exit {code}\n{err}");
        assert!(err.contains(&listed), "{args:?}:\n{err}");
        // Without -v: the count, never the list.
        let quiet: Vec<&str> = args.iter().copied().filter(|a| *a != "-v").collect();
        let (_, err, _) = moat(&quiet);
        assert!(
            err.contains("note: 1 document not used: 1 ConfigMap (--verbose lists them)"),
            "{quiet:?}:\n{err}"
        );
        assert!(!err.contains("skipped: "), "{quiet:?}:\n{err}");
    }
}

#[test]
fn namespace_flag_places_unnamespaced_objects_in_every_command() {
    // A pod with no namespace, and a policy in `shop` that isolates it only with -n shop.
    let d = Scratch::new("ns");
    std::fs::write(
        d.path().join("x.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: c, image: nginx}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
    )
    .unwrap();
    let p = d.str();
    let (out, err, code) = moat(&["matrix", p, "-n", "shop", "--group", "pod"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("shop/web"), "{out}");
    // In shop the pod is isolated for ingress; in `default` nothing isolates it.
    let (out, _, code) = moat(&["lint", p, "--namespace", "shop"]);
    assert_eq!(code, 0);
    assert!(!out.contains("no default-deny for ingress"), "{out}");
    let (out, _, _) = moat(&["lint", p]);
    assert!(
        out.contains("namespace default has 1 workload and no default-deny for ingress"),
        "{out}"
    );
    let (out, err, code) = moat(&["gen", "--from", p, "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("shop:"), "{out}");
}

#[test]
fn lint_list_rules_needs_no_path_but_linting_does() {
    let (out, _, code) = moat(&["lint", "--list-rules"]);
    assert_eq!(code, 0);
    assert!(out.contains("egress-to-metadata"));
    let (_, err, code) = moat(&["lint"]);
    assert_eq!(code, 2);
    assert!(err.contains("<PATH>"), "{err}");
}

#[test]
fn every_help_ends_with_exactly_one_newline() {
    let mut invocations: Vec<Vec<&str>> =
        vec![vec!["--help"], vec!["-h"], vec!["help"], vec!["--version"]];
    for cmd in COMMANDS.iter().chain(&["completions"]) {
        invocations.push(vec![cmd, "--help"]);
        invocations.push(vec![cmd, "-h"]);
        invocations.push(vec!["help", cmd]);
    }
    for args in &invocations {
        let (out, _, code) = moat(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.ends_with('\n'), "{args:?} ends without a newline");
        assert!(!out.ends_with("\n\n"), "{args:?} ends with a blank line");
    }
    // Without a command, the help goes to stderr (exit 2), ending its line all the same.
    let (_, err, code) = moat(&[]);
    assert_eq!(code, 2);
    assert!(err.ends_with('\n') && !err.ends_with("\n\n"), "{err:?}");
}

#[test]
fn counts_in_human_output_agree_with_their_nouns() {
    let d = Scratch::new("plural");
    std::fs::write(
        d.path().join("x.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: nginx}]}\n",
    )
    .unwrap();
    let p = d.str();
    let (out, _, _) = moat(&["matrix", p, "--stats"]);
    assert!(
        out.starts_with(
            "endpoints      1 in 1 namespace (1 class of identical endpoints), 2 external ranges\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("ingress 0 of 1 endpoint, egress 0 of 1\n"),
        "{out}"
    );
    assert!(out.contains("computed       "), "{out}");
    let (out, _, _) = moat(&["lint", p]);
    assert!(
        out.contains("namespace shop has 1 workload and no default-deny"),
        "{out}"
    );
    assert!(
        out.ends_with("lint: 0 errors, 2 warnings, 0 info\n"),
        "{out}"
    );
    let (_, err, code) = moat(&["matrix", "examples/no-such-dir"]);
    assert_eq!(code, 2);
    assert!(
        err.ends_with("\n1 error in the input; nothing was evaluated\n"),
        "{err}"
    );
    let (out, err, _) = moat(&[
        "matrix",
        "examples/three-tier",
        "--group",
        "pod",
        "--limit",
        "1",
    ]);
    assert!(out.contains("\n1 connection\n"), "{out}");
    assert!(err.contains("note: stopped after 1 connection:"), "{err}");
    for text in [&out, &err] {
        for bad in [
            "(s)",
            " 1 namespaces",
            " 1 errors",
            " 1 connections",
            " 1 pods",
            " 1 workloads",
        ] {
            assert!(!text.contains(bad), "{bad}: {text}");
        }
    }
}
