#!/usr/bin/env python3
"""Generates a synthetic GitOps repository for the kruise-inject benchmark.

    bench/gen.py OUT --workloads N --sidecarsets K [--seed S]
    bench/gen.py OUT --pods N [--seed S] [--bin PATH]          (the rollout benchmark, issue 14)
    bench/gen.py OUT --resource-list                            (the krm benchmark, issue 14)

OUT/
  apps/team-XX/app-XXXX.yaml   N workloads of every supported kind, 1-50 documents per file (each
                               file also holds a Service or ConfigMap now and then: documents that
                               pass through), ~1.5-3 KB per workload, comments, quoted strings
  platform/sidecarsets.yaml    K SidecarSets; SidecarSet i selects pods labelled bench.io/sc-i=on,
                               and each workload carries each such label with probability 1/2;
                               it mounts the ConfigMap agent-i-config, which is not among the
                               inputs: `validate` finds the same missing ConfigMap on every workload
                               it selects in a namespace (37 namespaces team-XX)
  kustomization.yaml           the peer: the same workloads, with one JSON 6902 patch per
                               (SidecarSet, pod path) that adds the same container, volume and
                               annotation to the workloads whose labels select it

With --pods N (the `rollout` benchmark) instead:
OUT/
  pods.yaml                    `kubectl get pods -A -o yaml` of N pods (a v1 List, ~5 KB a pod) of
                               shop deployments in 37 namespaces over 3 zones, injected with the
                               SidecarSets log-agent and metrics at their old images: Running and
                               Ready at varying times, 3 % not ready, some restarted
  sidecarsets/NAME.yaml        the new log-agent (only its image changed) with one update strategy
                               each: default (maxUnavailable 1), percent (maxUnavailable 10%),
                               partition (partition 20%, maxUnavailable 5), priority
                               (weightPriority + scatter zone=*), scatter (scatter zone=*)
  sidecarsets/metrics.yaml     the new metrics SidecarSet (maxUnavailable 2), for runs with two
With --resource-list (the `krm` benchmark, issue 14), after the repository was generated in OUT:
OUT/resource-list.yaml         a KRM ResourceList (config.kubernetes.io/v1) of every document of
                               OUT/platform and OUT/apps in sorted file order, as `kpt fn source`
                               writes one: each item indented under `items:`, with the
                               config.kubernetes.io/path and /index annotations (and kpt's
                               internal.config.kubernetes.io ones), comments kept; no functionConfig
The hash annotations come from `kruise-inject render` of one pod with the old SidecarSets (--bin,
default target/release/kruise-inject), so that the pods are in-place upgradable.
Deterministic for a given seed. Only the standard library.
"""

import argparse
import datetime
import os
import random
import subprocess
import tempfile

KINDS = [
    # (apiVersion, kind, path to the pod template's parent, weight)
    ("apps/v1", "Deployment", "spec/template", 40),
    ("apps/v1", "StatefulSet", "spec/template", 12),
    ("apps/v1", "DaemonSet", "spec/template", 6),
    ("batch/v1", "Job", "spec/template", 6),
    ("batch/v1", "CronJob", "spec/jobTemplate/spec/template", 8),
    ("v1", "Pod", "", 4),
    ("apps.kruise.io/v1alpha1", "CloneSet", "spec/template", 16),
    ("apps.kruise.io/v1beta1", "StatefulSet", "spec/template", 8),
]


def sidecar_container(i):
    return f"""\
- name: agent-{i}
  image: registry.example.com/platform/agent-{i}:1.{i}.0
  args: ["--config", "/etc/agent/agent.yaml", "--log-level", "info"]
  env:
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: POD_NAMESPACE
    valueFrom:
      fieldRef:
        fieldPath: metadata.namespace
  - name: AGENT_ENDPOINT
    value: "collector.platform.svc:4317"
  resources:
    requests: {{cpu: 50m, memory: 64Mi}}
    limits: {{cpu: 200m, memory: 128Mi}}
  volumeMounts:
  - name: agent-{i}-config
    mountPath: /etc/agent
    readOnly: true
"""


def sidecar_volume(i):
    return f"""\
- name: agent-{i}-config
  configMap:
    name: agent-{i}-config
"""


def item_body(text):
    """A one-item block sequence (`- a: 1` + continuation lines) as the item's own mapping."""
    lines = text.splitlines(True)
    return "".join([lines[0][2:]] + [line[2:] for line in lines[1:]])


