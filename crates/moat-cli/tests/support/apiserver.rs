//! A small stand-in for the Kubernetes API server, on 127.0.0.1, for tests and benchmarks:
//! it serves manifests as the list API does (typed lists whose items lack kind and
//! apiVersion, `limit` + `continue` paging, 404 for types not installed), records every
//! request, and can be told to fail (status codes, stalls) or to require a bearer token.
//!
//! std only (a thread per connection, HTTP/1.1 keep-alive), plus serde_json and yaml-rust2.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{json, Map, Value as Json};
use yaml_rust2::{Yaml, YamlLoader};

/// One request as received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub authorization: Option<String>,
    /// Whether the client accepted a gzip answer (the API server then compresses lists).
    pub gzip: bool,
}

/// A failure to inject on every path starting with `prefix`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub prefix: String,
    /// `Some(code)`: answer this status (with a `Status` body); `None`: never answer.
    pub status: Option<u16>,
    /// How many requests fail before the path recovers (`u32::MAX`: never).
    pub times: u32,
    /// `Retry-After` seconds sent with the failure.
    pub retry_after: Option<u64>,
    /// Fail only requests that carry a continue token (an expired token: 410).
    pub continued_only: bool,
}

#[derive(Default)]
struct State {
    /// (group, version, plural) -> objects, in order.
    collections: HashMap<(String, String, String), Vec<Json>>,
    /// Groups served; a list outside them is a 404.
    installed: Vec<(String, String)>,
    faults: Vec<Fault>,
    token: Option<String>,
    max_page: usize,
    /// Added to every answer: a network round trip.
    latency: Duration,
    requests: Vec<Recorded>,
    /// Requests being answered now, and the most at any one time.
    in_flight: usize,
    max_in_flight: usize,
}

pub struct ApiServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

/// The built-in types and where they are served: (apiVersion, kind, plural).
const TYPES: &[(&str, &str, &str)] = &[
    ("v1", "Namespace", "namespaces"),
    ("v1", "Node", "nodes"),
    ("v1", "Pod", "pods"),
    ("v1", "Service", "services"),
    ("apps/v1", "Deployment", "deployments"),
    ("apps/v1", "StatefulSet", "statefulsets"),
    ("apps/v1", "DaemonSet", "daemonsets"),
    ("apps/v1", "ReplicaSet", "replicasets"),
    ("batch/v1", "Job", "jobs"),
    ("batch/v1", "CronJob", "cronjobs"),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
    (
        "policy.networking.k8s.io/v1alpha1",
        "AdminNetworkPolicy",
        "adminnetworkpolicies",
    ),
    (
        "policy.networking.k8s.io/v1alpha1",
        "BaselineAdminNetworkPolicy",
        "baselineadminnetworkpolicies",
    ),
    (
        "policy.networking.k8s.io/v1alpha2",
        "ClusterNetworkPolicy",
        "clusternetworkpolicies",
    ),
];

fn split_api_version(av: &str) -> (String, String) {
    match av.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), av.to_string()),
    }
}

/// YAML as JSON (what the API server would store and answer).
pub fn yaml_to_json(y: &Yaml) -> Json {
    match y {
        Yaml::Real(s) => s.parse::<f64>().map(Json::from).unwrap_or(Json::Null),
        Yaml::Integer(i) => Json::from(*i),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Boolean(b) => Json::Bool(*b),
        Yaml::Array(a) => Json::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    other => format!("{other:?}"),
                };
                m.insert(key, yaml_to_json(v));
            }
            Json::Object(m)
        }
        _ => Json::Null,
    }
}

/// Every Kubernetes object of the YAML files (documents without `kind` are left out).
pub fn objects_of(paths: &[&Path]) -> Vec<Json> {
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        for doc in
            YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        {
            let j = yaml_to_json(&doc);
            if j.get("kind").is_some() {
                out.push(j);
            }
        }
    }
    out
}

