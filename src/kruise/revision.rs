//! Which revision of a SidecarSet is injected (`sidecarset.go:
//! getSuitableRevisionSidecarSet`, `history_control.go: GetHistorySidecarSet`), on pod CREATE.
//!
//! Without `injectionStrategy.revision` (or with neither `revisionName` nor `customVersion`) the
//! latest SidecarSet is injected. Otherwise the referenced ControllerRevision is looked up in the
//! Kruise namespace and restored ("specific"); then `updateStrategy.paused` → specific; policy
//! `Partial` → specific for pods outside `updateStrategy.selector`, else a random draw against a
//! percent `partition` (an int or absent partition → latest); any other policy → specific.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::kruise::cluster::Cluster;
use crate::kruise::controller_revision::{ControllerRevision, SIDECARSET_NAME_LABEL};
use crate::kruise::pod::PodView;
use crate::kruise::rng::Rng;
use crate::kruise::selector::SelectorError;
use crate::kruise::sidecarset::{
    ApiVersion, CUSTOM_VERSION_LABEL, HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, RevisionRef,
    SidecarSet, compute_hashes, parse_spec,
};

/// `injectionStrategy.revision.policy` value that makes injection depend on the pod
/// (`getSuitableRevisionSidecarSet`).
pub const PARTIAL_POLICY: &str = "Partial";

/// Why the revision to inject cannot be determined; Kruise rejects the pod in each case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// `revisionName` names a ControllerRevision that is not among the inputs.
    #[error(
        "SidecarSet {sidecarset}: ControllerRevision {namespace}/{revision} (injectionStrategy.revision.revisionName) is not among the inputs, and Kruise rejects pods it cannot find it for: add the ControllerRevision file (e.g. from `kubectl get controllerrevisions -n {namespace} -o yaml`) with -s{}",
        known_revisions(.known)
    )]
    RevisionNotFound {
        /// The SidecarSet.
        sidecarset: String,
        /// The revision name.
        revision: String,
        /// The Kruise namespace.
        namespace: String,
        /// `namespace/name` of the inputs' ControllerRevisions labelled for this SidecarSet.
        known: Vec<String>,
    },
    /// No ControllerRevision carries the `customVersion`.
    #[error(
        "SidecarSet {sidecarset}: no ControllerRevision in namespace {namespace} is labelled {SIDECARSET_NAME_LABEL}={sidecarset} and {CUSTOM_VERSION_LABEL}={custom_version} (injectionStrategy.revision.customVersion), and Kruise rejects pods it cannot find one for: add the ControllerRevision files (e.g. from `kubectl get controllerrevisions -n {namespace} -l {SIDECARSET_NAME_LABEL}={sidecarset} -o yaml`) with -s{}",
        known_revisions(.known)
    )]
    CustomVersionNotFound {
        /// The SidecarSet.
        sidecarset: String,
        /// The custom version.
        custom_version: String,
        /// The Kruise namespace.
        namespace: String,
        /// `namespace/name` of the inputs' ControllerRevisions labelled for this SidecarSet.
        known: Vec<String>,
    },
    /// The ControllerRevision's `data` cannot be restored.
    #[error("ControllerRevision {revision} of SidecarSet {sidecarset}: {path}: {message}")]
    InvalidRevisionData {
        /// The SidecarSet.
        sidecarset: String,
        /// The ControllerRevision.
        revision: String,
        /// Field path inside the ControllerRevision.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A string `partition` that is not a percentage, under policy `Partial`.
    #[error(
        "SidecarSet {sidecarset}: spec.updateStrategy.partition {partition:?} is not a percentage ({reason}); with injectionStrategy.revision.policy Partial Kruise rejects the pod: write an integer or a percentage like \"20%\""
    )]
    BadPartition {
        /// The SidecarSet.
        sidecarset: String,
        /// The partition string.
        partition: String,
        /// Why it does not parse.
        reason: String,
    },
    /// `updateStrategy.selector` cannot be evaluated.
    #[error("SidecarSet {sidecarset}: {source}")]
    Selector {
        /// The SidecarSet.
        sidecarset: String,
        /// The selector error, with its path under `spec.updateStrategy.selector`.
        source: SelectorError,
    },
}

