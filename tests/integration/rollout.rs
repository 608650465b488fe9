//! `kruise-inject rollout` end to end.

use serde_json::Value;

use crate::test::{Status, Test};

const CANARY: &str = "testdata/rollout/filebeat-canary";
const DUMP: &str = "testdata/rollout/pod-dump";

/// `kruise-inject rollout ARGS` in `test`'s directory.
fn rollout(test: &Test, args: &[&str]) -> Test {
    test.with_args(&["rollout"]).args(args)
}

fn canary(new: &str) -> Test {
    Test::new()
        .copy(&format!("{CANARY}/workloads.yaml"), "workloads.yaml")
        .copy(
            &format!("{CANARY}/old/filebeat-sidecarset.yaml"),
            "old/filebeat-sidecarset.yaml",
        )
        .copy(
            &format!("{CANARY}/{new}/filebeat-sidecarset.yaml"),
            "new/filebeat-sidecarset.yaml",
        )
}

fn dump() -> Test {
    Test::new()
        .copy(&format!("{DUMP}/pods.yaml"), "pods.yaml")
        .copy(
            &format!("{DUMP}/new/sidecarsets.yaml"),
            "new/sidecarsets.yaml",
        )
}

const FROM_WORKLOADS: &[&str] = &[
    "--from-workloads",
    "workloads.yaml",
    "--old-sidecarsets",
    "old",
    "-s",
    "new",
];

fn with(base: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(more).copied().collect()
}

/// Runs `test` (exit 0, nothing on stderr) and reads its JSON output.
#[track_caller]
fn json(test: &Test) -> Value {
    let out = test.clone().stdout_any().run();
    serde_json::from_str(&out.stdout).expect("JSON output")
}

