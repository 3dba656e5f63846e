#!/usr/bin/env bash
# The CLI contract as outside checks use it: the corpus's own run_cases.py
# drives `leanrt run MODEL --input NAME=FILE --outputs ... --output-dir DIR`
# over every case leanrt supports and compares the .npy files it writes.
set -euo pipefail
leanrt=$1
source_dir=$2
corpus=${LEANRT_CORPUS:-$source_dir/../shared/corpus}
if [ ! -f "$corpus/cases.json" ]; then
  echo "cli contract: 0 passed, 0 failed, all skipped (no corpus at $corpus) [  SKIPPED ]"
  exit 0
fi
out=$(/usr/bin/python3 "$corpus/tools/run_cases.py" "$leanrt" "$corpus/cases.json")
echo "$out"
summary=$(echo "$out" | tail -n 1)
echo "cli contract: $summary"
case "$summary" in
  *" 0 failed") exit 0 ;;
  *) exit 1 ;;
esac
