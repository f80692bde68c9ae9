//! controller-pods-differ: one finding per controller, at both pods' differing labels.

use std::path::Path;

use moat::lint::{lint, Config, LintOptions};
use moat::load::{load, read_source, LoadOptions};

fn run(file: &str) -> Vec<moat::lint::Diagnostic> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint/controller-pods-differ")
        .join(file);
    let sources = vec![read_source(&path).unwrap()];
    let loaded = load(&sources, &LoadOptions::default());
    let opts = LintOptions {
        only: vec!["controller-pods-differ".into()],
        skip: vec![],
    };
    lint(loaded, &sources, &Config::default(), &opts).unwrap()
}

#[test]
fn one_finding_per_controller_with_both_pods_positions() {
    let d = run("fires.yaml");
    assert_eq!(d.len(), 1, "{d:#?}");
    let d = &d[0];
    assert_eq!(
        d.message,
        "pods of Deployment shop/web have different labels: `track=stable` on shop/web-6d4cf56db6-abcde, `track=canary` on shop/web-6d4cf56db6-fghij; a NetworkPolicy selecting by them treats the controller's pods differently"
    );
    let o = d.object.as_ref().unwrap();
    assert_eq!(
        (o.kind.as_str(), o.name.as_str()),
        ("Pod", "web-6d4cf56db6-abcde")
    );
    // The first pod's `track` (line 11), and the relabelled pod's (line 31); the third pod
    // has the first one's labels and adds nothing.
    assert_eq!(d.span.as_ref().unwrap().line, 11);
    assert_eq!(d.path, "metadata.labels.track");
    assert_eq!(d.related.len(), 1, "{:#?}", d.related);
    assert_eq!(d.related[0].span.as_ref().unwrap().line, 31);
    assert_eq!(d.related[0].path, "metadata.labels.track");
}

#[test]
fn a_label_only_one_pod_has_is_named_with_that_pod() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/lint/controller-pods-differ/fires.yaml"),
    )
    .unwrap()
    .replace(
        "    track: canary\n",
        "    track: stable\n    quarantine: \"true\"\n",
    );
    let sources = vec![moat::load::Source {
        name: "x.yaml".into(),
        text,
    }];
    let loaded = load(&sources, &LoadOptions::default());
    let opts = LintOptions {
        only: vec!["controller-pods-differ".into()],
        skip: vec![],
    };
    let d = lint(loaded, &sources, &Config::default(), &opts).unwrap();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message
            .contains("`quarantine=true` on shop/web-6d4cf56db6-fghij only"),
        "{}",
        d[0].message
    );
    // The first pod has no such label: its position is its labels.
    assert_eq!(d[0].path, "metadata.labels");
    assert_eq!(d[0].related[0].path, "metadata.labels.quarantine");
}
