//! `kruise-inject render` end to end.

use crate::test::{Output, Status, Test};

const FILEBEAT: &str = "testdata/filebeat-sidecarset";

/// Hashes of the Filebeat SidecarSet, computed independently by `testdata/oracle/filebeat_hash.py`.
const FILEBEAT_HASH: &str = "8bdcc5744964665bf7w449cfc569bv744f67vz98zv7b4dx4x4v7b95v44f2fv7c";
const FILEBEAT_HASH_WITHOUT_IMAGE: &str =
    "58zv7zxdx69d5z644xfc59268w9cf7zdcbdw4dbw6769v8czzfz52xvf9462v584";
const FILEBEAT_REVISION: &str = "filebeat-sidecarset-6cff4bfb5";

fn filebeat() -> Test {
    Test::new()
        .copy(
            &format!("{FILEBEAT}/nginx-deployment.yaml"),
            "app/nginx-deployment.yaml",
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
            "platform/filebeat-sidecarset.yaml",
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-configmap.yaml"),
            "platform/filebeat-configmap.yaml",
        )
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in output:\n{text}"))
}

#[test]
fn filebeat_example_injects_filebeat_before_nginx_and_volumes_after_log() {
    let out = filebeat()
        .args(&["render", "app/nginx-deployment.yaml", "-s", "platform"])
        .stdout_contains("defaultMode: 420")
        .stdout_contains("name: IS_INJECTED")
        .stdout_contains("kruise.io/sidecarset-injected-list: filebeat-sidecarset")
        .stderr("app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    let text = &out.stdout;
    assert!(
        line_of(text, "- name: filebeat") < line_of(text, "- name: nginx"),
        "{text}"
    );
    let volumes: Vec<&str> = text
        .lines()
        .skip(line_of(text, "      volumes:"))
        .filter_map(|l| l.strip_prefix("      - name: "))
        .collect();
    assert_eq!(volumes, ["log", "config", "varlog"], "{text}");
    let hash = format!(
        r#"kruise.io/sidecarset-hash: '{{"filebeat-sidecarset":{{"updateTimestamp":"1970-01-01T00:00:00Z","hash":"{FILEBEAT_HASH}","sidecarSetName":"filebeat-sidecarset","sidecarList":["filebeat"],"controllerRevision":"{FILEBEAT_REVISION}"}}}}'"#
    );
    assert!(text.contains(&hash), "missing {hash}\n{text}");
    let without = format!(
        r#"kruise.io/sidecarset-hash-without-image: '{{"filebeat-sidecarset":{{"updateTimestamp":"1970-01-01T00:00:00Z","hash":"{FILEBEAT_HASH_WITHOUT_IMAGE}","sidecarSetName":"filebeat-sidecarset","sidecarList":["filebeat"]}}}}'"#
    );
    assert!(text.contains(&without), "missing {without}\n{text}");
}

#[test]
fn changed_documents_keep_every_original_line() {
    let original = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    let out = filebeat()
        .args(&["render", "app/nginx-deployment.yaml", "-s", "platform"])
        .stdout_any()
        .stderr("app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    // The original lines appear in order in the output: injection only adds lines.
    let mut rendered = out.stdout.lines();
    for line in original.lines() {
        assert!(
            rendered.any(|r| r == line),
            "original line {line:?} missing or out of order in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn rendering_is_idempotent() {
    let first = filebeat()
        .args(&["render", "app/nginx-deployment.yaml", "-s", "platform"])
        .stdout_any()
        .stderr("app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    filebeat()
        .file("rendered.yaml", &first.stdout)
        .args(&[
            "render",
            "rendered.yaml",
            "-s",
            "platform",
            "--timestamp",
            "2030-01-01T00:00:00Z",
        ])
        .stdout(&first.stdout)
        .stderr_contains("up to date: filebeat-sidecarset")
        .run();
}

#[test]
fn untouched_documents_are_byte_identical() {
    let odd = "# leading comment\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: x}   # trailing\ndata:\n  a: 'on'\n  b: \"0644\"\n  c: yes\n\n\n";
    filebeat()
        .file("odd.yaml", odd)
        .args(&["render", "odd.yaml", "-s", "platform"])
        .stdout(odd)
        .run();
}

#[test]
fn documents_of_several_files_form_one_stream_in_input_order() {
    filebeat()
        .file(
            "in/b.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
        )
        .file(
            "in/a.yml",
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a",
        )
        .file(
            "in/c.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}\n",
        )
        .file("in/notes.txt", "not yaml")
        .args(&["render", "in", "-s", "platform"])
        .stdout(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}\n",
        )
        .run();
}

#[test]
fn stdin_is_read_when_no_path_or_dash_is_given() {
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    for args in [
        vec!["render", "-s", "platform"],
        vec!["render", "-", "-s", "platform"],
    ] {
        filebeat()
            .stdin(&deployment)
            .args(&args)
            .stdout_contains("- name: filebeat")
            .stderr("<stdin>:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
            .run();
    }
}

#[test]
fn timestamp_comes_from_the_flag_then_source_date_epoch() {
    filebeat()
        .env("SOURCE_DATE_EPOCH", "1704067200")
        .args(&[
            "render",
            "app",
            "-s",
            "platform",
            "--timestamp",
            "2025-06-01T12:00:00+02:00",
        ])
        .stdout_contains(r#""updateTimestamp":"2025-06-01T10:00:00Z""#)
        .stderr("app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    filebeat()
        .env("SOURCE_DATE_EPOCH", "1704067200")
        .args(&["render", "app", "-s", "platform"])
        .stdout_contains(r#""updateTimestamp":"2024-01-01T00:00:00Z""#)
        .stderr("app/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    filebeat()
        .args(&[
            "render",
            "app",
            "-s",
            "platform",
            "--timestamp",
            "yesterday",
        ])
        .status(Status::Error)
        .stderr_contains("invalid timestamp")
        .run();
}

#[test]
fn quiet_silences_the_report() {
    filebeat()
        .args(&["render", "app", "-s", "platform", "-q"])
        .stdout_contains("- name: filebeat")
        .run();
}

#[test]
fn namespace_flag_applies_to_documents_without_one() {
    filebeat()
        .file(
            "platform/narrow.yaml",
            "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: narrow\nspec:\n  namespace: team-a\n  selector:\n    matchLabels:\n      app: nginx\n  containers:\n  - name: narrow\n    image: busybox:1.36\n",
        )
        .file("platform/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n")
        .args(&["render", "app", "-s", "platform", "-n", "team-a"])
        .stdout_contains("- name: narrow")
        .stderr_contains("Deployment team-a/nginx: injected")
        .run();
}

/// Bad input: exit 2, nothing on stdout, a message naming the file and line.
#[track_caller]
fn assert_bad(test: Test, expect: &[&str]) -> Output {
    let mut test = test.status(Status::Error);
    for needle in expect {
        test = test.stderr_contains(needle);
    }
    test.run()
}

#[test]
fn invalid_yaml_names_file_and_line() {
    assert_bad(
        filebeat()
            .file("a.yaml", "apiVersion: v1\nkind: ConfigMap\n")
            .file(
                "b.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
            )
            .args(&["render", "a.yaml", "b.yaml", "-s", "platform"]),
        &["b.yaml:", "invalid YAML"],
    );
}

#[test]
fn a_document_without_kind_is_an_error() {
    assert_bad(
        filebeat()
            .file(
                "a.yaml",
                "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nmetadata:\n  name: x\n",
            )
            .args(&["render", "a.yaml", "-s", "platform"]),
        &["a.yaml:4: document 2", "no kind"],
    );
}

#[test]
fn a_sidecarset_without_containers_is_an_error() {
    assert_bad(
        filebeat()
            .file(
                "platform/empty.yaml",
                "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: empty\nspec:\n  selector:\n    matchLabels:\n      a: b\n",
            )
            .args(&["render", "app", "-s", "platform"]),
        &[
            "empty.yaml:5: document 1: apps.kruise.io/v1alpha1 SidecarSet empty: spec: Required value: no initContainer or container defined for SidecarSet",
            "rejected by the API server or Kruise's validating webhook",
        ],
    );
}

#[test]
fn an_invalid_selector_operator_is_an_error() {
    assert_bad(
        filebeat()
            .file(
                "platform/bad-op.yaml",
                "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: bad-op\nspec:\n  selector:\n    matchExpressions:\n    - key: app\n      operator: Equals\n      values: [nginx]\n  containers:\n  - name: x\n    image: busybox\n",
            )
            .args(&["render", "app", "-s", "platform"]),
        &["Equals"],
    );
}

#[test]
fn a_missing_revision_is_an_error() {
    assert_bad(
        filebeat()
            .file(
                "platform/pinned.yaml",
                "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: pinned\nspec:\n  selector:\n    matchLabels:\n      app: nginx\n  injectionStrategy:\n    revision:\n      revisionName: pinned-123\n  containers:\n  - name: pinned\n    image: busybox\n",
            )
            .args(&["render", "app", "-s", "platform"]),
        &[
            "pinned.yaml:10: document 1: apps.kruise.io/v1alpha1 SidecarSet pinned: revision: ",
            "pinned-123",
        ],
    );
}

#[test]
fn merge_patch_on_invalid_json_is_an_error() {
    assert_bad(
        filebeat()
            .file(
                "platform/patch.yaml",
                "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: patch\nspec:\n  selector:\n    matchLabels:\n      app: nginx\n  patchPodMetadata:\n  - patchPolicy: MergePatchJson\n    annotations:\n      example.com/config: '{\"a\": 1}'\n  containers:\n  - name: patch\n    image: busybox\n",
            )
            .file(
                "app/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    app: nginx\n  annotations:\n    example.com/config: not json\nspec:\n  containers:\n  - name: main\n    image: busybox\n",
            )
            .args(&["render", "app/pod.yaml", "-s", "platform"]),
        &["app/pod.yaml:1: document 1", "example.com/config"],
    );
}

#[test]
fn unreadable_and_missing_files_are_errors() {
    assert_bad(
        filebeat().args(&["render", "nope.yaml", "-s", "platform"]),
        &["nope.yaml"],
    );
    assert_bad(
        filebeat().file("bin.yaml", "a: \u{0}").args(&[
            "render",
            "app",
            "-s",
            "platform",
            "-s",
            "missing-dir",
        ]),
        &["missing-dir"],
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_errors() {
    let test = filebeat().args(&["render", "app", "-s", "platform"]);
    std::os::unix::fs::symlink(test.path().join("app"), test.path().join("app/loop"))
        .expect("symlink");
    assert_bad(test, &["symlink loop"]);
}

#[test]
fn invalid_utf8_is_an_error() {
    assert_bad(
        filebeat().bytes("latin1.yaml", b"a: caf\xe9\n").args(&[
            "render",
            "app",
            "latin1.yaml",
            "-s",
            "platform",
        ]),
        &["latin1.yaml: line 1: not valid UTF-8"],
    );
}

#[test]
fn crlf_files_stay_crlf() {
    let out = filebeat()
        .file(
            "pod.yaml",
            "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n  labels:\r\n    kruise.io/inject-filebeat: \"true\"\r\nspec:\r\n  containers:\r\n  - name: main\r\n    image: busybox\r\n",
        )
        .args(&["render", "pod.yaml", "-s", "platform"])
        .stdout_contains("- name: filebeat\r\n")
        .stderr("pod.yaml:1: v1 Pod default/p: injected filebeat-sidecarset (filebeat)\n")
        .run();
    let bare_lf = out
        .stdout
        .match_indices('\n')
        .filter(|(i, _)| !out.stdout[..*i].ends_with('\r'))
        .count();
    assert_eq!(bare_lf, 0, "{:?}", out.stdout);
}

#[test]
fn other_documents_of_a_changed_file_stay_byte_identical() {
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    let before = "# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: before}   # flow\ndata: {a: 'on'}\n---\n";
    let after = "---\n# a comment-only document\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: after\n";
    let out = filebeat()
        .file("all.yaml", &format!("{before}{deployment}{after}"))
        .args(&["render", "all.yaml", "-s", "platform"])
        .stdout_contains("- name: filebeat")
        .stderr_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    assert!(out.stdout.starts_with(before), "{}", out.stdout);
    assert!(out.stdout.ends_with(after), "{}", out.stdout);
}

#[test]
fn written_strings_are_never_read_back_as_bools_or_numbers() {
    let test = filebeat()
        .file(
            "platform/ambiguous.yaml",
            "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: ambiguous\nspec:\n  selector:\n    matchLabels:\n      app: nginx\n  containers:\n  - name: ambiguous\n    image: busybox\n    args: ['on', 'yes', 'n', '0644', '1_000', '1e3', 'null', '-c']\n    env:\n    - {name: A, value: 'off'}\n",
        )
        .args(&["render", "app", "-s", "platform/ambiguous.yaml"])
        .stderr_contains("injected ambiguous (ambiguous)");
    let mut test = test;
    for quoted in [
        r#"- "on""#,
        r#"- "yes""#,
        r#"- "n""#,
        r#"- "0644""#,
        r#"- "1_000""#,
        r#"- "1e3""#,
        r#"- "null""#,
        "- -c",
        r#"value: "off""#,
        r#"value: "true""#,
    ] {
        test = test.stdout_contains(quoted);
    }
    test.run();
}

#[test]
fn alias_bombs_and_deep_nesting_fail_fast_with_a_clear_error() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='j' {
        bomb.push_str(&format!(
            "  {name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = name;
    }
    assert_bad(
        filebeat()
            .file("bomb.yaml", &bomb)
            .args(&["render", "bomb.yaml", "-s", "platform"]),
        &["bomb.yaml:", "alias"],
    );
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_bad(
        filebeat()
            .file("deep.yaml", &deep)
            .args(&["render", "deep.yaml", "-s", "platform"]),
        &["deep.yaml:"],
    );
}

#[test]
fn a_resource_list_on_stdin_is_rendered_as_the_krm_function_does() {
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    let items: String = deployment
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("- {l}\n")
            } else {
                format!("  {l}\n")
            }
        })
        .collect();
    let list = format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}");
    filebeat()
        .stdin(&list)
        .args(&["render", "-s", "platform"])
        .stdout_regex("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n(?s:.*)")
        .stdout_contains("  - name: filebeat")
        .stdout_contains("results:")
        .run();
}
