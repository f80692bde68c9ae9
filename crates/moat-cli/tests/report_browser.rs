//! `moat report` in a real browser: headless Chromium driven through chromedriver (both
//! Debian packages; `.ci/run` installs them). The test starts chromedriver itself on
//! 127.0.0.1 and fails, never skips, when either is missing.
//!
//! Screenshots are kept under `target/report-browser/`.

mod browser;

use std::time::Instant;

use browser::*;
use fantoccini::{Client, Locator};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_renders_cards_filters_and_explains_in_chromium() {
    let page = write_report("examples/three-tier", "three-tier.html", &[]);
    let driver = Driver::start();
    let profile = tempdir("three-tier");
    let c = connect(&driver, &profile).await;
    c.goto(&file_url(&page)).await.expect("open the report");

    // Summary: tiles, one row per namespace, findings counted.
    c.wait()
        .for_element(Locator::Css("#ns-table tr[data-ns]"))
        .await
        .expect("namespace rows");
    let rows = c
        .find_all(Locator::Css("#ns-table tr[data-ns]"))
        .await
        .expect("rows");
    assert_eq!(
        rows.len(),
        4,
        "ingress-nginx, kube-system, monitoring, production"
    );
    let table = c
        .find(Locator::Id("ns-table"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        table.contains("production") && table.contains("default-deny-all"),
        "{table}"
    );
    assert_eq!(
        c.find_all(Locator::Css("#tiles .tile"))
            .await
            .unwrap()
            .len(),
        7
    );
    assert!(
        c.find(Locator::Css(".tile.bad")).await.is_ok(),
        "unselected workloads in red"
    );
    save_screenshot(&c, "three-tier-summary.png").await;

    // Graph: a real click on the Graph tab, then on a workload's node on the canvas.
    c.find(Locator::Css("nav#tabs button[data-tab=graph]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_true(
        &c,
        "return window.moatReport.visibleWorkloads().length === 7",
    )
    .await;
    assert_eq!(js(&c, "return window.moatReport.mode()").await, "workloads");
    let pos = js(
        &c,
        "var cy = window.moatReport.cy();
         var n = cy.nodes('.workload').filter(function (n) { return n.data('label').indexOf('frontend') === 0; })[0];
         var r = cy.container().getBoundingClientRect(), p = n.renderedPosition();
         return [r.left + p.x, r.top + p.y];",
    )
    .await;
    let (x, y) = (pos[0].as_f64().unwrap(), pos[1].as_f64().unwrap());
    click_at(&c, x, y).await;
    wait_true(&c, "return !document.getElementById('card').hidden").await;
    let card = c
        .find(Locator::Id("card"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.starts_with("×\nfrontend") || card.contains("\nfrontend\n"),
        "{card}"
    );
    assert!(card.contains("POLICIES THAT SELECT IT"), "{card}");
    for policy in [
        "allow-ingress-to-frontend Ingress\nexamples/three-tier/policies.yaml:35",
        "default-deny-all Ingress+Egress\nexamples/three-tier/policies.yaml:2",
    ] {
        assert!(card.contains(policy), "policies with file:line: {card}");
    }
    assert!(
        card.contains("production/backend") && card.contains("TCP 8080"),
        "{card}"
    );
    assert!(
        card.contains("ingress-nginx/ingress-nginx-controller") && card.contains("TCP 80,443"),
        "{card}"
    );

    // Explain: what the matrix allows, and what it does not, with the deciding rules.
    async fn explain(c: &Client, peer: &str, port: &str) -> String {
        let p = c.find(Locator::Id("ex-peer")).await.unwrap();
        p.clear().await.unwrap();
        p.send_keys(peer).await.unwrap();
        let q = c.find(Locator::Id("ex-port")).await.unwrap();
        q.clear().await.unwrap();
        q.send_keys(port).await.unwrap();
        c.find(Locator::Id("ex-go"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("ex-result"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
    let ok = explain(&c, "production/backend", "8080").await;
    assert!(ok.contains("ALLOWED"), "{ok}");
    assert!(ok.contains("Admitted by"), "{ok}");
    assert!(ok.contains("moat explain examples/three-tier --from production/frontend --to production/backend --port 8080"), "{ok}");
    let denied = explain(&c, "production/database", "5432").await;
    assert!(denied.contains("DENIED"), "{denied}");
    assert!(denied.contains("No rule admits it"), "{denied}");
    let shot = save_screenshot(&c, "three-tier-card.png").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);

    // Namespace filter: unticking the other namespaces leaves production's workloads only.
    c.find(Locator::Id("card-close"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for ns in ["ingress-nginx", "kube-system", "monitoring"] {
        c.find(Locator::Css(&format!(
            "#ns-filter li[data-name='{ns}'] input"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }
    wait_true(
        &c,
        "return window.moatReport.visibleWorkloads().length === 4",
    )
    .await;
    let visible = js(&c, "return window.moatReport.visibleWorkloads()").await;
    let names: Vec<&str> = visible
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("production/")),
        "{names:?}"
    );
    let other = js(
        &c,
        "return window.moatReport.cy().nodes('.ns').map(function (n) { return n.data('label'); })",
    )
    .await;
    assert!(!other.to_string().contains("kube-system"), "{other}");
    save_screenshot(&c, "three-tier-graph-production.png").await;

    // Port filter: 5432 leaves the one connection that allows it.
    let port = c.find(Locator::Id("port-filter")).await.unwrap();
    port.send_keys("5432").await.unwrap();
    wait_true(&c, "return window.moatReport.cy().edges().length === 1").await;
    let edge = js(&c, "var e = window.moatReport.cy().edges()[0]; return e.source().data('label') + ' > ' + e.target().data('label') + ' ' + e.data('ports');").await;
    assert_eq!(edge, "backend ×2 > database TCP 5432");
    port.clear().await.unwrap();
    port.send_keys("udp/53").await.unwrap();
    wait_true(&c, "return window.moatReport.cy().edges().length === 0").await;

    // Search: matching nodes are marked, results listed, a result opens the card.
    port.clear().await.unwrap();
    port.send_keys(" ").await.unwrap();
    let search = c.find(Locator::Id("search")).await.unwrap();
    search.send_keys("data").await.unwrap();
    let hit = c
        .find(Locator::Css("#search-results li[data-node]"))
        .await
        .unwrap();
    assert_eq!(hit.text().await.unwrap(), "production/database");
    assert_eq!(js(&c, "return window.moatReport.cy().nodes('.match').map(function (n) { return n.data('label'); })").await, json!(["database"]));
    hit.click().await.unwrap();
    wait_true(
        &c,
        "return document.querySelector('#card h3').textContent === 'database'",
    )
    .await;

    // Matrix: the heatmap draws, and a click on a cell drills down to workloads.
    c.find(Locator::Css("nav#tabs button[data-tab=matrix]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let cell = js(
        &c,
        "return window.moatReport.heatPoint('production', 'production')",
    )
    .await;
    click_at(&c, cell[0].as_f64().unwrap(), cell[1].as_f64().unwrap()).await;
    let drill = c
        .find(Locator::Id("drill"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(drill.contains("production → production"), "{drill}");
    assert!(
        drill.contains("production/frontend") && drill.contains("TCP 8080"),
        "{drill}"
    );
    save_screenshot(&c, "three-tier-matrix.png").await;

    // Findings, with code frames.
    c.find(Locator::Css("nav#tabs button[data-tab=findings]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let findings = c
        .find(Locator::Id("findings"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        findings.contains("namespace-without-default-deny"),
        "{findings}"
    );
    assert!(findings.contains("workloads.yaml:"), "{findings}");

    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.expect("close the session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_report_starts_grouped_says_what_was_cut_and_drills_down() {
    let input = artifacts().join("synthetic-cluster.yaml");
    std::fs::write(&input, synthetic_cluster(30, 12)).expect("write the cluster");
    let input = input.to_str().expect("path").to_string();
    let page = write_report(&input, "synthetic.html", &["--max-edges", "3000"]);
    let driver = Driver::start();
    let profile = tempdir("synthetic");
    let c = connect(&driver, &profile).await;
    let t0 = Instant::now();
    c.goto(&file_url(&page)).await.expect("open the report");
    c.wait()
        .for_element(Locator::Css("#ns-table tr[data-ns]"))
        .await
        .expect("summary");
    eprintln!("summary shown after {:?}", t0.elapsed());
    let banner = c.find(Locator::Id("budget-note")).await.unwrap();
    assert!(banner.is_displayed().await.unwrap(), "the cut is said");
    assert!(banner
        .text()
        .await
        .unwrap()
        .contains("Workload-level connections are embedded for"));
    assert_eq!(
        c.find_all(Locator::Css("#ns-table tr[data-ns]"))
            .await
            .unwrap()
            .len(),
        31
    );

    // 361 workloads: too many to draw, so the graph starts with one node per namespace
    // (and one for the outside, which coredns reaches).
    c.find(Locator::Css("nav#tabs button[data-tab=graph]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_true(&c, "return window.moatReport.mode() === 'namespaces' && window.moatReport.cy().nodes('.area').length === 32").await;
    eprintln!("namespace graph drawn after {:?}", t0.elapsed());
    let note = c
        .find(Locator::Id("graph-note"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        note.contains("Namespaces are shown as single nodes"),
        "{note}"
    );
    save_screenshot(&c, "synthetic-namespaces.png").await;

    // A click on a namespace node draws its workloads; those past the budget are marked.
    let pos = js(
        &c,
        "var cy = window.moatReport.cy();
         var n = cy.nodes('.area').filter(function (n) { return n.data('label').indexOf('team-29 ') === 0; })[0];
         var r = cy.container().getBoundingClientRect(), p = n.renderedPosition();
         return [r.left + p.x, r.top + p.y];",
    )
    .await;
    click_at(&c, pos[0].as_f64().unwrap(), pos[1].as_f64().unwrap()).await;
    wait_true(&c, "return window.moatReport.mode() === 'workloads' && window.moatReport.visibleWorkloads().length === 12").await;
    let visible = js(&c, "return window.moatReport.visibleWorkloads()").await;
    assert!(
        visible
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_str().unwrap().starts_with("team-29/")),
        "{visible}"
    );
    let note = c
        .find(Locator::Id("graph-note"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        note.contains("have connections that are not embedded"),
        "{note}"
    );
    assert_eq!(
        js(
            &c,
            "return window.moatReport.cy().nodes('.workload.cut').length"
        )
        .await,
        12
    );
    // The namespace matrix stands in: team-28 reaches team-29, and team-29 reaches team-00.
    let ns_edges = js(&c, "return window.moatReport.cy().edges('.nslevel').map(function (e) { return e.source().id() + '>' + e.target().id() + ' ' + e.data('ports'); })").await;
    let text = ns_edges.to_string();
    assert!(text.contains("TCP 8080 (namespace level)"), "{text}");
    assert!(ns_edges.as_array().unwrap().len() >= 2, "{text}");
    save_screenshot(&c, "synthetic-team-29.png").await;

    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.expect("close the session");
}

/// Every tab of every page, and a card, without a console error: the examples, lint
/// fixtures with hostNetwork pods and ipBlocks, and inputs with no workload at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tab_renders_without_console_errors_on_varied_inputs() {
    let only_policy = artifacts().join("only-a-policy.yaml");
    std::fs::write(
        &only_policy,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: empty}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n",
    )
    .expect("write");
    let only_policy = only_policy.to_str().expect("path").to_string();
    let inputs = [
        "examples/seed-001",
        "examples/task-api",
        "crates/moat/tests/fixtures/lint/host-network-bypass/fires.yaml",
        "crates/moat/tests/fixtures/lint/egress-to-metadata/fires.yaml",
        "crates/moat/tests/fixtures/lint/no-enforcing-cni/fires.yaml",
        only_policy.as_str(),
    ];
    let driver = Driver::start();
    let profile = tempdir("varied");
    let c = connect(&driver, &profile).await;
    for (i, input) in inputs.iter().enumerate() {
        let page = write_report(input, &format!("varied-{i}.html"), &[]);
        c.goto(&file_url(&page)).await.expect("open the report");
        c.wait()
            .for_element(Locator::Id("tiles"))
            .await
            .expect("summary");
        for tab in ["graph", "matrix", "findings", "summary", "graph"] {
            c.find(Locator::Css(&format!("nav#tabs button[data-tab={tab}]")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        let workloads = js(&c, "return window.moatReport.data.workloads.length").await;
        if workloads.as_u64().unwrap_or(0) > 0 {
            // The first search result opens its card, and the explain box answers.
            let search = c.find(Locator::Id("search")).await.unwrap();
            search.send_keys("/").await.unwrap();
            c.find(Locator::Css("#search-results li[data-node]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            wait_true(&c, "return !document.getElementById('card').hidden").await;
            let port = c.find(Locator::Id("ex-port")).await.unwrap();
            port.clear().await.unwrap();
            port.send_keys("443").await.unwrap();
            c.find(Locator::Id("ex-go"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let out = c
                .find(Locator::Id("ex-result"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                out.contains("ALLOWED") || out.contains("DENIED") || out.contains("not embedded"),
                "{input}: the explain box gave no verdict: {out}"
            );
        }
        let errors = console_errors(&c).await;
        assert!(errors.is_empty(), "{input}: console errors: {errors:#?}");
    }
    c.close().await.expect("close the session");
}

/// examples/tiers: the card of a workload that cluster policies apply to lists them with
/// file:line, and the explain box names the Admin or Baseline rule deciding a side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_names_the_deciding_cluster_tier_rule_in_chromium() {
    let page = write_report("examples/tiers", "tiers.html", &[]);
    let driver = Driver::start();
    let profile = tempdir("tiers");
    let c = connect(&driver, &profile).await;
    c.goto(&file_url(&page)).await.expect("open the report");
    c.wait()
        .for_element(Locator::Id("tiles"))
        .await
        .expect("summary");
    c.find(Locator::Css("nav#tabs button[data-tab=graph]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let search = c.find(Locator::Id("search")).await.unwrap();
    search.send_keys("blog/writer").await.unwrap();
    c.find(Locator::Css("#search-results li[data-node]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_true(&c, "return !document.getElementById('card').hidden").await;
    let card = c
        .find(Locator::Id("card"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(card.contains("CLUSTER POLICIES THAT APPLY TO IT"), "{card}");
    for (policy, line) in [("platform-guardrails", 2), ("platform-baseline", 33)] {
        assert!(
            card.contains(&format!("ClusterNetworkPolicy/{policy}"))
                && card.contains(&format!("examples/tiers/cluster-policies.yaml:{line}")),
            "{policy} with file:line: {card}"
        );
    }

    async fn explain(c: &Client, dir: &str, peer: &str, port: &str) -> String {
        js(
            c,
            &format!("document.getElementById('ex-dir').value = '{dir}'; return true"),
        )
        .await;
        let p = c.find(Locator::Id("ex-peer")).await.unwrap();
        p.clear().await.unwrap();
        p.send_keys(peer).await.unwrap();
        let q = c.find(Locator::Id("ex-port")).await.unwrap();
        q.clear().await.unwrap();
        q.send_keys(port).await.unwrap();
        c.find(Locator::Id("ex-go"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("ex-result"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
    // No NetworkPolicy isolates blog/writer's ingress: the Baseline's default-deny decides.
    let denied = explain(&c, "from", "shop/api", "8080").await;
    assert!(denied.contains("DENIED"), "{denied}");
    assert!(
        denied.contains("Passed on by Admin ClusterNetworkPolicy/platform-guardrails (priority 10), ingress[1] `teams-own-their-namespace` Pass"),
        "{denied}"
    );
    assert!(
        denied.contains("decided in the Baseline tier by Baseline ClusterNetworkPolicy/platform-baseline (priority 100), ingress[0] `default-deny` Deny"),
        "{denied}"
    );
    // Its egress to DNS: the Baseline's dns rule accepts.
    let dns = explain(&c, "to", "kube-system/coredns", "53").await;
    assert!(dns.contains("ALLOWED"), "{dns}");
    assert!(
        dns.contains("Baseline ClusterNetworkPolicy/platform-baseline (priority 100), egress[0] `dns` Accept"),
        "{dns}"
    );
    // The control-plane node's address: denied in the Admin tier, whatever comes after.
    let node = explain(&c, "to", "10.0.0.11/32", "6443").await;
    assert!(node.contains("DENIED"), "{node}");
    assert!(
        node.contains("decided in the Admin tier by Admin ClusterNetworkPolicy/platform-guardrails (priority 10), egress[1] `no-control-plane-nodes` Deny"),
        "{node}"
    );
    save_screenshot(&c, "tiers-card.png").await;
    let errors = console_errors(&c).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    c.close().await.expect("close the session");
}
