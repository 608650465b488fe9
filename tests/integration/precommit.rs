//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit (from PyPI; `.ci/run`
//! installs it) in a temporary git repository: stale output fails the commit, fresh output passes.
//!
//! The hooks run `scripts/pre-commit-hook.sh`, which builds kruise-inject with `cargo install
//! --locked` from the hook repository pre-commit cloned at a commit. The test copies this checkout's sources (uncommitted changes included) into a git
//! repository under `target/precommit-test/hook-repo`, committed with fixed dates so that the same
//! sources give the same commit, and gives pre-commit a cache under `target/precommit-test/` (its
//! own `PRE_COMMIT_HOME`, and a `CARGO_TARGET_DIR` for the release build): the first run builds
//! for a few minutes, reruns on unchanged sources reuse the installed hook.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::test::{Output, Status, Test, repo};

/// Where the test keeps its hook repository and caches: `target/precommit-test`.
fn work_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_kruise-inject"));
    // target/<profile>/kruise-inject → target/
    let target = exe
        .parent()
        .and_then(Path::parent)
        .expect("the binary lives in target/<profile>/");
    target.join("precommit-test")
}

/// A run of `program` in `dir` (git, pre-commit) with a fixed git identity and date; the test
/// states what it must do.
fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &Path)]) -> Test {
    let mut test = Test::at(dir).program(program).args(args);
    // Variables cargo sets for the test must not steer the cargo that pre-commit runs.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.starts_with("GIT_")
            || key == "PRE_COMMIT_HOME"
            || key == "SOURCE_DATE_EPOCH"
        {
            test = test.env_remove(&key);
        }
    }
    test = test
        .env("GIT_AUTHOR_NAME", "kruise-inject test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "kruise-inject test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1");
    for (key, value) in env {
        test = test.env(key, &value.display().to_string());
    }
    test
}

/// Runs `test`, the step `what`: it must succeed (exit 0); what it prints is not checked.
#[track_caller]
fn ok(test: Test, what: &str) -> Output {
    // shown with the failure
    println!("step: {what}");
    test.stdout_any().stderr_any().run()
}

/// Runs `test`: it must fail with exit 1 (a hook failed); returns the transcript.
#[track_caller]
fn fails(test: Test) -> String {
    test.status(1).stdout_any().stderr_any().run().transcript()
}

/// Copies `from` to `to` recursively.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create directory");
    for entry in fs::read_dir(from).expect("list directory") {
        let entry = entry.expect("directory entry");
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            fs::copy(&path, to.join(&name)).expect("copy file");
        }
    }
}

/// A git repository holding this checkout's sources at one commit; returns its commit.
fn hook_repository(dir: &Path) -> String {
    if dir.exists() {
        fs::remove_dir_all(dir).expect("remove the old hook repository");
    }
    fs::create_dir_all(dir).expect("create the hook repository");
    let root = repo("");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        ".pre-commit-hooks.yaml",
        "README.md",
    ] {
        fs::copy(root.join(file), dir.join(file)).expect("copy a source file");
    }
    for tree in ["src", "crates", "scripts"] {
        copy_tree(&root.join(tree), &dir.join(tree));
    }
    ok(run(dir, "git", &["init", "-q"], &[]), "git init");
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(
        run(
            dir,
            "git",
            &["commit", "-q", "--no-verify", "-m", "hooks under test"],
            &[],
        ),
        "git commit",
    );
    let head = ok(
        run(dir, "git", &["rev-parse", "HEAD"], &[]),
        "git rev-parse",
    );
    head.stdout.trim().to_owned()
}

fn config(hook_repo: &Path, rev: &str, hooks: &[&str]) -> String {
    let mut text = format!(
        "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n",
        hook_repo.display()
    );
    for hook in hooks {
        text.push_str(&format!(
            "  - id: {hook}\n    args: [--out-dir, rendered, --prune, apps, -s, platform, -q]\n"
        ));
    }
    text
}

