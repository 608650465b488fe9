//! `kruise-inject rollout` reads each input once and each pod of a `kubectl get pods -o yaml`
//! dump as soon as it is read (issue 14): the same plan whatever the shape of the dump (YAML or
//! JSON, SidecarSets in the same file), the same errors at the same lines.

use crate::test::{Output, Test};

const DUMP: &str = "testdata/rollout/pod-dump";

fn rollout(test: &Test, args: &[&str]) -> Output {
    let args: Vec<String> = std::iter::once("rollout")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect();
    crate::test::run_in(test.path(), &args, None, &[])
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(crate::test::repo(&format!("{DUMP}/{path}"))).expect("fixture")
}

/// `kubectl get pods -o json` of the same pods: the JSON of the YAML dump.
fn json_dump() -> String {
    let text = fixture("pods.yaml");
    let docs = kruise_inject_yaml::parse(&text).expect("YAML");
    let root = docs[0].root.as_ref().expect("a document");
    let value = kruise_inject_yaml::to_value(root, &docs[0]).expect("a value");
    serde_json::to_string_pretty(&value).expect("JSON")
}

/// The plan (every output format, every round) does not depend on how the pods are given: a YAML
/// List, its JSON, or one file with the SidecarSets before the pods (`kubectl get
/// sidecarset,pods -o yaml`, which both gathers the SidecarSets and reads the pods in one pass).
#[test]
fn the_plan_is_the_same_for_every_shape_of_the_dump() {
    let pods = fixture("pods.yaml");
    let sidecarsets = fixture("new/sidecarsets.yaml");
    let test = Test::new()
        .file("pods.yaml", &pods)
        .file("pods.json", &json_dump())
        .file("ss.yaml", &sidecarsets)
        .file("all.yaml", &format!("{sidecarsets}---\n{pods}"));
    for output in ["table", "json", "yaml"] {
        let base = ["--rounds", "all", "-o", output];
        let yaml = rollout(
            &test,
            &[&["pods.yaml", "-s", "ss.yaml"], &base[..]].concat(),
        );
        assert_eq!(yaml.code, 0, "{}", yaml.stderr);
        assert!(yaml.stdout.contains("log-agent"), "{}", yaml.stdout);
        let json = rollout(
            &test,
            &[&["pods.json", "-s", "ss.yaml"], &base[..]].concat(),
        );
        assert_eq!(json.code, 0, "{}", json.stderr);
        assert_eq!(json.stdout, yaml.stdout, "-o {output}");
        let all = rollout(&test, &[&["all.yaml"], &base[..]].concat());
        assert_eq!(all.code, 0, "{}", all.stderr);
        assert_eq!(all.stdout, yaml.stdout, "-o {output}");
    }
}

/// A Pod with a top-level `items` sequence is one object, not a List: its items are not pods.
/// (Read as a stream, its items come before its `kind`: the file is read again as a whole.)
#[test]
fn a_pod_with_a_top_level_items_sequence_is_one_pod() {
    let test = Test::new()
        .file(
            "pod.yaml",
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: ghost\n    labels: {app: shop}\nkind: Pod\nmetadata:\n  name: real\n  namespace: shop\n  labels: {app: shop}\nspec:\n  containers:\n  - name: shop\n    image: shop:1\n",
        )
        .file("ss.yaml", &fixture("new/sidecarsets.yaml"));
    let out = rollout(&test, &["pod.yaml", "-s", "ss.yaml", "-o", "yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("name: real"), "{}", out.stdout);
    assert!(!out.stdout.contains("ghost\n    labels"), "{}", out.stdout);
    assert_eq!(out.stdout.matches("\n- apiVersion: v1\n").count(), 1);
}

/// A pod the controller cannot read, in a dump that also names `SidecarSet` (the condition
/// `SidecarSetUpgradable`, so the dump is read for context as well): the error names the file,
/// the line of the field and the pod, as before; nothing on stdout.
#[test]
fn a_broken_pod_in_a_dump_is_an_error_at_its_line() {
    let pods = fixture("pods.yaml");
    let broken = pods.replacen(
        "    conditions:\n",
        "    conditions:\n    - lastTransitionTime: yesterday\n      status: 'True'\n      type: SidecarSetUpgradable\n",
        2,
    );
    assert_ne!(broken, pods);
    let test = Test::new()
        .file("pods.yaml", &broken)
        .file("ss.yaml", &fixture("new/sidecarsets.yaml"));
    let out = rollout(&test, &["pods.yaml", "-s", "ss.yaml"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!(out.transcript());
}
