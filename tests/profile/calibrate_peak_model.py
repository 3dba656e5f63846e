#!/usr/bin/python3
"""Re-fits the modelled runtime costs of the predicted peak (src/leanrt/profile/peak_model.cc, CostModel).

    tests/profile/calibrate_peak_model.py build/leanrt [../shared/corpus]

Runs `leanrt profile --child --json` on every corpus case at batch 1 and 32 (one process each, as
tests/profile/peak_prediction_test.cc does) and fits the two phases apart, by least squares on the relative
error. The compile phase: the VmHWM reached by the end of compile, less the measured terms (the process at
start, the weights, the compile transient, the threads), against the compile cost drivers. The run phase
(compile releases the code pages at its end): the final VmHWM of the cases whose peak came while running, less
the measured terms (the start's RssAnon, the weights, the arena and inputs, the threads) and the shared modelled
terms just fitted (primitives, graph, allocator), against the run-phase drivers. Prints the constants to paste
into CostModel, the largest in-sample gaps of max(compile, run) against the measured VmHWM, and the
leave-one-model-out gaps (how well the model predicts a model it was not fitted on).

When to run it: when profile_peak_prediction_test's gaps drift towards 10% after an engine change (a
bigger graph node, a new allocation pattern in an importer, a oneDNN upgrade). docs/memory.md describes
each term.
"""
import json
import os
import subprocess
import sys

import numpy as np

MIB = 1024.0 * 1024.0
DRIVERS = [
    ("code_bytes", "MiB", lambda d: 1.0),
    ("protobuf_code_bytes", "MiB", lambda d: float(d["protobuf"])),
    ("reference_kernel_code_bytes", "KiB", lambda d: d["reference_kernel_kinds"]),
    ("onednn_library_bytes", "MiB", lambda d: float(d["onednn"])),
    ("onednn_conv_code_bytes", "MiB", lambda d: float(d["onednn_conv"])),
    ("onednn_deconv_code_bytes", "MiB", lambda d: float(d["onednn_deconv"])),
    ("onednn_pool_code_bytes", "MiB", lambda d: float(d["onednn_pool"])),
    ("onednn_elementwise_code_bytes", "MiB", lambda d: float(d["onednn_elementwise"])),
    ("onednn_primitive_bytes", "KiB", lambda d: d["onednn_distinct_primitives"]),
    ("graph_node_bytes", "KiB", lambda d: d["imported_nodes"]),
    ("allocator_retained_fraction", "", lambda d: d["imported_weights_owned_bytes"] / MIB),
]
THREAD_BYTES = 100 * 1024  # per OpenMP worker, measured separately (--threads 1 vs 2); not fitted
SHARED = ("onednn_primitive_bytes", "graph_node_bytes")  # in both phases
RUN_DRIVERS = [
    ("run_code_bytes", "MiB", lambda d: 1.0),
    ("run_onednn_code_bytes", "MiB", lambda d: float(d["onednn"])),
    ("run_reference_kernel_code_bytes", "KiB", lambda d: d["reference_kernel_kinds"]),
    ("run_allocator_retained_fraction", "", lambda d: d["imported_weights_owned_bytes"] / MIB),
]


def profile(leanrt, corpus, case, batch):
    args = [leanrt, "profile", os.path.join(corpus, case["model"]), "--child", "--json", "--batch", str(batch),
            "--runs", "1", "--warmup", "0"]
    for name, path in case["inputs"].items():
        args += ["--input", f"{name}={os.path.join(corpus, path)}"]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"{case['name']} batch {batch}: {result.stderr.strip()[:200]}", file=sys.stderr)
        return None
    return json.loads(result.stdout)


def stage(report, name):
    return next(s["memory"] for s in report["memory_stages"] if s["stage"] == name)


def compile_row(report):
    """(VmHWM by the end of compile, its measured terms, compile features) in MiB."""
    p = report["predicted"]
    measured_terms = (p["runtime"]["process_start_bytes"] + p["weights_mapped_bytes"] + p["weights_owned_bytes"] +
                      p["compile_transient_bytes"] + THREAD_BYTES * p["cost_drivers"]["worker_threads"])
    features = [f(p["cost_drivers"]) for _, _, f in DRIVERS]
    return stage(report, "compiled")["peak_rss_bytes"] / MIB, measured_terms / MIB, features


