//! The suite's "gress" scenario: ingress and egress rules of one Admin policy together.

use super::ordering::both_generations;
use super::*;

/// The suite's "gress" scenario: one Admin policy over gryffindor with an egress and an
/// ingress list of the same shape; `out_first` and `in_first` lead the ravenclaw rules of
/// each direction, `second` holds slytherin's ports in both.
fn gress(out_first: &str, in_first: &str, second: &str) -> Vec<(String, Engine)> {
    gress_in("admin-gress-combined.yaml", out_first, in_first, second)
}

/// The gress scenario of `file` (the Admin or the Baseline policy).
fn gress_in(file: &str, out_first: &str, in_first: &str, second: &str) -> Vec<(String, Engine)> {
    let replace = [
        ("OUT_FIRST", out_first),
        ("IN_FIRST", in_first),
        ("OUT_SECOND", second),
        ("IN_SECOND", second),
    ];
    both_generations(file, &replace)
}

/// Probes both ways between gryffindor and `house`, in both generations: (pod, protocol,
/// port, expected).
fn gress_probes(engines: &[(String, Engine)], house: &str, probes: &[(u8, Protocol, u16, bool)]) {
    for (f, e) in engines {
        for &(i, proto, port, want) in probes {
            let inbound = poke(e, house, i, "gryffindor", port, proto);
            assert_eq!(inbound, want, "{f}: {house} in {proto:?}/{port}");
            let outbound = poke(e, "gryffindor", i, house, port, proto);
            assert_eq!(outbound, want, "{f}: {house} out {proto:?}/{port}");
        }
    }
}

const GRESS_EVERY_PROTOCOL: [(u8, Protocol, u16, bool); 3] = [
    (0, TCP, 80, true),
    (1, UDP, 53, true),
    (0, SCTP, 9003, true),
];

#[test]
fn gress_combined_accept_first_wins_in_both_directions_for_every_protocol() {
    gress_probes(
        &gress("Accept", "Accept", "Deny"),
        "ravenclaw",
        &GRESS_EVERY_PROTOCOL,
    );
}

#[test]
fn gress_combined_each_direction_accepts_its_own_ports_only() {
    // Egress to hufflepuff accepts TCP 8080, UDP 5353, SCTP 9003; ingress TCP 80 instead.
    let out = [(TCP, 8080, true), (TCP, 80, false), (UDP, 5353, true)];
    let out = out
        .into_iter()
        .chain([(UDP, 53, false), (SCTP, 9003, true), (SCTP, 9005, false)]);
    let inn = [(TCP, 80, true), (TCP, 8080, false), (UDP, 5353, true)];
    let inn = inn
        .into_iter()
        .chain([(UDP, 53, false), (SCTP, 9003, true), (SCTP, 9005, false)]);
    let engines = gress("Accept", "Accept", "Deny");
    for (proto, port, want) in out {
        for (f, e) in &engines {
            let got = poke(e, "gryffindor", 0, "hufflepuff", port, proto);
            assert_eq!(got, want, "{f}: out {proto:?}/{port}");
        }
    }
    for (proto, port, want) in inn {
        for (f, e) in &engines {
            let got = poke(e, "hufflepuff", 1, "gryffindor", port, proto);
            assert_eq!(got, want, "{f}: in {proto:?}/{port}");
        }
    }
}

#[test]
fn gress_combined_deny_first_denies_both_directions_for_every_protocol() {
    let denied = GRESS_EVERY_PROTOCOL.map(|(i, p, port, _)| (i, p, port, false));
    gress_probes(&gress("Deny", "Deny", "Deny"), "ravenclaw", &denied);
}

#[test]
fn gress_combined_a_deny_in_one_direction_leaves_the_other_to_its_own_rules() {
    for (f, e) in gress("Accept", "Deny", "Deny") {
        assert!(poke(&e, "gryffindor", 0, "ravenclaw", 80, TCP), "{f}");
        assert!(!poke(&e, "ravenclaw", 0, "gryffindor", 80, TCP), "{f}");
    }
    for (f, e) in gress("Deny", "Accept", "Deny") {
        assert!(!poke(&e, "gryffindor", 1, "ravenclaw", 53, UDP), "{f}");
        assert!(poke(&e, "ravenclaw", 1, "gryffindor", 53, UDP), "{f}");
    }
}

#[test]
fn gress_combined_deny_at_the_specified_ports_of_each_protocol_only() {
    let probes = [
        (0, TCP, 80, false),
        (1, TCP, 8080, true),
        (0, UDP, 53, false),
        (1, UDP, 5353, true),
        (0, SCTP, 9003, false),
        (1, SCTP, 9005, true),
    ];
    gress_probes(&gress("Accept", "Accept", "Deny"), "slytherin", &probes);
}

#[test]
fn gress_combined_pass_first_skips_the_later_deny_in_both_directions() {
    gress_probes(
        &gress("Pass", "Pass", "Deny"),
        "ravenclaw",
        &GRESS_EVERY_PROTOCOL,
    );
}

#[test]
fn gress_combined_pass_at_the_specified_ports_skips_the_later_deny() {
    let probes = [
        (0, TCP, 80, true),
        (0, UDP, 53, true),
        (0, SCTP, 9003, true),
    ];
    gress_probes(&gress("Accept", "Accept", "Pass"), "slytherin", &probes);
}

const BASELINE: &str = "baseline-gress-combined.yaml";

#[test]
fn baseline_gress_combined_accept_first_wins_in_both_directions_for_every_protocol() {
    let engines = gress_in(BASELINE, "Accept", "Accept", "Deny");
    gress_probes(&engines, "ravenclaw", &GRESS_EVERY_PROTOCOL);
}

#[test]
fn baseline_gress_combined_deny_first_denies_both_directions_for_every_protocol() {
    let denied = GRESS_EVERY_PROTOCOL.map(|(i, p, port, _)| (i, p, port, false));
    gress_probes(
        &gress_in(BASELINE, "Deny", "Deny", "Deny"),
        "ravenclaw",
        &denied,
    );
}

#[test]
fn baseline_gress_combined_deny_at_the_specified_ports_of_each_protocol_only() {
    let probes = [
        (0, TCP, 80, false),
        (1, TCP, 8080, true),
        (0, UDP, 53, false),
        (1, UDP, 5353, true),
        (0, SCTP, 9003, false),
        (1, SCTP, 9005, true),
    ];
    gress_probes(
        &gress_in(BASELINE, "Accept", "Accept", "Deny"),
        "slytherin",
        &probes,
    );
}

#[test]
fn baseline_gress_combined_hufflepuff_gets_only_its_ports_in_each_direction() {
    for (f, e) in gress_in(BASELINE, "Accept", "Accept", "Deny") {
        assert!(poke(&e, "gryffindor", 0, "hufflepuff", 8080, TCP), "{f}");
        assert!(!poke(&e, "gryffindor", 0, "hufflepuff", 80, TCP), "{f}");
        assert!(poke(&e, "hufflepuff", 0, "gryffindor", 80, TCP), "{f}");
        assert!(!poke(&e, "hufflepuff", 0, "gryffindor", 8080, TCP), "{f}");
        assert!(poke(&e, "hufflepuff", 1, "gryffindor", 5353, UDP), "{f}");
        assert!(!poke(&e, "gryffindor", 1, "hufflepuff", 9005, SCTP), "{f}");
    }
}
