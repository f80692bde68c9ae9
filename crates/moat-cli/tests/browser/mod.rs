//! Helpers of the browser tests: chromedriver started on 127.0.0.1, a WebDriver session
//! of headless Chromium, console log, clicks, screenshots, and inputs to report on.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

pub const CHROMIUM: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];
pub const CHROMEDRIVER: &[&str] = &["/usr/bin/chromedriver"];

pub fn find(candidates: &[&str], what: &str) -> PathBuf {
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("{what} not found (looked at {candidates:?}): install the Debian packages chromium and chromium-driver, as .ci/run does")
        })
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf()
}

pub fn artifacts() -> PathBuf {
    let dir = workspace_root().join("target").join("report-browser");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    dir
}

/// chromedriver on a free local port, killed on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    pub fn start() -> Driver {
        let bin = find(CHROMEDRIVER, "chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://{addr}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's browser console log (`goog:loggingPrefs`), not part of W3C WebDriver.
#[derive(Debug)]
pub struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

pub async fn connect(driver: &Driver, profile: &Path) -> Client {
    let chromium = find(CHROMIUM, "chromium");
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "--window-size=1600,1000", "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session")
}

/// Console entries at level SEVERE (errors, uncaught exceptions, failed loads).
pub async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e["level"] == "SEVERE")
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect(script)
}

/// Poll a script until it returns true.
pub async fn wait_true(c: &Client, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if js(c, script).await == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn click_at(c: &Client, x: f64, y: f64) {
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(50),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(mouse).await.expect("click");
}

pub async fn save_screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let path = artifacts().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

pub fn write_report(input: &str, name: &str, extra: &[&str]) -> PathBuf {
    let out = artifacts().join(name);
    let status = Command::new(env!("CARGO_BIN_EXE_moat"))
        .current_dir(workspace_root())
        .args(["report", input, "-o"])
        .arg(&out)
        .args(extra)
        .status()
        .expect("run moat report");
    assert!(status.success(), "moat report {input} failed");
    out
}

pub fn file_url(p: &Path) -> String {
    format!(
        "file://{}",
        p.canonicalize().expect("report path").display()
    )
}

/// A synthetic cluster: `ns` namespaces of `per` Deployments each, with a default-deny,
/// DNS, tier-to-tier rules inside a namespace and one rule into the next namespace.
pub fn synthetic_cluster(ns: usize, per: usize) -> String {
    let mut y = String::new();
    y.push_str("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kube-system\n---\n");
    y.push_str("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: coredns\n  namespace: kube-system\nspec:\n  template:\n    metadata:\n      labels: {k8s-app: kube-dns}\n    spec:\n      containers:\n      - name: dns\n        image: coredns\n        ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}]\n---\n");
    for i in 0..ns {
        let next = (i + 1) % ns;
        y.push_str(&format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-{i:02}\n  labels: {{team: t{i:02}}}\n---\n"));
        for j in 0..per {
            y.push_str(&format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{j:02}\n  namespace: team-{i:02}\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {{app: svc-{j:02}, tier: t{}}}\n    spec:\n      containers:\n      - name: main\n        image: app\n        ports: [{{containerPort: 8080, name: http}}]\n---\n",
                j % 3
            ));
        }
        y.push_str(&format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-all\n  namespace: team-{i:02}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\n"));
        y.push_str(&format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: team-{i:02}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: kube-system}}}}\n      podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}\n    ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]\n---\n"));
        y.push_str(&format!("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: tiers\n  namespace: team-{i:02}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n  - from:\n    - podSelector: {{}}\n    - namespaceSelector: {{matchLabels: {{team: t{:02}}}}}\n    ports: [{{port: http}}]\n  egress:\n  - to:\n    - podSelector: {{}}\n    - namespaceSelector: {{matchLabels: {{team: t{next:02}}}}}\n    ports: [{{port: 8080}}]\n---\n", (i + ns - 1) % ns));
    }
    y
}

pub fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moat-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("profile dir");
    dir
}
