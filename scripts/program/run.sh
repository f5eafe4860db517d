#!/usr/bin/env bash
# Trains (or resumes) one of issue 19's runs by name, so a run lost with its machine restarts with
# one command and the exact recipe lives in the repository, not only in a session's cache.
#   scripts/program/run.sh NAME     from anywhere; NAME is one of the runs listed below
#   scripts/program/run.sh NAME --export-as ID
#                                   a finished run's selected model exported again under the id it
#                                   would ship as (into $RUNS/NAME/export-ID; nothing trains: the
#                                   checkpoint is finished, so resuming it only exports)
# Each run lives in $RUNS/NAME (default ~/.cache/dermtone/runs/NAME): start/ (the shipped models
# it starts from, `git archive` of a fixed commit), ck/ (the checkpoint, every epoch), out/ (the
# exported model once finished), log.txt, and binary (the path of the binary it trains with).
# The binary is pinned at the first start: `dermtone` is built from the tree (or $DERMTONE taken
# as it is) and copied to $BIN_DIR/dermtone-<commit>, so rebuilding the tree never changes a run
# mid-way. Refused while the training code has uncommitted changes, since
# the name would then lie. The run writes 19 to its autogroup, so builds and tests get the cores
# first (a setsid process ignores plain `nice`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
BIN_DIR=${BIN_DIR:-$HOME/.cache/dermtone/bin}
HAM=../shared/data/ham10000
PHOTOS=../shared/data/fitzpatrick17k_ajl_subset

usage="usage: scripts/program/run.sh NAME [--export-as ID]"
name=${1:?$usage}
export_as=""
if [ $# -gt 1 ]; then
  if [ $# -ne 3 ] || [ "$2" != --export-as ] || [ -z "$3" ]; then echo "$usage" >&2; exit 2; fi
  export_as=$3
fi
echo 19 > /proc/self/autogroup 2>/dev/null || true
run=$RUNS/$name

# Each run: the commit whose models/ it starts from ("" for none), then its training arguments.
case $name in
  derm-warm-e6) # DW6: dermoscopy-v3 widened to hidden layers 6x, 40 epochs warm
    start=22233a7
    args=(train dermoscopy --data "$HAM" --continue-from "$run/start" --expansion 6 --size 112
      --epochs 40 --patience 40 --lr 0.001 --ema 0.999 --seed 42 --id dermoscopy-w6) ;;
  derm-warm-e4) # DW4: DW6's control at the shipped width
    start=22233a7
    args=(train dermoscopy --data "$HAM" --continue-from "$run/start" --expansion 4 --size 112
      --epochs 40 --patience 40 --lr 0.001 --ema 0.999 --seed 42 --id dermoscopy-w4) ;;
  derm-warm-r128) # DR128: DW4 at 128 px
    start=22233a7
    args=(train dermoscopy --data "$HAM" --continue-from "$run/start" --size 128
      --epochs 40 --patience 40 --lr 0.001 --ema 0.999 --seed 42 --id dermoscopy-r128) ;;
  photo-e6) # E6: B0's recipe with hidden layers 6x, from dermoscopy-v2's body widened
    start=cd3310e^
    args=(train clinical --data "$PHOTOS" --init-from "$run/start" --expansion 6 --tone-balanced
      --size 96 --epochs 150 --patience 150 --ema 0.999 --mixup 0.2 --seed 42 --id clinical-e6) ;;
  derm-112-tone-aug-150) # D-T: Run A's recipe from scratch with a quarter of the draws re-toned
    start=""
    args=(train dermoscopy --data "$HAM" --tone-augment 0.25 --size 112 --epochs 150
      --patience 150 --ema 0.999 --seed 42 --id dermoscopy-v4) ;;
  *) echo "unknown run '$name' (see the list in $0)" >&2; exit 2 ;;
esac
out=$run/out
if [ -n "$export_as" ]; then
  [ -f "$run/out/manifest.json" ] || { echo "$name has not finished: nothing to export" >&2; exit 1; }
  for i in "${!args[@]}"; do
    [ "${args[i]}" != --id ] || args[i + 1]=$export_as
  done
  out=$run/export-$export_as
fi
args+=(--out "$out" --checkpoint "$run/ck" --resume)

mkdir -p "$run"
if [ -n "$start" ] && [ ! -f "$run/start/manifest.json" ]; then
  rm -rf "$run/start.partial" && mkdir -p "$run/start.partial"
  git archive "$start" models | tar -x -C "$run/start.partial" --strip-components=1
  mv "$run/start.partial" "$run/start"
fi

if [ ! -f "$run/binary" ]; then
  if ! git diff --quiet HEAD -- crates Cargo.toml Cargo.lock; then
    echo "the training code has uncommitted changes: commit them before a run's first start" >&2
    exit 1
  fi
  if [ -n "${DERMTONE:-}" ]; then
    built=$DERMTONE
  else
    # Built here, so the binary named after HEAD is HEAD's (a no-op when the build is current).
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/dermtone/target}
    cargo build --release -q -p dermtone-cli
    built=$CARGO_TARGET_DIR/release/dermtone
  fi
  [ -x "$built" ] || { echo "no built dermtone at $built" >&2; exit 1; }
  pinned=$BIN_DIR/dermtone-$(git rev-parse --short=7 HEAD)
  if [ ! -x "$pinned" ]; then
    mkdir -p "$BIN_DIR"
    cp "$built" "$pinned.partial.$$" && mv "$pinned.partial.$$" "$pinned"
  fi
  echo "$pinned" > "$run/binary"
fi
binary=$(cat "$run/binary")

printf '%s\n' "# $(date -u +%FT%TZ) $binary ${args[*]}" >> "$run/log.txt"
exec nice -n 19 "$binary" "${args[@]}" >> "$run/log.txt" 2>&1
