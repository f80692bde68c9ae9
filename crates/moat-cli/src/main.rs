//! The `moat` command.

mod cli;
mod cmd;
mod endpoint_arg;
mod exit;
mod git;
mod input;
mod output;

use clap::{CommandFactory, Parser};

fn main() {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Check(args) => cmd::check::run(&args),
        cli::Command::Explain(args) => cmd::explain::run(&args),
        cli::Command::Matrix(args) => cmd::matrix::run(&args),
        cli::Command::Lint(args) => cmd::lint::run(&args),
        cli::Command::Gen(args) => cmd::gen::run(&args),
        cli::Command::Diff(args) => cmd::diff::run(&args),
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
