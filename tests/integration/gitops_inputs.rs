//! Issue 11, point 5: never silently wrong on a real GitOps repository. Each test feeds what a
//! repository or `kubectl get -o yaml` really holds.

use crate::test::Test;

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
        let out = crate::test::run_in(
            test.path(),
            &args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
            None,
            &[],
        );
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr
                .starts_with("error: no SidecarSet (apps.kruise.io) in the inputs: give the SidecarSets to roll out with -s"),
            "{args:?}: {}",
            out.stderr
        );
    }
    // the same pods with their SidecarSets plan as before
    let test = test.copy(&format!("{DUMP}/new/sidecarsets.yaml"), "ss.yaml");
    let out = crate::test::run_in(
        test.path(),
        &[
            "rollout".into(),
            "pods.yaml".into(),
            "-s".into(),
            "ss.yaml".into(),
        ],
        None,
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}
