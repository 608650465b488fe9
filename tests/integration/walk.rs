//! Walking repositories that hold more than manifests (issue 11, point 4): Helm charts, kustomize
//! and kpt configuration, Helm values and other tools' config are skipped and reported; `--exclude`
//! leaves out what matches; several broken files are all named.

use std::path::Path;

use crate::test::{Output, Test, repo};

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

fn run(test: &Test, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    crate::test::run_in(test.path(), &args, Some(""), &[])
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
    let out = run(&test, &["render", "."]);
    assert_eq!(out.code, 0, "{}", out.transcript());
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
    assert!(
        out.stdout.contains("      - name: filebeat\n"),
        "{}",
        out.stdout
    );
    for absent in [
        "Kustomization",
        "Component",
        "KruiseInject",
        "Kptfile",
        "{{",
        "replicaCount",
    ] {
        assert!(!out.stdout.contains(absent), "{absent}: {}", out.stdout);
    }
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn every_walking_command_reads_the_repository() {
    let test = kustomize_repo();
    for args in [
        &["diff", ".", "-q"][..],
        &["check", ".", "--out-dir", "rendered", "-q"],
        &["validate", "apps", "-s", "platform", "-q"],
        &["uninject", ".", "-q"],
        &[
            "rollout",
            ".",
            "--from-workloads",
            "--old-sidecarsets",
            "platform",
            "-q",
        ],
    ] {
        let out = run(&test, args);
        assert_ne!(out.code, 2, "{args:?}: {}", out.transcript());
    }
    // Health reads only SidecarSets, and skips the rest of the repository without an error.
    let out = run(&test, &["health", "."]);
    assert!(
        out.stderr.contains("charts/web: skipped"),
        "{}",
        out.transcript()
    );
}

#[test]
fn render_out_dir_writes_only_manifests() {
    let test = kustomize_repo();
    let out = run(&test, &["render", ".", "--out-dir", "rendered", "-q"]);
    assert_eq!(out.code, 1, "{}", out.transcript());
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
    let out = run(&test, &["check", ".", "--out-dir", "rendered"]);
    assert_eq!(out.code, 0, "{}", out.transcript());
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
    );
    assert_eq!(out.code, 0, "{}", out.transcript());
    assert_eq!(
        kinds(&out.stdout),
        ["Deployment", "Service", "ConfigMap", "SidecarSet"]
    );
    for gone in ["overlays", "config/", "charts/web"] {
        assert!(!out.stderr.contains(gone), "{gone}: {}", out.stderr);
    }
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
    );
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
    );
    assert_eq!(kinds(&out.stdout), ["ConfigMap"], "{}", out.transcript());
    // .gitignore files are not honoured.
    let test = kustomize_repo().file(".gitignore", "platform/\n");
    let out = run(&test, &["render", "platform"]);
    assert_eq!(kinds(&out.stdout), ["ConfigMap", "SidecarSet"]);
    // A bad pattern is an error.
    let out = run(&test, &["render", ".", "--exclude", "{a,b"]);
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr
            .contains("--exclude \"{a,b\": error parsing glob"),
        "{}",
        out.stderr
    );
}

#[test]
fn files_named_explicitly_are_read_as_given() {
    let test = kustomize_repo();
    for file in [
        "config/values-prod.yaml",
        "charts/web/templates/deployment.yaml",
    ] {
        let out = run(&test, &["render", file]);
        assert_eq!(out.code, 2, "{}", out.transcript());
        assert_eq!(out.stdout, "");
        assert!(out.stderr.contains(file), "{}", out.stderr);
    }
}

#[test]
fn a_half_manifest_in_a_walked_directory_is_an_error_not_a_skip() {
    let test = kustomize_repo().file(
        "apps/base/typo.yaml",
        "apiVersion: v1\nmetadata: {name: x}\n",
    );
    let out = run(&test, &["render", "apps"]);
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr
            .contains("apps/base/typo.yaml:1: document 1: the document has no kind"),
        "{}",
        out.stderr
    );
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
        let out = run(&test, args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.transcript());
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains("error: 3 input files are broken"),
            "{args:?}: {}",
            out.stderr
        );
        for file in [
            "apps/a-broken.yaml:",
            "apps/base/b-broken.yaml:1:",
            "apps/c-broken.json:",
        ] {
            assert!(out.stderr.contains(file), "{args:?} {file}: {}", out.stderr);
        }
    }
    assert!(!test.path().join("rendered").exists());
    insta::assert_snapshot!(run(&test, &["render", "apps"]).stderr);

    let mut test = Test::new();
    for i in 0..25 {
        test = test.file(&format!("broken/{i:02}.yaml"), "a: [\n");
    }
    let out = run(&test, &["render", "broken"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with("error: 20 input files are broken (the first 20; there are more)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.matches("invalid YAML").count(), 20);
}
