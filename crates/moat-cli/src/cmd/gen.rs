//! `moat gen`: policies from an intent; or a draft intent (`--from`); or a Kyverno
//! baseline (`--kyverno`). Files are written atomically, and a file moat did not write
//! is never overwritten without `--force`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use moat::error::InputError;
use moat::gen::{
    check_workloads, draft, expectations, is_managed, kyverno_policy, parse_intents, policy_files,
    policy_stream, workloads, Dns, IntentSource, Plan,
};

use crate::cli::{GenArgs, InputArgs};
use crate::exit::Failure;
use crate::input;
use crate::stdio::{self, stderr};

pub(super) fn bad(msg: String) -> Failure {
    Failure::Input(vec![InputError::new(None, "", msg)])
}

pub fn run(args: &GenArgs) -> Result<i32, Failure> {
    if !args.from.is_empty() {
        return run_draft(args);
    }
    if args.kyverno {
        return run_kyverno(args);
    }
    if args.cluster_baseline {
        return super::gen_cluster_baseline::run(args);
    }
    if args.monitoring {
        return run_monitoring(args);
    }
    if args.intents.is_empty() {
        return Err(bad("no intent file given (try `moat gen --help`)".into()));
    }
    let plan = read_plan(&args.intents)?;
    if !args.with.is_empty() {
        let cluster = load_manifests(args, &args.with)?;
        let errors = check_workloads(&plan, &cluster);
        if !errors.is_empty() {
            return Err(Failure::Input(errors));
        }
    }
    let mut outputs: Vec<(PathBuf, String)> = Vec::new();
    let mut stdout = None;
    match &args.output {
        Some(dir) => {
            for f in policy_files(&plan) {
                outputs.push((dir.join(format!("{}.yaml", f.namespace)), f.text));
            }
        }
        None => stdout = Some(policy_stream(&plan)),
    }
    if let Some(p) = &args.expect {
        outputs.push((p.clone(), expectations(&plan)));
    }
    if let Some(p) = &args.workloads {
        outputs.push((p.clone(), workloads(&plan)));
    }
    write_all(&outputs, args.force).map_err(|f| match (f, &stdout) {
        // The policy stream waits for the files: it was not written either.
        (
            Failure::Output {
                errors,
                written,
                mut not_written,
            },
            Some(_),
        ) => {
            not_written.push("the policies for stdout".into());
            Failure::Output {
                errors,
                written,
                not_written,
            }
        }
        (f, _) => f,
    })?;
    if let Some(text) = stdout {
        stdio::print(&text)?;
    }
    for (path, _) in &outputs {
        stderr!("wrote {}", path.display());
    }
    Ok(0)
}

fn run_draft(args: &GenArgs) -> Result<i32, Failure> {
    if !args.intents.is_empty() {
        return Err(bad(
            "--from drafts an intent from manifests: give no INTENT with it".into(),
        ));
    }
    let cluster = load_manifests(args, &args.from)?;
    let names: Vec<String> = args.from.iter().map(|p| p.display().to_string()).collect();
    let text = draft(&moat::engine::Engine::new(cluster), &names);
    match &args.output {
        Some(dir) => {
            let path = dir.join("intent.yaml");
            write_all(&[(path.clone(), text)], args.force)?;
            stderr!("wrote {}", path.display());
        }
        None => stdio::print(&text)?,
    }
    Ok(0)
}

fn run_monitoring(args: &GenArgs) -> Result<i32, Failure> {
    if !args.intents.is_empty() {
        return Err(bad(
            "--monitoring writes a PrometheusRule: give no INTENT with it".into(),
        ));
    }
    let text = moat::gen::prometheus_rule(&args.rule_namespace);
    write_one(args, "prometheusrule.yaml", text)
}

fn run_kyverno(args: &GenArgs) -> Result<i32, Failure> {
    let (dns, files) = baseline_dns(args, "the Kyverno baseline")?;
    write_one(
        args,
        "kyverno-clusterpolicy.yaml",
        kyverno_policy(&dns, &files),
    )
}

/// The DNS servers (and intent files) a baseline allows: the intent's, or the default. A
/// baseline always allows DNS, so an intent turning it off is refused.
pub(super) fn baseline_dns(args: &GenArgs, what: &str) -> Result<(Dns, Vec<String>), Failure> {
    if args.intents.is_empty() {
        return Ok((Dns::default(), Vec::new()));
    }
    let plan = read_plan(&args.intents)?;
    match plan.dns {
        Some(d) => Ok((d, plan.files)),
        None => Err(bad(format!(
            "the intent turns DNS off; {what} always allows DNS"
        ))),
    }
}

/// One generated file: `DIR/name` with `-o DIR` (never over a file moat did not write,
/// unless --force), else stdout.
pub(super) fn write_one(args: &GenArgs, name: &str, text: String) -> Result<i32, Failure> {
    match &args.output {
        Some(dir) => {
            let path = dir.join(name);
            write_all(&[(path.clone(), text)], args.force)?;
            stderr!("wrote {}", path.display());
        }
        None => stdio::print(&text)?,
    }
    Ok(0)
}

pub(super) fn read_plan(paths: &[PathBuf]) -> Result<Plan, Failure> {
    let mut texts = Vec::new();
    for p in paths {
        let source = moat::load::read_source(p).map_err(|e| Failure::Input(vec![e]))?;
        texts.push(source);
    }
    let sources: Vec<IntentSource> = texts
        .iter()
        .map(|s| IntentSource {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    parse_intents(&sources).map_err(Failure::Input)
}

/// --from and --with manifests, through the shared input path (`InputArgs`), so that the
/// flags of every other command mean the same here.
fn load_manifests(args: &GenArgs, paths: &[PathBuf]) -> Result<moat::model::Cluster, Failure> {
    let input = InputArgs {
        paths: paths.to_vec(),
        namespace: args.namespace.clone(),
        verbose: args.verbose,
        strict: false,
        cluster: Default::default(),
    };
    Ok(input::load_strict(&input)?.cluster)
}

/// Check every target first (so a refusal writes nothing), then write each atomically. A
/// failure says which files were written and which were not.
pub(crate) fn write_all(outputs: &[(PathBuf, String)], force: bool) -> Result<(), Failure> {
    let shown = |ps: &[(PathBuf, String)]| -> Vec<String> {
        ps.iter().map(|(p, _)| p.display().to_string()).collect()
    };
    let errors: Vec<String> = outputs
        .iter()
        .filter_map(|(path, _)| may_write(path, force).err())
        .collect();
    if !errors.is_empty() {
        return Err(Failure::Output {
            errors,
            written: Vec::new(),
            not_written: shown(outputs),
        });
    }
    for (i, (path, text)) in outputs.iter().enumerate() {
        if let Err(e) = write_atomic(path, text) {
            return Err(Failure::Output {
                errors: vec![format!("{}: {e}", path.display())],
                written: shown(&outputs[..i]),
                not_written: shown(&outputs[i..]),
            });
        }
    }
    Ok(())
}

fn may_write(path: &Path, force: bool) -> Result<(), String> {
    if force {
        return Ok(());
    }
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
        Ok(bytes) if is_managed(&String::from_utf8_lossy(&bytes)) => Ok(()),
        Ok(_) => Err(format!(
            "{}: refusing to overwrite a file moat did not write (it lacks the `# Generated by moat gen` header); use --force",
            path.display()
        )),
    }
}

/// Write to a temporary file in the same directory, then rename over the target: a
/// reader sees the old file or the new one, never half of one.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.moat-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
