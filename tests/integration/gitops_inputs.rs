//! Issue 11, point 5: never silently wrong on a real GitOps repository. Each test feeds what a
//! repository or `kubectl get -o yaml` really holds.

use crate::test::{Status, Test};

const DUMP: &str = "testdata/rollout/pod-dump";

/// `rollout` of pods without the SidecarSets would print an empty plan with exit 0, which reads as
/// "nothing to upgrade": like `health`, it is an error naming what to give.
#[test]
fn rollout_without_a_sidecarset_is_exit_2() {
    let test = Test::new().copy(&format!("{DUMP}/pods.yaml"), "pods.yaml");
    for args in [
        &["rollout", "pods.yaml"][..],
        &["rollout", "pods.yaml", "-o", "json"],
        &["rollout", "--from-workloads", "pods.yaml"],
    ] {
        test.with_args(args)
            .status(Status::Error)
            .stderr_regex(&format!(
                "{}(?s:.*)",
                regex::escape("error: no SidecarSet (apps.kruise.io) in the inputs: give the SidecarSets to roll out with -s")
            ))
            .run();
    }
    // the same pods with their SidecarSets plan as before
    let test = test.copy(&format!("{DUMP}/new/sidecarsets.yaml"), "ss.yaml");
    test.with_args(&["rollout", "pods.yaml", "-s", "ss.yaml"])
        .stdout_contains("SidecarSet log-agent\n")
        .run();
}

const FILEBEAT: &str = "testdata/filebeat-sidecarset";

/// `kustomize build overlays/prod | kruise-inject validate -s platform/`: the piped workloads are
/// validated, as `render` would read them (before, -s without PATH ignored standard input and
/// reported "0 errors" about the Deployment it never read).
#[test]
fn validate_reads_piped_stdin_even_with_s() {
    let test = Test::new().copy(
        &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
        "platform/filebeat-sidecarset.yaml",
    );
    let deployment = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/nginx-deployment.yaml"
    )))
    .expect("fixture");
    test.args(&["validate", "-s", "platform"])
        .stdin(&deployment)
        .status(Status::Changes)
        .stdout_regex(&format!(
            "{}(?s:.*)",
            regex::escape("<stdin>:1: error: apps/v1 Deployment default/nginx: SidecarSet filebeat-sidecarset injects volume config that needs ConfigMap filebeat-config")
        ))
        .stderr("validate: 1 error, 1 warning\n")
        .run();
    // nothing piped (an empty pipe, or /dev/null in CI): the -s files alone, as before
    let test = Test::new().copy(
        &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
        "platform/filebeat-sidecarset.yaml",
    );
    test.args(&["validate", "-s", "platform"])
        .stderr("validate: 0 errors, 0 warnings\n")
        .run();
}

/// Runs `kruise-inject ARGS` with a terminal as standard input (util-linux `script`, which sends
/// end-of-file to the terminal when its own standard input, /dev/null here, ends): the merged
/// terminal output. `None` where `script` is not available.
fn on_a_terminal(dir: &std::path::Path, args: &str) -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_kruise-inject"));
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

const WAITING: &str = "reading manifests from standard input (Ctrl-D to end)…";

/// A command that waits for standard input on a terminal says so (otherwise it looks hung); on a
/// pipe it never does.
#[test]
fn waiting_on_a_terminal_is_said_on_stderr_and_never_on_a_pipe() {
    let test = Test::new().copy(&format!("{FILEBEAT}/filebeat-sidecarset.yaml"), "ss.yaml");
    for args in [
        &["render"][..],
        &["render", "-s", "ss.yaml"],
        &["uninject"],
        &["validate"],
        &["validate", "-s", "ss.yaml"],
        &["diff", "-s", "ss.yaml"],
        &["health", "-"],
    ] {
        test.with_args(args)
            .stdin("")
            .status_any()
            .stdout_any()
            .stderr_lacks("standard input")
            .run();
    }
    let Some(out) = on_a_terminal(test.path(), "render -s ss.yaml") else {
        eprintln!("note: no util-linux `script`: the terminal half of this test is skipped");
        return;
    };
    assert!(out.starts_with(WAITING), "{out}");
    for (args, waits) in [
        ("validate", true),
        ("uninject", true),
        ("health", true),
        ("rollout -s ss.yaml", true),
        ("krm", false),
        // -s on a terminal: only the -s files, nothing is read from the terminal
        ("validate -s ss.yaml", false),
        // a PATH: standard input is not read
        ("render ss.yaml", false),
    ] {
        let out = on_a_terminal(test.path(), args).unwrap_or_default();
        assert_eq!(out.contains(WAITING), waits, "{args}: {out}");
    }
    let out = on_a_terminal(test.path(), "krm").unwrap_or_default();
    assert!(
        out.contains("reading a ResourceList from standard input (Ctrl-D to end)…"),
        "{out}"
    );
}

