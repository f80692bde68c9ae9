//! Loading manifests: files, directories and text, into a [`Cluster`] plus every
//! [`Problem`] found on the way.

mod decode;
mod files;
mod objects;
mod policy;
mod problem;

use std::borrow::Cow;
use std::sync::Arc;

pub use files::{collect_files, read_source, Source, MAX_FILE_BYTES};
pub use objects::NOT_AN_OBJECT;
pub use problem::{ObjectRef, Problem, ProblemKind};

use crate::model::Cluster;
use crate::yaml::{documents, Node};

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
/// `problems` is not empty, rather than answer from part of it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cluster: Cluster,
    pub problems: Vec<Problem>,
    /// Number of documents read (empty ones excluded).
    pub documents: usize,
}

impl Loaded {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Load any number of sources into one cluster.
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
    for src in sources {
        load_into(&mut out, &src.name, &src.text, opts);
    }
    let mut loader = objects::Loader {
        cluster: &mut out.cluster,
        default_namespace: opts.default_namespace.clone(),
    };
    for node in trees {
        out.documents += 1;
        let mut ctx = decode::Ctx::new(&mut out.problems);
        loader.document(&mut ctx, &node, 0);
    }
    out.cluster.finish();
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
    // One document at a time: each tree is decoded and dropped before the next is parsed.
    for doc in documents(name, &text) {
        match doc {
            Err(e) => out.problems.push(Problem {
                kind: ProblemKind::Syntax,
                error: e,
                object: None,
                suggestion: None,
            }),
            Ok(None) => {}
            Ok(Some(node)) => {
                out.documents += 1;
                let mut ctx = decode::Ctx::new(&mut out.problems);
                loader.document(&mut ctx, &node, 0);
            }
        }
    }
}
