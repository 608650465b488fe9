//! A SidecarSet the API server or Kruise's validating webhook rejects never exists: every command
//! that reads SidecarSets says so and exits 2, `validate` lists it; fields the CRD keeps but Kruise
//! drops, an ignored `metadata.namespace` and an unchecked patch-metadata whitelist are warnings
//! (issue 11, points 2, 3 and 5). Fixtures: testdata/admission.

use crate::test::{Output, Test, repo, run_in};

const DIR: &str = "testdata/admission";

/// The fixtures in testdata/admission/rejected, each with the line and message expected.
const REJECTED: &[(&str, &str)] = &[
    (
        "duplicate-container.yaml:14",
        "apps.kruise.io/v1alpha1 SidecarSet logging: spec.containers[1].name: Duplicate value: \"log-agent\"",
    ),
    (
        "no-image.yaml:11",
        "apps.kruise.io/v1beta1 SidecarSet metrics: spec.containers[0].image: Required value",
    ),
    (
        "undeclared-volume.yaml:14",
        "apps.kruise.io/v1alpha1 SidecarSet filebeat: spec.containers[0].volumeMounts[0].name: Not found: \"varlog\"",
    ),
    (
        "partition-and-selector.yaml:13",
        "Partition and Selector cannot be used together",
    ),
    (
        "invalid-label.yaml:7",
        "apps.kruise.io/v1beta1 SidecarSet tracing: metadata.labels: Invalid value: \"platform tools\": a valid label must be",
    ),
    (
        "misspelt-strategy.yaml:10",
        "apps.kruise.io/v1beta1 SidecarSet mesh: unknown field \"spec.injectionStratgy\" (did you mean \"injectionStrategy\"?)",
    ),
    (
        "misspelt-max-unavailable.yaml:12",
        "unknown field \"spec.updateStrategy.maxUnavailble\" (did you mean \"maxUnavailable\"?)",
    ),
    (
        "misspelt-upgrade-strategy.yaml:16",
        "unknown field \"spec.containers[0].upgradeStrategy.hotUpgradeEmtpyImage\" (did you mean \"hotUpgradeEmptyImage\"?)",
    ),
    (
        "v1beta1-namespace.yaml:7",
        "unknown field \"spec.namespace\" (v1beta1 has no spec.namespace",
    ),
    (
        "patch-not-allowed.yaml:21",
        "spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(prometheus.io/scrape) is not allowed",
    ),
];

/// Runs `args` in the directory of `t`.
fn run(t: &Test, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    run_in(t.path(), &args, None, &[])
}

fn fixture(name: &str) -> Test {
    Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(
            &format!("{DIR}/rejected/{name}"),
            &format!("platform/{name}"),
        )
}

fn assert_rejected(out: &Output, at: &str, message: &str) {
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert_eq!(out.stdout, "", "nothing on stdout on error");
    assert!(
        out.stderr.contains(&format!("platform/{at}: document "))
            && out.stderr.contains(message)
            && out
                .stderr
                .contains("rejected by the API server or Kruise's validating webhook"),
        "{at} / {message:?} not in:\n{}",
        out.stderr
    );
}

#[test]
fn render_diff_and_check_exit_2_on_a_rejected_sidecarset() {
    for (at, message) in REJECTED {
        let name = at.split(':').next().expect("file");
        let t = fixture(name);
        assert_rejected(
            &run(&t, &["render", "app.yaml", "-s", "platform"]),
            at,
            message,
        );
        assert_rejected(
            &run(&t, &["diff", "app.yaml", "-s", "platform"]),
            at,
            message,
        );
        assert_rejected(
            &run(
                &t,
                &["check", "app.yaml", "-s", "platform", "--out-dir", "out"],
            ),
            at,
            message,
        );
    }
}

