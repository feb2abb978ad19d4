#!/usr/bin/env bash
# Zeek conn.log ingest speed (issue 5 target: TSV, plain, >= 2 M records/s on one thread), run by make bench
# after the capture tools. Generates bench/data/conn-<N>.log with bench/gen_zeek_conn.py once (cached), builds
# the bench preset's c2scope_zeek_ingest_bench (SensorReader into a counting sink, best of 3 rounds) and times
# `c2scope flows` on the same log end to end (parse + write conn.log), then rewrites the "Zeek log ingest"
# section of RESULTS.md (between its markers).
#   BENCH_ZEEK_RECORDS  records in the generated log (default 2,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS="${BENCH_RESULTS:-bench/RESULTS.md}"
C2SCOPE="${BENCH_C2SCOPE:-build/release/c2scope}"
N="${BENCH_ZEEK_RECORDS:-2000000}"
LOG="bench/data/conn-$N.log"
mkdir -p bench/data
[[ -f "$LOG" ]] || python3 bench/gen_zeek_conn.py --records "$N" --seed 42 "$LOG"
cmake --preset bench >/dev/null
cmake --build --preset bench --target c2scope_zeek_ingest_bench >/dev/null
reader=$(./build/bench/bench/c2scope_zeek_ingest_bench --rounds 3 "$LOG" 2>&1 | tail -n 1)
start=$EPOCHREALTIME
"$C2SCOPE" flows --no-progress --format tsv --out /dev/null "$LOG" 2>/dev/null
end=$EPOCHREALTIME
flows_rps=$(python3 -c "print(f'{$N / ($end - $start) / 1e6:.2f}')")
reader_rps=$(sed -n 's/^best: \([0-9.]*\) M records\/s.*/\1/p' <<<"$reader")
verdict=$(python3 -c "print('PASS' if float('${reader_rps:-0}') >= 2.0 else 'FAIL')")
section=$(cat <<SECTION
<!-- zeek-ingest -->
## Zeek log ingest (issue 5), $(date -u +%Y-%m-%d)

Input: \`$LOG\` ($N conn records, TSV, plain; bench/gen_zeek_conn.py --seed 42, $(du -m "$LOG" | cut -f1) MB), one thread.

| what | M records/s |
|---|---|
| SensorReader into a counting sink (c2scope_zeek_ingest_bench, best of 3) | ${reader_rps:-?} |
| \`c2scope flows --format tsv --out /dev/null\` end to end (one run) | $flows_rps |

Target >= 2 M records/s (reader): **$verdict**. Reader line: \`$reader\`
<!-- /zeek-ingest -->
SECTION
)
python3 - "$RESULTS" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read() if __import__("os").path.exists(path) else ""
pattern = re.compile(r"<!-- zeek-ingest -->.*?<!-- /zeek-ingest -->", re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
echo "zeek ingest: reader ${reader_rps:-?} M records/s, flows ${flows_rps} M records/s ($verdict)"
