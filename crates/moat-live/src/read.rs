//! A whole read: configure the client from the kubeconfig, list every resource type
//! concurrently, and gather the objects in a fixed order.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use moat::load::Source;
use moat::text::count;
use moat::yaml::Node;
use tokio::task::JoinSet;

use crate::error::LiveError;
use crate::fetch::{Counters, Listed, Lister, MAX_IN_FLIGHT};
use crate::object::Object;
use crate::resources::{Resource, RESOURCES};

/// Where and what to read.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// A kubeconfig file instead of KUBECONFIG / ~/.kube/config / in-cluster config.
    pub kubeconfig: Option<PathBuf>,
    /// A kubeconfig context instead of the current one.
    pub context: Option<String>,
    /// Read only these namespaces (empty: all of them).
    pub namespaces: Vec<String>,
    /// Deadline of each request (connect, send, and the whole answer).
    pub timeout: Duration,
    /// Objects per page (`limit`).
    pub page_size: u32,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            namespaces: Vec::new(),
            timeout: Duration::from_secs(30),
            page_size: 500,
        }
    }
}

/// What was read.
#[derive(Debug)]
pub struct ClusterRead {
    /// The API server's URL.
    pub server: String,
    /// Every object, by resource type (in [`RESOURCES`] order), then as the server listed them.
    pub objects: Vec<Object>,
    /// What was left out and why (uninstalled types, objects their owner stands for).
    pub notes: Vec<String>,
    pub stats: ReadStats,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ReadStats {
    /// HTTP requests sent (every one a GET), retries included.
    pub requests: u32,
    pub pages: u32,
    pub retries: u32,
    pub elapsed: Duration,
}

impl ClusterRead {
    /// The objects as loader trees, for `moat::load::load_with_documents`.
    pub fn trees(&self) -> impl Iterator<Item = Node> + '_ {
        self.objects.iter().map(|o| o.tree.clone())
    }

    /// Consume the read, keeping the trees.
    pub fn into_trees(self) -> impl Iterator<Item = Node> {
        self.objects.into_iter().map(|o| o.tree)
    }

    /// Consume the read into the trees, and each object's text as a source named like its
    /// spans (for code frames: the trees are what is loaded).
    pub fn into_trees_and_texts(self) -> (Vec<Node>, Vec<Source>) {
        self.objects
            .into_iter()
            .map(|o| {
                let name = o.tree.span.file.clone();
                (o.tree, Source { name, text: o.text })
            })
            .unzip()
    }
}

/// Read the cluster: blocks until every list is complete, or fails on the first error.
pub fn read_cluster(opts: &ClusterOptions) -> Result<ClusterRead, LiveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LiveError::Config(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(read(opts))
}

async fn config(opts: &ClusterOptions) -> Result<Config, LiveError> {
    let kco = KubeConfigOptions {
        context: opts.context.clone(),
        ..KubeConfigOptions::default()
    };
    let bad = |e: &dyn std::fmt::Display| LiveError::Config(e.to_string());
    let mut config = match &opts.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)
                .map_err(|e| LiveError::Config(format!("{}: {e}", path.display())))?;
            Config::from_custom_kubeconfig(kc, &kco)
                .await
                .map_err(|e| bad(&e))?
        }
        None if opts.context.is_some() => {
            Config::from_kubeconfig(&kco).await.map_err(|e| bad(&e))?
        }
        // KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
        None => Config::infer().await.map_err(|e| bad(&e))?,
    };
    // A connection that cannot be made is "unreachable"; the deadline of a request as a
    // whole (send, answer, body) is the fetcher's, so that it is reported as a timeout.
    config.connect_timeout = Some(opts.timeout);
    // Retries are ours (429 and every 5xx, bounded for an interactive tool).
    config.default_retry = false;
    Ok(config)
}

