#!/usr/bin/env python3
"""The kruise-inject render benchmark (issue 7), rollout and validate benchmarks (issue 14). See the
README section "Performance and the benchmark".

    bench/run.py [--sizes 1000,10000,100000] [--k 8] [--k-sweep 2,8,32] [--k-sweep-n 10000]
                 [--repeat 3] [--kustomize-max-n 1000] [--kustomize-timeout 600] [--dir DIR]
                 [--rollout-sizes 1000,10000,100000] [--only render|rollout|validate|uninject|krm]
                 [--validate-sizes 1000,20000]
                 [--strategies default,percent,partition,priority,scatter] [--rollout-timeout 600]
                 [--baseline BIN] [--baseline-max-n 2000] [--bin BIN]
                 [--uninject-sizes 10000,20000] [--uninject-k 2]
                 [--krm-sizes 1000,10000] [--krm-k 2] [--kpt-max-n 10000] [--kpt-timeout 600]

For every size N it generates (once, cached in DIR) a repository with bench/gen.py and measures, in
one run, with /usr/bin/time (wall clock, peak RSS):
  render     kruise-inject render DIR/apps -s DIR/platform          (all cores)
  render-1   the same with KRUISE_INJECT_THREADS=1                   (one core)
  floor      the same with KRUISE_INJECT_BENCH_FLOOR=1: read, parse (tree::parse + to_value),
             write back unchanged, through the same pipeline, no context pass, no injection
  kustomize  kubectl kustomize DIR (the same sidecars added with JSON 6902 patches), when
             N <= --kustomize-max-n; killed after --kustomize-timeout seconds (then reported as ">")
render, render-1 and floor run in turn --repeat times (so that a slow spell of a shared machine
hits all three alike); times and RSS are the best run of each, and render/floor is the median of
the ratios of the runs made back to back. kustomize: one run. Output goes to /dev/null. Prints a
Markdown report on stdout.

Rollout rows (issue 14; `--only rollout` runs just these): for every N of --rollout-sizes, a pod
dump of N pods (bench/gen.py --pods, cached in DIR) and, per update strategy of --strategies (the
new log-agent SidecarSet with that strategy; `default` is maxUnavailable 1, one pod a round):
  rollout    kruise-inject rollout DIR/pods.yaml -s DIR/sidecarsets/S.yaml --rounds all -o json
  render     kruise-inject render DIR/pods.yaml -s DIR/sidecarsets/S.yaml (the same pods, the
             same SidecarSet: the yardstick of the target "rollout <= 2x render")
  baseline   --baseline BIN (e.g. a build of the commit before issue 14) for N <= --baseline-max-n
rollout and render run in turn --repeat times; best wall-clock times, user + system CPU times and
peak RSS; rollout/render and the CPU ratio are medians of the back-to-back ratios (CPU time is less
disturbed by a loaded machine than wall clock); "KB/pod" is (RSS - input size) / N. A run over
--rollout-timeout seconds is stopped and reported as ">". No other tool simulates Kruise's
SidecarSet rollout, so there is no peer column.

Validate rows (issue 14; `--only validate` runs just these): for every N of --validate-sizes, the
render repository of N workloads and --k SidecarSets (bench/gen.py, cached in DIR):
  validate   kruise-inject validate DIR/apps -s DIR/platform            (text, to /dev/null)
  render     kruise-inject render DIR/apps -s DIR/platform              (the yardstick of the target
             "validate's peak memory <= 2x render's on the same input")
validate and render run in turn --repeat times; best wall-clock and user + system CPU times, the
highest peak RSS of the runs; the ratios are medians of the back-to-back ratios. The findings repeat: every SidecarSet
of the generator mounts a ConfigMap agent-I-config that is not among the inputs, so each workload
it selects has the same `missing-reference` error as every other workload of its namespace. One
more run of each of `-o json` and text counts the findings (occurrences: `errors` + `warnings`),
the distinct findings (severity, rule, message) and the lines of the text output.
uninject rows (issue 14; `--only uninject`): for every N of --uninject-sizes, the repository of N
workloads with --uninject-k SidecarSets, rendered once into one stream DIR/rendered.yaml (cached):
  uninject       kruise-inject uninject DIR/rendered.yaml              (one file, one stream)
  render stream  kruise-inject render DIR/rendered.yaml -s DIR/platform  (the same input)
  render         kruise-inject render DIR/apps -s DIR/platform           (the workloads as files)
krm rows (issue 14; `--only krm`): for every N of --krm-sizes, the same repository as one KRM
ResourceList (bench/gen.py --resource-list: every document of DIR/apps and DIR/platform, the
SidecarSets among the items):
  krm            kruise-inject krm < DIR/resource-list.yaml
  render         kruise-inject render DIR/apps -s DIR/platform (the same workloads)
  kpt cat        kpt fn eval - --exec cat < DIR/resource-list.yaml: kpt itself around a no-op
                 function (the peer), when kpt is installed and N <= --kpt-max-n
Each runs --repeat times in turn; best wall clock, user + system CPU and peak RSS, and the median
of the back-to-back ratios.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kruise-inject")


def generate(base, n, k):
    out = os.path.join(base, f"n{n}-k{k}")
    meta = os.path.join(out, ".meta")
    if not os.path.exists(meta):
        shutil.rmtree(out, ignore_errors=True)
        line = subprocess.run(
            [sys.executable, os.path.join(ROOT, "bench", "gen.py"), out, "-n", str(n), "-k", str(k)],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        with open(meta, "w") as f:
            f.write(line)
    with open(meta) as f:
        line = f.read()
    docs = int(line.split(" documents")[0].split()[-1])
    files = int(line.split(" files")[0].split()[-1])
    size = 0
    for d, _, names in os.walk(os.path.join(out, "apps")):
        size += sum(os.path.getsize(os.path.join(d, x)) for x in names)
    return out, docs, files, size


def timed(cmd, env=None, timeout=None):
    """(seconds, peak RSS in MiB) of one run, or (None, None) after the timeout. On timeout the
    whole process group is killed: `time`'s child would otherwise go on and load the next runs."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.Popen(
            ["/usr/bin/time", "-o", t.name, "-f", "%e %M"] + cmd,
            env={**os.environ, **(env or {})}, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            code = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None, None
        if code != 0:
            raise subprocess.CalledProcessError(code, cmd)
        secs, kb = t.read().split()[-2:]
        return float(secs), int(kb) / 1024


