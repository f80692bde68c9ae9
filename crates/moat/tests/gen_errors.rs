//! Intent validation: every error at file:line:column, with near matches.

use moat::gen::parse_intent;

fn errors(text: &str) -> String {
    match parse_intent("intent.yaml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn every_mistake_is_reported_at_its_line_with_near_matches() {
    let text = "\
namespaces:
  production:
    services:
      frontend: {selector: {tier: frontend}, ports: [80]}
      backend:  {selector: {tier: backend}, ports: [8080, metrics:9090]}
      database: {selectr: {tier: database}}
    flows:
      - frontend -> backnd:8080
      - frontend -> backend:8081
      - frontend => backend
      - ingres-nginx/* -> frontend:80
      - frontend -> production/*
      - frontend -> 10.0.0.0/33:443
      - frontend -> 0.0.0.0/0
      - frontend -> 0.0.0.0/0:metrics
  Bad_Name: {services: {}}
peers:
  db: {namespace: production, selector: {app: db}}
monitring: {}
";
    insta::assert_snapshot!(errors(text));
}

#[test]
fn overlapping_selectors_are_refused() {
    let text = "\
namespaces:
  shop:
    services:
      api: {selector: {app: api}}
      api-canary: {selector: {app: api, track: canary}}
";
    let e = errors(text);
    assert!(e.starts_with("intent.yaml:5:7:"), "{e}");
    assert!(e.contains("can select the same pod"), "{e}");
}

#[test]
fn unknown_services_in_other_namespaces_suggest_near_names() {
    let text = "\
namespaces:
  a:
    services:
      web: {selector: {app: web}}
    flows:
      - web -> b/apii:80
  b:
    services:
      api: {selector: {app: api}, ports: [80]}
";
    let e = errors(text);
    assert_eq!(
        e,
        "intent.yaml:6:9: unknown service `apii` in namespace `b`; did you mean `api`?"
    );
}

#[test]
fn flows_between_two_unprotected_parties_are_refused() {
    let text = "\
peers:
  gw: {namespace: gateway}
namespaces:
  a:
    services:
      web: {selector: {app: web}}
    flows:
      - gw -> 10.0.0.0/8:80
";
    assert!(errors(text)
        .contains("neither `gw` nor `10.0.0.0/8` is a service of a protected namespace"));
}

#[test]
fn label_values_that_yaml_would_retype_must_be_quoted() {
    let text = "namespaces:\n  a:\n    services:\n      web: {selector: {enabled: true}}\n";
    assert!(errors(text).contains("quote it"), "{}", errors(text));
}

#[test]
fn dns_can_be_turned_off_and_reconfigured() {
    let off = parse_intent(
        "i.yaml",
        "dns: off\nnamespaces:\n  a:\n    services:\n      web: {selector: {app: web}}\n",
    )
    .unwrap();
    assert!(off.dns.is_none());
    let custom = parse_intent(
        "i.yaml",
        "dns: {namespace: dns, selector: {app: coredns}}\nnamespaces:\n  a:\n    services:\n      web: {selector: {app: web}}\n",
    )
    .unwrap();
    let d = custom.dns.unwrap();
    assert_eq!(
        (
            d.namespace.as_str(),
            d.selector.get("app").map(String::as_str)
        ),
        ("dns", Some("coredns"))
    );
}
