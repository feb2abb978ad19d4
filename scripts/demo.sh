#!/usr/bin/env bash
# `make demo`: generates the project's sample capture and runs the main job on it.
# (Until `c2scope analyze` exists, the main job is `c2scope flows`.)
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
python3 scripts/gen_sample_pcap.py --out "$out/sample.pcap"
echo "== c2scope flows $out/sample.pcap (Zeek conn.log, TSV) =="
build/release/c2scope flows --format tsv --out "$out/conn.log" --stats "$out/stats.json" "$out/sample.pcap"
# Show the main columns, aligned.
grep -v '^#' "$out/conn.log" | awk -F'\t' 'BEGIN{printf "%-19s %-15s %6s  %-15s %6s %-5s %-5s %6s %6s %s\n","uid","orig_h","orig_p","resp_h","resp_p","proto","state","opkts","rpkts","tunnel"}
  {printf "%-19s %-15s %6s  %-15s %6s %-5s %-5s %6s %6s %s\n",$2,$3,$4,$5,$6,$7,$11,$13,$15,$22}'
echo
echo "== accounting ($out/stats.json) =="
cat "$out/stats.json"; echo
