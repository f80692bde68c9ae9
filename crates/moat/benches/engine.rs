//! Engine benchmarks on the synthetic clusters of `shared/bench/gen_cluster.py`:
//!
//! * `load/<size>`: read the YAML file and load it into a `Cluster` (parse, decode, sort);
//! * `compile/<size>`: `engine::compile` of the loaded cluster;
//! * `load_compile/<size>`: both, as `moat check` does before its first query (`Engine::new`);
//! * `allowed/<size>`: `Engine::allowed` on one million deterministic pseudo-random flows
//!   (throughput in flows, so criterion reports the time of one verdict).
//!
//! Targets (issue 2): load + compile of the large cluster under 2 s, a verdict under 1 µs.
//!
//! The clusters are generated at run time into a temporary directory by the generator
//! script: `MOAT_GEN_CLUSTER`, or `../../../shared/bench/gen_cluster.py` relative to this
//! crate. Without python3, PyYAML or the script, the benchmarks are skipped with a message.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use moat::engine::{compile, Engine, Flow, Target};
use moat::load::{load, read_source, LoadOptions, Loaded};
use moat::model::{Cluster, Protocol};

/// Cluster sizes measured, as the generator names them.
const SIZES: [&str; 2] = ["medium", "large"];
/// Flows per `allowed` measurement.
const FLOWS: usize = 1_000_000;
const SEED: u64 = 1;

fn generator() -> PathBuf {
    match std::env::var_os("MOAT_GEN_CLUSTER") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/gen_cluster.py"),
    }
}

/// Generate one cluster, or say why not.
fn generate(size: &str, dir: &Path) -> Result<PathBuf, String> {
    let script = generator();
    if !script.is_file() {
        return Err(format!(
            "generator script {} not found (set MOAT_GEN_CLUSTER to gen_cluster.py)",
            script.display()
        ));
    }
    let out = dir.join(format!("{size}.yaml"));
    let run = Command::new("python3")
        .arg(&script)
        .args(["--size", size, "--seed", "1", "-o"])
        .arg(&out)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !run.status.success() {
        return Err(format!(
            "{} --size {size} failed (is PyYAML installed? `pip install pyyaml`): {}",
            script.display(),
            String::from_utf8_lossy(&run.stderr).trim()
        ));
    }
    Ok(out)
}

fn load_file(path: &Path) -> Loaded {
    let source = read_source(path).unwrap_or_else(|e| panic!("{e}"));
    load(&[source], &LoadOptions::default())
}