/// The text after the leading comment lines.
fn body(text: &str) -> &str {
    let mut rest = text;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// `kubectl get pod -o yaml | kruise-inject uninject` on a pod the controller upgraded in place:
/// the in-place update state annotation and the SidecarSetUpgradable condition go with the rest of
/// what Kruise wrote; the other conditions, containerStatuses and managedFields stay byte for byte.
#[test]
fn uninject_removes_the_state_of_an_in_place_upgrade() {
    let test = Test::new().copy(
        "testdata/gitops-inputs/inplace-upgraded-pod.yaml",
        "pod.yaml",
    );
    let out = test
        .with_args(&["uninject", "pod.yaml"])
        .stdout_lacks("kruise.io/sidecarset-inplace-update-state: '")
        .stdout_lacks("type: SidecarSetUpgradable")
        .stdout_lacks("AllSidecarsetUpgradable")
        .stdout_lacks("IS_INJECTED")
        .stdout_contains("type: PodScheduled")
        .stdout_contains("name: envoy-2\n    ready: true")
        .stdout_contains("manager: kruise-manager")
        .stderr("pod.yaml:5: v1 Pod shop/shop-7d9c5b6f4-hx2jd: removed containers log-agent, envoy-1, envoy-2; 9 annotations; condition SidecarSetUpgradable\n")
        .run();
    let want = std::fs::read_to_string(crate::test::repo(
        "testdata/gitops-inputs/inplace-upgraded-pod.uninjected.yaml",
    ))
    .expect("fixture");
    assert_eq!(body(&out.stdout), body(&want));
    // uninject is idempotent on it
    Test::new()
        .args(&["uninject"])
        .stdin(&out.stdout)
        .stdout(&out.stdout)
        .run();
}

/// Messages point at the offending field's line (not the object's first line), name a nameless
/// object by its generateName or `<unnamed>` (never `SidecarSet :`), and name the resource once.
#[test]
fn messages_point_at_the_field_and_name_the_object_once() {
    let filebeat = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/filebeat-sidecarset.yaml"
    )))
    .expect("fixture");
    let pods =
        std::fs::read_to_string(crate::test::repo(&format!("{DUMP}/pods.yaml"))).expect("fixture");
    let test = Test::new()
        .copy(&format!("{FILEBEAT}/nginx-deployment.yaml"), "apps/nginx.yaml")
        .copy(&format!("{DUMP}/new/sidecarsets.yaml"), "new.yaml")
        // a hand edit gone wrong: `env` as a map
        .file(
            "platform/filebeat.yaml",
            &filebeat.replacen("    env:\n    - name: POD_NAMESPACE", "    env:\n      name: POD_NAMESPACE", 1),
        )
        .file("platform/unnamed.yaml", &filebeat.replacen("  name: filebeat-sidecarset\n", "  labels: {team: logs}\n", 1))
        // `kubectl get pods -o yaml` edited by hand: line 877 of the List
        .file("pods.yaml", &pods.replacen("      ready: false", "      ready: maybe", 1))
        .file(
            "pending.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: web:1\n",
        );
    for (args, want) in [
        (
            &["render", "apps", "-s", "platform/filebeat.yaml"][..],
            "error: platform/filebeat.yaml:17: document 1: apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset: spec.containers[0].env: ",
        ),
        (
            &["diff", "apps", "-s", "platform/unnamed.yaml"],
            "error: platform/unnamed.yaml:3: document 1: apps.kruise.io/v1alpha1 SidecarSet <unnamed>: metadata.name: Required value: name or generateName is required",
        ),
        (
            &["rollout", "pods.yaml", "-s", "new.yaml"],
            "error: pods.yaml:877: document 1: v1 Pod shop-7d9c5b6f4-",
        ),
        (
            &["rollout", "pending.yaml", "-s", "new.yaml"],
            "error: pending.yaml:3: document 1: v1 Pod web-*: metadata.name: a pod needs a name\n",
        ),
    ] {
        test.with_args(args)
            .status(Status::Error)
            .stderr_regex(&format!("{}(?s:.*)", regex::escape(want)))
            .stderr_lacks("SidecarSet filebeat-sidecarset: SidecarSet")
            .run();
    }
    // a SidecarSet copied from `kubectl get -o yaml` with the hash of an older spec: the warning
    // is at the annotation, and the (cluster-scoped) SidecarSet is named once, without `/`
    let test = test.file(
        "platform/stale.yaml",
        &filebeat.replacen(
            "  name: filebeat-sidecarset\n",
            "  annotations:\n    kruise.io/sidecarset-hash: 8f9d2c7b1a\n  name: filebeat-sidecarset\n",
            1,
        ),
    );
    test.with_args(&["render", "apps", "-s", "platform/stale.yaml"])
        .stdout_any()
        .stderr_regex(&format!(
            "{}(?s:.*)",
            regex::escape("platform/stale.yaml:5: apps.kruise.io/v1alpha1 SidecarSet filebeat-sidecarset: warning: annotation kruise.io/sidecarset-hash is \"8f9d2c7b1a\" in the input")
        ))
        .run();
    test.with_args(&["health", "platform/unnamed.yaml"])
        .status(Status::Changes)
        .stdout("<unnamed>: Progressing: Waiting for sidecarSet\n")
        .run();
}