def indent(text, n):
    pad = " " * n
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def sidecarset(i):
    return f"""\
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: agent-{i}
spec:
  selector:
    matchLabels:
      bench.io/sc-{i}: "on"
  containers:
{indent(sidecar_container(i), 2)}  volumes:
{indent(sidecar_volume(i), 2)}"""


def pod_spec(rng, name, labels, restart):
    """A pod template's metadata and spec, at indentation 0."""
    label_lines = "".join(f'    {k}: "{v}"\n' if v == "on" else f"    {k}: {v}\n" for k, v in labels)
    containers = []
    for c in range(rng.choice([1, 1, 1, 2, 3])):
        cname = "app" if c == 0 else f"helper-{c}"
        env = "".join(
            f'  - name: SETTING_{e}\n    value: "{rng.randrange(10**6)}"\n' for e in range(rng.randrange(2, 8))
        )
        containers.append(f"""\
- name: {cname}
  image: registry.example.com/{name}/{cname}:v{rng.randrange(1, 9)}.{rng.randrange(30)}.{rng.randrange(30)}
  imagePullPolicy: IfNotPresent
  ports:
  - containerPort: {8080 + c}
    name: http-{c}
    protocol: TCP
  env:
{env}  - name: LOG_FORMAT
    value: json  # keep in sync with the collector
  resources:
    requests:
      cpu: {rng.choice(["100m", "250m", "500m", "1"])}
      memory: {rng.choice(["128Mi", "256Mi", "512Mi", "1Gi"])}
    limits:
      memory: {rng.choice(["256Mi", "512Mi", "1Gi", "2Gi"])}
  readinessProbe:
    httpGet:
      path: /healthz
      port: {8080 + c}
    periodSeconds: 10
  volumeMounts:
  - name: data
    mountPath: /var/lib/{cname}
""")
    restart_line = f"  restartPolicy: {restart}\n" if restart else ""
    return f"""\
metadata:
  labels:
{label_lines}  annotations:
    prometheus.io/scrape: "true"
    prometheus.io/port: "8080"
spec:
{restart_line}  serviceAccountName: {name}
  securityContext:
    runAsNonRoot: true
    fsGroup: 2000
  containers:
{indent("".join(containers), 2)}  volumes:
  - name: data
    emptyDir: {{}}
"""


def workload(rng, index, k):
    api, kind, path, _ = rng.choices(KINDS, weights=[w[3] for w in KINDS])[0]
    name = f"app-{index:06d}"
    namespace = f"team-{index % 37:02d}"
    labels = [("app.kubernetes.io/name", name), ("app.kubernetes.io/part-of", namespace)]
    labels += [(f"bench.io/sc-{i}", "on") for i in range(k) if rng.random() < 0.5]
    restart = "OnFailure" if kind in ("Job", "CronJob") else ""
    pod = pod_spec(rng, name, labels, restart)
    meta_labels = "".join(f'    {k_}: "{v}"\n' for k_, v in labels)
    head = f"""\
# {kind} {name}: owned by {namespace}
apiVersion: {api}
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
  labels:
{meta_labels}"""
    selector = f"""\
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
"""
    if kind == "Pod":
        body = pod
        body = body.replace("metadata:\n  labels:\n", "", 1)
        # A Pod: metadata labels already in head, spec at the root.
        body = body[body.index("spec:\n") :]
        doc = head + '  annotations:\n    prometheus.io/scrape: "true"\n' + body
    elif kind == "CronJob":
        doc = (
            head
            + f'spec:\n  schedule: "{rng.randrange(60)} * * * *"\n  jobTemplate:\n    spec:\n      template:\n'
            + indent(pod, 8)
        )
    elif kind == "Job":
        doc = head + "spec:\n  backoffLimit: 3\n  template:\n" + indent(pod, 4)
    else:
        replicas = "" if kind == "DaemonSet" else f"  replicas: {rng.randrange(1, 6)}\n"
        extra = f"  serviceName: {name}\n" if kind == "StatefulSet" else ""
        doc = head + "spec:\n" + replicas + extra + selector + "  template:\n" + indent(pod, 4)
    matched = [i for i in range(k) if (f"bench.io/sc-{i}", "on") in labels]
    return doc, kind, path, matched


def passthrough(rng, index):
    name = f"app-{index:06d}"
    if rng.random() < 0.5:
        return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
  - port: 80
    targetPort: 8080
"""
    return f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-settings
data:
  settings.json: |
    {{"feature": "on", "threshold": {rng.randrange(100)}}}
"""