#[test]
fn krm_fails_on_a_rejected_sidecarset() {
    let list = |sidecarset: &str| {
        let indent = |text: &str| {
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| {
                    if l == "---" {
                        "- ".to_owned()
                    } else {
                        format!("  {l}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let app = std::fs::read_to_string(repo(&format!("{DIR}/app.yaml"))).expect("fixture");
        let ss = std::fs::read_to_string(repo(&format!("{DIR}/rejected/{sidecarset}")))
            .expect("fixture");
        let item = |t: &str| {
            let body = indent(t);
            format!("- {}\n", body.trim_start())
        };
        format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{}{}",
            item(&app),
            item(&ss)
        )
    };
    let out = Test::new()
        .args(&["krm"])
        .stdin(&list("misspelt-strategy.yaml"))
        .run();
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr.contains(
            "unknown field \"spec.injectionStratgy\" (did you mean \"injectionStrategy\"?)"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("severity: error"), "{}", out.stdout);
}

#[test]
fn validate_lists_every_finding_of_the_rejected_sidecarsets() {
    let mut t = Test::new();
    for (at, _) in REJECTED {
        let name = at.split(':').next().expect("file");
        t = t.copy(
            &format!("{DIR}/rejected/{name}"),
            &format!("platform/{name}"),
        );
    }
    let out = t.args(&["validate", "platform", "-q"]).run();
    assert_eq!(out.code, 1, "{}", out.transcript());
    for (at, message) in REJECTED {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(&format!("platform/{at}: error: ")) && l.contains(message)),
            "{at}: {message:?} not in:\n{}",
            out.stdout
        );
    }
}

/// Fields of the Kubernetes Container and Volume parts are kept by the CRD and dropped by Kruise:
/// render injects without them and says so; `validate` warns, `--strict` fails. The ignored
/// `metadata.namespace` is a warning too.
#[test]
fn dropped_fields_and_namespace_are_warnings() {
    let t = Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(
            &format!("{DIR}/dropped-fields.yaml"),
            "platform/filebeat.yaml",
        );
    let out = run(&t, &["render", "app.yaml", "-s", "platform"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stdout
            .contains("        imagePullPolicy: IfNotPresent\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("imagePullPolcy"), "{}", out.stdout);
    assert!(!out.stdout.contains("emptydir"), "{}", out.stdout);
    insta::assert_snapshot!(out.stderr);
    let out = run(&t, &["validate", "app.yaml", "-s", "platform"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    insta::assert_snapshot!(out.stdout);
    let strict = run(&t, &["validate", "app.yaml", "-s", "platform", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.transcript());
}

/// Without the kruise-configuration ConfigMap the whitelist cannot be checked: a warning, also with
/// -q; with it (and the key allowed) nothing.
#[test]
fn patch_metadata_without_the_configuration_is_a_warning() {
    let t = Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(&format!("{DIR}/patch-metadata.yaml"), "platform/mesh.yaml");
    let out = run(&t, &["render", "app.yaml", "-s", "platform", "-q"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(
        out.stderr.starts_with("platform/mesh.yaml:13: apps.kruise.io/v1alpha1 SidecarSet mesh: warning: not checked against the patch-metadata whitelist: the kruise-configuration ConfigMap (in kruise-system) is not among the inputs"),
        "{}",
        out.stderr
    );
    let strict = run(
        &t,
        &["validate", "app.yaml", "-s", "platform", "--strict", "-q"],
    );
    assert_eq!(strict.code, 1, "{}", strict.transcript());

    let t = t.copy(
        &format!("{DIR}/kruise-configuration.yaml"),
        "platform/kruise-configuration.yaml",
    );
    let out = run(&t, &["render", "app.yaml", "-s", "platform", "-q"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, ""),
        "{}",
        out.transcript()
    );
    let strict = run(
        &t,
        &["validate", "app.yaml", "-s", "platform", "--strict", "-q"],
    );
    assert_eq!(strict.code, 0, "{}", strict.transcript());
}

/// The SidecarSets of the OpenKruise docs are accepted: no error, no warning.
#[test]
fn the_docs_sidecarsets_are_accepted_without_a_word() {
    let t = Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(&format!("{DIR}/docs/workloads.yaml"), "workloads.yaml")
        .copy(
            &format!("{DIR}/docs/sidecarsets.yaml"),
            "platform/docs.yaml",
        );
    let out = run(
        &t,
        &[
            "validate",
            "app.yaml",
            "workloads.yaml",
            "-s",
            "platform",
            "--strict",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(out.stdout, "");
    let out = run(
        &t,
        &[
            "render",
            "app.yaml",
            "workloads.yaml",
            "-s",
            "platform",
            "-q",
        ],
    );
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, ""),
        "{}",
        out.transcript()
    );
}
