#!/bin/sh
# usage: run.sh BIN OUTDIR [--no-gen]
#   generate the indep3 scenarios into OUTDIR (skipped with --no-gen), run `BIN analyze` on each, score.
#   The sha256 of BIN is recorded before and after (OUTDIR/binary.sha256); a change mid-run is reported.
set -eu
BIN=${1:?usage: run.sh BIN OUTDIR [--no-gen]}
OUT=${2:?usage: run.sh BIN OUTDIR [--no-gen]}
GEN=${3:-gen}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
[ "$GEN" = "--no-gen" ] || nice -n 10 python3 "$HERE/gen.py" "$OUT"
before=$(sha256sum "$BIN" | cut -d' ' -f1)
"$BIN" --version > "$OUT/binary.version" 2>&1 || true
for d in "$OUT"/s*/; do
  d=${d%/}
  [ -f "$d/truth.json" ] || continue
  cidr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["home_net"])' "$d/truth.json")
  intel=""
  [ -f "$d/intel.txt" ] && intel="--intel $d/intel.txt"
  rm -rf "$d/res"
  start=$(date +%s)
  # shellcheck disable=SC2086
  nice -n 10 "$BIN" analyze "$d/traffic.pcap" --out "$d/res" --home-net "$cidr" $intel -q --no-progress \
    > "$d/analyze.log" 2>&1 || echo "analyze failed on $d (see $d/analyze.log)"
  echo "$(basename "$d"): analyze $(( $(date +%s) - start )) s"
done
after=$(sha256sum "$BIN" | cut -d' ' -f1)
echo "binary $BIN sha256 before=$before after=$after" | tee "$OUT/binary.sha256"
[ "$before" = "$after" ] || echo "WARNING: the binary changed during the run; results mix two builds"
python3 "$HERE/score.py" "$OUT"
