//! Every rule, in the order they are documented.

use super::rule::Rule;
use super::rules::*;

static RULES: &[&dyn Rule] = &[
    &invalid_policy::InvalidPolicy,
    &unknown_field::UnknownField,
    &dns_egress_blocked::DnsEgressBlocked,
    &dns_udp_only::DnsUdpOnly,
    &peer_or_confusion::PeerOrConfusion,
    &policy_selects_nothing::PolicySelectsNothing,
    &peer_selects_nothing::PeerSelectsNothing,
    &policy_types_inferred::PolicyTypesInferred,
    &namespace_without_default_deny::NamespaceWithoutDefaultDeny,
    &default_deny_in_system_namespace::DefaultDenyInSystemNamespace,
    &host_network_bypass::HostNetworkBypass,
    &named_port_unresolved::NamedPortUnresolved,
    &service_port_not_container_port::ServicePortNotContainerPort,
    &egress_to_metadata::EgressToMetadata,
    &no_enforcing_cni::NoEnforcingCni,
    &duplicate_policy::DuplicatePolicy,
    &redundant_rule::RedundantRule,
    &ingress_open_to_all::IngressOpenToAll,
    &same_port_conflict::SamePortConflict,
    &unguarded_external_service::UnguardedExternalService,
    &controller_pods_differ::ControllerPodsDiffer,
    &tier_priority_overlap::TierPriorityOverlap,
    &pass_to_nothing::PassToNothing,
    &admin_deny_shadows_networkpolicy::AdminDenyShadowsNetworkPolicy,
    &deprecated_v1alpha1::DeprecatedV1alpha1,
];

pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

pub fn rule_by_id(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}