/// The JSON contract on the canary rollout of the Filebeat example: only the four canary pods,
/// three (20% of 14, rounded up) then one.
#[test]
fn canary_rollout_json_contract() {
    let out = rollout(
        &canary("new-without-partition"),
        &with(FROM_WORKLOADS, &["--rounds", "all", "-o", "json"]),
    )
    .stdout_any()
    .run();
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn canary_rollout_table() {
    let out = rollout(
        &canary("new-without-partition"),
        &with(FROM_WORKLOADS, &["--rounds", "all"]),
    )
    .stdout_any()
    .stderr_any()
    .run();
    insta::assert_snapshot!(out.transcript());
}

/// The guide's fragment has partition and selector: Kruise's validating webhook rejects it, so the
/// SidecarSet never exists and there is no rollout to plan: an error (exit 2) naming the rule.
#[test]
fn guide_fragment_is_rejected_by_kruise() {
    rollout(&canary("new"), &with(FROM_WORKLOADS, &["--rounds", "all"]))
        .status(Status::Error)
        .stderr_contains("filebeat-sidecarset.yaml:18: document 1: apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset: updateStrategy: Invalid value: ")
        .stderr_contains("Partition and Selector cannot be used together")
        .run();
}

/// A pod dump with three SidecarSets: a scattered cold upgrade, a hot upgrade (upgrade and flip
/// rounds), a non-image change (not upgradable), and a pod created before the SidecarSets.
#[test]
fn pod_dump_plan() {
    let out = rollout(&dump(), &["pods.yaml", "-s", "new", "--rounds", "all"])
        .stdout_any()
        .stderr_any()
        .run();
    insta::assert_snapshot!("pod_dump_plan_table", out.transcript());
    let v = json(&rollout(
        &dump(),
        &["pods.yaml", "-s", "new", "--rounds", "all", "-o", "json"],
    ));
    insta::assert_snapshot!(
        "pod_dump_plan_json",
        serde_json::to_string_pretty(&v).expect("json")
    );
}

/// `rounds[0]` is the next round; `-o yaml` writes the pods after it, and reading them back gives
/// the rest of the plan.
#[test]
fn yaml_output_continues_the_plan() {
    let test = dump();
    let all = json(&rollout(
        &test,
        &["pods.yaml", "-s", "new", "--rounds", "all", "-o", "json"],
    ));
    let next = json(&rollout(&test, &["pods.yaml", "-s", "new", "-o", "json"]));
    for (a, n) in all["sidecarSets"]
        .as_array()
        .expect("list")
        .iter()
        .zip(next["sidecarSets"].as_array().expect("list"))
    {
        assert_eq!(a["status"], n["status"]);
        assert_eq!(a["rounds"][0], n["rounds"][0]);
        assert_eq!(n["rounds"].as_array().map(Vec::len), Some(1));
    }
    let yaml = rollout(&test, &["pods.yaml", "-s", "new", "-o", "yaml"])
        .stdout_any()
        .run();
    let test = test.file("after.yaml", &yaml.stdout);
    let rest = json(&rollout(
        &test,
        &["after.yaml", "-s", "new", "--rounds", "all", "-o", "json"],
    ));
    for (a, r) in all["sidecarSets"]
        .as_array()
        .expect("list")
        .iter()
        .zip(rest["sidecarSets"].as_array().expect("list"))
    {
        let a_rounds = a["rounds"].as_array().expect("rounds");
        let r_rounds = r["rounds"].as_array().expect("rounds");
        if a_rounds.is_empty() {
            continue;
        }
        assert_eq!(r["status"], a_rounds[0]["status"], "{}", a["name"]);
        // The not-upgradable pods are reported in every first round; the upgrades continue.
        let upgrades = |rounds: &[Value]| -> Vec<Value> {
            rounds
                .iter()
                .filter(|r| {
                    !r["upgrade"].as_array().is_some_and(Vec::is_empty)
                        || !r["flip"].as_array().is_some_and(Vec::is_empty)
                })
                .cloned()
                .collect()
        };
        assert_eq!(
            upgrades(r_rounds),
            upgrades(&a_rounds[1..]),
            "{}",
            a["name"]
        );
    }
}

#[test]
fn yaml_output_is_the_pods_as_the_controller_leaves_them() {
    rollout(&dump(), &["pods.yaml", "-s", "new", "-o", "yaml"])
        .stdout_regex("apiVersion: v1\nitems:\n(?s:.*)")
        .stdout_contains("image: registry.example.com/log-agent:1.1")
        .stdout_contains(
            "kruise.io/sidecarset-inplace-update-state: '{\"log-agent\":{\"revision\":",
        )
        .stdout_contains(
            "kruise.io/sidecarset-working-hotupgrade-container: '{\"envoy\":\"envoy-2\"}'",
        )
        .stdout_contains("versionalt.sidecarset.kruise.io/envoy-1: \"4242\"")
        .stdout_contains("reason: UpdateImmutableField")
        .stdout_contains("message: '{\"log-agent\":true,\"mesh\":true,\"metrics\":false}'")
        .run();
}

#[test]
fn paused_and_not_update_plan_nothing() {
    for (field, value) in [("paused", "true"), ("type", "NotUpdate")] {
        let test = Test::new().copy(&format!("{DUMP}/pods.yaml"), "pods.yaml").file(
            "new.yaml",
            &format!(
                "apiVersion: apps.kruise.io/v1beta1\nkind: SidecarSet\nmetadata:\n  name: log-agent\nspec:\n  selector:\n    matchLabels:\n      app: shop\n  updateStrategy:\n    {field}: {value}\n  containers:\n  - name: log-agent\n    image: registry.example.com/log-agent:1.1\n"
            ),
        );
        rollout(&test, &["pods.yaml", "-s", "new.yaml", "--rounds", "all"])
            .stdout_contains("6 pods")
            .stdout_lacks("round 1")
            .run();
        let v = json(&rollout(
            &test,
            &["pods.yaml", "-s", "new.yaml", "-o", "json"],
        ));
        assert_eq!(v["sidecarSets"][0]["rounds"], serde_json::json!([]));
        assert_eq!(v["sidecarSets"][0]["status"]["matchedPods"], 6);
    }
}

#[test]
fn pods_missing_annotations_are_reported_not_fatal() {
    let test = Test::new()
        .copy(&format!("{DUMP}/new/sidecarsets.yaml"), "new.yaml")
        .file(
            "pods.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: shop\n  labels:\n    app: shop\n  annotations:\n    kruise.io/sidecarset-injected-list: log-agent\n    kruise.io/sidecarset-hash: '{broken'\nspec:\n  containers:\n  - name: log-agent\n    image: registry.example.com/log-agent:1.0\n",
        );
    let out = rollout(&test, &["pods.yaml", "-s", "new.yaml"])
        .stdout_any()
        .stderr_any()
        .run();
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn bad_input_exits_2() {
    let test = Test::new()
        .copy(&format!("{DUMP}/new/sidecarsets.yaml"), "new.yaml")
        .file("pods.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nstatus:\n  containerStatuses:\n  - name: x\n    ready: maybe\n");
    rollout(&test, &["pods.yaml", "-s", "new.yaml"])
        .status(Status::Error)
        .stderr_contains("pods.yaml:8: document 1")
        .stderr_contains("status.containerStatuses[0].ready")
        .run();
    let test = test.file("twice.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n");
    rollout(&test, &["twice.yaml", "-s", "new.yaml"])
        .status(Status::Error)
        .stderr_contains("default/a appears twice")
        .run();
    rollout(&test, &["twice.yaml", "--rounds", "few"])
        .status(Status::Error)
        .stderr_contains("invalid value 'few' for '--rounds")
        .run();
}
