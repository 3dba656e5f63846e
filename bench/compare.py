"""Runs leanrt and its peers on the same corpus models in one session and
prints ratio tables (bench/README.md). Each engine runs in its own process
per (model, batch); every number is the median of the timed runs after
warm-up (at least --runs of them, and as many more as fill --min-time-ms), and
peak RSS is that process's VmHWM.

A model whose input fixes the batch dim at 1 cannot take a batch of 32: its
"batch 32" row is 32 calls of batch 1 per timed run in every engine (the same
32 samples, the same per-call batch), shown as "32x1", so its ms still cover
32 samples like the other models' batch-32 rows.

Called by bench/run.sh, which installs the peers and builds the drivers.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

BATCHES = (1, 32)
BIG_WEIGHTS_BYTES = 1_000_000  # "TF.js models with >= 1 MB of weights"
TFJS_MIN_SPEEDUP, TFJS_MAX_RSS = 4.0, 0.5
OPENCV_MIN_SPEEDUP, OPENCV_MAX_RSS = 1.5, 0.5


def load_cases(corpus):
    with open(os.path.join(corpus, "cases.json")) as manifest:
        text = manifest.read().replace(": NaN", ": null")
    return json.loads(text)["cases"]


def input_specs(corpus, case):
    specs = []
    for name, path in case["inputs"].items():
        data = np.load(os.path.join(corpus, path), mmap_mode="r")
        specs += ["--input", f"{name}={','.join(str(d) for d in data.shape)}"]
        if data.shape == () and data.dtype.kind == "f":
            # Scalars steer shapes (rvm's downsample_ratio): every engine gets the corpus value.
            specs += ["--value", f"{name}={float(data)}"]
    return specs


def declared_inputs(args, model):
    """The model's inputs as leanrt's importer reads them (shape: -1 for an
    unknown dim, None for an unknown rank), or None if it cannot load them."""
    found, _ = run_json([os.path.join(args.build, "bench", "leanrt_bench"), model, "--inputs-json"], args.timeout)
    return found["inputs"] if found else None


def call_plan(inputs, samples):
    """(per-call batch, calls, label) that runs `samples` samples per timed run.

    One call of the whole batch, unless an input fixes its leading dim: then
    calls of that fixed batch, e.g. 32 calls of batch 1, labelled "32x1".
    Without the declared inputs (leanrt cannot load the model) it is one call;
    the leanrt row then says why."""
    fixed = {shape[0] for shape in (i["shape"] for i in inputs or []) if shape and shape[0] > 0}
    if len(fixed) != 1:
        return samples, 1, str(samples)
    call_batch = fixed.pop()
    if call_batch == samples or samples % call_batch:
        return samples, 1, str(samples)
    calls = samples // call_batch
    return call_batch, calls, f"{calls}x{call_batch}"


def weight_bytes(corpus, case):
    model = os.path.join(corpus, case["model"])
    if case["format"] == "tfjs-graph":
        with open(model) as f:
            manifest = json.load(f)["weightsManifest"]
        folder = os.path.dirname(model)
        return sum(os.path.getsize(os.path.join(folder, p)) for group in manifest for p in group["paths"])
    return os.path.getsize(model)


def run_json(command, timeout):
    """One engine process; its last stdout line is JSON, or an error string."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        message = (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1]
        return None, message[:160]
    return json.loads(lines[-1]), None


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def fmt_ms(result):
    """Two decimals, or three significant digits below 1 ms (a 9 us run is 0.00900, not 0.01)."""
    if not result:
        return "-"
    ms = result["median_ms"]
    return f"{ms:.2f}" if ms >= 1.0 else f"{ms:.3g}"


def fmt_mb(result):
    return f"{result['peak_rss_bytes'] / 2**20:.0f}" if result else "-"


