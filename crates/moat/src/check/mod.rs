//! `check`: expected connectivity, as code.

mod resolve;
mod run;
mod spec;

pub use resolve::resolve;
pub use run::{reason, run_checks, CheckResult};
pub use spec::{parse_expectations, EndpointSpec, Expectation, PortSpec};