fn known_revisions(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(
            " (ControllerRevisions of this SidecarSet among the inputs: {})",
            known.join(", ")
        )
    }
}

/// The SidecarSet to inject into `pod` on CREATE: `ss` itself (the latest) or a SidecarSet restored
/// from a ControllerRevision in `cluster` (`getSpecificHistorySidecarSet`). `rng` is drawn from
/// only for policy `Partial` with a percent `partition`.
pub fn suitable_revision<'s>(
    ss: &'s SidecarSet,
    pod: &PodView,
    cluster: &Cluster,
    rng: &mut Rng,
) -> Result<Cow<'s, SidecarSet>, RevisionError> {
    let Some(reference) = &ss.spec.injection_strategy.revision else {
        return Ok(Cow::Borrowed(ss));
    };
    let Some(revision) = find_revision(ss, reference, cluster)? else {
        return Ok(Cow::Borrowed(ss));
    };
    let specific = Cow::Owned(restore(ss, revision)?);
    let strategy = &ss.spec.update_strategy;
    if strategy.paused {
        return Ok(specific);
    }
    if reference.policy != PARTIAL_POLICY {
        return Ok(specific);
    }
    if let Some(selector) = &strategy.selector {
        // The validating webhook checks this selector only for RollingUpdate; at injection Kruise
        // converts it without validation (`ValidatedLabelSelectorAsSelector`).
        let matched = if strategy.kind == "RollingUpdate" {
            selector.matches(&pod.labels)
        } else {
            selector.matches_unvalidated(&pod.labels)
        }
        .map_err(|e| RevisionError::Selector {
            sidecarset: ss.name.clone(),
            source: e.under("spec.updateStrategy.selector"),
        })?;
        if !matched {
            return Ok(specific);
        }
    }
    // selectRevisionRandomly: the partition is the probability of the specific (old) revision.
    let Some(Value::String(partition)) = &strategy.partition else {
        return Ok(Cow::Borrowed(ss));
    };
    let probability =
        parse_percentage(partition).map_err(|reason| RevisionError::BadPartition {
            sidecarset: ss.name.clone(),
            partition: partition.clone(),
            reason,
        })?;
    if rng.float64() <= probability {
        Ok(specific)
    } else {
        Ok(Cow::Borrowed(ss))
    }
}

/// The ControllerRevision `reference` points to (`history_control.go: getControllerRevision`):
/// `revisionName` → that revision in the Kruise namespace; else `customVersion` → among revisions
/// labelled with the SidecarSet's name and the custom version, the last in history order (highest
/// `.revision`, then newest `creationTimestamp`, then greatest name). `None` when the reference
/// names neither.
pub fn find_revision<'a>(
    ss: &SidecarSet,
    reference: &RevisionRef,
    cluster: &'a Cluster,
) -> Result<Option<&'a ControllerRevision>, RevisionError> {
    let known = || {
        cluster
            .controller_revisions
            .iter()
            .filter(|r| r.labels.get(SIDECARSET_NAME_LABEL) == Some(&ss.name))
            .map(|r| format!("{}/{}", r.namespace, r.name))
            .collect::<Vec<_>>()
    };
    if let Some(name) = &reference.revision_name {
        return match cluster.kruise_revision(name) {
            Some(r) => Ok(Some(r)),
            None => Err(RevisionError::RevisionNotFound {
                sidecarset: ss.name.clone(),
                revision: name.clone(),
                namespace: cluster.kruise_namespace.clone(),
                known: known(),
            }),
        };
    }
    let Some(version) = &reference.custom_version else {
        return Ok(None);
    };
    let mut candidates: Vec<&ControllerRevision> = cluster
        .kruise_revisions()
        .filter(|r| {
            r.labels.get(SIDECARSET_NAME_LABEL) == Some(&ss.name)
                && r.labels.get(CUSTOM_VERSION_LABEL) == Some(version)
        })
        .collect();
    candidates.sort_by(|a, b| a.history_order(b));
    match candidates.last() {
        Some(r) => Ok(Some(r)),
        None => Err(RevisionError::CustomVersionNotFound {
            sidecarset: ss.name.clone(),
            custom_version: version.clone(),
            namespace: cluster.kruise_namespace.clone(),
            known: known(),
        }),
    }
}