impl ApiServer {
    /// Serve these objects; the policy.networking.k8s.io group is not installed.
    pub fn start(objects: Vec<Json>) -> ApiServer {
        let mut state = State {
            max_page: usize::MAX,
            installed: vec![
                (String::new(), "v1".into()),
                ("apps".into(), "v1".into()),
                ("batch".into(), "v1".into()),
                ("networking.k8s.io".into(), "v1".into()),
            ],
            ..State::default()
        };
        for (av, _, plural) in TYPES {
            let (g, v) = split_api_version(av);
            state
                .collections
                .entry((g, v, plural.to_string()))
                .or_default();
        }
        for (i, mut o) in objects.into_iter().enumerate() {
            let av = o
                .get("apiVersion")
                .and_then(Json::as_str)
                .unwrap_or("v1")
                .to_string();
            let kind = o
                .get("kind")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            let Some((_, _, plural)) = TYPES.iter().find(|(a, k, _)| *a == av && *k == kind) else {
                continue;
            };
            let namespaced = !matches!(kind.as_str(), "Namespace" | "Node")
                && !av.starts_with("policy.networking.k8s.io");
            // What a real server adds: identity, versions, server-side apply bookkeeping.
            if let Some(meta) = o.get_mut("metadata").and_then(Json::as_object_mut) {
                if namespaced && !meta.contains_key("namespace") {
                    meta.insert("namespace".into(), json!("default"));
                }
                meta.insert(
                    "uid".into(),
                    json!(format!("00000000-0000-0000-0000-{i:012}")),
                );
                meta.insert("resourceVersion".into(), json!(format!("{}", 1000 + i)));
                meta.insert(
                    "managedFields".into(),
                    json!([{"manager": "kubectl", "operation": "Apply", "fieldsType": "FieldsV1",
                            "fieldsV1": {"f:metadata": {}}}]),
                );
            }
            let (g, v) = split_api_version(&av);
            state
                .collections
                .entry((g, v, plural.to_string()))
                .or_default()
                .push(o);
        }
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                thread::spawn(move || serve(stream, state));
            }
        });
        ApiServer { port, state }
    }

    /// Serve the policy.networking.k8s.io versions too (empty unless objects were given).
    pub fn install_policy_api(&self) {
        let mut s = self.state.lock().unwrap();
        s.installed
            .push(("policy.networking.k8s.io".into(), "v1alpha1".into()));
        s.installed
            .push(("policy.networking.k8s.io".into(), "v1alpha2".into()));
    }

    /// Answer at most `n` items per page, whatever `limit` asks (servers may).
    pub fn max_page(&self, n: usize) {
        self.state.lock().unwrap().max_page = n;
    }

    /// Wait this long before each answer (a round trip to a remote API server).
    pub fn latency(&self, d: Duration) {
        self.state.lock().unwrap().latency = d;
    }

    pub fn fault(&self, f: Fault) {
        self.state.lock().unwrap().faults.push(f);
    }

    /// Refuse (401) any request without `Authorization: Bearer <token>`.
    pub fn require_token(&self, token: &str) {
        self.state.lock().unwrap().token = Some(token.to_string());
    }

    /// The most requests that were being answered at one time.
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A kubeconfig pointing at this server, with a token user (and an optional exec user).
    pub fn kubeconfig(&self, token: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {url}\n\
users:\n- name: tester\n  user:\n    token: {token}\n\
contexts:\n- name: test\n  context:\n    cluster: test\n    user: tester\n\
current-context: test\n",
            url = self.url()
        )
    }
}

fn status_body(code: u16, reason: &str, message: &str) -> String {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
    .to_string()
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let _ = stream.set_nodelay(true);
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut authorization = None;
        let mut gzip = false;
        let mut content_length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "authorization" => authorization = Some(v.trim().to_string()),
                    "accept-encoding" => gzip = v.contains("gzip"),
                    "content-length" => content_length = v.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        if content_length > 0 {
            let mut body = vec![0u8; content_length];
            if std::io::Read::read_exact(&mut reader, &mut body).is_err() {
                return;
            }
        }
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_query(q)),
            None => (target.clone(), HashMap::new()),
        };
        let rec = Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            authorization: authorization.clone(),
            gzip,
        };
        let latency = {
            let mut s = state.lock().unwrap();
            s.in_flight += 1;
            s.max_in_flight = s.max_in_flight.max(s.in_flight);
            s.latency
        };
        if !latency.is_zero() {
            thread::sleep(latency);
        }
        let answered = answer(&state, rec);
        state.lock().unwrap().in_flight -= 1;
        let (code, headers, body) = match answered {
            Some(a) => a,
            None => {
                // A stall: hold the connection open without answering.
                thread::sleep(Duration::from_secs(60));
                return;
            }
        };
        // As the API server does for large lists, compress when the client accepts it.
        let (body, encoding) = if gzip && code == 200 {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = enc.write_all(body.as_bytes());
            (
                enc.finish().unwrap_or_default(),
                "Content-Encoding: gzip\r\n",
            )
        } else {
            (body.into_bytes(), "")
        };
        let mut head = format!(
            "HTTP/1.1 {code} {}\r\nContent-Type: application/json\r\n{encoding}Content-Length: {}\r\n",
            reason(code),
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        // One write: a separate small header segment would wait out the peer's delayed ACK
        // (Nagle), 40 ms an answer.
        let mut answer = head.into_bytes();
        answer.extend_from_slice(&body);
        if writer.write_all(&answer).is_err() {
            return;
        }
    }
}

fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Answer = (u16, Vec<(String, String)>, String);

fn answer(state: &Arc<Mutex<State>>, rec: Recorded) -> Option<Answer> {
    let mut s = state.lock().unwrap();
    s.requests.push(rec.clone());
    if let Some(token) = &s.token {
        if rec.authorization.as_deref() != Some(&format!("Bearer {token}")) {
            return Some((
                401,
                vec![],
                status_body(401, "Unauthorized", "Unauthorized"),
            ));
        }
    }
    let continued = rec.query.contains_key("continue");
    if let Some(f) = s.faults.iter_mut().find(|f| {
        rec.path.starts_with(&f.prefix) && f.times > 0 && (continued || !f.continued_only)
    }) {
        f.times = f
            .times
            .saturating_sub(if f.times == u32::MAX { 0 } else { 1 });
        let code = f.status?;
        let headers = f
            .retry_after
            .map(|r| vec![("Retry-After".to_string(), r.to_string())])
            .unwrap_or_default();
        let msg = if code == 403 {
            format!(
                "{} is forbidden: User \"system:serviceaccount:moat:moat\" cannot list resource",
                rec.path
            )
        } else {
            format!("injected {code}")
        };
        return Some((code, headers, status_body(code, reason(code), &msg)));
    }
    if rec.method != "GET" {
        return Some((
            405,
            vec![],
            status_body(405, "MethodNotAllowed", "read-only test server"),
        ));
    }
    // /api/v1[/namespaces/NS]/PLURAL or /apis/GROUP/VERSION[/namespaces/NS]/PLURAL
    let segs: Vec<&str> = rec.path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => (String::new(), v.to_string(), rest.to_vec()),
        ["apis", g, v, rest @ ..] => (g.to_string(), v.to_string(), rest.to_vec()),
        _ => {
            return Some((
                404,
                vec![],
                status_body(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                ),
            ))
        }
    };
    let (namespace, plural) = match rest.as_slice() {
        [p] => (None, p.to_string()),
        ["namespaces", ns, p] => (Some(ns.to_string()), p.to_string()),
        _ => {
            return Some((
                404,
                vec![],
                status_body(404, "NotFound", "not a collection"),
            ))
        }
    };
    let not_found = || {
        Some((
            404,
            vec![],
            status_body(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        ))
    };
    if !s.installed.contains(&(group.clone(), version.clone())) {
        return not_found();
    }
    let Some(all) = s
        .collections
        .get(&(group.clone(), version.clone(), plural.clone()))
    else {
        return not_found();
    };
    let selected: Vec<&Json> = all
        .iter()
        .filter(|o| {
            namespace.as_deref().is_none_or(|ns| {
                o.get("metadata")
                    .and_then(|m| m.get("namespace"))
                    .and_then(Json::as_str)
                    == Some(ns)
            })
        })
        .collect();
    let start: usize = match rec.query.get("continue") {
        Some(t) => match t.strip_prefix("offset-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => {
                return Some((
                    400,
                    vec![],
                    status_body(400, "BadRequest", "bad continue token"),
                ))
            }
        },
        None => 0,
    };
    let limit = rec
        .query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(usize::MAX)
        .min(s.max_page);
    let end = start.saturating_add(limit).min(selected.len());
    let items: Vec<Json> = selected[start.min(end)..end]
        .iter()
        .map(|o| {
            // Items of a typed list carry neither kind nor apiVersion.
            let mut o = (*o).clone();
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            o
        })
        .collect();
    let kind = TYPES
        .iter()
        .find(|(_, _, p)| *p == plural)
        .map(|(_, k, _)| format!("{k}List"))
        .unwrap_or_else(|| "List".into());
    let mut metadata = json!({"resourceVersion": "99999"});
    if end < selected.len() {
        metadata["continue"] = json!(format!("offset-{end}"));
        metadata["remainingItemCount"] = json!(selected.len() - end);
    }
    let api_version = if group.is_empty() {
        version
    } else {
        format!("{group}/{version}")
    };
    let body =
        json!({"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items});
    Some((200, vec![], body.to_string()))
}
