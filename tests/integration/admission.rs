//! A SidecarSet the API server or Kruise's validating webhook rejects never exists: every command
//! that reads SidecarSets says so and exits 2, `validate` lists it; fields the CRD keeps but Kruise
//! drops, an ignored `metadata.namespace` and an unchecked patch-metadata whitelist are warnings
//! (issue 11, points 2, 3 and 5). Fixtures: testdata/admission.

use crate::test::{Status, Test, repo};

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

fn fixture(name: &str) -> Test {
    Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(
            &format!("{DIR}/rejected/{name}"),
            &format!("platform/{name}"),
        )
}

/// Exit 2, nothing on stdout, the file, line and message on stderr.
fn rejected(t: &Test, args: &[&str], at: &str, message: &str) {
    t.with_args(args)
        .status(Status::Error)
        .stderr_contains(&format!("platform/{at}: document "))
        .stderr_contains(message)
        .stderr_contains("rejected by the API server or Kruise's validating webhook")
        .run();
}

#[test]
fn render_diff_and_check_exit_2_on_a_rejected_sidecarset() {
    for (at, message) in REJECTED {
        let name = at.split(':').next().expect("file");
        let t = fixture(name);
        rejected(&t, &["render", "app.yaml", "-s", "platform"], at, message);
        rejected(&t, &["diff", "app.yaml", "-s", "platform"], at, message);
        rejected(
            &t,
            &["check", "app.yaml", "-s", "platform", "--out-dir", "out"],
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
    Test::new()
        .args(&["krm"])
        .stdin(&list("misspelt-strategy.yaml"))
        .status(Status::Error)
        .stderr_contains(
            "unknown field \"spec.injectionStratgy\" (did you mean \"injectionStrategy\"?)",
        )
        .stdout_contains("severity: error")
        .run();
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
    let out = t
        .args(&["validate", "platform", "-q"])
        .status(Status::Changes)
        .stdout_any()
        .run();
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
    let out = t
        .with_args(&["render", "app.yaml", "-s", "platform"])
        .stdout_contains("        imagePullPolicy: IfNotPresent\n")
        .stdout_lacks("imagePullPolcy")
        .stdout_lacks("emptydir")
        .stderr_any()
        .run();
    insta::assert_snapshot!(out.stderr);
    let out = t
        .with_args(&["validate", "app.yaml", "-s", "platform"])
        .stdout_any()
        .stderr("validate: 0 errors, 3 warnings\n")
        .run();
    insta::assert_snapshot!(out.stdout);
    t.with_args(&["validate", "app.yaml", "-s", "platform", "--strict"])
        .status(Status::Changes)
        .stdout(&out.stdout)
        .stderr("validate: 0 errors, 3 warnings\n")
        .run();
}

/// Without the kruise-configuration ConfigMap the whitelist cannot be checked: a warning, also with
/// -q; with it (and the key allowed) nothing.
#[test]
fn patch_metadata_without_the_configuration_is_a_warning() {
    let t = Test::new()
        .copy(&format!("{DIR}/app.yaml"), "app.yaml")
        .copy(&format!("{DIR}/patch-metadata.yaml"), "platform/mesh.yaml");
    t.with_args(&["render", "app.yaml", "-s", "platform", "-q"])
        .stdout_any()
        .stderr_regex(r"platform/mesh\.yaml:13: apps\.kruise\.io/v1alpha1 SidecarSet mesh: warning: not checked against the patch-metadata whitelist: the kruise-configuration ConfigMap \(in kruise-system\) is not among the inputs(?s:.*)")
        .run();
    t.with_args(&["validate", "app.yaml", "-s", "platform", "--strict", "-q"])
        .status(Status::Changes)
        .stdout_contains("platform/mesh.yaml:13: ")
        .run();

    let t = t.copy(
        &format!("{DIR}/kruise-configuration.yaml"),
        "platform/kruise-configuration.yaml",
    );
    t.with_args(&["render", "app.yaml", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    t.with_args(&["validate", "app.yaml", "-s", "platform", "--strict", "-q"])
        .run();
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
    t.with_args(&[
        "validate",
        "app.yaml",
        "workloads.yaml",
        "-s",
        "platform",
        "--strict",
    ])
    .stderr("validate: 0 errors, 0 warnings\n")
    .run();
    t.with_args(&[
        "render",
        "app.yaml",
        "workloads.yaml",
        "-s",
        "platform",
        "-q",
    ])
    .stdout_any()
    .run();
}