/// `ss` restored to `revision` (`GetHistorySidecarSet` + `restoreRevisionInfo`): the spec replaced by
/// the revision's `data.spec` (decoded without defaulting; selectors and strategies become empty
/// unless the data has them), metadata kept, the hash annotations taken from the revision's
/// annotations (recomputed from the restored spec where absent or empty), `latest_revision` = the
/// revision's name.
pub fn restore(
    ss: &SidecarSet,
    revision: &ControllerRevision,
) -> Result<SidecarSet, RevisionError> {
    let invalid = |path: String, message: String| RevisionError::InvalidRevisionData {
        sidecarset: ss.name.clone(),
        revision: revision.name.clone(),
        path,
        message,
    };
    let data_spec = revision
        .data
        .get("spec")
        .filter(|s| s.get("$patch").and_then(Value::as_str) == Some("replace"));
    let Some(data_spec) = data_spec else {
        return Err(invalid(
            "data.spec".to_owned(),
            "expected {\"$patch\": \"replace\", ...} as Kruise records SidecarSet revisions: use the ControllerRevision as `kubectl get controllerrevisions -o yaml` prints it".to_owned(),
        ));
    };
    let parsed = parse_spec(data_spec, "data.spec", ApiVersion::V1beta1)
        .map_err(|e| invalid(e.path, e.message))?;
    // Go unmarshals the patched object: `"containers": []` stays an empty list (hashed `[]`).
    let computed = compute_hashes(&parsed.spec, parsed.containers_listed);
    let spec = parsed.spec;
    let mut annotations: BTreeMap<String, String> = ss.annotations.clone();
    for (key, computed) in [
        (HASH_ANNOTATION, computed.hash),
        (HASH_WITHOUT_IMAGE_ANNOTATION, computed.without_image),
    ] {
        let value = revision
            .annotations
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or(computed);
        annotations.insert(key.to_owned(), value);
    }
    Ok(SidecarSet {
        name: ss.name.clone(),
        labels: ss.labels.clone(),
        annotations,
        resource_version: ss.resource_version.clone(),
        spec,
        latest_revision: revision.name.clone(),
        revision_status: ss.revision_status.clone(),
        warnings: ss.warnings.clone(),
    })
}