/// A small deterministic PRNG (SplitMix64), so that the flow mix is the same on every run
/// without a `rand` dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The flow mix: pod to pod across namespaces and within one, Prometheus scraping the named
/// `metrics` port, DNS to CoreDNS, egress to and ingress from external addresses, and some
/// ports nothing listens on. Ports are those the destination declares, so that both allowed
/// and denied flows are common.
fn flows(cluster: &Cluster, count: usize) -> Vec<Flow> {
    let n = cluster.endpoints.len();
    let find = |name: &str| cluster.endpoints.iter().position(|e| e.name == name);
    let prometheus = find("prometheus");
    let coredns = find("coredns");
    let mut by_ns: Vec<Vec<usize>> = vec![Vec::new(); cluster.namespaces.len()];
    for (i, e) in cluster.endpoints.iter().enumerate() {
        by_ns[e.namespace].push(i);
    }
    let mut rng = SplitMix(SEED);
    let mut out = Vec::with_capacity(count);
    let external = |rng: &mut SplitMix| -> IpAddr {
        let x = rng.next() as u32;
        match x % 4 {
            // Inside the RFC 1918 ranges that ipBlock rules often except.
            0 => IpAddr::V4(Ipv4Addr::new(
                10,
                (x >> 8) as u8,
                (x >> 16) as u8,
                (x >> 24) as u8,
            )),
            1 => IpAddr::V4(Ipv4Addr::new(192, 168, (x >> 8) as u8, (x >> 16) as u8)),
            _ => IpAddr::V4(Ipv4Addr::new(203, 0, (x >> 8) as u8, (x >> 16) as u8)),
        }
    };
    // One of the destination's container ports (or a random one when it declares none).
    let dst_port = |rng: &mut SplitMix, e: usize| -> (u16, Protocol) {
        let ports = &cluster.endpoints[e].ports;
        if ports.is_empty() {
            (8000 + rng.below(1000) as u16, Protocol::Tcp)
        } else {
            let p = &ports[rng.below(ports.len())];
            (p.port, p.protocol)
        }
    };
    while out.len() < count {
        let roll = rng.below(100);
        let flow = match roll {
            // Pod to pod, any namespaces.
            0..=34 => {
                let (src, dst) = (rng.below(n), rng.below(n));
                let (port, protocol) = dst_port(&mut rng, dst);
                Flow {
                    src: Target::Endpoint(src),
                    dst: Target::Endpoint(dst),
                    port,
                    protocol,
                }
            }
            // Pod to pod within one namespace.
            35..=54 => {
                let members = &by_ns[cluster.endpoints[rng.below(n)].namespace];
                let (src, dst) = (
                    members[rng.below(members.len())],
                    members[rng.below(members.len())],
                );
                let (port, protocol) = dst_port(&mut rng, dst);
                Flow {
                    src: Target::Endpoint(src),
                    dst: Target::Endpoint(dst),
                    port,
                    protocol,
                }
            }
            // Prometheus scraping the named `metrics` port.
            55..=69 => {
                let dst = rng.below(n);
                let port = cluster.endpoints[dst]
                    .named_port("metrics", Protocol::Tcp)
                    .unwrap_or(9090);
                let src = prometheus.unwrap_or(rng.below(n));
                Flow {
                    src: Target::Endpoint(src),
                    dst: Target::Endpoint(dst),
                    port,
                    protocol: Protocol::Tcp,
                }
            }
            // DNS.
            70..=77 => {
                let protocol = if rng.below(2) == 0 {
                    Protocol::Udp
                } else {
                    Protocol::Tcp
                };
                let dst = coredns.unwrap_or(rng.below(n));
                Flow {
                    src: Target::Endpoint(rng.below(n)),
                    dst: Target::Endpoint(dst),
                    port: 53,
                    protocol,
                }
            }
            // Egress to an external address.
            78..=87 => {
                let port = [443, 80, 5432][rng.below(3)];
                Flow {
                    src: Target::Endpoint(rng.below(n)),
                    dst: Target::External(external(&mut rng)),
                    port,
                    protocol: Protocol::Tcp,
                }
            }
            // Ingress from an external address.
            88..=95 => {
                let dst = rng.below(n);
                let (port, protocol) = dst_port(&mut rng, dst);
                Flow {
                    src: Target::External(external(&mut rng)),
                    dst: Target::Endpoint(dst),
                    port,
                    protocol,
                }
            }
            // Ports nothing declares (port ranges, or nothing at all).
            _ => {
                let port = [8500, 31000, 12345][rng.below(3)];
                Flow {
                    src: Target::Endpoint(rng.below(n)),
                    dst: Target::Endpoint(rng.below(n)),
                    port,
                    protocol: Protocol::Tcp,
                }
            }
        };
        out.push(flow);
    }
    out
}

fn bench_engine(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("moat-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("moat bench: skipped: cannot create {}: {e}", dir.display());
        return;
    }
    for size in SIZES {
        let path = match generate(size, &dir) {
            Ok(p) => p,
            Err(why) => {
                eprintln!("moat bench: skipped: {why}");
                break;
            }
        };
        let loaded = load_file(&path);
        if !loaded.is_clean() {
            eprintln!(
                "moat bench: skipped {size}: the generated cluster has {} problems",
                loaded.problems.len()
            );
            continue;
        }
        let cluster = loaded.cluster;
        eprintln!(
            "moat bench: {size}: {} namespaces, {} endpoints, {} policies",
            cluster.namespaces.len(),
            cluster.endpoints.len(),
            cluster.policies.len()
        );

        let mut g = c.benchmark_group("engine");
        // Few samples: the large cluster takes seconds per iteration on a small machine.
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        g.bench_with_input(BenchmarkId::new("load", size), &path, |b, p| {
            b.iter(|| load_file(p))
        });
        g.bench_with_input(BenchmarkId::new("compile", size), &cluster, |b, cl| {
            b.iter(|| compile(cl))
        });
        g.bench_with_input(BenchmarkId::new("load_compile", size), &path, |b, p| {
            b.iter(|| Engine::new(load_file(p).cluster))
        });

        let engine = Engine::new(cluster);
        let flows = flows(engine.cluster(), FLOWS);
        let allowed = flows.iter().filter(|f| engine.allowed(f)).count();
        eprintln!("moat bench: {size}: {allowed} of {FLOWS} flows allowed");
        g.throughput(Throughput::Elements(FLOWS as u64));
        g.bench_with_input(BenchmarkId::new("allowed", size), &flows, |b, fl| {
            b.iter(|| fl.iter().filter(|f| engine.allowed(black_box(f))).count())
        });
        g.finish();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
