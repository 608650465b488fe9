//! Acceptance tests: every upstream hash vector (`hash_test.go`, `sidecarset_mutating_test.go`) and
//! four worked examples (A–D: docs samples, a native sidecar, a rich container), built from
//! user-style input through `schema` → `defaults` → `gojson` → `hashing`.

use serde_json::{Value, json};

use crate::hashing::{fnv1_32, safe_encode, sha256_hex};
use crate::{defaults, gojson, schema};

fn sidecar(input: Value, defaulted: bool) -> Value {
    let mut c = schema::sidecar_container(&input, "spec.containers[0]").expect("valid sidecar");
    if defaulted {
        defaults::container(&mut c);
    }
    c
}

fn strip_image(c: &Value) -> Value {
    let mut c = c.clone();
    if let Some(obj) = c.as_object_mut() {
        obj.insert("image".into(), json!(""));
    }
    schema::sidecar_container(&c, "").expect("valid")
}

/// `hash.go: encodeSidecarSetV1beta1`: `{"containers": …}` plus `initContainers` when one has
/// `restartPolicy: Always`.
fn encode(containers: &Value, init: &[Value]) -> String {
    let mut m = serde_json::Map::new();
    m.insert("containers".into(), containers.clone());
    if init.iter().any(|c| c["restartPolicy"] == "Always") {
        m.insert("initContainers".into(), Value::Array(init.to_vec()));
    }
    gojson::to_string(&Value::Object(m))
}

fn hash(encoded: &str) -> String {
    safe_encode(&sha256_hex(encoded.as_bytes()))
}

fn check(
    containers: &[Value],
    init: &[Value],
    want_json: &str,
    want_hash: &str,
    want_no_image: &str,
) {
    let list = if containers.is_empty() {
        Value::Null
    } else {
        Value::Array(containers.to_vec())
    };
    let encoded = encode(&list, init);
    assert_eq!(encoded, want_json);
    assert_eq!(hash(&encoded), want_hash);
    let no_img: Vec<Value> = containers.iter().map(strip_image).collect();
    let no_img_init: Vec<Value> = init.iter().map(strip_image).collect();
    let list = if no_img.is_empty() {
        Value::Null
    } else {
        Value::Array(no_img)
    };
    assert_eq!(hash(&encode(&list, &no_img_init)), want_no_image);
}

#[test]
fn upstream_hash_test_vectors() {
    // hash_test.go: TestSidecarSetHash (no defaulting).
    let c = sidecar(json!({"name": "container1", "image": "test-image"}), false);
    let plain_init = sidecar(json!({"name": "container1", "image": "test-image"}), false);
    let native_init = sidecar(
        json!({"name": "container1", "image": "test-image", "restartPolicy": "Always"}),
        false,
    );
    let want = r#"{"containers":[{"name":"container1","image":"test-image","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}"#;
    for init in [vec![], vec![plain_init.clone()]] {
        let encoded = encode(&Value::Array(vec![c.clone()]), &init);
        assert_eq!(encoded, want);
        assert_eq!(
            hash(&encoded),
            "w26c4x8fz245642fdv499b464248f974xddx4x55z5dw55bc6x66464fxz77dc78"
        );
    }
    let encoded = encode(
        &Value::Array(vec![c.clone()]),
        std::slice::from_ref(&native_init),
    );
    assert_eq!(
        encoded,
        r#"{"containers":[{"name":"container1","image":"test-image","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}],"initContainers":[{"name":"container1","image":"test-image","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}"#
    );
    assert_eq!(
        hash(&encoded),
        "4xwx4d4844vd4v9x79wb4xbxf4xb29475cc4446v8cz2c2f2f5c5bw448vd42z8w"
    );

    // TestSidecarSetHashWithoutImage.
    let encoded = encode(
        &Value::Array(vec![strip_image(&c)]),
        &[strip_image(&plain_init)],
    );
    assert_eq!(
        encoded,
        r#"{"containers":[{"name":"container1","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}"#
    );
    assert_eq!(
        hash(&encoded),
        "8wzddb4dvv9c6x8zdc77z4z75987424f457dfv6724ddw6zbdx467wz5x24fc759"
    );
    let encoded = encode(
        &Value::Array(vec![strip_image(&c)]),
        &[strip_image(&native_init)],
    );
    assert_eq!(
        encoded,
        r#"{"containers":[{"name":"container1","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}],"initContainers":[{"name":"container1","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}"#
    );
    assert_eq!(
        hash(&encoded),
        "5725fw8bwbx249bw57v5892c847dzf48bww9zb7c86xb95264fdz26654847b2c8"
    );
}