def timed_cpu(cmd, timeout=None, ok=(0,)):
    """(seconds, peak RSS in MiB, user + system CPU seconds) of one run, or Nones after the timeout;
    an exit code not in `ok` is an error."""
    with tempfile.NamedTemporaryFile("r") as t:
        p = subprocess.Popen(
            ["/usr/bin/time", "-o", t.name, "-f", "%e %M %U %S"] + cmd, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            code = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None, None, None
        if code not in ok:
            raise subprocess.CalledProcessError(code, cmd)
        secs, kb, user, system = t.read().split()[-4:]
        return float(secs), int(kb) / 1024, float(user) + float(system)


def best(runs):
    return min(runs, key=lambda r: r[0])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1000,10000,100000")
    p.add_argument("--k", type=int, default=8)
    p.add_argument("--k-sweep", default="2,8,32")
    p.add_argument("--k-sweep-n", type=int, default=10000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--kustomize-max-n", type=int, default=1000)
    p.add_argument("--kustomize-timeout", type=float, default=600)
    p.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "kruise-inject-bench"))
    p.add_argument("--only", choices=["render", "rollout", "validate", "uninject", "krm"])
    p.add_argument("--validate-sizes", default="1000,20000")
    p.add_argument("--uninject-sizes", default="10000,20000")
    p.add_argument("--uninject-k", type=int, default=2)
    p.add_argument("--krm-sizes", default="1000,10000")
    p.add_argument("--krm-k", type=int, default=2)
    p.add_argument("--kpt-max-n", type=int, default=10000)
    p.add_argument("--kpt-timeout", type=float, default=600)
    p.add_argument("--rollout-sizes", default="1000,10000,100000")
    p.add_argument("--strategies", default="default,percent,partition,priority,scatter")
    p.add_argument("--rollout-timeout", type=float, default=600)
    p.add_argument("--baseline", help="another kruise-inject binary to time rollout with")
    p.add_argument("--baseline-max-n", type=int, default=2000)
    p.add_argument("--bin", help="the kruise-inject binary to measure (default: build target/release)")
    a = p.parse_args()
    global BIN
    if a.bin:
        BIN = os.path.abspath(a.bin)
    else:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(a.dir, exist_ok=True)
    if a.only in (None, "uninject"):
        uninject_rows(a)
    if a.only in (None, "krm"):
        krm_rows(a)
    if a.only in (None, "rollout"):
        rollout_rows(a)
    if a.only in (None, "validate"):
        validate_rows(a)
    if a.only is not None and a.only != "render":
        return

    def render(out, extra_env=None):
        cmd = [BIN, "render", os.path.join(out, "apps"), "-s", os.path.join(out, "platform")]
        return timed(cmd, extra_env)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    kubectl = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True).stdout
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {int(mem) / 2**20:.0f} GiB, {platform.platform()}")
    print(f"kubectl: {' / '.join(l.strip() for l in kubectl.splitlines())}")
    print()
    print("| N | K | files | docs | MB | render s | docs/s | MB/s | RSS MiB | 1 thread s | RSS MiB"
          " | floor s | RSS MiB | render/floor | kustomize s | RSS MiB | kustomize/render |")
    print("|" + "---|" * 17)
    rows = [(n, a.k) for n in map(int, a.sizes.split(","))]
    rows += [(a.k_sweep_n, k) for k in map(int, a.k_sweep.split(",")) if (a.k_sweep_n, k) not in rows]
    for n, k in rows:
        out, docs, files, size = generate(a.dir, n, k)
        mb = size / 1e6
        runs = {"render": [], "render-1": [], "floor": []}
        for _ in range(a.repeat):
            runs["render"].append(render(out))
            runs["floor"].append(render(out, {"KRUISE_INJECT_BENCH_FLOOR": "1"}))
            runs["render-1"].append(render(out, {"KRUISE_INJECT_THREADS": "1"}))
        r, r_rss = best(runs["render"])
        r1, r1_rss = best(runs["render-1"])
        f, f_rss = best(runs["floor"])
        ratio = statistics.median(x[0] / y[0] for x, y in zip(runs["render"], runs["floor"]))
        kz = kz_rss = None
        kz_text = kz_rss_text = ratio_text = "not run"
        if n <= a.kustomize_max_n:
            kz, kz_rss = timed(["kubectl", "kustomize", out], timeout=a.kustomize_timeout)
            if kz is None:
                kz_text, kz_rss_text = f"> {a.kustomize_timeout:.0f}", "?"
                ratio_text = f"> {a.kustomize_timeout / r:.0f}×"
            else:
                kz_text, kz_rss_text, ratio_text = f"{kz:.2f}", f"{kz_rss:.0f}", f"{kz / r:.0f}×"
        print(f"| {n:,} | {k} | {files:,} | {docs:,} | {mb:.1f} | {r:.2f} | {docs / r:,.0f} | {mb / r:.1f}"
              f" | {r_rss:.0f} | {r1:.2f} | {r1_rss:.0f} | {f:.2f} | {f_rss:.0f} | {ratio:.2f}×"
              f" | {kz_text} | {kz_rss_text} | {ratio_text} |", flush=True)


