//! From documents to model objects: kind dispatch, `List` unwrapping, workloads, pods,
//! services and namespaces.

use std::net::IpAddr;

use super::cluster_policy;
use super::decode::{index, join, Ctx};
use super::policy;
use super::problem::{ObjectRef, ProblemKind};
use crate::model::{
    Cluster, ClusterPolicyKind, ContainerPort, Endpoint, EndpointKind, Labels, Owner, Protocol,
    Service, ServicePort, SkippedObject, TargetPort,
};
use crate::yaml::{Node, Value};

/// The kind under which documents that are not Kubernetes objects are counted.
pub const NOT_AN_OBJECT: &str = "(not a Kubernetes object)";

/// Deepest `List` nesting followed.
const MAX_LIST_DEPTH: usize = 8;

pub(crate) struct Loader<'c> {
    pub cluster: &'c mut Cluster,
    pub default_namespace: String,
}

impl Loader<'_> {
    pub fn document(&mut self, ctx: &mut Ctx, doc: &Node, depth: usize) {
        ctx.object = None;
        let Some(doc) = ctx.map(doc, "") else { return };
        let kind = doc.get("kind").and_then(|n| ctx.string(n, "kind"));
        let api_version = doc
            .get("apiVersion")
            .and_then(|n| ctx.string(n, "apiVersion"))
            .unwrap_or_default();
        let Some(kind) = kind else {
            if api_version.is_empty() {
                // Neither apiVersion nor kind: not a Kubernetes object at all (a values file,
                // an expectations file next to the manifests). Skipped and counted.
                self.cluster.skipped.push(SkippedObject {
                    api_version,
                    kind: NOT_AN_OBJECT.to_string(),
                    name: String::new(),
                    span: doc.span.clone(),
                });
            } else {
                ctx.report(ProblemKind::Syntax, doc, "kind", "`kind` is missing");
            }
            return;
        };
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        if kind.ends_with("List") && doc.get("items").is_some() {
            if depth >= MAX_LIST_DEPTH {
                ctx.report(ProblemKind::Syntax, doc, "items", "Lists nested too deeply");
                return;
            }
            if let Some(items) = doc.get("items") {
                for item in ctx.seq(items, "items").iter() {
                    self.document(ctx, item, depth + 1);
                }
            }
            return;
        }
        let meta = doc.get("metadata").and_then(|m| ctx.map(m, "metadata"));
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(|n| ctx.string(n, "metadata.name"));
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(|n| ctx.string(n, "metadata.namespace"))
            .unwrap_or_else(|| self.default_namespace.clone());
        let labels = meta
            .and_then(|m| m.get("labels"))
            .map(|n| ctx.string_map(n, "metadata.labels"))
            .unwrap_or_default();
        let annotations = meta
            .and_then(|m| m.get("annotations"))
            .map(|n| ctx.string_map(n, "metadata.annotations"))
            .unwrap_or_default();
        let modeled = matches!(
            (group, kind.as_str()),
            (
                "",
                "Namespace" | "Pod" | "Service" | "ReplicationController"
            ) | (
                "apps",
                "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
            ) | ("batch", "Job" | "CronJob")
                | ("networking.k8s.io", "NetworkPolicy")
                | ("", "Node")
                | (
                    "policy.networking.k8s.io",
                    "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy"
                )
        );
        if !modeled {
            self.cluster.skipped.push(SkippedObject {
                api_version,
                kind,
                name: name.unwrap_or_default(),
                span: doc.span.clone(),
            });
            return;
        }
        let Some(name) = name else {
            let at = meta.unwrap_or(doc);
            ctx.report(
                ProblemKind::Syntax,
                at,
                "metadata.name",
                format!("{kind} has no name"),
            );
            return;
        };
        let cluster_policy_kind = ClusterPolicyKind::parse(&kind);
        let cluster_scoped = kind == "Namespace" || kind == "Node" || cluster_policy_kind.is_some();
        ctx.object = Some(ObjectRef {
            kind: kind.clone(),
            namespace: (!cluster_scoped).then(|| namespace.clone()),
            name: name.clone(),
        });
        if let Some(k) = cluster_policy_kind {
            if let Some(p) =
                cluster_policy::decode(ctx, k, &api_version, name, labels, annotations, doc)
            {
                self.cluster.cluster_policies.push(p);
            }
            return;
        }
        match kind.as_str() {
            "Namespace" => {
                self.cluster
                    .declare_namespace(&name, labels, doc.span.clone());
            }
            "NetworkPolicy" => {
                ctx.known_fields(
                    doc,
                    "",
                    &["apiVersion", "kind", "metadata", "spec", "status"],
                );
                self.cluster.namespace_id(&namespace);
                if let Some(p) = policy::decode(
                    ctx,
                    name,
                    namespace,
                    labels,
                    annotations,
                    doc,
                    doc.span.clone(),
                ) {
                    self.cluster.policies.push(p);
                }
            }
            "Service" => self.service(ctx, doc, name, namespace),
            "Node" => {
                let node = super::node::node(ctx, doc, name, labels);
                self.cluster.nodes.push(node);
            }

            "Pod" => {
                let spec = doc.get("spec").and_then(|s| ctx.map(s, "spec"));
                let owner = owner(ctx, meta, &labels);
                let ips = pod_ips(ctx, doc);
                self.endpoint(
                    ctx,
                    doc,
                    spec,
                    "spec",
                    name,
                    namespace,
                    labels,
                    EndpointKind::Pod,
                    owner,
                    ips,
                );
            }
            _ => {
                let spec = doc.get("spec").and_then(|s| ctx.map(s, "spec"));
                let (template, tpath) = if kind == "CronJob" {
                    let t = spec
                        .and_then(|s| s.get("jobTemplate"))
                        .and_then(|j| j.get("spec"))
                        .and_then(|s| s.get("template"));
                    (t, "spec.jobTemplate.spec.template")
                } else {
                    (spec.and_then(|s| s.get("template")), "spec.template")
                };
                let replicas = match kind.as_str() {
                    "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController" => spec
                        .and_then(|s| s.get("replicas"))
                        .and_then(|n| ctx.int(n, "spec.replicas"))
                        .unwrap_or(1),
                    _ => 1,
                };
                let Some(template) = template.and_then(|t| ctx.map(t, tpath)) else {
                    let at = spec.unwrap_or(doc);
                    ctx.report(
                        ProblemKind::Syntax,
                        at,
                        tpath,
                        format!("{kind} has no pod template"),
                    );
                    return;
                };
                let tlabels = template
                    .get("metadata")
                    .and_then(|m| m.get("labels"))
                    .map(|n| ctx.string_map(n, &format!("{tpath}.metadata.labels")))
                    .unwrap_or_default();
                let tspec_path = format!("{tpath}.spec");
                let tspec = template.get("spec").and_then(|s| ctx.map(s, &tspec_path));
                let replicas = u32::try_from(replicas.max(0)).unwrap_or(u32::MAX);
                let ek = EndpointKind::Workload {
                    kind: kind.clone(),
                    replicas,
                };
                self.endpoint(
                    ctx,
                    doc,
                    tspec,
                    &tspec_path,
                    name,
                    namespace,
                    tlabels,
                    ek,
                    None,
                    Vec::new(),
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn endpoint(
        &mut self,
        ctx: &mut Ctx,
        doc: &Node,
        spec: Option<&Node>,
        spec_path: &str,
        name: String,
        namespace: String,
        labels: Labels,
        kind: EndpointKind,
        owner: Option<Owner>,
        ips: Vec<IpAddr>,
    ) {
        let mut ports = Vec::new();
        let mut host_network = false;
        let mut images = Vec::new();
        if let Some(spec) = spec {
            host_network = spec
                .get("hostNetwork")
                .and_then(|n| ctx.bool(n, &join(spec_path, "hostNetwork")))
                .unwrap_or(false);
            for field in ["initContainers", "containers"] {
                let cp = join(spec_path, field);
                let Some(list) = spec.get(field) else {
                    continue;
                };
                for (i, c) in ctx.seq(list, &cp).iter().enumerate() {
                    let path = index(&cp, i);
                    let Some(c) = ctx.map(c, &path) else { continue };
                    if field == "containers" {
                        images.push(
                            c.get("image")
                                .and_then(Node::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        );
                    }
                    let Some(plist) = c.get("ports") else {
                        continue;
                    };
                    let pp = join(&path, "ports");
                    for (j, p) in ctx.seq(plist, &pp).iter().enumerate() {
                        let path = index(&pp, j);
                        if let Some(port) = container_port(ctx, p, &path) {
                            ports.push(port);
                        }
                    }
                }
            }
        }
        let ns = self.cluster.namespace_id(&namespace);
        self.cluster.endpoints.push(Endpoint {
            namespace: ns,
            name,
            kind,
            owner,
            labels,
            ports,
            ips,
            host_network,
            images,
            span: doc.span.clone(),
        });
    }

    fn service(&mut self, ctx: &mut Ctx, doc: &Node, name: String, namespace: String) {
        let spec = doc.get("spec").and_then(|s| ctx.map(s, "spec"));
        let mut svc = Service {
            name,
            namespace: namespace.clone(),
            type_: "ClusterIP".into(),
            selector: None,
            ports: Vec::new(),
            span: doc.span.clone(),
        };
        if let Some(spec) = spec {
            if let Some(t) = spec.get("type").and_then(|n| ctx.string(n, "spec.type")) {
                svc.type_ = t;
            }
            svc.selector = spec
                .get("selector")
                .map(|n| ctx.string_map(n, "spec.selector"));
            if let Some(list) = spec.get("ports") {
                for (i, p) in ctx.seq(list, "spec.ports").iter().enumerate() {
                    let path = index("spec.ports", i);
                    let Some(p) = ctx.map(p, &path) else { continue };
                    let port = p.get("port").and_then(|n| ctx.int(n, &join(&path, "port")));
                    let Some(port) = port.and_then(|v| u16::try_from(v).ok()) else {
                        continue;
                    };
                    let protocol = p
                        .get("protocol")
                        .and_then(|n| ctx.string(n, &join(&path, "protocol")))
                        .and_then(|s| Protocol::parse(&s))
                        .unwrap_or(Protocol::Tcp);
                    let target = match p.get("targetPort").map(|n| &n.value) {
                        Some(Value::Int(t)) => {
                            TargetPort::Number(u16::try_from(*t).unwrap_or(port))
                        }
                        Some(Value::Str(s)) => match s.parse::<u16>() {
                            Ok(n) => TargetPort::Number(n),
                            Err(_) => TargetPort::Name(s.clone()),
                        },
                        _ => TargetPort::Number(port),
                    };
                    let node_port = p
                        .get("nodePort")
                        .and_then(|n| ctx.int(n, &join(&path, "nodePort")))
                        .and_then(|v| u16::try_from(v).ok());
                    let name = p
                        .get("name")
                        .and_then(|n| ctx.string(n, &join(&path, "name")));
                    svc.ports.push(ServicePort {
                        name,
                        port,
                        target,
                        protocol,
                        node_port,
                    });
                }
            }
        }
        self.cluster.namespace_id(&namespace);
        self.cluster.services.push(svc);
    }
}

fn container_port(ctx: &mut Ctx, node: &Node, path: &str) -> Option<ContainerPort> {
    let node = ctx.map(node, path)?;
    let cp = join(path, "containerPort");
    let port = node.get("containerPort").and_then(|n| ctx.int(n, &cp))?;
    let Ok(port) = u16::try_from(port) else {
        let at = node.get("containerPort").unwrap_or(node);
        ctx.invalid(
            at,
            &cp,
            format!("containerPort {port} is out of range 1-65535"),
        );
        return None;
    };
    let protocol = match node
        .get("protocol")
        .and_then(|n| ctx.string(n, &join(path, "protocol")))
    {
        None => Protocol::Tcp,
        Some(s) => match Protocol::parse(&s) {
            Some(p) => p,
            None => {
                let at = node.get("protocol").unwrap_or(node);
                ctx.invalid(
                    at,
                    &join(path, "protocol"),
                    format!("unsupported protocol `{s}`"),
                );
                return None;
            }
        },
    };
    let name = node
        .get("name")
        .and_then(|n| ctx.string(n, &join(path, "name")));
    Some(ContainerPort {
        name,
        port,
        protocol,
    })
}

/// The controller owner of a Pod, as `kubectl get pods -o yaml` prints it.
fn owner(ctx: &mut Ctx, meta: Option<&Node>, labels: &Labels) -> Option<Owner> {
    let refs = meta?.get("ownerReferences")?;
    let refs = ctx.seq(refs, "metadata.ownerReferences");
    let controller = refs
        .iter()
        .find(|r| {
            matches!(
                r.get("controller").map(|n| &n.value),
                Some(Value::Bool(true))
            )
        })
        .or_else(|| refs.first())?;
    let kind = controller.get("kind")?.as_str()?.to_string();
    let name = controller.get("name")?.as_str()?.to_string();
    let deployment = if kind == "ReplicaSet" {
        labels
            .get("pod-template-hash")
            .and_then(|h| name.strip_suffix(&format!("-{h}")))
            .map(str::to_string)
    } else {
        None
    };
    Some(Owner {
        kind,
        name,
        deployment,
    })
}

fn pod_ips(ctx: &mut Ctx, doc: &Node) -> Vec<IpAddr> {
    let mut ips = Vec::new();
    let Some(status) = doc.get("status") else {
        return ips;
    };
    let mut push = |ctx: &mut Ctx, n: &Node, path: &str| {
        if let Some(s) = ctx.string(n, path) {
            match s.parse::<IpAddr>() {
                Ok(ip) if !ips.contains(&ip) => ips.push(ip),
                Ok(_) => {}
                Err(_) => ctx.report(
                    ProblemKind::Syntax,
                    n,
                    path,
                    format!("`{s}` is not an IP address"),
                ),
            }
        }
    };
    if let Some(n) = status.get("podIP") {
        push(ctx, n, "status.podIP");
    }
    if let Some(list) = status.get("podIPs") {
        for (i, item) in ctx.seq(list, "status.podIPs").iter().enumerate() {
            if let Some(n) = item.get("ip") {
                push(ctx, n, &format!("status.podIPs[{i}].ip"));
            }
        }
    }
    ips
}
