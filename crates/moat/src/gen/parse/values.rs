//! Typed readers of intent values (strings, names, selectors, isolation, ports), each
//! reporting its own error with the value's position.

use super::{base_name, did_you_mean, join, near, Parser};
use crate::error::InputError;
use crate::gen::intent::{DeclaredPort, Isolation, Origin};
use crate::model::labels::{is_dns1123_label, key_error, value_error};
use crate::model::{port_name_error, Labels, Protocol};
use crate::source::Span;
use crate::yaml::{Node, Value};

impl Parser {
    pub(super) fn err(&mut self, span: &Span, path: &str, msg: impl Into<String>) {
        self.errors
            .push(InputError::new(Some(span.clone()), path, msg));
    }

    pub(super) fn origin(&self, span: &Span, text: impl Into<String>) -> Origin {
        Origin {
            file: base_name(&span.file),
            line: span.line,
            text: text.into(),
            at: span.clone(),
        }
    }

    pub(super) fn known(&mut self, node: &Node, path: &str, known: &[&str]) {
        for (key, knode, _) in node.entries() {
            if known.contains(&key) {
                continue;
            }
            let n = near(key, known.iter().copied());
            let msg = if n.is_empty() {
                format!("unknown field `{key}` (known: {})", known.join(", "))
            } else {
                format!("unknown field `{key}`{}", did_you_mean(&n))
            };
            self.err(&knode.span, &join(path, key), msg);
        }
    }

    pub(super) fn map<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n Node> {
        match node.value {
            Value::Map(_) => Some(node),
            _ => {
                self.err(
                    &node.span,
                    path,
                    format!("expected a mapping, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            _ => {
                self.err(
                    &node.span,
                    path,
                    format!("expected a string, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(super) fn namespace_name(&mut self, node: &Node, path: &str) -> Option<String> {
        let s = self.string(node, path)?;
        if is_dns1123_label(&s) {
            Some(s)
        } else {
            self.err(
                &node.span,
                path,
                format!("`{s}` is not a namespace name (lowercase letters, digits and `-`)"),
            );
            None
        }
    }

    pub(super) fn selector(&mut self, node: &Node, path: &str) -> Option<Labels> {
        let node = self.map(node, path)?;
        let mut out = Labels::new();
        let before = self.errors.len();
        for (k, knode, v) in node.entries() {
            let p = join(path, k);
            if let Some(e) = key_error(k) {
                self.err(&knode.span, &p, e);
            }
            let value = match &v.value {
                Value::Str(s) => s.clone(),
                _ => {
                    self.err(
                        &v.span,
                        &p,
                        format!(
                            "expected a label value (a string), found {}; quote it",
                            v.type_name()
                        ),
                    );
                    continue;
                }
            };
            if let Some(e) = value_error(&value) {
                self.err(&v.span, &p, e);
            }
            out.insert(k.to_string(), value);
        }
        (self.errors.len() == before).then_some(out)
    }

    pub(super) fn isolation(&mut self, node: &Node, path: &str) -> Option<Isolation> {
        let s = match &node.value {
            Value::Bool(false) => "none".to_string(),
            Value::Bool(true) => "both".to_string(),
            _ => self.string(node, path)?,
        };
        match s.as_str() {
            "both" => Some(Isolation::BOTH),
            "ingress" => Some(Isolation {
                ingress: true,
                egress: false,
            }),
            "egress" => Some(Isolation {
                ingress: false,
                egress: true,
            }),
            "none" => Some(Isolation {
                ingress: false,
                egress: false,
            }),
            other => {
                let n = near(other, ["both", "ingress", "egress", "none"]);
                self.err(
                    &node.span,
                    path,
                    format!(
                        "`{other}` is not an isolation: both, ingress, egress or none{}",
                        did_you_mean(&n)
                    ),
                );
                None
            }
        }
    }

    pub(super) fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        match node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.err(
                    &node.span,
                    path,
                    format!("expected true or false, found {}", node.type_name()),
                );
                None
            }
        }
    }

    pub(super) fn declared_ports(&mut self, node: &Node, path: &str) -> Vec<DeclaredPort> {
        let Value::Seq(items) = &node.value else {
            self.err(
                &node.span,
                path,
                format!(
                    "expected a list of ports such as [80, 443, metrics:9090, 53/UDP], found {}",
                    node.type_name()
                ),
            );
            return Vec::new();
        };
        let mut out: Vec<DeclaredPort> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let text = match &item.value {
                Value::Int(n) => n.to_string(),
                Value::Str(s) => s.clone(),
                _ => {
                    self.err(
                        &item.span,
                        &p,
                        format!(
                            "expected a port such as 8080, http, metrics:9090 or 53/UDP, found {}",
                            item.type_name()
                        ),
                    );
                    continue;
                }
            };
            match declared_port(&text) {
                Ok(d) => {
                    let clash = out.iter().any(|o| {
                        o.protocol == d.protocol
                            && ((o.number.is_some() && o.number == d.number)
                                || (o.name.is_some() && o.name == d.name))
                    });
                    if clash {
                        self.err(&item.span, &p, format!("port `{text}` is declared twice"));
                    } else {
                        out.push(d);
                    }
                }
                Err(e) => self.err(&item.span, &p, e),
            }
        }
        out
    }
}

/// `8080`, `53/UDP`, `http`, `metrics:9090`, `dns:53/UDP`.
pub(super) fn declared_port(s: &str) -> Result<DeclaredPort, String> {
    let (rest, protocol) = match s.rsplit_once('/') {
        Some((r, p)) => {
            let proto = Protocol::parse(&p.to_ascii_uppercase())
                .ok_or_else(|| format!("unknown protocol `{p}` in `{s}` (TCP, UDP or SCTP)"))?;
            (r, proto)
        }
        None => (s, Protocol::Tcp),
    };
    let number = |t: &str| -> Result<u16, String> {
        t.parse::<u16>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("port `{t}` in `{s}` is out of range 1-65535"))
    };
    let (name, num) = match rest.split_once(':') {
        Some((n, p)) => (Some(n), Some(number(p)?)),
        None if rest.bytes().all(|c| c.is_ascii_digit()) && !rest.is_empty() => {
            (None, Some(number(rest)?))
        }
        None => (Some(rest), None),
    };
    if let Some(n) = name {
        if let Some(e) = port_name_error(n) {
            return Err(format!(
                "{e} (a port is 8080, http, metrics:9090 or 53/UDP)"
            ));
        }
    }
    Ok(DeclaredPort {
        name: name.map(str::to_string),
        number: num,
        protocol,
    })
}

pub(crate) fn labels_text(l: &Labels) -> String {
    let parts: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", parts.join(","))
}
