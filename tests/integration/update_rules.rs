//! Kruise's SidecarSet UPDATE rules end to end (kruise v1.9 `sidecarset_create_update_handler.go`:
//! `validateSidecarContainerConflict` and the UPDATE branch of
//! `validateSidecarSetCanaryAnnotations`): `validate --old-sidecarsets` reports them as errors at
//! the offending field, `diff --old-sidecarsets` prints them beside the impact and exits 3.
//! Fixtures: `testdata/update-rules/`, the Filebeat SidecarSet of `testdata/filebeat-sidecarset` as
//! it is now (`old/`) and edited.

use serde_json::Value;

use crate::test::{Output, Status, Test};

const DIR: &str = "testdata/update-rules";

const ADVICE: &str = "to add or rename a sidecar container or change its upgradeType, create a new SidecarSet (and delete the old one) instead";

/// The test directory: `app/` (the nginx Deployment and Filebeat's ConfigMap), `old/` (the
/// SidecarSets as they are now) and `new/` (the edited ones, from `testdata/update-rules/<case>`).
fn setup(case: &str) -> Test {
    let mut test = Test::new()
        .copy(
            &format!("{DIR}/nginx-deployment.yaml"),
            "app/nginx-deployment.yaml",
        )
        .copy(
            &format!("{DIR}/filebeat-configmap.yaml"),
            "app/filebeat-configmap.yaml",
        );
    let (old, new) = if case == "canary" {
        ("canary-old", "canary-new")
    } else {
        ("old", case)
    };
    for (from, to) in [(old, "old"), (new, "new")] {
        let dir = crate::test::repo(&format!("{DIR}/{from}"));
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixture directory")
            .map(|e| e.expect("entry").file_name().into_string().expect("name"))
            .collect();
        names.sort();
        for name in names {
            test = test.copy(&format!("{DIR}/{from}/{name}"), &format!("{to}/{name}"));
        }
    }
    test
}

fn validate(case: &str, extra: &[&str]) -> Test {
    setup(case)
        .args(&["validate", "new", "app", "--old-sidecarsets", "old"])
        .args(extra)
}

fn diff(case: &str, extra: &[&str]) -> Test {
    setup(case)
        .args(&["diff", "app", "-s", "new", "--old-sidecarsets", "old"])
        .args(extra)
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&output.stdout).expect("stdout is JSON")
}

#[test]
fn validate_rejects_an_added_sidecar_container_at_its_name() {
    validate("added-container", &[])
        .status(Status::Changes)
        .stdout_contains(&format!(
        "new/filebeat-sidecarset.yaml:56: error: apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset: spec.containers.name: Invalid value: \"metrics-agent\": container metrics-agent is not found; Kruise rejects this update; {ADVICE}\n"
        ))
        .stderr_contains("validate: 1 error")
        .run();

    // Without the stored SidecarSet it is a CREATE: no UPDATE rule applies.
    setup("added-container")
        .args(&["validate", "new", "app"])
        .stdout_lacks("kruise-webhook-update")
        .stderr("validate: 0 errors, 1 warning\n")
        .run();
}

#[test]
fn validate_json_names_the_rule_file_and_line() {
    let out = validate("added-container", &["-o", "json", "-q"])
        .status(Status::Changes)
        .stdout_any()
        .run();
    let report = json(&out);
    let findings = report["findings"].as_array().expect("findings");
    let update: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "kruise-webhook-update")
        .collect();
    assert_eq!(update.len(), 1, "{report:#}");
    assert_eq!(update[0]["severity"], "error");
    assert_eq!(update[0]["file"], "new/filebeat-sidecarset.yaml");
    assert_eq!(update[0]["line"], 56);
    let message = update[0]["message"].as_str().expect("message");
    assert!(message.starts_with("spec.containers.name: Invalid value: \"metrics-agent\": container metrics-agent is not found; Kruise rejects this update; "), "{message}");
    assert_eq!(report["errors"], 1);
}

#[test]
fn validate_rejects_a_changed_upgrade_type_at_the_upgrade_strategy() {
    // Line 34: `upgradeType: HotUpgrade` of container filebeat.
    validate("hot-upgrade", &[])
        .status(Status::Changes)
        .stdout_contains(&format!(
        "new/filebeat-sidecarset.yaml:34: error: apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset: spec.containers.upgradeStrategy.upgradeType: Invalid value: \"filebeat\": container filebeat upgradeType is immutable; Kruise rejects this update; {ADVICE}\n"
        ))
        .stderr_contains("validate: 1 error")
        .run();
}

#[test]
fn validate_rejects_a_moved_canary_base_at_the_annotation() {
    let out = validate("canary", &[])
        .status(Status::Changes)
        .stdout_any()
        .stderr_contains("validate: 1 error")
        .run();
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("is immutable"))
        .unwrap_or_else(|| panic!("{}", out.transcript()));
    // Line 7: `apps.kruise.io/sidecarset-base: filebeat-v2`.
    assert!(line.starts_with("new/canary.yaml:7: error: apps.kruise.io/v1alpha1 SidecarSet filebeat-canary: metadata: Invalid value: map[string]string{\"apps.kruise.io/sidecarset-base\":\"filebeat-v2\", "), "{line}");
    assert!(line.ends_with(": annotations[apps.kruise.io/sidecarset-base] is immutable; Kruise rejects this update; to move a canary to another base, create a new canary SidecarSet (and delete the old one) instead"), "{line}");
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.contains(": error: "))
            .count(),
        1,
        "{}",
        out.transcript()
    );
}

