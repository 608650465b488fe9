"""Independent oracle for the Filebeat example: the SidecarSet hashes and ControllerRevision name
computed by hand from `hash.go` and `history_control.go` (Go field order written out literally), to
cross-check the Rust implementation end to end. Run: python3 testdata/oracle/filebeat_hash.py"""
import hashlib, json

def probe(script):
    return {"exec": {"command": ["sh", "-c", script]},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}

container = {  # corev1.Container fields in Go order, after Kruise defaulting (`SetDefaultsSidecarSetV1beta1`)
    "name": "filebeat",
    "image": "docker.elastic.co/beats/filebeat:7.16.2",
    "args": ["-c", "/etc/filebeat.yml", "-e"],
    "env": [{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}],
    "resources": {"limits": {"cpu": "1", "memory": "200Mi"}, "requests": {"cpu": "100m", "memory": "100Mi"}},
    "volumeMounts": [
        {"name": "config", "readOnly": True, "mountPath": "/etc/filebeat.yml", "subPath": "filebeat.yml"},
        {"name": "varlog", "readOnly": True, "mountPath": "/var/log"},
    ],
    "livenessProbe": probe("#!/usr/bin/env bash -e\ncurl --fail 127.0.0.1:5066\n"),
    "readinessProbe": probe("#!/usr/bin/env bash -e\nfilebeat test output\n"),
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "imagePullPolicy": "IfNotPresent",
    "podInjectPolicy": "BeforeAppContainer",
    "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
    "shareVolumePolicy": {"type": "disabled"},
}
volumes = [{"name": "config", "configMap": {"name": "filebeat-config", "defaultMode": 420}},
           {"name": "varlog", "emptyDir": {}}]

def go_json(v, sort=False):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False, sort_keys=sort)

def safe_encode(s):
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[ord(c) % 27] for c in s)

def kruise_hash(containers):
    return safe_encode(hashlib.sha256(go_json({"containers": containers}).encode()).hexdigest())

def fnv1_32(data):
    h = 2166136261
    for b in data:
        h = (h * 16777619) & 0xFFFFFFFF
        h ^= b
    return h

no_image = {k: v for k, v in container.items() if k != "image"}
data = go_json({"spec": {"$patch": "replace", "containers": [container], "imagePullSecrets": None,
                         "initContainers": None, "patchPodMetadata": None, "volumes": volumes}}, sort=True)
print("hash", kruise_hash([container]))
print("hash-without-image", kruise_hash([no_image]))
print("revision", "filebeat-sidecarset-" + safe_encode(str(fnv1_32(data.encode() + b"0"))))
# After name collisions the controller appends status.collisionCount instead of 0.
print("revision-collision-1", "filebeat-sidecarset-" + safe_encode(str(fnv1_32(data.encode() + b"1"))))
print("revision-collision-2", "filebeat-sidecarset-" + safe_encode(str(fnv1_32(data.encode() + b"2"))))
