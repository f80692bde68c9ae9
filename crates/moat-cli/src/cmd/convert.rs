//! `moat convert`: v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy to v1alpha2
//! ClusterNetworkPolicy, proved equal with the engine before anything is reported done.

use moat::convert::{convert_all, converted_cluster, prove_equal};
use moat::engine::Engine;
use moat::error::InputError;

use crate::cli::ConvertArgs;
use crate::exit::Failure;
use crate::input;
use crate::stdio::stderr;

pub fn run(args: &ConvertArgs) -> Result<i32, Failure> {
    let loaded = input::load_strict(&args.input)?;
    let cluster = loaded.cluster;
    let deprecated = cluster
        .cluster_policies
        .iter()
        .filter(|p| p.kind.is_deprecated())
        .count();
    if deprecated == 0 {
        stderr!(
            "nothing to convert: the input has no AdminNetworkPolicy or BaselineAdminNetworkPolicy"
        );
        return Ok(0);
    }
    let text = convert_all(&cluster.cluster_policies).map_err(|errs| {
        Failure::Input(
            errs.into_iter()
                .map(|e| InputError::new(None, "", format!("cannot convert {e}")))
                .collect(),
        )
    })?;
    let after = converted_cluster(&cluster, &text)
        .map_err(|ps| Failure::Input(ps.into_iter().map(|p| p.error).collect()))?;
    let before = Engine::new(cluster);
    let after = Engine::new(after);
    let verdict = prove_equal(&before, &after);
    let objects = moat::text::count(deprecated, "v1alpha1 object");
    let out = format!(
        "# Converted by moat convert from {objects} to policy.networking.k8s.io/v1alpha2.\n{text}"
    );
    match &args.out {
        Some(path) => std::fs::write(path, &out).map_err(|e| {
            Failure::Input(vec![InputError::new(
                None,
                "",
                format!("cannot write {}: {e}", path.display()),
            )])
        })?,
        None => crate::stdio::print(&out)?,
    }
    match verdict {
        Ok(proof) => {
            stderr!(
                "converted {objects}; proved equal: the same ports are allowed before and after between all {} pairs of endpoints and external ranges",
                proof.pairs
            );
            Ok(0)
        }
        Err(d) => {
            stderr!(
                "the translation is NOT equal: {} -> {} allows {:?} before and {:?} after",
                d.from,
                d.to,
                d.before,
                d.after
            );
            Ok(1)
        }
    }
}
