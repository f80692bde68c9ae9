//! Loading: every accepted input shape, and every rejection with its file:line:column.

use moat::load::{load_str, LoadOptions, ProblemKind};

fn problems(text: &str) -> Vec<(ProblemKind, u32, u32, String, String)> {
    load_str("in.yaml", text, &LoadOptions::default())
        .problems
        .into_iter()
        .map(|p| {
            let span = p.error.span.expect("every problem has a position");
            (p.kind, span.line, span.col, p.error.path, p.error.message)
        })
        .collect()
}

fn policy(spec: &str) -> String {
    format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: prod\nspec:\n{spec}\n")
}

fn one_invalid(spec: &str) -> (u32, String, String) {
    let ps = problems(&policy(spec));
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let (kind, line, _, path, msg) = ps.into_iter().next().unwrap();
    assert_eq!(kind, ProblemKind::Invalid, "{msg}");
    (line, path, msg)
}

#[test]
fn bad_cidr_is_rejected_with_its_position() {
    let (line, path, msg) = one_invalid("  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock:\n            cidr: 10.0.0.0/33");
    assert_eq!(line, 11);
    assert_eq!(path, "spec.ingress[0].from[0].ipBlock.cidr");
    assert!(msg.contains("prefix length"), "{msg}");
}

#[test]
fn except_outside_cidr_is_rejected() {
    let (_, path, msg) = one_invalid("  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}");
    assert_eq!(path, "spec.egress[0].to[0].ipBlock.except[0]");
    assert!(msg.contains("strict subset"), "{msg}");
}

#[test]
fn end_port_needs_a_numeric_port_not_below_it() {
    let (_, path, msg) = one_invalid("  podSelector: {}\n  ingress:\n    - ports: [{endPort: 90}]");
    assert_eq!(path, "spec.ingress[0].ports[0].endPort");
    assert!(msg.contains("numeric port"), "{msg}");
    let (_, _, msg) =
        one_invalid("  podSelector: {}\n  ingress:\n    - ports: [{port: 100, endPort: 90}]");
    assert!(msg.contains("greater than or equal"), "{msg}");
    let (_, _, msg) =
        one_invalid("  podSelector: {}\n  ingress:\n    - ports: [{port: http, endPort: 90}]");
    assert!(msg.contains("named port"), "{msg}");
}

#[test]
fn unknown_protocol_is_rejected() {
    let (_, path, msg) =
        one_invalid("  podSelector: {}\n  ingress:\n    - ports: [{protocol: tcp, port: 80}]");
    assert_eq!(path, "spec.ingress[0].ports[0].protocol");
    assert!(msg.contains("TCP, UDP or SCTP"), "{msg}");
}

#[test]
fn bad_selector_operator_and_values_are_rejected() {
    let (_, path, _) =
        one_invalid("  podSelector: {matchExpressions: [{key: a, operator: Equals, values: [x]}]}");
    assert_eq!(path, "spec.podSelector.matchExpressions[0].operator");
    let (_, path, _) = one_invalid("  podSelector: {matchExpressions: [{key: a, operator: In}]}");
    assert_eq!(path, "spec.podSelector.matchExpressions[0].values");
    let (_, _, msg) =
        one_invalid("  podSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}");
    assert!(msg.contains("may not be specified"), "{msg}");
}

#[test]
fn invalid_label_keys_and_values_are_rejected() {
    let (_, path, msg) = one_invalid("  podSelector: {matchLabels: {'bad key': x}}");
    assert_eq!(path, "spec.podSelector.matchLabels.bad key");
    assert!(msg.contains("invalid label key"), "{msg}");
    let (_, _, msg) = one_invalid("  podSelector: {matchLabels: {app: 'not valid!'}}");
    assert!(msg.contains("invalid label value"), "{msg}");
}

#[test]
fn peer_must_be_one_kind() {
    let (_, _, msg) = one_invalid("  podSelector: {}\n  ingress:\n    - from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]");
    assert!(msg.contains("more than 1 peer type"), "{msg}");
    let (_, _, msg) = one_invalid("  podSelector: {}\n  ingress:\n    - from: [{}]");
    assert!(msg.contains("must specify a peer"), "{msg}");
}

#[test]
fn unknown_fields_are_rejected_with_a_suggestion() {
    let ps = load_str(
        "in.yaml",
        &policy("  podselector: {}\n  policyType: [Egress]"),
        &LoadOptions::default(),
    )
    .problems;
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert!(ps.iter().all(|p| p.kind == ProblemKind::UnknownField));
    assert_eq!(ps[0].suggestion.as_deref(), Some("podSelector"));
    assert_eq!(ps[1].suggestion.as_deref(), Some("policyTypes"));
    assert_eq!(ps[0].error.span.as_ref().unwrap().line, 7);
}

