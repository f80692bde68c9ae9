//! The one way the `moat` binary writes to stdout and stderr.
//!
//! `print!` and `eprintln!` panic when the stream is closed (`moat matrix big.yaml | head -1`,
//! `moat lint k8s/ 2>&1 | head -2`), and a panic exits 101. Everything goes through here
//! instead (`main.rs` denies the print macros), so a reader that stops early ends the run
//! quietly with the exit code the run would have had anyway:
//! - stdout: a broken pipe stops the output and is not an error; any other write error
//!   (a full disk) is one, since the output the user asked for was not written;
//! - stderr: notes and errors are written as far as the stream takes them; a closed stderr
//!   has nowhere to report to, so it is never itself a failure.

use std::fmt;
use std::io::{self, BufWriter, Write};

use crate::exit::Failure;

/// Whether a write error means the reader went away (not a failure of the run).
fn reader_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Run `f` against a buffered stdout. A closed stdout ends the output quietly (`f` sees the
/// broken-pipe error and should stop); other write errors are a failure.
pub fn with_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match f(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if reader_gone(&e) => Ok(()),
        Err(e) => Err(Failure::Output {
            errors: vec![format!("<stdout>: {e}")],
            written: vec!["stdout up to the error".into()],
            not_written: vec!["the rest of stdout".into()],
        }),
    }
}

/// Write `text` to stdout (see [`with_stdout`]).
pub fn print(text: &str) -> Result<(), Failure> {
    with_stdout(|out| out.write_all(text.as_bytes()))
}

/// Write to stderr; errors (a closed stderr) are dropped, having nowhere to go.
pub fn eprint(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `eprintln!` that never panics (see the module comment).
macro_rules! stderr {
    ($($arg:tt)*) => {
        $crate::stdio::eprint(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use stderr;
