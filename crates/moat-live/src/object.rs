//! One object read from the cluster, as the loader's tree: the kind and apiVersion that
//! typed list items lack put back, managedFields dropped, every node's span naming the
//! object (`cluster:production/Pod/web-1`) and the line and column of the node in the
//! object's YAML text (what `moat snapshot` writes for it).

use std::sync::Arc;

use moat::yaml::Node;
use serde_json::Value as Json;

use crate::layout::lay_out;
use crate::resources::Resource;

#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub kind: &'static str,
    pub api_version: String,
    /// `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    pub name: String,
    pub tree: Node,
    /// The object's YAML text: what `moat snapshot` writes, and where the spans point.
    pub text: String,
}

impl Object {
    /// One list item; `None` when the item is not a mapping (the caller reports it).
    pub(crate) fn from_item(item: Json, res: &Resource) -> Option<Object> {
        let Json::Object(mut map) = item else {
            return None;
        };
        let api_version = res.api_version();
        // Items of typed lists carry no kind or apiVersion; the list's resource says them.
        map.entry("apiVersion")
            .or_insert_with(|| Json::String(api_version.clone()));
        map.entry("kind")
            .or_insert_with(|| Json::String(res.kind.to_string()));
        let (mut name, mut namespace) = (String::new(), None);
        if let Some(Json::Object(meta)) = map.get_mut("metadata") {
            // Server-side apply bookkeeping: large, and no part of what the object means.
            meta.remove("managedFields");
            if let Some(Json::String(n)) = meta.get("name") {
                name = n.clone();
            }
            if let Some(Json::String(ns)) = meta.get("namespace") {
                namespace = Some(ns.clone()).filter(|_| res.namespaced);
            }
        }
        let label = match &namespace {
            Some(ns) => format!("cluster:{ns}/{}/{name}", res.kind),
            None => format!("cluster:{}/{name}", res.kind),
        };
        let (tree, text) = lay_out(Arc::from(label), map);
        Some(Object {
            kind: res.kind,
            api_version,
            namespace,
            name,
            tree,
            text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::RESOURCES;
    use moat::yaml::Value;

    fn resource(kind: &str) -> &'static Resource {
        RESOURCES.iter().find(|r| r.kind == kind).unwrap()
    }

    #[test]
    fn typed_list_items_get_kind_and_api_version_back() {
        let item = serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "production",
                         "managedFields": [{"manager": "kubectl"}]},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]}
        });
        let o = Object::from_item(item, resource("Pod")).unwrap();
        assert_eq!(o.kind, "Pod");
        assert_eq!(o.namespace.as_deref(), Some("production"));
        assert_eq!(o.tree.get("kind").and_then(Node::as_str), Some("Pod"));
        assert_eq!(o.tree.get("apiVersion").and_then(Node::as_str), Some("v1"));
        let meta = o.tree.get("metadata").unwrap();
        assert!(meta.get("managedFields").is_none());
        assert_eq!(&*o.tree.span.file, "cluster:production/Pod/web-1");
        assert!(o
            .text
            .starts_with("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n"));
        let port = &o.tree.get("spec").unwrap().get("containers").unwrap();
        let Value::Seq(cs) = &port.value else {
            panic!("containers is a list")
        };
        let p = cs[0].get("ports").unwrap();
        let Value::Seq(ps) = &p.value else {
            panic!("ports is a list")
        };
        assert_eq!(ps[0].get("containerPort").unwrap().value, Value::Int(80));
    }

    #[test]
    fn cluster_scoped_objects_are_named_without_namespace() {
        let item = serde_json::json!({"kind": "Namespace", "apiVersion": "v1",
                                      "metadata": {"name": "production"}});
        let o = Object::from_item(item, resource("Namespace")).unwrap();
        assert_eq!(&*o.tree.span.file, "cluster:Namespace/production");
        assert_eq!(o.namespace, None);
    }

    #[test]
    fn non_objects_are_refused() {
        assert!(Object::from_item(serde_json::json!([1]), resource("Pod")).is_none());
    }
}
