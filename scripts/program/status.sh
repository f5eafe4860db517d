#!/usr/bin/env bash
# One line a run: its last epoch's val score and balanced accuracy, and whether it is finished,
# training now (a queue holds its lock) or waiting.   scripts/program/status.sh
set -euo pipefail
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
for run in "$RUNS"/*/; do
  name=$(basename "$run")
  history=$run/ck/history.jsonl
  last=none
  [ -s "$history" ] && last=$(tail -n 1 "$history")
  if [ -f "$run/out/manifest.json" ]; then state=finished
  elif ! flock -n "$run/.queue-lock" true 2>/dev/null; then state=training
  else state=waiting
  fi
  printf '%-24s %-9s %s\n' "$name" "$state" "$last"
done