#[test]
fn wrong_types_are_syntax_problems() {
    let ps = problems(&policy("  podSelector: []\n  ingress: 5"));
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert!(ps.iter().all(|p| p.0 == ProblemKind::Syntax));
    assert!(ps[0].4.contains("expected a mapping, found a list"));
}

#[test]
fn every_bad_document_is_reported() {
    let text = format!(
        "{}---\nkey: [unclosed\n---\n{}",
        policy("  podSelector: {matchLabels: {a: 'b c'}}"),
        policy("  podSelector: {}\n  ingress: [{ports: [{port: 0}]}]")
    );
    let ps = problems(&text);
    assert_eq!(ps.len(), 3, "{ps:#?}");
    assert_eq!(ps[1].0, ProblemKind::Syntax);
    // Reported where the parser notices the unclosed sequence: the end of that document,
    // counted from the start of the file, not of the document.
    assert_eq!(ps[1].1, 10);
}

#[test]
fn duplicate_keys_are_rejected() {
    let ps = problems(&policy(
        "  podSelector: {}\n  ingress: []\n  ingress:\n    - {}",
    ));
    assert_eq!(ps.len(), 1);
    assert!(ps[0].4.contains("duplicate key `ingress`"));
    assert_eq!(ps[0].1, 9);
}

#[test]
fn unknown_kinds_are_skipped_and_counted() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: calico}\nspec: {selector: all()}\n";
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty());
    assert_eq!(l.cluster.skipped.len(), 2);
    assert!(
        l.cluster.policies.is_empty(),
        "Calico's NetworkPolicy is another API"
    );
}

#[test]
fn lists_as_kubectl_prints_them_are_unwrapped() {
    let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: a}\n  - apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicyList\n    items:\n      - apiVersion: networking.k8s.io/v1\n        kind: NetworkPolicy\n        metadata: {name: p, namespace: a}\n        spec: {podSelector: {}}\n";
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    assert_eq!(l.cluster.policies.len(), 1);
    assert!(l.cluster.find_namespace("a").unwrap() < l.cluster.namespaces.len());
}

#[test]
fn json_input_loads() {
    let text = "{\n\t\"apiVersion\": \"networking.k8s.io/v1\",\n\t\"kind\": \"NetworkPolicy\",\n\t\"metadata\": {\"name\": \"p\", \"namespace\": \"x\"},\n\t\"spec\": {\"podSelector\": {}, \"policyTypes\": [\"Ingress\"]}\n}\n";
    let l = load_str("in.json", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    assert_eq!(l.cluster.policies[0].span.line, 2);
}

#[test]
fn empty_and_comment_only_documents_are_skipped() {
    let l = load_str("in.yaml", "# header\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", &LoadOptions::default());
    assert!(l.problems.is_empty());
    assert_eq!(l.documents, 1);
}

#[test]
fn default_namespace_is_configurable() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n";
    let l = load_str(
        "in.yaml",
        text,
        &LoadOptions {
            default_namespace: "team".into(),
        },
    );
    assert_eq!(l.cluster.endpoint_ns(0).name, "team");
}

#[test]
fn pods_are_grouped_under_their_controller() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api-7d8f9b6c4d-x2k4l\n  namespace: prod\n  labels: {app: api, pod-template-hash: 7d8f9b6c4d}\n  ownerReferences:\n    - {apiVersion: apps/v1, kind: ReplicaSet, name: api-7d8f9b6c4d, controller: true, uid: u}\nspec: {containers: [{name: c}]}\nstatus: {podIP: 10.0.0.7, podIPs: [{ip: 10.0.0.7}, {ip: 'fd00::7'}]}\n";
    let l = load_str("in.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    let e = &l.cluster.endpoints[0];
    let owner = e.owner.as_ref().unwrap();
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("ReplicaSet", "api-7d8f9b6c4d")
    );
    assert_eq!(owner.deployment.as_deref(), Some("api"));
    assert_eq!(e.ips.len(), 2);
}

#[test]
fn alias_bombs_are_bounded() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!("  a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    let ps = problems(&text);
    assert_eq!(ps.len(), 1);
    assert!(ps[0].4.contains("alias expansion"), "{}", ps[0].4);
}

#[test]
fn workload_kinds_become_endpoints() {
    let tpl = "  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}\n";
    let mut text = String::new();
    for (api, kind) in [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
        ("batch/v1", "Job"),
    ] {
        text.push_str(&format!("---\napiVersion: {api}\nkind: {kind}\nmetadata: {{name: {}, namespace: w}}\nspec:\n{tpl}", kind.to_lowercase()));
    }
    text.push_str("---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cron, namespace: w}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n    ");
    text.push_str(&tpl.replace('\n', "\n    "));
    let l = load_str("in.yaml", &text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
    assert_eq!(l.cluster.endpoints.len(), 7);
    assert!(l
        .cluster
        .endpoints
        .iter()
        .all(|e| e.named_port("http", moat::model::Protocol::Tcp) == Some(80)));
}
