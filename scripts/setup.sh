#!/usr/bin/env bash
# Command 1 of the README: install what leanrt needs, build it, and run the
# main job on the bundled example (a face-expression classifier over a
# bundled batch of images), printing what it did.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
example="$root/examples/emotion"
out="$root/out/emotion"
echo
echo "== leanrt run: $example/emotion.json over $example/faces.npy, streamed 16 images a batch"
"$root/build/leanrt" run "$example/emotion.json" --input "input_1=$example/faces.npy" --batch 16 \
  --output-dir "$out" --overwrite
echo "== outputs: $(ls "$out")"
echo
echo "== the same run as a table: the top 3 expressions per image (--format csv --top-k 3)"
"$root/build/leanrt" run "$example/emotion.json" --input "input_1=$example/faces.npy" --batch 16 \
  --format csv --top-k 3 --output-dir "$out-table" --overwrite
head -n 4 "$out-table/predictions.csv"
echo "..."
