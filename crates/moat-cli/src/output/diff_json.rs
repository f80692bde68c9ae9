//! JSON. Schema `moat.diff/v1`:
//!
//! ```text
//! { "schema": "moat.diff/v1", "group": "workload"|"pod"|"namespace", "old": TEXT, "new": TEXT,
//!   "summary": {"added": N, "removed": N, "changed": N, "opening": N, "closing": N},
//!   "added":   [ {CONNECTION, WHY} ],          CONNECTION as in moat.matrix/v1, on the new side
//!   "removed": [ {CONNECTION, WHY} ],          on the old side
//!   "changed": [ {"from", "to", "before": PORTS, "after": PORTS, "opened": PORTS,
//!                 "closed": PORTS, ["pairsBefore": {...}, "pairsAfter": {...}], WHY} ],
//!   "objects": {"policies": [{"policy": NAME, "change": TEXT}], "endpoints": [TEXT]},
//!   ["gate": {"failOn": KIND, "failed": BOOL, "failing": N, "excused": N}] }
//! WHY = "opens": BOOL, "closes": BOOL, "excused": BOOL, "causes": [TEXT],
//!       ["flow": {"from", "to", "port", "protocol"}, "verdict": {"before": SIDE, "after": SIDE}]
//! SIDE = {"allowed": BOOL|null, "policies": ["namespace/name (direction)"]}
//! ```
//! CONNECTION (`from`, `to`, `ports`, and `pairs`/`total`/`samePorts` when not uniform) and
//! PORTS are exactly the forms of `moat matrix --output json`; an empty PORTS is `{}`.

use std::io::{self, Write};

use moat::diff::{Conn, Entry, SideBlame};
use serde_json::{json, Map, Value};

use super::diff_report::{group_name, Report};
use super::matrix_json::{connection_value, ports_json};

/// JSON with keys in the order written (serde_json's maps sort them), pretty at the
/// document's levels, compact inside leaf values (ports, flows).
enum J {
    V(Value),
    O(Vec<(&'static str, J)>),
    A(Vec<J>),
}

fn emit(out: &mut String, j: &J, indent: usize) {
    let pad = |n: usize| " ".repeat(n);
    match j {
        J::V(v) => out.push_str(&v.to_string()),
        J::O(fields) if fields.is_empty() => out.push_str("{}"),
        J::A(items) if items.is_empty() => out.push_str("[]"),
        J::O(fields) => {
            out.push_str("{\n");
            for (i, (k, v)) in fields.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                out.push_str(&json!(k).to_string());
                out.push_str(": ");
                emit(out, v, indent + 2);
                out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        J::A(items) => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad(indent + 2));
                emit(out, v, indent + 2);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
    }
}

fn v(x: Value) -> J {
    J::V(x)
}

fn coverage(c: &Conn) -> Option<(u64, u64, bool)> {
    (!c.uniform).then_some((c.pairs, c.total, c.same_ports))
}

fn side(s: &Option<SideBlame>) -> Value {
    match s {
        None => Value::Null,
        Some(s) if s.tier_rules.is_empty() => {
            json!({"allowed": s.allowed, "policies": s.policies})
        }
        Some(s) => json!({"allowed": s.allowed, "policies": s.policies, "tierRules": s.tier_rules}),
    }
}

fn why(f: &mut Vec<(&'static str, J)>, e: &Entry) {
    f.push(("opens", v(json!(e.opens()))));
    f.push(("closes", v(json!(e.closes()))));
    f.push(("excused", v(json!(e.excused))));
    if let Some(p) = &e.blame.probe {
        f.push((
            "flow",
            v(json!({"from": p.from, "to": p.to, "port": p.port, "protocol": p.protocol.as_str()})),
        ));
        f.push((
            "verdict",
            J::O(vec![
                ("before", v(side(&e.blame.sides[0]))),
                ("after", v(side(&e.blame.sides[1]))),
            ]),
        ));
    }
    f.push((
        "causes",
        J::A(e.blame.causes.iter().map(|c| v(json!(c))).collect()),
    ));
}

/// The matrix's connection object, its keys in the matrix's order.
const CONNECTION_KEYS: [&str; 6] = ["from", "to", "ports", "pairs", "total", "samePorts"];

fn one_side(e: &Entry, c: Option<&Conn>) -> J {
    let mut f = Vec::new();
    if let Some(c) = c {
        let mut m: Map<String, Value> =
            connection_value(&e.from, &e.to, &c.ports.to_ports(), coverage(c));
        for k in CONNECTION_KEYS {
            if let Some(x) = m.remove(k) {
                f.push((k, v(x)));
            }
        }
    }
    why(&mut f, e);
    J::O(f)
}

fn changed(e: &Entry) -> J {
    let mut f = vec![("from", v(json!(e.from))), ("to", v(json!(e.to)))];
    if let (Some(b), Some(a)) = (&e.before, &e.after) {
        f.push(("before", v(ports_json(&b.ports.to_ports()))));
        f.push(("after", v(ports_json(&a.ports.to_ports()))));
        if !b.uniform || !a.uniform {
            let pairs =
                |c: &Conn| json!({"pairs": c.pairs, "total": c.total, "samePorts": c.same_ports});
            f.push(("pairsBefore", v(pairs(b))));
            f.push(("pairsAfter", v(pairs(a))));
        }
    }
    f.push(("opened", v(ports_json(&e.opened.to_ports()))));
    f.push(("closed", v(ports_json(&e.closed.to_ports()))));
    why(&mut f, e);
    J::O(f)
}

pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let d = r.diff;
    let count = |n: usize| v(json!(n));
    let mut doc = vec![
        ("schema", v(json!("moat.diff/v1"))),
        ("group", v(json!(group_name(d.by)))),
        ("old", v(json!(r.old))),
        ("new", v(json!(r.new))),
        (
            "summary",
            J::O(vec![
                ("added", count(d.added.len())),
                ("removed", count(d.removed.len())),
                ("changed", count(d.changed.len())),
                ("opening", count(d.entries().filter(|e| e.opens()).count())),
                ("closing", count(d.entries().filter(|e| e.closes()).count())),
            ]),
        ),
        (
            "added",
            J::A(
                d.added
                    .iter()
                    .map(|e| one_side(e, e.after.as_ref()))
                    .collect(),
            ),
        ),
        (
            "removed",
            J::A(
                d.removed
                    .iter()
                    .map(|e| one_side(e, e.before.as_ref()))
                    .collect(),
            ),
        ),
        ("changed", J::A(d.changed.iter().map(changed).collect())),
        (
            "objects",
            J::O(vec![
                (
                    "policies",
                    J::A(
                        d.policy_changes
                            .iter()
                            .map(|(p, c)| v(json!({"policy": p, "change": c.to_string()})))
                            .collect(),
                    ),
                ),
                (
                    "endpoints",
                    J::A(d.endpoint_changes.iter().map(|e| v(json!(e))).collect()),
                ),
            ]),
        ),
    ];
    if let Some(w) = r.gate.word() {
        doc.push((
            "gate",
            J::O(vec![
                ("failOn", v(json!(w))),
                ("failed", v(json!(r.gate.failed()))),
                ("failing", count(r.gate.failing)),
                ("excused", count(r.gate.excused)),
            ]),
        ));
    }
    let mut s = String::new();
    emit(&mut s, &J::O(doc), 0);
    s.push('\n');
    out.write_all(s.as_bytes())
}
