//! Command-line interface definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::cluster_args::{ClusterArgs, ConnectArgs};

const EXAMPLES: &str = "\
Examples:
  moat check examples/three-tier --expect examples/three-tier/expect.yaml
  moat explain examples/three-tier --from production/frontend --to production/backend --port 8080
  kubectl get netpol,deploy,pods,ns -A -o yaml | moat check - --expect expect.yaml
  moat matrix --cluster --context prod          # the live cluster, read-only
  moat snapshot -o cluster.yaml                 # what the cluster runs, for offline runs
  moat completions bash > /etc/bash_completion.d/moat";

#[derive(Parser, Debug)]
#[command(name = "moat", version, about = "Write, check and explain Kubernetes NetworkPolicies before they reach a cluster", after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check expected connectivity (an expectations file) against the manifests.
    #[command(
        after_help = "Exit status: 0 when every expectation holds, 1 when any fails, 2 on bad input.\n\nExample:\n  moat check examples/three-tier --expect examples/three-tier/expect.yaml --output junit"
    )]
    Check(CheckArgs),
    /// Explain why one flow is allowed or denied, rule by rule, with file:line.
    #[command(
        after_help = "Endpoints are `namespace/name` (a Pod, a workload, or the controller of Pods) or an IP address.\n\nExample:\n  moat explain examples/seed-001 --from production/frontend --to production/api --port 8080"
    )]
    Explain(ExplainArgs),
    /// Every allowed connection between workloads, pods and external address ranges, with its ports.
    #[command(after_help = MATRIX_HELP)]
    Matrix(MatrixArgs),
    /// Report mistakes in NetworkPolicies and their context (rules: `moat lint --list-rules`).
    #[command(
        mut_arg("paths", |a| a.required(false).required_unless_present_any(["list_rules", "cluster"])),
        after_help = "Exit status: 0 without error-level findings, 1 with any (`--deny warnings`: warnings too), 2 on unreadable input.\n\nConfig: the nearest .moat.yaml upward from the first PATH (severity, skip, systemNamespaces).\nSilence rules for one object: annotation `moat.dev/ignore: \"rule-a,rule-b\"`.\n\nExamples:\n  moat lint examples/seed-001\n  moat lint manifests/ --output sarif > moat.sarif\n  moat lint --list-rules --output md > docs/rules.md"
    )]
    Lint(LintArgs),
    /// Generate NetworkPolicies from an intent file (or draft an intent, or a Kyverno baseline).
    #[command(after_help = GEN_HELP)]
    Gen(GenArgs),
    /// Write one self-contained HTML page: summary, connectivity graph, workload cards, matrix, findings.
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Translate v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy to v1alpha2 ClusterNetworkPolicy, and prove it equal.
    #[command(after_help = CONVERT_HELP)]
    Convert(ConvertArgs),
    /// Recommend a minimal policy set (or an intent) allowing exactly the connections seen in Hubble flow logs.
    #[command(after_help = RECOMMEND_HELP)]
    Recommend(RecommendArgs),
    /// Explain every dropped connection of Hubble flow logs against the manifests, and flag drift.
    #[command(after_help = DROPS_HELP)]
    ExplainDrops(ExplainDropsArgs),
    /// What a change opens and closes: the connections added, removed and changed between two versions.
    #[command(after_help = crate::cmd::diff::HELP)]
    Diff(DiffArgs),
    /// Write what the live cluster runs as one multi-document YAML, loadable by every command.
    #[command(after_help = SNAPSHOT_HELP)]
    Snapshot(SnapshotArgs),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const CONVERT_HELP: &str = "\
Writes the ClusterNetworkPolicy YAML to stdout (or --out), then proves the translation: the
input with its v1alpha1 policies replaced by the output allows exactly the same ports between
every pair of endpoints and external ranges. The proof's result goes to stderr.

Exit status: 0 when converted and proved equal, 1 when the proof finds a difference (printed),
2 on bad input or what v1alpha2 cannot express (more than 25 rules, peers or ports).

Example:
  moat convert examples/tiers-v1alpha1 > cluster-network-policies.yaml";

const GEN_HELP: &str = "\
Exit status: 0 when written, 2 on bad input (every error with file:line).