def generate_pods(base, n):
    out = os.path.join(base, f"pods-n{n}")
    meta = os.path.join(out, ".meta")
    if not os.path.exists(meta):
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), out, "--pods", str(n), "--bin", BIN],
                       check=True, capture_output=True, text=True)
        with open(meta, "w") as f:
            f.write(str(n))
    return out, os.path.getsize(os.path.join(out, "pods.yaml"))


def paired(commands, repeat, stdin=None):
    """Runs the commands in turn `repeat` times: per command the runs' (seconds, RSS MiB, CPU s)."""
    runs = [[] for _ in commands]
    for _ in range(repeat):
        for i, cmd in enumerate(commands):
            runs[i].append(timed_stdin(cmd, stdin))
    return runs


def timed_stdin(cmd, stdin=None):
    """(seconds, peak RSS in MiB, user + system CPU seconds) of one run, standard input from a file."""
    with tempfile.NamedTemporaryFile("r") as t:
        with open(stdin or os.devnull, "rb") as f:
            code = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %M %U %S"] + cmd, stdin=f,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if code != 0:
            raise subprocess.CalledProcessError(code, cmd)
        secs, kb, user, system = t.read().split()[-4:]
        return float(secs), int(kb) / 1024, float(user) + float(system)


def summary(runs):
    """best seconds, best CPU, best RSS of a command's runs"""
    return min(r[0] for r in runs), min(r[2] for r in runs), min(r[1] for r in runs)


def ratio(xs, ys, field=0):
    return statistics.median(x[field] / y[field] for x, y in zip(xs, ys))