def compare_row(name, weights, label, ours, peer, peer_error, our_error, min_speedup, max_rss, checked):
    """One table row; `label` is the batch column ("1", "32" or "32x1")."""
    if ours and peer:
        speedup = peer["median_ms"] / ours["median_ms"]
        rss = ours["peak_rss_bytes"] / peer["peak_rss_bytes"]
        verdict = "ok" if speedup >= min_speedup and rss <= max_rss else "MISSED"
        if not checked:
            verdict = "(info)"
        return (f"{name:26s} {weights / 1e6:6.2f} {label:>5s} {fmt_ms(ours):>10s} {fmt_ms(peer):>10s} {speedup:8.2f}x "
                f"{fmt_mb(ours):>7s} {fmt_mb(peer):>7s} {rss:7.2f}x  {verdict}"), (speedup, rss, verdict)
    why = f"leanrt: {our_error}" if not ours else f"peer: {peer_error}"
    return f"{name:26s} {weights / 1e6:6.2f} {label:>5s} {fmt_ms(ours):>10s} {fmt_ms(peer):>10s}   n/a: {why}", None


def header(peer):
    return (f"{'model':26s} {'MB':>6s} {'batch':>5s} {'leanrt ms':>10s} {peer + ' ms':>10s} {'speedup':>9s} "
            f"{'RSS MB':>7s} {'peer MB':>7s} {'RSS ratio':>8s}  target")


def print_batch_note():
    print("batch NxB = the model fixes batch B: every engine makes N calls of batch B per timed run, on its own "
          "samples; ms are for all N*B samples")


def run_flags(args, call_batch, calls):
    """The flags every driver takes alike: per-call batch, calls per run, runs, warm-up, threads."""
    return ["--batch", str(call_batch), "--calls", str(calls), "--runs", str(args.runs), "--min-time-ms",
            str(args.min_time_ms), "--warmup", str(args.warmup), "--threads", str(args.threads)]


def leanrt_command(args, model, call_batch, calls, specs, kernels="auto"):
    return ([os.path.join(args.build, "bench", "leanrt_bench"), model] + run_flags(args, call_batch, calls) +
            ["--kernels", kernels] + specs)


def bench_tfjs(args, cases):
    print(f"\n== leanrt vs TF.js {tfjs_version(args)} (wasm backend, node {node_version()}) ==")
    print("speedup = TF.js median ms / leanrt median ms; RSS ratio = leanrt VmHWM / TF.js VmHWM")
    print(f"targets for models with >= 1 MB of weights: speedup >= {TFJS_MIN_SPEEDUP}x, RSS ratio <= {TFJS_MAX_RSS}x")
    print_batch_note()
    print(header("tfjs"))
    misses = []
    for case in cases:
        if case["format"] != "tfjs-graph":
            continue
        model = os.path.join(args.corpus, case["model"])
        specs = input_specs(args.corpus, case)
        weights = weight_bytes(args.corpus, case)
        checked = weights >= BIG_WEIGHTS_BYTES
        inputs = declared_inputs(args, model)
        for batch in BATCHES:
            call_batch, calls, label = call_plan(inputs, batch)
            ours, our_error = run_json(leanrt_command(args, model, call_batch, calls, specs), args.timeout)
            tfjs = ["node", os.path.join(args.bench, "tfjs_bench.js"), model] + run_flags(args, call_batch, calls) + specs
            peer, peer_error = run_json(tfjs, args.timeout)
            if peer is None and peer_error and "not yet supported" in peer_error:
                # The wasm backend lacks a kernel the model needs: no wasm target
                # can be judged; TF.js's cpu backend (the corpus reference's)
                # still gives a ratio, marked as such.
                wasm_error = peer_error
                peer, peer_error = run_json(tfjs + ["--backend", "cpu"], args.timeout)
                line, _ = compare_row(case["name"], weights, label, ours, peer, peer_error, our_error,
                                      TFJS_MIN_SPEEDUP, TFJS_MAX_RSS, False)
                print(f"{line}  vs TF.js cpu backend; wasm: {wasm_error.split('error: ')[-1][:60]}", flush=True)
                continue
            line, outcome = compare_row(case["name"], weights, label, ours, peer, peer_error, our_error,
                                        TFJS_MIN_SPEEDUP, TFJS_MAX_RSS, checked)
            print(line, flush=True)
            if checked and (outcome is None or outcome[2] == "MISSED"):
                misses.append(f"{case['name']} batch {label}")
    return misses


