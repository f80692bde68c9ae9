//! `moat gen --cluster-baseline`: the platform baseline as ClusterNetworkPolicies.

use moat::gen::{cluster_baseline, Dns};

use super::gen::{bad, read_plan, write_all};
use crate::cli::GenArgs;
use crate::exit::Failure;
use crate::stdio::{self, stderr};

pub fn run(args: &GenArgs) -> Result<i32, Failure> {
    let (dns, files) = if args.intents.is_empty() {
        (Dns::default(), Vec::new())
    } else {
        let plan = read_plan(&args.intents)?;
        match plan.dns {
            Some(d) => (d, plan.files),
            None => {
                return Err(bad(
                    "the intent turns DNS off; the cluster baseline always allows DNS".into(),
                ))
            }
        }
    };
    let text = cluster_baseline(&dns, &files);
    match &args.output {
        Some(dir) => {
            let path = dir.join("cluster-baseline.yaml");
            write_all(&[(path.clone(), text)], args.force)?;
            stderr!("wrote {}", path.display());
        }
        None => stdio::print(&text)?,
    }
    Ok(0)
}
