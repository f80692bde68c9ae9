//! Golden files for everything `moat gen` writes, and the rules the text must obey:
//! it loads cleanly, it is deterministic, and it does not depend on where the intent lives.

use std::path::{Path, PathBuf};

use moat::gen::{
    draft, expectations, kyverno_policy, parse_intent, policy_files, policy_stream, workloads, Dns,
    Plan,
};
use moat::load::load_str;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn plan(rel: &str) -> Plan {
    let text = read(&root().join(rel));
    parse_intent("intent.yaml", &text).unwrap_or_else(|e| panic!("{rel}: {e:#?}"))
}

const INTENTS: [(&str, &str); 3] = [
    ("three_tier", "examples/three-tier/intent.yaml"),
    ("task_api", "examples/task-api/intent.yaml"),
    ("full", "crates/moat/tests/fixtures/gen/full.yaml"),
];

#[test]
fn policies_golden() {
    for (name, rel) in INTENTS {
        insta::assert_snapshot!(format!("policies_{name}"), policy_stream(&plan(rel)));
    }
}

#[test]
fn expectations_golden() {
    for (name, rel) in INTENTS {
        insta::assert_snapshot!(format!("expect_{name}"), expectations(&plan(rel)));
    }
}

#[test]
fn workloads_golden() {
    insta::assert_snapshot!(
        "workloads_full",
        workloads(&plan("crates/moat/tests/fixtures/gen/full.yaml"))
    );
}

#[test]
fn kyverno_golden() {
    insta::assert_snapshot!("kyverno_default", kyverno_policy(&Dns::default(), &[]));
}

#[test]
fn draft_golden() {
    let text = read(&root().join("examples/three-tier/workloads.yaml"));
    let loaded = load_str("workloads.yaml", &text, &Default::default());
    assert!(loaded.is_clean());
    insta::assert_snapshot!(
        "draft_three_tier",
        draft(
            &moat::engine::Engine::new(loaded.cluster),
            &["workloads.yaml".into()]
        )
    );
}

#[test]
fn generated_policies_and_workloads_load_cleanly() {
    for (_, rel) in INTENTS {
        let p = plan(rel);
        let pol = load_str("policies.yaml", &policy_stream(&p), &Default::default());
        assert!(pol.is_clean(), "{rel}: {:#?}", pol.problems);
        assert!(
            pol.cluster.policies.iter().all(|x| x.policy_types.explicit),
            "policyTypes always written"
        );
        assert!(
            pol.cluster.skipped.is_empty(),
            "{rel}: {:?}",
            pol.cluster.skipped
        );
        let wl = load_str("workloads.yaml", &workloads(&p), &Default::default());
        assert!(wl.is_clean(), "{rel}: {:#?}", wl.problems);
        assert!(moat::check::parse_expectations("expect.yaml", &expectations(&p)).is_ok());
    }
}

#[test]
fn every_policy_is_labelled_managed_by_moat() {
    for (_, rel) in INTENTS {
        let pol = load_str(
            "policies.yaml",
            &policy_stream(&plan(rel)),
            &Default::default(),
        );
        for p in &pol.cluster.policies {
            assert_eq!(
                p.labels
                    .get("app.kubernetes.io/managed-by")
                    .map(String::as_str),
                Some("moat"),
                "{}",
                p.id()
            );
        }
    }
}

#[test]
fn one_file_per_namespace_holds_the_same_policies_as_the_stream() {
    let p = plan("crates/moat/tests/fixtures/gen/full.yaml");
    let files = policy_files(&p);
    assert_eq!(
        files
            .iter()
            .map(|f| f.namespace.as_str())
            .collect::<Vec<_>>(),
        ["ledger", "shop"]
    );
    let mut from_files = 0;
    for f in &files {
        let l = load_str(&f.namespace, &f.text, &Default::default());
        assert!(l.is_clean());
        assert!(l
            .cluster
            .policies
            .iter()
            .all(|x| x.namespace == f.namespace));
        from_files += l.cluster.policies.len();
    }
    let stream = load_str("all", &policy_stream(&p), &Default::default());
    assert_eq!(from_files, stream.cluster.policies.len());
}

