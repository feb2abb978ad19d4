#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR for FUZZ_SECONDS over fuzz/corpus/<target> (seeded by fuzz/seeds.py from ../shared/data)
# plus fuzz/regressions/<target>. New crashes land in fuzz/crashes/<target>/: turn each into a regression input.
set -euo pipefail
build=${1:-build/fuzz}
secs=${FUZZ_SECONDS:-30}
here=$(cd "$(dirname "$0")" && pwd)
for bin in "$build"/fuzz/*_fuzz; do
  name=$(basename "$bin")
  corpus="$here/corpus/$name"; mkdir -p "$corpus" "$here/crashes/$name"
  python3 "$here/seeds.py" "$name" "$corpus"
  dirs=("$corpus"); [ -d "$here/regressions/$name" ] && dirs+=("$here/regressions/$name")
  echo "fuzz: $name for ${secs}s"
  "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$here/crashes/$name/" "${dirs[@]}" 2>&1 | tail -n 3
done