def kustomize_patches(k, paths):
    """One JSON 6902 patch per (SidecarSet, pod path, kind)."""
    out = []
    for i in range(k):
        for path, kinds in sorted(paths.items()):
            prefix = "/" + path + "/" if path else "/"
            ops = f"""\
    - op: add
      path: {prefix}spec/containers/-
      value:
{indent(item_body(sidecar_container(i)), 8)}    - op: add
      path: {prefix}spec/volumes/-
      value:
{indent(item_body(sidecar_volume(i)), 8)}    - op: add
      path: {prefix}metadata/annotations/kruise.io~1sidecarset-injected-list
      value: agent-{i}
"""
            for kind in sorted(kinds):
                out.append(
                    f"""\
- target:
    kind: {kind}
    labelSelector: bench.io/sc-{i}=on
  patch: |-
{ops}"""
                )
    return "".join(out)


# --- rollout: a pod dump (issue 14) -----------------------------------------------------------

ROLLOUT_STRATEGIES = {
    "default": "",
    "percent": "    maxUnavailable: 10%\n",
    "partition": "    partition: 20%\n    maxUnavailable: 5\n",
    "priority": """\
    priorityStrategy:
      weightPriority:
      - weight: 50
        matchSelector:
          matchLabels:
            tier: canary
      - weight: 10
        matchSelector:
          matchExpressions:
          - {key: zone, operator: In, values: [zone-b]}
    scatterStrategy:
    - key: zone
      value: "*"
""",
    "scatter": """\
    scatterStrategy:
    - key: zone
      value: "*"
""",
}


DEFAULT_STRATEGY = "    type: RollingUpdate\n"


def rollout_sidecarset(name, container, image, strategy):
    return f"""\
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/part-of: shop
  updateStrategy:
{strategy or DEFAULT_STRATEGY}  containers:
  - name: {container}
    image: {image}
    env:
    - name: LOG_LEVEL
      value: info
"""


def injected_annotations(binary):
    """The kruise.io/sidecarset-* annotation lines `kruise-inject render` writes into a pod injected
    with the old log-agent and metrics."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "ss.yaml"), "w") as f:
            f.write(rollout_sidecarset("log-agent", "log-agent", "registry.example.com/platform/log-agent:1.4.0", ""))
            f.write("---\n")
            f.write(rollout_sidecarset("metrics", "exporter", "prom/exporter:1.0", ""))
        with open(os.path.join(d, "pod.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n"
                    "    app.kubernetes.io/part-of: shop\nspec:\n  containers:\n  - name: app\n    image: app:1\n")
        out = subprocess.run([binary, "render", os.path.join(d, "pod.yaml"), "-s", os.path.join(d, "ss.yaml"),
                              "--timestamp", "2024-05-01T10:00:00Z"], check=True, capture_output=True, text=True).stdout
    lines = [l.strip() for l in out.splitlines() if l.strip().startswith("kruise.io/sidecarset-")]
    if len(lines) != 3:
        raise SystemExit(f"unexpected render output:\n{out}")
    return lines


def time_at(seconds):
    t = 1711965600 + seconds  # from 2024-04-01T10:00:00Z
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(rng):
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def rollout_pod(rng, i, annotations):
    ns = f"team-{i % 37:02d}"
    deploy = f"shop-{(i // 7) % 997:03d}"
    rs = f"{deploy}-{rng.randrange(16**9):09x}"
    name = f"{rs}-{rng.randrange(36**5):05d}"
    zone = f"zone-{'abc'[rng.randrange(3)]}"
    created = rng.randrange(0, 30 * 86400)
    tier = "canary" if rng.random() < 0.05 else "main"
    state = rng.random()
    pending = False  # a pending pod (no container statuses) would stay unavailable and stall the rollout
    ready = state >= 0.03
    restarts = rng.choice([0, 0, 0, 0, 0, 1, 2, 5])
    ready_at = time_at(created + rng.randrange(20, 600))
    node = "" if pending else f"node-{rng.randrange(400):03d}"
    containers = [("log-agent", "registry.example.com/platform/log-agent:1.4.0", "registry.example.com/platform/log-agent"),
                  ("exporter", "prom/exporter:1.0", "prom/exporter"),
                  ("shop", f"registry.example.com/shop:3.{rng.randrange(20)}", "registry.example.com/shop")]
    spec = "".join(f"""\
    - env:
      - name: IS_INJECTED
        value: 'true'
      image: {image}
      imagePullPolicy: IfNotPresent
      name: {cname}
      resources: {{}}
      terminationMessagePath: /dev/termination-log
      terminationMessagePolicy: File
      volumeMounts:
      - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
        name: kube-api-access-{name[-5:]}
        readOnly: true
