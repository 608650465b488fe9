//! The `controllerRevision` Kruise writes after ControllerRevision name collisions: a SidecarSet
//! exported from a cluster carries `status.collisionCount` and `status.latestRevision`.
//! Names computed independently by `testdata/oracle/filebeat_hash.py`.

use crate::test::Test;

const FILEBEAT: &str = "testdata/filebeat-sidecarset";

fn with_status(status: &str) -> Test {
    let sidecarset = std::fs::read_to_string(crate::test::repo(&format!(
        "{FILEBEAT}/filebeat-sidecarset.yaml"
    )))
    .expect("fixture");
    Test::new()
        .copy(
            &format!("{FILEBEAT}/nginx-deployment.yaml"),
            "app/nginx-deployment.yaml",
        )
        .file(
            "platform/filebeat-sidecarset.yaml",
            &format!("{sidecarset}{status}"),
        )
}

fn injected_revision(test: Test) -> String {
    let out = test
        .args(&[
            "render",
            "app/nginx-deployment.yaml",
            "-s",
            "platform",
            "-q",
        ])
        .stdout_any()
        .run();
    let key = r#""controllerRevision":""#;
    let start = out
        .stdout
        .find(key)
        .unwrap_or_else(|| panic!("no controllerRevision in:\n{}", out.stdout))
        + key.len();
    let len = out.stdout[start..].find('"').expect("closing quote");
    out.stdout[start..start + len].to_owned()
}

#[test]
fn without_status_the_revision_is_the_one_for_collision_count_zero() {
    assert_eq!(
        injected_revision(with_status("")),
        "filebeat-sidecarset-6cff4bfb5"
    );
}

#[test]
fn a_collision_count_in_the_status_names_the_revision_kruise_creates() {
    assert_eq!(
        injected_revision(with_status(
            "status:\n  collisionCount: 2\n  matchedPods: 4\n"
        )),
        "filebeat-sidecarset-6cff4bfb7"
    );
}

#[test]
fn the_status_latest_revision_of_this_spec_is_kept() {
    // The revision of this spec was created at collision count 1; a later collision raised the
    // count to 2, but the controller finds the existing revision with equal data and keeps it.
    assert_eq!(
        injected_revision(with_status(
            "status:\n  collisionCount: 2\n  latestRevision: filebeat-sidecarset-6cff4bfb4\n"
        )),
        "filebeat-sidecarset-6cff4bfb4"
    );
}

#[test]
fn a_stale_status_latest_revision_is_replaced() {
    // The spec was edited since the export: the name in the status belongs to the old spec.
    assert_eq!(
        injected_revision(with_status(
            "status:\n  collisionCount: 1\n  latestRevision: filebeat-sidecarset-7c8d9f44\n"
        )),
        "filebeat-sidecarset-6cff4bfb4"
    );
}
