//! Safe to run on an untrusted pull request (issue 16): symlinks a pull request commits can make
//! kruise-inject neither read nor write outside the directories it was pointed at, nor delete
//! anything there. Each case asserts the exit code, the message (the link and its target), and
//! that nothing outside the roots was read (the secret never appears), written or deleted.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::test::{Output, Status, Test};

const SIDECARSET: &str = "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml";
const DEPLOYMENT: &str = "testdata/filebeat-sidecarset/nginx-deployment.yaml";

/// A kubeconfig: `apiVersion: v1, kind: Config`, which would pass through into the output.
const KUBECONFIG: &str = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: SECRET-TOKEN-0123456789\n";

/// A repository (the test directory) and, beside it, a directory standing for the rest of the
/// machine: `~/.kube/config` and a directory of files that must survive.
struct Machine {
    repo: Test,
    outside: tempfile::TempDir,
}

impl Machine {
    fn new() -> Self {
        let outside = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir_all(outside.path().join(".kube")).expect("mkdir");
        std::fs::write(outside.path().join(".kube/config"), KUBECONFIG).expect("write");
        std::fs::create_dir_all(outside.path().join("victim")).expect("mkdir");
        std::fs::write(outside.path().join("victim/keep.yaml"), "precious: true\n").expect("write");
        std::fs::write(
            outside.path().join("victim/nginx-deployment.yaml"),
            "precious: too\n",
        )
        .expect("write");
        let repo = Test::new()
            .copy(DEPLOYMENT, "apps/nginx-deployment.yaml")
            .copy(SIDECARSET, "platform/filebeat-sidecarset.yaml");
        Self { repo, outside }
    }

    fn kubeconfig(&self) -> PathBuf {
        self.outside.path().join(".kube/config")
    }

    fn victim(&self) -> PathBuf {
        self.outside.path().join("victim")
    }

    /// A symlink at `link` (below the repository) to `target`.
    fn link(self, target: &Path, link: &str) -> Self {
        let at = self.repo.path().join(link);
        std::fs::create_dir_all(at.parent().expect("parent")).expect("mkdir");
        symlink(target, at).expect("symlink");
        self
    }

    /// `args` run in the repository, with an empty stdin.
    fn run(&self, args: &[&str]) -> Test {
        self.repo.with_args(args).stdin("")
    }

    /// The files of the victim directory, with their texts: unchanged by every test.
    fn assert_victim_untouched(&self) {
        let mut names: Vec<String> = std::fs::read_dir(self.victim())
            .expect("victim")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["keep.yaml", "nginx-deployment.yaml"]);
        assert_eq!(
            std::fs::read_to_string(self.victim().join("nginx-deployment.yaml"))
                .ok()
                .as_deref(),
            Some("precious: too\n")
        );
    }
}

/// Runs `test`, refused: exit 2, nothing on stdout, every needle on stderr, the secret nowhere.
#[track_caller]
fn assert_refused(test: Test, needles: &[&str]) -> Output {
    let mut test = test.status(Status::Error).stderr_lacks("SECRET-TOKEN");
    for needle in needles {
        test = test.stderr_contains(needle);
    }
    test.run()
}

/// Every command that walks PATH, on `apps` (and `platform` as context).
const WALKING: &[&[&str]] = &[
    &["render", "apps", "-s", "platform"],
    &["render", "apps", "-s", "platform", "--out-dir", "rendered"],
    &["check", "apps", "-s", "platform", "--out-dir", "rendered"],
    &["diff", "apps", "-s", "platform"],
    &["validate", "apps", "-s", "platform"],
    &["uninject", "apps"],
    &["health", "apps"],
    &["rollout", "apps", "-s", "platform"],
];