Examples:
  moat gen examples/three-tier/intent.yaml                      # policies to stdout
  moat gen examples/three-tier/intent.yaml -o policies/ --expect expect.yaml --workloads skeleton.yaml
  moat check policies/ skeleton.yaml --expect expect.yaml
  moat gen intent.yaml --with k8s/ -o policies/                 # refuse selectors matching no workload
  moat gen --from k8s/ > intent.yaml                            # draft an intent (flows: what its policies allow)
  moat gen --kyverno > baseline.yaml                            # default-deny + DNS in new namespaces
  moat gen --cluster-baseline > cluster-baseline.yaml           # the same as ClusterNetworkPolicies";

#[derive(Args, Debug)]
pub struct GenArgs {
    /// Intent files.
    #[arg(value_name = "INTENT")]
    pub intents: Vec<PathBuf>,
    /// Write into DIR, one file per namespace (`<namespace>.yaml`); default: one stream to stdout.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Also write the expectations proving the policies, for `moat check`.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Also write skeleton workloads (one Deployment per service, peer, DNS) for a dry run with `moat check`.
    #[arg(long, value_name = "FILE")]
    pub workloads: Option<PathBuf>,
    /// Manifests of the real workloads: a selector of the intent matching none is an error (repeatable).
    #[arg(long = "with", value_name = "MANIFESTS")]
    pub with: Vec<PathBuf>,
    /// Draft an intent from existing manifests instead (repeatable): isolation and flows are what their NetworkPolicies allow, each flow naming its rules (without policies, a TODO list).
    #[arg(long, value_name = "MANIFESTS", conflicts_with_all = ["expect", "workloads", "with", "kyverno"])]
    pub from: Vec<PathBuf>,
    /// Write a Kyverno ClusterPolicy generating default-deny-all and allow-dns in every new namespace.
    #[arg(long, conflicts_with_all = ["expect", "workloads", "with"])]
    pub kyverno: bool,
    /// Write the platform baseline as ClusterNetworkPolicies: Baseline tier default deny with DNS, Admin tier cloud-metadata deny.
    #[arg(long, conflicts_with_all = ["expect", "workloads", "with", "kyverno", "from"])]
    pub cluster_baseline: bool,
    /// Overwrite existing files that moat did not write.
    #[arg(long)]
    pub force: bool,
    /// Namespace of objects in --from and --with manifests that name none.
    #[arg(long, short = 'n', default_value = "default", value_name = "NS")]
    pub namespace: String,
    /// Also list skipped objects (of --from and --with) of kinds moat does not model.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Write a PrometheusRule alerting on policy drops (Cilium's cilium_drop_count_total, reason "Policy denied").
    #[arg(long, conflicts_with_all = ["expect", "workloads", "with", "kyverno", "from"])]
    pub monitoring: bool,
    /// Namespace of the PrometheusRule (with --monitoring).
    #[arg(
        long,
        value_name = "NS",
        default_value = "monitoring",
        requires = "monitoring"
    )]
    pub rule_namespace: String,
}

const SNAPSHOT_HELP: &str = "\
Reads Namespaces, Nodes, Pods, Services, workloads, NetworkPolicies and the
policy.networking.k8s.io tiers (list calls only; deploy/rbac.yaml grants exactly these), and
writes every object with kind and apiVersion, managedFields left out.

Exit status: 0 when written, 2 when the cluster cannot be read.

Examples:
  moat snapshot -o cluster.yaml
  moat snapshot --context prod --cluster-ns shop,payments > shop.yaml
  moat matrix cluster.yaml                      # the same answers as --cluster, offline";

#[derive(Args, Debug, Clone)]
pub struct SnapshotArgs {
    /// Accepted for symmetry with the other commands: a snapshot always reads the cluster.
    #[arg(long, hide = true)]
    pub cluster: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Manifest files or directories (recursive: .yaml, .yml, .json; honours .gitignore); `-` reads stdin.
    #[arg(required_unless_present = "cluster", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Namespace of objects that name none.
    #[arg(long, short = 'n', default_value = "default", value_name = "NS")]
    pub namespace: String,
    /// Also list skipped objects of kinds moat does not model.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Refuse the input (exit 2) when any document is not used or any warning is raised.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Json,
}

const MATRIX_HELP: &str = "\
External ranges are the partition of the address space by every ipBlock of the input; a range
stands for its addresses that are no known pod's IP. Ports are `All`, or per protocol a list of
ports and ranges (`TCP 80,443,8000-8999; UDP 53`). A pod's traffic to itself is always allowed
and is left out of groups. In the namespace view, a connection whose member pairs do not all
have the same ports says so.

