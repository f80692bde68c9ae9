//! The sections of one intent file: top-level keys, `dns`, `monitoring`, peers,
//! namespaces and their services; flows are kept raw until every file is read.

use std::sync::Arc;

use super::values::labels_text;
use super::{
    base_name, join, IntentSource, Parser, RawFlow, DNS, MONITORING, NAMESPACE, PEER, SERVICE, TOP,
};
use crate::error::InputError;
use crate::gen::intent::{Dns, Isolation, Monitoring, Namespace, Peer, PeerKind, Service};
use crate::model::labels::is_dns1123_label;
use crate::model::{port_name_error, Cidr};
use crate::yaml::{parse_stream, Node, Value};

impl Parser {
    pub(super) fn file(&mut self, src: &IntentSource) {
        let file: Arc<str> = Arc::from(src.name);
        self.files.push(base_name(src.name));
        let docs: Vec<Node> = parse_stream(&file, src.text)
            .into_iter()
            .filter_map(|d| match d {
                Ok(n) => n,
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            })
            .collect();
        if docs.len() > 1 {
            self.err(
                &docs[1].span,
                "",
                "an intent file holds one document; split namespaces across files instead",
            );
        }
        let Some(doc) = docs.first() else {
            if self.errors.is_empty() {
                self.errors.push(InputError::new(
                    None,
                    "",
                    format!("{}: the intent is empty", src.name),
                ));
            }
            return;
        };
        let Some(doc) = self.map(doc, "") else { return };
        self.known(doc, "", &TOP);
        if let Some(n) = doc.get("dns") {
            self.dns_config(n);
        }
        if let Some(n) = doc.get("monitoring") {
            self.monitoring_config(n);
        }
        if let Some(n) = doc.get("peers") {
            if let Some(m) = self.map(n, "peers") {
                for (name, knode, v) in m.entries() {
                    self.peer(name, knode, v);
                }
            }
        }
        match doc.get("namespaces") {
            None => self.err(
                &doc.span,
                "namespaces",
                "an intent needs `namespaces:`, the namespaces to protect",
            ),
            Some(n) => {
                if let Some(m) = self.map(n, "namespaces") {
                    for (name, knode, v) in m.entries() {
                        self.namespace(name, knode, v);
                    }
                }
            }
        }
    }

    pub(super) fn dns_config(&mut self, n: &Node) {
        if let Some(prev) = &self.dns_span {
            let msg = format!("`dns` is already configured at {prev}");
            self.err(&n.span, "dns", msg);
            return;
        }
        self.dns_span = Some(n.span.clone());
        match &n.value {
            Value::Bool(false) => self.dns = Some(None),
            Value::Bool(true) => self.dns = Some(Some(Dns::default())),
            Value::Map(_) => {
                self.known(n, "dns", &DNS);
                let mut dns = Dns {
                    origin: Some(self.origin(&n.span, "dns")),
                    ..Dns::default()
                };
                if let Some(ns) = n
                    .get("namespace")
                    .and_then(|v| self.namespace_name(v, "dns.namespace"))
                {
                    dns.namespace = ns;
                }
                if let Some(sel) = n
                    .get("selector")
                    .and_then(|v| self.selector(v, "dns.selector"))
                {
                    if sel.is_empty() {
                        self.err(&n.span, "dns.selector", "an empty selector would open port 53 to every pod of the DNS namespace; name the DNS pods' labels");
                    }
                    dns.selector = sel;
                }
                self.dns = Some(Some(dns));
            }
            _ => self.err(
                &n.span,
                "dns",
                format!(
                    "expected `off` or {{namespace, selector}}, found {}",
                    n.type_name()
                ),
            ),
        }
    }

