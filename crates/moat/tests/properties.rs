//! Engine invariants on random clusters: the fast path, the verdict and the explanation
//! agree; policies are additive (adding a rule never removes a connection); without policies
//! everything is allowed; a pod may always talk to itself.

use moat::engine::{Engine, Flow, PeerResult, PortResult, SideOutcome, Target};
use moat::load::{load_str, LoadOptions};
use moat::model::Protocol;
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Workload {
    ns: usize,
    app: usize,
    tier: Option<usize>,
    port: u16,
    named: bool,
    ip: Option<u8>,
}

#[derive(Clone, Debug)]
enum PeerGen {
    Pod(usize),
    Ns(usize),
    Both(usize, usize),
    Block(u8, Option<u8>),
    AllPods,
}

#[derive(Clone, Debug)]
struct RuleGen {
    peers: Vec<PeerGen>,
    ports: Vec<(u16, Option<u16>, bool, bool)>, // port, endPort, named, udp
}

#[derive(Clone, Debug)]
struct PolicyGen {
    ns: usize,
    select: Option<usize>,
    types: Option<(bool, bool)>,
    ingress: Vec<RuleGen>,
    egress: Vec<RuleGen>,
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        0..3usize,
        0..3usize,
        proptest::option::of(0..2usize),
        prop_oneof![Just(80u16), Just(8080), Just(53)],
        any::<bool>(),
        proptest::option::of(1..6u8),
    )
        .prop_map(|(ns, app, tier, port, named, ip)| Workload {
            ns,
            app,
            tier,
            port,
            named,
            ip,
        })
}

fn peer() -> impl Strategy<Value = PeerGen> {
    prop_oneof![
        (0..3usize).prop_map(PeerGen::Pod),
        (0..3usize).prop_map(PeerGen::Ns),
        (0..3usize, 0..3usize).prop_map(|(a, b)| PeerGen::Both(a, b)),
        (0..8u8, proptest::option::of(0..8u8)).prop_map(|(a, b)| PeerGen::Block(a, b)),
        Just(PeerGen::AllPods),
    ]
}

fn rule() -> impl Strategy<Value = RuleGen> {
    (
        proptest::collection::vec(peer(), 0..3),
        proptest::collection::vec(
            (
                prop_oneof![Just(53u16), Just(80), Just(8080)],
                proptest::option::of(Just(9000u16)),
                any::<bool>(),
                any::<bool>(),
            ),
            0..3,
        ),
    )
        .prop_map(|(peers, ports)| RuleGen { peers, ports })
}

fn policy() -> impl Strategy<Value = PolicyGen> {
    (
        0..3usize,
        proptest::option::of(0..3usize),
        proptest::option::of((any::<bool>(), any::<bool>())),
        proptest::collection::vec(rule(), 0..3),
        proptest::collection::vec(rule(), 0..3),
    )
        .prop_map(|(ns, select, types, ingress, egress)| PolicyGen {
            ns,
            select,
            types,
            ingress,
            egress,
        })
}

fn render(workloads: &[Workload], policies: &[PolicyGen]) -> String {
    let mut s = String::new();
    for ns in 0..3 {
        s += &format!("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{ns}\n  labels: {{team: t{}}}\n", ns % 2);
    }
    for (i, w) in workloads.iter().enumerate() {
        let tier = w.tier.map(|t| format!(", tier: t{t}")).unwrap_or_default();
        let name = if w.named { "      name: http\n" } else { "" };
        let status =
            w.ip.map(|ip| format!("status: {{podIP: 10.0.0.{ip}}}\n"))
                .unwrap_or_default();
        s += &format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w{i}\n  namespace: ns{}\n  labels: {{app: a{}{tier}}}\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: {}\n{name}{status}",
            w.ns, w.app, w.port
        );
    }
    for (i, p) in policies.iter().enumerate() {
        s += &format!("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{i}\n  namespace: ns{}\nspec:\n", p.ns);
        s += &match p.select {
            Some(a) => format!("  podSelector: {{matchLabels: {{app: a{a}}}}}\n"),
            None => "  podSelector: {}\n".to_string(),
        };
        if let Some((i, e)) = p.types {
            let mut t = vec![];
            if i {
                t.push("Ingress");
            }
            if e {
                t.push("Egress");
            }
            if !t.is_empty() {
                s += &format!("  policyTypes: [{}]\n", t.join(", "));
            }
        }
        for (field, peers_key, rules) in
            [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)]
        {
            if rules.is_empty() {
                continue;
            }
            s += &format!("  {field}:\n");
            for r in rules {
                s += "  - ";
                let mut first = true;
                let mut line = |text: String| {
                    if first {
                        first = false;
                        s.push_str(&text);
                    } else {
                        s.push_str(&format!("    {text}"));
                    }
                };
                if r.peers.is_empty() && r.ports.is_empty() {
                    line("{}\n".to_string());
                    continue;
                }
                if !r.peers.is_empty() {
                    let peers: Vec<String> = r
                        .peers
                        .iter()
                        .map(|p| match p {
                            PeerGen::Pod(a) => format!("{{podSelector: {{matchLabels: {{app: a{a}}}}}}}"),
                            PeerGen::Ns(t) => format!("{{namespaceSelector: {{matchLabels: {{team: t{}}}}}}}", t % 2),
                            PeerGen::Both(t, a) => format!("{{namespaceSelector: {{matchLabels: {{team: t{}}}}}, podSelector: {{matchLabels: {{app: a{a}}}}}}}", t % 2),
                            PeerGen::Block(a, ex) => {
                                let except = ex.filter(|e| *e != *a).map(|e| format!(", except: [10.0.0.{e}/32]")).unwrap_or_default();
                                if except.is_empty() {
                                    format!("{{ipBlock: {{cidr: 10.0.0.{a}/32}}}}")
                                } else {
                                    format!("{{ipBlock: {{cidr: 10.0.0.0/29{except}}}}}")
                                }
                            }
                            PeerGen::AllPods => "{podSelector: {}}".to_string(),
                        })
                        .collect();
                    line(format!("{peers_key}: [{}]\n", peers.join(", ")));
                }
                if !r.ports.is_empty() {
                    let ports: Vec<String> = r
                        .ports
                        .iter()
                        .map(|(port, end, named, udp)| {
                            let proto = if *udp { "UDP" } else { "TCP" };
                            if *named {
                                format!("{{protocol: {proto}, port: http}}")
                            } else if let Some(e) = end {
                                format!("{{protocol: {proto}, port: {port}, endPort: {e}}}")
                            } else {
                                format!("{{protocol: {proto}, port: {port}}}")
                            }
                        })
                        .collect();
                    line(format!("ports: [{}]\n", ports.join(", ")));
                }
            }
        }
    }
    s
}

