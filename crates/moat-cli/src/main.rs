//! The `moat` command.

mod cli;
mod cluster;
mod cluster_args;
mod cmd;
mod endpoint_arg;
mod exit;
mod input;
mod output;
mod plugin;

use clap::CommandFactory;

fn main() {
    let cli = plugin::parse();
    let result = match cli.command {
        cli::Command::Check(args) => cmd::check::run(&args),
        cli::Command::Explain(args) => cmd::explain::run(&args),
        cli::Command::Matrix(args) => cmd::matrix::run(&args),
        cli::Command::Lint(args) => cmd::lint::run(&args),
        cli::Command::Gen(args) => cmd::gen::run(&args),
        cli::Command::Snapshot(args) => cmd::snapshot::run(&args),
        cli::Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut cli::Cli::command(),
                "moat",
                &mut std::io::stdout(),
            );
            Ok(0)
        }
    };
    let code = result.unwrap_or_else(exit::report);
    std::process::exit(code);
}
