//! End-to-end tests of [`super::inject`] against upstream examples
//! (`pkg/webhook/pod/mutating/*_test.go`, `test/e2e/apps/v1beta1/sidecarset.go`) and the
//! samples of the OpenKruise SidecarSet docs.

use std::collections::BTreeMap;

use kruise_inject_kube::gojson;
use serde_json::{Value, json};

use super::{InjectError, InjectedSidecarSet, Injection};
use crate::kruise::features::FeatureGates;
use crate::kruise::pod::{ListItem, PodPatch, PodView};
use crate::kruise::sidecarset::{PatchPodMetadata, SidecarContainer, SidecarSet, SidecarSetSpec};

const T0: &str = "2024-01-01T00:00:00Z";
const T1: &str = "2025-06-30T12:34:56Z";

/// [`super::inject`] with Kruise's default feature gates.
fn inject(pod: &PodView, sets: &[SidecarSet], now: &str) -> Result<Injection, InjectError> {
    super::inject(pod, sets, now, &FeatureGates::default())
}

/// A stored (defaulted) SidecarSet built directly from field values, hashes given literally.
fn sidecarset(name: &str, v: Value) -> SidecarSet {
    let items = |key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let sidecars = |key: &str| items(key).into_iter().map(SidecarContainer::new).collect();
    let s = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    let mut annotations = BTreeMap::new();
    annotations.insert("kruise.io/sidecarset-hash".to_owned(), s("hash"));
    annotations.insert(
        "kruise.io/sidecarset-hash-without-image".to_owned(),
        s("hashWithoutImage"),
    );
    SidecarSet {
        name: name.to_owned(),
        labels: BTreeMap::new(),
        annotations,
        resource_version: None,
        spec: SidecarSetSpec {
            init_containers: sidecars("initContainers"),
            containers: sidecars("containers"),
            volumes: items("volumes"),
            image_pull_secrets: items("imagePullSecrets"),
            patch_pod_metadata: items("patchPodMetadata")
                .iter()
                .map(|p| PatchPodMetadata {
                    annotations: p["annotations"]
                        .as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    patch_policy: p["patchPolicy"].as_str().unwrap_or("").to_owned(),
                })
                .collect(),
            ..SidecarSetSpec::default()
        },
        latest_revision: s("latestRevision"),
        revision_status: Default::default(),
        warnings: Vec::new(),
    }
}

/// A defaulted SidecarContainer: `fields` (Container fields in Go order) then the defaulted
/// container tail and SidecarSet fields.
fn sidecar(fields: Value, policy: &str, upgrade: Value, share: &str) -> Value {
    let mut c = fields;
    if let Some(obj) = c.as_object_mut() {
        for (k, v) in [
            ("terminationMessagePath", json!("/dev/termination-log")),
            ("terminationMessagePolicy", json!("File")),
            ("imagePullPolicy", json!("IfNotPresent")),
            ("podInjectPolicy", json!(policy)),
            ("upgradeStrategy", upgrade),
            ("shareVolumePolicy", json!({"type": share})),
        ] {
            obj.insert(k.to_owned(), v);
        }
    }
    c
}

fn cold() -> Value {
    json!({"upgradeType": "ColdUpgrade"})
}

fn pod<'a>(spec: &'a Value, annotations: &[(&str, &str)]) -> PodView<'a> {
    PodView {
        namespace: "default",
        labels: BTreeMap::from([("app".to_owned(), "nginx".to_owned())]),
        annotations: annotations
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        spec,
        active: true,
    }
}

/// Applies a patch the way the editing layer does: the new pod spec and annotations.
fn apply(
    spec: &Value,
    annotations: &BTreeMap<String, String>,
    patch: &PodPatch,
) -> (Value, BTreeMap<String, String>) {
    let (spec, annotations) = patch.apply_to(spec, annotations);
    (Value::Object(spec), annotations)
}

/// Injects, applies, injects again at another time: the second patch must be empty.
fn assert_idempotent(spec: &Value, annotations: &[(&str, &str)], sets: &[SidecarSet]) -> Injection {
    let first = inject(&pod(spec, annotations), sets, T0).expect("first injection");
    let view = pod(spec, annotations);
    let (spec2, ann2) = apply(spec, &view.annotations, &first.patch);
    let view2 = PodView {
        annotations: ann2,
        ..pod(&spec2, &[])
    };
    let second = inject(&view2, sets, T1).expect("second injection");
    assert_eq!(
        second.patch,
        PodPatch::default(),
        "re-injection must change nothing"
    );
    first
}

