//! Exit codes: 0 success, 1 a finding (failed expectation, lint error), 2 bad input.

use moat::error::InputError;

pub enum Failure {
    /// Bad input: every problem, exit 2.
    Input(Vec<InputError>),
    /// The cluster could not be read (unreachable, refused, forbidden): exit 2.
    Cluster(String),
}

pub fn report(f: Failure) -> i32 {
    match f {
        Failure::Input(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "{} error(s) in the input; nothing was evaluated",
                errors.len()
            );
            2
        }
        Failure::Cluster(message) => {
            eprintln!("error: {message}");
            eprintln!("the cluster could not be read; nothing was evaluated");
            2
        }
    }
}
