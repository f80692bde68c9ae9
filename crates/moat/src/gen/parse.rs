//! Intent files to a validated [`Plan`], with every error at its file:line:column.
//!
//! ```yaml
//! dns: {namespace: kube-system, selector: {k8s-app: kube-dns}}   # the default; `dns: off`
//! monitoring: {namespace: monitoring, selector: {app: prometheus}, port: metrics}
//! peers:
//!   gateway:  {namespace: envoy-gateway-system}                    # a whole namespace
//!   postgres: {namespace: database, selector: {app: postgres}, ports: [5432]}
//!   payments: {cidr: 198.51.100.0/24}
//! namespaces:
//!   production:
//!     isolate: both                # both (default) | ingress | egress | none
//!     dns: true                    # per-namespace opt-out
//!     services:
//!       frontend: {selector: {tier: frontend}, ports: [80, 443]}
//!       api:      {selector: {tier: api}, ports: [8080, metrics:9090], isolate: ingress}
//!     flows:
//!       - ingress-nginx/* -> frontend:80,443
//!       - frontend -> api:8080
//!       - api -> payments:443
//!       - api -> 0.0.0.0/0:443     # the metadata address is excepted
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::intent::{
    DeclaredPort, Dns, Grant, Isolation, Monitoring, Namespace, Origin, Party, Peer, PeerKind,
    Plan, Port, PortValue, Service,
};
use crate::error::InputError;
use crate::model::labels::{is_dns1123_label, key_error, value_error};
use crate::model::{port_name_error, Cidr, Labels, Protocol};
use crate::source::Span;
use crate::yaml::{parse_stream, Node, Value};

/// One intent file: its name (as shown in errors) and text.
pub struct IntentSource<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Parse and validate intent files into one plan. Every problem is reported.
pub fn parse_intents(sources: &[IntentSource]) -> Result<Plan, Vec<InputError>> {
    let mut p = Parser::default();
    for src in sources {
        p.file(src);
    }
    let plan = p.resolve();
    if p.errors.is_empty() {
        Ok(plan)
    } else {
        p.errors.sort_by(|a, b| a.span.cmp(&b.span));
        Err(p.errors)
    }
}

/// Convenience: one intent text.
pub fn parse_intent(name: &str, text: &str) -> Result<Plan, Vec<InputError>> {
    parse_intents(&[IntentSource { name, text }])
}

const TOP: [&str; 4] = ["dns", "monitoring", "peers", "namespaces"];
const NAMESPACE: [&str; 4] = ["isolate", "dns", "services", "flows"];
const SERVICE: [&str; 4] = ["selector", "ports", "isolate", "allow-metadata"];
const PEER: [&str; 4] = ["namespace", "selector", "cidr", "ports"];
const DNS: [&str; 2] = ["namespace", "selector"];
const MONITORING: [&str; 3] = ["namespace", "selector", "port"];

/// A flow as written, resolved once every file is read.
struct RawFlow {
    namespace: String,
    text: String,
    span: Span,
    origin: Origin,
}

#[derive(Default)]
struct Parser {
    errors: Vec<InputError>,
    files: Vec<String>,
    dns: Option<Option<Dns>>,
    dns_span: Option<Span>,
    monitoring: Option<(Monitoring, Span)>,
    peers: Vec<(Peer, Span)>,
    namespaces: Vec<Namespace>,
    /// Services with their own isolation setting, if any, resolved against the namespace later.
    services: Vec<(Service, Option<Isolation>, Span)>,
    flows: Vec<RawFlow>,
    /// Inline peers (`ns/*`, CIDRs) created while resolving flows, by their text.
    inline: BTreeMap<String, usize>,
}

/// The nearest few candidates to `wanted`, best first.
pub(crate) fn near<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        // Jaro-Winkler for long names, edit distance for short ones (`wbe` -> `web`).
        .filter(|(s, c)| *s > 0.7 || (wanted.len() >= 3 && strsim::osa_distance(wanted, c) <= 2))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| format!("`{c}`"))
        .collect()
}

fn did_you_mean(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", near.join(" or "))
    }
}

fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_string()
}

impl Parser {
    fn err(&mut self, span: &Span, path: &str, msg: impl Into<String>) {
        self.errors
            .push(InputError::new(Some(span.clone()), path, msg));
    }

    fn origin(&self, span: &Span, text: impl Into<String>) -> Origin {
        Origin {
            file: base_name(&span.file),
            line: span.line,
            text: text.into(),
            at: span.clone(),
        }
    }

