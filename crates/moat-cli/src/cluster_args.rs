//! Flags of the live-cluster input: `--cluster` and how to reach the cluster.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// `--cluster` and its connection flags, shared by every command reading manifests.
#[derive(Args, Clone, Debug, Default)]
pub struct ClusterArgs {
    /// Read the live cluster (list calls only, never a write), instead of or as well as PATHs.
    #[arg(long, help_heading = "Cluster")]
    pub cluster: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// How to reach the cluster and what to read of it (`moat snapshot` and `--cluster`).
#[derive(Args, Clone, Debug, Default)]
pub struct ConnectArgs {
    /// kubeconfig context to use [default: the current context].
    #[arg(long, value_name = "NAME", help_heading = "Cluster")]
    pub context: Option<String>,
    /// kubeconfig file [default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account].
    #[arg(long, value_name = "PATH", help_heading = "Cluster")]
    pub kubeconfig: Option<PathBuf>,
    /// Read only these namespaces of the cluster (comma-separated, repeatable) [default: all].
    #[arg(
        long = "cluster-ns",
        value_name = "NS",
        value_delimiter = ',',
        help_heading = "Cluster"
    )]
    pub cluster_ns: Vec<String>,
    /// Read all namespaces (the default).
    #[arg(
        short = 'A',
        long = "all-namespaces",
        conflicts_with = "cluster_ns",
        help_heading = "Cluster"
    )]
    pub all_namespaces: bool,
    /// Deadline of each API request (`30s`, `2m`, `500ms`; a bare number is seconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Cluster")]
    pub request_timeout: Option<Duration>,
}

impl ConnectArgs {
    /// Whether any connection flag was given (they mean nothing without `--cluster`).
    pub fn any(&self) -> bool {
        self.context.is_some()
            || self.kubeconfig.is_some()
            || !self.cluster_ns.is_empty()
            || self.all_namespaces
            || self.request_timeout.is_some()
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (30s, 2m, 500ms)"))?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown unit `{unit}` (ms, s, m, h)")),
    };
    if !(seconds > 0.0 && seconds.is_finite()) {
        return Err(format!("`{s}`: the timeout must be positive"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_take_kubectl_units() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
