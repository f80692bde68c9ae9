//! One line of `hubble observe -o json` (or `-o jsonpb`, the same bytes): Cilium's
//! `observer.GetFlowsResponse` printed by protojson with the proto field names, so
//! `{"flow": {...}, "node_name": ..., "time": ...}`, enums as their names (`"DROPPED"`),
//! `google.protobuf.BoolValue` as a plain bool. The schema is Cilium's
//! `api/v1/flow/flow.proto`; only the fields moat reads are declared, every other field
//! is skipped by serde. Strings borrow from the line unless they hold escapes.
//!
//! Older Hubble versions (and the Hubble exporter with some field masks) print the flow
//! object itself, without the envelope: a line with no `flow` key but flow fields is read
//! as a bare flow.

use std::borrow::Cow;

use serde::Deserialize;

/// `GetFlowsResponse`: a flow, or another event (`node_status`, `lost_events`, ...).
#[derive(Debug, Default, Deserialize)]
pub struct Envelope<'a> {
    #[serde(borrow, default)]
    pub flow: Option<HubbleFlow<'a>>,
    #[serde(borrow, default)]
    pub node_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub time: Option<Cow<'a, str>>,
    // Present on the other events of the stream: recognised so that they are counted as
    // such rather than as malformed lines.
    #[serde(default)]
    pub node_status: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub lost_events: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub agent_event: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub debug_event: Option<serde::de::IgnoredAny>,
}

/// `flow.Flow`, the fields moat uses.
#[derive(Debug, Default, Deserialize)]
pub struct HubbleFlow<'a> {
    #[serde(borrow, default)]
    pub time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub verdict: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub drop_reason_desc: Option<Cow<'a, str>>,
    #[serde(rename = "IP", default)]
    pub ip: Option<Ip<'a>>,
    #[serde(default)]
    pub l4: Option<Layer4>,
    #[serde(borrow, default)]
    pub source: Option<HubbleEndpoint<'a>>,
    #[serde(borrow, default)]
    pub destination: Option<HubbleEndpoint<'a>>,
    #[serde(rename = "Type", borrow, default)]
    pub type_: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub node_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub source_names: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub destination_names: Vec<Cow<'a, str>>,
    /// Deprecated in favour of `is_reply` (it cannot tell false from absent).
    #[serde(default)]
    pub reply: Option<bool>,
    #[serde(default)]
    pub event_type: Option<EventType>,
    #[serde(borrow, default)]
    pub destination_service: Option<HubbleService<'a>>,
    #[serde(borrow, default)]
    pub traffic_direction: Option<Cow<'a, str>>,
    /// `google.protobuf.BoolValue`: absent means unknown.
    #[serde(default)]
    pub is_reply: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Ip<'a> {
    #[serde(borrow, default)]
    pub source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub destination: Option<Cow<'a, str>>,
}

/// `flow.Layer4`: a oneof, so at most one of these is set.
#[derive(Debug, Default, Deserialize)]
pub struct Layer4 {
    #[serde(rename = "TCP", default)]
    pub tcp: Option<Tcp>,
    #[serde(rename = "UDP", default)]
    pub udp: Option<Ports>,
    #[serde(rename = "SCTP", default)]
    pub sctp: Option<Ports>,
    #[serde(rename = "ICMPv4", default)]
    pub icmpv4: Option<serde::de::IgnoredAny>,
    #[serde(rename = "ICMPv6", default)]
    pub icmpv6: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Ports {
    #[serde(default)]
    pub source_port: u32,
    #[serde(default)]
    pub destination_port: u32,
}

#[derive(Debug, Default, Deserialize)]
pub struct Tcp {
    #[serde(default)]
    pub source_port: u32,
    #[serde(default)]
    pub destination_port: u32,
    #[serde(default)]
    pub flags: Option<TcpFlags>,
}

#[derive(Debug, Default, Deserialize)]
#[allow(non_snake_case)]
pub struct TcpFlags {
    #[serde(default)]
    pub SYN: bool,
    #[serde(default)]
    pub ACK: bool,
}

/// `flow.Endpoint`.
#[derive(Debug, Default, Deserialize)]
pub struct HubbleEndpoint<'a> {
    #[serde(borrow, default)]
    pub namespace: Option<Cow<'a, str>>,
    /// `key=value` with a source prefix: `k8s:app=web`, `reserved:host`.
    #[serde(borrow, default)]
    pub labels: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub pod_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub workloads: Vec<Workload<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Workload<'a> {
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub kind: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct HubbleService<'a> {
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub namespace: Option<Cow<'a, str>>,
}

/// `flow.CiliumEventType`: `type` is Cilium's monitor message type.
#[derive(Debug, Default, Deserialize)]
pub struct EventType {
    #[serde(rename = "type", default)]
    pub type_: i32,
    #[serde(default)]
    pub sub_type: i32,
}

