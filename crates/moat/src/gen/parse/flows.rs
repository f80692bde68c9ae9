//! Flows (`a -> b:port`): each side resolved to a service, a peer or an inline peer,
//! and the ports checked against what the destination declares.

use std::collections::BTreeSet;

use super::{did_you_mean, near, Parser, RawFlow};
use crate::gen::intent::{
    DeclaredPort, Grant, Party, Peer, PeerKind, Plan, Port, PortValue, Service,
};
use crate::model::labels::is_dns1123_label;
use crate::model::{port_name_error, Cidr, Protocol};

impl Parser {
    pub(super) fn flow(&mut self, plan: &mut Plan, protected: &BTreeSet<String>, f: &RawFlow) {
        let Some((left, right)) = f.text.split_once("->") else {
            self.err(&f.span, "", format!("`{}` is not a flow: write `SOURCE -> DESTINATION[:PORTS]`, such as `frontend -> api:8080`", f.text));
            return;
        };
        if right.contains("->") {
            self.err(
                &f.span,
                "",
                format!(
                    "`{}` has more than one `->`: write one flow per line",
                    f.text
                ),
            );
            return;
        }
        let (dest_text, port_text) = split_ports(right.trim());
        let Some(to) = self.endpoint(plan, protected, f, dest_text) else {
            return;
        };
        let Some(ports) = self.flow_ports(plan, f, &to, port_text) else {
            return;
        };
        for src in left.split(',').map(str::trim) {
            if src.is_empty() {
                self.err(&f.span, "", format!("`{}` has an empty source", f.text));
                continue;
            }
            let Some(from) = self.endpoint(plan, protected, f, src) else {
                continue;
            };
            let guarded = |p: &Party| matches!(p, Party::Service(_));
            if !guarded(&from) && !guarded(&to) {
                self.err(&f.span, "", format!("in `{}`, neither `{src}` nor `{dest_text}` is a service of a protected namespace: no policy would carry it", f.text));
                continue;
            }
            plan.grants.push(Grant {
                from,
                to: to.clone(),
                ports: ports.clone(),
                origin: f.origin.clone(),
            });
        }
    }

    pub(super) fn endpoint(
        &mut self,
        plan: &mut Plan,
        protected: &BTreeSet<String>,
        f: &RawFlow,
        text: &str,
    ) -> Option<Party> {
        let text = text.trim();
        let unbracketed = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if unbracketed.contains('/')
            && unbracketed
                .split('/')
                .next()
                .is_some_and(|a| a.parse::<std::net::IpAddr>().is_ok())
        {
            return match Cidr::parse(unbracketed) {
                Ok(c) => Some(self.inline_peer(plan, f, &c.to_string(), PeerKind::Cidr(c))),
                Err(e) => {
                    self.err(&f.span, "", format!("in `{}`: {e}", f.text));
                    None
                }
            };
        }
        if let Some((ns, name)) = text.split_once('/') {
            if name == "*" {
                if protected.contains(ns) {
                    self.err(&f.span, "", format!("`{ns}/*`: namespace `{ns}` is protected by this intent; name its services (`{ns}/<service>`)"));
                    return None;
                }
                if !is_dns1123_label(ns) {
                    self.err(&f.span, "", format!("`{ns}` is not a namespace name"));
                    return None;
                }
                return Some(self.inline_peer(plan, f, text, PeerKind::Namespace(ns.to_string())));
            }
            if !protected.contains(ns) {
                let n = near(ns, protected.iter().map(String::as_str));
                let msg = if n.is_empty() {
                    format!("`{text}`: namespace `{ns}` is not protected by this intent; declare `{name}` under `peers:` with its namespace and selector, or write `{ns}/*` for the whole namespace")
                } else {
                    format!(
                        "`{text}`: namespace `{ns}` is not protected by this intent{}",
                        did_you_mean(&n)
                    )
                };
                self.err(&f.span, "", msg);
                return None;
            }
            return self.service_named(plan, f, ns, name);
        }
        if let Some(i) = plan
            .services
            .iter()
            .position(|s| s.namespace == f.namespace && s.name == text)
        {
            return Some(Party::Service(i));
        }
        if let Some(i) = plan.peers.iter().position(|p| p.name == text) {
            return Some(Party::Peer(i));
        }
        let mut candidates: Vec<String> = plan
            .services_in(&f.namespace)
            .map(|(_, s)| s.name.clone())
            .collect();
        candidates.extend(
            plan.peers
                .iter()
                .filter(|p| !p.name.contains('/'))
                .map(|p| p.name.clone()),
        );
        candidates.extend(
            plan.services
                .iter()
                .filter(|s| s.namespace != f.namespace)
                .map(Service::id),
        );
        let n = near(text, candidates.iter().map(String::as_str));
        self.err(
            &f.span,
            "",
            format!(
                "unknown service or peer `{text}` in namespace `{}`{}",
                f.namespace,
                did_you_mean(&n)
            ),
        );
        None
    }

    pub(super) fn service_named(
        &mut self,
        plan: &Plan,
        f: &RawFlow,
        ns: &str,
        name: &str,
    ) -> Option<Party> {
        if let Some(i) = plan
            .services
            .iter()
            .position(|s| s.namespace == ns && s.name == name)
        {
            return Some(Party::Service(i));
        }
        let n = near(name, plan.services_in(ns).map(|(_, s)| s.name.as_str()));
        self.err(
            &f.span,
            "",
            format!(
                "unknown service `{name}` in namespace `{ns}`{}",
                did_you_mean(&n)
            ),
        );
        None
    }

