//! Reading inputs and turning load problems into the CLI's error report (exit 2).

use std::io::Read;
use std::sync::Arc;

use moat::engine::Engine;
use moat::error::InputError;
use moat::load::{
    collect_files, load, load_with_documents, read_source, LoadOptions, Loaded, Source,
    MAX_FILE_BYTES,
};
use moat::model::SkipReason;

use crate::cli::InputArgs;
use crate::cluster;
use crate::exit::Failure;
use crate::stdio::stderr;
use moat::text::count;

/// Read every PATH (and stdin for `-`).
pub fn read_sources(args: &InputArgs) -> Result<Vec<Source>, Failure> {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for p in &args.paths {
        if p.as_os_str() == "-" {
            let mut buf = Vec::new();
            let res = std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut buf);
            match res.map_err(|e| e.to_string()).and_then(|_| {
                if buf.len() as u64 > MAX_FILE_BYTES {
                    Err(format!("more than {MAX_FILE_BYTES} bytes"))
                } else {
                    String::from_utf8(buf).map_err(|_| "not UTF-8 text".to_string())
                }
            }) {
                Ok(text) => sources.push(Source {
                    name: Arc::from("<stdin>"),
                    text,
                }),
                Err(e) => errors.push(InputError::new(None, "", format!("<stdin>: {e}"))),
            }
            continue;
        }
        match collect_files(std::slice::from_ref(p)) {
            Err(e) => errors.push(e),
            Ok(files) => {
                if files.is_empty() {
                    errors.push(InputError::new(
                        None,
                        "",
                        format!("{}: no .yaml, .yml or .json files", p.display()),
                    ));
                }
                for f in files {
                    match read_source(&f) {
                        Ok(s) => sources.push(s),
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(sources)
    } else {
        Err(Failure::Input(errors))
    }
}

/// Read every PATH and, with `--cluster`, the live cluster. The cluster's objects arrive as
/// trees (their spans name the objects); their YAML texts join the sources for code frames.
fn read_and_load(args: &InputArgs) -> Result<(Vec<Source>, Loaded), Failure> {
    let mut sources = read_sources(args)?;
    let (trees, texts) = cluster::trees_and_texts(&args.cluster)?;
    let loaded = load_with_documents(
        &sources,
        trees,
        &LoadOptions {
            default_namespace: args.namespace.clone(),
        },
    );
    sources.extend(texts);
    Ok((sources, loaded))
}

fn load_text(args: &InputArgs, sources: &[Source]) -> Loaded {
    load(
        sources,
        &LoadOptions {
            default_namespace: args.namespace.clone(),
        },
    )
}

/// With `--strict`, refuse what was skipped or warned about; otherwise note it on stderr.
fn strict_or_note(args: &InputArgs, loaded: &Loaded) -> Result<(), Failure> {
    if args.strict {
        let errors = strict_errors(loaded);
        if !errors.is_empty() {
            return Err(Failure::Input(errors));
        }
    }
    report_unused(args, loaded);
    for w in &loaded.warnings {
        stderr!("warning: {w}");
    }
    Ok(())
}

/// Read and load every PATH, keeping the load problems for the caller (lint reports them
/// as findings) and objects defined twice (lint reports those too). What was not used is
/// noted on stderr, or refused with `--strict`.
pub fn load_all(args: &InputArgs) -> Result<(Vec<Source>, Loaded), Failure> {
    let (sources, loaded) = read_and_load(args)?;
    strict_or_note(args, &loaded)?;
    Ok((sources, loaded))
}

/// Load everything; any problem refuses the whole input, with every problem listed.
pub fn load_strict(args: &InputArgs) -> Result<Loaded, Failure> {
    load_strict_with_sources(args).map(|(_, loaded)| loaded)
}

/// [`load_strict`], also handing back the sources read (for code frames).
pub fn load_strict_with_sources(args: &InputArgs) -> Result<(Vec<Source>, Loaded), Failure> {
    let (sources, loaded) = read_and_load(args)?;
    Ok((sources, refuse_problems(args, loaded)?))
}

/// Load sources read elsewhere (a git revision) with the same flags and checks.
pub fn load_sources(args: &InputArgs, sources: &[Source]) -> Result<Loaded, Failure> {
    refuse_problems(args, load_text(args, sources))
}

/// Any problem refuses the whole input. Objects defined twice resolve as `kubectl apply`
/// would (the later wins, with a warning). Warnings and the count of documents not used go
/// to stderr; with `--strict` they refuse the input too.
fn refuse_problems(args: &InputArgs, mut loaded: Loaded) -> Result<Loaded, Failure> {
    if !loaded.problems.is_empty() {
        return Err(Failure::Input(
            loaded
                .problems
                .into_iter()
                .map(|p| name_command(p.error))
                .collect(),
        ));
    }
    loaded.later_wins();
    strict_or_note(args, &loaded)?;
    Ok(loaded)
}

/// The library's advice to render charts says `moat <command> -`: name the command run.
fn name_command(mut e: InputError) -> InputError {
    const PLACEHOLDER: &str = "moat <command> -";
    if e.message.contains(PLACEHOLDER) {
        // The subcommand is always the first argument (moat has no global options).
        if let Some(cmd) = std::env::args()
            .nth(1)
            .filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase()))
        {
            e.message = e.message.replace(PLACEHOLDER, &format!("moat {cmd} -"));
        }
    }
    e
}

/// `--strict`: every document not used (moat's own files next to the manifests aside) and
/// every warning is an error.
fn strict_errors(loaded: &Loaded) -> Vec<InputError> {
    let mut errors: Vec<InputError> = loaded
        .cluster
        .skipped
        .iter()
        .filter(|s| s.reason != SkipReason::MoatFile)
        .map(|s| {
            let name = if s.name.is_empty() {
                String::new()
            } else {
                format!(" {}", s.name)
            };
            InputError::new(
                Some(s.span.clone()),
                "",
                format!("{}{name} is not used (--strict)", s.label()),
            )
        })
        .collect();
    errors.extend(
        loaded
            .warnings
            .iter()
            .map(|w| InputError::new(w.span.clone(), "", format!("{} (--strict)", w.message))),
    );
    errors
}

/// Every document read but not used, counted by kind on one line (each listed with
/// `--verbose`).
pub fn report_unused(args: &InputArgs, loaded: &Loaded) {
    let skipped = &loaded.cluster.skipped;
    if skipped.is_empty() {
        return;
    }
    if args.verbose {
        for s in skipped {
            let mut line = format!("skipped: {}: {}", s.span, s.label());
            if !s.name.is_empty() {
                line.push(' ');
                line.push_str(&s.name);
            }
            if !s.api_version.is_empty() && s.reason != SkipReason::UnknownApiVersion {
                line.push_str(&format!(" ({})", s.api_version));
            }
            stderr!("{line}");
        }
        return;
    }
    // moat's own files are not counted (`--verbose` lists them).
    let by_kind = loaded.cluster.skipped_by_kind();
    if by_kind.is_empty() {
        return;
    }
    let n: usize = by_kind.values().sum();
    let parts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    stderr!(
        "note: {} not used: {} (--verbose lists them)",
        count(n, "document"),
        parts.join(", ")
    );
}

pub fn engine(args: &InputArgs) -> Result<Engine, Failure> {
    let loaded = load_strict(args)?;
    Ok(engine_from(args, loaded))
}

/// Compile what was loaded, noting what the tiers cannot decide offline.
pub fn engine_from(_args: &InputArgs, loaded: Loaded) -> Engine {
    let engine = Engine::new(loaded.cluster);
    for caveat in engine.tier_caveats() {
        stderr!("note: {caveat}");
    }
    engine
}
