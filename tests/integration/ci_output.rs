//! Machine-readable and CI output of `diff` and `check`: `-o json`, GitHub annotations relative to
//! the workspace and at the changed line, and the `$GITHUB_STEP_SUMMARY` write-up.

use serde_json::Value;

use crate::test::{Status, Test, repo};

const IMAGE_BUMP: [&str; 11] = [
    "diff",
    "../repo/apps",
    "-s",
    "../repo/platform/namespaces.yaml",
    "-s",
    "../repo/platform/filebeat-configmap.yaml",
    "-s",
    "new",
    "--old-sidecarsets",
    "../repo/platform/sidecarsets",
    "-q",
];

#[test]
fn diff_json_names_each_resource_its_file_change_and_impact() {
    let mut list = IMAGE_BUMP.to_vec();
    list.extend(["-o", "json"]);
    let out = Test::at(repo("testdata/diff/image-bump"))
        .args(&list)
        .status(Status::Changes)
        .stdout_any()
        .run();
    let v: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON object");
    let resources = v["resources"].as_array().expect("resources");
    assert!(!resources.is_empty(), "{v:#}");
    for r in resources {
        for key in ["apiVersion", "kind", "namespace", "name", "file", "change"] {
            assert!(r[key].is_string(), "{key} in {r:#}");
        }
        assert!(r["line"].is_u64(), "{r:#}");
        assert!(
            r["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("../repo/apps/"))
        );
    }
    // an image bump of envoy: the pods that carry envoy are updated, in place
    let envoy: Vec<&Value> = resources
        .iter()
        .flat_map(|r| r["sidecarsets"].as_array().into_iter().flatten())
        .filter(|s| s["name"] == "envoy")
        .collect();
    assert!(!envoy.is_empty(), "{v:#}");
    for s in &envoy {
        assert_eq!(s["impact"], "image-only", "{s:#}");
        assert_eq!(s["entries"][0]["change"], "changed", "{s:#}");
    }
    let sidecarsets = v["sidecarsets"].as_array().expect("sidecarsets");
    let bump = sidecarsets
        .iter()
        .find(|s| s["name"] == "envoy")
        .expect("the envoy SidecarSet");
    assert_eq!(bump["impact"], "image-only");
    assert!(
        bump["file"].as_str().is_some_and(|f| f.starts_with("new")),
        "{bump:#}"
    );
    assert_eq!(v["summary"]["changed"], resources.len());
    // no text around the JSON
    assert!(out.stdout.trim_end().ends_with('}'));
}

/// A GitOps repository with rendered output; `rendered/nginx.yaml` made stale by a new image.
fn stale_repository() -> Test {
    let t = Test::new()
        .copy(
            "testdata/filebeat-sidecarset/nginx-deployment.yaml",
            "repo/apps/nginx.yaml",
        )
        .copy(
            "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
            "repo/platform/filebeat.yaml",
        );
    t.with_args(&[
        "render",
        "apps",
        "-s",
        "platform",
        "--out-dir",
        "rendered",
        "-q",
    ])
    .current_dir("repo")
    .status(Status::Changes)
    .stdout("created rendered/nginx.yaml\nrendered: 1 written, 0 removed (of 1 file): review and commit the changes\n")
    .run();
    let sidecarset = t.path().join("repo/platform/filebeat.yaml");
    let text = std::fs::read_to_string(&sidecarset).expect("read");
    std::fs::write(
        &sidecarset,
        text.replace("filebeat:7.16.2", "filebeat:8.6.2"),
    )
    .expect("write");
    t
}

#[test]
fn check_json_lists_each_file_with_its_change() {
    let t = stale_repository().file(
        "repo/rendered/left-over.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    let out = t
        .with_args(&[
            "check",
            "apps",
            "-s",
            "platform",
            "--out-dir",
            "rendered",
            "-o",
            "json",
        ])
        .current_dir("repo")
        .status(Status::Changes)
        .stdout_any()
        .run();
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["upToDate"], false);
    assert_eq!(v["outDir"], "rendered");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 2, "{v:#}");
    let stale = findings
        .iter()
        .find(|f| f["change"] == "stale")
        .expect("stale");
    assert_eq!(stale["file"], "rendered/nginx.yaml");
    assert_eq!(stale["source"], "apps/nginx.yaml");
    let line = stale["line"].as_u64().expect("line") as usize;
    let rendered =
        std::fs::read_to_string(t.path().join("repo/rendered/nginx.yaml")).expect("read");
    assert!(
        rendered
            .lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("kruise.io/sidecarset-hash: ")),
        "line {line} of\n{rendered}"
    );
    let extra = findings
        .iter()
        .find(|f| f["change"] == "extra")
        .expect("extra");
    assert_eq!(extra["file"], "rendered/left-over.yaml");
    assert_eq!(extra["source"], Value::Null);
}

