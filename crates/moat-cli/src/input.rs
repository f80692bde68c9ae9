//! Reading inputs and turning load problems into the CLI's error report (exit 2).

use std::io::Read;
use std::sync::Arc;

use moat::engine::Engine;
use moat::error::InputError;
use moat::load::{
    collect_files, load_with_documents, read_source, LoadOptions, Loaded, Source, MAX_FILE_BYTES,
};

use crate::cli::InputArgs;
use crate::cluster;
use crate::exit::Failure;

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

/// Load everything (PATHs, and the live cluster with `--cluster`); any problem refuses the
/// whole input, with every problem listed.
pub fn load_strict(args: &InputArgs) -> Result<Loaded, Failure> {
    let sources = read_sources(args)?;
    let trees = cluster::trees(&args.cluster)?;
    let loaded = load_with_documents(
        &sources,
        trees,
        &LoadOptions {
            default_namespace: args.namespace.clone(),
        },
    );
    if !loaded.problems.is_empty() {
        return Err(Failure::Input(
            loaded.problems.into_iter().map(|p| p.error).collect(),
        ));
    }
    if args.verbose {
        for s in &loaded.cluster.skipped {
            eprintln!(
                "skipped: {} {} {} ({})",
                s.api_version, s.kind, s.name, s.span
            );
        }
    }
    Ok(loaded)
}

pub fn engine(args: &InputArgs) -> Result<Engine, Failure> {
    let loaded = load_strict(args)?;
    Ok(engine_from(args, loaded))
}

/// Compile what was loaded, noting the kinds that were skipped.
pub fn engine_from(args: &InputArgs, loaded: Loaded) -> Engine {
    let mut skipped = loaded.cluster.skipped_by_kind();
    // Files that are not Kubernetes objects (expectations, values) are expected in a tree.
    skipped.remove(moat::load::NOT_AN_OBJECT);
    if !skipped.is_empty() && !args.verbose {
        let parts: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let count: usize = skipped.values().sum();
        eprintln!("note: skipped {count} object(s) of kinds moat does not model: {} (--verbose lists them)", parts.join(", "));
    }
    Engine::new(loaded.cluster)
}
