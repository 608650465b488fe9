//! Walking repositories that hold more than manifests (issue 11, point 4): Helm charts, kustomize
//! and kpt configuration, Helm values and other tools' config are skipped and reported; `--exclude`
//! leaves out what matches; several broken files are all named.

use std::path::Path;

use crate::test::{Status, Test, repo};

/// A kustomize repository with a Helm chart, values, a Kptfile, a component and a kruise-inject
/// function config (`testdata/walk/repo`).
const REPO: &str = "testdata/walk/repo";

/// The fixture repository copied into a test directory.
fn kustomize_repo() -> Test {
    let mut test = Test::new();
    let root = repo(REPO);
    let mut files = Vec::new();
    collect(&root, &mut files);
    for file in files {
        let relative = file.strip_prefix(&root).expect("below the fixture");
        let relative = relative.to_str().expect("UTF-8 path");
        test = test.copy(&format!("{REPO}/{relative}"), relative);
    }
    test
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `args` run in the directory of `test`, with an empty stdin.
fn run(test: &Test, args: &[&str]) -> Test {
    test.with_args(args).stdin("")
}

/// Kinds of the documents of a stream, in order.
fn kinds(stream: &str) -> Vec<&str> {
    stream
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .collect()
}

#[test]
fn render_skips_what_is_not_a_manifest_and_says_why() {
    let test = kustomize_repo();
    let out = run(&test, &["render", "."])
        .stdout_contains("      - name: filebeat\n")
        .stdout_lacks("Kustomization")
        .stdout_lacks("Component")
        .stdout_lacks("KruiseInject")
        .stdout_lacks("Kptfile")
        .stdout_lacks("{{")
        .stdout_lacks("replicaCount")
        .stderr_any()
        .run();
    assert_eq!(
        kinds(&out.stdout),
        [
            "Deployment",
            "Service",
            "Deployment",
            "ConfigMap",
            "SidecarSet"
        ],
        "{}",
        out.stdout
    );
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn every_walking_command_reads_the_repository() {
    let test = kustomize_repo();
    for (args, status) in [
        (&["diff", ".", "-q"][..], Status::Changes),
        (
            &["check", ".", "--out-dir", "rendered", "-q"],
            Status::Changes,
        ),
        (
            &["validate", "apps", "-s", "platform", "-q"],
            Status::Success,
        ),
        (&["uninject", ".", "-q"], Status::Success),
        (
            &[
                "rollout",
                ".",
                "--from-workloads",
                "--old-sidecarsets",
                "platform",
                "-q",
            ],
            Status::Success,
        ),
    ] {
        run(&test, args).status(status).stdout_any().run();
    }
    // Health reads only SidecarSets, and skips the rest of the repository without an error.
    run(&test, &["health", "."])
        .status_any()
        .stdout_any()
        .stderr_contains("charts/web: skipped")
        .run();
}

#[test]
fn render_out_dir_writes_only_manifests() {
    let test = kustomize_repo();
    run(&test, &["render", ".", "--out-dir", "rendered", "-q"])
        .status(Status::Changes)
        .stdout_any()
        .run();
    let mut written = Vec::new();
    collect(&test.path().join("rendered"), &mut written);
    let written: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(test.path().join("rendered"))
                .expect("below rendered")
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        written,
        [
            "apps/base/nginx-deployment.yaml",
            "apps/base/service.yaml",
            "apps/overlays/prod/replicas.yaml",
            "platform/filebeat-configmap.yaml",
            "platform/filebeat-sidecarset.yaml",
        ]
    );
    run(&test, &["check", ".", "--out-dir", "rendered"])
        .stdout("rendered: up to date (5 files)\n")
        .stderr_contains("./apps/base/kustomization.yaml: skipped: kustomize.config.k8s.io/v1beta1 Kustomization is kustomize configuration")
        .run();
}

#[test]
fn exclude_leaves_out_what_matches_below_the_walked_directory() {
    let test = kustomize_repo();
    // A kustomize patch has apiVersion and kind: only --exclude can tell it from a manifest.
    let out = run(
        &test,
        &[
            "render",
            ".",
            "--exclude",
            "overlays/",
            "--exclude",
            "/config",
            "--exclude",
            "charts/**",
        ],
    )
    .stdout_any()
    .stderr_lacks("overlays")
    .stderr_lacks("config/")
    .stderr_lacks("charts/web")
    .run();
    assert_eq!(
        kinds(&out.stdout),
        ["Deployment", "Service", "ConfigMap", "SidecarSet"]
    );
    // Negation and anchoring follow .gitignore: everything in platform but the SidecarSet.
    let out = run(
        &test,
        &[
            "render",
            "platform",
            "--exclude",
            "*",
            "--exclude",
            "!*-sidecarset.yaml",
        ],
    )
    .stdout_any()
    .run();
    assert_eq!(kinds(&out.stdout), ["SidecarSet"], "{}", out.transcript());
    // A file named explicitly is read, excluded or not.
    let out = run(
        &test,
        &[
            "render",
            "platform/filebeat-configmap.yaml",
            "--exclude",
            "*",
        ],
    )
    .stdout_any()
    .run();
    assert_eq!(kinds(&out.stdout), ["ConfigMap"], "{}", out.transcript());
    // .gitignore files are not honoured.
    let test = kustomize_repo().file(".gitignore", "platform/\n");
    let out = run(&test, &["render", "platform"]).stdout_any().run();
    assert_eq!(kinds(&out.stdout), ["ConfigMap", "SidecarSet"]);
    // A bad pattern is an error.
    run(&test, &["render", ".", "--exclude", "{a,b"])
        .status(Status::Error)
        .stderr_contains("--exclude \"{a,b\": error parsing glob")
        .run();
}

#[test]
fn files_named_explicitly_are_read_as_given() {
    let test = kustomize_repo();
    for file in [
        "config/values-prod.yaml",
        "charts/web/templates/deployment.yaml",
    ] {
        run(&test, &["render", file])
            .status(Status::Error)
            .stderr_contains(file)
            .run();
    }
}

#[test]
fn a_half_manifest_in_a_walked_directory_is_an_error_not_a_skip() {
    let test = kustomize_repo().file(
        "apps/base/typo.yaml",
        "apiVersion: v1\nmetadata: {name: x}\n",
    );
    run(&test, &["render", "apps"])
        .status(Status::Error)
        .stderr_contains("apps/base/typo.yaml:1: document 1: the document has no kind")
        .run();
}

#[test]
fn every_broken_file_is_named_up_to_a_limit() {
    let test = kustomize_repo()
        .file(
            "apps/a-broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata: [\n",
        )
        .file("apps/base/b-broken.yaml", "kind: ConfigMap\n")
        .file(
            "apps/c-broken.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {]}\n",
        );
    for args in [
        &["render", "apps", "-s", "platform"][..],
        &["render", "apps", "-s", "platform", "--out-dir", "rendered"],
        &["diff", "apps", "-s", "platform"],
        &["uninject", "apps"],
        &["validate", "apps", "-s", "platform"],
        &["rollout", "apps", "-s", "platform"],
        &[
            "rollout",
            "--from-workloads",
            "apps",
            "-s",
            "platform",
            "--old-sidecarsets",
            "platform",
        ],
    ] {
        run(&test, args)
            .status(Status::Error)
            .stderr_contains("error: 3 input files are broken")
            .stderr_contains("apps/a-broken.yaml:")
            .stderr_contains("apps/base/b-broken.yaml:1:")
            .stderr_contains("apps/c-broken.json:")
            .expect_no_file("rendered")
            .run();
    }
    insta::assert_snapshot!(
        run(&test, &["render", "apps"])
            .status(Status::Error)
            .stderr_any()
            .run()
            .stderr
    );

    let mut test = Test::new();
    for i in 0..25 {
        test = test.file(&format!("broken/{i:02}.yaml"), "a: [\n");
    }
    let out = run(&test, &["render", "broken"])
        .status(Status::Error)
        .stderr_regex(&format!(
            "{}(?s:.*)",
            regex::escape("error: 20 input files are broken (the first 20; there are more)")
        ))
        .run();
    assert_eq!(out.stderr.matches("invalid YAML").count(), 20);
}
