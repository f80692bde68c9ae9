//! `moat report` end to end: the embedded data (golden, schema `moat.report/v1`), the page
//! being self-contained, the data budget, and bad input. The browser tests are in
//! `report_browser.rs`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Run moat from the repository root: (stdout, stderr, code).
fn moat(args: &[&str]) -> (String, String, i32) {
    let out = Command::cargo_bin("moat")
        .unwrap()
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn data(args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let (out, err, code) = moat(&all);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The JSON embedded in a page.
fn embedded(page: &str) -> Value {
    let start = page
        .find(r#"<script id="moat-data" type="application/json">"#)
        .expect("data element");
    let body = &page[start..];
    let body = &body[body.find('>').unwrap() + 1..];
    let body = &body[..body.find("</script>").unwrap()];
    serde_json::from_str(body).expect("embedded JSON")
}

#[test]
fn report_data_three_tier_golden() {
    let (out, err, code) = moat(&["report", "examples/three-tier", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn report_data_seed_001_golden() {
    let (out, err, code) = moat(&["report", "examples/seed-001", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn page_embeds_the_same_data_and_needs_no_network() {
    let (page, err, code) = moat(&["report", "examples/three-tier"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(embedded(&page), data(&["examples/three-tier"]));
    // Nothing is fetched: no external script, style, font or image, and the page's own
    // policy forbids any request.
    for needle in [
        "<script src",
        "<link",
        "@import",
        "@font-face",
        "<img",
        "<iframe",
    ] {
        assert!(!page.contains(needle), "the page contains {needle}");
    }
    assert!(
        page.contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none';"#)
    );
    // The vendored libraries are inline.
    assert!(page.contains("cytoscape"));
    assert!(page.contains("cytoscapeFcose"));
}

#[test]
fn output_file_is_written() {
    let dir = std::env::temp_dir().join(format!("moat-report-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    let (out, err, code) = moat(&["report", "examples/seed-001", "-o", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let page = std::fs::read_to_string(&file).unwrap();
    assert_eq!(embedded(&page)["schema"], "moat.report/v1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn budget_cuts_whole_sources_and_says_so() {
    let full = data(&["examples/three-tier"]);
    assert_eq!(full["budget"]["cut"], false);
    let all_edges = full["edges"].as_array().unwrap().clone();
    let (out, err, code) = moat(&[
        "report",
        "examples/three-tier",
        "--format",
        "json",
        "--max-edges",
        "8",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: Workload-level connections are embedded for the first"),
        "{err}"
    );
    let cut: Value = serde_json::from_str(&out).unwrap();
    let b = &cut["budget"];
    assert_eq!(b["cut"], true);
    assert!(b["note"]
        .as_str()
        .unwrap()
        .contains("the namespace matrix is complete"));
    let edges = cut["edges"].as_array().unwrap();
    assert!(edges.len() <= 8 && !edges.is_empty(), "{edges:?}");
    assert_eq!(b["edges"], edges.len());
    // Every source below `completeSources` has all its edges, and no other source has any.
    let complete = b["completeSources"].as_u64().unwrap();
    let kept: Vec<&Value> = all_edges
        .iter()
        .filter(|e| e[0].as_u64().unwrap() < complete)
        .collect();
    assert_eq!(edges.iter().collect::<Vec<_>>(), kept);
    // The namespace matrix is never cut (port sets are interned in another order).
    let cells = |d: &Value| -> Vec<String> {
        d["namespaceMatrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let ports = &d["portSets"][c[2].as_u64().unwrap() as usize]["text"];
                format!("{} {} {ports} {} {}", c[0], c[1], c[3], c[4])
            })
            .collect()
    };
    assert_eq!(cells(&cut), cells(&full));
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("moat-report-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    std::fs::write(
        &file,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n",
    )
    .unwrap();
    let (out, err, code) = moat(&["report", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("bad.yaml:7"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