    pub(super) fn monitoring_config(&mut self, n: &Node) {
        if let Some((_, prev)) = &self.monitoring {
            let msg = format!("`monitoring` is already configured at {prev}");
            self.err(&n.span, "monitoring", msg);
            return;
        }
        let Some(m) = self.map(n, "monitoring") else {
            return;
        };
        self.known(m, "monitoring", &MONITORING);
        let ns = match m.get("namespace") {
            Some(v) => self.namespace_name(v, "monitoring.namespace"),
            None => {
                self.err(
                    &m.span,
                    "monitoring.namespace",
                    "the scraper's namespace is required",
                );
                None
            }
        };
        let sel = match m.get("selector") {
            Some(v) => self.selector(v, "monitoring.selector"),
            None => {
                self.err(
                    &m.span,
                    "monitoring.selector",
                    "the scraper's pod labels are required",
                );
                None
            }
        };
        let port = match m.get("port") {
            None => Some("metrics".to_string()),
            Some(v) => self.string(v, "monitoring.port").and_then(|s| match port_name_error(&s) {
                None => Some(s),
                Some(e) => {
                    self.err(&v.span, "monitoring.port", format!("{e} (the name of the metrics port services declare, as in `metrics:9090`)"));
                    None
                }
            }),
        };
        if let (Some(namespace), Some(selector), Some(port)) = (ns, sel, port) {
            let origin = self.origin(
                &m.span,
                format!(
                    "monitoring: {namespace} {} -> every `{port}` port",
                    labels_text(&selector)
                ),
            );
            self.monitoring = Some((
                Monitoring {
                    namespace,
                    selector,
                    port,
                    origin,
                },
                m.span.clone(),
            ));
        }
    }

    pub(super) fn peer(&mut self, name: &str, knode: &Node, v: &Node) {
        let path = join("peers", name);
        if !is_dns1123_label(name) {
            self.err(
                &knode.span,
                &path,
                format!("peer name `{name}` must be lowercase letters, digits and `-`"),
            );
            return;
        }
        if let Some((_, prev)) = self.peers.iter().find(|(p, _)| p.name == name) {
            let msg = format!("peer `{name}` is already declared at {prev}");
            self.err(&knode.span, &path, msg);
            return;
        }
        // `name: 198.51.100.0/24` is short for `name: {cidr: ...}`.
        let kind;
        let mut ports = Vec::new();
        if let Value::Str(s) = &v.value {
            match Cidr::parse(s) {
                Ok(c) => kind = PeerKind::Cidr(c),
                Err(e) => {
                    self.err(&v.span, &path, e);
                    return;
                }
            }
        } else {
            let Some(m) = self.map(v, &path) else { return };
            self.known(m, &path, &PEER);
            if let Some(p) = m.get("ports") {
                ports = self.declared_ports(p, &join(&path, "ports"));
            }
            match (m.get("cidr"), m.get("namespace")) {
                (Some(c), None) => {
                    if m.get("selector").is_some() {
                        self.err(&m.span, &path, "a CIDR peer has no selector");
                    }
                    let Some(s) = self.string(c, &join(&path, "cidr")) else {
                        return;
                    };
                    match Cidr::parse(&s) {
                        Ok(c) => kind = PeerKind::Cidr(c),
                        Err(e) => {
                            self.err(&c.span, &join(&path, "cidr"), e);
                            return;
                        }
                    }
                }
                (None, Some(ns)) => {
                    let Some(namespace) = self.namespace_name(ns, &join(&path, "namespace")) else {
                        return;
                    };
                    kind = match m.get("selector") {
                        None => PeerKind::Namespace(namespace),
                        Some(s) => {
                            let Some(selector) = self.selector(s, &join(&path, "selector")) else {
                                return;
                            };
                            if selector.is_empty() {
                                PeerKind::Namespace(namespace)
                            } else {
                                PeerKind::Pods {
                                    namespace,
                                    selector,
                                }
                            }
                        }
                    };
                }
                _ => {
                    self.err(
                        &m.span,
                        &path,
                        "a peer is either `namespace` (with an optional `selector`) or `cidr`",
                    );
                    return;
                }
            }
        }
        let origin = self.origin(&knode.span, format!("peer {name}"));
        self.peers.push((
            Peer {
                name: name.to_string(),
                kind,
                ports,
                origin,
            },
            knode.span.clone(),
        ));
    }

