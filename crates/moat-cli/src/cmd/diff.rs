//! `moat diff`: load both sides (in parallel), compare their matrices, write, and gate.

use std::path::Path;
use std::time::Instant;

use moat::check::parse_expectations;
use moat::diff::{diff, Mode, Options};
use moat::engine::Engine;
use moat::load::read_source;
use moat::matrix::{GroupBy, Matrix};

use crate::cli::{DiffArgs, DiffFormat, InputArgs, MatrixGroup};
use crate::endpoint_arg::bad;
use crate::exit::Failure;
use crate::git;
use crate::input;
use crate::output::diff_report::{fails, Gate, Report};
use crate::output::{diff_csv, diff_json, diff_md, diff_text};
use crate::stdio::{self, stderr};

pub const HELP: &str = "\
Every connection of the two matrices (as `moat matrix` computes them, in the same view) is
compared: added (new only), removed (old only), changed (ports opened or closed, or member
pairs gained or lost). Each entry names one member flow that shows the change, the policies
deciding it on each side, and the policies and workloads whose change caused it. Endpoints
are matched by namespace, kind and name; external ranges are compared on the common
refinement of both sides' ipBlocks.

Exit status: 0, or 1 when --fail-on finds a change of its kind; 2 on bad input.

Examples:
  moat diff old/ new/
  moat diff --base origin/main k8s/                      # the PR against its base
  moat diff --base origin/main k8s/ -o md > comment.md   # a PR comment
  moat diff --base origin/main k8s/ --fail-on opened --allow k8s/expect.yaml
  kubectl get netpol,deploy,pods,ns -A -o yaml | moat diff snapshot.yaml -
  moat diff --cluster k8s/                               # what applying k8s/ to the cluster would change";

/// The same flags, another path.
fn with_paths(args: &InputArgs, paths: Vec<std::path::PathBuf>) -> InputArgs {
    let mut a = args.clone();
    a.paths = paths;
    a
}

fn engine_of(
    args: &InputArgs,
    sources: Option<Vec<moat::load::Source>>,
) -> Result<Engine, Failure> {
    let loaded = match sources {
        None => input::load_strict(args)?,
        Some(s) => input::load_sources(args, &s)?,
    };
    Ok(input::engine_from(args, loaded))
}

fn describe(p: &Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        p.display().to_string()
    }
}