impl HubbleEndpoint<'_> {
    /// Whether Cilium gave this endpoint a reserved identity of this name (`host`,
    /// `remote-node`, `world`, `kube-apiserver`, `health`, ...).
    pub fn is_reserved(&self, name: &str) -> bool {
        self.labels
            .iter()
            .any(|l| l.strip_prefix("reserved:") == Some(name))
    }

    /// The pod labels, without their source prefix and without Cilium's own labels.
    pub fn pod_labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.labels.iter().filter_map(|l| {
            let l = l.strip_prefix("k8s:")?;
            if l.starts_with("io.cilium.") || l.starts_with("io.kubernetes.pod.") {
                return None;
            }
            l.split_once('=')
        })
    }
}

/// What one line holds.
#[derive(Debug)]
pub enum Line<'a> {
    Flow {
        flow: Box<HubbleFlow<'a>>,
        /// The envelope's node and time, used when the flow lacks its own.
        node_name: Option<Cow<'a, str>>,
        time: Option<Cow<'a, str>>,
    },
    /// Another event of the stream (node status, lost events, agent or debug events).
    Other,
    /// Nothing but white space.
    Blank,
}

/// Read one line. An error is the JSON parser's message (with its column).
pub fn parse_line(bytes: &[u8]) -> Result<Line<'_>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Line::Blank);
    }
    let env: Envelope<'_> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if let Some(flow) = env.flow {
        return Ok(Line::Flow {
            flow: Box::new(flow),
            node_name: env.node_name,
            time: env.time,
        });
    }
    if env.node_status.is_some()
        || env.lost_events.is_some()
        || env.agent_event.is_some()
        || env.debug_event.is_some()
    {
        return Ok(Line::Other);
    }
    // A bare flow (no envelope): it must at least say what happened.
    let flow: HubbleFlow<'_> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if flow.verdict.is_none() && flow.ip.is_none() {
        return Err(
            "neither a Hubble flow (no `flow`, `verdict` or `IP`) nor another Hubble event".into(),
        );
    }
    Ok(Line::Flow {
        flow: Box::new(flow),
        node_name: None,
        time: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exporter_sample_of_the_cilium_docs_parses() {
        let line = br#"{"flow":{"time":"2023-08-21T12:12:18.510175415Z","verdict":"DROPPED","IP":{"source":"10.244.1.60","destination":"10.244.1.5","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":44916,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"default","pod_name":"xwing"},"destination":{"namespace":"default","pod_name":"deathstar-7848d6c4d5-th9v2"},"node_name":"kind-kind/kind-worker","drop_reason_desc":"POLICY_DENIED"},"node_name":"kind-kind/kind-worker","time":"2023-08-21T12:12:18.510175415Z"}"#;
        let Ok(Line::Flow { flow, .. }) = parse_line(line) else {
            panic!("not a flow")
        };
        assert_eq!(flow.verdict.as_deref(), Some("DROPPED"));
        assert_eq!(flow.drop_reason_desc.as_deref(), Some("POLICY_DENIED"));
        let tcp = flow.l4.and_then(|l| l.tcp).expect("tcp");
        assert_eq!(tcp.destination_port, 80);
        assert!(tcp.flags.expect("flags").SYN);
        let src = flow.source.expect("source");
        assert_eq!(src.pod_name.as_deref(), Some("xwing"));
        assert_eq!(
            flow.ip.expect("ip").destination.as_deref(),
            Some("10.244.1.5")
        );
    }

    #[test]
    fn a_bare_flow_without_envelope_parses() {
        let line = br#"{"time":"2022-02-24T07:12:58.666503500Z","verdict":"DROPPED","drop_reason":133,"IP":{"source":"10.15.242.79","destination":"10.15.239.132"},"l4":{"TCP":{"source_port":47496,"destination_port":8182}},"source":{"identity":6,"labels":["reserved:remote-node"]},"Type":"L3_L4","event_type":{"type":5},"traffic_direction":"INGRESS","drop_reason_desc":"POLICY_DENIED","Summary":"TCP Flags: SYN"}"#;
        let Ok(Line::Flow { flow, .. }) = parse_line(line) else {
            panic!("not a flow")
        };
        assert!(flow.source.expect("source").is_reserved("remote-node"));
        assert_eq!(flow.traffic_direction.as_deref(), Some("INGRESS"));
    }

    #[test]
    fn other_events_blank_lines_and_garbage_are_told_apart() {
        assert!(matches!(
            parse_line(br#"{"node_status":{"state_change":"NODE_CONNECTED"},"node_name":"n1"}"#),
            Ok(Line::Other)
        ));
        assert!(matches!(parse_line(b"  \r"), Ok(Line::Blank)));
        assert!(parse_line(b"{\"flow\":").is_err());
        assert!(parse_line(b"[1,2]").is_err());
        assert!(parse_line(br#"{"hello":"world"}"#).is_err());
    }

    #[test]
    fn escaped_strings_and_labels_are_read() {
        let line = br#"{"flow":{"verdict":"FORWARDED","source":{"namespace":"prod","pod_name":"w\u0065b-1","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=prod","reserved:host"]},"is_reply":true}}"#;
        let Ok(Line::Flow { flow, .. }) = parse_line(line) else {
            panic!("not a flow")
        };
        let src = flow.source.expect("source");
        assert_eq!(src.pod_name.as_deref(), Some("web-1"));
        assert_eq!(src.pod_labels().collect::<Vec<_>>(), vec![("app", "web")]);
        assert!(src.is_reserved("host"));
        assert_eq!(flow.is_reply, Some(true));
    }
}
