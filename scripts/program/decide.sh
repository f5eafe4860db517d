#!/usr/bin/env bash
# Everything a finished run is decided on, measured once and kept in $RUNS/decisions/<date>/ for
# the experiments file (val chooses; nothing here reads test):
#   scripts/program/decide.sh RUN [RUN...]     e.g. derm-warm-e4 derm-warm-e6, or photo-e6
# The runs must be of one task, read from each run's out/manifest.json; with several, name the
# control first (DW4 before DW6 and DR128).
#   1. each run and the shipped model of its task on the same val images, paired, with 95 %
#      bootstrap intervals (dermoscopy_pair_on_val, or ensemble_on_val for photo models); with
#      several runs, each later one paired against the first named too
#   2. `dermtone eval --split val --json` and `--split train --json` of each run's out/ (did the
#      network use its room on the images it learnt from?); for dermoscopy, each class's val
#      recall beside the shipped model's (the rule's malignant classes: akiec, bcc, mel)
#   3. dermoscopy only, SYNTHETIC evidence and labelled so: the top-1 kept when only the tone
#      changes, by `validate-generator --split val --limit 150` on a copy of models/ whose
#      dermoscopy model is the run's (generator-v4's renderings)
# Uses the binary each run trained with and the repository's dermtone-train examples.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
# The runs' build folder (run.sh's), so the examples need no build of their own from scratch.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/dermtone/target}
HAM=../shared/data/ham10000
PHOTOS=../shared/data/fitzpatrick17k_ajl_subset
[ $# -ge 1 ] || { echo "usage: $0 RUN [RUN...]" >&2; exit 2; }
out=$RUNS/decisions/$(date -u +%F)
mkdir -p "$out"

# measure FILE RUN COMMAND...: COMMAND's output into FILE, unless FILE was measured today on RUN's
# finished model already (a run decided beside a later one is not measured twice); written whole
# or not at all, so a killed measurement is made again.
measure() {
  local file=$1 run=$2
  shift 2
  [ -s "$file" ] && [ "$file" -nt "$run/out/manifest.json" ] && return
  "$@" > "$file.part"
  mv "$file.part" "$file"
}
task_of() { node -e 'console.log(require(process.argv[1]).models[0].task)' "$1/manifest.json"; }
outs=()
task=""
for name in "$@"; do
  dir=$RUNS/$name/out
  [ -f "$dir/manifest.json" ] || { echo "$name has not finished (no out/manifest.json)" >&2; exit 1; }
  this=$(task_of "$dir")
  [ -z "$task" ] || [ "$task" = "$this" ] || { echo "$name is a $this run, not $task" >&2; exit 1; }
  task=$this
  outs+=("$dir")
done
case $task in
  dermoscopy) data=$HAM pair=dermoscopy_pair_on_val ;;
  photo) data=$PHOTOS pair=ensemble_on_val ;;
  *) echo "no decision recipe for $task runs" >&2; exit 1 ;;
esac

cargo run --release -q -p dermtone-train --example "$pair" -- models "${outs[@]}" \
  | tee "$out/pair-on-val.$(IFS=+; echo "$*").txt"
if [ $# -ge 2 ]; then
  cargo run --release -q -p dermtone-train --example "$pair" -- "${outs[@]}" \
    | tee "$out/pair-on-val.against-$1.$(IFS=+; echo "${*:2}").txt"
fi
shipped_val=$out/shipped.eval-val.json
[ "$task" != dermoscopy ] \
  || "$(cat "$RUNS/$1/binary")" eval --data "$data" --split val --json --models models > "$shipped_val"

for name in "$@"; do
  run=$RUNS/$name
  binary=$(cat "$run/binary")
  for split in val train; do
    measure "$out/$name.eval-$split.json" "$run" \
      "$binary" eval --data "$data" --split "$split" --json --models "$run/out"
  done
  echo "$name: written $out/$name.eval-{val,train}.json"
  [ "$task" = dermoscopy ] || continue
  # shellcheck disable=SC2016 # the quoted text is JavaScript, its ${} are template literals
  node -e '
    const fs = require("fs");
    const [name, shipped, run] = process.argv.slice(1)
      .map((f, i) => (i ? JSON.parse(fs.readFileSync(f)).per_class : f));
    for (const [label, theirs] of Object.entries(shipped)) {
      const change = run[label].sensitivity - theirs.sensitivity;
      console.log(`${name}: val recall of ${label} (n ${theirs.n}) ` +
        `${theirs.sensitivity.toFixed(3)} -> ${run[label].sensitivity.toFixed(3)} ` +
        `(${change >= 0 ? "+" : ""}${change.toFixed(3)})`);
    }
  ' "$name" "$shipped_val" "$out/$name.eval-val.json" | tee "$out/$name.recall-val.txt"
  swapped=$out/$name.models
  rm -rf "$swapped" && cp -r models "$swapped"
  node -e '
    const fs = require("fs");
    const [dir, runOut] = process.argv.slice(1);
    const candidate = JSON.parse(fs.readFileSync(runOut + "/manifest.json")).models
      .find((m) => m.task === "dermoscopy");
    const manifest = JSON.parse(fs.readFileSync(dir + "/manifest.json"));
    manifest.models = manifest.models.map((m) => (m.task === "dermoscopy" ? candidate : m));
    for (const file of [candidate.file, candidate.card, candidate.card_markdown].filter(Boolean)) {
      fs.copyFileSync(runOut + "/" + file, dir + "/" + file);
    }
    fs.writeFileSync(dir + "/manifest.json", JSON.stringify(manifest, null, 2));
  ' "$swapped" "$run/out"
  measure "$out/$name.synthetic-kept-val.json" "$run" "$binary" validate-generator \
    --data "$PHOTOS" --ham10000 "$HAM" --models "$swapped" --split val --limit 150 --json
  echo "$name: written $out/$name.synthetic-kept-val.json (synthetic images)"
done
