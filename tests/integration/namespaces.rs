//! Namespaces whose Namespace objects are not among the inputs (the usual GitOps repository): a
//! namespaceSelector on `kubernetes.io/metadata.name` (v1alpha1 `spec.namespace`, v1beta1
//! `namespaceSelector`) resolves from the name alone; one that needs another label is undecided,
//! and every command says so (one summary line on stderr, even with `-q`).

use crate::test::Test;

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
        .run_unchecked();
    assert_eq!(out.code, 0, "{}", out.transcript());
    // v1alpha1 spec.namespace and v1beta1 namespaceSelector on the name label: injected.
    assert!(out.stdout.contains("- name: sidecar1\n"), "{}", out.stdout);
    assert!(out.stdout.contains("- name: proxy\n"), "{}", out.stdout);
    // The selector on another label: not injected, and said.
    assert!(!out.stdout.contains("fluent-bit"), "{}", out.stdout);
    assert!(out.stderr.ends_with(SUMMARY), "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn render_quiet_still_prints_the_summary_line() {
    let out = inputs()
        .args(&["render", "-q", "workloads.yaml", "-s", "sidecarsets.yaml"])
        .run_unchecked();
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(out.stderr, SUMMARY);
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
        .run_unchecked();
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert!(!out.stderr.contains("unknown"), "{}", out.stderr);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    // ns-1 is labelled logging: enabled; ns-2 and default are not.
    assert_eq!(out.stdout.matches("- name: fluent-bit\n").count(), 1);
    assert!(
        out.stderr.contains(
            "apps/v1 Deployment ns-2/nginx: injected proxy-sidecarset (proxy); SidecarSet team-logging does not select namespace ns-2 (namespaceSelector)"
        ),
        "{}",
        out.stderr
    );
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
        inputs().args(&args).run_unchecked()
    };
    let out = run(false, false);
    assert_eq!(out.code, 0, "{}", out.transcript());
    insta::assert_snapshot!(out.transcript());
    let strict = run(true, false);
    assert_eq!(strict.code, 1, "{}", strict.transcript());
    let decided = run(true, true);
    assert!(
        !decided.stdout.contains("namespace-unknown")
            && !decided.stdout.contains("unknown whether"),
        "{}",
        decided.transcript()
    );
    let json = inputs()
        .args(&[
            "validate",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
            "-o",
            "json",
        ])
        .run_unchecked();
    assert!(
        json.stdout.contains("\"rule\": \"namespace-unknown\"")
            || json.stdout.contains("\"rule\":\"namespace-unknown\""),
        "{}",
        json.stdout
    );
}

#[test]
fn diff_says_it_on_stdout_and_stderr() {
    let out = inputs()
        .args(&["diff", "-q", "workloads.yaml", "-s", "sidecarsets.yaml"])
        .run_unchecked();
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert_eq!(out.stderr, SUMMARY);
    assert!(
        out.stdout.contains(
            "  apps/v1 Deployment ns-2/nginx (workloads.yaml:20): unknown whether Kruise injects SidecarSet team-logging: its namespaceSelector needs label logging of namespace ns-2, whose Namespace object is not among the inputs; not injected: give the Namespace object (e.g. with -s)\n"
        ),
        "{}",
        out.stdout
    );
    let github = inputs()
        .args(&[
            "diff",
            "-q",
            "--output",
            "github",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
        ])
        .run_unchecked();
    assert!(
        github.stdout.contains(
            "::warning file=workloads.yaml,line=40,title=kruise-inject diff%3A v1 Pod default/nginx::"
        ),
        "{}",
        github.stdout
    );
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
    let render = t.run_unchecked();
    assert_eq!(render.code, 1, "{}", render.transcript());
    assert_eq!(render.stderr, SUMMARY);
    let check = crate::test::run_in(
        t.path(),
        &[
            "check",
            "-q",
            "--out-dir",
            "out",
            "workloads.yaml",
            "-s",
            "sidecarsets.yaml",
        ]
        .map(String::from),
        None,
        &[],
    );
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert_eq!(check.stderr, SUMMARY);
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
    let out = Test::new().args(&["krm"]).stdin(&list).run_unchecked();
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(out.stderr, SUMMARY);
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
    let out = t.args(&["inject.yaml"]).stdin(&workloads).run_unchecked();
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("unknown whether Kruise injects SidecarSet team-logging")
            && out.stderr.contains("kustomization's resources"),
        "{}",
        out.stderr
    );
    // With the Namespace objects among the resources, it decides.
    let ok = Test::new()
        .copy(&format!("{DIR}/sidecarsets.yaml"), "sidecarsets.yaml")
        .file(
            "inject.yaml",
            "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata:\n  name: inject\nspec:\n  sidecarsets:\n  - sidecarsets.yaml\n",
        )
        .args(&["inject.yaml"])
        .stdin(&format!("{workloads}---\n{namespaces}"))
        .run_unchecked();
    assert_eq!(ok.code, 0, "{}", ok.transcript());
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
        .run_unchecked();
    assert_eq!(out.code, 0, "{}", out.transcript());
    insta::assert_snapshot!(out.stderr);
}