    fn known(&mut self, node: &Node, path: &str, known: &[&str]) {
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

    fn map<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n Node> {
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

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
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

    fn namespace_name(&mut self, node: &Node, path: &str) -> Option<String> {
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

    fn selector(&mut self, node: &Node, path: &str) -> Option<Labels> {
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

    fn isolation(&mut self, node: &Node, path: &str) -> Option<Isolation> {
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

    fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
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

    fn declared_ports(&mut self, node: &Node, path: &str) -> Vec<DeclaredPort> {
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

    fn file(&mut self, src: &IntentSource) {
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

    fn dns_config(&mut self, n: &Node) {
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

    fn monitoring_config(&mut self, n: &Node) {
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

    fn peer(&mut self, name: &str, knode: &Node, v: &Node) {
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

    fn namespace(&mut self, name: &str, knode: &Node, v: &Node) {
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

    fn service(&mut self, ns: &str, name: &str, knode: &Node, v: &Node) {
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

    /// Everything read: check cross-references and build the plan.
    fn resolve(&mut self) -> Plan {
        let mut plan = Plan {
            files: self.files.clone(),
            ..Plan::default()
        };
        plan.dns = match self.dns.take() {
            None => Some(Dns::default()),
            Some(d) => d,
        };
        self.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        plan.namespaces = self.namespaces.clone();
        let protected: BTreeSet<String> = plan.namespaces.iter().map(|n| n.name.clone()).collect();

        if let Some(dns) = &plan.dns {
            if protected.contains(&dns.namespace) {
                let span = self.dns_span.clone();
                let msg = format!("the DNS namespace `{}` cannot be protected by the same intent (its pods answer every namespace)", dns.namespace);
                match span {
                    Some(s) => self.err(&s, "dns.namespace", msg),
                    None => self.errors.push(InputError::new(None, "dns", msg)),
                }
            }
        }
        if let Some((m, span)) = &self.monitoring {
            if protected.contains(&m.namespace) {
                let msg = format!(
                    "the monitoring namespace `{}` cannot be protected by the same intent",
                    m.namespace
                );
                let span = span.clone();
                self.err(&span, "monitoring.namespace", msg);
            }
        }
        plan.monitoring = self.monitoring.as_ref().map(|(m, _)| m.clone());

        // Services: namespaces in name order, services in intent order.
        let mut services = std::mem::take(&mut self.services);
        services.sort_by(|a, b| a.0.namespace.cmp(&b.0.namespace));
        for (svc, own, _) in &mut services {
            let ns_iso = plan
                .namespace(&svc.namespace)
                .map(|n| n.isolate)
                .unwrap_or(Isolation::BOTH);
            svc.isolate = own.unwrap_or(ns_iso);
        }
        self.check_overlaps(&services);
        plan.services = services.into_iter().map(|(s, _, _)| s).collect();

        for (peer, span) in &self.peers {
            let ns = match &peer.kind {
                PeerKind::Namespace(n) | PeerKind::Pods { namespace: n, .. } => Some(n),
                PeerKind::Cidr(_) => None,
            };
            if let Some(ns) = ns.filter(|n| protected.contains(*n)) {
                let msg = format!("peer `{}` is in `{ns}`, which this intent protects: declare it as a service of `{ns}` and name it `{ns}/<service>`", peer.name);
                self.errors.push(InputError::new(
                    Some(span.clone()),
                    format!("peers.{}", peer.name),
                    msg,
                ));
            }
        }
        plan.peers = self.peers.iter().map(|(p, _)| p.clone()).collect();

        let flows = std::mem::take(&mut self.flows);
        for f in &flows {
            self.flow(&mut plan, &protected, f);
        }
        if let Some(m) = plan.monitoring.clone() {
            for i in 0..plan.services.len() {
                let ports: Vec<Port> = plan.services[i]
                    .ports
                    .iter()
                    .filter(|p| p.name.as_deref() == Some(m.port.as_str()))
                    .map(DeclaredPort::as_port)
                    .collect();
                if !ports.is_empty() {
                    plan.grants.push(Grant {
                        from: Party::Scraper,
                        to: Party::Service(i),
                        ports,
                        origin: m.origin.clone(),
                    });
                }
            }
        }
        plan
    }

    /// Two services whose selectors can select one pod would each grant that pod the
    /// other's flows; refuse rather than generate policies that say more than the intent.
    fn check_overlaps(&mut self, services: &[(Service, Option<Isolation>, Span)]) {
        for (i, (a, _, _)) in services.iter().enumerate() {
            for (b, _, span) in &services[i + 1..] {
                if a.namespace != b.namespace {
                    continue;
                }
                let disjoint = a
                    .selector
                    .iter()
                    .any(|(k, v)| b.selector.get(k).is_some_and(|w| w != v));
                if !disjoint {
                    let msg = format!(
                        "the selectors of `{}` {} and `{}` {} can select the same pod; give one a label the other excludes (such as a different `app` value)",
                        a.name,
                        labels_text(&a.selector),
                        b.name,
                        labels_text(&b.selector)
                    );
                    let span = span.clone();
                    self.err(
                        &span,
                        &format!("namespaces.{}.services.{}.selector", b.namespace, b.name),
                        msg,
                    );
                }
            }
        }
    }

    fn flow(&mut self, plan: &mut Plan, protected: &BTreeSet<String>, f: &RawFlow) {
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

    fn endpoint(
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

    fn service_named(&mut self, plan: &Plan, f: &RawFlow, ns: &str, name: &str) -> Option<Party> {
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

    fn inline_peer(&mut self, plan: &mut Plan, f: &RawFlow, name: &str, kind: PeerKind) -> Party {
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
    fn flow_ports(
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

/// `8080`, `53/UDP`, `http`, `metrics:9090`, `dns:53/UDP`.
fn declared_port(s: &str) -> Result<DeclaredPort, String> {
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

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