    pub(super) fn inline_peer(
        &mut self,
        plan: &mut Plan,
        f: &RawFlow,
        name: &str,
        kind: PeerKind,
    ) -> Party {
        if let Some(&i) = self.inline.get(name) {
            return Party::Peer(i);
        }
        plan.peers.push(Peer {
            name: name.to_string(),
            kind,
            ports: Vec::new(),
            origin: f.origin.clone(),
        });
        let i = plan.peers.len() - 1;
        self.inline.insert(name.to_string(), i);
        Party::Peer(i)
    }

    /// The ports of a flow towards `to`: written ones checked against the declaration,
    /// or all declared ones when none are written.
    pub(super) fn flow_ports(
        &mut self,
        plan: &Plan,
        f: &RawFlow,
        to: &Party,
        text: Option<&str>,
    ) -> Option<Vec<Port>> {
        let (declared, who): (&[DeclaredPort], String) = match to {
            Party::Service(i) => (&plan.services[*i].ports, plan.services[*i].name.clone()),
            Party::Peer(i) => (&plan.peers[*i].ports, plan.peers[*i].name.clone()),
            Party::Scraper => (&[], String::new()),
        };
        let is_cidr =
            matches!(to, Party::Peer(i) if matches!(plan.peers[*i].kind, PeerKind::Cidr(_)));
        let Some(text) = text else {
            if declared.is_empty() {
                self.err(&f.span, "", format!("`{}`: `{who}` declares no ports; write them in the flow, such as `{who}:443`", f.text));
                return None;
            }
            return Some(declared.iter().map(DeclaredPort::as_port).collect());
        };
        let mut out = Vec::new();
        for item in text.split(',').map(str::trim) {
            let (value, protocol) = match item.rsplit_once('/') {
                Some((v, p)) => match Protocol::parse(&p.to_ascii_uppercase()) {
                    Some(proto) => (v, Some(proto)),
                    None => {
                        self.err(
                            &f.span,
                            "",
                            format!("`{}`: unknown protocol `{p}` (TCP, UDP or SCTP)", f.text),
                        );
                        return None;
                    }
                },
                None => (item, None),
            };
            if declared.is_empty() {
                match port_value(value) {
                    Ok(PortValue::Named(n)) if is_cidr => {
                        self.err(&f.span, "", format!("`{}`: `{n}` is a port name, and addresses outside the cluster have no named ports", f.text));
                        return None;
                    }
                    Ok(v) => out.push(Port {
                        protocol: protocol.unwrap_or(Protocol::Tcp),
                        value: v,
                    }),
                    Err(e) => {
                        self.err(&f.span, "", format!("`{}`: {e}", f.text));
                        return None;
                    }
                }
                continue;
            }
            let number = value.parse::<u16>().ok();
            let matches: Vec<Port> = declared
                .iter()
                .filter(|d| protocol.is_none_or(|p| p == d.protocol))
                .filter(|d| match number {
                    Some(n) => d.number == Some(n),
                    None => d.name.as_deref() == Some(value),
                })
                .map(DeclaredPort::as_port)
                .collect();
            if matches.is_empty() {
                let list: Vec<String> = declared.iter().map(ToString::to_string).collect();
                let names: Vec<String> = declared.iter().map(ToString::to_string).collect();
                let n = near(item, names.iter().map(String::as_str));
                self.err(
                    &f.span,
                    "",
                    format!(
                        "`{}`: `{who}` declares no port `{item}` (declared: {}){}",
                        f.text,
                        list.join(", "),
                        did_you_mean(&n)
                    ),
                );
                return None;
            }
            out.extend(matches);
        }
        Some(out)
    }
}

/// `api:8080,8443` -> (`api`, `8080,8443`); `[2001:db8::/32]:443` and bare CIDRs too.
fn split_ports(s: &str) -> (&str, Option<&str>) {
    if s.starts_with('[') {
        if let Some(end) = s.find(']') {
            let rest = &s[end + 1..];
            return (&s[..=end], rest.strip_prefix(':').map(str::trim));
        }
    }
    if Cidr::parse(s).is_ok() {
        return (s, None);
    }
    match s.split_once(':') {
        Some((a, b)) => (a.trim(), Some(b.trim())),
        None => (s, None),
    }
}

/// `8080`, `8000-8010`, or a port name.
fn port_value(s: &str) -> Result<PortValue, String> {
    let num = |t: &str| -> Result<u16, String> {
        t.parse::<u16>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("port `{t}` is out of range 1-65535"))
    };
    if let Some((a, b)) = s.split_once('-') {
        if a.bytes().all(|c| c.is_ascii_digit()) && !a.is_empty() {
            let (a, b) = (num(a)?, num(b)?);
            if b < a {
                return Err(format!("port range `{s}` ends before it starts"));
            }
            return Ok(PortValue::Range(a, b));
        }
    }
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        let n = num(s)?;
        return Ok(PortValue::Range(n, n));
    }
    match port_name_error(s) {
        None => Ok(PortValue::Named(s.to_string())),
        Some(e) => Err(e),
    }
}