pub fn run(args: &DiffArgs) -> Result<i32, Failure> {
    let t0 = Instant::now();
    let paths = &args.input.paths;
    // The old side: another path, or the same paths at REV.
    let live = args.input.cluster.cluster;
    let (old_args, old_sources, new_args, old_name, new_name) = match &args.base {
        // The live cluster is the old side: what the change would do to what runs.
        None if live => {
            if paths.is_empty() {
                return Err(bad(
                    "moat diff --cluster takes the NEW paths to compare with the cluster"
                        .to_string(),
                ));
            }
            // The new side is the cluster with the paths applied onto it: an object in both
            // is the file's (the loader reads files after the cluster, and the later wins).
            let names: Vec<String> = paths.iter().map(|p| describe(p)).collect();
            (
                with_paths(&args.input, Vec::new()),
                None,
                with_paths(&args.input, paths.clone()),
                "cluster".to_string(),
                format!("cluster + {}", names.join(",")),
            )
        }
        Some(_) if live => {
            return Err(bad(
                "--base and --cluster both name the old side: give one".to_string()
            ))
        }
        None => {
            if paths.len() != 2 {
                return Err(bad(format!(
                    "moat diff takes OLD and NEW (got {} path(s)); or --base REV with the paths to compare",
                    paths.len()
                )));
            }
            if paths[0].as_os_str() == "-" && paths[1].as_os_str() == "-" {
                return Err(bad("only one side can be `-` (stdin)".to_string()));
            }
            (
                with_paths(&args.input, vec![paths[0].clone()]),
                None,
                with_paths(&args.input, vec![paths[1].clone()]),
                describe(&paths[0]),
                describe(&paths[1]),
            )
        }
        Some(rev) => {
            let (sources, notes) = git::sources_at(rev, paths)?;
            for n in &notes {
                stderr!("note: {n}");
            }
            let names: Vec<String> = paths.iter().map(|p| describe(p)).collect();
            (
                with_paths(&args.input, paths.clone()),
                Some(sources),
                with_paths(&args.input, paths.clone()),
                format!("{rev}:{}", names.join(",")),
                names.join(","),
            )
        }
    };
    let allow = match &args.allow {
        None => Vec::new(),
        Some(p) => {
            let src = read_source(p).map_err(|e| Failure::Input(vec![e]))?;
            parse_expectations(&src.name, &src.text).map_err(Failure::Input)?
        }
    };

    // Both sides at once: loading is most of the time.
    let (old, new) = std::thread::scope(|s| {
        let old_sources = old_sources;
        let h = s.spawn(|| engine_of(&old_args, old_sources));
        let new = engine_of(&new_args, None);
        let old = h
            .join()
            .unwrap_or_else(|_| Err(bad("loading the old side failed".to_string())));
        (old, new)
    });
    let (old, new) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(Failure::Input(mut a)), Err(Failure::Input(b))) => {
            a.extend(b);
            return Err(Failure::Input(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let t_load = t0.elapsed();

    let t1 = Instant::now();
    let (mo, mn) = std::thread::scope(|s| {
        let h = s.spawn(|| Matrix::new(&old, &[]));
        let mn = Matrix::new(&new, &[]);
        (h.join(), mn)
    });
    let mo = mo.map_err(|_| bad("compiling the old side failed".to_string()))?;
    let t_compile = t1.elapsed();
    let by = match args.group {
        MatrixGroup::Workload => GroupBy::Workload,
        MatrixGroup::Pod => GroupBy::Pod,
        MatrixGroup::Namespace => GroupBy::Namespace,
    };
    let t2 = Instant::now();
    let d = diff(
        &mo,
        &mn,
        &Options {
            by,
            mode: if args.full {
                Mode::Full
            } else {
                Mode::Incremental
            },
            allow: &allow,
        },
    )
    .map_err(Failure::Input)?;
    let t_diff = t2.elapsed();

    let gate = Gate {
        fail_on: args.fail_on,
        failing: args
            .fail_on
            .map_or(0, |f| d.entries().filter(|e| fails(e, f)).count()),
        excused: d.entries().filter(|e| e.excused).count(),
    };
    let report = Report {
        diff: &d,
        old: old_name,
        new: new_name,
        gate,
    };
    if args.stats {
        if d.mode == Mode::Full && !args.full {
            stderr!("note: a tier other than NetworkPolicy decides: both matrices computed whole");
        }
        for (side, w) in ["old", "new"].iter().zip(&d.work) {
            stderr!(
                "{side}: {} of {} source groups computed in full, {} towards {} changed destination groups",
                w.full_rows, w.groups, w.column_rows, w.columns
            );
        }
        stderr!(
            "time: load {:.1} ms, compile {:.1} ms, diff {:.1} ms",
            t_load.as_secs_f64() * 1e3,
            t_compile.as_secs_f64() * 1e3,
            t_diff.as_secs_f64() * 1e3
        );
    }
    stdio::with_stdout(|out| match args.output {
        DiffFormat::Text => diff_text::write(out, &report),
        DiffFormat::Json => diff_json::write(out, &report),
        DiffFormat::Md => diff_md::write(out, &report),
        DiffFormat::Csv => diff_csv::write(out, &report),
    })?;
    let code = i32::from(report.gate.failed());
    // Freeing both models and matrices is measurable on large inputs, and the process
    // ends here.
    std::mem::forget((mo, mn));
    std::mem::forget((old, new));
    Ok(code)
}
