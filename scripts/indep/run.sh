#!/bin/bash
# usage: run.sh /path/to/c2scope [OUTDIR]
# Generates (once, deterministic) two profiles of 16 scenarios each under OUTDIR/{realistic,strict},
# runs `c2scope analyze` on every scenario and prints the per-scenario table and totals for each profile.
#   realistic: benign periodic services split over device types / several IPs (per-IP prevalence 10-75%)
#   strict:    every benign periodic service on one IP reached by >= 65% of the monitored hosts (the issue's premise)
# VERBOSE=1 also prints every miss / false positive with its beacons.json sub-scores.
set -u
BIN=$(readlink -f "$1"); OUT=${2:-${TMPDIR:-/tmp}/c2scope-indep}; HERE=$(dirname "$(readlink -f "$0")")
for prof in realistic strict; do
  O="$OUT/$prof"; mkdir -p "$O"
  # regenerate unless KEEP=1 and a previous generation by the same gen.py exists
  if [ -z "${KEEP:-}" ] || ! cmp -s "$HERE/gen.py" "$O/.generated"; then
    rm -rf "$O"; mkdir -p "$O"; C2GEN_PROFILE=$prof nice -n 10 python3 "$HERE/gen.py" "$O" >&2 && cp "$HERE/gen.py" "$O/.generated"
  fi
  for d in "$O"/s*/; do
    d=${d%/}; hn=$(python3 -c "import json;print(json.load(open('$d/truth.json'))['home_net'])")
    args=(analyze "$d/traffic.pcap" --out "$d/res" --home-net "$hn")
    [ -f "$d/intel.txt" ] && args+=(--intel "$d/intel.txt")
    rm -rf "$d/res"
    nice -n 10 "$BIN" "${args[@]}" >"$d/res.stdout" 2>"$d/res.stderr" || echo "FAILED rc=$? $prof/$(basename $d): $(tail -2 $d/res.stderr)" >&2
  done
  echo "=== profile: $prof ($BIN)"
  python3 "$HERE/score.py" "$O" ${VERBOSE:+-v} $([ -n "${VERBOSE:-}" ] || echo -q)
done
