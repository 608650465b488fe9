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
use std::process::{Command, Output};

use crate::test::{Status, repo};

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

/// Runs a command; returns its output.
fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    // Variables cargo sets for the test must not steer the cargo that pre-commit runs.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if (key.starts_with("CARGO_") && key != "CARGO_HOME")
            || key.starts_with("GIT_")
            || key == "PRE_COMMIT_HOME"
            || key == "SOURCE_DATE_EPOCH"
        {
            command.env_remove(key);
        }
    }
    command
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
        command.env(key, value);
    }
    let output = command.output();
    assert!(output.is_ok(), "cannot run {program}: {output:?}");
    output.expect("checked above")
}

fn text(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: Output, what: &str) -> Output {
    assert!(output.status.success(), "{what} failed:\n{}", text(&output));
    output
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
    String::from_utf8_lossy(&head.stdout).trim().to_owned()
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
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
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
    let fresh = commit("scale nginx");
    assert!(
        fresh.status.success(),
        "fresh output must pass:\n{}",
        text(&fresh)
    );

    // Stale output fails: a SidecarSet image bump without re-rendering.
    let before = head();
    bump("filebeat:7.16.2", "filebeat:8.6.2");
    let stale = commit("bump filebeat");
    assert!(
        !stale.status.success(),
        "stale output must fail:\n{}",
        text(&stale)
    );
    let out = text(&stale);
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
    let rewritten = commit("bump filebeat");
    assert!(
        !rewritten.status.success(),
        "writing output must fail:\n{}",
        text(&rewritten)
    );
    assert!(
        text(&rewritten).contains("updated rendered/nginx.yaml"),
        "{}",
        text(&rewritten)
    );
    assert_eq!(head(), before);
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    let fixed = commit("bump filebeat");
    assert!(
        fixed.status.success(),
        "fresh output must pass:\n{}",
        text(&fixed)
    );
    let committed = ok(
        run(dir, "git", &["show", "HEAD:rendered/nginx.yaml"], &[]),
        "git show",
    );
    assert!(
        String::from_utf8_lossy(&committed.stdout)
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
    let deleted = commit("drop the settings");
    assert!(
        !deleted.status.success(),
        "a left-over rendered file must fail:\n{}",
        text(&deleted)
    );
    assert!(
        text(&deleted).contains("rendered/settings.yaml"),
        "{}",
        text(&deleted)
    );
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
    let all = run(dir, "pre-commit", &["run", "--all-files"], env);
    assert!(
        !all.status.success(),
        "render changed files:\n{}",
        text(&all)
    );
    assert!(!text(&all).contains("ValueError"), "{}", text(&all));
    assert!(
        text(&all).contains("removed rendered/settings.yaml"),
        "{}",
        text(&all)
    );
    assert!(
        text(&all).contains("kruise-inject check --out-dir....") && text(&all).contains("Passed"),
        "{}",
        text(&all)
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
    let pruned = commit("drop the settings");
    assert!(!pruned.status.success(), "{}", text(&pruned));
    assert!(
        text(&pruned).contains("removed rendered/settings.yaml"),
        "{}",
        text(&pruned)
    );
    assert!(!text(&pruned).contains("ValueError"), "{}", text(&pruned));
    assert!(!dir.join("rendered/settings.yaml").exists());
    assert_eq!(head(), before);
    ok(run(dir, "git", &["add", "-A"], &[]), "git add");
    ok(commit("drop the settings"), "commit with the pruned output");
    let tree = ok(
        run(dir, "git", &["ls-tree", "-r", "--name-only", "HEAD"], &[]),
        "git ls-tree",
    );
    let tree = String::from_utf8_lossy(&tree.stdout);
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
