//! Inputs as users export them: API lists, kubectl exports, rendered charts and overlays;
//! and every document that is not used is counted, never dropped silently.

use std::path::{Path, PathBuf};

use moat::load::{
    collect_files, load, load_str, read_source, LoadOptions, Loaded, ProblemKind, WarningKind,
};
use moat::model::{Cluster, SkipReason};

mod common;
use common::in_pool;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(p)
}

fn load_paths(paths: &[PathBuf]) -> Loaded {
    let files = collect_files(paths).unwrap();
    let sources: Vec<_> = files.iter().map(|f| read_source(f).unwrap()).collect();
    load(&sources, &LoadOptions::default())
}

fn text(t: &str) -> Loaded {
    load_str("in.yaml", t, &LoadOptions::default())
}

/// What the model holds, without positions: the same objects read from other shapes must
/// give the same summary.
fn summary(c: &Cluster) -> Vec<String> {
    let mut out = Vec::new();
    for n in &c.namespaces {
        out.push(format!("ns {} {:?}", n.name, n.labels));
    }
    for e in &c.endpoints {
        out.push(format!(
            "ep {}/{} {} {:?} {:?}",
            c.namespaces[e.namespace].name,
            e.name,
            e.kind_name(),
            e.labels,
            e.ports
        ));
    }
    for p in &c.policies {
        out.push(format!(
            "np {}/{} {:?} {:?} {} {}",
            p.namespace,
            p.name,
            p.pod_selector,
            p.policy_types,
            p.ingress.len(),
            p.egress.len()
        ));
    }
    for s in &c.services {
        out.push(format!("svc {}/{} {:?}", s.namespace, s.name, s.selector));
    }
    out.sort();
    out
}

fn three_tier() -> Loaded {
    load_paths(&[
        repo().join("examples/three-tier/workloads.yaml"),
        repo().join("examples/three-tier/policies.yaml"),
    ])
}

#[test]
fn typed_lists_in_yaml_load_as_the_plain_example() {
    let plain = three_tier();
    let lists = load_paths(&[fixture("three-tier-typed-lists.yaml")]);
    assert!(lists.is_clean(), "{:#?}", lists.problems);
    assert!(
        lists.cluster.skipped.is_empty(),
        "{:#?}",
        lists.cluster.skipped
    );
    assert_eq!(summary(&lists.cluster), summary(&plain.cluster));
}

#[test]
fn typed_lists_in_pretty_json_load_as_the_plain_example() {
    let lists = load_paths(&[fixture("three-tier-typed-json")]);
    assert!(lists.is_clean(), "{:#?}", lists.problems);
    assert!(lists.cluster.skipped.is_empty());
    assert_eq!(summary(&lists.cluster), summary(&three_tier().cluster));
}

#[test]
fn a_one_line_list_of_typed_lists_loads_as_the_plain_example() {
    let lists = load_paths(&[fixture("three-tier-nested.oneline.json")]);
    assert!(lists.is_clean(), "{:#?}", lists.problems);
    assert_eq!(summary(&lists.cluster), summary(&three_tier().cluster));
}

#[test]
fn kubectl_get_o_json_loads_as_the_plain_example() {
    let lists = load_paths(&[fixture("three-tier-kubectl.json")]);
    assert!(lists.is_clean(), "{:#?}", lists.problems);
    assert_eq!(summary(&lists.cluster), summary(&three_tier().cluster));
}

#[test]
fn items_of_a_typed_list_take_its_kind_and_api_version() {
    let l = text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n- metadata: {name: a, namespace: x}\n  spec: {podSelector: {}}\n- metadata: {name: b, namespace: x}\n  spec: {podSelector: {}}\n");
    assert!(l.is_clean(), "{:#?}", l.problems);
    let names: Vec<_> = l.cluster.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    // The item's own position, not the list's.
    assert_eq!(l.cluster.policies[1].span.line, 6);
}

#[test]
fn errors_inside_list_items_point_into_the_file() {
    let l = text("{\"apiVersion\": \"v1\", \"kind\": \"PodList\", \"items\": [\n  {\"metadata\": {\"name\": \"ok\"}},\n  {\"metadata\": {\"name\": \"bad_name\"}}\n]}\n");
    assert_eq!(l.problems.len(), 1, "{:#?}", l.problems);
    let p = &l.problems[0];
    let span = p.error.span.as_ref().unwrap();
    assert_eq!((span.line, span.col), (3, 25));
    assert_eq!(p.error.path, "metadata.name");
    assert_eq!(p.kind, ProblemKind::Invalid);
}