def rendered_stream(out):
    path = os.path.join(out, "rendered.yaml")
    if not os.path.exists(path):
        with open(path + ".tmp", "wb") as f:
            subprocess.run([BIN, "render", os.path.join(out, "apps"), "-s", os.path.join(out, "platform"), "-q"],
                           stdout=f, check=True)
        os.rename(path + ".tmp", path)
    return path, os.path.getsize(path)


def uninject_rows(a):
    print("uninject (issue 14): `uninject` of one rendered stream, `render` of the same stream and of the workloads")
    print()
    print("| N | K | stream MB | uninject s | CPU s | RSS MiB | render stream s | RSS MiB | render s | RSS MiB"
          " | uninject/render RSS | uninject/render stream RSS |")
    print("|" + "---|" * 12)
    for n in map(int, a.uninject_sizes.split(",")):
        out, _, _, _ = generate(a.dir, n, a.uninject_k)
        stream, size = rendered_stream(out)
        platform = os.path.join(out, "platform")
        un, rs, rd = paired([[BIN, "uninject", stream, "-q"], [BIN, "render", stream, "-s", platform, "-q"],
                             [BIN, "render", os.path.join(out, "apps"), "-s", platform, "-q"]], a.repeat)
        u, r1, r2 = summary(un), summary(rs), summary(rd)
        print(f"| {n:,} | {a.uninject_k} | {size / 1e6:.1f} | {u[0]:.2f} | {u[1]:.2f} | {u[2]:.0f} | {r1[0]:.2f}"
              f" | {r1[2]:.0f} | {r2[0]:.2f} | {r2[2]:.0f} | {u[2] / r2[2]:.2f}× | {u[2] / r1[2]:.2f}× |", flush=True)
    print()


def resource_list(out):
    path = os.path.join(out, "resource-list.yaml")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), out, "--resource-list"],
                       check=True, capture_output=True)
    with open(path) as f:
        items = sum(1 for line in f if line.startswith("- "))
    return path, os.path.getsize(path), items


