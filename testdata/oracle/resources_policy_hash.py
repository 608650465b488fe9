"""Independent oracle for testdata/resources-policy/log-agent-sidecarset.yaml: the SidecarSet hashes
and ControllerRevision name computed by hand from `hash.go` and `history_control.go`, with the resourcesPolicy in the
hashed container JSON in Go field order (v1beta1 ResourcesPolicy: targetContainersMode,
targetContainersNameRegex, resourcesExpr{limits{cpu,memory}, requests{cpu,memory}}), after the CRD
default of targetContainersNameRegex (".*" when absent).
Run: python3 testdata/oracle/resources_policy_hash.py"""
import hashlib, json

def container(regex):
    policy = {"targetContainersMode": "sum"}
    policy["targetContainersNameRegex"] = regex
    policy["resourcesExpr"] = {
        "limits": {"cpu": "max(cpu*10%, 100m)", "memory": "max(memory*25%, 128Mi)"},
        "requests": {"cpu": "max(cpu*5%, 25m)", "memory": "64Mi"},
    }
    return {  # corev1.Container fields in Go order, after Kruise defaulting (`SetDefaultsSidecarSetV1beta1`), then SidecarContainer's
        "name": "fluent-bit",
        "image": "fluent/fluent-bit:3.1.9",
        "resources": {},
        "volumeMounts": [{"name": "app-logs", "readOnly": True, "mountPath": "/var/log/app"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "podInjectPolicy": "AfterAppContainer",
        "upgradeStrategy": {"upgradeType": "ColdUpgrade"},
        "shareVolumePolicy": {"type": "disabled"},
        "resourcesPolicy": policy,
    }

volumes = [{"name": "app-logs", "emptyDir": {}}]

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

for label, regex in [("log-agent", "^(web|worker)$"), ("log-agent, regex absent (CRD default)", ".*")]:
    c = container(regex)
    no_image = {k: v for k, v in c.items() if k != "image"}
    data = go_json({"spec": {"$patch": "replace", "containers": [c], "imagePullSecrets": None,
                             "initContainers": None, "patchPodMetadata": None, "volumes": volumes}}, sort=True)
    print(label)
    print("  hash", kruise_hash([c]))
    print("  hash-without-image", kruise_hash([no_image]))
    print("  revision", "log-agent-" + safe_encode(str(fnv1_32(data.encode() + b"0"))))
