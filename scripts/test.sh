#!/usr/bin/env bash
# Command 2 of the README: install what is missing, build, run every test.
# Prints each corpus suite's "N passed, N failed, N skipped" line at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
"$root/scripts/build.sh"
start=$(date +%s)
status=0
(cd "$root/build" && ctest --output-on-failure --timeout 1200 "$@") || status=$?
echo
echo "== corpus summaries"
grep -hE '^[a-z ()]+: [0-9]+ passed, [0-9]+ failed' "$root/build/Testing/Temporary/LastTest.log" || true
echo "== test suite took $(( $(date +%s) - start ))s"
exit $status