def krm_rows(a):
    print("krm (issue 14): `krm` on a ResourceList of the workloads, `render` of the same workloads as files")
    print()
    print("| N | K | items | MB | krm s | CPU s | RSS MiB | RSS/input | render s | CPU s | RSS MiB | krm/render"
          " | CPU ratio | kpt cat s | RSS MiB |")
    print("|" + "---|" * 15)
    kpt = shutil.which("kpt")
    for n in map(int, a.krm_sizes.split(",")):
        out, _, _, _ = generate(a.dir, n, a.krm_k)
        rl, size, items = resource_list(out)
        km, rd = paired([[BIN, "krm"], [BIN, "render", os.path.join(out, "apps"), "-s",
                                          os.path.join(out, "platform"), "-q"]], a.repeat, stdin=rl)
        k, r = summary(km), summary(rd)
        peer = "not run | not run"
        if kpt and n <= a.kpt_max_n:
            with tempfile.NamedTemporaryFile("r") as t, open(rl, "rb") as f:
                p = subprocess.Popen(["/usr/bin/time", "-o", t.name, "-f", "%e %M", kpt, "fn", "eval", "-",
                                      "--exec", "cat"], stdin=f, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
                try:
                    p.wait(timeout=a.kpt_timeout)
                    secs, kb = t.read().split()[-2:]
                    peer = f"{float(secs):.2f} | {int(kb) / 1024:.0f}"
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    peer = f"> {a.kpt_timeout:.0f} | ?"
        print(f"| {n:,} | {a.krm_k} | {items:,} | {size / 1e6:.1f} | {k[0]:.2f} | {k[1]:.2f} | {k[2]:.0f}"
              f" | {k[2] * 2**20 / size:.1f}× | {r[0]:.2f} | {r[1]:.2f} | {r[2]:.0f} | {ratio(km, rd):.2f}×"
              f" | {ratio(km, rd, 2):.2f}× | {peer} |", flush=True)
    print()


def rollout_rows(a):
    print("Rollout (issue 14): `rollout --rounds all -o json` and `render` on the same pods and SidecarSet")
    print()
    print("| N | strategy | MB | rounds | rollout s | CPU s | RSS MiB | KB/pod | render s | CPU s | RSS MiB"
          " | rollout/render | CPU ratio | baseline s | peer |")
    print("|" + "---|" * 15)
    for n in map(int, a.rollout_sizes.split(",")):
        out, size = generate_pods(a.dir, n)
        pods = os.path.join(out, "pods.yaml")
        for strategy in a.strategies.split(","):
            ss = os.path.join(out, "sidecarsets", f"{strategy}.yaml")
            rollout = [BIN, "rollout", pods, "-s", ss, "--rounds", "all", "-o", "json"]
            ro_runs, re_runs = [], []
            for _ in range(a.repeat):
                ro_runs.append(timed_cpu(rollout, timeout=a.rollout_timeout))
                if ro_runs[-1][0] is None:
                    break
                re_runs.append(timed_cpu([BIN, "render", pods, "-s", ss]))
            if ro_runs[-1][0] is not None:
                ro = min(ro_runs)
                re_ = min(re_runs)
                rounds = len(json.loads(subprocess.run(rollout, capture_output=True, text=True, check=True).stdout)
                             ["sidecarSets"][0]["rounds"])
                ratio = statistics.median(x[0] / y[0] for x, y in zip(ro_runs, re_runs))
                cpu_ratio = statistics.median(x[2] / y[2] for x, y in zip(ro_runs, re_runs))
                per_pod = max(0.0, (ro[1] * 2**20 - size) / n / 1024)
                cells = [f"{rounds:,}", f"{ro[0]:.2f}", f"{min(r[2] for r in ro_runs):.2f}", f"{ro[1]:.0f}",
                         f"{per_pod:.0f}", f"{re_[0]:.2f}", f"{min(r[2] for r in re_runs):.2f}", f"{re_[1]:.0f}",
                         f"{ratio:.2f}×", f"{cpu_ratio:.2f}×"]
            else:
                cells = ["?", f"> {a.rollout_timeout:.0f}", "?", "?", "?", "not run", "not run", "not run", "?", "?"]
            base = "not run"
            if a.baseline and n <= a.baseline_max_n:
                t, _, cpu = timed_cpu([a.baseline] + rollout[1:], timeout=a.rollout_timeout)
                base = f"> {a.rollout_timeout:.0f}" if t is None else f"{t:.2f} (CPU {cpu:.2f})"
            print(f"| {n:,} | {strategy} | {size / 1e6:.1f} | " + " | ".join(cells) + f" | {base} | none |", flush=True)
    print()


def validate_rows(a):
    print("Validate (issue 14): `validate` and `render` on the same repository")
    print()
    print("| N | K | files | MB | findings | distinct | text lines | validate s | CPU s | RSS MiB | render s"
          " | CPU s | RSS MiB | RSS validate/render | time validate/render |")
    print("|" + "---|" * 15)
    for n in map(int, a.validate_sizes.split(",")):
        out, _, files, size = generate(a.dir, n, a.k)
        args = [os.path.join(out, "apps"), "-s", os.path.join(out, "platform")]
        # Exit code 1: validate found errors (the generator's missing ConfigMaps).
        va_runs, re_runs = [], []
        for _ in range(a.repeat):
            va_runs.append(timed_cpu([BIN, "validate"] + args, ok=(0, 1)))
            re_runs.append(timed_cpu([BIN, "render"] + args))
        report = json.loads(subprocess.run([BIN, "validate", "-o", "json", "-q"] + args,
                                           capture_output=True, text=True).stdout)
        found = report["errors"] + report["warnings"]
        distinct = len({(f["severity"], f["rule"], f["message"]) for f in report["findings"]})
        text = subprocess.run([BIN, "validate", "-q"] + args, capture_output=True, text=True).stdout
        va, re_ = min(va_runs), min(re_runs)
        rss_ratio = statistics.median(x[1] / y[1] for x, y in zip(va_runs, re_runs))
        ratio = statistics.median(x[0] / y[0] for x, y in zip(va_runs, re_runs))
        print(f"| {n:,} | {a.k} | {files:,} | {size / 1e6:.1f} | {found:,} | {distinct:,} | {len(text.splitlines()):,}"
              f" | {va[0]:.2f} | {min(r[2] for r in va_runs):.2f} | {max(r[1] for r in va_runs):.0f}"
              f" | {re_[0]:.2f} | {min(r[2] for r in re_runs):.2f} | {max(r[1] for r in re_runs):.0f}"
              f" | {rss_ratio:.2f}× | {ratio:.2f}× |", flush=True)
    print()


if __name__ == "__main__":
    main()
