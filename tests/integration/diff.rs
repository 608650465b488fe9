//! `kruise-inject diff` end to end: golden cases under `testdata/diff/<case>/` (as in `cases.rs`),
//! exit codes and colour.

use crate::test::{Test, run_in};

/// The arguments of a case's `cmd` file: one per line, `#` comments allowed.
pub fn case_args(cmd_path: &std::path::Path) -> Vec<String> {
    let cmd = std::fs::read_to_string(cmd_path).expect("read cmd");
    cmd.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn diff_cases() {
    insta::glob!("../../testdata/diff", "*/cmd", |cmd_path| {
        let dir = cmd_path.parent().expect("case directory");
        let output = run_in(dir, &case_args(cmd_path), None, &[]);
        insta::assert_snapshot!(output.transcript());
    });
}

const FILEBEAT: &str = "testdata/filebeat-sidecarset";

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

#[test]
fn exit_code_is_1_with_changes_0_without_and_2_on_error() {
    let changed = filebeat()
        .args(&["diff", "app", "-s", "platform"])
        .run_unchecked();
    assert_eq!(changed.code, 1, "{}", changed.transcript());
    assert!(
        changed
            .stdout
            .starts_with("apps/v1 Deployment default/nginx (app/nginx-deployment.yaml:1)\n")
    );

    let rendered = filebeat()
        .args(&["render", "app", "-s", "platform", "-q"])
        .run_unchecked();
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let same = filebeat()
        .file("rendered.yaml", &rendered.stdout)
        .args(&["diff", "rendered.yaml", "-s", "platform"])
        .run_unchecked();
    assert_eq!(same.code, 0, "{}", same.transcript());
    assert_eq!(
        same.stdout,
        "Summary: no workload changes (1 pod or workload read)\n"
    );

    let same_sidecarsets = filebeat()
        .args(&[
            "diff",
            "app",
            "-s",
            "platform",
            "--old-sidecarsets",
            "platform",
        ])
        .run_unchecked();
    assert_eq!(
        same_sidecarsets.code,
        0,
        "{}",
        same_sidecarsets.transcript()
    );
    assert!(
        same_sidecarsets
            .stdout
            .starts_with("SidecarSet changes: none\n"),
        "{}",
        same_sidecarsets.stdout
    );

    let error = filebeat()
        .args(&["diff", "app", "missing.yaml", "-s", "platform"])
        .run_unchecked();
    assert_eq!(error.code, 2, "{}", error.transcript());
    assert_eq!(error.stdout, "");
    assert!(error.stderr.contains("missing.yaml"), "{}", error.stderr);

    let usage = filebeat()
        .args(&["diff", "--color", "sometimes"])
        .run_unchecked();
    assert_eq!(usage.code, 2, "{}", usage.transcript());
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let args = ["diff", "app", "-s", "platform"];
    // Standard output is a pipe here: auto means no colour.
    let auto = filebeat().args(&args).run_unchecked();
    assert!(!auto.stdout.contains('\u{1b}'), "{}", auto.stdout);
    let always = filebeat()
        .args(&args)
        .args(&["--color", "always"])
        .env("NO_COLOR", "1")
        .run_unchecked();
    assert!(
        always
            .stdout
            .contains("\u{1b}[32m+      - name: filebeat\u{1b}[0m"),
        "{}",
        always.stdout
    );
    let never = filebeat()
        .args(&args)
        .args(&["--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .run_unchecked();
    assert!(!never.stdout.contains('\u{1b}'), "{}", never.stdout);
    // CLICOLOR_FORCE colours a pipe in auto mode, unless NO_COLOR is set.
    let forced = filebeat()
        .args(&args)
        .env("CLICOLOR_FORCE", "1")
        .run_unchecked();
    assert!(forced.stdout.contains('\u{1b}'), "{}", forced.stdout);
    let no_color = filebeat()
        .args(&args)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .run_unchecked();
    assert!(!no_color.stdout.contains('\u{1b}'), "{}", no_color.stdout);
    assert_eq!(no_color.stdout, auto.stdout);
}

#[test]
fn hunk_line_numbers_are_those_of_the_input_file() {
    // Two documents: the second one's hunk counts lines from the top of the file.
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    let text =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\n{deployment}");
    let out = filebeat()
        .file("app/nginx-deployment.yaml", &text)
        .args(&["diff", "app", "-s", "platform", "-U", "0"])
        .run_unchecked();
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout.contains("(app/nginx-deployment.yaml:6)"),
        "{}",
        out.stdout
    );
    // `kruise.io/inject-filebeat: "true"` is line 17 of the deployment, 22 of the file.
    let line = text
        .lines()
        .position(|l| l.contains("kruise.io/inject-filebeat"))
        .expect("label line")
        + 1;
    assert!(
        out.stdout
            .contains(&format!("@@ -{line},0 +{},4 @@", line + 1)),
        "{}",
        out.stdout
    );
}

#[test]
fn stdin_can_be_diffed() {
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    let out = filebeat()
        .stdin(&deployment)
        .args(&["diff", "-s", "platform", "--output", "github"])
        .run_unchecked();
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(out.stdout.contains("(<stdin>:1)"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("\n::notice title=kruise-inject diff%3A apps/v1 Deployment default/nginx::"),
        "{}",
        out.stdout
    );
}

#[test]
fn sidecarset_changes_get_the_impact_statement_of_their_kind() {
    let cases = [
        (
            "image-bump",
            "envoy (new/envoy.yaml:2): image-only change: in-place upgrade",
            "Kruise upgrades running pods in place",
        ),
        (
            "env-change",
            "filebeat-sidecarset (new/filebeat.yaml:1): container change: running pods not upgradable",
            "running pods are not upgradable (condition SidecarSetUpgradable=False)",
        ),
        (
            "volume-change",
            "filebeat-sidecarset (new/filebeat.yaml:1): no rollout",
            "Kruise does not touch running pods",
        ),
        (
            "not-update",
            "image-only change: not rolled out (updateStrategy NotUpdate)",
            "Kruise does not upgrade running pods",
        ),
    ];
    for (case, heading, statement) in cases {
        let cmd = crate::test::repo(&format!("testdata/diff/{case}/cmd"));
        let dir = cmd.parent().expect("case directory");
        let out = run_in(dir, &case_args(&cmd), None, &[]);
        assert_eq!(out.code, 1, "{case}: {}", out.transcript());
        assert!(
            out.stdout.contains(heading),
            "{case}: {heading:?} not in\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains(statement),
            "{case}: {statement:?} not in\n{}",
            out.stdout
        );
    }
}
