//! Inputs end to end: exports of the API server give the same answers as plain manifests,
//! nothing read is left unsaid, and `--strict` refuses what would be skipped.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

const FIXTURES: &str = "crates/moat/tests/fixtures/inputs";

/// Run moat from the repository root: (stdout, stderr, code).
fn moat(args: &[&str]) -> (String, String, i32) {
    moat_env(args, &[])
}

fn moat_env(args: &[&str], env: &[(&str, &str)]) -> (String, String, i32) {
    let mut cmd = Command::cargo_bin("moat").unwrap();
    cmd.current_dir(repo()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

fn matrix_json(paths: &[&str]) -> String {
    let mut args = vec!["matrix", "--output", "json", "--group", "pod"];
    args.extend_from_slice(paths);
    let (out, err, code) = moat(&args);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn three_tier_exported_as_typed_lists_has_the_same_matrix() {
    let plain = matrix_json(&[
        "examples/three-tier/workloads.yaml",
        "examples/three-tier/policies.yaml",
    ]);
    assert!(plain.contains("production/frontend"));
    for f in [
        "three-tier-typed-lists.yaml",
        "three-tier-typed-json",
        "three-tier-nested.oneline.json",
        "three-tier-kubectl.json",
    ] {
        let path = format!("{FIXTURES}/{f}");
        assert_eq!(matrix_json(&[&path]), plain, "{f}");
    }
}

#[test]
fn typed_lists_read_from_stdin_have_the_same_matrix() {
    let text = std::fs::read(repo().join(FIXTURES).join("three-tier-nested.oneline.json")).unwrap();
    let out = Command::cargo_bin("moat")
        .unwrap()
        .current_dir(repo())
        .args(["matrix", "-o", "json", "-g", "pod", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let plain = matrix_json(&[
        "examples/three-tier/workloads.yaml",
        "examples/three-tier/policies.yaml",
    ]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), plain);
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moat-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const UNUSED: &str = "apiVersion: example.com/v1\nkind: WidgetList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n---\njust a string\n---\napiVersion: v1\nkind: List\nitems:\n- metadata: {name: nokind}\n---\napiVersion: networking.k8s.io/v2\nkind: NetworkPolicy\nmetadata: {name: v2}\nspec: {podSelector: {}}\n";

#[test]
fn every_unused_document_is_counted_by_kind_on_stderr() {
    let f = write("unused.yaml", UNUSED);
    let policies = repo().join("examples/three-tier/policies.yaml");
    let workloads = repo().join("examples/three-tier/workloads.yaml");
    let (_, err, code) = moat(&[
        "matrix",
        f.to_str().unwrap(),
        policies.to_str().unwrap(),
        workloads.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "note: 5 documents not used: 1 (list item without kind), 1 (not a mapping: a string), 1 NetworkPolicy (unknown apiVersion networking.k8s.io/v2), 2 Widget (--verbose lists them)\n"
    );
    let (_, err, _) = moat(&["matrix", "-v", f.to_str().unwrap()]);
    assert!(err.contains(":4:3: Widget a (example.com/v1)\n"), "{err}");
    assert!(
        err.contains(":14:1: NetworkPolicy (unknown apiVersion networking.k8s.io/v2) v2\n"),
        "{err}"
    );
}

#[test]
fn strict_turns_every_skip_into_an_error() {
    let f = write("strict.yaml", UNUSED);
    let (out, err, code) = moat(&["matrix", "--strict", f.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("strict.yaml:4:3: Widget a is not used (--strict)"),
        "{err}"
    );
    assert!(
        err.contains("strict.yaml:7:1: (not a mapping: a string) is not used (--strict)"),
        "{err}"
    );
    assert!(err.contains("nothing was evaluated"), "{err}");
    // moat's own files next to the manifests are not skips.
    let (_, err, code) = moat(&[
        "check",
        "--strict",
        "examples/three-tier",
        "--expect",
        "examples/three-tier/expect.yaml",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn policies_without_workloads_say_so_in_one_warning() {
    let (_, err, code) = moat(&["matrix", "examples/three-tier/policies.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "warning: the inputs hold 7 policies but no Pod or workload: there is nothing for them to select (add the workloads' manifests)\n"
    );
    let (_, err, _) = moat(&["matrix", "examples/three-tier/workloads.yaml"]);
    assert!(
        err.starts_with("warning: the inputs hold 7 Pods and workloads but no policy"),
        "{err}"
    );
    let (_, err, code) = moat(&["matrix", "--strict", "examples/three-tier/workloads.yaml"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_chart_directory_is_refused_with_how_to_render_it() {
    let (out, err, code) = moat(&["matrix", &format!("{FIXTURES}/chart")]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(err, format!("error: {FIXTURES}/chart/Chart.yaml:1:1: a Helm chart, not manifests: moat reads rendered output; pipe it in: `helm template RELEASE {FIXTURES}/chart | moat matrix -`\n1 error in the input; nothing was evaluated\n"));
}

#[test]
fn an_unrendered_template_is_refused_at_its_line() {
    let (_, err, code) = moat(&[
        "check",
        &format!("{FIXTURES}/chart/templates"),
        "--expect",
        "examples/three-tier/expect.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("deployment.yaml:4:9: unrendered Helm template `{{ .Release.Name }}`: moat reads rendered manifests; pipe them in: `helm template RELEASE CHART | moat check -`"), "{err}");
    assert!(
        err.contains("networkpolicy.yaml:1:1: unrendered Helm template"),
        "{err}"
    );
}

#[test]
fn a_kustomization_is_refused_with_how_to_build_it() {
    let dir = format!("{FIXTURES}/kustomize/overlays/prod");
    let (_, err, code) = moat(&[
        "explain", &dir, "--from", "prod/api", "--to", "prod/api", "--port", "80",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("kustomization.yaml:1:1: a kustomization, not manifests: moat reads rendered output; pipe it in: `kustomize build {dir} | moat explain -` (or `kubectl kustomize {dir}`)")), "{err}");
}

#[test]
fn rendered_chart_and_overlay_output_is_evaluated() {
    let (out, err, code) = moat(&[
        "matrix",
        &format!("{FIXTURES}/chart-rendered.yaml"),
        "--to",
        "default/demo-web",
    ]);
    assert_eq!(code, 0, "{err}");
    let row = ["0.0.0.0/0", "default/demo-web", "TCP", "8080"];
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == row),
        "{out}"
    );
    assert_eq!(err, "");
    let (_, err, code) = moat(&["matrix", &format!("{FIXTURES}/kustomize-rendered.yaml")]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn objects_defined_twice_are_warned_in_check_explain_and_matrix() {
    let policies =
        std::fs::read_to_string(repo().join("examples/three-tier/policies.yaml")).unwrap();
    let f = write("twice.yaml", &format!("{policies}\n---\n{policies}"));
    let workloads = repo().join("examples/three-tier/workloads.yaml");
    let (f, w) = (f.to_str().unwrap(), workloads.to_str().unwrap());
    for args in [
        vec!["matrix", f, w],
        vec![
            "explain",
            f,
            w,
            "--from",
            "production/frontend",
            "--to",
            "production/backend",
            "--port",
            "8080",
        ],
        vec!["check", f, w, "--expect", "examples/three-tier/expect.yaml"],
    ] {
        let (_, err, code) = moat(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let dups: Vec<_> = err
            .lines()
            .filter(|l| l.contains("is defined again"))
            .collect();
        assert_eq!(dups.len(), 7, "{args:?}: {err}");
        assert!(dups[0].starts_with("warning: "), "{}", dups[0]);
        assert!(dups[0].contains("(first at /"), "{}", dups[0]);
    }
}

#[test]
fn invalid_names_are_refused_with_their_position() {
    let f = write("names.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad_name\n  namespace: Bad NS\n  nmae: x\nspec: {containers: []}\n");
    let (_, err, code) = moat(&["matrix", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("names.yaml:4:9: metadata.name: invalid Pod name `bad_name`"),
        "{err}"
    );
    assert!(
        err.contains("names.yaml:5:14: metadata.namespace: invalid namespace `Bad NS`"),
        "{err}"
    );
    assert!(
        err.contains("names.yaml:6:3: metadata.nmae: unknown field `nmae`; did you mean `name`?"),
        "{err}"
    );
    // lint reports them under invalid-policy and unknown-field.
    let (out, _, code) = moat(&["lint", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("invalid-policy"), "{out}");
    assert!(out.contains("unknown-field"), "{out}");
}

#[test]
fn matrix_output_is_byte_identical_for_any_thread_count() {
    let args = [
        "matrix",
        "-o",
        "json",
        "-g",
        "pod",
        "examples/three-tier",
        "examples/seed-001",
        "examples/task-api",
    ];
    let one = moat_env(&args, &[("RAYON_NUM_THREADS", "1")]);
    assert_eq!(one.2, 0, "{}", one.1);
    for n in ["2", "5"] {
        assert_eq!(
            moat_env(&args, &[("RAYON_NUM_THREADS", n)]),
            one,
            "{n} threads"
        );
    }
}
