//! Loading manifests: files, directories and text, into a [`Cluster`] plus every
//! [`Problem`] found on the way.

mod charts;
mod cluster_policy;
mod cluster_ports;
mod decode;
mod dedupe;
mod files;
mod lists;
mod meta;
mod node;
mod objects;
mod policy;
mod problem;
mod warning;

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;

pub use files::{collect_files, read_source, Source, MAX_FILE_BYTES};
pub use lists::NOT_AN_OBJECT;
pub use problem::{ObjectRef, Problem, ProblemKind};
pub use warning::{Warning, WarningKind};

use crate::model::Cluster;
use crate::text::count;
use crate::yaml::{parse_document, split_documents, DocResult, Node};

/// Documents parsed at once (in parallel) before they are decoded in file order: enough to
/// keep every core busy, few enough that memory stays that of a batch, not of the input.
const BATCH: usize = 256;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Namespace of objects that name none (`default`, or `--namespace`).
    pub default_namespace: String,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            default_namespace: "default".into(),
        }
    }
}

/// The result of a load: the model and what was wrong. Objects with problems are left out
/// of the model; callers other than `lint` should refuse the whole input when
/// `problems` is not empty, rather than answer from part of it. What was read but not used
/// is in `cluster.skipped`; what the caller must tell the user is in `warnings`.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cluster: Cluster,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Warning>,
    /// Number of documents read (empty ones excluded).
    pub documents: usize,
}

impl Loaded {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Load any number of sources into one cluster. Objects defined twice are all kept (lint
/// reports them); [`Loaded::later_wins`] resolves them as `kubectl apply` would.
pub fn load(sources: &[Source], opts: &LoadOptions) -> Loaded {
    load_with_documents(sources, Vec::new(), opts)
}

/// Load sources and documents that are already trees (objects read from a live cluster,
/// each node's span naming its object) into one cluster. Trees go through the same
/// decoding as parsed text, so both give the same model.
pub fn load_with_documents(
    sources: &[Source],
    trees: impl IntoIterator<Item = Node>,
    opts: &LoadOptions,
) -> Loaded {
    let mut out = Loaded::default();
    // Trees (the live cluster) first, files after: an object in both resolves to the file's,
    // as `kubectl apply` of the files onto the cluster would (see `Loaded::later_wins`).
    let mut loader = objects::Loader {
        cluster: &mut out.cluster,
        default_namespace: opts.default_namespace.clone(),
    };
    for node in trees {
        out.documents += 1;
        let mut ctx = decode::Ctx::new(&mut out.problems);
        loader.document(&mut ctx, &node);
        out.warnings.append(&mut ctx.warnings);
    }
    let (sources, unrendered) = charts::screen(sources);
    out.problems.extend(unrendered.into_iter().map(syntax));
    for src in sources {
        load_into(&mut out, &src.name, &src.text, opts);
    }
    out.cluster.finish();
    summarize(&mut out);
    out
}

/// Convenience for tests and embedders: one text.
pub fn load_str(name: &str, text: &str, opts: &LoadOptions) -> Loaded {
    load(
        &[Source {
            name: Arc::from(name),
            text: text.to_string(),
        }],
        opts,
    )
}

fn syntax(error: crate::error::InputError) -> Problem {
    Problem {
        kind: ProblemKind::Syntax,
        error,
        object: None,
        suggestion: None,
    }
}

fn load_into(out: &mut Loaded, name: &Arc<str>, text: &str, opts: &LoadOptions) {
    // Raw tab characters in JSON can only be whitespace (tabs in strings are escaped),
    // and YAML forbids them in indentation: make JSON acceptable to the YAML parser.
    let text = if name.ends_with(".json") {
        Cow::Owned(text.replace('\t', " "))
    } else {
        Cow::Borrowed(text)
    };
    let mut loader = objects::Loader {
        cluster: &mut out.cluster,
        default_namespace: opts.default_namespace.clone(),
    };
    let chunks = split_documents(&text);
    // Parsing is most of the work and each document parses alone: a batch is parsed in
    // parallel, then decoded in file order, so that the model, the problems and their order
    // are the same for any number of threads. Decoding is sequential: the next batch is
    // parsed while this one is decoded.
    let parse = |batch: &[(u32, &str)]| -> Vec<DocResult> {
        batch
            .par_iter()
            // Each document gets its own copy of the file name: every node's span holds
            // one, and threads sharing one reference count would contend on it.
            .map(|&(offset, chunk)| parse_checked(&Arc::from(&**name), chunk, offset))
            .collect()
    };
    let mut batches = chunks.chunks(BATCH);
    let mut current = batches.next().map(parse);
    while let Some(parsed) = current.take() {
        let following = batches.next();
        let (next, ()) = rayon::join(
            || following.map(parse),
            || {
                for doc in parsed {
                    match doc {
                        Err(e) => out.problems.push(syntax(e)),
                        Ok(None) => {}
                        Ok(Some(node)) => {
                            out.documents += 1;
                            let mut ctx = decode::Ctx::new(&mut out.problems);
                            loader.document(&mut ctx, &node);
                            out.warnings.append(&mut ctx.warnings);
                        }
                    }
                }
            },
        );
        current = next;
    }
}

/// Parse one document; one that holds an unrendered template is refused as such, whether
/// the template broke the YAML or hid inside it.
fn parse_checked(name: &Arc<str>, chunk: &str, offset: u32) -> DocResult {
    let doc = parse_document(name, chunk, offset);
    if !chunk.contains("{{") {
        return doc;
    }
    let templated = match &doc {
        Err(_) => true,
        Ok(Some(node)) => charts::looks_templated(node),
        Ok(None) => false,
    };
    match charts::template_error(name, chunk, offset) {
        Some(e) if templated => Err(e),
        _ => doc,
    }
}

/// One warning when the inputs cannot answer the question users ask of them: policies with
/// nothing to select, or no policy at all (everything is allowed).
fn summarize(out: &mut Loaded) {
    // Objects with problems were left out of the model: counting what remains would blame
    // the inputs for what the problems already say (and refuse, outside lint).
    if !out.problems.is_empty() {
        return;
    }
    let c = &out.cluster;
    // Cluster-scoped policies (ANP, BANP, ClusterNetworkPolicy) are policies too.
    let (policies, endpoints) = (
        c.policies.len() + c.cluster_policies.len(),
        c.endpoints.len(),
    );
    let workloads = if endpoints == 1 {
        "1 Pod or workload".to_string()
    } else {
        format!("{endpoints} Pods and workloads")
    };
    let message = if policies > 0 && endpoints == 0 {
        format!("the inputs hold {} but no Pod or workload: there is nothing for them to select (add the workloads' manifests)", count(policies, "policy"))
    } else if policies == 0 && endpoints > 0 {
        format!("the inputs hold {workloads} but no policy: every connection is allowed")
    } else if policies == 0 {
        "the inputs hold no policy and no Pod or workload: there is nothing to evaluate".to_string()
    } else {
        return;
    };
    let kind = if policies == 0 {
        WarningKind::NoPolicies
    } else {
        WarningKind::NoWorkloads
    };
    out.warnings.push(Warning {
        kind,
        span: None,
        message,
    });
}
