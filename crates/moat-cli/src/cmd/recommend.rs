//! `moat recommend`: policies (or an intent) allowing exactly the connections seen in
//! Hubble flow logs, written by `moat gen`'s writer; what was left out, on stderr.

use std::path::PathBuf;

use moat::flows::{expectations, intent_text, RecommendOptions, Recommendation, Recommender};
use moat::gen::{policy_files, policy_stream};

use super::flows_input::{lines_text, one_stdin, read_flows};
use super::gen::write_all;
use crate::cli::RecommendArgs;
use crate::exit::Failure;
use crate::input;
use crate::stdio::{self, stderr};

pub fn run(args: &RecommendArgs) -> Result<i32, Failure> {
    one_stdin(&args.flows, &args.input.paths)?;
    let engine = input::engine(&args.input)?;
    let mut rec = Recommender::new(
        &engine,
        RecommendOptions {
            group_cidrs: args.group_cidrs,
            isolate_system: args.isolate_system,
        },
    );
    let counts = read_flows(&args.flows, |f| rec.observe(f))?;
    let result = rec.finish();
    let mut outputs: Vec<(PathBuf, String)> = Vec::new();
    let mut stdout = None;
    match (&args.output, &args.intent) {
        (Some(dir), _) => {
            for f in policy_files(&result.plan) {
                outputs.push((dir.join(format!("{}.yaml", f.namespace)), f.text));
            }
        }
        (None, Some(path)) => outputs.push((path.clone(), intent_text(&result))),
        (None, None) => stdout = Some(policy_stream(&result.plan)),
    }
    if let Some(p) = &args.expect {
        outputs.push((p.clone(), expectations(&result)));
    }
    write_all(&outputs, args.force)?;
    if let Some(text) = stdout {
        stdio::print(&text)?;
    }
    stdio::eprint(format_args!("{}", lines_text(&counts)));
    stdio::eprint(format_args!("{}", summary_text(&result)));
    for (path, _) in &outputs {
        stderr!("wrote {}", path.display());
    }
    Ok(0)
}

/// What the recommendation rests on and what it left out.
pub fn summary_text(r: &Recommendation) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let dns = r.allowed.iter().filter(|a| a.dns).count();
    out.push_str(&format!(
        "{} flows used: {} connections allowed ({} by allow-dns) in {} namespaces: {}\n",
        s.used,
        r.allowed.len(),
        dns,
        r.plan.namespaces.len(),
        r.plan
            .namespaces
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let skipped: u64 = s.skipped.values().sum();
    if skipped > 0 {
        out.push_str(&format!("{skipped} flows left out:\n"));
        for (why, n) in &s.skipped {
            out.push_str(&format!("  {n:>6}  {why}\n"));
        }
    }
    const LISTED: usize = 20;
    for (pod, n) in s.unknown_pods.iter().take(LISTED) {
        out.push_str(&format!("  not in the manifests: {pod} ({n} flows)\n"));
    }
    if s.unknown_pods.len() > LISTED {
        out.push_str(&format!(
            "  ... and {} more pods not in the manifests\n",
            s.unknown_pods.len() - LISTED
        ));
    }
    if s.service_addresses > 0 {
        out.push_str(&format!(
            "{} flows to a Service address taken to the workload it selects\n",
            s.service_addresses
        ));
    }
    for m in &s.service_ports {
        out.push_str(&format!("service port mapped to the pod's port: {m}\n"));
    }
    if r.allowed.is_empty() {
        out.push_str("nothing observed to allow: no policy written\n");
    }
    for w in &s.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}