#[test]
fn upstream_mutating_webhook_vector() {
    // sidecarset_mutating_test.go, after defaulting.
    let c = sidecar(
        json!({"name": "dns-f", "image": "dns:1.0", "podInjectPolicy": "BeforeAppContainer",
               "upgradeStrategy": {"upgradeType": "ColdUpgrade"}, "shareVolumePolicy": {"type": "disabled"}}),
        true,
    );
    check(
        &[c],
        &[],
        r#"{"containers":[{"name":"dns-f","image":"dns:1.0","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}]}"#,
        "6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684",
        "82684vwf9d4cb4wz4vffx4ddfbb47ww4z4wwxdbwb8w2zbb7zvf4524cdd49bv94",
    );
}

#[test]
fn worked_example_a_docs_sample_and_revision() {
    let c = sidecar(
        json!({"name": "sidecar1", "image": "centos:6.7", "command": ["sleep", "999d"],
               "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}],
               "podInjectPolicy": "BeforeAppContainer", "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
               "shareVolumePolicy": {"type": "disabled"}}),
        true,
    );
    check(
        std::slice::from_ref(&c),
        &[],
        r#"{"containers":[{"name":"sidecar1","image":"centos:6.7","command":["sleep","999d"],"resources":{},"volumeMounts":[{"name":"log-volume","mountPath":"/var/log"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}]}"#,
        "4zbdc2xzc8w7c4x2c6984266bc9d7zf87x946v7xdfv988f6c6fc9b7dz47w8zd5",
        "wcv47954b7xv5w4fbw682bbf78cw2449448vbf4fvvwv77947bc7fcv7fw89f98x",
    );

    let mut vol = schema::volume(
        &json!({"name": "log-volume", "emptyDir": {}}),
        "spec.volumes[0]",
    )
    .expect("valid volume");
    defaults::volume(&mut vol);
    let data = json!({"spec": {
        "$patch": "replace",
        "volumes": [vol],
        "containers": [c],
        "initContainers": null,
        "imagePullSecrets": null,
        "patchPodMetadata": null,
    }});
    let raw = gojson::to_string_sorted(&data);
    assert_eq!(
        raw,
        r#"{"spec":{"$patch":"replace","containers":[{"command":["sleep","999d"],"image":"centos:6.7","imagePullPolicy":"IfNotPresent","name":"sidecar1","podInjectPolicy":"BeforeAppContainer","resources":{},"shareVolumePolicy":{"type":"disabled"},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"volumeMounts":[{"mountPath":"/var/log","name":"log-volume"}]}],"imagePullSecrets":null,"initContainers":null,"patchPodMetadata":null,"volumes":[{"emptyDir":{},"name":"log-volume"}]}}"#
    );
    let mut bytes = raw.into_bytes();
    bytes.extend_from_slice(b"0"); // collisionCount
    let name = format!(
        "test-sidecarset-{}",
        safe_encode(&fnv1_32(&bytes).to_string())
    );
    assert_eq!(name, "test-sidecarset-cf4bf7796");
}