#[test]
fn unknown_lists_items_without_kind_and_non_mappings_are_counted() {
    let l = text("apiVersion: example.com/v1\nkind: WidgetList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n---\njust a string\n---\napiVersion: v1\nkind: List\nitems:\n- metadata: {name: nokind}\n---\nreplicas: 2\n");
    assert!(l.is_clean(), "{:#?}", l.problems);
    let by = l.cluster.skipped_by_kind();
    assert_eq!(by.get("Widget"), Some(&2), "{by:?}");
    assert_eq!(by.get("(not a mapping: a string)"), Some(&1), "{by:?}");
    assert_eq!(by.get("(list item without kind)"), Some(&1), "{by:?}");
    assert_eq!(by.get(moat::load::NOT_AN_OBJECT), Some(&1), "{by:?}");
    assert_eq!(l.cluster.skipped.len(), 5);
}

#[test]
fn moat_files_next_to_manifests_are_counted_as_such() {
    let l = load_paths(&[repo().join("examples/three-tier")]);
    assert!(l.is_clean());
    let reasons: Vec<_> = l
        .cluster
        .skipped
        .iter()
        .map(|s| (s.kind.as_str(), s.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("(moat expectations)", SkipReason::MoatFile),
            ("(moat intent)", SkipReason::MoatFile)
        ]
    );
}

#[test]
fn an_unknown_api_version_of_a_known_kind_is_skipped_and_named_not_taken_as_v1() {
    let l = text("apiVersion: networking.k8s.io/v2\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n");
    assert!(l.cluster.policies.is_empty());
    assert_eq!(l.cluster.skipped.len(), 1);
    assert_eq!(
        l.cluster.skipped[0].label(),
        "NetworkPolicy (unknown apiVersion networking.k8s.io/v2)"
    );
    assert_eq!(l.cluster.skipped[0].reason, SkipReason::UnknownApiVersion);
}

#[test]
fn typed_lists_of_any_kind_give_their_items_the_list_kind_and_api_version() {
    // The mechanism is generic (AdminNetworkPolicyList and the other tier lists need nothing
    // of their own): items of kinds not modelled are counted under the kind they inherit.
    let l = text("apiVersion: v1\nkind: ConfigMapList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n---\nkind: PodList\nitems:\n- metadata: {name: p}\n");
    let got: Vec<_> = l
        .cluster
        .skipped
        .iter()
        .map(|s| (s.api_version.as_str(), s.label(), s.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("v1", "ConfigMap".to_string(), "a"),
            ("v1", "ConfigMap".to_string(), "b"),
            // A Pod with no apiVersion is not taken as v1.
            ("", "Pod (no apiVersion)".to_string(), "p"),
        ]
    );
}

#[test]
fn a_kind_holding_a_control_character_is_shown_escaped_never_as_a_real_kind() {
    let l = text("apiVersion: networking.k8s.io/v1\nkind: \"NetworkPolicy\\0\"\nmetadata: {name: p}\nspec: {podSelector: {}}\n");
    assert!(l.cluster.policies.is_empty());
    assert_eq!(l.cluster.skipped[0].kind, "NetworkPolicy\\u{0}");
}

#[test]
fn raw_control_characters_are_refused_at_their_position() {
    let l = text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\u{1}b\n");
    assert_eq!(l.problems.len(), 1);
    let e = &l.problems[0].error;
    let span = e.span.as_ref().unwrap();
    assert_eq!((span.line, span.col), (4, 10));
    assert!(
        e.message.contains("control character \\u{1}"),
        "{}",
        e.message
    );
}

#[test]
fn policies_without_workloads_and_no_policies_at_all_are_warned_once() {
    let only_policy = text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n");
    let kinds: Vec<_> = only_policy.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::NoWorkloads]);
    let only_pod = text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n");
    let kinds: Vec<_> = only_pod.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [WarningKind::NoPolicies]);
    assert!(three_tier().warnings.is_empty());
}