async fn read(opts: &ClusterOptions) -> Result<ClusterRead, LiveError> {
    let started = Instant::now();
    let config = config(opts).await?;
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).map_err(|e| LiveError::Config(e.to_string()))?;
    let lister = Arc::new(Lister {
        client,
        server: server.clone(),
        timeout: opts.timeout,
        page_size: opts.page_size.max(1),
        counters: Counters::default(),
        in_flight: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
    });
    // One task per resource type (per namespace when narrowed); pages of one list are
    // sequential, as continue tokens are.
    let mut jobs: Vec<(&'static Resource, Option<String>)> = Vec::new();
    for res in RESOURCES {
        if res.namespaced && !opts.namespaces.is_empty() {
            for ns in &opts.namespaces {
                jobs.push((res, Some(ns.clone())));
            }
        } else {
            jobs.push((res, None));
        }
    }
    let mut set = JoinSet::new();
    for (i, (res, ns)) in jobs.iter().cloned().enumerate() {
        let lister = Arc::clone(&lister);
        set.spawn(async move { (i, lister.list(res, ns.as_deref()).await) });
    }
    let mut results: Vec<Option<Listed>> = (0..jobs.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, listed) =
            joined.map_err(|e| LiveError::Config(format!("a list task failed: {e}")))?;
        // The first error ends the read; the other lists are dropped with the set.
        results[i] = Some(listed?);
    }
    let mut objects = Vec::new();
    let mut notes = Vec::new();
    let mut missing = BTreeSet::new();
    for ((res, _), listed) in jobs.iter().zip(results) {
        match listed {
            Some(Listed::Objects(found)) => objects.extend(found),
            Some(Listed::NotInstalled) | None => {
                missing.insert((res.api_version(), res.kind));
            }
        }
    }
    if !missing.is_empty() {
        let types: Vec<String> = missing
            .iter()
            .map(|(api_version, kind)| format!("{api_version} {kind}"))
            .collect();
        notes.push(format!(
            "not served by this cluster (404), none read: {}",
            types.join(", ")
        ));
    }
    if !opts.namespaces.is_empty() {
        narrow_namespaces(&mut objects, &opts.namespaces)?;
    }
    leave_to_owners(&mut objects, &mut notes);
    leave_out_terminated(&mut objects, &mut notes);
    let c = &lister.counters;
    let stats = ReadStats {
        requests: c.requests.load(Ordering::Relaxed),
        pages: c.pages.load(Ordering::Relaxed),
        retries: c.retries.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    };
    Ok(ClusterRead {
        server,
        objects,
        notes,
        stats,
    })
}

/// Keep only the named Namespace objects, and fail on a name the cluster does not have.
fn narrow_namespaces(objects: &mut Vec<Object>, wanted: &[String]) -> Result<(), LiveError> {
    let present: BTreeSet<&str> = objects
        .iter()
        .filter(|o| o.kind == "Namespace")
        .map(|o| o.name.as_str())
        .collect();
    if let Some(ns) = wanted.iter().find(|ns| !present.contains(ns.as_str())) {
        return Err(LiveError::NoSuchNamespace(ns.clone()));
    }
    objects.retain(|o| o.kind != "Namespace" || wanted.contains(&o.name));
    Ok(())
}

/// ReplicaSets managed by a Deployment and Jobs made by a CronJob are left out: the owner's
/// pod template stands for them (an old ReplicaSet's template would add endpoints no pod
/// matches), and their Pods, read as well, still name the owner.
fn leave_to_owners(objects: &mut Vec<Object>, notes: &mut Vec<String>) {
    let owners: BTreeSet<(&str, Option<&str>, &str)> = objects
        .iter()
        .filter(|o| matches!(o.kind, "Deployment" | "CronJob"))
        .map(|o| (o.kind, o.namespace.as_deref(), o.name.as_str()))
        .collect();
    let owned: Vec<bool> = objects
        .iter()
        .map(|o| {
            let owner_kind = match o.kind {
                "ReplicaSet" => "Deployment",
                "Job" => "CronJob",
                _ => return false,
            };
            controller(&o.tree).is_some_and(|(kind, name)| {
                kind == owner_kind && owners.contains(&(owner_kind, o.namespace.as_deref(), name))
            })
        })
        .collect();
    let (mut rs, mut jobs) = (0, 0);
    for (o, &left) in objects.iter().zip(&owned) {
        if left {
            if o.kind == "ReplicaSet" {
                rs += 1;
            } else {
                jobs += 1;
            }
        }
    }
    let mut keep = owned.iter().map(|l| !l);
    objects.retain(|_| keep.next().unwrap_or(true));
    if rs > 0 {
        notes.push(format!(
            "{} managed by a Deployment left out: the Deployment stands for them",
            count(rs, "ReplicaSet")
        ));
    }
    if jobs > 0 {
        notes.push(format!(
            "{} created by a CronJob left out: the CronJob stands for them",
            count(jobs, "Job")
        ));
    }
}

/// Pods that have finished (phase Succeeded or Failed) run nothing and no policy applies to
/// them; their IP may already belong to another pod. Left out, and counted.
fn leave_out_terminated(objects: &mut Vec<Object>, notes: &mut Vec<String>) {
    let before = objects.len();
    objects.retain(|o| {
        o.kind != "Pod"
            || !matches!(
                o.tree
                    .get("status")
                    .and_then(|s| s.get("phase"))
                    .and_then(Node::as_str),
                Some("Succeeded" | "Failed")
            )
    });
    let left = before - objects.len();
    if left > 0 {
        notes.push(format!(
            "{} left out: terminated (phase Succeeded or Failed)",
            count(left, "Pod")
        ));
    }
}

/// The kind and name of an object's controller (`ownerReferences` with `controller: true`).
fn controller(tree: &Node) -> Option<(&str, &str)> {
    let refs = tree.get("metadata")?.get("ownerReferences")?;
    let moat::yaml::Value::Seq(refs) = &refs.value else {
        return None;
    };
    let r = refs.iter().find(|r| {
        matches!(
            r.get("controller").map(|n| &n.value),
            Some(moat::yaml::Value::Bool(true))
        )
    })?;
    Some((r.get("kind")?.as_str()?, r.get("name")?.as_str()?))
}