#[test]
fn a_file_link_out_of_the_tree_is_refused_by_every_command() {
    let m = Machine::new();
    let target = m.kubeconfig();
    let m = m.link(&target, "apps/zz.yaml");
    let target = target.display().to_string();
    for args in WALKING {
        assert_refused(
            m.run(args),
            &[
                "apps/zz.yaml: a symlink to",
                &target,
                "outside",
                "--allow-outside-links",
            ],
        );
    }
    assert!(!m.repo.path().join("rendered").exists());
    // The opt-out reads it, as kustomize's LoadRestrictionsNone would.
    m.run(&["render", "apps", "-s", "platform", "--allow-outside-links"])
        .stdout_contains("SECRET-TOKEN")
        .stderr("apps/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    // --exclude takes the link out of the walk.
    m.run(&["render", "apps", "-s", "platform", "--exclude", "zz.yaml"])
        .stdout_lacks("SECRET-TOKEN")
        .stderr("apps/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
}

#[test]
fn a_directory_link_out_of_the_tree_is_refused() {
    let m = Machine::new();
    let target = m.outside.path().join(".kube");
    let m = m.link(&target, "apps/kube");
    for args in WALKING {
        assert_refused(m.run(args), &["apps/kube: a symlink to", "outside"]);
    }
}

#[test]
fn a_link_chain_is_judged_by_where_it_ends() {
    // apps/zz.yaml -> .hop.yaml (inside, hidden) -> ~/.kube/config (outside).
    let m = Machine::new();
    let target = m.kubeconfig();
    let m = m
        .link(&target, "apps/.hop.yaml")
        .link(Path::new(".hop.yaml"), "apps/zz.yaml");
    assert_refused(
        m.run(&["render", "apps", "-s", "platform"]),
        &[
            "apps/zz.yaml: a symlink to .hop.yaml, which resolves to",
            &target.display().to_string(),
        ],
    );
    // A chain that stays inside the tree is followed.
    let m = Machine::new().link(Path::new("nginx-deployment.yaml"), "apps/alias.yaml");
    m.run(&["render", "apps", "-s", "platform", "-q"])
        .stdout_contains("- name: filebeat")
        .run();
}

#[test]
fn a_link_in_a_context_directory_is_refused_but_a_context_path_named_explicitly_is_trusted() {
    let m = Machine::new();
    let target = m.kubeconfig();
    let m = m.link(&target, "platform/zz.yaml");
    assert_refused(
        m.run(&["render", "apps", "-s", "platform"]),
        &["platform/zz.yaml: a symlink to", "outside"],
    );
    assert_refused(
        m.run(&["diff", "apps", "--old-sidecarsets", "platform"]),
        &["platform/zz.yaml: a symlink to", "outside"],
    );
    // Named on the command line: the user chose it.
    let m = Machine::new();
    let target = m.repo.path().join("platform/filebeat-sidecarset.yaml");
    let elsewhere = m.outside.path().join("ss.yaml");
    std::fs::copy(&target, &elsewhere).expect("copy");
    let m = m.link(&elsewhere, "ss-link.yaml");
    m.run(&["render", "apps", "-s", "ss-link.yaml", "-q"])
        .stdout_contains("- name: filebeat")
        .run();
}

#[test]
fn a_dangling_link_is_named_with_its_target_and_nothing_is_read() {
    let m = Machine::new();
    let gone = m.outside.path().join("gone.yaml");
    let m = m.link(&gone, "apps/zz.yaml");
    let gone = gone.display().to_string();
    for args in WALKING {
        assert_refused(
            m.run(args),
            &["apps/zz.yaml: a symlink to", &gone, "does not exist"],
        );
    }
    // One that would not be read anyway is skipped and reported.
    let m = Machine::new().link(Path::new("/nonexistent/README"), "apps/README");
    m.run(&["render", "apps", "-s", "platform"])
        .stdout_any()
        .stderr_contains(
            "apps/README: skipped: a symlink to /nonexistent/README, which does not exist",
        )
        .run();
}

/// `render --out-dir --prune` with a link in the output tree: nothing is written or deleted, on
/// either side of the link; `check` does not read through it.
#[test]
fn a_link_in_the_output_tree_stops_everything() {
    for (link, target_is_dir) in [
        ("rendered/apps", true),
        ("rendered/nginx-deployment.yaml", false),
    ] {
        let m = Machine::new().file_in_repo("rendered/stale.yaml", "kind: Stale\n");
        let target = if target_is_dir {
            m.victim()
        } else {
            m.victim().join("nginx-deployment.yaml")
        };
        let m = m.link(&target, link);
        for args in [
            &[
                "render",
                "apps",
                "-s",
                "platform",
                "--out-dir",
                "rendered",
                "--prune",
            ][..],
            &["render", "apps", "-s", "platform", "--out-dir", "rendered"],
            &["check", "apps", "-s", "platform", "--out-dir", "rendered"],
        ] {
            assert_refused(
                m.run(args)
                    .stderr_lacks("precious")
                    .expect_file("rendered/stale.yaml", "kind: Stale\n")
                    .expect_no_file("rendered/filebeat-sidecarset.yaml"),
                &[
                    link,
                    "a symlink (to",
                    "in the output directory",
                    "nothing was written or deleted",
                ],
            );
            m.assert_victim_untouched();
        }
    }
    // The output directory itself a link, or a directory on the way to it.
    let m = Machine::new();
    let victim = m.victim();
    let m = m.link(&victim, "rendered").link(&victim, "build");
    for dir in ["rendered", "build/out"] {
        assert_refused(
            m.run(&[
                "render",
                "apps",
                "-s",
                "platform",
                "--out-dir",
                dir,
                "--prune",
            ]),
            &["a symlink (to", "in the output directory"],
        );
        m.assert_victim_untouched();
    }
}

impl Machine {
    fn file_in_repo(mut self, path: &str, text: &str) -> Self {
        self.repo = self.repo.file(path, text);
        self
    }
}

#[test]
fn function_config_paths_stay_inside_the_package() {
    let item = std::fs::read_to_string(crate::test::repo(DEPLOYMENT)).expect("fixture");
    let indented: String = item.lines().map(|l| format!("  {l}\n")).collect();
    let list = |sidecarsets: &str| {
        format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {}functionConfig:\n  apiVersion: kruise-inject.dev/v1alpha1\n  kind: KruiseInject\n  metadata: {{name: inject}}\n  spec:\n    sidecarsets: [{sidecarsets}]\n",
            indented.trim_start()
        )
    };
    let m = Machine::new();
    let kube = m.outside.path().join(".kube").display().to_string();
    let m = m.link(Path::new(&kube), "platform/kube");
    let run = |m: &Machine, sidecarsets: &str, extra: &[&str]| {
        m.repo
            .with_args(&["krm"])
            .args(extra)
            .stdin(&list(sidecarsets))
    };
    // An absolute path, a path up and out, a link in a directory it names.
    for (sidecarsets, needle) in [
        (kube.as_str(), "outside the package root"),
        ("../../../../../../../..", "outside the package root"),
        ("platform", "platform/kube: a symlink to"),
    ] {
        run(&m, sidecarsets, &[])
            .status(Status::Error)
            .stdout_contains("severity: error")
            .stdout_lacks("SECRET-TOKEN")
            .stderr_contains(needle)
            .stderr_lacks("SECRET-TOKEN")
            .run();
    }
    // Inside the package, without the link: injected.
    std::fs::remove_file(m.repo.path().join("platform/kube")).expect("rm");
    run(&m, "platform", &[])
        .stdout_contains("- name: filebeat")
        .run();
    // The opt-out.
    let ss = m.outside.path().join("ss");
    std::fs::create_dir_all(&ss).expect("mkdir");
    std::fs::copy(crate::test::repo(SIDECARSET), ss.join("ss.yaml")).expect("copy");
    run(&m, &ss.display().to_string(), &["--allow-outside-links"])
        .stdout_contains("- name: filebeat")
        .run();
}