#[test]
fn worked_example_b_hot_upgrade() {
    let c = sidecar(
        json!({"name": "sidecar", "image": "openkruise/hotupgrade-sample:sidecarv1", "imagePullPolicy": "Always",
               "lifecycle": {"postStart": {"exec": {"command": ["/bin/sh", "/migrate.sh"]}}},
               "podInjectPolicy": "BeforeAppContainer",
               "upgradeStrategy": {"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "openkruise/hotupgrade-sample:empty"},
               "shareVolumePolicy": {"type": "disabled"}}),
        true,
    );
    check(
        &[c],
        &[],
        r#"{"containers":[{"name":"sidecar","image":"openkruise/hotupgrade-sample:sidecarv1","resources":{},"lifecycle":{"postStart":{"exec":{"command":["/bin/sh","/migrate.sh"]}}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"Always","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"HotUpgrade","hotUpgradeEmptyImage":"openkruise/hotupgrade-sample:empty"},"shareVolumePolicy":{"type":"disabled"}}]}"#,
        "8z89b4xb4xxbx2bz4xf99c25v4z4fzv296wd245vwc9z2vf4wz4c747c654z825b",
        "xw4c5bc2cvw74vz4wfc8c9dz96c698c824vz4444w4cf277vz5f77dz4b5d52849",
    );
}

#[test]
fn worked_example_c_native_sidecar_only() {
    let init = sidecar(
        json!({"name": "sidecar", "image": "nginx:alpine", "restartPolicy": "Always",
               "lifecycle": {"postStart": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}},
               "podInjectPolicy": "AfterAppContainer", "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
               "shareVolumePolicy": {"type": "disabled"}}),
        true,
    );
    check(
        &[],
        &[init],
        r#"{"containers":null,"initContainers":[{"name":"sidecar","image":"nginx:alpine","resources":{},"restartPolicy":"Always","lifecycle":{"postStart":{"exec":{"command":["/bin/sh","-c","sleep 10"]}}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"AfterAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}]}"#,
        "5x5w8548dbbb6fwbf4d58v65w48vfx4c5vc6d7ccc4x4fv97c689c444z2z4f699",
        "v59vv9cxbfz589dzw46f25z74bwwv5wv4x8v4ww4vcvb864c58cxv4c87bc74d94",
    );
}

#[test]
fn worked_example_d_rich_container() {
    // Keys deliberately out of Go order, plus an unknown field.
    let c = sidecar(
        json!({"transferEnv": [{"envName": "PROXY_IP", "sourceContainerName": "main"}],
               "image": "envoy:v1.2.3", "name": "proxy", "args": ["--log-level", "info"],
               "ports": [{"containerPort": 15000, "name": "admin"}],
               "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                       {"value": "a<b&c", "name": "MODE"}],
               "resources": {"requests": {"memory": "64Mi", "cpu": "100m"}, "limits": {"memory": "128Mi", "cpu": 0.5}},
               "volumeMounts": [{"mountPath": "/etc/envoy", "name": "conf", "readOnly": true}],
               "livenessProbe": {"httpGet": {"port": 15000}},
               "podInjectPolicy": "AfterAppContainer", "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
               "shareVolumePolicy": {"type": "enabled"}, "notAField": 1}),
        true,
    );
    check(
        &[c],
        &[],
        r#"{"containers":[{"name":"proxy","image":"envoy:v1.2.3","args":["--log-level","info"],"ports":[{"name":"admin","containerPort":15000,"protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"MODE","value":"a\u003cb\u0026c"}],"resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"volumeMounts":[{"name":"conf","readOnly":true,"mountPath":"/etc/envoy"}],"livenessProbe":{"httpGet":{"path":"/","port":15000,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"AfterAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"enabled"},"transferEnv":[{"sourceContainerName":"main","envName":"PROXY_IP"}]}]}"#,
        "fcf8v652z94f925x2w8v27x7fvdzx8cbdwv72vf255wx4xv58x5f9wv5f2967b72",
        "cz28bz6bf524f6xv5w8xwdv7fd892b74895z246cwc5fz27bx446ww669d8dv6v4",
    );
}
