//! `Aggregator::for_each` hands connections over in source-group order, whichever way it
//! runs: pipelined from outside the pool (the CLI's main thread) or from a worker (a caller
//! inside `ThreadPool::install`), for any number of threads, and stops where asked.

use moat::matrix::{Aggregator, GroupBy, Groups, Matrix, Selection};

mod common;
use common::{engine, in_pool};

/// 160 single-pod workloads in 8 namespaces: 10 chunks of 16 source groups and 3 of 64.
fn cluster_yaml() -> String {
    let mut y = String::new();
    for n in 0..8 {
        y.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns{n}\n  labels:\n    team: t{}\n---\n",
            n % 3
        ));
        for p in 0..20 {
            y.push_str(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{p}\n  namespace: ns{n}\n  labels:\n    app: a{}\n    tier: t{}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - containerPort: {}\n---\n",
                p % 5,
                p % 3,
                8000 + p % 4
            ));
        }
        // Ingress from one tier of the same team's namespaces, on some ports.
        y.push_str(&format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: in\n  namespace: ns{n}\nspec:\n  podSelector:\n    matchLabels:\n      tier: t{}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels:\n          team: t{}\n      podSelector:\n        matchLabels:\n          app: a{}\n    ports:\n    - port: {}\n---\n",
            n % 3,
            n % 3,
            n % 5,
            8000 + n % 4
        ));
    }
    y
}

type Seen = Vec<(u32, u32, Vec<u64>)>;

/// The connections `for_each` gives until `f` has seen `stop_after` of them (all if `None`).
fn walk(agg: &Aggregator, sources: &[usize], stop_after: Option<usize>) -> Seen {
    let mut seen = Vec::new();
    agg.for_each(sources, |c| {
        seen.push((c.from, c.to, c.ports.to_vec()));
        stop_after.is_none_or(|k| seen.len() < k)
    });
    seen
}

#[test]
fn connections_come_in_source_group_order_on_and_off_the_pool_and_stop_where_asked() {
    let engine = engine(&cluster_yaml());
    let m = Matrix::new(&engine, &[]);
    let groups = Groups::build(&m, GroupBy::Pod);
    let sel = Selection::default();
    let agg = Aggregator::new(&m, &groups, &sel);
    let sources = agg.source_groups();
    assert!(sources.len() >= 160, "{} source groups", sources.len());

    // The reference: each source group's connections, one group after another.
    let reference: Seen = sources
        .iter()
        .flat_map(|&g| agg.connections_from(g))
        .map(|c| (c.from, c.to, c.ports.to_vec()))
        .collect();
    assert!(reference.len() > 5000, "{} connections", reference.len());

    assert_eq!(
        walk(&agg, &sources, None),
        reference,
        "pipelined, off the pool"
    );
    for threads in [1, 2, 3] {
        let on_pool = in_pool(threads, || walk(&agg, &sources, None));
        assert_eq!(on_pool, reference, "on a worker of a {threads}-thread pool");
    }

    // Stopping at the k-th connection: exactly the first k, in both ways, including a stop
    // inside the first chunk, at a chunk's end and far beyond the look-ahead.
    for k in [1, 17, 500, reference.len() - 1] {
        let want = &reference[..k];
        assert_eq!(
            walk(&agg, &sources, Some(k)),
            want,
            "pipelined, stop at {k}"
        );
        let on_pool = in_pool(1, || walk(&agg, &sources, Some(k)));
        assert_eq!(on_pool, want, "on a worker, stop at {k}");
    }
}