#[test]
fn the_same_kind_namespace_and_name_twice_keeps_the_later_with_a_warning() {
    let mut l = text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {podSelector: {}, policyTypes: [Egress]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: []}\n");
    assert_eq!(l.cluster.policies.len(), 2, "lint sees both");
    l.later_wins();
    assert_eq!(l.cluster.policies.len(), 1);
    assert_eq!(l.cluster.policies[0].span.line, 6);
    let dup: Vec<_> = l
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::Duplicate)
        .collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].span.as_ref().unwrap().line, 6);
    assert!(
        dup[0].message.contains("first at in.yaml:1:1"),
        "{}",
        dup[0].message
    );
    // A Pod of the same name is another object.
    assert_eq!(l.cluster.endpoints.len(), 1);
}

#[test]
fn a_namespace_declared_twice_is_warned_and_the_later_labels_win() {
    let l = text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {env: dev}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {env: prod}}\n");
    assert_eq!(l.cluster.namespaces[0].labels.get("env").unwrap(), "prod");
    assert!(l.warnings.iter().any(|w| w.kind == WarningKind::Duplicate));
}

#[test]
fn a_controller_reference_without_kind_still_names_the_controller() {
    let l = text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-abc12-x\n  labels: {app: web, pod-template-hash: abc12}\n  ownerReferences:\n  - name: web-abc12\n    controller: true\nspec: {containers: []}\n");
    let owner = l.cluster.endpoints[0].owner.as_ref().unwrap();
    assert_eq!(owner.kind, "ReplicaSet");
    assert_eq!(owner.deployment.as_deref(), Some("web"));
    let w: Vec<_> = l
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::OwnerReference)
        .collect();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message.contains("no kind or apiVersion"),
        "{}",
        w[0].message
    );
    assert_eq!(w[0].span.as_ref().unwrap().line, 7);
}

#[test]
fn a_helm_chart_directory_is_an_error_saying_to_render_it() {
    let l = load_paths(&[fixture("chart")]);
    assert_eq!(l.problems.len(), 1, "{:#?}", l.problems);
    let e = &l.problems[0].error;
    assert!(e.span.as_ref().unwrap().file.ends_with("chart/Chart.yaml"));
    assert!(e.message.contains("helm template"), "{}", e.message);
}

#[test]
fn an_unrendered_template_is_an_error_at_its_line() {
    let l = load_paths(&[fixture("chart/templates/deployment.yaml")]);
    assert_eq!(l.problems.len(), 1, "{:#?}", l.problems);
    let e = &l.problems[0].error;
    let span = e.span.as_ref().unwrap();
    assert_eq!((span.line, span.col), (4, 9));
    assert!(e.message.contains("`{{ .Release.Name }}`"), "{}", e.message);
    assert!(e.message.contains("helm template"), "{}", e.message);
    // A template that breaks the YAML is reported the same way.
    let l = load_paths(&[fixture("chart/templates/networkpolicy.yaml")]);
    assert_eq!(l.problems.len(), 1);
    assert!(l.problems[0]
        .error
        .message
        .contains("`{{- if .Values.networkPolicy.enabled }}`"));
}

#[test]
fn a_kustomization_is_an_error_saying_to_build_it() {
    let l = load_paths(&[fixture("kustomize/overlays/prod")]);
    assert_eq!(l.problems.len(), 1, "{:#?}", l.problems);
    let m = &l.problems[0].error.message;
    assert!(
        m.contains("kustomize build") && m.contains("kubectl kustomize"),
        "{m}"
    );
}

#[test]
fn rendered_chart_and_overlay_output_loads() {
    for f in ["chart-rendered.yaml", "kustomize-rendered.yaml"] {
        let l = load_paths(&[fixture(f)]);
        assert!(l.is_clean(), "{f}: {:#?}", l.problems);
        assert_eq!(l.cluster.policies.len(), 1, "{f}");
        assert_eq!(l.cluster.endpoints.len(), 1, "{f}");
        assert!(l.warnings.is_empty(), "{f}: {:?}", l.warnings);
    }
}

fn invalid(t: &str) -> Vec<(String, String)> {
    text(t)
        .problems
        .into_iter()
        .map(|p| (p.error.path, p.error.message))
        .collect()
}

