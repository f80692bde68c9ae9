//! Running as a kubectl plugin: installed (or symlinked) as `kubectl-moat`, the binary is
//! found by `kubectl moat …`, and its help then says `kubectl moat`.

use std::path::Path;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// Whether this process was started as `kubectl-moat` (by kubectl or directly).
fn as_kubectl_plugin() -> bool {
    std::env::args_os()
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(Path::file_stem)
        .is_some_and(|n| n == "kubectl-moat")
}

/// The command line, parsed under the name the user typed.
pub fn parse() -> Cli {
    let mut command = Cli::command();
    if as_kubectl_plugin() {
        command = command
            .bin_name("kubectl moat")
            .display_name("kubectl moat");
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}
