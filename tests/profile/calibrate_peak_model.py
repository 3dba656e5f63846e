#!/usr/bin/python3
"""Re-fits the modelled runtime costs of the predicted peak (src/leanrt/profile/peak_model.cc, CostModel).

    tests/profile/calibrate_peak_model.py build/leanrt [../shared/corpus] [--save FILE | --reports FILE]

Runs `leanrt profile --child --json` on every corpus case at batch 1 and 32 (one process each, as
tests/profile/peak_prediction_test.cc does) and fits the three phases apart, by least squares on the relative
error. `leanrt profile` resets VmHWM between its stages, so each stage carries the peak of the phase that ended
there (`phase_peak_bytes`):
  load    (stage "loaded"): the peak less the process at start, against the importer's drivers (format, the
          parsed file's bytes, nodes, the weights it decoded or copied);
  run     (stages "first run" and "end"): the peak less the measured terms (the start's RssAnon, weights, arena,
          inputs, threads), against the run drivers (oneDNN used, reference kernel kinds, distinct primitives,
          nodes, the imported weights the allocator may keep);
  compile (stage "compiled"): the peak less the measured terms and the primitives and graph just fitted,
          against a constant and oneDNN used.
Prints the constants to paste into CostModel, the largest in-sample gaps of max(load, compile, run) against the
measured VmHWM, and the leave-one-model-out gaps (how well the model predicts a model it was not fitted on).
--save FILE keeps the reports; --reports FILE fits saved reports without running anything.

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
THREAD_BYTES = 100 * 1024  # per OpenMP worker, measured separately (--threads 1 vs 2); not fitted


def owned_mib(d):
    return d["imported_weights_owned_bytes"] / MIB


def parsed_mib(d):
    return d["parsed_file_bytes"] / MIB


LOAD_DRIVERS = [
    ("load_code_bytes", "MiB", lambda d: 1.0),
    ("tfjs_code_bytes", "MiB", lambda d: float(d["tfjs"])),
    ("protobuf_code_bytes", "MiB", lambda d: float(d["protobuf"])),
    ("saved_model_code_bytes", "MiB", lambda d: float(d["saved_model"])),
    ("json_parse_bytes_per_byte", "", lambda d: parsed_mib(d) if d["tfjs"] else 0.0),
    ("protobuf_parse_bytes_per_byte", "", lambda d: max(0.0, parsed_mib(d) - owned_mib(d)) if d["protobuf"] else 0.0),
    ("imported_node_bytes", "KiB", lambda d: d["imported_nodes"]),
    ("tfjs_decoded_weight_bytes_per_byte", "", lambda d: owned_mib(d) if d["tfjs"] else 0.0),
    ("protobuf_weight_bytes_per_byte", "", lambda d: owned_mib(d) if d["protobuf"] else 0.0),
    ("variables_read_bytes_per_byte", "",
     lambda d: d["imported_weights_mapped_bytes"] / MIB if d["protobuf"] else 0.0),
]
RUN_DRIVERS = [
    ("run_code_bytes", "MiB", lambda d: 1.0),
    ("run_onednn_code_bytes", "MiB", lambda d: float(d["onednn"])),
    ("run_reference_kernel_code_bytes", "KiB", lambda d: d["reference_kernel_kinds"]),
    ("onednn_primitive_bytes", "KiB", lambda d: d["onednn_distinct_primitives"]),
    ("graph_node_bytes", "KiB", lambda d: d["imported_nodes"]),
    ("run_allocator_retained_fraction", "", owned_mib),
]
SHARED = ("onednn_primitive_bytes", "graph_node_bytes")  # fitted on the run phase, used by compile too
COMPILE_DRIVERS = [
    ("compile_code_bytes", "MiB", lambda d: 1.0),
    ("compile_onednn_code_bytes", "MiB", lambda d: float(d["onednn"])),
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
    report = json.loads(result.stdout)
    for bulky in ("steps", "arena_map", "live_at_peak"):
        report.pop(bulky, None)
    return report


def phase_peak(report, *stages):
    return max(s["phase_peak_bytes"] for s in report["memory_stages"] if s["stage"] in stages) / MIB


def features(drivers, d):
    return [f(d) for _, _, f in drivers]


def load_row(report):
    p = report["predicted"]
    return phase_peak(report, "loaded"), p["runtime"]["process_start_bytes"] / MIB, features(LOAD_DRIVERS,
                                                                                              p["cost_drivers"])


def run_row(report):
    p = report["predicted"]
    d = p["cost_drivers"]
    known = (p["runtime"]["process_start_anon_bytes"] + p["weights_mapped_bytes"] + p["weights_owned_bytes"] +
             p["arena_bytes"] + p["io_bytes"] + THREAD_BYTES * d["worker_threads"]) / MIB
    return phase_peak(report, "first run", "end"), known, features(RUN_DRIVERS, d)


def compile_row(report, run_coefficients):
    p = report["predicted"]
    d = p["cost_drivers"]
    shared = sum(c * f(d) for (name, _, f), c in zip(RUN_DRIVERS, run_coefficients) if name in SHARED)
    known = (p["runtime"]["process_start_anon_bytes"] + p["weights_mapped_bytes"] + p["weights_owned_bytes"] +
             p["compile_transient_bytes"] + THREAD_BYTES * d["worker_threads"]) / MIB + shared
    return phase_peak(report, "compiled"), known, features(COMPILE_DRIVERS, d)


def fit(rows):
    x = np.array([r[2] for r in rows], float)
    y = np.array([r[0] - r[1] for r in rows])
    weight = np.array([1.0 / r[0] for r in rows])
    coefficients, *_ = np.linalg.lstsq(x * weight[:, None], y * weight, rcond=None)
    return coefficients


def fit_all(reports):
    load = fit([load_row(r) for r in reports])
    run = fit([run_row(r) for r in reports])
    compile_ = fit([compile_row(r, run) for r in reports])
    return load, run, compile_


def predicted_phases(report, coefficients):
    load, run, compile_ = coefficients
    _, load_known, load_features = load_row(report)
    _, run_known, run_features = run_row(report)
    _, compile_known, compile_features = compile_row(report, run)
    return (load_known + np.dot(load_features, load), compile_known + np.dot(compile_features, compile_),
            run_known + np.dot(run_features, run))


def gap(report, coefficients):
    predicted = max(predicted_phases(report, coefficients))
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


def main():
    args = [a for a in sys.argv[1:]]
    save = reports_file = None
    if "--save" in args:
        save = args.pop(args.index("--save") + 1)
        args.remove("--save")
    if "--reports" in args:
        reports_file = args.pop(args.index("--reports") + 1)
        args.remove("--reports")
    if reports_file:
        saved = json.load(open(reports_file))
        reports, names = saved["reports"], [tuple(n) for n in saved["names"]]
    else:
        if not args:
            sys.exit(__doc__)
        leanrt = args[0]
        corpus = args[1] if len(args) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/corpus")
        cases = json.load(open(os.path.join(corpus, "cases.json")))["cases"]
        reports, names = [], []
        for case in cases:
            for batch in (1, 32):
                report = profile(leanrt, corpus, case, batch)
                if report:
                    reports.append(report)
                    names.append((case["name"], batch))
        if save:
            json.dump({"reports": reports, "names": names}, open(save, "w"))
    coefficients = fit_all(reports)
    print("CostModel constants (paste into src/leanrt/profile/peak_model.cc):")
    print_constants(LOAD_DRIVERS, coefficients[0])
    print_constants(RUN_DRIVERS, coefficients[1])
    print_constants(COMPILE_DRIVERS, coefficients[2])
    print("  (a negative size is a term the data cannot tell from 0: paste 0)")
    in_sample = sorted(((gap(r, coefficients), n) for r, n in zip(reports, names)), key=lambda e: -abs(e[0]))
    print("largest in-sample gaps:", ", ".join(f"{n} b{b} {g:+.1f}%" for g, (n, b) in in_sample[:5]))
    out_of_sample = []
    for model in sorted(set(n for n, _ in names)):
        train = [r for r, (n, _) in zip(reports, names) if n != model]
        held = [(r, b) for r, (n, b) in zip(reports, names) if n == model]
        held_coefficients = fit_all(train)
        out_of_sample += [(gap(r, held_coefficients), model, b) for r, b in held]
    out_of_sample.sort(key=lambda e: -abs(e[0]))
    print("largest leave-one-model-out gaps:", ", ".join(f"{n} b{b} {g:+.1f}%" for g, n, b in out_of_sample[:5]))
    print(f"mean |gap| leave-one-model-out: {np.mean([abs(g) for g, _, _ in out_of_sample]):.2f}%")


if __name__ == "__main__":
    main()