def run_row(report, compile_coefficients):
    """(final VmHWM or None when the peak came at compile, its measured and shared terms, run features)."""
    p = report["predicted"]
    d = p["cost_drivers"]
    shared = sum(c * f(d) for (name, _, f), c in zip(DRIVERS, compile_coefficients) if name in SHARED)
    known = (p["runtime"]["process_start_anon_bytes"] + p["weights_mapped_bytes"] + p["weights_owned_bytes"] +
             p["arena_bytes"] + p["io_bytes"] + THREAD_BYTES * d["worker_threads"]) / MIB + shared
    peaked_running = report["measured_peak_bytes"] > stage(report, "compiled")["peak_rss_bytes"] + 65536
    measured = report["measured_peak_bytes"] / MIB if peaked_running else None
    return measured, known, [f(d) for _, _, f in RUN_DRIVERS]


def fit(rows):
    rows = [r for r in rows if r[0] is not None]
    x = np.array([r[2] for r in rows], float)
    y = np.array([r[0] - r[1] for r in rows])
    weight = np.array([1.0 / r[0] for r in rows])
    coefficients, *_ = np.linalg.lstsq(x * weight[:, None], y * weight, rcond=None)
    return coefficients


def fit_both(reports):
    compile_coefficients = fit([compile_row(r) for r in reports])
    run_coefficients = fit([run_row(r, compile_coefficients) for r in reports])
    return compile_coefficients, run_coefficients


def gap(report, coefficients):
    compile_coefficients, run_coefficients = coefficients
    _, compile_terms, compile_features = compile_row(report)
    _, run_terms, run_features = run_row(report, compile_coefficients)
    predicted = max(compile_terms + np.dot(compile_features, compile_coefficients),
                    run_terms + np.dot(run_features, run_coefficients))
    measured = report["measured_peak_bytes"] / MIB
    return 100.0 * (predicted - measured) / measured


def print_constants(drivers, coefficients):
    for (name, unit, _), value in zip(drivers, coefficients):
        if unit == "MiB":
            print(f"  double {name} = {value:.2f} * kMiB;")
        elif unit == "KiB":
            print(f"  double {name} = {value * 1024:.1f} * kKiB;")
        else:
            print(f"  double {name} = {value:.3f};")
    print("  (a negative size is a term the data cannot tell from 0: paste 0)")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    leanrt = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "../../../shared/corpus")
    cases = json.load(open(os.path.join(corpus, "cases.json")))["cases"]
    reports, names = [], []
    for case in cases:
        for batch in (1, 32):
            report = profile(leanrt, corpus, case, batch)
            if report:
                reports.append(report)
                names.append((case["name"], batch))
    coefficients = fit_both(reports)
    print("CostModel constants (paste into src/leanrt/profile/peak_model.cc):")
    print_constants(DRIVERS, coefficients[0])
    print_constants(RUN_DRIVERS, coefficients[1])
    in_sample = sorted(((gap(r, coefficients), n) for r, n in zip(reports, names)), key=lambda e: -abs(e[0]))
    print("largest in-sample gaps:", ", ".join(f"{n} b{b} {g:+.1f}%" for g, (n, b) in in_sample[:5]))
    out_of_sample = []
    for model in sorted(set(n for n, _ in names)):
        train = [r for r, (n, _) in zip(reports, names) if n != model]
        held = [(r, b) for r, (n, b) in zip(reports, names) if n == model]
        held_coefficients = fit_both(train)
        out_of_sample += [(gap(r, held_coefficients), model, b) for r, b in held]
    out_of_sample.sort(key=lambda e: -abs(e[0]))
    print("largest leave-one-model-out gaps:", ", ".join(f"{n} b{b} {g:+.1f}%" for g, n, b in out_of_sample[:5]))
    print(f"mean |gap| leave-one-model-out: {np.mean([abs(g) for g, _, _ in out_of_sample]):.2f}%")


if __name__ == "__main__":
    main()
