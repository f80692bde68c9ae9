//! `moat lint` end to end: human output of every rule (snapshots), JSON and SARIF,
//! exit codes, config discovery, `--list-rules`.

mod common;

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../moat/tests/fixtures/lint")
}

/// Run `moat lint` from the fixtures directory (so that paths in the output are relative).
fn moat(args: &[&str]) -> (String, String, i32) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    common::moat_in(&fixtures(), &all)
}

fn rule_ids() -> Vec<String> {
    let (out, _, code) = moat(&["--list-rules", "--output", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn human_output_of_every_rule() {
    let ids = rule_ids();
    assert_eq!(ids.len(), 25);
    for id in ids {
        let file = format!("{id}/fires.yaml");
        let (out, err, code) = moat(&["--no-config", "--rule", &id, &file]);
        // A fixture may hold policies without workloads (or the reverse): the loader says so
        // in one warning line, and nothing else may reach stderr.
        let other: Vec<&str> = err
            .lines()
            .filter(|l| !l.starts_with("warning: the inputs hold "))
            .collect();
        assert!(other.is_empty(), "{id}: {err}");
        assert!(out.contains(&format!("[{id}]: ")), "{id}: {out}");
        let expected = if out.contains("\nerror[") || out.starts_with("error[") {
            1
        } else {
            0
        };
        assert_eq!(code, expected, "{id}");
        insta::assert_snapshot!(format!("text_{id}"), out);
    }
}

#[test]
fn seed_001_json() {
    let (out, _, code) = moat(&["--no-config", "seeds/seed-001", "--output", "json"]);
    assert_eq!(code, 0, "warnings only");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "peer-or-confusion")
        .unwrap();
    assert_eq!(
        d["object"],
        serde_json::json!({"kind": "NetworkPolicy", "namespace": "production", "name": "allow-dns"})
    );
    assert_eq!(d["path"], "spec.egress[0].to[1]");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(37), Some(11))
    );
    insta::assert_snapshot!("json_seed_001", out);
}

#[test]
fn seed_001_sarif() {
    let (out, _, code) = moat(&["--no-config", "seeds/seed-001", "--output", "sarif"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 25);
    for r in run["results"].as_array().unwrap() {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
    insta::assert_snapshot!("sarif_seed_001", out);
}

#[test]
fn exit_codes() {
    // Warnings only: 0; with --deny warnings: 1.
    assert_eq!(moat(&["--no-config", "peer-or-confusion/fires.yaml"]).2, 0);
    assert_eq!(
        moat(&[
            "--no-config",
            "--deny",
            "warnings",
            "peer-or-confusion/fires.yaml"
        ])
        .2,
        1
    );
    // An error-level finding: 1.
    assert_eq!(moat(&["--no-config", "invalid-policy/fires.yaml"]).2, 1);
    // Clean: 0 (skipping the namespace rule on a seed example).
    let (out, _, code) = moat(&[
        "--no-config",
        "--skip",
        "namespace-without-default-deny",
        "seeds/three-tier",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with("lint: 0 errors, 0 warnings, 0 info\n"),
        "{out}"
    );
    // Unreadable input and unknown rules: 2.
    let dir = std::env::temp_dir().join(format!("moat-lint-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("broken.yaml"),
        "kind: NetworkPolicy\nmetadata: [\n",
    )
    .unwrap();
    let (_, err, code) = moat(&["--no-config", dir.join("broken.yaml").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(moat(&["--rule", "no-such-rule", "seeds/seed-001"]).2, 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn moat_yaml_is_found_upward_from_the_inputs() {
    let dir = std::env::temp_dir().join(format!("moat-lint-cfg-{}", std::process::id()));
    let sub = dir.join("manifests/prod");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::copy(
        fixtures().join("peer-or-confusion/fires.yaml"),
        sub.join("p.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join(".moat.yaml"),
        "severity:\n  peer-or-confusion: error\n",
    )
    .unwrap();
    let (out, _, code) = moat(&[sub.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("error[peer-or-confusion]"), "{out}");
    assert_eq!(moat(&["--no-config", sub.to_str().unwrap()]).2, 0);
    std::fs::write(dir.join(".moat.yaml"), "skip: [nope]\n").unwrap();
    assert_eq!(
        moat(&[sub.to_str().unwrap()]).2,
        2,
        "a bad config is bad input"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn list_rules_md_is_docs_rules_md() {
    let (out, _, code) = moat(&["--list-rules", "--output", "md"]);
    assert_eq!(code, 0);
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"))
            .unwrap();
    assert_eq!(out, docs);
}