When no --group is given and the workload view has more than --limit connections, the namespace
summary is shown instead; with --group, output stops after --limit connections. --limit 0 shows
everything.

Examples:
  moat matrix examples/three-tier
  moat matrix examples/three-tier --group namespace -o md
  moat matrix examples/three-tier --focus production/backend --protocol TCP
  moat matrix examples/three-tier -o dot | dot -Tsvg > matrix.svg
  moat matrix cluster.yaml --stats";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixGroup {
    /// Pods gathered under their controller; workloads stand for their replicas.
    Workload,
    /// One row per Pod object or workload.
    Pod,
    /// Namespace to namespace.
    Namespace,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    Text,
    Json,
    Csv,
    Md,
    Dot,
    Mermaid,
}

#[derive(Args, Debug)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// How to gather endpoints [default: workload].
    #[arg(long, short = 'g', value_enum)]
    pub group: Option<MatrixGroup>,
    /// Only connections from this endpoint (`namespace/name` or an IP address).
    #[arg(long, value_name = "ENDPOINT")]
    pub from: Option<String>,
    /// Only connections to this endpoint (`namespace/name` or an IP address).
    #[arg(long, value_name = "ENDPOINT")]
    pub to: Option<String>,
    /// Only connections from or to this endpoint.
    #[arg(long, value_name = "ENDPOINT")]
    pub focus: Option<String>,
    /// Only connections from or to this namespace.
    #[arg(long = "ns", value_name = "NAMESPACE")]
    pub ns: Option<String>,
    /// Only this port or range (`443`, `8000-8999`); ports shown are narrowed to it.
    #[arg(long, value_name = "PORT")]
    pub port: Option<String>,
    /// Only this protocol (TCP, UDP or SCTP).
    #[arg(long, value_name = "PROTO")]
    pub protocol: Option<String>,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: MatrixFormat,
    /// Print counts and timings only (endpoints, policies, port classes, isolation, allowed pairs).
    #[arg(long)]
    pub stats: bool,
    /// Most connections to print (0: no limit).
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub limit: u64,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the converted policies here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The expectations file.
    #[arg(long, short = 'e', value_name = "FILE")]
    pub expect: PathBuf,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: CheckFormat,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Source: `namespace/name` or an IP address.
    #[arg(long, value_name = "ENDPOINT")]
    pub from: String,
    /// Destination: `namespace/name` or an IP address.
    #[arg(long, value_name = "ENDPOINT")]
    pub to: String,
    /// Destination port: a number, or the name of the destination's container port.
    #[arg(long, value_name = "PORT")]
    pub port: String,
    #[arg(long, default_value = "TCP", value_name = "PROTO")]
    pub protocol: String,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: ExplainFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintFormat {
    Text,
    Json,
    Sarif,
    /// Markdown (with --list-rules: the rules reference, docs/rules.md).
    Md,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenyLevel {
    /// Warnings count as errors for the exit status.
    Warnings,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// The shared input flags (PATH is optional only with --list-rules: see `Command::Lint`).
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: LintFormat,
    /// Run only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Do not run this rule (repeatable).
    #[arg(long = "skip", value_name = "ID")]
    pub skip: Vec<String>,
    /// Make warnings fail the run (exit 1).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Config file to use instead of the nearest .moat.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .moat.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// List the rules (with --output md: the rules reference) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

const REPORT_HELP: &str = "\
The page needs no network: styles, scripts and data are inline. When more than --max-edges
workload connections are allowed, only those from and to whole namespaces that fit are
embedded (--detail ones first; the page says so); the namespace matrix is always complete.
Lint findings use the nearest .moat.yaml upward from the first PATH.

Exit status: 0 when written, 2 on bad input.

Examples:
  moat report examples/three-tier -o report.html
  kubectl get netpol,deploy,pods,ns -A -o yaml | moat report - -o cluster.html
  moat report cluster.yaml --detail payments -o payments.html
  moat report examples/three-tier --format json      # the data embedded in the page (moat.report/v1)";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// The page.
    Html,
    /// The data the page embeds (schema `moat.report/v1`).
    Json,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Most workload-level connections to embed (the namespace matrix is never cut).
    #[arg(long, default_value_t = 250_000, value_name = "N")]
    pub max_edges: usize,
    /// When not every connection fits: embed this namespace's first (repeatable).
    #[arg(long, value_name = "NAMESPACE")]
    pub detail: Vec<String>,
}

const RECOMMEND_HELP: &str = "\
FLOWS are `hubble observe -o json` (or `-o jsonpb`) output: files, `-` for stdin, gzip or not.
Only connection starts that happened (FORWARDED, AUDIT, REDIRECTED) count; replies, kubelet
probes from the pod's own node, ICMP and ephemeral ports are left out, and every flow left
out is counted by reason on stderr. Malformed lines are reported with their line numbers.

Exit status: 0 when written, 2 on bad input (unreadable flows or manifests).

Examples:
  hubble observe -o json --since 24h > flows.json
  moat recommend flows.json --with k8s/                      # policies to stdout
  moat recommend flows.json.gz --with k8s/ -o policies/ --expect expect.yaml
  moat check k8s/ policies/ --expect expect.yaml
  moat recommend flows.json --with k8s/ --intent intent.yaml # review, then `moat gen intent.yaml`";

#[derive(Args, Debug)]
#[command(mut_arg("paths", |a| a
    .long("with")
    .num_args(1)
    .value_name("MANIFESTS")
    .help("Manifests of the workloads (files or directories; repeatable); `-` reads stdin")))]