/// `util.ParsePercentageAsFloat64`: `"<float>%"` → float / 100, with Go `strconv.ParseFloat` rules
/// (no surrounding spaces; out-of-range values are errors).
fn parse_percentage(s: &str) -> Result<f64, String> {
    let Some(number) = s.strip_suffix('%') else {
        return Err("it does not end with %".to_owned());
    };
    if number.starts_with(['+', '-']) && number[1..].eq_ignore_ascii_case("nan") {
        // Go's strconv.ParseFloat reads "nan" only without a sign.
        return Err(format!("{number:?} is not a number"));
    }
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{number:?} is not a number"))?;
    let literal_infinity = {
        let n = number.trim_start_matches(['+', '-']).to_ascii_lowercase();
        n == "inf" || n == "infinity"
    };
    if value.is_infinite() && !literal_infinity {
        return Err(format!("{number:?} is out of range"));
    }
    Ok(value / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kruise_inject_kube::hashing;
    use serde_json::json;

    use crate::kruise::cluster::DEFAULT_KRUISE_NAMESPACE;
    use crate::kruise::sidecarset::spec_hashes;

    const STABLE: &str = "sidecar-image:stable";
    const CANARY: &str = "sidecar-image:canary";
    const REVISION: &str = "sidecarset1-12345";

    /// The upstream TestCanarySidecarSetInjection SidecarSet, with `update` merged into `spec`.
    fn canary_sidecarset(update: Value) -> SidecarSet {
        let mut doc = json!({
            "apiVersion": "apps.kruise.io/v1beta1",
            "kind": "SidecarSet",
            "metadata": {"name": "sidecarset1"},
            "spec": {
                "selector": {"matchLabels": {"app": "demo"}},
                "containers": [{"name": "sidecar", "image": CANARY}],
                "updateStrategy": {"selector": {"matchLabels": {"canary": "true"}}},
                "injectionStrategy": {"revision": {"customVersion": REVISION, "policy": "Partial"}}
            }
        });
        if let (Some(us), Value::Object(extra)) = (
            doc.pointer_mut("/spec/updateStrategy")
                .and_then(Value::as_object_mut),
            update,
        ) {
            us.extend(extra);
        }
        SidecarSet::from_value(&doc).expect("valid SidecarSet")
    }

    fn stable_revision() -> ControllerRevision {
        ControllerRevision {
            name: REVISION.into(),
            namespace: DEFAULT_KRUISE_NAMESPACE.into(),
            labels: BTreeMap::from([
                (SIDECARSET_NAME_LABEL.into(), "sidecarset1".into()),
                (CUSTOM_VERSION_LABEL.into(), REVISION.into()),
            ]),
            annotations: BTreeMap::new(),
            creation_timestamp: None,
            revision: 1,
            data: json!({"spec": {"$patch": "replace", "containers": [
                {"name": "sidecar", "image": STABLE, "resources": {}, "upgradeStrategy": {}, "shareVolumePolicy": {}}
            ]}}),
        }
    }

    fn cluster(revisions: Vec<ControllerRevision>) -> Cluster {
        let mut c = Cluster::new(DEFAULT_KRUISE_NAMESPACE);
        for r in revisions {
            c.add_controller_revision(r);
        }
        c
    }

    fn pod<'a>(labels: &[(&str, &str)], spec: &'a Value) -> PodView<'a> {
        PodView {
            namespace: "default",
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            annotations: BTreeMap::new(),
            spec,
            active: true,
        }
    }

    fn image(ss: &SidecarSet) -> &str {
        ss.spec.containers.first().map_or("", |c| c.image())
    }

    fn inject(ss: &SidecarSet, canary_pod: bool, c: &Cluster) -> Result<SidecarSet, RevisionError> {
        let spec = json!({"containers": [{"name": "app", "image": "demo"}]});
        let labels: &[(&str, &str)] = if canary_pod {
            &[("app", "demo"), ("canary", "true")]
        } else {
            &[("app", "demo")]
        };
        suitable_revision(ss, &pod(labels, &spec), c, &mut Rng::new(1)).map(Cow::into_owned)
    }

    // ---- upstream TestCanarySidecarSetInjection ----

    #[test]
    fn upstream_stable_pod_gets_the_specific_revision() {
        let got = inject(
            &canary_sidecarset(json!({})),
            false,
            &cluster(vec![stable_revision()]),
        );
        assert_eq!(image(&got.expect("injects")), STABLE);
    }

    #[test]
    fn upstream_canary_without_partition_gets_latest() {
        let c = cluster(vec![stable_revision()]);
        // After defaulting the partition is Int 0 …
        let ss = canary_sidecarset(json!({}));
        assert_eq!(ss.spec.update_strategy.partition, Some(json!(0)));
        assert_eq!(image(&inject(&ss, true, &c).expect("injects")), CANARY);
        // … and a nil partition (as in the upstream test) also gives the latest.
        let mut ss = ss;
        ss.spec.update_strategy.partition = None;
        assert_eq!(image(&inject(&ss, true, &c).expect("injects")), CANARY);
    }

    #[test]
    fn upstream_canary_with_partition_100_percent_gets_specific() {
        let ss = canary_sidecarset(json!({"partition": "100%"}));
        let got = inject(&ss, true, &cluster(vec![stable_revision()])).expect("injects");
        assert_eq!(image(&got), STABLE);
    }

    #[test]
    fn upstream_canary_with_partition_0_percent_gets_latest() {
        let ss = canary_sidecarset(json!({"partition": "0%"}));
        let got = inject(&ss, true, &cluster(vec![stable_revision()])).expect("injects");
        assert_eq!(image(&got), CANARY);
    }

    #[test]
    fn upstream_canary_with_bad_partition_is_an_error() {
        let ss = canary_sidecarset(json!({"partition": "abc%"}));
        let e = inject(&ss, true, &cluster(vec![stable_revision()])).expect_err("bad partition");
        assert!(matches!(e, RevisionError::BadPartition { .. }), "{e}");
        assert!(e.to_string().contains("\"abc%\""), "{e}");
    }

    #[test]
    fn upstream_canary_no_history_is_an_error() {
        let e =
            inject(&canary_sidecarset(json!({})), true, &cluster(vec![])).expect_err("no revision");
        assert!(
            matches!(e, RevisionError::CustomVersionNotFound { .. }),
            "{e}"
        );
        let text = e.to_string();
        assert!(
            text.contains("kubectl get controllerrevisions -n kruise-system"),
            "{text}"
        );
        assert!(text.contains("-s"), "{text}");
    }

    #[test]
    fn upstream_canary_with_bad_selector_is_an_error() {
        let ss = canary_sidecarset(
            json!({"selector": {"matchExpressions": [{"key": "somekey", "operator": "badOp"}]}}),
        );
        let e = inject(&ss, true, &cluster(vec![stable_revision()])).expect_err("bad operator");
        assert!(matches!(e, RevisionError::Selector { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("spec.updateStrategy.selector.matchExpressions[0].operator"),
            "{text}"
        );
        assert!(text.contains("badOp"), "{text}");
    }

    #[test]
    fn upstream_canary_paused_gets_specific() {
        let ss = canary_sidecarset(json!({"partition": "0%", "paused": true}));
        let got = inject(&ss, true, &cluster(vec![stable_revision()])).expect("injects");
        assert_eq!(image(&got), STABLE);
    }

    // ---- further rules ----

    #[test]
    fn no_revision_reference_injects_latest() {
        let mut ss = canary_sidecarset(json!({}));
        ss.spec.injection_strategy.revision = None;
        assert_eq!(inject(&ss, false, &cluster(vec![])).expect("latest"), ss);
        ss.spec.injection_strategy.revision = Some(RevisionRef {
            policy: "Always".into(),
            ..RevisionRef::default()
        });
        assert_eq!(inject(&ss, false, &cluster(vec![])).expect("latest"), ss);
    }

    #[test]
    fn always_policy_ignores_the_update_selector() {
        let mut ss = canary_sidecarset(json!({}));
        if let Some(r) = &mut ss.spec.injection_strategy.revision {
            r.policy = "Always".into();
        }
        let c = cluster(vec![stable_revision()]);
        assert_eq!(image(&inject(&ss, true, &c).expect("injects")), STABLE);
        assert_eq!(image(&inject(&ss, false, &c).expect("injects")), STABLE);
    }

    #[test]
    fn percent_partition_draws_from_the_rng() {
        let ss = canary_sidecarset(json!({"partition": "50%"}));
        let c = cluster(vec![stable_revision()]);
        let spec = json!({});
        let p = pod(&[("app", "demo"), ("canary", "true")], &spec);
        let mut rng = Rng::new(42);
        let mut twin = Rng::new(42);
        let mut seen = (0, 0);
        for _ in 0..64 {
            let expect_specific = twin.float64() <= 0.5;
            let got = suitable_revision(&ss, &p, &c, &mut rng).expect("injects");
            assert_eq!(image(&got) == STABLE, expect_specific);
            if expect_specific {
                seen.0 += 1
            } else {
                seen.1 += 1
            }
        }
        assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
    }

    #[test]
    fn int_partition_and_unselected_pods_draw_nothing() {
        let c = cluster(vec![stable_revision()]);
        let spec = json!({});
        for (ss, labels) in [
            (
                canary_sidecarset(json!({"partition": 5})),
                vec![("canary", "true")],
            ),
            (canary_sidecarset(json!({"partition": "50%"})), vec![]),
        ] {
            let mut rng = Rng::new(3);
            suitable_revision(&ss, &pod(&labels, &spec), &c, &mut rng).expect("injects");
            assert_eq!(rng.float64(), Rng::new(3).float64());
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("100%"), Ok(1.0));
        assert_eq!(parse_percentage("12.5%"), Ok(0.125));
        assert!(parse_percentage("50").is_err());
        assert!(parse_percentage("abc%").is_err());
        assert!(parse_percentage(" 5%").is_err());
        assert!(parse_percentage("1e400%").is_err());
        assert_eq!(parse_percentage("inf%"), Ok(f64::INFINITY));
        // Go's ParseFloat reads "nan" only without a sign.
        assert!(parse_percentage("nan%").is_ok_and(f64::is_nan));
        assert!(parse_percentage("+nan%").is_err());
        assert!(parse_percentage("-NaN%").is_err());
    }

    #[test]
    fn revision_name_reference_and_not_found_message() {
        let mut ss = canary_sidecarset(json!({}));
        ss.spec.injection_strategy.revision = Some(RevisionRef {
            revision_name: Some(REVISION.into()),
            custom_version: Some("ignored-when-a-name-is-given".into()),
            policy: "Always".into(),
        });
        let got = inject(&ss, true, &cluster(vec![stable_revision()])).expect("found");
        assert_eq!(image(&got), STABLE);
        assert_eq!(got.latest_revision, REVISION);

        let mut elsewhere = stable_revision();
        elsewhere.namespace = "other".into();
        let e = inject(&ss, true, &cluster(vec![elsewhere])).expect_err("not in kruise ns");
        let text = e.to_string();
        assert!(matches!(e, RevisionError::RevisionNotFound { .. }));
        assert!(text.contains("kruise-system/sidecarset1-12345"), "{text}");
        assert!(
            text.contains("kubectl get controllerrevisions -n kruise-system -o yaml"),
            "{text}"
        );
        assert!(text.contains("with -s"), "{text}");
        assert!(text.contains("other/sidecarset1-12345"), "{text}");
    }

    #[test]
    fn custom_version_picks_the_last_in_history_order() {
        let rev = |name: &str, revision: i64, ts: Option<&str>, image: &str| {
            let mut r = stable_revision();
            r.name = name.into();
            r.revision = revision;
            r.creation_timestamp = ts.map(str::to_owned);
            r.data = json!({"spec": {"$patch": "replace", "containers": [{"name": "sidecar", "image": image}]}});
            r
        };
        let mut other_version = rev("z-other", 99, None, "other");
        other_version
            .labels
            .insert(CUSTOM_VERSION_LABEL.into(), "v2".into());
        let mut other_set = rev("z-set", 99, None, "other-set");
        other_set
            .labels
            .insert(SIDECARSET_NAME_LABEL.into(), "another".into());
        let c = cluster(vec![
            rev("a", 3, Some("2024-01-02T00:00:00Z"), "newest-time"),
            rev("b", 3, Some("2024-01-01T00:00:00Z"), "older-time"),
            rev("c", 2, Some("2025-01-01T00:00:00Z"), "lower-revision"),
            other_version,
            other_set,
        ]);
        let ss = canary_sidecarset(json!({}));
        let got = inject(&ss, false, &c).expect("found");
        assert_eq!(image(&got), "newest-time");
        assert_eq!(got.latest_revision, "a");

        // Same revision and time: the greater name wins.
        let c = cluster(vec![
            rev("m", 3, None, "m"),
            rev("n", 3, None, "n"),
            rev("l", 3, None, "l"),
        ]);
        assert_eq!(image(&inject(&ss, false, &c).expect("found")), "n");
    }

    #[test]
    fn restore_replaces_spec_and_takes_hashes_from_the_revision() {
        let ss = canary_sidecarset(json!({}));
        let mut r = stable_revision();
        r.annotations
            .insert(HASH_ANNOTATION.into(), "recorded-hash".into());
        let got = restore(&ss, &r).expect("restores");
        assert_eq!(got.name, ss.name);
        assert_eq!(got.hash(), "recorded-hash");
        // Absent without-image annotation: recomputed from the restored (undefaulted) spec.
        assert_eq!(
            got.hash_without_image(),
            spec_hashes(&got.spec).without_image
        );
        assert_ne!(got.hash_without_image(), ss.hash_without_image());
        assert_eq!(got.latest_revision, REVISION);
        assert!(got.spec.selector.is_none());
        assert!(got.spec.injection_strategy.revision.is_none());
        assert_eq!(got.spec.update_strategy, Default::default());
        // Not defaulted: the revision's container lacks podInjectPolicy, and stays so.
        assert_eq!(
            got.spec.containers.first().map(|c| c.pod_inject_policy()),
            Some("")
        );
        // Hashes recomputed when both annotations are absent.
        let got = restore(&ss, &stable_revision()).expect("restores");
        assert_eq!(got.hash(), spec_hashes(&got.spec).hash);
    }

    #[test]
    fn restored_empty_containers_list_hashes_as_an_empty_list() {
        // `GetHistorySidecarSet` unmarshals the patched JSON: `"containers": []` is an empty
        // non-nil slice, which `SidecarSetHashV1beta1` encodes as `[]`, not `null`.
        let ss = canary_sidecarset(json!({}));
        let mut r = stable_revision();
        r.data = json!({"spec": {"$patch": "replace", "containers": [], "initContainers": [
            {"name": "init", "image": "i", "restartPolicy": "Always", "resources": {}, "upgradeStrategy": {}, "shareVolumePolicy": {}}
        ]}});
        let got = restore(&ss, &r).expect("restores");
        let init = r#"{"name":"init","image":"i","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}"#;
        let encoded = format!(r#"{{"containers":[],"initContainers":[{init}]}}"#);
        assert_eq!(
            got.hash(),
            hashing::safe_encode(&hashing::sha256_hex(encoded.as_bytes()))
        );
        // Absent or null: `null`.
        r.data = json!({"spec": {"$patch": "replace", "containers": null, "initContainers": [
            {"name": "init", "image": "i", "restartPolicy": "Always", "resources": {}, "upgradeStrategy": {}, "shareVolumePolicy": {}}
        ]}});
        let got = restore(&ss, &r).expect("restores");
        let encoded = format!(r#"{{"containers":null,"initContainers":[{init}]}}"#);
        assert_eq!(
            got.hash(),
            hashing::safe_encode(&hashing::sha256_hex(encoded.as_bytes()))
        );
    }

    #[test]
    fn restore_rejects_data_kruise_did_not_write() {
        let ss = canary_sidecarset(json!({}));
        let mut r = stable_revision();
        r.data = json!({"spec": {"containers": []}});
        let e = restore(&ss, &r).expect_err("no $patch");
        assert!(
            matches!(e, RevisionError::InvalidRevisionData { ref path, .. } if path == "data.spec"),
            "{e}"
        );
        r.data = json!({"spec": {"$patch": "replace", "containers": {"name": "x"}}});
        let e = restore(&ss, &r).expect_err("containers not a list");
        assert!(
            matches!(e, RevisionError::InvalidRevisionData { ref path, .. } if path == "data.spec.containers"),
            "{e}"
        );
    }

    #[test]
    fn unvalidated_update_selector_for_not_update_sidecarsets() {
        // `In` without values: rejected by validation for RollingUpdate (error here), accepted for
        // NotUpdate, where Kruise evaluates it as matching nothing → the pod gets the specific revision.
        let sel = json!({"selector": {"matchExpressions": [{"key": "canary", "operator": "In"}]}, "partition": "0%"});
        let c = cluster(vec![stable_revision()]);
        assert!(inject(&canary_sidecarset(sel.clone()), true, &c).is_err());
        let mut sel = sel;
        sel["type"] = json!("NotUpdate");
        let got = inject(&canary_sidecarset(sel), true, &c).expect("injects");
        assert_eq!(image(&got), STABLE);
    }
}
