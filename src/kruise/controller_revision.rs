//! ControllerRevisions of SidecarSets (`history_control.go`): their data, their names, and reading
//! them from `apps/v1 ControllerRevision` documents.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::Value;

use kruise_inject_kube::{gojson, hashing};

use crate::kruise::decode;

/// ControllerRevision label naming the SidecarSet it belongs to (`util.go: SidecarSetKindName`).
pub const SIDECARSET_NAME_LABEL: &str = "kruise.io/sidecarset-name";

/// An `apps/v1 ControllerRevision` as read from an input document.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerRevision {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (the Kruise namespace for SidecarSet revisions).
    pub namespace: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.creationTimestamp`, as written (RFC 3339), if any.
    pub creation_timestamp: Option<String>,
    /// `.revision`.
    pub revision: i64,
    /// `.data`.
    pub data: Value,
}

/// A ControllerRevision document that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ControllerRevision{}: {path}: {message}", .name.as_ref().map(|n| format!(" {n}")).unwrap_or_default())]
pub struct ControllerRevisionError {
    /// `metadata.name`, when known.
    pub name: Option<String>,
    /// Field path.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl ControllerRevision {
    /// Reads an `apps/v1` `ControllerRevision` document (e.g. an item of
    /// `kubectl get controllerrevisions -n kruise-system -o yaml`). A missing `metadata.namespace`
    /// stays empty ([`crate::kruise::cluster::Cluster::add_controller_revision`] puts it in the Kruise
    /// namespace).
    pub fn from_value(doc: &Value) -> Result<ControllerRevision, ControllerRevisionError> {
        let err = |name: Option<&str>, e: decode::FieldError| ControllerRevisionError {
            name: name.map(str::to_owned),
            path: e.path,
            message: e.message,
        };
        let root = decode::object(doc, "")
            .map_err(|e| err(None, e))?
            .ok_or_else(|| {
                err(
                    None,
                    decode::FieldError::new(
                        "",
                        "the document is empty: expected a ControllerRevision",
                    ),
                )
            })?;
        let kind = decode::string(root, "kind", "").map_err(|e| err(None, e))?;
        if kind.as_deref().is_some_and(|k| k != "ControllerRevision") {
            return Err(err(
                None,
                decode::FieldError::new(
                    "kind",
                    format!(
                        "expected a ControllerRevision, found kind {:?}",
                        kind.unwrap_or_default()
                    ),
                ),
            ));
        }
        let api = decode::string(root, "apiVersion", "")
            .map_err(|e| err(None, e))?
            .unwrap_or_default();
        if api != "apps/v1" {
            return Err(err(
                None,
                decode::FieldError::new(
                    "apiVersion",
                    format!("{api:?} is not the ControllerRevision API version: use apps/v1"),
                ),
            ));
        }
        let metadata = decode::member_object(root, "metadata", "")
            .map_err(|e| err(None, e))?
            .cloned()
            .unwrap_or_default();
        let name = decode::string(&metadata, "name", "metadata")
            .map_err(|e| err(None, e))?
            .unwrap_or_default();
        if name.is_empty() {
            return Err(err(
                None,
                decode::FieldError::new(
                    "metadata.name",
                    "a ControllerRevision needs a name: set metadata.name",
                ),
            ));
        }
        let named = |e: decode::FieldError| err(Some(&name), e);
        let creation_timestamp =
            decode::string(&metadata, "creationTimestamp", "metadata").map_err(named)?;
        if let Some(ts) = &creation_timestamp
            && parse_rfc3339(ts).is_none()
        {
            return Err(named(decode::FieldError::new(
                "metadata.creationTimestamp",
                format!("{ts:?} is not an RFC 3339 time: write it like 2024-01-01T00:00:00Z"),
            )));
        }
        let revision = match root.get("revision") {
            None | Some(Value::Null) => 0,
            Some(v) => match v.as_i64() {
                Some(r) => r,
                None => {
                    return Err(named(decode::FieldError::new(
                        "revision",
                        "expected an integer revision number",
                    )));
                }
            },
        };
        Ok(ControllerRevision {
            namespace: decode::string(&metadata, "namespace", "metadata")
                .map_err(named)?
                .unwrap_or_default(),
            labels: decode::string_map(&metadata, "labels", "metadata").map_err(named)?,
            annotations: decode::string_map(&metadata, "annotations", "metadata").map_err(named)?,
            creation_timestamp,
            revision,
            data: root.get("data").cloned().unwrap_or(Value::Null),
            name,
        })
    }

    /// The order of `history.SortControllerRevisions` (ascending): `.revision`, then
    /// `creationTimestamp` (absent = earliest), then name.
    pub fn history_order(&self, other: &ControllerRevision) -> Ordering {
        let ts = |r: &ControllerRevision| {
            r.creation_timestamp
                .as_deref()
                .and_then(parse_rfc3339)
                .unwrap_or((i64::MIN, 0))
        };
        self.revision
            .cmp(&other.revision)
            .then_with(|| ts(self).cmp(&ts(other)))
            .then_with(|| self.name.cmp(&other.name))
    }
}

/// The ControllerRevision name Kruise gives `data` (k8s `history.HashControllerRevision` +
/// `ControllerRevisionName`): `<sidecarset name, at most 223 bytes>-<safe-encoded decimal FNV-1 32
/// of data followed by the decimal collision count>`.
pub fn revision_name(sidecarset_name: &str, data: &str, collision_count: u32) -> String {
    let mut bytes = data.as_bytes().to_vec();
    bytes.extend_from_slice(collision_count.to_string().as_bytes());
    let hash = hashing::safe_encode(&hashing::fnv1_32(&bytes).to_string());
    let mut end = sidecarset_name.len().min(223);
    while !sidecarset_name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-{hash}", &sidecarset_name[..end])
}