pub struct RecommendArgs {
    /// Hubble flow logs (`hubble observe -o json`); `-` reads stdin; gzip is recognised.
    #[arg(value_name = "FLOWS", required = true)]
    pub flows: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the policies into DIR, one file per namespace (`<namespace>.yaml`); default: stdout.
    #[arg(long, short = 'o', value_name = "DIR", conflicts_with = "intent")]
    pub output: Option<PathBuf>,
    /// Write an intent file for `moat gen` instead of policies.
    #[arg(long, value_name = "FILE")]
    pub intent: Option<PathBuf>,
    /// Also write expectations for `moat check`: every observed connection allowed, never-observed pairs denied.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Group external addresses into the narrowest CIDR over each /24 (IPv4) or /64 (IPv6) seen; default: one /32 or /128 each.
    #[arg(long)]
    pub group_cidrs: bool,
    /// Also write policies (a default deny) for the system namespaces (kube-system, kube-public, kube-node-lease, kyverno).
    #[arg(long)]
    pub isolate_system: bool,
    /// Overwrite existing files that moat did not write.
    #[arg(long)]
    pub force: bool,
}

const DROPS_HELP: &str = "\
Each distinct dropped connection (source, destination, port, protocol, direction) is shown
with its count, first and last time, the policies isolating the pod that dropped it, and the
rule nearest to allowing it with the reasons it does not. A drop the manifests allow is
drift: the CNI and the manifests disagree (a stale policy, a CNI that does not enforce as
specified, or manifests that are not what runs).

Exit status: 0 without drift, 1 with drift, 2 on bad input.

Examples:
  hubble observe -o json --verdict DROPPED > drops.json
  moat explain-drops drops.json --with k8s/
  moat explain-drops drops.json --with k8s/ -o json | jq '.drops[] | select(.drift)'";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropsFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
#[command(mut_arg("paths", |a| a
    .long("with")
    .num_args(1)
    .value_name("MANIFESTS")
    .help("Manifests of the workloads and policies (files or directories; repeatable); `-` reads stdin")))]
pub struct ExplainDropsArgs {
    /// Hubble flow logs (`hubble observe -o json`); `-` reads stdin; gzip is recognised.
    #[arg(value_name = "FLOWS", required = true)]
    pub flows: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: DropsFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
    /// Markdown for a pull-request comment: a summary table, the details folded.
    Md,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// A connection added, or ports or member pairs opened (unless declared by --allow).
    Opened,
    /// A connection removed, or ports or member pairs closed.
    Closed,
    /// Any change.
    Any,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// OLD and NEW (each a file, a directory or `-`); with --base, the paths to compare with REV.
    #[command(flatten)]
    pub input: InputArgs,
    /// Read the old side from git revision REV (the same paths, the work tree untouched).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// How to gather endpoints.
    #[arg(long, short = 'g', value_enum, default_value = "workload")]
    pub group: MatrixGroup,
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    pub output: DiffFormat,
    /// Exit 1 when a change of this kind exists.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
    /// Expectations file (as for `moat check`): opened flows it declares `allowed: true` do not fail the gate.
    #[arg(long, value_name = "FILE")]
    pub allow: Option<PathBuf>,
    /// Compute every connection of both sides, not only the rows and columns that can differ.
    #[arg(long)]
    pub full: bool,
    /// Also print what was computed, with timings, to stderr.
    #[arg(long)]
    pub stats: bool,
}
