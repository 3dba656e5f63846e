#!/usr/bin/env bash
# docs/ops.md must be what the op table generates (run build/leanrt_op_docs > docs/ops.md after adding an op).
set -euo pipefail
if ! diff -u "$2/docs/ops.md" <("$1"); then
  echo "docs/ops.md is out of date: run $1 > docs/ops.md"
  exit 1
fi
