//! The expectations file: connectivity as code.
//!
//! ```yaml
//! expect:
//!   - {from: production/frontend, to: production/api, port: 8080, protocol: TCP, allowed: true}
//!   - {from: production/api, to: 198.51.100.20, port: 443, allowed: true}
//!   - from: {namespace: production, labels: {tier: frontend}}
//!     to: production/database
//!     port: 5432
//!     allowed: false
//! ```

use std::net::IpAddr;
use std::sync::Arc;

use crate::error::InputError;
use crate::model::{Labels, Protocol};
use crate::source::Span;
use crate::yaml::{parse_stream, Node, Value};

/// An endpoint as written in an expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointSpec {
    /// `namespace/name`: a Pod, a workload, or the controller of Pods.
    Named {
        namespace: String,
        name: String,
    },
    Ip(IpAddr),
    /// Every endpoint of the namespace whose labels match.
    Selector {
        namespace: String,
        labels: Labels,
    },
}

impl std::fmt::Display for EndpointSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndpointSpec::Named { namespace, name } => write!(f, "{namespace}/{name}"),
            EndpointSpec::Ip(ip) => write!(f, "{ip}"),
            EndpointSpec::Selector { namespace, labels } => {
                let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                write!(f, "{namespace}/{{{}}}", l.join(","))
            }
        }
    }
}

/// A port as written: a number, or a name of the destination's container port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    Number(u16),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub from: EndpointSpec,
    pub to: EndpointSpec,
    pub port: PortSpec,
    pub protocol: Protocol,
    pub allowed: bool,
    pub span: Span,
}

/// Parse an expectations file, reporting every bad entry.
pub fn parse_expectations(name: &str, text: &str) -> Result<Vec<Expectation>, Vec<InputError>> {
    let file: Arc<str> = Arc::from(name);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for doc in parse_stream(&file, text) {
        let node = match doc {
            Err(e) => {
                errors.push(e);
                continue;
            }
            Ok(None) => continue,
            Ok(Some(n)) => n,
        };
        let Some(list) = node.get("expect") else {
            errors.push(InputError::new(
                Some(node.span.clone()),
                "expect",
                "expected a top-level `expect:` list",
            ));
            continue;
        };
        for key in node.entries().map(|(k, _, _)| k).filter(|k| *k != "expect") {
            errors.push(InputError::new(
                Some(node.span.clone()),
                key,
                format!("unknown field `{key}` (only `expect` is known)"),
            ));
        }
        let Value::Seq(items) = &list.value else {
            errors.push(InputError::new(
                Some(list.span.clone()),
                "expect",
                format!("expected a list, found {}", list.type_name()),
            ));
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            match expectation(item, &format!("expect[{i}]")) {
                Ok(e) => out.push(e),
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn err(node: &Node, path: &str, msg: impl Into<String>) -> InputError {
    InputError::new(Some(node.span.clone()), path, msg)
}

fn expectation(node: &Node, path: &str) -> Result<Expectation, InputError> {
    if !matches!(node.value, Value::Map(_)) {
        return Err(err(
            node,
            path,
            format!("expected a mapping, found {}", node.type_name()),
        ));
    }
    const KNOWN: [&str; 5] = ["from", "to", "port", "protocol", "allowed"];
    for (k, kn, _) in node.entries() {
        if !KNOWN.contains(&k) {
            return Err(err(
                kn,
                &format!("{path}.{k}"),
                format!("unknown field `{k}` (known: {})", KNOWN.join(", ")),
            ));
        }
    }
    let field = |k: &str| {
        node.get(k)
            .ok_or_else(|| err(node, &format!("{path}.{k}"), "required field is missing"))
    };
    let from = endpoint(field("from")?, &format!("{path}.from"))?;
    let to = endpoint(field("to")?, &format!("{path}.to"))?;
    let port_node = field("port")?;
    let port = match &port_node.value {
        Value::Int(i) => u16::try_from(*i)
            .ok()
            .filter(|p| *p >= 1)
            .map(PortSpec::Number)
            .ok_or_else(|| {
                err(
                    port_node,
                    &format!("{path}.port"),
                    format!("port {i} is out of range 1-65535"),
                )
            })?,
        Value::Str(s) => PortSpec::Name(s.clone()),
        _ => {
            return Err(err(
                port_node,
                &format!("{path}.port"),
                "expected a port number or a named port",
            ))
        }
    };
    let protocol = match node.get("protocol") {
        None => Protocol::Tcp,
        Some(n) => {
            let s = n
                .as_str()
                .ok_or_else(|| err(n, &format!("{path}.protocol"), "expected TCP, UDP or SCTP"))?;
            Protocol::parse(&s.to_ascii_uppercase()).ok_or_else(|| {
                err(
                    n,
                    &format!("{path}.protocol"),
                    format!("unknown protocol `{s}`: expected TCP, UDP or SCTP"),
                )
            })?
        }
    };
    let allowed_node = field("allowed")?;
    let Value::Bool(allowed) = allowed_node.value else {
        return Err(err(
            allowed_node,
            &format!("{path}.allowed"),
            "expected true or false",
        ));
    };
    Ok(Expectation {
        from,
        to,
        port,
        protocol,
        allowed,
        span: node.span.clone(),
    })
}

fn endpoint(node: &Node, path: &str) -> Result<EndpointSpec, InputError> {
    match &node.value {
        Value::Str(s) => {
            if let Ok(ip) = s.parse::<IpAddr>() {
                return Ok(EndpointSpec::Ip(ip));
            }
            match s.split_once('/') {
                Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
                    Ok(EndpointSpec::Named {
                        namespace: ns.to_string(),
                        name: name.to_string(),
                    })
                }
                _ => Err(err(
                    node,
                    path,
                    format!("`{s}` is neither `namespace/name` nor an IP address"),
                )),
            }
        }
        Value::Map(_) => {
            for (k, kn, _) in node.entries() {
                if k != "namespace" && k != "labels" {
                    return Err(err(
                        kn,
                        &format!("{path}.{k}"),
                        format!("unknown field `{k}` (known: namespace, labels)"),
                    ));
                }
            }
            let ns = node
                .get("namespace")
                .and_then(Node::as_str)
                .ok_or_else(|| {
                    err(
                        node,
                        &format!("{path}.namespace"),
                        "a selector endpoint needs a `namespace`",
                    )
                })?;
            let mut labels = Labels::new();
            if let Some(l) = node.get("labels") {
                for (k, _, v) in l.entries() {
                    let v = match &v.value {
                        Value::Str(s) => s.clone(),
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        _ => {
                            return Err(err(
                                v,
                                &format!("{path}.labels.{k}"),
                                "expected a label value",
                            ))
                        }
                    };
                    labels.insert(k.to_string(), v);
                }
            }
            Ok(EndpointSpec::Selector {
                namespace: ns.to_string(),
                labels,
            })
        }
        _ => Err(err(
            node,
            path,
            format!(
                "expected `namespace/name`, an IP address or a selector, found {}",
                node.type_name()
            ),
        )),
    }
}