#[test]
fn validate_names_a_broken_old_sidecarset_file() {
    setup("image-only")
        .file("old/broken.yaml", "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: broken\nspec:\n  containers: 3\n")
        .args(&["validate", "new", "app", "--old-sidecarsets", "old"])
        .status(Status::Error)
        .stderr_contains("--old-sidecarsets")
        .stderr_contains("old/broken.yaml")
        .run();
}

#[test]
fn an_image_only_change_is_accepted_and_rolled_out_in_place() {
    validate("image-only", &[])
        .stdout_lacks("error")
        .stderr("validate: 0 errors, 1 warning\n")
        .run();

    diff("image-only", &[])
        .status(Status::Changes)
        .stdout_contains("filebeat-sidecarset (new/filebeat-sidecarset.yaml:1): image-only change: in-place upgrade")
        .stdout_contains("Kruise upgrades running pods in place")
        .stdout_lacks("Kruise rejects")
        .stderr_lacks("Kruise rejects")
        .run();

    let report = json(
        &diff("image-only", &["-o", "json"])
            .status(Status::Changes)
            .stdout_any()
            .run(),
    );
    assert_eq!(report["sidecarsets"][0]["rejected"], serde_json::json!([]));
}

#[test]
fn diff_reports_a_rejected_update_beside_its_impact_and_exits_3() {
    let rejection = format!(
        "Kruise rejects this update: spec.containers.name: Invalid value: \"metrics-agent\": container metrics-agent is not found; {ADVICE}"
    );
    // In the SidecarSet's entry, after its impact statement.
    let expected = format!(
        "  filebeat-sidecarset (new/filebeat-sidecarset.yaml:1): container change: running pods not upgradable\n    - container metrics-agent added\n    Kruise upgrades running pods in place only when nothing but sidecar images changed: running pods are not upgradable (condition SidecarSetUpgradable=False) and keep the old sidecars until they are recreated (for example by a rollout of their workload); new pods get the new ones.\n    {rejection}\n    Rendered workloads that change: apps/v1 Deployment default/nginx\n"
    );
    diff("added-container", &[])
        .status(Status::UpdateRejected)
        .stdout_contains(&expected)
        // On standard error too, even with -q.
        .stderr_contains(&format!(
            "error: SidecarSet filebeat-sidecarset: {rejection}"
        ))
        .run();
    diff("added-container", &["-q"])
        .status(Status::UpdateRejected)
        .stdout_any()
        .stderr_contains(&rejection)
        .run();
}

#[test]
fn diff_json_lists_the_rejection() {
    let out = diff("hot-upgrade", &["-o", "json"])
        .status(Status::UpdateRejected)
        .stdout_any()
        .stderr_contains("error: SidecarSet filebeat-sidecarset: Kruise rejects this update: spec.containers.upgradeStrategy.upgradeType: Invalid value: \"filebeat\": container filebeat upgradeType is immutable")
        .run();
    let report = json(&out);
    let entry = &report["sidecarsets"][0];
    assert_eq!(entry["name"], "filebeat-sidecarset");
    assert_eq!(entry["impact"], "not-upgradable");
    assert_eq!(
        entry["rejected"],
        serde_json::json!([format!(
            "spec.containers.upgradeStrategy.upgradeType: Invalid value: \"filebeat\": container filebeat upgradeType is immutable; {ADVICE}"
        )])
    );
}

#[test]
fn diff_github_annotates_the_rejection_as_an_error() {
    let test = setup("canary").args(&[
        "diff",
        "app",
        "-s",
        "new",
        "--old-sidecarsets",
        "old",
        "-o",
        "github",
    ]);
    let summary = test.path().join("summary.md");
    let test = test
        .env("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))
        .status(Status::UpdateRejected)
        .stdout_contains("::error file=new/canary.yaml,line=1,title=SidecarSet filebeat-canary")
        // The text report is still there for the log.
        .stdout_contains("    Kruise rejects this update: metadata: ")
        .stderr_contains("error: SidecarSet filebeat-canary: Kruise rejects this update: metadata: Invalid value: ");
    let out = test.run();
    let written = std::fs::read_to_string(&summary).expect("step summary");
    assert!(
        written.contains("  - **Kruise rejects this update: metadata: Invalid value: "),
        "{written}"
    );
    let annotation = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("{}", out.transcript()));
    assert!(
        annotation
            .starts_with("::error file=new/canary.yaml,line=1,title=SidecarSet filebeat-canary"),
        "{annotation}"
    );
    assert!(
        annotation.contains("%0AKruise rejects this update: metadata: Invalid value: "),
        "{annotation}"
    );
    assert!(annotation.contains("annotations[apps.kruise.io/sidecarset-base] is immutable; to move a canary to another base, create a new canary SidecarSet (and delete the old one) instead"), "{annotation}");
}

#[test]
fn diff_help_documents_exit_3() {
    Test::new()
        .args(&["diff", "--help"])
        .stdout_contains("3: Kruise rejects the update of a SidecarSet")
        .run();
}