/// `kruise-inject ARGS` whose standard output is a pipe the reader has already closed (as `head -1`
/// does after its line), with `stdin` written only after that, so the command's first write
/// finds the pipe closed: (exit code, stderr).
fn into_a_closed_pipe(dir: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String) {
    use std::io::{Read as _, Write as _};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_kruise-inject"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kruise-inject");
    drop(child.stdout.take());
    {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(stdin.as_bytes()).expect("write stdin");
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), stderr)
}

/// `render ... | head -1`: a closed pipe is not an error; as ripgrep does, the output stops
/// without a word (before: exit 2, `error: writing stdout: Broken pipe`), and a command with a
/// verdict (`diff`, `validate`, `health`) exits with the code the whole output gives.
#[test]
fn a_closed_stdout_pipe_ends_the_output_quietly_and_keeps_the_verdict() {
    let test = Test::new()
        .copy(&format!("{DUMP}/new/sidecarsets.yaml"), "ss.yaml")
        .copy("testdata/health/sidecarsets.yaml", "health.yaml");
    let pods =
        std::fs::read_to_string(crate::test::repo(&format!("{DUMP}/pods.yaml"))).expect("fixture");
    let upgraded = std::fs::read_to_string(crate::test::repo(
        "testdata/gitops-inputs/inplace-upgraded-pod.yaml",
    ))
    .expect("fixture");
    for (args, stdin) in [
        (&["render", "-q", "-s", "ss.yaml"][..], pods.as_str()),
        (&["render", "-q", "-s", "ss.yaml", "-"], pods.as_str()),
        (&["uninject", "-q"], upgraded.as_str()),
        (&["rollout", "-q", "-s", "ss.yaml"], pods.as_str()),
        (
            &["validate", "-q", "-s", "ss.yaml", "-o", "json"],
            pods.as_str(),
        ),
        (
            &["diff", "-q", "-s", "ss.yaml", "--color", "never"],
            pods.as_str(),
        ),
        (&["health", "-", "health.yaml"], ""),
    ] {
        let read_whole = test
            .with_args(args)
            .stdin(stdin)
            .status_any()
            .stdout_any()
            .run();
        let (code, stderr) = into_a_closed_pipe(test.path(), args, stdin);
        assert_eq!(
            (code, stderr.as_str()),
            (read_whole.code, ""),
            "{args:?}: {}",
            read_whole.stderr
        );
        if matches!(args[0], "diff" | "health") {
            assert_eq!(code, 1, "{args:?}: the verdict of this fixture is 1");
        }
    }
}
