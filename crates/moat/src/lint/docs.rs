//! docs/rules.md, generated from the rules' own metadata.

use std::fmt::Write as _;

use super::registry::all_rules;

pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# moat lint rules\n\n");
    out.push_str(
        "<!-- Generated from the rules' metadata (crates/moat/src/lint/rules/). Do not edit:\n",
    );
    out.push_str("     regenerate with `moat lint --list-rules --output md > docs/rules.md`\n");
    out.push_str("     or `MOAT_REGENERATE_DOCS=1 cargo test -p moat --test lint_docs`. -->\n\n");
    out.push_str(
        "Silence a rule for one object with the annotation `moat.dev/ignore: \"rule-a,rule-b\"`;\n",
    );
    out.push_str("change severities, skip rules or list system namespaces in `.moat.yaml`.\n\n");
    out.push_str("| Rule | Severity | What it reports |\n|---|---|---|\n");
    for r in all_rules() {
        let m = r.meta();
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            m.id, m.id, m.default_severity, m.summary
        );
    }
    for r in all_rules() {
        let m = r.meta();
        let _ = write!(
            out,
            "\n## {}\n\nDefault severity: **{}**\n\n**What.** {}\n\n**Why.** {}\n\n**Example.**\n\n```yaml\n{}\n```\n\n**Fix.** ",
            m.id,
            m.default_severity,
            m.summary,
            m.why,
            m.example.trim_end()
        );
        match m.fix.split_once("\n\n") {
            Some((prose, yaml)) => {
                let _ = writeln!(out, "{prose}\n\n```yaml\n{}\n```", yaml.trim_end());
            }
            None => {
                let _ = writeln!(out, "{}", m.fix);
            }
        }
    }
    out
}
