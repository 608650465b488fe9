//! Namespaces whose Namespace objects are not among the inputs (the usual GitOps repository): a
//! namespaceSelector on `kubernetes.io/metadata.name` (v1alpha1 `spec.namespace`, v1beta1
//! `namespaceSelector`) resolves from the name alone; one that needs another label is undecided,
//! and every command says so (one summary line on stderr, even with `-q`).

use crate::test::{Status, Test};

const DIR: &str = "testdata/namespaces";

fn inputs() -> Test {
    Test::new()
        .copy(&format!("{DIR}/workloads.yaml"), "workloads.yaml")
        .copy(&format!("{DIR}/sidecarsets.yaml"), "sidecarsets.yaml")
        .copy(&format!("{DIR}/namespaces.yaml"), "namespaces.yaml")
}

/// The summary line of a run without the Namespace objects.
const SUMMARY: &str = "warning: unknown whether Kruise injects SidecarSet team-logging into 3 pods and workloads in namespaces default, ns-1, ns-2: its namespaceSelector needs label logging of Namespaces that are not among the inputs, so kruise-inject did not inject it; give the Namespace objects with -s (kubectl get namespace default ns-1 ns-2 -o yaml > namespaces.yaml)\n";

#[test]
fn render_resolves_name_selectors_and_reports_the_undecided() {
    let out = inputs()
        .args(&["render", "workloads.yaml", "-s", "sidecarsets.yaml"])
        // v1alpha1 spec.namespace and v1beta1 namespaceSelector on the name label: injected.
        .stdout_contains("- name: sidecar1\n")
        .stdout_contains("- name: proxy\n")
        // The selector on another label: not injected, and said.
        .stdout_lacks("fluent-bit")
        .stderr_regex(&format!("(?s:.*){}", regex::escape(SUMMARY)))
        .run();
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn render_quiet_still_prints_the_summary_line() {
    inputs()
        .args(&["render", "-q", "workloads.yaml", "-s", "sidecarsets.yaml"])
        .stdout_any()
        .stderr(SUMMARY)
        .run();
}

#[test]
fn render_with_the_namespace_objects_decides() {
    let out = inputs()
        .args(&[
            "render",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
            "-s",
            "namespaces.yaml",
        ])
        .stdout_any()
        .stderr_lacks("unknown")
        .stderr_lacks("warning")
        .stderr_contains(
            "apps/v1 Deployment ns-2/nginx: injected proxy-sidecarset (proxy); SidecarSet team-logging does not select namespace ns-2 (namespaceSelector)",
        )
        .run();
    // ns-1 is labelled logging: enabled; ns-2 and default are not.
    assert_eq!(out.stdout.matches("- name: fluent-bit\n").count(), 1);
}

#[test]
fn validate_warns_and_strict_fails() {
    let run = |strict: bool, namespaces: bool| {
        let mut args = vec!["validate", "workloads.yaml", "-s", "sidecarsets.yaml"];
        if namespaces {
            args.extend(["-s", "namespaces.yaml"]);
        }
        if strict {
            args.push("--strict");
        }
        inputs().args(&args).stdout_any().stderr_any()
    };
    let out = run(false, false).run();
    insta::assert_snapshot!(out.transcript());
    run(true, false)
        .status(Status::Changes)
        .stdout(&out.stdout)
        .stderr(&out.stderr)
        .run();
    run(true, true)
        .stdout_lacks("namespace-unknown")
        .stdout_lacks("unknown whether")
        .run();
    inputs()
        .args(&[
            "validate",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
            "-o",
            "json",
        ])
        .stdout_regex(r#"(?s:.*)"rule": ?"namespace-unknown"(?s:.*)"#)
        .stderr("validate: 0 errors, 3 warnings\n")
        .run();
}

#[test]
fn diff_says_it_on_stdout_and_stderr() {
    inputs()
        .args(&["diff", "-q", "workloads.yaml", "-s", "sidecarsets.yaml"])
        .status(Status::Changes)
        .stderr(SUMMARY)
        .stdout_contains(
            "  apps/v1 Deployment ns-2/nginx (workloads.yaml:20): unknown whether Kruise injects SidecarSet team-logging: its namespaceSelector needs label logging of namespace ns-2, whose Namespace object is not among the inputs; not injected: give the Namespace object (e.g. with -s)\n",
        )
        .run();
    inputs()
        .args(&[
            "diff",
            "-q",
            "--output",
            "github",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
        ])
        .status(Status::Changes)
        .stdout_contains(
            "::warning file=workloads.yaml,line=40,title=kruise-inject diff%3A v1 Pod default/nginx::",
        )
        .stderr(SUMMARY)
        .run();
}

#[test]
fn render_out_dir_and_check_say_it_with_quiet() {
    let t = inputs().args(&[
        "render",
        "-q",
        "--out-dir",
        "out",
        "workloads.yaml",
        "-s",
        "sidecarsets.yaml",
    ]);
    t.clone()
        .status(Status::Changes)
        .stdout_any()
        .stderr(SUMMARY)
        .run();
    t.with_args(&[
        "check",
        "-q",
        "--out-dir",
        "out",
        "workloads.yaml",
        "-s",
        "sidecarsets.yaml",
    ])
    .stdout("out: up to date (1 file)\n")
    .stderr(SUMMARY)
    .run();
}

#[test]
fn krm_returns_a_warning_result() {
    let list = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{}",
        indent_items(&[
            &std::fs::read_to_string(crate::test::repo(&format!("{DIR}/workloads.yaml")))
                .expect("fixture"),
            &std::fs::read_to_string(crate::test::repo(&format!("{DIR}/sidecarsets.yaml")))
                .expect("fixture"),
        ])
    );
    let out = Test::new()
        .args(&["krm"])
        .stdin(&list)
        .stdout_any()
        .stderr(SUMMARY)
        .run();
    let results = out
        .stdout
        .split_once("\nresults:\n")
        .map(|(_, r)| r)
        .unwrap_or_default();
    insta::assert_snapshot!(results);
}

/// The documents of YAML streams as items of a ResourceList.
fn indent_items(streams: &[&str]) -> String {
    let mut out = String::new();
    for stream in streams {
        for doc in stream.split("\n---\n") {
            let lines: Vec<&str> = doc
                .lines()
                .filter(|l| !l.starts_with('#') && *l != "---")
                .collect();
            if lines.iter().all(|l| l.trim().is_empty()) {
                continue;
            }
            for (i, line) in lines.iter().enumerate() {
                out.push_str(if i == 0 { "- " } else { "  " });
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn legacy_plugin_fails_rather_than_answer_silently() {
    let t = inputs().file(
        "inject.yaml",
        "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata:\n  name: inject\nspec:\n  sidecarsets:\n  - sidecarsets.yaml\n",
    );
    let workloads = std::fs::read_to_string(t.path().join("workloads.yaml")).expect("fixture");
    let namespaces = std::fs::read_to_string(t.path().join("namespaces.yaml")).expect("fixture");
    t.args(&["inject.yaml"])
        .stdin(&workloads)
        .status(Status::Error)
        .stderr_contains("unknown whether Kruise injects SidecarSet team-logging")
        .stderr_contains("kustomization's resources")
        .run();
    // With the Namespace objects among the resources, it decides.
    let ok = Test::new()
        .copy(&format!("{DIR}/sidecarsets.yaml"), "sidecarsets.yaml")
        .file(
            "inject.yaml",
            "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata:\n  name: inject\nspec:\n  sidecarsets:\n  - sidecarsets.yaml\n",
        )
        .args(&["inject.yaml"])
        .stdin(&format!("{workloads}---\n{namespaces}"))
        .stdout_any()
        .run();
    assert_eq!(ok.stdout.matches("- name: fluent-bit\n").count(), 1);
}

#[test]
fn rollout_from_workloads_says_it() {
    let out = inputs()
        .args(&[
            "rollout",
            "-q",
            "--from-workloads",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
            "--old-sidecarsets",
            "sidecarsets.yaml",
        ])
        .stdout_any()
        .stderr_any()
        .run();
    insta::assert_snapshot!(out.stderr);
}