fn engine(text: &str) -> Engine {
    let l = load_str("gen.yaml", text, &LoadOptions::default());
    assert!(l.problems.is_empty(), "{text}\n{:#?}", l.problems);
    Engine::new(l.cluster)
}

fn flows(e: &Engine) -> Vec<Flow> {
    let mut targets: Vec<Target> = (0..e.cluster().endpoints.len())
        .map(Target::Endpoint)
        .collect();
    targets.push(Target::External("10.0.0.7".parse().unwrap()));
    targets.push(Target::External("192.0.2.1".parse().unwrap()));
    let mut out = vec![];
    for &src in &targets {
        for &dst in &targets {
            for (port, protocol) in [
                (80, Protocol::Tcp),
                (8080, Protocol::Tcp),
                (53, Protocol::Udp),
                (8500, Protocol::Tcp),
            ] {
                out.push(Flow {
                    src,
                    dst,
                    port,
                    protocol,
                });
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn fast_path_verdict_and_explanation_agree(ws in proptest::collection::vec(workload(), 1..6), ps in proptest::collection::vec(policy(), 0..5)) {
        let e = engine(&render(&ws, &ps));
        for f in flows(&e) {
            let fast = e.allowed(&f);
            let x = e.explain(&f);
            prop_assert_eq!(fast, x.verdict.allowed);
            for side in [&x.egress, &x.ingress] {
                let any_rule_allows = side.policies.iter().any(|p| p.rules.iter().any(|r| r.allows));
                for p in &side.policies {
                    for r in &p.rules {
                        let peer_ok = !matches!(r.peer, PeerResult::NotMatched(_));
                        let port_ok = !matches!(r.port, PortResult::NotMatched(_));
                        prop_assert_eq!(r.allows, peer_ok && port_ok);
                    }
                }
                match side.outcome {
                    SideOutcome::Denied => prop_assert!(!side.policies.is_empty() && !any_rule_allows),
                    SideOutcome::Allowed => prop_assert!(any_rule_allows),
                    _ => prop_assert!(side.policies.is_empty()),
                }
            }
        }
    }

    #[test]
    fn adding_an_allow_rule_never_removes_a_connection(ws in proptest::collection::vec(workload(), 1..6), ps in proptest::collection::vec(policy(), 1..5), extra in rule(), which in 0..5usize, ingress in any::<bool>()) {
        let before = engine(&render(&ws, &ps));
        let mut more = ps.clone();
        let k = which % more.len();
        // With policyTypes omitted, the first egress rule also turns egress isolation on
        // (the inference rule), which does remove connections: additivity is about rules
        // under fixed policyTypes, so egress rules are only added where the types are written.
        let explicit = matches!(more[k].types, Some((i, e)) if i || e);
        if ingress || !explicit { more[k].ingress.push(extra) } else { more[k].egress.push(extra) }
        let after = engine(&render(&ws, &more));
        for f in flows(&before) {
            if before.allowed(&f) {
                prop_assert!(after.allowed(&f), "{:?} lost", f);
            }
        }
    }

    #[test]
    fn first_egress_rule_of_a_policy_without_policy_types_isolates_egress(ws in proptest::collection::vec(workload(), 1..6)) {
        let mut p = PolicyGen { ns: ws[0].ns, select: Some(ws[0].app), types: None, ingress: vec![], egress: vec![] };
        let before = engine(&render(&ws, &[p.clone()]));
        p.egress.push(RuleGen { peers: vec![PeerGen::Block(1, None)], ports: vec![] });
        let after = engine(&render(&ws, &[p]));
        let w0 = before.cluster().endpoints.iter().position(|e| e.name == "w0").unwrap();
        prop_assert_eq!(&after.cluster().endpoints[w0].name, "w0");
        let f = Flow { src: Target::Endpoint(w0), dst: Target::External("192.0.2.1".parse().unwrap()), port: 80, protocol: Protocol::Tcp };
        prop_assert!(before.allowed(&f));
        prop_assert!(!after.allowed(&f));
    }

    #[test]
    fn without_policies_everything_is_allowed(ws in proptest::collection::vec(workload(), 1..6)) {
        let e = engine(&render(&ws, &[]));
        for f in flows(&e) {
            prop_assert!(e.allowed(&f));
        }
    }

    #[test]
    fn a_pod_may_always_talk_to_itself(ws in proptest::collection::vec(workload(), 1..6), ps in proptest::collection::vec(policy(), 0..5)) {
        let e = engine(&render(&ws, &ps));
        for i in 0..e.cluster().endpoints.len() {
            let f = Flow { src: Target::Endpoint(i), dst: Target::Endpoint(i), port: 80, protocol: Protocol::Tcp };
            prop_assert!(e.allowed(&f));
        }
    }
}