#[test]
fn output_is_deterministic_and_independent_of_the_intent_path() {
    let text = read(&root().join("crates/moat/tests/fixtures/gen/full.yaml"));
    let a = parse_intent("intent.yaml", &text).unwrap();
    let b = parse_intent("/somewhere/else/intent.yaml", &text).unwrap();
    assert_eq!(policy_stream(&a), policy_stream(&b));
    assert_eq!(expectations(&a), expectations(&b));
    assert_eq!(
        policy_stream(&a),
        policy_stream(&parse_intent("intent.yaml", &text).unwrap())
    );
}

#[test]
fn the_kyverno_policy_generates_valid_network_policies() {
    use moat::yaml::{parse_stream, Value};
    let text = kyverno_policy(&Dns::default(), &[]);
    let docs = parse_stream(&"k.yaml".into(), &text);
    let doc = docs.into_iter().flatten().flatten().next().unwrap();
    assert_eq!(
        doc.get("apiVersion").and_then(|n| n.as_str()),
        Some("kyverno.io/v1")
    );
    assert_eq!(
        doc.get("kind").and_then(|n| n.as_str()),
        Some("ClusterPolicy")
    );
    let Value::Seq(rules) = &doc.get("spec").unwrap().get("rules").unwrap().value else {
        panic!("rules")
    };
    assert_eq!(rules.len(), 2);
    for rule in rules {
        let g = rule.get("generate").unwrap();
        assert_eq!(
            g.get("namespace").and_then(|n| n.as_str()),
            Some("{{request.object.metadata.name}}")
        );
        assert_eq!(
            g.get("synchronize").map(|n| &n.value),
            Some(&Value::Bool(true))
        );
        let excluded = rule.get("exclude").unwrap().get("any").unwrap();
        let Value::Seq(ex) = &excluded.value else {
            panic!()
        };
        let names = ex[0].get("resources").unwrap().get("namespaces").unwrap();
        let Value::Seq(names) = &names.value else {
            panic!()
        };
        assert!(names.iter().any(|n| n.as_str() == Some("kube-system")));
        // The generated object, as Kyverno would create it, is a valid NetworkPolicy.
        let spec_start = text.find("          spec:").unwrap();
        let _ = spec_start;
        let name = g.get("name").and_then(|n| n.as_str()).unwrap();
        let data = g.get("data").unwrap();
        let spec = data.get("spec").unwrap();
        assert!(spec.get("podSelector").is_some());
        let rendered = render_policy(name, &text, rule.span.line);
        let l = load_str("generated.yaml", &rendered, &Default::default());
        assert!(l.is_clean(), "{:#?}\n{rendered}", l.problems);
        assert_eq!(l.cluster.policies.len(), 1);
    }
}

/// The `data` block of the rule starting at `line`, as the NetworkPolicy Kyverno creates.
fn render_policy(name: &str, text: &str, line: u32) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = (line as usize - 1..lines.len())
        .find(|&i| lines[i].trim() == "data:")
        .unwrap();
    let indent = lines[start].len() - lines[start].trim_start().len();
    let mut body = String::new();
    for l in &lines[start + 1..] {
        let ind = l.len() - l.trim_start().len();
        if !l.trim().is_empty() && ind <= indent {
            break;
        }
        body.push_str(l.get(indent + 2..).unwrap_or(""));
        body.push('\n');
    }
    let body = body.replacen(
        "metadata:\n",
        &format!("metadata:\n  name: {name}\n  namespace: new-team\n"),
        1,
    );
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{body}")
}

#[test]
fn a_draft_is_a_valid_intent_that_allows_nothing_but_dns() {
    let text = read(&root().join("examples/task-api/workloads.yaml"));
    let loaded = load_str("workloads.yaml", &text, &Default::default());
    let d = draft(
        &moat::engine::Engine::new(loaded.cluster),
        &["workloads.yaml".into()],
    );
    assert!(!moat::gen::is_managed(&d), "a draft is the user's to edit");
    assert!(d.contains("# - ??? -> task-api:http"), "{d}");
    let p = parse_intent("intent.yaml", &d).unwrap_or_else(|e| panic!("{e:#?}\n{d}"));
    assert!(p.grants.is_empty(), "a draft never invents an allow");
    let policies = load_str("p.yaml", &policy_stream(&p), &Default::default());
    for pol in &policies.cluster.policies {
        for r in pol.egress.iter().chain(&pol.ingress) {
            let dns_only = r.ports.as_ref().is_some_and(|ps| {
                ps.iter()
                    .all(|x| matches!(x.port, moat::model::PortMatch::Range(53, 53)))
            });
            assert!(dns_only, "{}: only DNS is allowed", pol.id());
        }
    }
}
