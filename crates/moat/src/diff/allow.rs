//! Opened flows declared allowed: the `allowed: true` entries of an expectations file (the
//! format of `moat check --expect`), resolved on the new side. An opened entry is excused
//! when every port it opens is declared for its source and destination groups.

use std::collections::HashSet;

use super::collect::{Key, Side};
use super::refine::Refinement;
use crate::check::{resolve, Expectation, PortSpec};
use crate::engine::Target;
use crate::error::InputError;
use crate::model::Protocol;

use super::ports::PortSet;

/// One declared flow: between any of these groups, on these ports.
struct Allowance {
    from: HashSet<Key>,
    to: HashSet<Key>,
    ports: Vec<(Protocol, u16)>,
}

pub struct Allowances {
    list: Vec<Allowance>,
}

fn key_of(side: &Side, refine: &Refinement, t: Target) -> Key {
    match t {
        Target::Endpoint(e) => side.key(side.groups.of_unit[e] as usize),
        Target::External(ip) => {
            let part = side.matrix.ips.part_of(ip);
            let common = refine
                .split(side.index, part)
                .find(|&i| refine.parts()[i].contains(ip))
                .unwrap_or(0);
            Key::External(common as u32)
        }
    }
}

impl Allowances {
    /// Resolve on the new side; an entry naming nothing there is an error (a stale file).
    pub fn resolve(
        side: &Side,
        refine: &Refinement,
        expectations: &[Expectation],
    ) -> Result<Allowances, Vec<InputError>> {
        let engine = side.matrix.engine();
        let mut list = Vec::new();
        let mut errors = Vec::new();
        for x in expectations.iter().filter(|x| x.allowed) {
            let ends = resolve(engine, &x.from).and_then(|f| Ok((f, resolve(engine, &x.to)?)));
            let (from, to) = match ends {
                Ok(ft) => ft,
                Err(e) => {
                    errors.push(InputError::new(Some(x.span.clone()), "", e));
                    continue;
                }
            };
            let ports = match &x.port {
                PortSpec::Number(p) => vec![(x.protocol, *p)],
                PortSpec::Name(n) => to
                    .iter()
                    .filter_map(|t| match t {
                        Target::Endpoint(e) => engine.cluster().endpoints[*e]
                            .named_port(n, x.protocol)
                            .map(|p| (x.protocol, p)),
                        Target::External(_) => None,
                    })
                    .collect(),
            };
            list.push(Allowance {
                from: from.iter().map(|&t| key_of(side, refine, t)).collect(),
                to: to.iter().map(|&t| key_of(side, refine, t)).collect(),
                ports,
            });
        }
        if errors.is_empty() {
            Ok(Allowances { list })
        } else {
            Err(errors)
        }
    }

    /// Whether every port of `opened`, from `from` to `to`, is declared.
    pub fn excuses(&self, from: &Key, to: &Key, opened: &PortSet) -> bool {
        let mut declared = PortSet::default();
        let mut list = Vec::new();
        for a in &self.list {
            if a.from.contains(from) && a.to.contains(to) {
                list.extend(a.ports.iter().copied());
            }
        }
        if list.is_empty() {
            return false;
        }
        let mut by_proto: Vec<(Protocol, Vec<(u16, u16)>)> = Vec::new();
        for p in Protocol::ALL {
            let r: Vec<(u16, u16)> = list
                .iter()
                .filter(|x| x.0 == p)
                .map(|x| (x.1, x.1))
                .collect();
            if !r.is_empty() {
                by_proto.push((p, r));
            }
        }
        if !by_proto.is_empty() {
            declared = PortSet::from_ports(&crate::matrix::Ports::Some(by_proto));
        }
        opened.minus(&declared).is_empty()
    }
}
