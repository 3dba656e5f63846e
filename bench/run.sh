#!/usr/bin/env bash
# The peer benchmark: leanrt against TF.js (wasm backend, in node) and
# OpenCV DNN on the developer corpus, then the per-layer GFLOP/s table.
# See bench/README.md. Prints tables of ratios; never fails on a ratio.
#
#   bench/run.sh [--runs N] [--models a,b,...] [--skip-layers] [--skip-peers]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LEANRT_BENCH_BUILD:-$root/build}
corpus=${LEANRT_CORPUS:-$root/../shared/corpus}

# Bench-only tools: Debian's OpenCV (system python), node and npm.
need=()
/usr/bin/python3 -c 'import cv2, numpy' 2>/dev/null || need+=(python3-opencv python3-numpy)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# TF.js and its wasm backend, pinned in bench/package.json, bench-local.
if [ ! -d "$root/bench/node_modules/@tensorflow/tfjs-backend-wasm" ]; then
  echo "bench: installing TF.js into bench/node_modules" >&2
  (cd "$root/bench" && npm install --no-audit --no-fund --silent >/dev/null)
fi

"$root/scripts/deps.sh"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target leanrt_bench leanrt_layer_bench >/dev/null

exec /usr/bin/python3 "$root/bench/compare.py" --build "$build" --corpus "$corpus" "$@"
