//! The command-line layer (issue 15): settings resolved once per command, without changing what a
//! run does.

use crate::test::Test;

const LIST: &str = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec: {containers: [{name: a, image: nginx}]}\n";

/// `render` hands a ResourceList on standard input to `krm`, which answers an invalid timestamp
/// with the list and an error result (what kpt shows), not with a bare error.
#[test]
fn render_of_a_resource_list_reports_a_bad_timestamp_as_krm_does() {
    for args in [
        &["render", "--timestamp", "yesterday"][..],
        &["krm", "--timestamp", "yesterday"][..],
    ] {
        let out = Test::new()
            .stdin(LIST)
            .args(args)
            .status(2)
            .stdout_contains("severity: error")
            .stderr_contains("invalid timestamp \"yesterday\"")
            .run();
        assert!(
            out.stdout.starts_with(LIST),
            "{args:?}: {}",
            out.transcript()
        );
    }
    // A file, not a ResourceList: the plain error, nothing on stdout.
    Test::new()
        .file("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx}]}\n")
        .args(&["render", "pod.yaml", "--timestamp", "yesterday"])
        .status(2)
        .stderr_contains("invalid timestamp \"yesterday\"")
        .run();
}

/// The flags shared by several commands have the same defaults in each: `krm`'s `-n` and
/// `--kruise-namespace` (function-config overridable) default as `render`'s do.
#[test]
fn krm_and_render_default_alike() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: web}}\nspec: {containers: [{name: a, image: nginx}]}\n";
    let sidecarset = "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata: {name: log}\nspec:\n  selector: {matchLabels: {app: web}}\n  namespace: default\n  containers: [{name: log, image: busybox}]\n";
    Test::new()
        .file("pod.yaml", pod)
        .file("ss.yaml", sidecarset)
        .args(&["render", "pod.yaml", "-s", "ss.yaml", "-q"])
        .stdout_contains("sidecarset-injected-list")
        .run();
    let items: String = pod
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " }))
        .collect();
    Test::new()
        .file("ss.yaml", sidecarset)
        .stdin(&format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}"
        ))
        .args(&["krm", "-s", "ss.yaml"])
        .stdout_contains("sidecarset-injected-list")
        .run();
}
