//! `kruise-inject render --out-dir` and `kruise-inject check` end to end.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::test::{Status, Test};

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
    // Each file is what `render` writes for that input alone.
    let single = repo()
        .args(&["render", "apps/web/frontend.yaml", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    let test = repo().args(RENDER);
    // writing must fail the hook
    let first = test
        .clone()
        .status(Status::Changes)
        .stdout_any()
        .expect_file("rendered/web/frontend.yaml", &single.stdout)
        .run();
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

    // Fresh files are not rewritten: their modification time stays.
    let old = SystemTime::now() - Duration::from_secs(3600);
    let nginx = rendered.join("web/nginx.yaml");
    fs::File::options()
        .write(true)
        .open(&nginx)
        .and_then(|f| f.set_modified(old))
        .expect("set mtime");
    test.clone()
        .stdout("rendered: up to date (5 files)\n")
        .run();
    assert_eq!(
        fs::metadata(&nginx).and_then(|m| m.modified()).ok(),
        Some(old)
    );

    test.with_args(CHECK)
        .stdout("rendered: up to date (5 files)\n")
        .run();
}

#[test]
fn check_lists_stale_missing_and_extra_files_with_short_diffs() {
    let test = repo().args(RENDER);
    test.clone().status(Status::Changes).stdout_any().run();
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

    let check = test
        .with_args(&[CHECK, &["--output", "github"]].concat())
        .status(Status::Changes)
        .stdout_any()
        .run();
    insta::assert_snapshot!(check.transcript());

    // render without --prune fixes stale and missing files and reports the extra one.
    test.clone()
        .status(Status::Changes)
        .stdout(
            "updated rendered/batch/cleanup.yaml\n\
         created rendered/cache/redis.yaml\n\
         updated rendered/web/frontend.yaml\n\
         updated rendered/web/nginx.yaml\n\
         extra rendered/web/old.yaml: no input renders to it; delete it, or pass --prune\n\
         rendered: 4 written, 0 removed (of 5 files): review and commit the changes\n",
        )
        .run();
    test.with_args(CHECK)
        .status(Status::Changes)
        .stdout_regex(r"extra: rendered/web/old\.yaml \(no input renders to it\)\n(?s:.*)")
        .run();

    test.with_args(&[RENDER, &["--prune"]].concat())
        .status(Status::Changes)
        .stdout("removed rendered/web/old.yaml\nrendered: 0 written, 1 removed (of 5 files): review and commit the changes\n")
        .expect_no_file("rendered/web/old.yaml")
        .run();
    test.with_args(CHECK)
        .stdout("rendered: up to date (5 files)\n")
        .run();
    test.with_args(RENDER)
        .stdout("rendered: up to date (5 files)\n")
        .run();
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
    test.clone().status(Status::Changes).stdout_any().run();
    test.clone()
        .stdout("rendered: up to date (9 files)\n")
        .run();
    assert!(
        test.path()
            .join("rendered/platform/sidecarsets/envoy.yaml")
            .exists()
    );
    test.with_args(&["check", ".", "--out-dir", "rendered"])
        .stdout("rendered: up to date (9 files)\n")
        .run();
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
    test.clone()
        .status(Status::Changes)
        .stdout("created out/nginx-deployment.yaml\nout: 1 written, 0 removed (of 1 file): review and commit the changes\n")
        .stderr_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    let text = fs::read_to_string(test.path().join("out/nginx-deployment.yaml")).expect("read");
    assert!(text.contains("- name: filebeat"), "{text}");
    test.with_args(&[
        "check",
        "app/nginx-deployment.yaml",
        "-s",
        "platform",
        "--out-dir",
        "out",
    ])
    .stdout("out: up to date (1 file)\n")
    .run();
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
        repo()
            .args(args)
            .status(Status::Error)
            .stderr_contains(message)
            .run();
    }
    // Two inputs with one relative path.
    repo()
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
        .status(Status::Error)
        .stderr_contains(
            "apps/web/nginx.yaml and apps/cache/nginx.yaml would both be written to out/nginx.yaml",
        )
        .expect_no_file("out")
        .run();
    // The same file reached twice is written once.
    repo()
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
        .status(Status::Changes)
        .stdout_regex(r"(?s:.*)\(of 3 files\): review and commit the changes\n")
        .run();
    // A failing render writes nothing.
    let test = repo()
        .file("apps/broken.yaml", "apiVersion: v1\nmetadata: {}\n")
        .args(RENDER)
        .status(Status::Error)
        .stderr_contains("apps/broken.yaml")
        .expect_no_file("rendered");
    test.run();
}
