//! `kruise-inject validate` end to end.

use crate::test::{Status, Test};

const FILEBEAT: &str = "testdata/filebeat-sidecarset";

fn filebeat(with_configmap: bool) -> Test {
    let t = Test::new()
        .copy(
            &format!("{FILEBEAT}/nginx-deployment.yaml"),
            "app/nginx-deployment.yaml",
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
            "platform/filebeat-sidecarset.yaml",
        );
    if with_configmap {
        t.copy(
            &format!("{FILEBEAT}/filebeat-configmap.yaml"),
            "platform/filebeat-configmap.yaml",
        )
    } else {
        t
    }
}

#[test]
fn filebeat_without_configmap_errors_and_warns_about_varlog() {
    let out = filebeat(false)
        .args(&[
            "validate",
            "app/nginx-deployment.yaml",
            "-s",
            "platform/filebeat-sidecarset.yaml",
        ])
        .status(Status::Changes)
        .stdout_any()
        .stderr("validate: 1 error, 1 warning\n")
        .run();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.transcript());
    assert!(lines[0].starts_with("app/nginx-deployment.yaml:1: error: apps/v1 Deployment default/nginx: SidecarSet filebeat-sidecarset injects volume config that needs ConfigMap filebeat-config"), "{}", out.stdout);
    assert!(lines[1].starts_with("app/nginx-deployment.yaml:1: warning: apps/v1 Deployment default/nginx: SidecarSet filebeat-sidecarset: sidecar filebeat reads /var/log from emptyDir volume varlog"), "{}", out.stdout);
    assert!(
        lines[1].contains("shareVolumePolicy.type: enabled"),
        "{}",
        out.stdout
    );
}

#[test]
fn filebeat_with_configmap_only_warns() {
    let out = filebeat(true)
        .args(&["validate", "app/nginx-deployment.yaml", "-s", "platform"])
        .stdout_regex("[^\n]*: warning: [^\n]*\n")
        .stderr("validate: 0 errors, 1 warning\n")
        .run();
    filebeat(true)
        .args(&[
            "validate",
            "--strict",
            "app/nginx-deployment.yaml",
            "-s",
            "platform",
        ])
        .status(Status::Changes)
        .stdout(&out.stdout)
        .stderr("validate: 0 errors, 1 warning\n")
        .run();
}

#[test]
fn github_and_json_output() {
    filebeat(false)
        .args(&[
            "validate",
            "-o",
            "github",
            "app/nginx-deployment.yaml",
            "-s",
            "platform/filebeat-sidecarset.yaml",
        ])
        .status(Status::Changes)
        .stdout_regex(&format!(
            "{}(?s:.*)",
            regex::escape(
                "::error file=app/nginx-deployment.yaml,line=1,title=kruise-inject validate%3A "
            )
        ))
        .stdout_contains("::apps/v1 Deployment default/nginx: SidecarSet filebeat-sidecarset injects volume config")
        .stdout_contains("\n::warning file=app/nginx-deployment.yaml,line=1,title=")
        .stderr("validate: 1 error, 1 warning\n")
        .run();
    // GitHub annotations never point outside the repository: relative to GITHUB_WORKSPACE, and a
    // file outside it is named in the message instead.
    let test = filebeat(false);
    let workspace = test.path().join("platform");
    test.env("GITHUB_WORKSPACE", &workspace.display().to_string())
        .args(&[
            "validate",
            "-o",
            "github",
            "app/nginx-deployment.yaml",
            "-s",
            "platform/filebeat-sidecarset.yaml",
        ])
        .status(Status::Changes)
        .stdout_lacks("file=app/")
        .stdout_regex(&format!(
            "{}(?s:.*)",
            regex::escape("::error title=kruise-inject validate%3A ")
        ))
        .stdout_contains("::app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx")
        .stderr("validate: 1 error, 1 warning\n")
        .run();

    let out = filebeat(false)
        .args(&[
            "validate",
            "--output",
            "json",
            "app/nginx-deployment.yaml",
            "-s",
            "platform/filebeat-sidecarset.yaml",
        ])
        .status(Status::Changes)
        .stdout_any()
        .stderr("validate: 1 error, 1 warning\n")
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON output");
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 1);
    assert_eq!(json["findings"][0]["rule"], "missing-reference");
    assert_eq!(json["findings"][1]["rule"], "lint");
}

#[test]
fn kruise_rejections_have_kruise_paths_and_messages() {
    let r = "apps.kruise.io/v1alpha1 SidecarSet broken";
    Test::new()
        .copy("testdata/validate/invalid-sidecarset.yaml", "ss.yaml")
        .args(&["validate", "ss.yaml"])
        .status(Status::Changes)
        .stdout(&format!(
            "ss.yaml:7: error: {r}: spec.selector: Required value: no selector defined for SidecarSet\n\
             ss.yaml:9: error: {r}: spec.containers[0].name: Invalid value: \"Agent\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n\
             ss.yaml:12: error: {r}: spec.containers[0].volumeMounts[0].name: Not found: \"data\"\n"
        ))
        .stderr("validate: 3 errors, 0 warnings\n")
        .run();
}

#[test]
fn conflicting_sidecarsets() {
    let out = Test::new()
        .copy("testdata/validate/conflicting-sidecarsets.yaml", "ss.yaml")
        .args(&["validate", "ss.yaml"])
        .status(Status::Changes)
        .stdout_any()
        // The two SidecarSets' patch-metadata-whitelist warning is one finding.
        .stderr("validate: 6 errors, 2 warnings (7 distinct findings)\n")
        .run();
    let messages: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.contains(": warning: "))
        .map(|l| {
            l.split_once("SidecarSet proxy-")
                .map_or(l, |(_, m)| &m[3..])
        })
        .collect();
    assert_eq!(
        messages,
        [
            "spec.containers: Invalid value: \"proxy\": container proxy already exist in proxy-b",
            "spec.volumes: Invalid value: \"certs\": volume certs is in conflict with sidecarset proxy-b",
            "spec.patchPodMetadata: Invalid value: \"oom-score\": annotation oom-score is in conflict with sidecarset proxy-b",
            "spec.containers: Invalid value: \"proxy\": container proxy already exist in proxy-a",
            "spec.volumes: Invalid value: \"certs\": volume certs is in conflict with sidecarset proxy-a",
            "spec.patchPodMetadata: Invalid value: \"oom-score\": annotation oom-score is in conflict with sidecarset proxy-a",
        ],
        "{}",
        out.stdout
    );
}

#[test]
fn unreadable_input_exits_2() {
    Test::new()
        .file("bad.yaml", "kind: [\n")
        .args(&["validate", "bad.yaml"])
        .status(Status::Error)
        .stderr_contains("bad.yaml:")
        .stderr_contains("invalid YAML")
        .run();
    Test::new()
        .args(&["validate", "nope.yaml"])
        .status(Status::Error)
        .stderr_contains("nope.yaml")
        .run();
}
