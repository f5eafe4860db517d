#!/usr/bin/env bash
# Keeps one core training: runs issue 19's runs one after another in an order, so a finished run
# hands its core to the next without waiting for a session. Start one queue a core, detached:
#   (setsid nohup scripts/program/queue.sh A > /dev/null 2>&1 &)   and the same with B
# A finished run (out/manifest.json written) is skipped, and so is one the other queue holds
# (flock on its .queue-lock); a run that fails is logged in $RUNS/queue-ORDER.log and passed over.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
case ${1:-} in
  A) order=(derm-warm-e6 derm-warm-r128 photo-e6 derm-112-tone-aug-150) ;;
  B) order=(derm-warm-e4 derm-warm-r128 derm-warm-e6 photo-e6 derm-112-tone-aug-150) ;;
  *) echo "usage: $0 A|B" >&2; exit 2 ;;
esac
log=$RUNS/queue-$1.log
mkdir -p "$RUNS"
for name in "${order[@]}"; do
  mkdir -p "$RUNS/$name"
  [ -f "$RUNS/$name/out/manifest.json" ] && continue
  echo "$(date -u +%FT%TZ) $name" >> "$log"
  status=0
  flock -n -E 75 "$RUNS/$name/.queue-lock" "$here/run.sh" "$name" || status=$?
  case $status in
    75) echo "$(date -u +%FT%TZ) $name is held by the other queue" >> "$log" ;;
    *) echo "$(date -u +%FT%TZ) $name exited $status" >> "$log" ;;
  esac
done
