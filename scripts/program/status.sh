#!/usr/bin/env bash
# One line a run: its last epoch's val figures and when they were written, and whether it is
# finished, training now (a queue holds its lock) or waiting.   scripts/program/status.sh
set -euo pipefail
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
for run in "$RUNS"/*/; do
  [ -f "$run/binary" ] || continue
  name=$(basename "$run")
  history=$run/ck/history.jsonl
  last=none
  # shellcheck disable=SC2016 # the quoted text is JavaScript, its ${} are template literals
  [ -s "$history" ] && last=$(tail -n 1 "$history" | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(`epoch ${r.epoch}: val score ${r.val_score.toFixed(3)}, balanced accuracy ` +
      `${r.val_balanced_accuracy.toFixed(3)}, accuracy ${r.val_accuracy.toFixed(3)}, train loss ${r.train_loss.toFixed(3)}`);')
  if [ -f "$run/out/manifest.json" ]; then state=finished
  elif ! flock -n "$run/.queue-lock" true 2>/dev/null; then state=training
  else state=waiting
  fi
  [ -s "$history" ] && last="$last (written $(date -u -r "$history" +%FT%TZ))"
  printf '%-24s %-9s %s\n' "$name" "$state" "$last"
done
