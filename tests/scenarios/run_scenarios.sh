#!/usr/bin/env bash
# ctest driver: generates the labelled scenarios of the given seeds (scripts/gen_scenario.py, deterministic),
# runs `c2scope analyze` on each and scores it against truth.json (scripts/eval_scenario.py --aggregate).
#   run_scenarios.sh C2SCOPE_BINARY WORK_DIR MIN SEED...
set -euo pipefail
bin=$1 work=$2 min=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
dirs=()
for seed in "$@"; do
  python3 "$root/scripts/gen_scenario.py" --seed "$seed" --kind all --out "$work/seed$seed" >/dev/null
  for kind in mixed small tunnel benign; do dirs+=("$work/seed$seed/$kind"); done
done
python3 "$root/scripts/eval_scenario.py" --c2scope "$bin" --aggregate --min "$min" --json "$work/eval.json" "${dirs[@]}"