/// What a SidecarSet's `status` says about its ControllerRevisions, as `kubectl get sidecarset -o yaml`
/// exports it: `status.latestRevision` and `status.collisionCount`. Both are absent in a repository
/// that holds only the SidecarSet's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionStatus {
    /// `status.latestRevision`.
    pub latest_revision: Option<String>,
    /// `status.collisionCount` (Kruise starts from 0).
    pub collision_count: u32,
}

/// The name of the ControllerRevision the SidecarSet controller registers for revision data `data`
/// (kruise v1.9 `pkg/controller/sidecarset/sidecarset_processor.go: registerLatestRevision`, then
/// `history_control.go: CreateControllerRevision`); the pod webhook writes that name, read from
/// `status.latestRevision`, into the hash annotation (`sidecarset.go: buildSidecars`).
///
/// - A known revision of this SidecarSet (`revisions`: those labelled with its name in the Kruise
///   namespace) whose data equals `data` is reused, the last in history order (no change, or a
///   rollback that only bumps `.revision`).
/// - `status.latestRevision` naming this data at a collision count up to `status.collisionCount` is
///   such a revision too: the cluster holds it even when it is not among the inputs.
/// - Otherwise a new revision is created at `status.collisionCount`; while a known revision already
///   has that name with other data, the count goes up by one (the create loop).
pub fn register_latest_revision<'r>(
    sidecarset_name: &str,
    data: &str,
    status: &RevisionStatus,
    revisions: impl IntoIterator<Item = &'r ControllerRevision>,
) -> String {
    let mut revisions: Vec<&ControllerRevision> = revisions.into_iter().collect();
    revisions.sort_by(|a, b| a.history_order(b));
    if let Some(equal) = revisions
        .iter()
        .rev()
        .find(|r| gojson::to_string_sorted(&r.data) == data)
    {
        return equal.name.clone();
    }
    if let Some(latest) = &status.latest_revision
        && (0..=status.collision_count)
            .any(|count| revision_name(sidecarset_name, data, count) == *latest)
    {
        return latest.clone();
    }
    let mut count = status.collision_count;
    loop {
        let name = revision_name(sidecarset_name, data, count);
        if count == u32::MAX || !revisions.iter().any(|r| r.name == name) {
            return name;
        }
        count += 1;
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` as (Unix seconds, nanoseconds), as Go's
/// `time.Parse(time.RFC3339, …)` reads `metav1.Time`.
fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let digits = &s[start..end.min(start + 9)];
        nanos = format!("{digits:0<9}").parse().ok()?;
        i = end;
    }
    let offset = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let secs = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kruise::sidecarset::{SidecarSet, revision_data};
    use serde_json::json;

    fn example_a() -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset"},
            "spec": {
                "selector": {"matchLabels": {"app": "nginx"}},
                "containers": [{
                    "name": "sidecar1",
                    "image": "centos:6.7",
                    "command": ["sleep", "999d"],
                    "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}]
                }],
                "volumes": [{"name": "log-volume", "emptyDir": {}}]
            }
        }))
        .expect("example A is a valid SidecarSet")
    }

    fn revision(name: &str, data: &str, revision: i64) -> ControllerRevision {
        ControllerRevision {
            name: name.into(),
            namespace: "kruise-system".into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            creation_timestamp: None,
            revision,
            data: serde_json::from_str(data).expect("JSON"),
        }
    }

    fn status(latest: Option<&str>, collision_count: u32) -> RevisionStatus {
        RevisionStatus {
            latest_revision: latest.map(str::to_owned),
            collision_count,
        }
    }

    #[test]
    fn latest_revision_without_status_or_revisions_is_collision_count_zero() {
        let data = revision_data(&example_a().spec);
        let none: [&ControllerRevision; 0] = [];
        assert_eq!(
            register_latest_revision("test-sidecarset", &data, &RevisionStatus::default(), none),
            "test-sidecarset-cf4bf7796"
        );
    }

    #[test]
    fn latest_revision_is_created_at_the_status_collision_count() {
        let data = revision_data(&example_a().spec);
        let none: [&ControllerRevision; 0] = [];
        assert_eq!(
            register_latest_revision("test-sidecarset", &data, &status(None, 2), none),
            revision_name("test-sidecarset", &data, 2)
        );
        // A stale status.latestRevision (another spec) does not name this data: a new revision.
        assert_eq!(
            register_latest_revision(
                "test-sidecarset",
                &data,
                &status(Some("test-sidecarset-5b6f7c8d9"), 2),
                none
            ),
            revision_name("test-sidecarset", &data, 2)
        );
    }

    #[test]
    fn latest_revision_keeps_the_status_name_of_this_data_at_an_earlier_count() {
        let data = revision_data(&example_a().spec);
        let at_one = revision_name("test-sidecarset", &data, 1);
        let none: [&ControllerRevision; 0] = [];
        assert_eq!(
            register_latest_revision("test-sidecarset", &data, &status(Some(&at_one), 3), none),
            at_one
        );
        // The status name must be one the count allows.
        let at_five = revision_name("test-sidecarset", &data, 5);
        assert_eq!(
            register_latest_revision("test-sidecarset", &data, &status(Some(&at_five), 3), none),
            revision_name("test-sidecarset", &data, 3)
        );
    }

    #[test]
    fn latest_revision_reuses_the_last_equal_revision_in_history_order() {
        let data = revision_data(&example_a().spec);
        let other = r#"{"spec":{"$patch":"replace","containers":null}}"#;
        let revisions = [
            revision("test-sidecarset-older", &data, 1),
            revision("test-sidecarset-other", other, 3),
            revision("test-sidecarset-rolled-back", &data, 2),
        ];
        assert_eq!(
            register_latest_revision(
                "test-sidecarset",
                &data,
                &RevisionStatus::default(),
                &revisions
            ),
            "test-sidecarset-rolled-back"
        );
    }

    #[test]
    fn latest_revision_counts_up_past_a_name_taken_by_other_data() {
        let data = revision_data(&example_a().spec);
        let other = r#"{"spec":{"$patch":"replace","containers":null}}"#;
        let taken = [
            revision(&revision_name("test-sidecarset", &data, 0), other, 1),
            revision(&revision_name("test-sidecarset", &data, 1), other, 2),
        ];
        assert_eq!(
            register_latest_revision("test-sidecarset", &data, &RevisionStatus::default(), &taken),
            revision_name("test-sidecarset", &data, 2)
        );
    }

    #[test]
    fn example_a_data_and_name() {
        let ss = example_a();
        let data = revision_data(&ss.spec);
        assert_eq!(
            data,
            r#"{"spec":{"$patch":"replace","containers":[{"command":["sleep","999d"],"image":"centos:6.7","imagePullPolicy":"IfNotPresent","name":"sidecar1","podInjectPolicy":"BeforeAppContainer","resources":{},"shareVolumePolicy":{"type":"disabled"},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"volumeMounts":[{"mountPath":"/var/log","name":"log-volume"}]}],"imagePullSecrets":null,"initContainers":null,"patchPodMetadata":null,"volumes":[{"emptyDir":{},"name":"log-volume"}]}}"#
        );
        assert_eq!(
            revision_name("test-sidecarset", &data, 0),
            "test-sidecarset-cf4bf7796"
        );
        assert_eq!(ss.latest_revision, "test-sidecarset-cf4bf7796");
    }

    #[test]
    fn revision_data_includes_secrets_and_patches() {
        let mut spec = example_a().spec;
        spec.image_pull_secrets = vec![json!({"name": "reg"})];
        spec.patch_pod_metadata = vec![crate::kruise::sidecarset::PatchPodMetadata {
            annotations: BTreeMap::from([("b".into(), "2".into()), ("a".into(), "<1>".into())]),
            patch_policy: "Retain".into(),
        }];
        let data = revision_data(&spec);
        assert!(
            data.contains(r#""imagePullSecrets":[{"name":"reg"}]"#),
            "{data}"
        );
        assert!(
            data.contains(r#""patchPodMetadata":[{"annotations":{"a":"\u003c1\u003e","b":"2"},"patchPolicy":"Retain"}]"#),
            "{data}"
        );
    }

    #[test]
    fn name_depends_on_collision_count_and_is_truncated() {
        let a = revision_name("x", "{}", 0);
        let b = revision_name("x", "{}", 1);
        assert_ne!(a, b);
        let hash = a.trim_start_matches("x-");
        assert!(!hash.is_empty() && hash.len() <= 10);
        assert!(hash.chars().all(|c| "456789bcdf".contains(c)), "{hash}");
        let long = "n".repeat(300);
        let name = revision_name(&long, "{}", 0);
        assert!(name.starts_with(&format!("{}-", "n".repeat(223))));
        assert!(!name.starts_with(&"n".repeat(224)));
    }

    #[test]
    fn collision_count_is_hashed_as_decimal_text_after_the_data() {
        assert_eq!(
            revision_name("x", "{}", 12),
            format!(
                "x-{}",
                hashing::safe_encode(&hashing::fnv1_32(b"{}12").to_string())
            )
        );
    }

    #[test]
    fn reads_a_controller_revision() {
        let cr = ControllerRevision::from_value(&json!({
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": "ss-1234",
                "namespace": "kruise-system",
                "labels": {"kruise.io/sidecarset-name": "ss"},
                "annotations": {"kruise.io/sidecarset-hash": "h"},
                "creationTimestamp": "2024-01-01T00:00:00Z"
            },
            "revision": 3,
            "data": {"spec": {"$patch": "replace"}}
        }))
        .expect("valid");
        assert_eq!(cr.name, "ss-1234");
        assert_eq!(cr.namespace, "kruise-system");
        assert_eq!(cr.revision, 3);
        assert_eq!(
            cr.labels.get(SIDECARSET_NAME_LABEL).map(String::as_str),
            Some("ss")
        );
        assert_eq!(cr.data, json!({"spec": {"$patch": "replace"}}));
    }

    #[test]
    fn rejects_bad_controller_revisions() {
        let e = ControllerRevision::from_value(
            &json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {}}),
        )
        .expect_err("no name");
        assert_eq!(e.path, "metadata.name");
        let e = ControllerRevision::from_value(
            &json!({"apiVersion": "v1", "kind": "ControllerRevision", "metadata": {"name": "a"}}),
        )
        .expect_err("wrong api");
        assert_eq!(e.path, "apiVersion");
        let e = ControllerRevision::from_value(&json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "a"}, "revision": "1"}))
            .expect_err("string revision");
        assert_eq!(e.path, "revision");
        let e = ControllerRevision::from_value(&json!({"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "a", "creationTimestamp": "yesterday"}}))
            .expect_err("bad time");
        assert_eq!(e.path, "metadata.creationTimestamp");
        assert!(e.to_string().starts_with("ControllerRevision a: "), "{e}");
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_rfc3339("2024-01-01T00:00:00Z"),
            Some((1_704_067_200, 0))
        );
        assert_eq!(
            parse_rfc3339("2024-01-01T01:00:00+01:00"),
            Some((1_704_067_200, 0))
        );
        assert_eq!(
            parse_rfc3339("2024-01-01T00:00:00.5Z"),
            Some((1_704_067_200, 500_000_000))
        );
        assert_eq!(parse_rfc3339("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-01-01 00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-01-01T00:00:00"), None);
    }

    #[test]
    fn history_order_is_revision_then_time_then_name() {
        let cr = |name: &str, rev: i64, ts: Option<&str>| ControllerRevision {
            name: name.into(),
            namespace: "kruise-system".into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            creation_timestamp: ts.map(str::to_owned),
            revision: rev,
            data: Value::Null,
        };
        let early = Some("2024-01-01T00:00:00Z");
        let late = Some("2023-12-31T23:30:00-01:00"); // 2024-01-01T00:30:00Z
        assert_eq!(
            cr("a", 2, None).history_order(&cr("b", 1, late)),
            Ordering::Greater
        );
        assert_eq!(
            cr("z", 1, early).history_order(&cr("a", 1, late)),
            Ordering::Less
        );
        assert_eq!(
            cr("z", 1, None).history_order(&cr("a", 1, early)),
            Ordering::Less
        );
        assert_eq!(
            cr("a", 1, early).history_order(&cr("b", 1, early)),
            Ordering::Less
        );
    }
}
