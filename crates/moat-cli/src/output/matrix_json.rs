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

use super::{group_word, Context, MatrixWriter, Row};

#[derive(Default)]
pub struct Json {
    first: bool,
}

pub fn ports_json(p: &Ports) -> Value {
    match p {
        Ports::All => json!("All"),
        Ports::Some(protos) => {
            let mut m = Map::new();
            for (proto, ranges) in protos {
                m.insert(
                    proto.as_str().to_string(),
                    json!(ranges
                        .iter()
                        .map(|&(a, b)| interval_text(a, b))
                        .collect::<Vec<_>>()),
                );
            }
            Value::Object(m)
        }
    }
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
        let mut v =
            json!({"from": ctx.name(c.from), "to": ctx.name(c.to), "ports": ports_json(row.ports)});
        if !c.uniform {
            v["pairs"] = json!(c.pairs);
            v["total"] = json!(c.total);
            v["samePorts"] = json!(c.same_ports);
        }
        out.write_all(if self.first { b"\n    " } else { b",\n    " })?;
        self.first = false;
        serde_json::to_writer(&mut *out, &v).map_err(io::Error::other)
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
