//! Documents to objects: Kubernetes lists and documents that hold no object.
//!
//! A generic `List` (what `kubectl get -o yaml|json` prints) holds items that carry their own
//! `kind` and `apiVersion`. A typed `<Kind>List` (what the API server returns for
//! `GET /api/v1/pods`: `PodList`, `NetworkPolicyList`, `AdminNetworkPolicyList`, ...) holds
//! items that carry neither: the item kind is the list kind minus `List`, the apiVersion the
//! list's. Lists nest. Nothing read is dropped silently: every document or item that is not
//! used is recorded in `Cluster::skipped` with its position and why.

use std::borrow::Cow;

use super::decode::{index, join, Ctx};
use super::objects::Loader;
use super::problem::ProblemKind;
use crate::model::{SkipReason, SkippedObject};
use crate::yaml::{Node, Value};

/// The kind under which documents that are not Kubernetes objects are counted.
pub const NOT_AN_OBJECT: &str = "(not a Kubernetes object)";

/// Deepest `List` nesting followed.
const MAX_LIST_DEPTH: usize = 8;

/// The kind and apiVersion a typed list gives its items.
#[derive(Clone, Copy)]
struct Inherited<'a> {
    kind: &'a str,
    api_version: &'a str,
}

impl Loader<'_> {
    /// One top-level document of a file.
    pub fn document(&mut self, ctx: &mut Ctx, doc: &Node) {
        self.entry(ctx, doc, "", None, 0);
    }

    /// A document or a list item (`path` is where it is, `items[3]`, for messages).
    fn entry(
        &mut self,
        ctx: &mut Ctx,
        doc: &Node,
        path: &str,
        inherited: Option<Inherited>,
        depth: usize,
    ) {
        ctx.object = None;
        if !matches!(doc.value, Value::Map(_)) {
            let what = format!("(not a mapping: {})", doc.type_name());
            self.skip(doc, String::new(), what, None, SkipReason::NotAMapping);
            return;
        }
        let field = |f: &str| join(path, f);
        let own_kind = doc.get("kind").and_then(|n| ctx.string(n, &field("kind")));
        let own_api = doc
            .get("apiVersion")
            .and_then(|n| ctx.string(n, &field("apiVersion")));
        let api_version = own_api
            .clone()
            .or_else(|| inherited.map(|i| i.api_version.to_string()))
            .unwrap_or_default();
        let kind = match (own_kind, inherited) {
            (Some(k), _) => k,
            (None, Some(i)) => i.kind.to_string(),
            (None, None) => {
                if depth > 0 {
                    // An item of a generic `List` must say what it is.
                    self.skip(
                        doc,
                        api_version,
                        "(list item without kind)".into(),
                        None,
                        SkipReason::NoKind,
                    );
                } else if own_api.is_none() {
                    // Neither apiVersion nor kind: not a Kubernetes object at all (a values
                    // file, moat's own expectations next to the manifests).
                    let (what, reason) = not_an_object(doc);
                    self.skip(doc, String::new(), what.into(), None, reason);
                } else {
                    ctx.report(
                        ProblemKind::Syntax,
                        doc,
                        &field("kind"),
                        "`kind` is missing",
                    );
                }
                return;
            }
        };
        if kind == "List" || (kind.ends_with("List") && doc.get("items").is_some()) {
            self.list(ctx, doc, path, &kind, &api_version, depth);
            return;
        }
        self.object(ctx, doc, kind, api_version);
    }

    fn list(
        &mut self,
        ctx: &mut Ctx,
        doc: &Node,
        path: &str,
        kind: &str,
        api_version: &str,
        depth: usize,
    ) {
        let items_path = join(path, "items");
        if depth >= MAX_LIST_DEPTH {
            ctx.report(
                ProblemKind::Syntax,
                doc,
                &items_path,
                format!("Lists nested more than {MAX_LIST_DEPTH} deep"),
            );
            return;
        }
        let inherited = match kind.strip_suffix("List") {
            Some(item) if !item.is_empty() => Some(Inherited {
                kind: item,
                api_version,
            }),
            _ => None,
        };
        let Some(items) = doc.get("items") else {
            return;
        };
        for (i, item) in ctx.seq(items, &items_path).iter().enumerate() {
            self.entry(ctx, item, &index(&items_path, i), inherited, depth + 1);
        }
    }

    /// Record a document or item that is not used, its text with controls escaped.
    pub(crate) fn skip(
        &mut self,
        doc: &Node,
        api_version: String,
        kind: String,
        name: Option<String>,
        reason: SkipReason,
    ) {
        let escaped = |s: &str| escape_control(s).into_owned();
        self.cluster.skipped.push(SkippedObject {
            api_version: escaped(&api_version),
            kind: escaped(&kind),
            name: name.as_deref().map(escaped).unwrap_or_default(),
            span: doc.span.clone(),
            reason,
        });
    }
}

/// What a mapping without apiVersion and kind is: one of moat's own files, or nothing known.
fn not_an_object(doc: &Node) -> (&'static str, SkipReason) {
    let has = |k: &str| doc.get(k).is_some();
    if has("expect") {
        ("(moat expectations)", SkipReason::MoatFile)
    } else if has("namespaces")
        && doc
            .entries()
            .all(|(k, ..)| ["dns", "monitoring", "peers", "namespaces"].contains(&k))
    {
        ("(moat intent)", SkipReason::MoatFile)
    } else if doc.entries().next().is_some()
        && doc
            .entries()
            .all(|(k, ..)| ["severity", "skip", "systemNamespaces"].contains(&k))
    {
        ("(moat config)", SkipReason::MoatFile)
    } else {
        (NOT_AN_OBJECT, SkipReason::NotAnObject)
    }
}

/// Text with control characters written as escapes (`Network\u{0}Policy`), so that a kind or
/// name holding one is never shown as if it were the real thing.
pub(crate) fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}