    pub(super) fn namespace(&mut self, name: &str, knode: &Node, v: &Node) {
        let path = join("namespaces", name);
        if !is_dns1123_label(name) {
            self.err(
                &knode.span,
                &path,
                format!("`{name}` is not a namespace name (lowercase letters, digits and `-`)"),
            );
            return;
        }
        if let Some(prev) = self.namespaces.iter().find(|n| n.name == name) {
            let msg = format!(
                "namespace `{name}` is already declared at {}:{}",
                prev.origin.file, prev.origin.line
            );
            self.err(&knode.span, &path, msg);
            return;
        }
        let mut ns = Namespace {
            name: name.to_string(),
            isolate: Isolation::BOTH,
            dns: true,
            origin: self.origin(&knode.span, format!("namespace {name}")),
        };
        if v.is_null() {
            self.err(
                &knode.span,
                &path,
                "a protected namespace needs `services:`",
            );
            return;
        }
        let Some(m) = self.map(v, &path) else { return };
        self.known(m, &path, &NAMESPACE);
        if let Some(n) = m.get("isolate") {
            if let Some(i) = self.isolation(n, &join(&path, "isolate")) {
                ns.isolate = i;
            }
        }
        if let Some(n) = m.get("dns") {
            if let Some(b) = self.bool(n, &join(&path, "dns")) {
                ns.dns = b;
            }
        }
        match m.get("services") {
            None => self.err(
                &m.span,
                &join(&path, "services"),
                "a protected namespace needs `services:`",
            ),
            Some(s) => {
                if let Some(sm) = self.map(s, &join(&path, "services")) {
                    for (sname, sk, sv) in sm.entries() {
                        self.service(name, sname, sk, sv);
                    }
                }
            }
        }
        if let Some(f) = m.get("flows") {
            let fpath = join(&path, "flows");
            match &f.value {
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        match &item.value {
                            Value::Str(s) => {
                                let origin = self.origin(&item.span, s.clone());
                                self.flows.push(RawFlow {
                                    namespace: name.to_string(),
                                    text: s.clone(),
                                    span: item.span.clone(),
                                    origin,
                                });
                            }
                            _ => self.err(
                                &item.span,
                                &format!("{fpath}[{i}]"),
                                format!(
                                    "expected a flow such as `frontend -> api:8080`, found {}",
                                    item.type_name()
                                ),
                            ),
                        }
                    }
                }
                Value::Null => {}
                _ => self.err(
                    &f.span,
                    &fpath,
                    format!("expected a list of flows, found {}", f.type_name()),
                ),
            }
        }
        self.namespaces.push(ns);
    }

    pub(super) fn service(&mut self, ns: &str, name: &str, knode: &Node, v: &Node) {
        let path = format!("namespaces.{ns}.services.{name}");
        // Policy names are `<service>-ingress` / `-egress`: they must stay valid names.
        if !is_dns1123_label(name) || name.len() > 55 {
            self.err(&knode.span, &path, format!("service name `{name}` must be at most 55 lowercase letters, digits and `-` (it names the policies)"));
            return;
        }
        let Some(m) = self.map(v, &path) else { return };
        self.known(m, &path, &SERVICE);
        let selector = match m.get("selector") {
            None => {
                self.err(
                    &m.span,
                    &join(&path, "selector"),
                    "a service needs a `selector`: the labels of its pods",
                );
                None
            }
            Some(s) => self.selector(s, &join(&path, "selector")),
        };
        let Some(selector) = selector else { return };
        if selector.is_empty() {
            self.err(
                &m.span,
                &join(&path, "selector"),
                "an empty selector selects every pod of the namespace; name the service's labels",
            );
            return;
        }
        let ports = m
            .get("ports")
            .map(|p| self.declared_ports(p, &join(&path, "ports")))
            .unwrap_or_default();
        let isolate = m
            .get("isolate")
            .and_then(|n| self.isolation(n, &join(&path, "isolate")));
        let allow_metadata = m
            .get("allow-metadata")
            .and_then(|n| self.bool(n, &join(&path, "allow-metadata")))
            .unwrap_or(false);
        let origin = self.origin(
            &knode.span,
            format!("service {name} {}", labels_text(&selector)),
        );
        let svc = Service {
            namespace: ns.to_string(),
            name: name.to_string(),
            selector,
            ports,
            isolate: Isolation::BOTH,
            allow_metadata,
            origin,
        };
        self.services.push((svc, isolate, knode.span.clone()));
    }
}
