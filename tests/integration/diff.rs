//! `kruise-inject diff` end to end: golden cases under `testdata/diff/<case>/` (as in `cases.rs`),
//! exit codes and colour.

use crate::test::{Status, Test, run_in};

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
    filebeat()
        .args(&["diff", "app", "-s", "platform"])
        .status(Status::Changes)
        .stdout_regex(&format!(
            "{}(?s:.*)",
            regex::escape("apps/v1 Deployment default/nginx (app/nginx-deployment.yaml:1)\n")
        ))
        .run();

    let rendered = filebeat()
        .args(&["render", "app", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    filebeat()
        .file("rendered.yaml", &rendered.stdout)
        .args(&["diff", "rendered.yaml", "-s", "platform"])
        .stdout("Summary: no workload changes (1 pod or workload read)\n")
        .run();

    filebeat()
        .args(&[
            "diff",
            "app",
            "-s",
            "platform",
            "--old-sidecarsets",
            "platform",
        ])
        .stdout_regex("SidecarSet changes: none\n(?s:.*)")
        .run();

    filebeat()
        .args(&["diff", "app", "missing.yaml", "-s", "platform"])
        .status(Status::Error)
        .stderr_contains("missing.yaml")
        .run();

    filebeat()
        .args(&["diff", "--color", "sometimes"])
        .status(Status::Error)
        .stderr_contains("invalid value 'sometimes' for '--color")
        .run();
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let args = ["diff", "app", "-s", "platform"];
    // Standard output is a pipe here: auto means no colour.
    let diff = || filebeat().args(&args).status(Status::Changes);
    let auto = diff().stdout_lacks("\u{1b}").run();
    diff()
        .args(&["--color", "always"])
        .env("NO_COLOR", "1")
        .stdout_contains("\u{1b}[32m+      - name: filebeat\u{1b}[0m")
        .run();
    diff()
        .args(&["--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .stdout(&auto.stdout)
        .run();
    // CLICOLOR_FORCE colours a pipe in auto mode, unless NO_COLOR is set.
    diff()
        .env("CLICOLOR_FORCE", "1")
        .stdout_contains("\u{1b}")
        .run();
    diff()
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .stdout(&auto.stdout)
        .run();
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
    // `kruise.io/inject-filebeat: "true"` is line 17 of the deployment, 22 of the file.
    let line = text
        .lines()
        .position(|l| l.contains("kruise.io/inject-filebeat"))
        .expect("label line")
        + 1;
    filebeat()
        .file("app/nginx-deployment.yaml", &text)
        .args(&["diff", "app", "-s", "platform", "-U", "0"])
        .status(Status::Changes)
        .stdout_contains("(app/nginx-deployment.yaml:6)")
        .stdout_contains(&format!("@@ -{line},0 +{},4 @@", line + 1))
        .run();
}

#[test]
fn stdin_can_be_diffed() {
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    filebeat()
        .stdin(&deployment)
        .args(&["diff", "-s", "platform", "--output", "github"])
        .status(Status::Changes)
        .stdout_contains("(<stdin>:1)")
        .stdout_contains(
            "\n::notice title=kruise-inject diff%3A apps/v1 Deployment default/nginx::",
        )
        .run();
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
        let args = case_args(&cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Test::at(dir)
            .args(&args)
            .status(Status::Changes)
            .stdout_contains(heading)
            .stdout_contains(statement)
            .run();
    }
}
