//! The machine-readable contracts byte for byte: `diff -o json` (`DiffJson`), `check -o json`
//! (`CheckJson`) and `rollout -o json` (`RolloutJson`): field order, `null` where a value is
//! absent, integers as integers. A change to one of these snapshots is a change of the contract:
//! the README's JSON sections and the types' doc comments change with it.

use crate::test::{Output, Test, repo, run_in};

/// `kruise-inject ARGS` run in the repository directory `dir`.
fn run(dir: &str, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    run_in(&repo(dir), &args, None, &[])
}

/// The arguments that compare `testdata/diff/repo` with the SidecarSets of `new` (relative to
/// `testdata/diff/<case>`) as the new ones.
const OLD_SIDECARSETS: [&str; 11] = [
    "diff",
    "../repo/apps",
    "-s",
    "../repo/platform/namespaces.yaml",
    "-s",
    "../repo/platform/filebeat-configmap.yaml",
    "-s",
    "new",
    "--old-sidecarsets",
    "../repo/platform/sidecarsets",
    "-q",
];

#[test]
fn diff_json_against_the_input() {
    let out = run(
        "testdata/diff/repo-diff",
        &[
            "diff",
            "../repo/apps",
            "-s",
            "../repo/platform",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn diff_json_with_old_sidecarsets() {
    let mut args = OLD_SIDECARSETS.to_vec();
    args.extend(["-o", "json"]);
    let out = run("testdata/diff/image-bump", &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn diff_json_with_no_change() {
    let out = run(
        "testdata/diff/no-change",
        &[
            "diff",
            "rendered.yaml",
            "-s",
            "../repo/platform",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn diff_json_lists_what_kruise_rejects() {
    let out = run(
        "testdata/update-rules",
        &[
            "diff",
            "nginx-deployment.yaml",
            "-s",
            "filebeat-configmap.yaml",
            "-s",
            "hot-upgrade",
            "--old-sidecarsets",
            "old",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

/// `kruise-inject ARGS` run in `test`'s directory.
fn run_test(test: &Test, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    run_in(test.path(), &args, None, &[])
}

#[test]
fn check_json_lists_stale_missing_and_extra_files() {
    let mut test = Test::new();
    for file in [
        "apps/web/nginx.yaml",
        "apps/cache/redis.yaml",
        "platform/namespaces.yaml",
        "platform/filebeat-configmap.yaml",
        "platform/sidecarsets/filebeat.yaml",
        "platform/sidecarsets/envoy.yaml",
    ] {
        test = test.copy(&format!("testdata/diff/repo/{file}"), file);
    }
    for dir in ["rendered", "fresh"] {
        let render = run_test(
            &test,
            &["render", "apps", "-s", "platform", "--out-dir", dir, "-q"],
        );
        assert_eq!(render.code, 1, "{}", render.transcript());
    }
    let rendered = test.path().join("rendered");
    let nginx = rendered.join("web/nginx.yaml");
    let text = std::fs::read_to_string(&nginx).expect("read");
    std::fs::write(&nginx, text.replacen("replicas: 1", "replicas: 2", 1)).expect("write");
    std::fs::remove_file(rendered.join("cache/redis.yaml")).expect("remove");
    std::fs::write(
        rendered.join("old.yaml"),
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .expect("write");
    let check = |dir| {
        let args = [
            "check",
            "apps",
            "-s",
            "platform",
            "--out-dir",
            dir,
            "-o",
            "json",
        ];
        run_test(&test, &args)
    };
    let out = check("rendered");
    assert_eq!(out.code, 1, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
    let out = check("fresh");
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}

#[test]
fn rollout_json_of_a_pod_dump() {
    let out = run(
        "testdata/rollout/pod-dump",
        &["rollout", "pods.yaml", "-s", "new", "-o", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.transcript());
}
