//! Endpoint flags (`--from`, `--to`, `--focus`): `namespace/name` or an IP address.

use moat::check::EndpointSpec;
use moat::error::InputError;

use crate::exit::Failure;

pub fn bad(msg: String) -> Failure {
    Failure::Input(vec![InputError::new(None, "", msg)])
}

pub fn parse_endpoint(s: &str, flag: &str) -> Result<EndpointSpec, Failure> {
    if let Ok(ip) = s.parse() {
        return Ok(EndpointSpec::Ip(ip));
    }
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok(EndpointSpec::Named {
            namespace: ns.into(),
            name: name.into(),
        }),
        _ => Err(bad(format!(
            "--{flag} `{s}`: expected `namespace/name` or an IP address"
        ))),
    }
}
