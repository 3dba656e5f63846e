"""OpenCV DNN peer: loads a frozen TF graph with cv2.dnn.readNetFromTensorflow,
runs it on uniform [0, 1) NHWC inputs at a batch size and prints one JSON
line like leanrt_bench's (median ms per run, throughput, VmHWM at exit).

    /usr/bin/python3 bench/opencv_bench.py MODEL.pb --batch 32 --runs 10 --warmup 3 --threads 2 \
        --input NAME=1,28,28,1 [--calls 1]

As in leanrt_bench, --calls N makes one timed run N calls of --batch samples,
each call on its own input arrays (made before timing).

Debian's python3-opencv (4.6) is for the system python; exits 3 when OpenCV
cannot load or run the graph, so the caller can report that.
"""
import argparse
import json
import sys
import time

import numpy as np


def peak_rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--calls", type=int, default=1, help="calls per timed run, each on its own samples")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--min-time-ms", type=float, default=0.0, help="keep timing runs until they add up to this")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--value", action="append", default=[], help="NAME=V of a scalar input (unused: no frozen .pb here has one)")
    args = parser.parse_args()
    import cv2

    cv2.setNumThreads(args.threads)
    try:
        net = cv2.dnn.readNetFromTensorflow(args.model)
    except cv2.error as error:
        print(f"opencv_bench: cannot load {args.model}: {str(error).strip().splitlines()[-1]}", file=sys.stderr)
        sys.exit(3)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    rng = np.random.default_rng(1)
    feeds_per_call = [{} for _ in range(args.calls)]  # call c's inputs, its own samples
    for feeds in feeds_per_call:
        for spec in args.input:
            name, dims = spec.rsplit("=", 1)
            shape = [int(d) for d in dims.split(",")]
            shape[0] = args.batch
            data = rng.random(shape, dtype=np.float32)
            if len(shape) == 4:
                data = np.ascontiguousarray(data.transpose(0, 3, 1, 2))  # OpenCV takes NCHW blobs
            feeds[name.split(":")[0]] = data

    def run_once():
        """One run: args.calls calls of args.batch samples each."""
        for feeds in feeds_per_call:
            for name, data in feeds.items():
                net.setInput(data, name)
            net.forward()

    try:
        fastest_warmup_ms = float("inf")
        for _ in range(max(args.warmup, 1)):
            start = time.perf_counter()
            run_once()
            fastest_warmup_ms = min(fastest_warmup_ms, (time.perf_counter() - start) * 1000.0)
        # As leanrt_bench: runs shorter than min-time / 1000 are timed in groups.
        group = max(1, int(args.min_time_ms / 1000.0 / max(fastest_warmup_ms, 1e-6)))
        times = []
        timed_ms = 0.0
        while len(times) < args.runs or timed_ms < args.min_time_ms:
            start = time.perf_counter()
            for _ in range(group):
                run_once()
            ms = (time.perf_counter() - start) * 1000.0
            times.append(ms / group)
            timed_ms += ms
    except cv2.error as error:
        print(f"opencv_bench: cannot run {args.model}: {str(error).strip().splitlines()[-1]}", file=sys.stderr)
        sys.exit(3)
    median_ms = float(np.median(times))
    print(json.dumps({
        "engine": "opencv-dnn", "model": args.model, "batch": args.batch, "calls": args.calls,
        "samples_per_run": args.batch * args.calls, "threads": cv2.getNumThreads(), "runs": len(times) * group,
        "median_ms": median_ms, "throughput_per_s": 1000.0 * args.batch * args.calls / median_ms,
        "peak_rss_bytes": peak_rss_bytes(),
    }))


if __name__ == "__main__":
    main()