def bench_opencv(args, cases):
    import cv2

    print(f"\n== leanrt vs OpenCV DNN {cv2.__version__} (cv2.dnn.readNetFromTensorflow, {args.threads} threads) ==")
    print("speedup = OpenCV median ms / leanrt median ms; RSS ratio = leanrt VmHWM / OpenCV VmHWM")
    print(f"targets for every frozen .pb OpenCV loads: speedup >= {OPENCV_MIN_SPEEDUP}x, RSS ratio <= {OPENCV_MAX_RSS}x")
    print_batch_note()
    print(header("opencv"))
    misses = []
    for case in cases:
        if case["format"] != "tf-frozen-graphdef" or not case["model"].endswith(".pb"):
            continue
        model = os.path.join(args.corpus, case["model"])
        specs = input_specs(args.corpus, case)
        weights = weight_bytes(args.corpus, case)
        inputs = declared_inputs(args, model)
        for batch in BATCHES:
            call_batch, calls, label = call_plan(inputs, batch)
            peer, peer_error = run_json(["/usr/bin/python3", os.path.join(args.bench, "opencv_bench.py"), model] +
                                        run_flags(args, call_batch, calls) + specs, args.timeout)
            if peer is None and peer_error and "cannot load" in peer_error:
                print(f"{case['name']:26s} {weights / 1e6:6.2f} {label:>5s}   OpenCV cannot load it: "
                      f"{peer_error.split(': ', 2)[-1][:90]}")
                break
            ours, our_error = run_json(leanrt_command(args, model, call_batch, calls, specs), args.timeout)
            line, outcome = compare_row(case["name"], weights, label, ours, peer, peer_error, our_error,
                                        OPENCV_MIN_SPEEDUP, OPENCV_MAX_RSS, True)
            print(line, flush=True)
            if outcome is None or outcome[2] == "MISSED":
                misses.append(f"{case['name']} batch {label}")
    return misses


def bench_layers(args, cases):
    print("\n== per-layer: heaviest conv layers of the corpus TF.js models, fast kernels, "
          f"batch 32, {args.threads} threads ==")
    models = []
    for case in cases:
        if case["format"] != "tfjs-graph" or case.get("control_flow_ops"):
            continue
        specs = input_specs(args.corpus, case)
        shapes = "".join("@" + specs[i + 1] for i in range(0, len(specs), 2) if specs[i] == "--input")
        models.append(os.path.join(args.corpus, case["model"]) + shapes)
    command = [os.path.join(args.build, "bench", "leanrt_layer_bench"), "--batch", "32", "--threads", str(args.threads),
               "--runs", str(args.runs), "--top", "3"] + models
    subprocess.run(command, check=False, timeout=args.timeout * 4)


def tfjs_version(args):
    try:
        with open(os.path.join(args.bench, "node_modules", "@tensorflow", "tfjs", "package.json")) as f:
            return json.load(f)["version"]
    except OSError:
        return "?"


def node_version():
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--min-time-ms", type=float, default=200.0,
                        help="each engine times runs until they add up to this, and at least --runs of them")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--models", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--skip-layers", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()
    args.bench = os.path.dirname(os.path.abspath(__file__))
    cases = load_cases(args.corpus)
    if args.models:
        wanted = set(args.models.split(","))
        cases = [case for case in cases if case["name"] in wanted]
    print(f"leanrt bench: {os.cpu_count()} cores, load average {load_average()} at start, "
          f"median of >= {args.runs} runs filling >= {args.min_time_ms:g} ms after {args.warmup} warm-up runs, "
          "each engine in its own process")
    misses = []
    if not args.skip_peers:
        misses += bench_tfjs(args, cases)
        misses += bench_opencv(args, cases)
    if not args.skip_layers:
        bench_layers(args, cases)
    print(f"\nload average at end: {load_average()} (numbers taken on a busy machine are noisy)")
    if misses:
        print("targets not met: " + ", ".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
