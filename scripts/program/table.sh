#!/usr/bin/env bash
# The experiments file's per-epoch table: one row a run, its val score (the weight average's,
# where one is kept) at each epoch from FIRST to LAST; the run's best epoch so far in bold.
#   scripts/program/table.sh FIRST LAST RUN [RUN...]     e.g. 1 20 derm-warm-e6 derm-warm-e4
# An epoch a run has not reached yet prints as –.
set -euo pipefail
RUNS=${RUNS:-$HOME/.cache/dermtone/runs}
[ $# -ge 3 ] || { echo "usage: $0 FIRST LAST RUN [RUN...]" >&2; exit 2; }
first=$1 last=$2
shift 2
for name in "$@"; do
  [ -s "$RUNS/$name/ck/history.jsonl" ] || { echo "$name has no history in $RUNS" >&2; exit 1; }
done
# shellcheck disable=SC2016 # the quoted text is JavaScript, its ${} are template literals
node -e '
  const fs = require("fs");
  const [runs, first, last, ...names] = process.argv.slice(1);
  const epochs = [];
  for (let e = Number(first); e <= Number(last); e++) epochs.push(e);
  console.log(["| epoch", ...epochs].join(" | ") + " |");
  console.log(["|---", ...epochs.map(() => "---:")].join("|") + "|");
  for (const name of names) {
    const score = new Map(fs.readFileSync(`${runs}/${name}/ck/history.jsonl`, "utf8").trim()
      .split("\n").map((line) => JSON.parse(line)).map((r) => [r.epoch, r.val_score]));
    const best = Math.max(...score.values());
    const cells = epochs.map((e) => {
      if (!score.has(e)) return "–";
      const text = score.get(e).toFixed(3);
      return score.get(e) === best ? `**${text}**` : text;
    });
    console.log(["| " + name, ...cells].join(" | ") + " |");
  }
' "$RUNS" "$first" "$last" "$@"
