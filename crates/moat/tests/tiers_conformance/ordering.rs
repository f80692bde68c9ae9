//! The suite's rule-ordering scenarios, one direction and one protocol each: Admin
//! ingress TCP/UDP/SCTP, Admin egress UDP/SCTP, Baseline ingress TCP/SCTP (UDP is in
//! tiers_conformance.rs), Baseline egress TCP/UDP/SCTP.

use super::*;

/// One direction of the suite's rule-ordering scenarios (Admin and Baseline, ingress and
/// egress, one protocol each): a policy over `subject` whose first rule (FIRST) and a
/// following Deny both match all of `ordered`; a rule (SECOND) that holds `held` at
/// `named_port`; an Accept of `accepted` at `accepted_port`, then a Deny of the rest.
struct Ordering {
    file: &'static str,
    ingress: bool,
    subject: &'static str,
    proto: Protocol,
    ordered: &'static str,
    held: &'static str,
    accepted: &'static str,
    /// The port the rules name, and another port of the same protocol every pod serves.
    named_port: u16,
    other_port: u16,
    /// The port `accepted` may use (the Baseline egress TCP policy accepts 8080, not 80).
    accepted_port: u16,
}

impl Ordering {
    /// The scenario in both generations: the v1alpha2 fixture and its v1alpha1 twin
    /// (AdminNetworkPolicy or the BaselineAdminNetworkPolicy singleton), named by file.
    fn load(&self, first: &str, second: &str) -> Vec<(String, Engine)> {
        both_generations(self.file, &[("FIRST", first), ("SECOND", second)])
    }

    /// Probe between `peer`'s pod `i` and the subject, in the scenario's direction.
    fn poke_as(&self, e: &Engine, peer: &str, i: u8, port: u16, proto: Protocol) -> bool {
        if self.ingress {
            poke(e, peer, i, self.subject, port, proto)
        } else {
            poke(e, self.subject, i, peer, port, proto)
        }
    }

    fn poke(&self, e: &Engine, peer: &str, i: u8, port: u16) -> bool {
        self.poke_as(e, peer, i, port, self.proto)
    }

    fn refused_port(&self) -> u16 {
        if self.accepted_port == self.named_port {
            self.other_port
        } else {
            self.named_port
        }
    }

    fn accept_first_wins_over_the_later_deny(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn accept_at_the_specified_port_only(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(self.poke(&e, self.accepted, 0, self.accepted_port), "{f}");
            assert!(!self.poke(&e, self.accepted, 1, self.refused_port()), "{f}");
        }
    }

