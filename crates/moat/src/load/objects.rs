//! From objects to the model: kind dispatch, workloads, pods, services and namespaces.
//! (Documents and lists become objects in `lists`.)

use std::net::IpAddr;

use super::cluster_policy;
use super::decode::{index, join, Ctx};
use super::problem::{ObjectRef, ProblemKind};
use super::warning::WarningKind;
use super::{meta, policy};
use crate::model::{
    Cluster, ClusterPolicyKind, ContainerPort, Endpoint, EndpointKind, Labels, Owner, Protocol,
    Service, ServicePort, SkipReason, TargetPort,
};
use crate::yaml::{Node, Value};

pub(crate) struct Loader<'c> {
    pub cluster: &'c mut Cluster,
    pub default_namespace: String,
}

impl Loader<'_> {
    /// One object whose kind and apiVersion are known (from the document itself, or from the
    /// typed list holding it): modeled kinds go into the cluster, others are counted.
    pub fn object(&mut self, ctx: &mut Ctx, doc: &Node, kind: String, api_version: String) {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
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
            self.skip(doc, api_version, kind, name, SkipReason::NotModeled);
            return;
        }
        if !meta::served(group, version, &kind) {
            self.skip(doc, api_version, kind, name, SkipReason::UnknownApiVersion);
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
        if let Some(meta) = meta {
            meta::check(ctx, meta, &kind, &name);
        }
        if let Some(k) = cluster_policy_kind {
            if let Some(p) = cluster_policy::decode(ctx, k, name, labels, annotations, doc) {
                self.cluster.cluster_policies.push(p);
            }
            return;
        }
        match kind.as_str() {
            "Namespace" => {
                let first = self
                    .cluster
                    .find_namespace(&name)
                    .and_then(|id| self.cluster.namespaces[id].span.clone());
                if let Some(first) = first {
                    ctx.warn(
                        WarningKind::Duplicate,
                        doc,
                        format!("Namespace {name} is defined again (first at {first}): the later one is used, as kubectl apply would"),
                    );
                }
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
                let tlabels_node = template.get("metadata").and_then(|m| m.get("labels"));
                let tlabels_path = join(tpath, "metadata.labels");
                let tlabels = tlabels_node
                    .map(|n| ctx.string_map(n, &tlabels_path))
                    .unwrap_or_default();
                if let Some(n) = tlabels_node {
                    meta::check_labels(ctx, n, &tlabels_path);
                }
                let tspec_path = join(tpath, "spec");
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
                    let port_node = p.get("port");
                    let port = port_node.and_then(|n| ctx.int(n, &join(&path, "port")));
                    let Some(port) = port.and_then(|v| u16::try_from(v).ok().filter(|&v| v > 0))
                    else {
                        if let (Some(v), Some(n)) = (port, port_node) {
                            let msg = format!("port {v} is out of range 1-65535");
                            ctx.invalid(n, &join(&path, "port"), msg);
                        }
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

/// The controller owner of a Pod, as `kubectl get pods -o yaml` prints it. A reference
/// without `kind` (hand-written fixtures) still names the controller: its kind is inferred
/// from the labels its controller sets, with a warning.
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
    let name = controller.get("name")?.as_str()?.to_string();
    let has_api = controller
        .get("apiVersion")
        .and_then(Node::as_str)
        .is_some();
    let kind = match controller.get("kind").and_then(Node::as_str) {
        Some(k) => {
            if !has_api {
                ctx.warn(
                    WarningKind::OwnerReference,
                    controller,
                    format!("ownerReference `{name}` has no apiVersion (the API server requires one); its kind {k} is used"),
                );
            }
            k.to_string()
        }
        None => {
            let (kind, why) = infer_owner_kind(labels, &name);
            let missing = if has_api {
                "kind"
            } else {
                "kind or apiVersion"
            };
            ctx.warn(
                WarningKind::OwnerReference,
                controller,
                format!("ownerReference `{name}` has no {missing}: its controller is taken as {kind} ({why})"),
            );
            kind.to_string()
        }
    };
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

/// The kind of a Pod's controller from the labels each controller puts on its Pods.
fn infer_owner_kind(labels: &Labels, name: &str) -> (&'static str, &'static str) {
    let has = |k: &str| labels.contains_key(k);
    if labels
        .get("pod-template-hash")
        .is_some_and(|h| name.ends_with(&format!("-{h}")))
    {
        ("ReplicaSet", "its pod-template-hash label")
    } else if has("statefulset.kubernetes.io/pod-name") {
        (
            "StatefulSet",
            "its statefulset.kubernetes.io/pod-name label",
        )
    } else if has("batch.kubernetes.io/job-name") || has("job-name") {
        ("Job", "its job-name label")
    } else if has("controller-revision-hash") {
        ("DaemonSet", "its controller-revision-hash label")
    } else {
        ("controller", "no label tells which kind")
    }
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