#[test]
#[ignore = "runs pre-commit (PyPI) and git: .ci/run installs pre-commit and runs it with --include-ignored"]
fn precommit_hooks_fail_on_stale_output_and_pass_on_fresh_output() {
    let version = Command::new("pre-commit").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "pre-commit is not installed: pip install pre-commit (.ci/run does): {version:?}"
    );

    let work = work_dir();
    let hook_repo = work.join("hook-repo");
    let rev = hook_repository(&hook_repo);
    let home = work.join("pre-commit-home");
    let cargo_target = work.join("cargo-target");
    let env: &[(&str, &Path)] = &[
        ("PRE_COMMIT_HOME", &home),
        ("CARGO_TARGET_DIR", &cargo_target),
    ];

    // A GitOps repository: sources, and their rendering committed under rendered/.
    let user = tempfile::tempdir().expect("temporary directory");
    let dir = user.path();
    let fixture = |from: &str, to: &str| {
        let to = dir.join(to);
        fs::create_dir_all(to.parent().expect("parent")).expect("create directory");
        fs::copy(repo(from), to).expect("copy fixture");
    };
    fixture(
        "testdata/filebeat-sidecarset/nginx-deployment.yaml",
        "apps/nginx.yaml",
    );
    fixture(
        "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
        "platform/filebeat.yaml",
    );
    fixture(
        "testdata/filebeat-sidecarset/filebeat-configmap.yaml",
        "platform/filebeat-configmap.yaml",
    );
    fs::write(
        dir.join("apps/settings.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n",
    )
    .expect("write an input");
    let render = || {
        crate::test::Test::at(dir)
            .args(&[
                "render",
                "apps",
                "-s",
                "platform",
                "--out-dir",
                "rendered",
                "-q",
            ])
            .status(Status::Changes)
            .stdout_contains("rendered/nginx.yaml")
            .run();
    };
    let check_only = config(&hook_repo, &rev, &["kruise-inject-check"]);
    fs::write(dir.join(".pre-commit-config.yaml"), &check_only).expect("write config");
    render();
    ok(run(dir, "git", &["init", "-q"], &[]), "git init");
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(
        run(
            dir,
            "git",
            &["commit", "-q", "--no-verify", "-m", "initial"],
            &[],
        ),
        "git commit",
    );
    ok(
        run(dir, "pre-commit", &["install"], env),
        "pre-commit install",
    );

    let commit = |message: &str| run(dir, "git", &["commit", "-m", message], env);
    let head = || {
        let out = ok(
            run(dir, "git", &["rev-parse", "HEAD"], &[]),
            "git rev-parse",
        );
        out.stdout.trim().to_owned()
    };
    let bump = |from: &str, to: &str| {
        let path = dir.join("platform/filebeat.yaml");
        let yaml = fs::read_to_string(&path).expect("read SidecarSet");
        fs::write(&path, yaml.replace(from, to)).expect("write SidecarSet");
        ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    };

    // Fresh output passes: a source edit committed with its re-rendered output. (The first
    // commit installs the hook: a release build.)
    let path = dir.join("apps/nginx.yaml");
    let yaml = fs::read_to_string(&path).expect("read");
    fs::write(&path, yaml.replace("replicas: 1", "replicas: 2")).expect("write");
    render();
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    // fresh output must pass
    ok(commit("scale nginx"), "commit");

    // Stale output fails: a SidecarSet image bump without re-rendering.
    let before = head();
    bump("filebeat:7.16.2", "filebeat:8.6.2");
    let out = fails(commit("bump filebeat"));
    assert!(out.contains("stale: rendered/nginx.yaml"), "{out}");
    assert!(
        out.contains("+        image: docker.elastic.co/beats/filebeat:8.6.2"),
        "{out}"
    );
    assert_eq!(head(), before, "the commit must not happen");

    // The render hook writes the new output and fails; committing what it wrote passes.
    let both = config(
        &hook_repo,
        &rev,
        &["kruise-inject-render", "kruise-inject-check"],
    );
    fs::write(dir.join(".pre-commit-config.yaml"), &both).expect("write config");
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    // writing output must fail
    let rewritten = fails(commit("bump filebeat"));
    assert!(
        rewritten.contains("updated rendered/nginx.yaml"),
        "{rewritten}"
    );
    assert_eq!(head(), before);
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(commit("bump filebeat"), "commit");
    let committed = ok(
        run(dir, "git", &["show", "HEAD:rendered/nginx.yaml"], &[]),
        "git show",
    );
    assert!(
        committed
            .stdout
            .contains("image: docker.elastic.co/beats/filebeat:8.6.2"),
        "the rendered output is committed"
    );
    // A commit that only deletes an input stages no file the hooks match: they run all the same.
    // With the check hook alone, the rendered file left behind fails the commit.
    fs::write(dir.join(".pre-commit-config.yaml"), &check_only).expect("write config");
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(
        run(
            dir,
            "git",
            &["commit", "-q", "--no-verify", "-m", "check only"],
            &[],
        ),
        "git commit",
    );
    let before = head();
    ok(
        run(dir, "git", &["rm", "-q", "apps/settings.yaml"], &[]),
        "git rm",
    );
    // a left-over rendered file must fail
    let deleted = fails(commit("drop the settings"));
    assert!(deleted.contains("rendered/settings.yaml"), "{deleted}");
    assert_eq!(head(), before);
    // The README's configuration: both hooks, one argument list, no `files`.
    let readme = format!(
        "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: kruise-inject-render\n    args: &kruise-inject [--out-dir, rendered, --prune, -q, apps, -s, platform]\n  - id: kruise-inject-check\n    args: *kruise-inject\n",
        hook_repo.display()
    );
    fs::write(dir.join(".pre-commit-config.yaml"), &readme).expect("write config");
    ok(
        run(dir, "git", &["add", ".pre-commit-config.yaml"], &[]),
        "git add",
    );
    // `pre-commit run --all-files`: render --prune deletes rendered/settings.yaml while pre-commit
    // runs; the check hook after it must not crash on that file (it did when a hook's `files`
    // matched it: pre-commit stats every matching file, `ValueError: ... does not exist`).
    // render changed files
    let all = fails(run(dir, "pre-commit", &["run", "--all-files"], env));
    assert!(!all.contains("ValueError"), "{all}");
    assert!(all.contains("removed rendered/settings.yaml"), "{all}");
    assert!(
        all.contains("kruise-inject check --out-dir....") && all.contains("Passed"),
        "{all}"
    );
    assert!(!dir.join("rendered/settings.yaml").exists());
    // Back to the committed output: the commit itself runs render --prune, which deletes the file
    // and fails, so that the deletion gets staged.
    ok(
        run(
            dir,
            "git",
            &["checkout", "--", "rendered/settings.yaml"],
            &[],
        ),
        "git checkout",
    );
    let pruned = fails(commit("drop the settings"));
    assert!(
        pruned.contains("removed rendered/settings.yaml"),
        "{pruned}"
    );
    assert!(!pruned.contains("ValueError"), "{pruned}");
    assert!(!dir.join("rendered/settings.yaml").exists());
    assert_eq!(head(), before);
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(commit("drop the settings"), "commit with the pruned output");
    let tree = ok(
        run(dir, "git", &["ls-tree", "-r", "--name-only", "HEAD"], &[]),
        "git ls-tree",
    );
    let tree = tree.stdout;
    assert!(!tree.contains("settings.yaml"), "{tree}");
    assert!(tree.contains("rendered/nginx.yaml"), "{tree}");

    // Drop the hook environments of earlier sources from the cache (this repository's config
    // keeps the current one).
    ok(run(dir, "pre-commit", &["gc"], env), "pre-commit gc");
}

/// One argument list serves both hooks: `check` accepts render's `--prune`.
#[test]
fn check_takes_the_arguments_of_render() {
    let t = crate::test::Test::new()
        .copy(
            "testdata/filebeat-sidecarset/nginx-deployment.yaml",
            "apps/nginx.yaml",
        )
        .copy(
            "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
            "platform/filebeat.yaml",
        )
        .file(
            "rendered/gone.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n",
        );
    let args = [
        "--out-dir",
        "rendered",
        "--prune",
        "-q",
        "apps",
        "-s",
        "platform",
    ];
    let with = |command: &str| t.with_args(&[command]).args(&args);
    with("check")
        .status(Status::Changes)
        .stdout_contains("extra: rendered/gone.yaml")
        .expect_file(
            "rendered/gone.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n",
        )
        .run();
    with("render")
        .status(Status::Changes)
        .stdout_contains("removed rendered/gone.yaml\n")
        .expect_no_file("rendered/gone.yaml")
        .run();
    with("check")
        .stdout("rendered: up to date (1 file)\n")
        .run();
}
