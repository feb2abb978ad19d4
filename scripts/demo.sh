#!/usr/bin/env bash
# `make demo`: generates a labelled day of traffic (scripts/gen_scenario.py: 55 hosts browsing, NTP, update
# checks and push heartbeats, among them a few infected hosts beaconing to C2 servers in several countries)
# with the threat-intel feeds that list some of those servers, then runs the main job on it and prints the
# report, then checks it with `c2scope verify`. The expected answer is in build/demo/truth.json;
# scripts/eval_scenario.py compares the two.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
rm -rf "$out"
mkdir -p "$out"
python3 scripts/gen_scenario.py --seed 1 --kind mixed --out "$out"
cd "$out"
# The scenario's own arguments: the feeds, the monitored network and the home country.
mapfile -t args < <(python3 -c 'import json; print("\n".join(json.load(open("truth.json"))["argv"]))')
echo "== c2scope analyze ${args[*]} --out out =="
../release/c2scope analyze "${args[@]}" --out out
echo
echo "== written: $out/out/{report.txt,findings.json,beacons.json,evidence.jsonl} =="
python3 ../../scripts/eval_scenario.py --no-run . | tail -n 1
echo
echo "== c2scope verify out --rerun: every number against its evidence, the inputs' hashes, the cited packets, =="
echo "== and the same analysis run again from what findings.json records =="
../release/c2scope verify out --rerun
