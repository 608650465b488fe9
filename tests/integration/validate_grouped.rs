//! `validate` groups findings (issue 14): the same finding (severity, rule, message) on many
//! workloads is one line, JSON entry or annotation that says on how many and which; and it reads
//! its inputs as a stream (context first, then one file at a time), so objects later in the
//! inputs still count.

use crate::test::{Status, Test};

const FIXTURE: &str = "testdata/validate-grouped";

/// Five filebeat workloads: four in `shop` without filebeat's ConfigMap, two in `web` whose
/// ConfigMap comes in the last file.
fn fixture() -> Test {
    let mut t = Test::new();
    for file in [
        "apps/shop.yaml",
        "apps/shop-payments.yaml",
        "apps/web.yaml",
        "apps/zz-web-config.yaml",
        "platform/filebeat-sidecarset.yaml",
    ] {
        t = t.copy(&format!("{FIXTURE}/{file}"), file);
    }
    t
}

#[test]
fn the_same_finding_on_many_workloads_is_one_line() {
    let out = fixture()
        .args(&["validate", "apps", "-s", "platform"])
        .status(Status::Changes)
        .stdout_any()
        .stderr_any()
        .run();
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn json_lists_every_location_and_counts_occurrences() {
    let out = fixture()
        .args(&["validate", "apps", "-s", "platform", "-o", "json"])
        .status(Status::Changes)
        .stdout_any()
        .stderr("validate: 4 errors, 6 warnings (3 distinct findings)\n")
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON output");
    assert_eq!(json["errors"], 4);
    assert_eq!(json["warnings"], 6);
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3, "{}", out.stdout);
    let missing = &findings[0];
    assert_eq!(missing["rule"], "missing-reference");
    assert_eq!(missing["count"], 4);
    // The first occurrence's place, as before grouping.
    assert_eq!(missing["file"], "apps/shop-payments.yaml");
    assert_eq!(missing["resource"], "apps/v1 Deployment shop/payments");
    let locations: Vec<String> = missing["locations"]
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            format!(
                "{}:{} #{} {}",
                l["file"].as_str().unwrap_or_default(),
                l["line"],
                l["document"],
                l["resource"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        locations,
        [
            "apps/shop-payments.yaml:1 #1 apps/v1 Deployment shop/payments",
            "apps/shop.yaml:2 #1 apps/v1 Deployment shop/cart",
            "apps/shop.yaml:33 #2 apps/v1 Deployment shop/checkout",
            "apps/shop.yaml:64 #3 apps/v1 Deployment shop/orders",
        ]
    );
    assert_eq!(findings[1]["rule"], "lint");
    assert_eq!(findings[1]["count"], 5);
    assert_eq!(findings[2]["count"], 1);
    assert_eq!(findings[2]["resource"], "batch/v1 CronJob web/report");
    // Deterministic: the same input, the same bytes.
    fixture()
        .args(&["validate", "apps", "-s", "platform", "-o", "json"])
        .status(Status::Changes)
        .stdout(&out.stdout)
        .stderr_any()
        .run();
}

#[test]
fn github_annotates_each_finding_once_at_its_first_occurrence() {
    let out = fixture()
        .args(&["validate", "apps", "-s", "platform", "-o", "github"])
        .status(Status::Changes)
        .stdout_any()
        .stderr_any()
        .run();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(
        lines[0].starts_with(
            "::error file=apps/shop-payments.yaml,line=1,title=kruise-inject validate%3A missing-reference::4 workloads: apps/v1 Deployment shop/payments, apps/v1 Deployment shop/cart (apps/shop.yaml:2), apps/v1 Deployment shop/checkout (apps/shop.yaml:33) and 1 more (-o json lists all): SidecarSet filebeat-sidecarset injects volume config"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn sidecarsets_and_configmaps_after_the_workloads_count() {
    // The SidecarSet is the last PATH, after every workload; web's ConfigMap is after web's
    // workloads: the result is the same as with the SidecarSet first.
    let out = fixture()
        .args(&["validate", "apps", "platform", "-q"])
        .status(Status::Changes)
        .stdout_contains("namespace shop")
        .stdout_lacks("namespace web")
        .run();
    fixture()
        .args(&["validate", "-s", "platform", "apps", "-q"])
        .status(Status::Changes)
        .stdout(&out.stdout)
        .run();
}

#[test]
fn a_sidecarset_the_context_pass_cannot_see_is_an_error() {
    // JSON escapes spell the kind: the first pass, which looks for the kinds in the text, skips the
    // file. validate says so rather than validating without it.
    let out = Test::new()
        .file(
            "ss.json",
            r#"{"apiVersion": "apps.kruise.io/v1alpha1", "kind": "Sidecar\u0053et", "metadata": {"name": "s"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "containers": [{"name": "c", "image": "x"}]}}"#,
        )
        .args(&["validate", "ss.json"])
        .status(Status::Changes)
        .stdout_regex("ss.json:1: error: apps.kruise.io/v1alpha1 SidecarSet s: not read as context: [^\n]*\n")
        .stderr("validate: 1 error, 0 warnings\n")
        .run();
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.transcript());
}