    fn deny_first_denies_everything(&self) {
        for (f, e) in self.load("Deny", "Deny") {
            assert!(!self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(!self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn deny_at_the_specified_port_and_protocol_only(&self) {
        for (f, e) in self.load("Accept", "Deny") {
            assert!(!self.poke(&e, self.held, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.held, 1, self.other_port), "{f}");
            // The rule names one protocol: the same port number over the others is untouched.
            for other in [TCP, UDP, SCTP] {
                if other != self.proto {
                    let ok = self.poke_as(&e, self.held, 0, self.named_port, other);
                    assert!(ok, "{f} {other:?}");
                }
            }
        }
    }

    /// Admin tier only: Pass goes on to NetworkPolicy (none here) and then the Baseline
    /// (none): allowed, although a Deny follows in the same policy.
    fn pass_first_skips_the_later_deny(&self) {
        for (f, e) in self.load("Pass", "Deny") {
            assert!(self.poke(&e, self.ordered, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.ordered, 1, self.other_port), "{f}");
        }
    }

    fn pass_at_the_specified_port_skips_the_later_deny(&self) {
        for (f, e) in self.load("Accept", "Pass") {
            assert!(self.poke(&e, self.held, 0, self.named_port), "{f}");
            assert!(self.poke(&e, self.held, 1, self.other_port), "{f}");
        }
    }
}

/// `file` (v1alpha2) and `file`'s `-v1alpha1` twin, with the placeholders filled in; the
/// v1alpha1 generation spells Accept as Allow.
pub(crate) fn both_generations(file: &str, replace: &[(&str, &str)]) -> Vec<(String, Engine)> {
    let old = file.replace(".yaml", "-v1alpha1.yaml");
    let old_replace: Vec<(&str, &str)> = replace
        .iter()
        .map(|&(from, to)| (from, if to == "Accept" { "Allow" } else { to }))
        .collect();
    vec![
        (file.to_string(), cluster(&[file], replace)),
        (old.clone(), cluster(&[old.as_str()], &old_replace)),
    ]
}

const ADMIN_INGRESS_TCP: Ordering = Ordering {
    file: "admin-ingress-tcp.yaml",
    ingress: true,
    subject: "gryffindor",
    proto: TCP,
    ordered: "ravenclaw",
    held: "slytherin",
    accepted: "hufflepuff",
    named_port: 80,
    other_port: 8080,
    accepted_port: 80,
};

const ADMIN_INGRESS_UDP: Ordering = Ordering {
    file: "admin-ingress-udp.yaml",
    ingress: true,
    subject: "hufflepuff",
    proto: UDP,
    ordered: "ravenclaw",
    held: "slytherin",
    accepted: "gryffindor",
    named_port: 5353,
    other_port: 53,
    accepted_port: 53,
};

const ADMIN_INGRESS_SCTP: Ordering = Ordering {
    file: "admin-ingress-sctp.yaml",
    ingress: true,
    subject: "ravenclaw",
    proto: SCTP,
    ordered: "gryffindor",
    held: "slytherin",
    accepted: "hufflepuff",
    named_port: 9003,
    other_port: 9005,
    accepted_port: 9003,
};

const ADMIN_EGRESS_UDP: Ordering = Ordering {
    file: "admin-egress-udp.yaml",
    ingress: false,
    ..ADMIN_INGRESS_UDP
};

const ADMIN_EGRESS_SCTP: Ordering = Ordering {
    file: "admin-egress-sctp.yaml",
    ingress: false,
    ..ADMIN_INGRESS_SCTP
};

const BASELINE_EGRESS_TCP: Ordering = Ordering {
    file: "baseline-egress-tcp.yaml",
    ingress: false,
    accepted_port: 8080,
    ..ADMIN_INGRESS_TCP
};

const BASELINE_EGRESS_UDP: Ordering = Ordering {
    file: "baseline-egress-udp.yaml",
    ..ADMIN_EGRESS_UDP
};

const BASELINE_EGRESS_SCTP: Ordering = Ordering {
    file: "baseline-egress-sctp.yaml",
    ..ADMIN_EGRESS_SCTP
};

const BASELINE_INGRESS_TCP: Ordering = Ordering {
    file: "baseline-ingress-tcp.yaml",
    ..ADMIN_INGRESS_TCP
};

const BASELINE_INGRESS_SCTP: Ordering = Ordering {
    file: "baseline-ingress-sctp.yaml",
    ..ADMIN_INGRESS_SCTP
};

const ADMIN_INGRESS: [Ordering; 3] = [ADMIN_INGRESS_TCP, ADMIN_INGRESS_UDP, ADMIN_INGRESS_SCTP];
const ADMIN_EGRESS: [Ordering; 2] = [ADMIN_EGRESS_UDP, ADMIN_EGRESS_SCTP];
const BASELINE_INGRESS: [Ordering; 2] = [BASELINE_INGRESS_TCP, BASELINE_INGRESS_SCTP];
const BASELINE_EGRESS: [Ordering; 3] = [
    BASELINE_EGRESS_TCP,
    BASELINE_EGRESS_UDP,
    BASELINE_EGRESS_SCTP,
];

#[test]
fn admin_ingress_tcp_udp_sctp_accept_first_wins_over_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn admin_ingress_tcp_udp_sctp_accept_at_the_specified_port_only() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn admin_ingress_tcp_udp_sctp_deny_first_denies_everything() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn admin_ingress_tcp_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

#[test]
fn admin_ingress_tcp_udp_sctp_pass_first_skips_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::pass_first_skips_the_later_deny);
}

#[test]
fn admin_ingress_tcp_udp_sctp_pass_at_the_specified_port_skips_the_later_deny() {
    ADMIN_INGRESS
        .iter()
        .for_each(Ordering::pass_at_the_specified_port_skips_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_accept_first_wins_over_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_accept_at_the_specified_port_only() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn admin_egress_udp_sctp_deny_first_denies_everything() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn admin_egress_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

#[test]
fn admin_egress_udp_sctp_pass_first_skips_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::pass_first_skips_the_later_deny);
}

#[test]
fn admin_egress_udp_sctp_pass_at_the_specified_port_skips_the_later_deny() {
    ADMIN_EGRESS
        .iter()
        .for_each(Ordering::pass_at_the_specified_port_skips_the_later_deny);
}

#[test]
fn baseline_egress_tcp_udp_sctp_accept_first_wins_over_the_later_deny() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn baseline_egress_tcp_udp_sctp_accept_at_the_specified_port_only() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn baseline_egress_tcp_udp_sctp_deny_first_denies_everything() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn baseline_egress_tcp_udp_sctp_deny_at_the_specified_port_and_protocol_only() {
    BASELINE_EGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}

#[test]
fn baseline_ingress_tcp_sctp_accept_first_wins_over_the_later_deny() {
    BASELINE_INGRESS
        .iter()
        .for_each(Ordering::accept_first_wins_over_the_later_deny);
}

#[test]
fn baseline_ingress_tcp_sctp_accept_at_the_specified_port_only() {
    BASELINE_INGRESS
        .iter()
        .for_each(Ordering::accept_at_the_specified_port_only);
}

#[test]
fn baseline_ingress_tcp_sctp_deny_first_denies_everything() {
    BASELINE_INGRESS
        .iter()
        .for_each(Ordering::deny_first_denies_everything);
}

#[test]
fn baseline_ingress_tcp_sctp_deny_at_the_specified_port_and_protocol_only() {
    BASELINE_INGRESS
        .iter()
        .for_each(Ordering::deny_at_the_specified_port_and_protocol_only);
}
