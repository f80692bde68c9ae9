//! docs/rules.md must be what the rules' metadata generates.
//! Regenerate: `MOAT_REGENERATE_DOCS=1 cargo test -p moat --test lint_docs`.

use std::path::Path;

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let generated = moat::lint::docs::rules_markdown();
    if std::env::var_os("MOAT_REGENERATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale: run `MOAT_REGENERATE_DOCS=1 cargo test -p moat --test lint_docs`"
    );
    for rule in moat::lint::all_rules() {
        assert!(current.contains(&format!("\n## {}\n", rule.meta().id)));
    }
}
