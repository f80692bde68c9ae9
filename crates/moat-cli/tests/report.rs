//! `moat report` end to end: the embedded data (golden, schema `moat.report/v1`), the page
//! being self-contained, the data budget, and bad input. The browser tests are in
//! `report_browser.rs`.

use serde_json::Value;

mod common;
use common::moat;

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
fn report_data_tiers_golden() {
    let (out, err, code) = moat(&["report", "examples/tiers", "--format", "json"]);
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

/// An edge as text, port sets resolved (they are interned in another order when cut).
fn edge_texts(d: &Value) -> Vec<String> {
    d["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let name = |n: &Value| {
                let n = n.as_u64().unwrap() as usize;
                let w = d["workloads"].as_array().unwrap();
                match w.get(n) {
                    Some(w) => format!(
                        "{}/{}",
                        d["namespaces"][w["namespace"].as_u64().unwrap() as usize]["name"]
                            .as_str()
                            .unwrap(),
                        w["name"].as_str().unwrap()
                    ),
                    None => d["externals"][n - w.len()]["name"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                }
            };
            let ports = d["portSets"][e[2].as_u64().unwrap() as usize]["text"]
                .as_str()
                .unwrap();
            format!("{} > {} {ports}", name(&e[0]), name(&e[1]))
        })
        .collect()
}

#[test]
fn budget_keeps_whole_namespaces_and_says_so() {
    let full = data(&["examples/three-tier"]);
    assert_eq!(full["budget"]["cut"], false);
    assert_eq!(full["budget"]["detailNamespaces"], serde_json::json!([]));
    let (out, err, code) = moat(&[
        "report",
        "examples/three-tier",
        "--format",
        "json",
        "--max-edges",
        "12",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: Workload-level connections are embedded for"),
        "{err}"
    );
    let cut: Value = serde_json::from_str(&out).unwrap();
    let b = &cut["budget"];
    assert_eq!(b["cut"], true);
    assert!(b["note"]
        .as_str()
        .unwrap()
        .contains("the namespace matrix, which is complete, stands in"));
    let edges = edge_texts(&cut);
    assert!(edges.len() <= 12 && !edges.is_empty(), "{edges:?}");
    assert_eq!(b["edges"], edges.len());
    // Exactly the edges from or to a workload of a detail namespace, none other.
    let detail: Vec<String> = b["detailNamespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            cut["namespaces"][a.as_u64().unwrap() as usize]["name"]
                .as_str()
                .unwrap()
                .to_string()
                + "/"
        })
        .collect();
    assert!(!detail.is_empty());
    let touches = |e: &String| {
        detail
            .iter()
            .any(|ns| e.starts_with(ns.as_str()) || e.contains(&format!("> {ns}")))
    };
    let want: Vec<String> = edge_texts(&full).into_iter().filter(touches).collect();
    assert_eq!(edges, want);
    // The namespace matrix is never cut.
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
fn detail_chooses_the_namespaces_embedded_first() {
    let d = data(&[
        "examples/three-tier",
        "--max-edges",
        "12",
        "--detail",
        "production",
    ]);
    let names: Vec<&str> = d["budget"]["detailNamespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            d["namespaces"][a.as_u64().unwrap() as usize]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(names.contains(&"production"), "{names:?}");
    let edges = edge_texts(&d);
    assert!(
        edges.contains(&"production/frontend > production/backend TCP 8080".to_string()),
        "{edges:?}"
    );
    let (_, err, code) = moat(&["report", "examples/three-tier", "--detail", "nowhere"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--detail: no namespace `nowhere` in the input"),
        "{err}"
    );
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
