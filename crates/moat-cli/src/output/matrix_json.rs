//! JSON, streamed. Schema `moat.matrix/v1`:
//!
//! ```text
//! { "schema": "moat.matrix/v1", "group": "workload"|"pod"|"namespace",
//!   "connections": [ { "from": NAME, "to": NAME, "ports": PORTS,
//!                      ["pairs": N, "total": N, "samePorts": BOOL] } ],
//!   "count": N, "truncated": BOOL, ["note": TEXT] }
//! ```
//! NAME is `namespace/name` (pod and workload views), `namespace` (namespace view) or an
//! external range (`10.0.0.0/8`, or `first-last`). PORTS is `"All"` or an object from
//! protocol to a list of `"80"` / `"8000-8999"` strings. `pairs`, `total` and `samePorts`
//! appear only when the member pairs of a grouped connection are not all allowed with the
//! same ports.

use std::io::{self, Write};

use moat::matrix::{interval_text, Ports};
use serde_json::{json, Map, Value};

use super::{group_word, Context, MatrixWriter, Row, TextCache};

#[derive(Default)]
pub struct Json {
    first: bool,
    /// By group: `{"from":NAME,"to":` and `NAME,"ports":`, the constant text around each
    /// name joined to it once, so that a row is four copies.
    from_texts: TextCache,
    to_texts: TextCache,
    /// Each port set's JSON, by [`Row::ports_id`]: a matrix has few distinct sets and many
    /// rows.
    ports: TextCache,
    /// The row being written.
    line: Vec<u8>,
}

pub fn ports_json(p: &Ports) -> Value {
    match p {
        Ports::All => json!("All"),
        Ports::Some(protos) => {
            let mut m = Map::new();
            for (proto, ranges) in protos {
                let list: Vec<String> = ranges.iter().map(|&(a, b)| interval_text(a, b)).collect();
                m.insert(proto.as_str().to_string(), json!(list));
            }
            Value::Object(m)
        }
    }
}

/// One connection as a value, in the form of the streamed rows: `from`, `to`, `ports`, and
/// `pairs`, `total`, `samePorts` when not uniform (`coverage`). For documents built whole.
pub fn connection_value(
    from: &str,
    to: &str,
    ports: &Ports,
    coverage: Option<(u64, u64, bool)>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("from".into(), json!(from));
    m.insert("to".into(), json!(to));
    m.insert("ports".into(), ports_json(ports));
    if let Some((pairs, total, same)) = coverage {
        m.insert("pairs".into(), json!(pairs));
        m.insert("total".into(), json!(total));
        m.insert("samePorts".into(), json!(same));
    }
    m
}

impl MatrixWriter for Json {
    fn begin(&mut self, out: &mut dyn Write, ctx: &Context) -> io::Result<()> {
        self.first = true;
        write!(
            out,
            "{{\n  \"schema\": \"moat.matrix/v1\",\n  \"group\": \"{}\",\n  \"connections\": [",
            group_word(ctx.by)
        )
    }

    fn row(&mut self, out: &mut dyn Write, ctx: &Context, row: &Row) -> io::Result<()> {
        let c = row.conn;
        let Json {
            first,
            from_texts,
            to_texts,
            ports,
            line,
        } = self;
        // One write per row: rows are many and short, each write goes through `dyn Write`.
        line.clear();
        line.extend_from_slice(if *first { b"\n    " } else { b",\n    " });
        *first = false;
        let from = from_texts.get(c.from as usize, || {
            format!("{{\"from\":{},\"to\":", json!(ctx.name(c.from)))
        });
        line.extend_from_slice(from.as_bytes());
        let to = to_texts.get(c.to as usize, || {
            format!("{},\"ports\":", json!(ctx.name(c.to)))
        });
        line.extend_from_slice(to.as_bytes());
        let p = ports.get(row.ports_id, || ports_json(row.ports).to_string());
        line.extend_from_slice(p.as_bytes());
        if !c.uniform {
            write!(
                line,
                ",\"pairs\":{},\"total\":{},\"samePorts\":{}",
                c.pairs, c.total, c.same_ports
            )?;
        }
        line.push(b'}');
        out.write_all(line)
    }

    fn end(
        &mut self,
        out: &mut dyn Write,
        _ctx: &Context,
        count: u64,
        note: Option<&str>,
    ) -> io::Result<()> {
        if !self.first {
            out.write_all(b"\n  ")?;
        }
        write!(
            out,
            "],\n  \"count\": {count},\n  \"truncated\": {}",
            note.is_some()
        )?;
        if let Some(n) = note {
            write!(out, ",\n  \"note\": {}", json!(n))?;
        }
        out.write_all(b"\n}\n")
    }
}
