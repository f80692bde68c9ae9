//! The `moat` command.

// All output goes through `stdio`, which survives a closed stdout or stderr.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod cluster;
mod cluster_args;
mod cmd;
mod endpoint_arg;
mod exit;
mod git;
mod input;
mod output;
mod plugin;
mod stdio;

use clap::CommandFactory;

// Loading builds a tree node per YAML value: allocation is a third of a run's time with the
// system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = plugin::parse();
    let result = match cli.command {
        cli::Command::Check(args) => cmd::check::run(&args),
        cli::Command::Explain(args) => cmd::explain::run(&args),
        cli::Command::Matrix(args) => cmd::matrix::run(&args),
        cli::Command::Lint(args) => cmd::lint::run(&args),
        cli::Command::Gen(args) => cmd::gen::run(&args),
        cli::Command::Report(args) => cmd::report::run(&args),
        cli::Command::Convert(args) => cmd::convert::run(&args),
        cli::Command::Recommend(args) => cmd::recommend::run(&args),
        cli::Command::ExplainDrops(args) => cmd::explain_drops::run(&args),
        cli::Command::Diff(args) => cmd::diff::run(&args),
        cli::Command::Snapshot(args) => cmd::snapshot::run(&args),
        cli::Command::Completions { shell } => {
            // clap_complete panics on a write error: render first, then write.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli::Cli::command(), "moat", &mut script);
            stdio::print(&String::from_utf8_lossy(&script)).map(|()| 0)
        }
    };
    let code = result.unwrap_or_else(exit::report);
    std::process::exit(code);
}