#[test]
fn annotations_are_relative_to_the_workspace_and_never_outside_it() {
    let t = stale_repository();
    let root = t.path().join("repo");
    // run from a subdirectory of the workspace: paths are still the repository's
    let workspace = root.display().to_string();
    let out = t
        .with_args(&[
            "check",
            ".",
            "-s",
            "../platform",
            "--out-dir",
            "../rendered",
            "-o",
            "github",
        ])
        .current_dir("repo/apps")
        .env("GITHUB_WORKSPACE", &workspace)
        .status(Status::Changes)
        .stdout_any()
        .run();
    let annotation = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an annotation");
    let rendered = std::fs::read_to_string(root.join("rendered/nginx.yaml")).expect("read");
    let line = rendered
        .lines()
        .position(|l| l.contains("kruise.io/sidecarset-hash: "))
        .expect("the first stale line")
        + 1;
    assert!(
        annotation.starts_with(&format!("::error file=rendered/nginx.yaml,line={line},")),
        "{annotation}"
    );

    // the old SidecarSets from outside the workspace (a `git archive` of the base branch)
    let base = Test::new().copy(
        "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
        "platform/filebeat.yaml",
    );
    let out = t
        .with_args(&[
            "diff",
            "apps",
            "-s",
            "platform",
            "--old-sidecarsets",
            &base.path().join("platform").display().to_string(),
            "-o",
            "github",
        ])
        .current_dir("repo")
        .env("GITHUB_WORKSPACE", &workspace)
        .status(Status::Changes)
        .stdout_any()
        .run();
    let annotations: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty(), "{}", out.stdout);
    for a in &annotations {
        if let Some(rest) = a.split_once("file=").map(|(_, r)| r) {
            assert!(!rest.starts_with('/') && !rest.starts_with(".."), "{a}");
        }
    }
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("file=platform/filebeat.yaml,line=1,")),
        "{annotations:?}"
    );
    // with --old-sidecarsets the change is in injected text, which the input does not have: the
    // notice is at the resource
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("file=apps/nginx.yaml,line=1,") && a.contains("default/nginx")),
        "{annotations:?}"
    );
    // against the input itself, the notice is at the line the injection changes
    let input = std::fs::read_to_string(root.join("apps/nginx.yaml")).expect("read");
    let changed = input
        .lines()
        .position(|l| l == "    spec:")
        .expect("the template's spec")
        + 1;
    t.with_args(&["diff", "apps", "-s", "platform", "-o", "github"])
        .current_dir("repo")
        .env("GITHUB_WORKSPACE", &workspace)
        .status(Status::Changes)
        .stdout_contains(&format!("::notice file=apps/nginx.yaml,line={changed},"))
        .run();
}

#[test]
fn a_step_summary_is_appended_when_github_step_summary_is_set() {
    let t = stale_repository();
    let summary = t.path().join("summary.md");
    std::fs::write(&summary, "# earlier steps\n").expect("write");
    let summary_path = summary.display().to_string();
    t.with_args(&["check", "apps", "-s", "platform", "--out-dir", "rendered"])
        .current_dir("repo")
        .env("GITHUB_STEP_SUMMARY", &summary_path)
        .status(Status::Changes)
        .stdout_any()
        .run();
    t.with_args(&["diff", "apps", "-s", "platform"])
        .current_dir("repo")
        .env("GITHUB_STEP_SUMMARY", &summary_path)
        .status(Status::Changes)
        .stdout_any()
        .run();
    let text = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        text.starts_with("# earlier steps\n### kruise-inject check `rendered`\n"),
        "{text}"
    );
    assert!(
        text.contains("| `rendered/nginx.yaml` | stale | `apps/nginx.yaml` |"),
        "{text}"
    );
    assert!(text.contains("### kruise-inject diff\n"), "{text}");
    assert!(
        text.contains("| `apps/v1 Deployment default/nginx` | `apps/nginx.yaml:"),
        "{text}"
    );
    // without the variable, nothing is written anywhere
    t.with_args(&["diff", "apps", "-s", "platform"])
        .current_dir("repo")
        .status(Status::Changes)
        .stdout_any()
        .run();
    assert_eq!(std::fs::read_to_string(&summary).expect("summary"), text);
}
