#!/usr/bin/env bash
# Streaming memory: peak RSS of whole `leanrt run` processes over a 4 GiB and a
# 40 MiB float32 .npy (same sample shape) through the corpus liveness model
# at --batch 32, against the bound the plan gives:
#   weights + arena + 3 input batches + 3 output batches + 32 MiB
# Peak RSS is the process's VmHWM (file-backed pages included) as GNU time
# reports it; the run's own summary line (VmHWM, RssAnon, RssFile) is shown too.
# A third run writes an output as large as its input (add_two, 1 GiB in and
# out) to show what written pages cost: write() leaves them in the page
# cache, which VmHWM does not count.
#
# usage: bench/streaming_memory.sh [LEANRT] [SCRATCH_DIR]
#   LEANRT       default: build-stream/leanrt, else build/leanrt
#   SCRATCH_DIR  default: $TMPDIR or /tmp; needs ~6.2 GiB free; removed after
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
leanrt=${1:-}
if [ -z "$leanrt" ]; then
  leanrt=$root/build-stream/leanrt
  [ -x "$leanrt" ] || leanrt=$root/build/leanrt
fi
corpus=${LEANRT_CORPUS:-$root/../shared/corpus}
model=$corpus/models/liveness/liveness.json
[ -f "$model" ] || { echo "streaming_memory: no corpus model at $model" >&2; exit 1; }
scratch=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/leanrt-streaming-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
python=/usr/bin/python3
batch=32
# One kernel thread: the figures are about memory, and on a busy 2-core machine
# OpenMP's barriers make small batches several times slower.
threads=1

# A float32 .npy of `samples` x [32, 32, 3], written a chunk at a time.
make_npy() {
  "$python" - "$1" "$2" <<'EOF'
import sys
import numpy as np
path, samples = sys.argv[1], int(sys.argv[2])
shape = (samples, 32, 32, 3)
chunk = np.random.default_rng(0).random((1024, 32, 32, 3), dtype=np.float32)
with open(path, "wb") as f:
    np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": shape})
    left = samples
    while left > 0:
        n = min(left, len(chunk))
        f.write(chunk[:n].tobytes())
        left -= n
EOF
}

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# Runs leanrt, prints its summary line; sets peak_kib (GNU time's %M = VmHWM).
run_measured() {
  local label=$1; shift
  /usr/bin/time -f "%M" -o "$scratch/time.txt" "$leanrt" "$@" 2>"$scratch/err.txt"
  peak_kib=$(tail -n 1 "$scratch/time.txt")
  echo "  $label: $(grep '^leanrt:' "$scratch/err.txt")"
}

sample_bytes=$((32 * 32 * 3 * 4))
output_row_bytes=$((2 * 4))
read -r weights arena < <("$leanrt" inspect "$model" --batch $batch --json |
  "$python" -c 'import json, sys; r = json.load(sys.stdin); print(r["weights_bytes"], r["arena_bytes"])')
bound=$((weights + arena + 3 * batch * sample_bytes + 3 * batch * output_row_bytes + 32 * 1048576))

big_samples=$((4 * 1024 * 1048576 / sample_bytes))
small_samples=$((40 * 1048576 / sample_bytes))
echo "== generating $big_samples and $small_samples samples of [32, 32, 3] float32 (4 GiB and 40 MiB)"
make_npy "$scratch/big.npy" $big_samples
make_npy "$scratch/small.npy" $small_samples

echo "== leanrt run $model --batch $batch --threads $threads"
run_measured "40 MiB" run "$model" --input "$scratch/small.npy" --batch $batch --threads $threads \
  --output-dir "$scratch/out-small"
small_peak=$((peak_kib * 1024))
run_measured "4 GiB " run "$model" --input "$scratch/big.npy" --batch $batch --threads $threads \
  --output-dir "$scratch/out-big"
big_peak=$((peak_kib * 1024))
rm -f "$scratch/big.npy"

echo
echo "bound = weights $(mib $weights) + arena $(mib $arena) + 3 input batches $(mib $((3 * batch * sample_bytes)))" \
  "+ 3 output batches $(mib $((3 * batch * output_row_bytes))) + 32 MiB = $(mib $bound) MiB"
echo "peak RSS over 40 MiB: $(mib $small_peak) MiB"
echo "peak RSS over 4 GiB:  $(mib $big_peak) MiB  ($([ $big_peak -le $bound ] && echo within || echo OVER) the bound;" \
  "4 GiB peak minus 40 MiB peak: $(mib $((big_peak - small_peak))) MiB, limit 8 MiB)"

echo
echo "== an output as large as the input: add_two over 1 GiB of [N, 3] float32, --batch 4096"
"$python" - "$scratch/a.npy" <<'EOF'
import sys
import numpy as np
samples = 1024 * 1048576 // 12
with open(sys.argv[1], "wb") as f:
    np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (samples, 3)})
    chunk = np.random.default_rng(1).random((1 << 20, 3), dtype=np.float32)
    left = samples
    while left > 0:
        n = min(left, len(chunk))
        f.write(chunk[:n].tobytes())
        left -= n
EOF
run_measured "1 GiB in, 1 GiB out" run "$root/tests/data/add_two.json" --input "a=$scratch/a.npy" \
  --input "b=$scratch/a.npy" --batch 4096 --threads $threads --output-dir "$scratch/out-add"
echo "peak RSS: $(mib $((peak_kib * 1024))) MiB for $(mib "$(stat -c %s "$scratch/out-add/y.npy")") MiB written"