""" for cname, image, _ in containers)
    statuses = "" if pending else "".join(f"""\
    - containerID: containerd://{digest(rng)}
      image: {image}
      imageID: {repo}@sha256:{digest(rng)}
      lastState: {{}}
      name: {cname}
      ready: {"true" if ready else "false"}
      restartCount: {restarts if cname == "shop" else 0}
      started: {"true" if ready else "false"}
      state:
        running:
          startedAt: '{ready_at}'
""" for cname, image, repo in containers)
    node_line = f"    nodeName: {node}\n" if node else ""
    ann = "".join(f"      {a}\n" for a in annotations)
    ready_s = "'True'" if ready else "'False'"
    reason = "" if ready else "      reason: ContainersNotReady\n      message: 'containers with unready status: [shop]'\n"
    conditions = f"""\
    - lastProbeTime: null
      lastTransitionTime: '{time_at(created)}'
      status: 'True'
      type: Initialized
    - lastProbeTime: null
      lastTransitionTime: '{ready_at}'
{reason}      status: {ready_s}
      type: Ready
    - lastProbeTime: null
      lastTransitionTime: '{ready_at}'
{reason}      status: {ready_s}
      type: ContainersReady
    - lastProbeTime: null
      lastTransitionTime: '{time_at(created)}'
      status: 'True'
      type: PodScheduled
"""
    if pending:
        conditions = f"""\
    - lastProbeTime: null
      lastTransitionTime: '{time_at(created)}'
      message: '0/400 nodes are available: 400 Insufficient cpu.'
      reason: Unschedulable
      status: 'False'
      type: PodScheduled
"""
    return f"""\
- apiVersion: v1
  kind: Pod
  metadata:
    annotations:
{ann}    creationTimestamp: '{time_at(created)}'
    generateName: {rs}-
    labels:
      app.kubernetes.io/name: {deploy}
      app.kubernetes.io/part-of: shop
      pod-template-hash: '{rs[-9:]}'
      tier: {tier}
      zone: {zone}
    name: {name}
    namespace: {ns}
    ownerReferences:
    - apiVersion: apps/v1
      blockOwnerDeletion: true
      controller: true
      kind: ReplicaSet
      name: {rs}
      uid: {digest(rng)[:8]}-{digest(rng)[:4]}-4{digest(rng)[:3]}-8{digest(rng)[:3]}-{digest(rng)[:12]}
    resourceVersion: '{rng.randrange(10**7)}'
    uid: {digest(rng)[:8]}-{digest(rng)[:4]}-4{digest(rng)[:3]}-8{digest(rng)[:3]}-{digest(rng)[:12]}
  spec:
    containers:
{spec}    dnsPolicy: ClusterFirst
    enableServiceLinks: true
{node_line}    preemptionPolicy: PreemptLowerPriority
    priority: 0
    restartPolicy: Always
    schedulerName: default-scheduler
    securityContext: {{}}
    serviceAccount: default
    serviceAccountName: default
    terminationGracePeriodSeconds: 30
    tolerations:
    - effect: NoExecute
      key: node.kubernetes.io/not-ready
      operator: Exists
      tolerationSeconds: 300
    - effect: NoExecute
      key: node.kubernetes.io/unreachable
      operator: Exists
      tolerationSeconds: 300
    volumes:
    - name: kube-api-access-{name[-5:]}
      projected:
        defaultMode: 420
        sources:
        - serviceAccountToken:
            expirationSeconds: 3607
            path: token
        - configMap:
            items:
            - key: ca.crt
              path: ca.crt
            name: kube-root-ca.crt
  status:
    conditions:
{conditions}{"    containerStatuses:" + chr(10) if statuses else ""}{statuses}    hostIP: 10.0.{rng.randrange(256)}.{rng.randrange(256)}
    phase: {"Pending" if pending else "Running"}
    podIP: 10.244.{rng.randrange(256)}.{rng.randrange(256)}
    qosClass: BestEffort
    startTime: '{time_at(created)}'
