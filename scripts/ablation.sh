#!/usr/bin/env bash
# Issue 9's ablation: does synthetic dark-skin data help the photo model on real photos? Four arms
# × three seeds with one recipe and budget (30 epochs, each drawing as many images as there are
# real training photos; all start from the dermoscopy model's body):
#   real       the real training photos only
#   generator  + one tone-generator rendering at Fitzpatrick IV-VI of each type I-III photo
#   retoning   + one biophysical re-toning of each, to the same target tones
#   balanced   real only, sampling balanced over condition × Fitzpatrick group
# Each run selects on val and writes its card (test figures per group) under
# checkpoints/ablation/out/<arm>-s<seed>/. Resumable: run it again and every run continues from
# its last epoch; finished runs are only re-exported.
#   scripts/ablation.sh [RUN...]   (uses $DERMTONE, else $CARGO_TARGET_DIR or target/release/dermtone)
# RUN names one run (e.g. generator-s2); the default is all twelve. Each run uses about one core,
# so on two cores two invocations with disjoint runs finish sooner. Then measure them all:
#   dermtone ablation              (writes models/ablation.json and models/ablation-results.md)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DERMTONE:-${CARGO_TARGET_DIR:-target}/release/dermtone}
DATA=../shared/data/fitzpatrick17k_ajl_subset
declare -A ARMS=(
  [real]=""
  [generator]="--synthetic 1 --synthetic-method generator"
  [retoning]="--synthetic 1 --synthetic-method retoning"
  [balanced]="--tone-balanced"
)
RUNS=("$@")
if [ ${#RUNS[@]} -eq 0 ]; then
  for seed in 1 2 3; do
    for arm in real generator retoning balanced; do RUNS+=("$arm-s$seed"); done
  done
fi
for run in "${RUNS[@]}"; do
  arm=${run%-s*}
  seed=${run##*-s}
  [ -n "${ARMS[$arm]+set}" ] || { echo "unknown run $run (arms: ${!ARMS[*]})" >&2; exit 2; }
  echo "== $run ($(date -u +%H:%M))"
  # shellcheck disable=SC2086 # the arm's options are words
  "$BIN" train clinical --data "$DATA" --init-from models --seed "$seed" --id "ablation-$run" \
    --out "checkpoints/ablation/out/$run" --checkpoint "checkpoints/ablation/$run" --resume \
    ${ARMS[$arm]}
done
