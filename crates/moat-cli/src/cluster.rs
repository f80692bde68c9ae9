//! The live cluster as an input: connection flags to options, the read, and what the user
//! is told about it (on stderr: what was read, what was left out).

use moat::load::Source;
use moat::yaml::Node;

use crate::cluster_args::ClusterArgs;
use crate::exit::Failure;

/// The trees, and the objects' YAML texts for code frames (named like the trees' spans).
pub fn trees_and_texts(args: &ClusterArgs) -> Result<(Vec<Node>, Vec<Source>), Failure> {
    if !args.cluster {
        if args.connect.any() {
            return Err(Failure::Cluster(
                "--context, --kubeconfig, --cluster-ns, -A and --request-timeout need --cluster"
                    .into(),
            ));
        }
        return Ok(Default::default());
    }
    #[cfg(feature = "live")]
    return Ok(read(&args.connect)?.into_trees_and_texts());
    #[cfg(not(feature = "live"))]
    return Err(without_live());
}

/// The error of a build without the cluster client.
#[cfg(not(feature = "live"))]
pub fn without_live() -> Failure {
    Failure::Cluster(
        "this moat was built without the `live` feature: it cannot read a cluster".into(),
    )
}

#[cfg(feature = "live")]
pub use live::read;

#[cfg(feature = "live")]
mod live {
    use std::collections::BTreeMap;

    use moat_live::{read_cluster, ClusterOptions, ClusterRead};

    use super::*;
    use crate::cluster_args::ConnectArgs;

    /// Read the cluster, and say on stderr what was read and what was left out.
    pub fn read(args: &ConnectArgs) -> Result<ClusterRead, Failure> {
        let mut opts = ClusterOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            namespaces: args.cluster_ns.clone(),
            ..ClusterOptions::default()
        };
        if let Some(t) = args.request_timeout {
            opts.timeout = t;
        }
        let read = read_cluster(&opts).map_err(|e| Failure::Cluster(e.to_string()))?;
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for o in &read.objects {
            *by_kind.entry(o.kind).or_default() += 1;
        }
        let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let s = &read.stats;
        crate::stdio::stderr!(
            "note: read {} from {} ({}) in {}, {:.2} s",
            moat::text::count(read.objects.len(), "object"),
            read.server,
            if kinds.is_empty() {
                "nothing".to_string()
            } else {
                kinds.join(", ")
            },
            moat::text::count(s.requests as usize, "request"),
            s.elapsed.as_secs_f64()
        );
        for n in &read.notes {
            crate::stdio::stderr!("note: {n}");
        }
        Ok(read)
    }
}
