//! deploy/rbac.yaml grants exactly what moat reads (get and list on RESOURCES, nothing
//! else), and deploy/cronjob.yaml runs the nightly lint as that ServiceAccount.

use std::collections::BTreeSet;
use std::path::Path;

use moat_live::RESOURCES;
use yaml_rust2::{Yaml, YamlLoader};

fn docs(file: &str) -> Vec<Yaml> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    YamlLoader::load_from_str(&text).unwrap()
}

fn find<'a>(docs: &'a [Yaml], kind: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn strings(y: &Yaml) -> Vec<String> {
    y.as_vec()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn cluster_role_grants_get_and_list_on_exactly_the_resources_read() {
    let docs = docs("rbac.yaml");
    let role = find(&docs, "ClusterRole");
    let mut granted = BTreeSet::new();
    for rule in role["rules"].as_vec().unwrap() {
        assert_eq!(
            strings(&rule["verbs"]),
            ["get", "list"],
            "verbs of {rule:?}"
        );
        assert!(rule["resourceNames"].is_badvalue(), "no resourceNames");
        assert!(rule["nonResourceURLs"].is_badvalue(), "no nonResourceURLs");
        for g in strings(&rule["apiGroups"]) {
            for r in strings(&rule["resources"]) {
                assert!(
                    granted.insert((g.clone(), r.clone())),
                    "{g}/{r} granted twice"
                );
            }
        }
    }
    let read: BTreeSet<(String, String)> = RESOURCES
        .iter()
        .map(|r| (r.group.to_string(), r.plural.to_string()))
        .collect();
    assert_eq!(granted, read);
    let binding = find(&docs, "ClusterRoleBinding");
    assert_eq!(binding["roleRef"]["name"], role["metadata"]["name"]);
    let sa = find(&docs, "ServiceAccount");
    assert_eq!(binding["subjects"][0]["name"], sa["metadata"]["name"]);
    assert_eq!(
        binding["subjects"][0]["namespace"],
        sa["metadata"]["namespace"]
    );
}

#[test]
fn cronjob_runs_the_nightly_sarif_lint_as_the_reader() {
    let cron = docs("cronjob.yaml");
    let rbac = docs("rbac.yaml");
    let job = find(&cron, "CronJob");
    let pod = &job["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let sa = find(&rbac, "ServiceAccount");
    assert_eq!(pod["serviceAccountName"], sa["metadata"]["name"]);
    assert_eq!(job["metadata"]["namespace"], sa["metadata"]["namespace"]);
    assert_eq!(
        strings(&pod["containers"][0]["args"]),
        ["lint", "--cluster", "--output", "sarif"]
    );
    // Nightly: a fixed minute and hour, every day.
    let schedule = job["spec"]["schedule"].as_str().unwrap();
    let fields: Vec<&str> = schedule.split(' ').collect();
    assert_eq!(fields.len(), 5);
    assert!(fields[0].parse::<u8>().is_ok() && fields[1].parse::<u8>().is_ok());
    assert_eq!(&fields[2..], ["*", "*", "*"]);
}
