//! `moat gen --cluster-baseline`: the platform baseline as ClusterNetworkPolicies.

use moat::gen::cluster_baseline;

use super::gen::{baseline_dns, write_one};
use crate::cli::GenArgs;
use crate::exit::Failure;

pub fn run(args: &GenArgs) -> Result<i32, Failure> {
    let (dns, files) = baseline_dns(args, "the cluster baseline")?;
    write_one(
        args,
        "cluster-baseline.yaml",
        cluster_baseline(&dns, &files),
    )
}
