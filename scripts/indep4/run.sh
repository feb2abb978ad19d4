#!/bin/sh
# usage: run.sh BIN OUTDIR [--no-gen]
# Copies BIN to OUTDIR/bin/c2scope (records its sha256), generates the scenarios (unless --no-gen),
# runs the copy on each with nice -n 10, then scores. Python 3 stdlib only.
set -eu
BIN=$1; OUT=$2; GEN=1
[ "${3:-}" = "--no-gen" ] && GEN=0
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/bin"
if [ "$(readlink -f "$BIN")" != "$(readlink -f "$OUT/bin/c2scope")" ]; then cp "$BIN" "$OUT/bin/c2scope"; fi
sha256sum "$OUT/bin/c2scope" | tee "$OUT/bin/c2scope.sha256"
if [ $GEN = 1 ]; then nice -n 10 python3 "$HERE/gen.py" "$OUT/gen"; fi
for T in "$OUT"/gen/*/truth.json; do
  D=$(dirname "$T")
  ARGS=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print("\n".join([t["input"]]+t["args"]))' "$T")
  rm -rf "$D/res"
  # one argument per line (no spaces in paths)
  set -- $(echo "$ARGS")
  /usr/bin/time -f "%e s %M KB" -o "$D/time.txt" nice -n 10 "$OUT/bin/c2scope" analyze "$@" --out "$D/res" -q --no-progress \
     > "$D/stdout.txt" 2> "$D/stderr.txt" || echo "$(basename "$D"): exit $?" 
  echo "$(basename "$D"): $(cat "$D/time.txt")"
done
python3 "$HERE/score.py" "$OUT/gen" --json "$OUT/score.json" | tee "$OUT/score.txt"