fn names(spec: &Value, items: &Option<Vec<ListItem>>, key: &str) -> Vec<String> {
    let original = spec
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    items
        .as_ref()
        .map(|items| {
            items
                .iter()
                .map(|item| match item {
                    ListItem::Keep(i) => original[*i]["name"].as_str().unwrap_or("").to_owned(),
                    ListItem::New(v) => format!("+{}", v["name"].as_str().unwrap_or("")),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn new_item<'a>(items: &'a Option<Vec<ListItem>>, name: &str) -> &'a Value {
    items
        .iter()
        .flatten()
        .find_map(|item| match item {
            ListItem::New(v) if v["name"] == name => Some(&**v),
            _ => None,
        })
        .unwrap_or(&Value::Null)
}

fn annotation<'a>(patch: &'a PodPatch, key: &str) -> &'a str {
    patch
        .annotations
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

fn keys(patch: &PodPatch) -> Vec<&str> {
    patch.annotations.iter().map(|(k, _)| k.as_str()).collect()
}

/// Docs sample A: the first SidecarSet of the OpenKruise SidecarSet docs.
fn docs_sample_a() -> SidecarSet {
    sidecarset(
        "test-sidecarset",
        json!({
            "hash": "4zbdc2xzc8w7c4x2c6984266bc9d7zf87x946v7xdfv988f6c6fc9b7dz47w8zd5",
            "hashWithoutImage": "wcv47954b7xv5w4fbw682bbf78cw2449448vbf4fvvwv77947bc7fcv7fw89f98x",
            "latestRevision": "test-sidecarset-cf4bf7796",
            "containers": [sidecar(
                json!({"name": "sidecar1", "image": "centos:6.7", "command": ["sleep", "999d"],
                       "resources": {}, "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}]}),
                "BeforeAppContainer", cold(), "disabled")],
            "volumes": [{"name": "log-volume", "emptyDir": {}}],
        }),
    )
}

#[test]
fn docs_sample_a_exact_output() {
    let spec = json!({"containers": [{"name": "app", "image": "nginx:1.15.1"}]});
    let out = inject(&pod(&spec, &[]), &[docs_sample_a()], T0).expect("inject");
    assert_eq!(
        out.patch.annotations,
        vec![
            ("kruise.io/sidecarset-hash".to_owned(), r#"{"test-sidecarset":{"updateTimestamp":"2024-01-01T00:00:00Z","hash":"4zbdc2xzc8w7c4x2c6984266bc9d7zf87x946v7xdfv988f6c6fc9b7dz47w8zd5","sidecarSetName":"test-sidecarset","sidecarList":["sidecar1"],"controllerRevision":"test-sidecarset-cf4bf7796"}}"#.to_owned()),
            ("kruise.io/sidecarset-hash-without-image".to_owned(), r#"{"test-sidecarset":{"updateTimestamp":"2024-01-01T00:00:00Z","hash":"wcv47954b7xv5w4fbw682bbf78cw2449448vbf4fvvwv77947bc7fcv7fw89f98x","sidecarSetName":"test-sidecarset","sidecarList":["sidecar1"]}}"#.to_owned()),
            ("kruise.io/sidecarset-injected-list".to_owned(), "test-sidecarset".to_owned()),
        ]
    );
    let containers = out.patch.containers.as_ref().expect("containers change");
    assert_eq!(containers.len(), 2);
    assert_eq!(containers[1], ListItem::Keep(0));
    let sidecar1 = match &containers[0] {
        ListItem::New(v) => gojson::to_string(v),
        ListItem::Keep(i) => format!("Keep({i})"),
    };
    assert_eq!(
        sidecar1,
        r#"{"name":"sidecar1","image":"centos:6.7","command":["sleep","999d"],"env":[{"name":"IS_INJECTED","value":"true"}],"resources":{},"volumeMounts":[{"name":"log-volume","mountPath":"/var/log"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}"#
    );
    assert_eq!(
        out.patch.volumes,
        Some(vec![ListItem::new(
            json!({"name": "log-volume", "emptyDir": {}})
        )])
    );
    assert_eq!(
        (&out.patch.init_containers, &out.patch.image_pull_secrets),
        (&None, &None)
    );
    assert_eq!(
        out.injected,
        vec![InjectedSidecarSet {
            name: "test-sidecarset".into(),
            containers: vec!["sidecar1".into()],
            init_containers: Vec::new(),
        }]
    );
}

#[test]
fn docs_sample_a_is_idempotent_and_keeps_the_first_timestamp() {
    let spec = json!({"containers": [{"name": "app", "image": "nginx:1.15.1"}]});
    assert_idempotent(&spec, &[], &[docs_sample_a()]);
}

#[test]
fn changed_hash_gets_the_new_timestamp_other_entries_kept() {
    let spec = json!({"containers": [{"name": "app"}]});
    let old = r#"{"other":{"updateTimestamp":"2020-01-01T01:00:00+01:00","hash":"h","sidecarSetName":"other","sidecarList":["x"]},"test-sidecarset":{"updateTimestamp":"2020-01-01T00:00:00Z","hash":"old","sidecarSetName":"test-sidecarset","sidecarList":["sidecar1"],"controllerRevision":"test-sidecarset-cf4bf7796"}}"#;
    let out = inject(
        &pod(&spec, &[("kruise.io/sidecarset-hash", old)]),
        &[docs_sample_a()],
        T0,
    )
    .expect("inject");
    assert_eq!(
        annotation(&out.patch, "kruise.io/sidecarset-hash"),
        r#"{"other":{"updateTimestamp":"2020-01-01T00:00:00Z","hash":"h","sidecarSetName":"other","sidecarList":["x"]},"test-sidecarset":{"updateTimestamp":"2024-01-01T00:00:00Z","hash":"4zbdc2xzc8w7c4x2c6984266bc9d7zf87x946v7xdfv988f6c6fc9b7dz47w8zd5","sidecarSetName":"test-sidecarset","sidecarList":["sidecar1"],"controllerRevision":"test-sidecarset-cf4bf7796"}}"#
    );
}

#[test]
fn legacy_hash_annotations_are_converted() {
    let spec = json!({"containers": [{"name": "app"}]});
    let out = inject(
        &pod(
            &spec,
            &[
                ("kruise.io/sidecarset-hash", r#"{"old-ss":"abc"}"#),
                (
                    "kruise.io/sidecarset-hash-without-image",
                    r#"{"old-ss":"def"}"#,
                ),
            ],
        ),
        &[docs_sample_a()],
        T0,
    )
    .expect("inject");
    assert!(
        annotation(&out.patch, "kruise.io/sidecarset-hash").starts_with(
            r#"{"old-ss":{"updateTimestamp":null,"hash":"abc","sidecarSetName":"old-ss","sidecarList":null},"test-sidecarset":{"#
        ),
        "{out:?}"
    );
    assert!(
        annotation(&out.patch, "kruise.io/sidecarset-hash-without-image")
            .starts_with(r#"{"old-ss":{"updateTimestamp":null,"hash":"def","sidecarSetName":"old-ss","sidecarList":null},"#)
    );
}

#[test]
fn invalid_hash_annotation_is_an_error() {
    let spec = json!({"containers": [{"name": "app"}]});
    for (key, value) in [
        ("kruise.io/sidecarset-hash", "not json"),
        (
            "kruise.io/sidecarset-hash-without-image",
            r#"{"a":{"hash":5}}"#,
        ),
        ("kruise.io/sidecarset-hash", r#"{"a":"h","b":{}}"#),
    ] {
        let err = inject(&pod(&spec, &[(key, value)]), &[docs_sample_a()], T0)
            .expect_err("invalid annotation");
        assert!(
            matches!(&err, InjectError::InvalidHashAnnotation { key: k, .. } if k == key),
            "{err:?}"
        );
    }
    let err = inject(
        &pod(&spec, &[("kruise.io/sidecarset-hash", "null")]),
        &[docs_sample_a()],
        T0,
    )
    .expect_err("null annotation");
    assert!(matches!(err, InjectError::NullAnnotation { .. }), "{err:?}");
}

#[test]
fn injected_list_is_a_sorted_union() {
    let spec = json!({"containers": [{"name": "app"}]});
    let out = inject(
        &pod(
            &spec,
            &[("kruise.io/sidecarset-injected-list", "zeta,alpha")],
        ),
        &[docs_sample_a()],
        T0,
    )
    .expect("inject");
    assert_eq!(
        annotation(&out.patch, "kruise.io/sidecarset-injected-list"),
        "alpha,test-sidecarset,zeta"
    );
}

fn nginx_pod() -> Value {
    // sidecarset_test.go: pod1.
    json!({
        "initContainers": [{"name": "init-0", "image": "busybox:1.0.0"}],
        "containers": [{"name": "nginx", "image": "nginx:1.15.1",
            "env": [{"name": "hello1", "value": "world1"}, {"name": "hello2", "value": "world2"}],
            "volumeMounts": [{"name": "volume-a", "mountPath": "/a/b"}, {"name": "volume-b", "mountPath": "/e/f"}]}],
        "volumes": [{"name": "volume-a"}, {"name": "volume-b"}],
    })
}

// e2e "transfer Envs" (`test/e2e/apps/v1beta1/sidecarset.go`): the sidecar's own env wins over a
// transferred one.
#[test]
fn transfer_env_existing_env_wins_and_order() {
    let spec = json!({"containers": [{"name": "main", "env": [
        {"name": "OD_NAME", "value": "od_name"},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}]});
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "containers": [{
            "name": "sidecar", "image": "s:1",
            "env": [{"name": "OD_NAME", "value": "sidecar_name"}],
            "resources": {},
            "podInjectPolicy": "BeforeAppContainer",
            "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
            "shareVolumePolicy": {"type": "disabled"},
            "transferEnv": [{"sourceContainerName": "main", "envNames": ["POD_IP", "OD_NAME"]}],
        }]}),
    );
    let out = inject(&pod(&spec, &[]), &[ss], T0).expect("inject");
    assert_eq!(
        new_item(&out.patch.containers, "sidecar")["env"],
        json!([
            {"name": "OD_NAME", "value": "sidecar_name"},
            {"name": "IS_INJECTED", "value": "true"},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
        ])
    );
}

// sidecarset_test.go: TestInjectInitContainerSort case 3, through the webhook path; plain init
// containers are not in sidecarList.
#[test]
fn init_containers_sorted_then_before_app_container_first() {
    let spec = json!({"initContainers": [{"name": "app1-init"}, {"name": "app2-init"}],
                      "containers": [{"name": "app"}]});
    let init = |name: &str, policy: &str| {
        sidecar(
            json!({"name": name, "image": "busybox", "resources": {}}),
            policy,
            cold(),
            "disabled",
        )
    };
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "hashWithoutImage": "w", "initContainers": [
            init("a-init", "AfterAppContainer"),
            init("c-init", "BeforeAppContainer"),
            init("b-init", "BeforeAppContainer")]}),
    );
    let out = assert_idempotent(&spec, &[], std::slice::from_ref(&ss));
    assert_eq!(
        names(&spec, &out.patch.init_containers, "initContainers"),
        ["+b-init", "+c-init", "app1-init", "app2-init", "+a-init"]
    );
    assert_eq!(out.patch.containers, None);
    assert_eq!(
        annotation(&out.patch, "kruise.io/sidecarset-hash"),
        r#"{"ss":{"updateTimestamp":"2024-01-01T00:00:00Z","hash":"h","sidecarSetName":"ss","sidecarList":[]}}"#
    );
    assert_eq!(
        out.injected[0].init_containers,
        ["a-init", "c-init", "b-init"]
    );
}

// sidecarset_test.go: TestMergeSidecarSecrets through the webhook path.
#[test]
fn image_pull_secrets_merged_and_pod_duplicates_removed() {
    let spec = json!({"containers": [{"name": "app"}],
        "imagePullSecrets": [{"name": "s2"}, {"name": "s3"}, {"name": "s3"}]});
    let mut ss = docs_sample_a();
    ss.spec.image_pull_secrets = vec![
        json!({"name": "s0"}),
        json!({"name": "s1"}),
        json!({"name": "s2"}),
    ];
    let out = inject(&pod(&spec, &[]), &[ss.clone()], T0).expect("inject");
    assert_eq!(
        out.patch.image_pull_secrets,
        Some(vec![
            ListItem::Keep(0),
            ListItem::Keep(1),
            ListItem::new(json!({"name": "s0"})),
            ListItem::new(json!({"name": "s1"})),
        ])
    );
    assert_idempotent(&spec, &[], &[ss]);
}

// sidecarset_hotupgrade_test.go: TestInjectHotUpgradeSidecar (sidecarSet1 with dns-f hot).
fn hot_sidecarset() -> SidecarSet {
    sidecarset(
        "sidecarset1",
        json!({"hash": "c4k2dbb95d", "hashWithoutImage": "without-c4k2dbb95d",
        "containers": [
            sidecar(json!({"name": "dns-f", "image": "dns-f-image:1.0", "resources": {}}), "BeforeAppContainer",
                json!({"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "busy:hotupgrade-empty"}), "disabled"),
            sidecar(json!({"name": "log-agent", "image": "log-agent-image:1.0", "resources": {}}), "AfterAppContainer",
                cold(), "disabled"),
        ]}),
    )
}

#[test]
fn hot_upgrade_containers_and_annotations() {
    let spec = nginx_pod();
    let out = inject(
        &pod(
            &spec,
            &[(
                "kruise.io/sidecarset-working-hotupgrade-container",
                r#"{"zz":"zz-2"}"#,
            )],
        ),
        &[hot_sidecarset()],
        T0,
    )
    .expect("inject");
    assert_eq!(
        names(&spec, &out.patch.containers, "containers"),
        ["+dns-f-1", "+dns-f-2", "nginx", "+log-agent"]
    );
    assert_eq!(
        new_item(&out.patch.containers, "dns-f-1")["image"],
        "dns-f-image:1.0"
    );
    assert_eq!(
        new_item(&out.patch.containers, "dns-f-2")["image"],
        "busy:hotupgrade-empty"
    );
    assert_eq!(
        gojson::to_string(&new_item(&out.patch.containers, "dns-f-2")["env"]),
        r#"[{"name":"IS_INJECTED","value":"true"},{"name":"SIDECARSET_VERSION","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations['version.sidecarset.kruise.io/dns-f-2']"}}},{"name":"SIDECARSET_VERSION_ALT","valueFrom":{"fieldRef":{"fieldPath":"metadata.annotations['versionalt.sidecarset.kruise.io/dns-f-2']"}}}]"#
    );
    assert_eq!(
        keys(&out.patch),
        [
            "kruise.io/sidecarset-hash",
            "kruise.io/sidecarset-hash-without-image",
            "kruise.io/sidecarset-injected-list",
            "kruise.io/sidecarset-working-hotupgrade-container",
            "version.sidecarset.kruise.io/dns-f-1",
            "version.sidecarset.kruise.io/dns-f-2",
            "versionalt.sidecarset.kruise.io/dns-f-1",
            "versionalt.sidecarset.kruise.io/dns-f-2",
        ]
    );
    let ann = |k: &str| annotation(&out.patch, k).to_owned();
    assert_eq!(
        ann("kruise.io/sidecarset-working-hotupgrade-container"),
        r#"{"dns-f":"dns-f-1","zz":"zz-2"}"#
    );
    assert_eq!(ann("version.sidecarset.kruise.io/dns-f-1"), "1");
    assert_eq!(ann("versionalt.sidecarset.kruise.io/dns-f-1"), "0");
    assert_eq!(ann("version.sidecarset.kruise.io/dns-f-2"), "0");
    assert_eq!(ann("versionalt.sidecarset.kruise.io/dns-f-2"), "1");
    // sidecarList names the SidecarSet containers, not -1/-2.
    assert!(ann("kruise.io/sidecarset-hash").contains(r#""sidecarList":["dns-f","log-agent"]"#));
    assert!(!ann("kruise.io/sidecarset-hash").contains("controllerRevision"));
    assert_eq!(
        out.injected[0].containers,
        ["dns-f-1", "dns-f-2", "log-agent"]
    );
    assert_idempotent(&spec, &[], &[hot_sidecarset()]);
}

#[test]
fn native_sidecar_init_containers() {
    let spec = json!({"containers": [{"name": "app"}]});
    let hot = json!({"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "empty:1"});
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "initContainers": [
            sidecar(json!({"name": "native", "image": "n:1", "resources": {}, "restartPolicy": "Always"}),
                "AfterAppContainer", hot.clone(), "disabled"),
            sidecar(json!({"name": "plain", "image": "p:1", "resources": {}}), "AfterAppContainer", hot, "disabled"),
        ]}),
    );
    let out = assert_idempotent(&spec, &[], std::slice::from_ref(&ss));
    assert_eq!(
        names(&spec, &out.patch.init_containers, "initContainers"),
        ["+native-1", "+native-2", "+plain"]
    );
    assert!(
        annotation(&out.patch, "kruise.io/sidecarset-hash").contains(r#""sidecarList":["native"]"#)
    );
    assert_eq!(
        annotation(
            &out.patch,
            "kruise.io/sidecarset-working-hotupgrade-container"
        ),
        r#"{"native":"native-1"}"#
    );
}

#[test]
fn shared_volumes_and_sub_path_envs() {
    let spec = json!({"containers": [
        {"name": "injected", "env": [{"name": "IS_INJECTED", "value": "true"}],
         "volumeMounts": [{"name": "x", "mountPath": "/x"}]},
        {"name": "app", "env": [{"name": "POD_NAME", "value": "p"}],
         "volumeMounts": [{"name": "logs", "mountPath": "/logs", "subPathExpr": "$(POD_NAME)"},
                          {"name": "own", "mountPath": "/var/log"}],
         "volumeDevices": [{"name": "dev", "devicePath": "/dev/d"}]}]});
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "containers": [{
            "name": "agent", "image": "a:1", "resources": {},
            "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}],
            "podInjectPolicy": "AfterAppContainer",
            "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
            "shareVolumePolicy": {"type": "enabled"},
            "shareVolumeDevicePolicy": {"type": "enabled"},
        }], "volumes": [{"name": "log-volume", "emptyDir": {}}]}),
    );
    let out = assert_idempotent(&spec, &[], std::slice::from_ref(&ss));
    let agent = new_item(&out.patch.containers, "agent");
    assert_eq!(
        gojson::to_string(agent),
        r#"{"name":"agent","image":"a:1","env":[{"name":"IS_INJECTED","value":"true"},{"name":"POD_NAME","value":"p"}],"resources":{},"volumeMounts":[{"name":"log-volume","mountPath":"/var/log"},{"name":"logs","mountPath":"/logs","subPathExpr":"$(POD_NAME)"}],"volumeDevices":[{"name":"dev","devicePath":"/dev/d"}]}"#
    );
    // Shared mounts add no volumes.
    assert_eq!(
        out.patch.volumes,
        Some(vec![ListItem::new(
            json!({"name": "log-volume", "emptyDir": {}})
        )])
    );
}

#[test]
fn volumes_missing_skipped_devices_collected_pod_wins() {
    let spec = json!({"containers": [{"name": "app"}], "volumes": [{"name": "shared", "hostPath": {"path": "/pod"}}]});
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "containers": [sidecar(json!({"name": "s", "image": "s", "resources": {},
            "volumeMounts": [{"name": "missing", "mountPath": "/m"}, {"name": "shared", "mountPath": "/s"}],
            "volumeDevices": [{"name": "blk", "devicePath": "/dev/b"}]}), "BeforeAppContainer", cold(), "disabled")],
          "volumes": [{"name": "shared", "emptyDir": {}}, {"name": "blk", "persistentVolumeClaim": {"claimName": "c"}}]}),
    );
    let out = inject(&pod(&spec, &[]), &[ss], T0).expect("inject");
    assert_eq!(
        out.patch.volumes,
        Some(vec![
            ListItem::Keep(0),
            ListItem::new(json!({"name": "blk", "persistentVolumeClaim": {"claimName": "c"}})),
        ])
    );
}

#[test]
fn same_name_pod_container_replaced_in_place() {
    let spec = json!({"containers": [{"name": "app"}, {"name": "sidecar1", "image": "mine"}]});
    let out = inject(&pod(&spec, &[]), &[docs_sample_a()], T0).expect("inject");
    assert_eq!(
        names(&spec, &out.patch.containers, "containers"),
        ["app", "+sidecar1"]
    );
}

#[test]
fn metadata_only_sidecarsets_and_annotation_order() {
    let spec = json!({"containers": [{"name": "app"}]});
    let meta = sidecarset(
        "meta",
        json!({"patchPodMetadata": [
            {"patchPolicy": "Overwrite", "annotations": {"z-key": "1", "a-key": "2"}},
            {"patchPolicy": "Retain", "annotations": {"kept": "new", "m-key": "3"}}]}),
    );
    // Alone: only the metadata patch, and only keys whose value changes.
    let out = inject(
        &pod(&spec, &[("kept", "old")]),
        std::slice::from_ref(&meta),
        T0,
    )
    .expect("inject");
    assert_eq!(
        out.patch,
        PodPatch {
            annotations: vec![
                ("a-key".into(), "2".into()),
                ("z-key".into(), "1".into()),
                ("m-key".into(), "3".into()),
            ],
            ..PodPatch::default()
        }
    );
    assert_eq!(
        out.injected,
        vec![InjectedSidecarSet {
            name: "meta".into(),
            ..Default::default()
        }]
    );
    // With an injecting SidecarSet: listed in injected-list, but no hash entry.
    let out = inject(&pod(&spec, &[]), &[meta, docs_sample_a()], T0).expect("inject");
    assert_eq!(
        keys(&out.patch),
        [
            "a-key",
            "z-key",
            "kept",
            "m-key",
            "kruise.io/sidecarset-hash",
            "kruise.io/sidecarset-hash-without-image",
            "kruise.io/sidecarset-injected-list",
        ]
    );
    assert_eq!(
        annotation(&out.patch, "kruise.io/sidecarset-injected-list"),
        "meta,test-sidecarset"
    );
    assert!(!annotation(&out.patch, "kruise.io/sidecarset-hash").contains("\"meta\""));
}

#[test]
fn patch_metadata_runs_before_build_and_errors_propagate() {
    let spec = json!({"containers": [{"name": "app"}]});
    // A patched annotation is what transferEnv's sourceContainerNameFrom sees.
    let mut ss = sidecarset(
        "ss",
        json!({"hash": "h", "patchPodMetadata": [{"patchPolicy": "Overwrite", "annotations": {"src": "app"}}],
            "containers": [{"name": "s", "image": "s", "resources": {},
                "podInjectPolicy": "BeforeAppContainer", "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
                "shareVolumePolicy": {"type": "disabled"},
                "transferEnv": [{"sourceContainerNameFrom": {"fieldRef": {"apiVersion": "v1",
                    "fieldPath": "metadata.annotations['src']"}}, "envName": "E"}]}]}),
    );
    let spec_with_env =
        json!({"containers": [{"name": "app", "env": [{"name": "E", "value": "e"}]}]});
    let out = inject(&pod(&spec_with_env, &[]), std::slice::from_ref(&ss), T0).expect("inject");
    assert_eq!(
        new_item(&out.patch.containers, "s")["env"][1],
        json!({"name": "E", "value": "e"})
    );

    ss.spec.patch_pod_metadata = vec![PatchPodMetadata {
        annotations: BTreeMap::from([("j".to_owned(), "{}".to_owned())]),
        patch_policy: "MergePatchJson".to_owned(),
    }];
    let err = inject(&pod(&spec, &[("j", "{x")]), &[ss], T0).expect_err("bad JSON");
    assert!(matches!(err, InjectError::PatchMetadata(_)), "{err:?}");
}

fn with_resources_policy(mut ss: SidecarSet, index: usize, policy: Value) -> SidecarSet {
    if let Some(obj) = ss.spec.containers[index].spec.as_object_mut() {
        obj.insert("resourcesPolicy".into(), policy);
    }
    ss
}

fn log_agent_policy() -> Value {
    json!({"targetContainersMode": "sum", "targetContainersNameRegex": ".*",
           "resourcesExpr": {"limits": {"cpu": "max(cpu*10%, 100m)", "memory": "max(memory*5%, 64Mi)"},
                             "requests": {"cpu": "cpu*5%", "memory": "memory*5%"}}})
}

#[test]
fn resources_policy_sizes_the_sidecar_from_the_app_containers() {
    // `applyResourcesPolicy`: the sidecar's `resources` is replaced; other SidecarSets' sidecars
    // and plain init containers are not targets; requests default to limits on the pod.
    let spec = json!({
    "initContainers": [
        {"name": "init-db", "image": "busybox", "resources": {"limits": {"cpu": "8", "memory": "8Gi"}}},
        {"name": "proxy", "image": "envoy", "restartPolicy": "Always",
         "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}},
    ],
    "containers": [
        {"name": "app", "image": "nginx", "resources": {"limits": {"cpu": "1500m", "memory": "1536Mi"},
                                                       "requests": {"cpu": "1", "memory": "1Gi"}}},
        {"name": "other-sidecar", "image": "x", "resources": {"limits": {"cpu": "4", "memory": "4Gi"}}},
    ]});
    let ss = with_resources_policy(docs_sample_a(), 0, log_agent_policy());
    let other = sidecarset(
        "other",
        json!({"containers": [sidecar(json!({"name": "other-sidecar", "image": "x", "resources": {}}),
               "AfterAppContainer", cold(), "disabled")]}),
    );
    let out = assert_idempotent(&spec, &[], &[ss, other]);
    assert_eq!(
        new_item(&out.patch.containers, "sidecar1")["resources"],
        json!({"limits": {"cpu": "200m", "memory": "107374182400m"},
               "requests": {"cpu": "75m", "memory": "80530636800m"}}),
        "memory*5% of 2Gi is 107374182.4 bytes: not whole, so Go prints it in DecimalSI millibytes"
    );
}

#[test]
fn resources_policy_applies_to_both_hot_upgrade_containers() {
    let spec = json!({"containers": [{"name": "app", "image": "nginx",
                                       "resources": {"limits": {"cpu": "2", "memory": "2Gi"}}}]});
    let mut ss = with_resources_policy(docs_sample_a(), 0, log_agent_policy());
    if let Some(obj) = ss.spec.containers[0].spec.as_object_mut() {
        obj.insert(
            "upgradeStrategy".into(),
            json!({"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "empty:1"}),
        );
    }
    let out = inject(&pod(&spec, &[]), &[ss], T0).expect("inject");
    let want = json!({"limits": {"cpu": "200m", "memory": "107374182400m"},
                      "requests": {"cpu": "100m", "memory": "107374182400m"}});
    assert_eq!(
        new_item(&out.patch.containers, "sidecar1-1")["resources"],
        want
    );
    assert_eq!(
        new_item(&out.patch.containers, "sidecar1-2")["resources"],
        want
    );
}

#[test]
fn resources_policy_failures_reject_the_pod() {
    let spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
    let policy = json!({"targetContainersMode": "max", "targetContainersNameRegex": "^main$",
                        "resourcesExpr": {"requests": {"cpu": "cpu*50%"}}});
    let ss = with_resources_policy(docs_sample_a(), 0, policy);
    let err = inject(&pod(&spec, &[]), &[ss], T0).expect_err("no targets");
    assert_eq!(
        err.to_string(),
        r#"SidecarSet test-sidecarset: container sidecar1: resourcesPolicy: no containers match the regex pattern "^main$": Kruise rejects the pod; fix the resourcesPolicy or the pod's containers"#
    );
    assert!(!err.is_unknowable());
    let policy = json!({"targetContainersMode": "sum", "targetContainersNameRegex": ".*",
                        "resourcesExpr": {"requests": {"cpu": "cpu - 1"}}});
    let ss = with_resources_policy(docs_sample_a(), 0, policy);
    let err = inject(&pod(&spec, &[]), &[ss], T0).expect_err("negative");
    assert!(
        err.to_string().contains(r#"failed to evaluate CPU requests expression: failed to parse expression "cpu - 1": calculation result is negative: -1"#),
        "{err}"
    );
    let policy = json!({"targetContainersMode": "sum", "targetContainersNameRegex": "\\pL",
                        "resourcesExpr": {"requests": {"cpu": "cpu"}}});
    let ss = with_resources_policy(docs_sample_a(), 0, policy);
    let err = inject(&pod(&spec, &[]), &[ss], T0).expect_err("unsupported");
    assert!(err.is_unknowable(), "{err}");
}

#[test]
fn is_injected_appended_without_dedupe_and_bad_timestamp() {
    let spec = json!({"containers": [{"name": "app"}]});
    let ss = sidecarset(
        "ss",
        json!({"hash": "h", "containers": [sidecar(json!({"name": "s", "image": "s",
            "env": [{"name": "IS_INJECTED", "value": "false"}], "resources": {}}),
            "BeforeAppContainer", cold(), "disabled")]}),
    );
    let out = inject(&pod(&spec, &[]), std::slice::from_ref(&ss), T0).expect("inject");
    assert_eq!(
        new_item(&out.patch.containers, "s")["env"],
        json!([{"name": "IS_INJECTED", "value": "false"}, {"name": "IS_INJECTED", "value": "true"}])
    );
    assert_eq!(
        inject(&pod(&spec, &[]), &[ss], "yesterday"),
        Err(InjectError::InvalidTimestamp("yesterday".into()))
    );
}

#[test]
fn docs_sample_a_from_the_sidecarset_document() {
    let ss = SidecarSet::from_value(&json!({
        "apiVersion": "apps.kruise.io/v1alpha1",
        "kind": "SidecarSet",
        "metadata": {"name": "test-sidecarset"},
        "spec": {
            "selector": {"matchLabels": {"app": "nginx"}},
            "containers": [{"name": "sidecar1", "image": "centos:6.7", "command": ["sleep", "999d"],
                "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}]}],
            "volumes": [{"name": "log-volume", "emptyDir": {}}],
        },
    }))
    .expect("valid SidecarSet");
    let spec = json!({"containers": [{"name": "app", "image": "nginx:1.15.1"}]});
    let from_document = inject(&pod(&spec, &[]), &[ss], T0).expect("inject");
    let literal = inject(&pod(&spec, &[]), &[docs_sample_a()], T0).expect("inject");
    assert_eq!(from_document, literal);
}

/// The injected container of a SidecarSet entry that does not depend on the pod is built once and
/// shared by every pod; one with `transferEnv` is built per pod from that pod's env.
#[test]
fn pod_independent_containers_are_built_once_and_shared() {
    let entry = |transfer: Value| {
        json!({
            "name": "sidecar", "image": "s:1",
            "podInjectPolicy": "AfterAppContainer",
            "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
            "shareVolumePolicy": {"type": "disabled"},
            "transferEnv": transfer,
        })
    };
    let shared = sidecarset(
        "shared",
        json!({"hash": "h", "containers": [entry(json!([]))]}),
    );
    let per_pod = sidecarset(
        "per-pod",
        json!({"hash": "h", "containers": [entry(json!([{"sourceContainerName": "main", "envName": "A"}]))]}),
    );
    let spec =
        |a: &str| json!({"containers": [{"name": "main", "env": [{"name": "A", "value": a}]}]});
    let sidecar = |ss: &SidecarSet, a: &str| {
        let out = inject(&pod(&spec(a), &[]), std::slice::from_ref(ss), T0).expect("inject");
        let items = out.patch.containers.expect("containers change");
        assert_eq!(items.len(), 2, "{items:?}");
        match &items[1] {
            ListItem::New(c) => c.clone(),
            ListItem::Keep(_) => std::sync::Arc::new(Value::Null),
        }
    };
    let (first, second) = (sidecar(&shared, "1"), sidecar(&shared, "2"));
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(
        first["env"],
        json!([{"name": "IS_INJECTED", "value": "true"}])
    );
    let (first, second) = (sidecar(&per_pod, "1"), sidecar(&per_pod, "2"));
    assert!(!std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(first["env"][1], json!({"name": "A", "value": "1"}));
    assert_eq!(second["env"][1], json!({"name": "A", "value": "2"}));
}

#[test]
fn containers_are_sorted_by_name_only_with_the_sort_gate() {
    // kruise v1.9 sidecarset.go: sidecarsetMutatingPod sorts init containers always, containers
    // only with EnableSortSidecarContainerByName.
    let ss = sidecarset(
        "zz",
        json!({
            "hash": "h", "hashWithoutImage": "w", "latestRevision": "zz-1",
            "containers": [
                {"name": "zeta", "image": "z", "podInjectPolicy": "BeforeAppContainer",
                 "upgradeStrategy": {"upgradeType": "ColdUpgrade"}, "shareVolumePolicy": {"type": "disabled"}},
                {"name": "alpha", "image": "a", "podInjectPolicy": "BeforeAppContainer",
                 "upgradeStrategy": {"upgradeType": "ColdUpgrade"}, "shareVolumePolicy": {"type": "disabled"}}
            ]
        }),
    );
    let spec = json!({"containers": [{"name": "app", "image": "app"}]});
    let names = |injection: &Injection| -> Vec<String> {
        let items = injection.patch.containers.as_deref().unwrap_or_default();
        items
            .iter()
            .map(|item| match item {
                ListItem::Keep(i) => spec["containers"][*i]["name"].to_string(),
                ListItem::New(v) => v["name"].to_string(),
            })
            .map(|name| name.trim_matches('"').to_owned())
            .collect()
    };
    let pod = pod(&spec, &[]);
    let default = inject(&pod, std::slice::from_ref(&ss), T0).expect("inject");
    assert_eq!(names(&default), ["zeta", "alpha", "app"]);
    let gates = FeatureGates::parse("EnableSortSidecarContainerByName=true").expect("gate");
    let sorted = super::inject(&pod, &[ss], T0, &gates).expect("inject");
    assert_eq!(names(&sorted), ["alpha", "zeta", "app"]);
}