#[test]
fn names_and_namespaces_are_validated_as_the_api_server_does() {
    let ps = invalid("apiVersion: v1\nkind: Pod\nmetadata: {name: bad_name, namespace: Bad NS}\nspec: {containers: []}\n");
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!(ps[0].0, "metadata.name");
    assert!(ps[0].1.contains("DNS-1123 subdomain"), "{}", ps[0].1);
    assert_eq!(ps[1].0, "metadata.namespace");
    let long = "a".repeat(300);
    let ps = invalid(&format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {long}}}\nspec: {{podSelector: {{}}}}\n"));
    assert_eq!(ps.len(), 1, "{ps:#?}");
    // Namespaces and Services are labels: no dots.
    let ps = invalid("apiVersion: v1\nkind: Namespace\nmetadata: {name: a.b}\n");
    assert!(ps[0].1.contains("DNS-1123 label"), "{ps:?}");
    let ps = invalid("apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {}\n");
    assert!(ps[0].1.contains("DNS-1035"), "{ps:?}");
}

#[test]
fn labels_on_objects_and_pod_templates_are_validated() {
    let ps = invalid("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {\"bad key!\": x}}\nspec:\n  template:\n    metadata: {labels: {app: \"-bad\"}}\n    spec: {containers: []}\n");
    let paths: Vec<_> = ps.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        paths,
        [
            "metadata.labels.bad key!",
            "spec.template.metadata.labels.app"
        ],
        "{ps:#?}"
    );
}

#[test]
fn unknown_metadata_fields_are_reported_with_the_nearest() {
    let l =
        text("apiVersion: v1\nkind: Pod\nmetadata: {nmae: a, name: a}\nspec: {containers: []}\n");
    assert_eq!(l.problems.len(), 1);
    assert_eq!(l.problems[0].kind, ProblemKind::UnknownField);
    assert_eq!(l.problems[0].suggestion.as_deref(), Some("name"));
}

#[test]
fn a_port_of_fifty_digits_is_out_of_range() {
    let ps = invalid("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 12345678901234567890123456789012345678901234567890}]}]\n");
    assert_eq!(ps.len(), 1);
    assert!(ps[0].1.contains("out of range"), "{}", ps[0].1);
    // A number that fits is not "out of range", just not an integer.
    let ps = invalid("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 80.0}]}]\n");
    assert!(ps[0].1.contains("found a number"), "{}", ps[0].1);
}

#[test]
fn alias_free_documents_of_any_size_load() {
    // One line, one List, more nodes than the old fixed cap of two million.
    let mut s = String::from("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
    let n = 60_000;
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!("{{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{{\"name\":\"p{i}\",\"namespace\":\"ns{}\",\"labels\":{{\"a\":\"b\",\"c\":\"d\"}}}},\"spec\":{{\"podSelector\":{{\"matchLabels\":{{\"app\":\"x{i}\",\"tier\":\"y\"}}}},\"ingress\":[{{\"from\":[{{\"podSelector\":{{\"matchLabels\":{{\"a\":\"b\"}}}}}},{{\"ipBlock\":{{\"cidr\":\"10.0.0.0/8\"}}}}],\"ports\":[{{\"port\":80}},{{\"port\":443,\"protocol\":\"TCP\"}}]}}]}}}}", i % 50));
    }
    s.push_str("]}");
    let l = load_str("big.json", &s, &LoadOptions::default());
    assert!(l.is_clean(), "{:?}", l.problems.first());
    assert_eq!(l.cluster.policies.len(), n);
}

#[test]
fn output_is_the_same_for_any_number_of_threads() {
    let big = {
        let one =
            std::fs::read_to_string(repo().join("examples/three-tier/workloads.yaml")).unwrap();
        let mut s = String::new();
        for i in 0..300 {
            s.push_str(
                &one.replace("name: production", &format!("name: production{i}"))
                    .replace(
                        "namespace: production",
                        &format!("namespace: production{i}"),
                    ),
            );
            s.push_str("\n---\n");
        }
        s
    };
    let run = |threads: usize| {
        in_pool(threads, || {
            let l = load_str("big.yaml", &big, &LoadOptions::default());
            (
                summary(&l.cluster),
                format!("{:?}", l.problems),
                format!("{:?}", l.warnings),
            )
        })
    };
    let one = run(1);
    assert!(one.0.len() > 1000);
    assert_eq!(one, run(2));
    assert_eq!(one, run(7));
}
