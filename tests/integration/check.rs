//! `kruise-inject render --out-dir` and `kruise-inject check` end to end.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::test::Test;

const REPO: &str = "testdata/diff/repo";

/// The test repository of `testdata/diff/repo` (several workloads, namespaces and SidecarSets).
fn repo() -> Test {
    let mut test = Test::new();
    for file in [
        "apps/web/nginx.yaml",
        "apps/web/frontend.yaml",
        "apps/web/settings.yaml",
        "apps/cache/redis.yaml",
        "apps/batch/cleanup.yaml",
        "platform/namespaces.yaml",
        "platform/filebeat-configmap.yaml",
        "platform/sidecarsets/filebeat.yaml",
        "platform/sidecarsets/envoy.yaml",
    ] {
        test = test.copy(&format!("{REPO}/{file}"), file);
    }
    test
}

const RENDER: &[&str] = &[
    "render",
    "apps",
    "-s",
    "platform",
    "--out-dir",
    "rendered",
    "-q",
];
const CHECK: &[&str] = &["check", "apps", "-s", "platform", "--out-dir", "rendered"];

fn files_below(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("list directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("below")
                    .to_string_lossy()
                    .into_owned();
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn render_out_dir_writes_one_file_per_input_then_is_fresh() {
    let test = repo().args(RENDER);
    let first = test.run();
    assert_eq!(
        first.code,
        1,
        "writing must fail the hook: {}",
        first.transcript()
    );
    insta::assert_snapshot!(first.transcript());
    let rendered = test.path().join("rendered");
    assert_eq!(
        files_below(&rendered),
        [
            "batch/cleanup.yaml",
            "cache/redis.yaml",
            "web/frontend.yaml",
            "web/nginx.yaml",
            "web/settings.yaml"
        ]
    );
    // Each file is what `render` writes for that input alone.
    let single = repo()
        .args(&["render", "apps/web/frontend.yaml", "-s", "platform", "-q"])
        .run();
    assert_eq!(
        fs::read_to_string(rendered.join("web/frontend.yaml")).expect("read"),
        single.stdout
    );

    // Fresh files are not rewritten: their modification time stays.
    let old = SystemTime::now() - Duration::from_secs(3600);
    let nginx = rendered.join("web/nginx.yaml");
    fs::File::options()
        .write(true)
        .open(&nginx)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
    let second = test.run();
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert_eq!(second.stdout, "rendered: up to date (5 files)\n");
    assert_eq!(
        fs::metadata(&nginx).and_then(|m| m.modified()).ok(),
        Some(old)
    );

    let check = repo_run(&test, CHECK);
    assert_eq!(check.code, 0, "{}", check.transcript());
    assert_eq!(check.stdout, "rendered: up to date (5 files)\n");
}

fn repo_run(test: &Test, args: &[&str]) -> crate::test::Output {
    crate::test::run_in(
        test.path(),
        &args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
        None,
        &[],
    )
}

#[test]
fn check_lists_stale_missing_and_extra_files_with_short_diffs() {
    let test = repo().args(RENDER);
    assert_eq!(test.run().code, 1);
    let root = test.path();
    // A SidecarSet image bump makes three files stale; one file is missing, one is extra.
    let envoy = root.join("platform/sidecarsets/filebeat.yaml");
    let text = fs::read_to_string(&envoy).expect("read");
    fs::write(&envoy, text.replace("filebeat:7.16.2", "filebeat:8.6.2")).expect("write");
    fs::remove_file(root.join("rendered/cache/redis.yaml")).expect("remove");
    fs::write(
        root.join("rendered/web/old.yaml"),
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .expect("write");
    fs::write(root.join("rendered/README.md"), "not YAML: ignored\n").expect("write");

    let check = repo_run(&test, &[CHECK, &["--output", "github"]].concat());
    assert_eq!(check.code, 1, "{}", check.transcript());
    insta::assert_snapshot!(check.transcript());

    // render without --prune fixes stale and missing files and reports the extra one.
    let render = test.run();
    assert_eq!(render.code, 1, "{}", render.transcript());
    assert_eq!(
        render.stdout,
        "updated rendered/batch/cleanup.yaml\n\
         created rendered/cache/redis.yaml\n\
         updated rendered/web/frontend.yaml\n\
         updated rendered/web/nginx.yaml\n\
         extra rendered/web/old.yaml: no input renders to it; delete it, or pass --prune\n\
         rendered: 4 written, 0 removed (of 5 files): review and commit the changes\n"
    );
    let check = repo_run(&test, CHECK);
    assert_eq!(check.code, 1, "{}", check.transcript());
    assert!(
        check
            .stdout
            .starts_with("extra: rendered/web/old.yaml (no input renders to it)\n"),
        "{}",
        check.stdout
    );

    let prune = repo_run(&test, &[RENDER, &["--prune"]].concat());
    assert_eq!(prune.code, 1, "{}", prune.transcript());
    assert_eq!(
        prune.stdout,
        "removed rendered/web/old.yaml\nrendered: 0 written, 1 removed (of 5 files): review and commit the changes\n"
    );
    assert_eq!(repo_run(&test, CHECK).code, 0);
    assert_eq!(repo_run(&test, RENDER).code, 0);
    assert!(
        root.join("rendered/README.md").exists(),
        "files that are not YAML or JSON are left alone"
    );
    assert!(
        !files_below(root)
            .iter()
            .any(|f| f.contains(".kruise-inject-")),
        "no temporary file is left: {:?}",
        files_below(root)
    );
}

#[test]
fn the_output_directory_may_lie_inside_the_inputs() {
    // `render . --out-dir rendered`: files below rendered/ are never inputs.
    let test = repo().args(&["render", ".", "--out-dir", "rendered", "-q"]);
    assert_eq!(test.run().code, 1);
    let second = test.run();
    assert_eq!(second.code, 0, "{}", second.transcript());
    assert_eq!(second.stdout, "rendered: up to date (9 files)\n");
    assert!(
        test.path()
            .join("rendered/platform/sidecarsets/envoy.yaml")
            .exists()
    );
    let check = repo_run(&test, &["check", ".", "--out-dir", "rendered"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
}

#[test]
fn filebeat_example_renders_to_a_directory() {
    let test = Test::new()
        .copy(
            "testdata/filebeat-sidecarset/nginx-deployment.yaml",
            "app/nginx-deployment.yaml",
        )
        .copy(
            "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
            "platform/filebeat-sidecarset.yaml",
        )
        .args(&[
            "render",
            "app/nginx-deployment.yaml",
            "-s",
            "platform",
            "--out-dir",
            "out",
        ]);
    let out = test.run();
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert_eq!(
        out.stdout,
        "created out/nginx-deployment.yaml\nout: 1 written, 0 removed (of 1 file): review and commit the changes\n"
    );
    assert!(
        out.stderr
            .contains("injected filebeat-sidecarset (filebeat)"),
        "{}",
        out.stderr
    );
    let text = fs::read_to_string(test.path().join("out/nginx-deployment.yaml")).expect("read");
    assert!(text.contains("- name: filebeat"), "{text}");
    let check = repo_run(
        &test,
        &[
            "check",
            "app/nginx-deployment.yaml",
            "-s",
            "platform",
            "--out-dir",
            "out",
        ],
    );
    assert_eq!(check.code, 0, "{}", check.transcript());
}

#[test]
fn bad_layouts_are_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["render", "--out-dir", "out", "-s", "platform"],
            "standard input cannot be rendered with --out-dir",
        ),
        (
            &["render", "-", "--out-dir", "out"],
            "standard input cannot be rendered with --out-dir",
        ),
        (
            &["check", "--out-dir", "out"],
            "standard input cannot be rendered with --out-dir",
        ),
        (
            &["render", "apps/web", "--out-dir", "apps"],
            "--out-dir apps contains the input apps/web",
        ),
        (
            &["render", "apps", "--out-dir", "platform/namespaces.yaml"],
            "is not a directory",
        ),
        (&["check", "apps", "-s", "platform"], "--out-dir"),
        (&["render", "apps", "--prune"], "--out-dir"),
    ];
    for (args, message) in cases {
        let out = repo().args(args).run();
        assert_eq!(out.code, 2, "{args:?}: {}", out.transcript());
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains(message),
            "{args:?}: {message:?} not in {}",
            out.stderr
        );
    }
    // Two inputs with one relative path.
    let out = repo()
        .copy(
            &format!("{REPO}/apps/web/nginx.yaml"),
            "apps/cache/nginx.yaml",
        )
        .args(&[
            "render",
            "apps/web",
            "apps/cache",
            "--out-dir",
            "out",
            "-s",
            "platform",
        ])
        .run();
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(
        out.stderr.contains(
            "apps/web/nginx.yaml and apps/cache/nginx.yaml would both be written to out/nginx.yaml"
        ),
        "{}",
        out.stderr
    );
    // The same file reached twice is written once.
    let out = repo()
        .args(&[
            "render",
            "apps/web/nginx.yaml",
            "apps/web",
            "--out-dir",
            "out",
            "-s",
            "platform",
            "-q",
        ])
        .run();
    assert_eq!(out.code, 1, "{}", out.transcript());
    assert!(
        out.stdout
            .ends_with("(of 3 files): review and commit the changes\n"),
        "{}",
        out.stdout
    );
    // A failing render writes nothing.
    let test = repo()
        .file("apps/broken.yaml", "apiVersion: v1\nmetadata: {}\n")
        .args(RENDER);
    let out = test.run();
    assert_eq!(out.code, 2, "{}", out.transcript());
    assert!(!test.path().join("rendered").exists());
}
