//! `moat matrix`: every allowed connection, streamed in the chosen view and format.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use moat::check::resolve;
use moat::engine::{BitSet, Engine, Target};
use moat::matrix::{count_pairs, Aggregator, GroupBy, Groups, Matrix, Selection};
use moat::model::{Direction, Protocol};
use moat::text::count;
use serde_json::json;

use crate::cli::{MatrixArgs, MatrixGroup};
use crate::endpoint_arg::{bad, parse_endpoint};
use crate::exit::Failure;
use crate::input;
use crate::output::{matrix_writer, Context, PortsCache, Row};
use crate::stdio::{self, stderr};

/// `443` or `8000-8999`.
fn parse_port_range(s: &str) -> Result<(u16, u16), Failure> {
    let err = || {
        bad(format!(
            "--port `{s}`: expected a port (1-65535) or a range such as 8000-8999"
        ))
    };
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: u16 = a.trim().parse().map_err(|_| err())?;
    let b: u16 = b.trim().parse().map_err(|_| err())?;
    if a == 0 || b < a {
        return Err(err());
    }
    Ok((a, b))
}

/// The units (endpoints, then external parts) an endpoint reference stands for.
fn units(engine: &Engine, m: &Matrix, s: &str, flag: &str) -> Result<BitSet, Failure> {
    let spec = parse_endpoint(s, flag)?;
    let targets = resolve(engine, &spec).map_err(|e| bad(format!("--{flag}: {e}")))?;
    let ne = engine.cluster().endpoints.len();
    let mut set = BitSet::new(ne + m.ips.len());
    for t in targets {
        match t {
            Target::Endpoint(e) => set.insert(e),
            Target::External(ip) => set.insert(ne + m.ips.part_of(ip)),
        }
    }
    Ok(set)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn run(args: &MatrixArgs) -> Result<i32, Failure> {
    let t0 = Instant::now();
    let loaded = input::load_strict(&args.input)?;
    let t_load = t0.elapsed();

    let protocol = match &args.protocol {
        None => None,
        Some(p) => Some(
            Protocol::parse(&p.to_ascii_uppercase())
                .ok_or_else(|| bad(format!("--protocol `{p}`: expected TCP, UDP or SCTP")))?,
        ),
    };
    let port_range = args.port.as_deref().map(parse_port_range).transpose()?;
    let protocols: Vec<Protocol> = match protocol {
        Some(p) => vec![p],
        None => Protocol::ALL.to_vec(),
    };
    let extra: Vec<(Protocol, u16, u16)> = match port_range {
        Some((a, b)) => protocols.iter().map(|&p| (p, a, b)).collect(),
        None => vec![],
    };

    let t1 = Instant::now();
    let engine = input::engine_from(&args.input, loaded);
    let matrix = Matrix::new(&engine, &extra);
    let t_compile = t1.elapsed();

    if args.stats {
        let t2 = Instant::now();
        let pairs = count_pairs(&matrix);
        let t_compute = t2.elapsed();
        return write_out(|out| {
            stats(
                out,
                args,
                &engine,
                &matrix,
                pairs,
                [t_load, t_compile, t_compute],
            )
        });
    }

    let ne = engine.cluster().endpoints.len();
    let mut sel = Selection::default();
    if let Some(f) = &args.from {
        sel.sources = Some(units(&engine, &matrix, f, "from")?);
    }
    if let Some(t) = &args.to {
        sel.destinations = Some(units(&engine, &matrix, t, "to")?);
    }
    if let Some(f) = &args.focus {
        sel.touching.push(units(&engine, &matrix, f, "focus")?);
    }
    if let Some(ns) = &args.ns {
        let id = engine
            .cluster()
            .find_namespace(ns)
            .ok_or_else(|| bad(format!("--ns: no namespace `{ns}` in the input")))?;
        let mut set = BitSet::new(ne + matrix.ips.len());
        for (e, ep) in engine.cluster().endpoints.iter().enumerate() {
            if ep.namespace == id {
                set.insert(e);
            }
        }
        sel.touching.push(set);
    }
    if protocol.is_some() || port_range.is_some() {
        let mut mask = matrix.ports.empty();
        let (a, b) = port_range.unwrap_or((1, 65535));
        for &p in &protocols {
            matrix.ports.add_range(&mut mask, p, a, b);
        }
        sel.ports = Some(mask);
    }

    let mut by = match args.group {
        None | Some(MatrixGroup::Workload) => GroupBy::Workload,
        Some(MatrixGroup::Pod) => GroupBy::Pod,
        Some(MatrixGroup::Namespace) => GroupBy::Namespace,
    };
    let mut groups = Groups::build(&matrix, by);
    if args.group.is_none() && args.limit > 0 {
        // Too many workload connections to read: show the namespace summary instead.
        let agg = Aggregator::new(&matrix, &groups, &sel);
        let mut n = 0u64;
        agg.for_each(&agg.source_groups(), |_| {
            n += 1;
            n <= args.limit
        });
        if n > args.limit {
            stderr!(
                "note: more than {}: showing the namespace summary. \
                 Ask for every one with --group workload --limit 0, or narrow with --from, --to, --focus, --ns or --port.",
                count(args.limit as usize, "workload connection")
            );
            by = GroupBy::Namespace;
            groups = Groups::build(&matrix, by);
        }
    }

    let agg = Aggregator::new(&matrix, &groups, &sel);
    let sources = agg.source_groups();
    let shown: Vec<usize> = (0..groups.len())
        .filter(|&g| {
            groups.members[g].iter().any(|&u| {
                let u = u as usize;
                sel.sources.as_ref().is_none_or(|s| s.contains(u))
                    || sel.destinations.as_ref().is_none_or(|d| d.contains(u))
            })
        })
        .collect();
    let ctx = Context {
        matrix: &matrix,
        groups: &groups,
        shown: &shown,
        by,
    };
    let mut writer = matrix_writer(args.output);
    let limit = if args.group.is_some() { args.limit } else { 0 };
    write_out(|out| {
        writer.begin(out, &ctx)?;
        let mut cache = PortsCache::default();
        let mut count = 0u64;
        let mut truncated = false;
        let mut err = Ok(());
        agg.for_each(&sources, |c| {
            if limit > 0 && count >= limit {
                truncated = true;
                return false;
            }
            let (ports_id, (ports, text)) = cache.get(&matrix, &c.ports);
            if let Err(e) = writer.row(
                out,
                &ctx,
                &Row {
                    conn: c,
                    ports_id,
                    ports,
                    ports_text: text,
                },
            ) {
                err = Err(e);
                return false;
            }
            count += 1;
            true
        });
        err?;
        let note = truncated.then(|| {
            format!("stopped after {}: use --limit 0 for all of them, or --group namespace for a summary", moat::text::count(limit as usize, "connection"))
        });
        if let Some(n) = &note {
            stderr!("note: {n}");
        }
        writer.end(out, &ctx, count, note.as_deref())
    })
}

/// Write to stdout (see `stdio`); the matrix itself always exits 0.
fn write_out(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<i32, Failure> {
    stdio::with_stdout(f).map(|()| 0)
}

fn stats(
    out: &mut dyn Write,
    args: &MatrixArgs,
    engine: &Engine,
    m: &Matrix,
    pairs: moat::matrix::PairCounts,
    [t_load, t_compile, t_compute]: [Duration; 3],
) -> io::Result<()> {
    let c = engine.cluster();
    let view = engine.view();
    let iso = |d: Direction| {
        (0..c.endpoints.len())
            .filter(|&e| !view.isolating(d, e).is_empty())
            .count()
    };
    let (iso_in, iso_out) = (iso(Direction::Ingress), iso(Direction::Egress));
    let pc = |p: Protocol| m.ports.count(p);
    if args.output == crate::cli::MatrixFormat::Json {
        let doc = json!({
            "endpoints": c.endpoints.len(),
            "endpointClasses": m.classes.len(),
            "externalRanges": m.ips.len(),
            "namespaces": c.namespaces.len(),
            "policies": c.policies.len(),
            "portClasses": {"TCP": pc(Protocol::Tcp), "UDP": pc(Protocol::Udp), "SCTP": pc(Protocol::Sctp)},
            "isolated": {"ingress": iso_in, "egress": iso_out},
            "allowedPairs": {
                "endpointToEndpoint": pairs.internal,
                "endpointToExternal": pairs.egress_external,
                "externalToEndpoint": pairs.ingress_external,
            },
            "nodePairs": pairs.node_pairs,
            "timeMs": {
                "load": t_load.as_secs_f64() * 1000.0,
                "compile": t_compile.as_secs_f64() * 1000.0,
                "compute": t_compute.as_secs_f64() * 1000.0,
            },
        });
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let n = c.endpoints.len();
    writeln!(
        out,
        "endpoints      {n} in {} ({} of identical endpoints), {}",
        count(c.namespaces.len(), "namespace"),
        count(m.classes.len(), "class"),
        count(m.ips.len(), "external range")
    )?;
    writeln!(out, "policies       {}", c.policies.len())?;
    writeln!(
        out,
        "port classes   TCP {}, UDP {}, SCTP {}",
        pc(Protocol::Tcp),
        pc(Protocol::Udp),
        pc(Protocol::Sctp)
    )?;
    writeln!(
        out,
        "isolated       ingress {iso_in} of {}, egress {iso_out} of {n}",
        count(n, "endpoint")
    )?;
    writeln!(
        out,
        "allowed pairs  {} endpoint to endpoint, {} endpoint to external range, {} external range to endpoint",
        pairs.internal, pairs.egress_external, pairs.ingress_external
    )?;
    writeln!(
        out,
        "computed       {}",
        count(pairs.node_pairs as usize, "class-to-class connection")
    )?;
    writeln!(
        out,
        "time           load {}, compile {}, compute {}",
        ms(t_load),
        ms(t_compile),
        ms(t_compute)
    )
}