"""


def rollout_main(out, n, seed, binary):
    rng = random.Random(seed)
    annotations = injected_annotations(binary)
    os.makedirs(os.path.join(out, "sidecarsets"), exist_ok=True)
    for name, strategy in ROLLOUT_STRATEGIES.items():
        with open(os.path.join(out, "sidecarsets", f"{name}.yaml"), "w") as f:
            f.write(rollout_sidecarset("log-agent", "log-agent", "registry.example.com/platform/log-agent:1.5.0", strategy))
    with open(os.path.join(out, "sidecarsets", "metrics.yaml"), "w") as f:
        f.write(rollout_sidecarset("metrics", "exporter", "prom/exporter:1.1", "    maxUnavailable: 2\n"))
    with open(os.path.join(out, "pods.yaml"), "w") as f:
        f.write("apiVersion: v1\nitems:\n")
        for i in range(n):
            f.write(rollout_pod(rng, i, annotations))
        f.write("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
    print(f"{out}: {n} pods")


# --- krm: a ResourceList of a generated repository (issue 14) ------------------------------------


def kpt_annotations(path, index, pad):
    return "".join(f"{pad}{key}: '{value}'\n" for key, value in [
        ("config.kubernetes.io/index", index), ("config.kubernetes.io/path", path),
        ("internal.config.kubernetes.io/index", index), ("internal.config.kubernetes.io/path", path),
        ("internal.config.kubernetes.io/seqindent", "compact")])


def resource_list_item(doc, path, index):
    """One document as a ResourceList item: kpt's annotations added to its metadata, indented by 2
    under `- ` (a leading comment stays on the dash line, as kpt writes it)."""
    ann = kpt_annotations(path, index, "    ")
    if "\n  annotations:\n" in doc:
        doc = doc.replace("\n  annotations:\n", "\n  annotations:\n" + ann, 1)
    else:
        doc = doc.replace("\nmetadata:\n", "\nmetadata:\n  annotations:\n" + ann, 1)
    lines = doc.splitlines(True)
    return "- " + lines[0] + "".join("  " + l if l.strip() else l for l in lines[1:])


def resource_list_main(out):
    files = []
    for top in ("platform", "apps"):
        for d, _, names in os.walk(os.path.join(out, top)):
            files += [os.path.join(d, n) for n in names if n.endswith(".yaml")]
    files.sort(key=lambda f: os.path.relpath(f, out))
    n = 0
    with open(os.path.join(out, "resource-list.yaml"), "w") as f:
        f.write("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
        for path in files:
            rel = os.path.relpath(path, out)
            with open(path) as src:
                docs = src.read().split("---\n")
            for i, doc in enumerate(docs):
                f.write(resource_list_item(doc, rel, i))
                n += 1
    print(f"{out}/resource-list.yaml: {n} items")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--workloads", "-n", type=int)
    p.add_argument("--pods", type=int, help="write a pod dump for the rollout benchmark instead")
    p.add_argument("--bin", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                 "target", "release", "kruise-inject"))
    p.add_argument("--sidecarsets", "-k", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--resource-list", action="store_true",
                   help="write OUT/resource-list.yaml from the repository already generated in OUT")
    a = p.parse_args()
    if a.resource_list:
        resource_list_main(a.out)
        return
    if a.pods is not None:
        rollout_main(a.out, a.pods, a.seed, a.bin)
        return
    if a.workloads is None:
        p.error("--workloads or --pods is required")
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "platform"), exist_ok=True)
    with open(os.path.join(a.out, "platform", "sidecarsets.yaml"), "w") as f:
        f.write("---\n".join(sidecarset(i) for i in range(a.sidecarsets)))
    files = []
    paths = {}
    index = 0
    docs = 0
    while index < a.workloads:
        size = min(rng.choice([1, 1, 1, 2, 3, 5, 8, 13, 20, 50]), a.workloads - index)
        team = f"team-{index % 37:02d}"
        rel = os.path.join("apps", team, f"app-{index:06d}.yaml")
        parts = []
        for _ in range(size):
            doc, kind, path, _ = workload(rng, index, a.sidecarsets)
            paths.setdefault(path, set()).add(kind)
            parts.append(doc)
            if rng.random() < 0.15:
                parts.append(passthrough(rng, index))
            index += 1
        docs += len(parts)
        os.makedirs(os.path.join(a.out, "apps", team), exist_ok=True)
        with open(os.path.join(a.out, rel), "w") as f:
            f.write("---\n".join(parts))
        files.append(rel)
    with open(os.path.join(a.out, "kustomization.yaml"), "w") as f:
        f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
        f.write("".join(f"- {r}\n" for r in files))
        f.write("patches:\n" + kustomize_patches(a.sidecarsets, paths))
    print(f"{a.out}: {a.workloads} workloads, {docs} documents in {len(files)} files, {a.sidecarsets} SidecarSets")


if __name__ == "__main__":
    main()
