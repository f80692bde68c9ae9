//! Why a cluster could not be read, in words that say what to do about it.

use std::fmt;
use std::time::Duration;

use crate::resources::Resource;

/// A failed read. Nothing is answered from a partly read cluster: any of these ends the read.
#[derive(Debug)]
pub enum LiveError {
    /// The kubeconfig (or in-cluster config) could not be loaded.
    Config(String),
    /// No connection to the API server.
    Unreachable { server: String, detail: String },
    /// The API server did not answer in time.
    Timeout {
        server: String,
        path: String,
        after: Duration,
    },
    /// The client could not get credentials (an exec plugin or token file failed).
    AuthFailed { server: String, detail: String },
    /// 401: the credentials were refused.
    Unauthorized { server: String, detail: String },
    /// 403: the credentials lack a permission.
    Forbidden {
        verb: &'static str,
        resource: String,
        namespace: Option<String>,
        detail: String,
    },
    /// Any other error status, after the retries for 429 and 5xx ran out.
    Status {
        code: u16,
        path: String,
        detail: String,
        attempts: u32,
    },
    /// The answer was not a Kubernetes list.
    Decode { path: String, detail: String },
    /// `--cluster-ns` named a namespace the cluster does not have.
    NoSuchNamespace(String),
}

impl LiveError {
    pub(crate) fn forbidden(res: &Resource, namespace: Option<&str>, detail: String) -> Self {
        LiveError::Forbidden {
            verb: "list",
            resource: res.qualified(),
            namespace: namespace.filter(|_| res.namespaced).map(str::to_string),
            detail,
        }
    }
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::Config(m) => write!(f, "cannot configure the cluster client: {m}"),
            LiveError::Unreachable { server, detail } => write!(
                f,
                "cluster unreachable: cannot connect to {server}: {detail} (check --context, --kubeconfig or KUBECONFIG, and that the API server is up)"
            ),
            LiveError::Timeout {
                server,
                path,
                after,
            } => write!(
                f,
                "cluster timed out: {server} did not answer GET {path} within {}s (--request-timeout sets the limit)",
                after.as_secs_f64()
            ),
            LiveError::AuthFailed { server, detail } => write!(
                f,
                "cannot authenticate to {server}: {detail} (the kubeconfig user's exec plugin, token file or certificate failed)"
            ),
            LiveError::Unauthorized { server, detail } => write!(
                f,
                "unauthorized (401): {server} refused the credentials of the kubeconfig user (expired token or certificate? log in again): {detail}"
            ),
            LiveError::Forbidden {
                verb,
                resource,
                namespace,
                detail,
            } => {
                let scope = match namespace {
                    Some(ns) => format!("in namespace {ns}"),
                    None => "cluster-wide".to_string(),
                };
                write!(
                    f,
                    "forbidden (403): missing permission to `{verb}` `{resource}` {scope}; moat needs get and list on the resources of deploy/rbac.yaml: {detail}"
                )
            }
            LiveError::Status {
                code,
                path,
                detail,
                attempts,
            } => write!(
                f,
                "the API server answered {code} to GET {path} ({}): {detail}",
                moat::text::count(*attempts as usize, "attempt")
            ),
            LiveError::Decode { path, detail } => {
                write!(f, "GET {path} did not return a Kubernetes list: {detail}")
            }
            LiveError::NoSuchNamespace(ns) => {
                write!(f, "namespace `{ns}` (--cluster-ns) does not exist in the cluster")
            }
        }
    }
}

impl std::error::Error for LiveError {}
