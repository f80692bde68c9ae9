//! Exit codes: 0 success, 1 a finding (failed expectation, lint error), 2 bad input.

use moat::error::InputError;
use moat::text::count;

use crate::stdio::stderr;

pub enum Failure {
    /// Bad input: every problem, exit 2.
    Input(Vec<InputError>),
    /// Output that was refused or failed to write (exit 2): every problem, and what was and
    /// was not written, so the user knows the state they are left in.
    Output {
        errors: Vec<String>,
        written: Vec<String>,
        not_written: Vec<String>,
    },
    /// The cluster could not be read (unreachable, refused, forbidden): exit 2.
    Cluster(String),
}

pub fn report(f: Failure) -> i32 {
    match f {
        Failure::Input(errors) => {
            for e in &errors {
                stderr!("error: {e}");
            }
            stderr!(
                "{} in the input; nothing was evaluated",
                count(errors.len(), "error")
            );
            2
        }
        Failure::Output {
            errors,
            written,
            not_written,
        } => {
            for e in &errors {
                stderr!("error: {e}");
            }
            let errors = count(errors.len(), "error");
            let not_written = not_written.join(", ");
            if written.is_empty() {
                stderr!("{errors}; nothing was written ({not_written})");
            } else {
                stderr!(
                    "{errors}; wrote {}; not written: {not_written}",
                    written.join(", ")
                );
            }
            2
        }
        Failure::Cluster(message) => {
            stderr!("error: {message}");
            stderr!("the cluster could not be read; nothing was evaluated");
            2
        }
    }
}
