#!/usr/bin/env bash
# Side-by-side benchmark: c2scope against ndpiReader, tshark and nfpcapd on one synthetic capture.
# `make bench` runs this from the repository root. See bench/README.md.
#
# Environment:
#   BENCH_SIZE_MB  capture size in MB (default 1024; 200 for a quick run)
#   BENCH_ROUNDS   rounds; tools alternate round-robin inside each round (default 3)
#   BENCH_SEED     generator seed (default 42)
#   BENCH_TOOLS    comma-separated subset of tool names to run (default: all), e.g. "c2scope flows,ndpiReader"
#   BENCH_C2SCOPE  c2scope binary (default build/release/c2scope)
#   BENCH_RESULTS  results file (default bench/RESULTS.md)
#   BENCH_GEN      generator (default ../shared/tools/gen_bench_pcap.py)
#   BENCH_INTEL_COUNT  indicators in the generated threat-intel feed of `c2scope analyze +intel` (default 1000000)
#   BENCH_HOME_NET     --home-net of `c2scope analyze` (default: the generator's internal networks)
#   BENCH_IDLE_WAIT    before each timed run, wait up to this many seconds for the CPUs to be idle (other
#                      processes below 10% of the CPU time over half a second; default 120, 0 = never wait)
#   BENCH_INTEL_REPEAT extra repetitions of the four analyze runs after the rounds, for the feed load time and
#                      the matching overhead (small differences of noisy times; default 9, 0 = rounds only)
set -Eeuo pipefail
trap 'echo "bench: harness error: line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SIZE_MB="${BENCH_SIZE_MB:-1024}"
ROUNDS="${BENCH_ROUNDS:-3}"
SEED="${BENCH_SEED:-42}"
C2SCOPE="${BENCH_C2SCOPE:-build/release/c2scope}"
RESULTS="${BENCH_RESULTS:-bench/RESULTS.md}"
GEN="${BENCH_GEN:-../shared/tools/gen_bench_pcap.py}"
DATA=bench/data
CAP="$DATA/bench-${SIZE_MB}.pcap"
[[ "$SIZE_MB" =~ ^[0-9]+$ && "$SIZE_MB" -gt 0 ]] || { echo "bench: BENCH_SIZE_MB must be a positive integer" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -gt 0 ]] || { echo "bench: BENCH_ROUNDS must be a positive integer" >&2; exit 2; }

INTEL_COUNT="${BENCH_INTEL_COUNT:-1000000}"
INTEL_REPEAT="${BENCH_INTEL_REPEAT:-9}"
IDLE_WAIT="${BENCH_IDLE_WAIT:-120}"
[[ "$IDLE_WAIT" =~ ^[0-9]+$ ]] || { echo "bench: BENCH_IDLE_WAIT must be a non-negative integer" >&2; exit 2; }
[[ "$INTEL_REPEAT" =~ ^[0-9]+$ ]] || { echo "bench: BENCH_INTEL_REPEAT must be a non-negative integer" >&2; exit 2; }
# gen_bench_pcap.py's address plan: IPv4 clients, resolvers and servers in 10.0.0.0/8, IPv6 clients and the
# resolver in 2001:db8::/32; every other address is an Internet server (analyze's default home net misses the
# IPv6 clients).
HOME_NET="${BENCH_HOME_NET:-10.0.0.0/8,2001:db8::/32}"
[[ "$INTEL_COUNT" =~ ^[0-9]+$ && "$INTEL_COUNT" -gt 0 ]] || { echo "bench: BENCH_INTEL_COUNT must be a positive integer" >&2; exit 2; }
[[ "$HOME_NET" =~ ^[0-9A-Fa-f:./,]+$ ]] || { echo "bench: BENCH_HOME_NET must be comma-separated CIDRs" >&2; exit 2; }

# c2scope runs to time. Each entry: "tool name|subcommand and arguments". "{FILE}" is the capture, "{TMP}" a
# temporary directory, "{INTEL}" the generated feed ($INTEL_FEED), "{EMPTY}" a pcap with no packets.
# `flows` always runs; every other entry runs only when `c2scope --help` lists its subcommand. The two
# "(empty capture)" runs time analyze without traffic, with and without the feed: their difference is the
# feed load time (load_file + finalize + freeing it at exit), which report.py takes out of the intel run.
BENCH_C2SCOPE_CMDS=(
  "c2scope flows|flows --out /dev/null {FILE}"
  # --stats reports the input's SHA-256, so that run includes hashing the whole file (ADR 0003).
  "c2scope flows +sha256|flows --out /dev/null --stats /dev/null {FILE}"
  "c2scope logs|logs --out {TMP} {FILE}"
  # The same logs without the SHA-256 of the input (stats.json gives "sha256": null): hashing alone takes
  # about 0.6 s per GB here, which is the whole budget of the 50x-tshark target.
  "c2scope logs --hash|logs --hash --out {TMP} {FILE}"
  "c2scope analyze|analyze {FILE} --out {TMP} -q --home-net $HOME_NET"
  "c2scope analyze +intel|analyze {FILE} --out {TMP} -q --home-net $HOME_NET --intel {INTEL}"
  "c2scope analyze (empty capture)|analyze {EMPTY} --out {TMP} -q --home-net $HOME_NET"
  "c2scope analyze +intel (empty capture)|analyze {EMPTY} --out {TMP} -q --home-net $HOME_NET --intel {INTEL}"
)

log() { printf 'bench: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- capture
mkdir -p "$DATA"
if [[ ! -s "$CAP" ]]; then
  if [[ ! -f "$GEN" ]]; then
    log "the benchmark capture $CAP is missing and its generator $GEN is absent"
    log "(../shared/tools sits beside the project's own checkout; a plain clone does not have it)."
    log "Skipping the benchmark. Put a capture at $CAP, or set BENCH_GEN, to run it."
    exit 0
  fi
  log "generating $CAP (${SIZE_MB} MB, seed $SEED); cached for later runs"
  part="$DATA/.bench-${SIZE_MB}.pcap.part"
  rm -f "$part" "$part.truth.json"
  python3 "$GEN" --size-mb "$SIZE_MB" --seed "$SEED" --out "$part" &
  genpid=$!
  trap 'kill "$genpid" 2>/dev/null || true; rm -f "$part" "$part.truth.json"' INT TERM
  t0=$EPOCHSECONDS
  while kill -0 "$genpid" 2>/dev/null; do
    sleep 5
    if [[ -f "$part" ]]; then
      mb=$(( $(stat -c %s "$part") / 1048576 ))
      log "  generating: ${mb} / ${SIZE_MB} MB ($(( mb * 100 / SIZE_MB ))%), $(( EPOCHSECONDS - t0 )) s"
    fi
  done
  if ! wait "$genpid"; then
    rm -f "$part" "$part.truth.json"
    log "the generator failed"; exit 1
  fi
  trap - INT TERM
  if [[ -f "$part.truth.json" ]]; then mv -f "$part.truth.json" "$CAP.truth.json"; fi
  mv -f "$part" "$CAP"
  log "generated $CAP in $(( EPOCHSECONDS - t0 )) s"
fi
CAP_BYTES=$(stat -c %s "$CAP")

# ---------------------------------------------------------------- packet count (cached)
if [[ ! -s "$CAP.packets" ]]; then
  n=""
  if [[ -f "$CAP.truth.json" ]]; then
    n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("packets", ""))' "$CAP.truth.json")
  fi
  if [[ -z "$n" ]] && command -v capinfos >/dev/null; then
    log "counting packets with capinfos"
    n=$(capinfos -c -M "$CAP" | awk -F': *' '/Number of packets/ {print $2}')
  fi
  [[ "$n" =~ ^[0-9]+$ ]] || { log "cannot count the packets of $CAP (no truth json, no capinfos)"; exit 1; }
  echo "$n" >"$CAP.packets"
fi
PACKETS=$(<"$CAP.packets")
log "capture $CAP: $CAP_BYTES bytes, $PACKETS packets"

# ---------------------------------------------------------------- tools
WORK="$(mktemp -d "$DATA/run.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
RAW="$WORK/raw.tsv"
: >"$RAW"
INTEL_RAW="$WORK/intel-raw.tsv"  # the extra analyze repetitions (BENCH_INTEL_REPEAT)
: >"$INTEL_RAW"
RAW_OUT="$RAW"                   # where run_one appends

NAMES=()     # display name
CMDS=()      # command line (word-split at run time; "{FILE}" and {TMP} substituted)
STATUS=()    # "ok" or why the tool does not run
VERSIONS=()

want() {  # is tool $1 selected by BENCH_TOOLS?
  [[ -z "${BENCH_TOOLS:-}" ]] && return 0
  local t; IFS=, read -ra sel <<<"$BENCH_TOOLS"
  for t in "${sel[@]}"; do [[ "$t" == "$1" ]] && return 0; done
  return 1
}
add_tool() {  # name status version command...
  local name=$1 status=$2 version=$3; shift 3
  want "$name" || return 0
  NAMES+=("$name"); STATUS+=("$status"); VERSIONS+=("$version"); CMDS+=("$*")
}

if [[ -x "$C2SCOPE" ]]; then
  c2help=$("$C2SCOPE" --help 2>&1 || true)
  c2ver=$("$C2SCOPE" --version 2>&1 | head -n1 || true)
  for entry in "${BENCH_C2SCOPE_CMDS[@]}"; do
    label=${entry%%|*} args=${entry#*|}
    sub=${args%% *}
    if [[ "$sub" == flows ]] || grep -qE "^[[:space:]]+${sub}([[:space:]]|$)" <<<"$c2help"; then
      add_tool "$label" ok "${c2ver:-?}" "$C2SCOPE" "$args"
    fi
  done
else
  add_tool "c2scope flows" "missing ($C2SCOPE not built)" "" true
fi

if command -v ndpiReader >/dev/null; then
  # -i FILE reads the pcap in one thread (-n is ignored for pcap files); -q prints nothing.
  add_tool ndpiReader ok "$(ndpiReader -h 2>&1 | sed -n 's/.*\(nDPI [0-9][^ ]*\).*/\1/p' | head -n1)" \
    ndpiReader -i "{FILE}" -q
else add_tool ndpiReader "missing (apt-get install libndpi-bin)" "" true; fi

if command -v tshark >/dev/null; then
  add_tool "tshark conv" ok "$(tshark --version 2>/dev/null | head -n1 | awk '{print $1, $3}')" \
    tshark -q -z conv,tcp -z conv,udp -r "{FILE}"
else add_tool "tshark conv" "missing (apt-get install tshark)" "" true; fi

if command -v tshark >/dev/null; then
  # The fields `c2scope logs` compares with tshark (tests/golden/tshark_fields): SNI, JA3, JA3S, DNS query
  # names, HTTP host and URI, for the issue's "at least 50x tshark" target of `logs`. (Commands are split on
  # blanks by run_one: the filter has none.)
  add_tool "tshark fields" ok "$(tshark --version 2>/dev/null | head -n1 | awk '{print $1, $3}')" \
    tshark -n -r "{FILE}" -Y "tls.handshake.type==1||tls.handshake.type==2||dns||http.request" \
    -T fields -e tls.handshake.extensions_server_name -e tls.handshake.ja3 -e tls.handshake.ja3s \
    -e dns.qry.name -e http.host -e http.request.uri
else add_tool "tshark fields" "missing (apt-get install tshark)" "" true; fi

if command -v nfpcapd >/dev/null; then
  add_tool nfpcapd ok "$(nfpcapd -V 2>&1 | sed -n 's/.*Version: *\([0-9.]*\).*/nfpcapd \1/p' | head -n1)" \
    nfpcapd -r "{FILE}" -w "{TMP}"
else add_tool nfpcapd "missing (apt-get install nfdump)" "" true; fi

n=${#NAMES[@]}
if (( n == 0 )); then log "no tool selected (BENCH_TOOLS=${BENCH_TOOLS:-})"; exit 2; fi

# ---------------------------------------------------------------- threat-intel feed (cached) and empty capture
# A deterministic plain-list feed of $INTEL_COUNT indicators (bench/gen_intel_feed.py): IPs, CIDRs, domains,
# URLs, JA3 hashes; a dozen planted ones (the capture's C2 servers from its .truth.json, the malware JA3)
# match the capture, random CIDRs cover a few more of its servers.
INTEL_FEED="$CAP.intel-${INTEL_COUNT}.txt"
EMPTY_CAP="$DATA/empty.pcap"
need_feed=0
for (( i = 0; i < n; i++ )); do [[ "${CMDS[$i]}" == *"{INTEL}"* ]] && need_feed=1; done
if (( need_feed )) && [[ ! -s "$INTEL_FEED" ]]; then
  log "generating the threat-intel feed $INTEL_FEED ($INTEL_COUNT indicators); cached for later runs"
  truth_arg=()
  [[ -f "$CAP.truth.json" ]] && truth_arg=(--truth "$CAP.truth.json")
  python3 bench/gen_intel_feed.py --count "$INTEL_COUNT" --seed "$SEED" "${truth_arg[@]}" \
    --out "$INTEL_FEED.part"
  mv -f "$INTEL_FEED.part" "$INTEL_FEED"
fi
if [[ ! -s "$EMPTY_CAP" ]]; then  # pcap file header (microseconds, Ethernet) and no packet
  python3 -c 'import struct, sys; open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))' \
    "$EMPTY_CAP"
fi
INTEL_BYTES=0
[[ -f "$INTEL_FEED" ]] && INTEL_BYTES=$(stat -c %s "$INTEL_FEED")

HAVE_TIME=1
if [[ ! -x /usr/bin/time ]]; then
  HAVE_TIME=0
  log "/usr/bin/time is missing (apt-get install time, or make deps): peak RSS will read n/a"
fi

# ---------------------------------------------------------------- page cache
avail_kb=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
if (( avail_kb * 1024 < CAP_BYTES * 3 / 2 )); then
  log "warning: only $(( avail_kb / 1024 )) MiB available; the capture may not stay in the page cache"
fi
log "loading the capture into the page cache"
cat "$CAP" >/dev/null

# ---------------------------------------------------------------- runs
# Busy share of all CPUs over half a second (/proc/stat), in percent.
cpu_busy_pct() {
  local _c u1 n1 s1 i1 w1 q1 sq1 st1 u2 n2 s2 i2 w2 q2 sq2 st2
  read -r _c u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
  sleep 0.5
  read -r _c u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
  local total=$(( (u2 + n2 + s2 + i2 + w2 + q2 + sq2 + st2) - (u1 + n1 + s1 + i1 + w1 + q1 + sq1 + st1) ))
  local idle=$(( (i2 + w2) - (i1 + w1) ))
  (( total > 0 )) || { echo 0; return; }
  echo $(( 100 * (total - idle) / total ))
}
# Other processes share this machine's CPUs: before each run, wait (up to IDLE_WAIT s) until they are idle.
# Prints the busy percentage measured last, recorded with the run.
wait_idle() {
  local busy t0=$EPOCHSECONDS warned=0
  busy=$(cpu_busy_pct)
  while (( IDLE_WAIT > 0 && busy > 10 && EPOCHSECONDS - t0 < IDLE_WAIT )); do
    if (( !warned )); then log "  CPUs ${busy}% busy with other processes: waiting up to ${IDLE_WAIT} s"; warned=1; fi
    sleep 2
    busy=$(cpu_busy_pct)
  done
  (( warned )) && log "  ... waited $(( EPOCHSECONDS - t0 )) s, CPUs ${busy}% busy"
  echo "$busy"
}
# One run of tool $1 in round $2: appends "name<TAB>round<TAB>rc<TAB>wall_s<TAB>rss_kb<TAB>user_s<TAB>sys_s<TAB>
# busy_pct" (busy_pct: the other processes' CPU share just before the run, see wait_idle).
run_one() {
  local i=$1 round=$2 name=${NAMES[$1]} tmp="$WORK/out.$1" tf="$WORK/time.$1"
  local -a cmd
  read -ra cmd <<<"${CMDS[$i]}"
  mkdir -p "$tmp"
  cmd=("${cmd[@]//\{FILE\}/$CAP}")
  cmd=("${cmd[@]//\{TMP\}/$tmp}")
  cmd=("${cmd[@]//\{INTEL\}/$INTEL_FEED}")
  cmd=("${cmd[@]//\{EMPTY\}/$EMPTY_CAP}")
  local rc=0 t0 t1 busy
  busy=$(wait_idle)
  : >"$tf"
  t0=$EPOCHREALTIME
  if (( HAVE_TIME )); then
    /usr/bin/time -o "$tf" -f '%e %M %U %S' "${cmd[@]}" >/dev/null 2>"$WORK/stderr.$i" || rc=$?
  else
    "${cmd[@]}" >/dev/null 2>"$WORK/stderr.$i" || rc=$?
  fi
  t1=$EPOCHREALTIME
  # GNU time prints "Command exited with non-zero status N" first when the command fails.
  local rss=NA user=NA sys=NA
  if (( HAVE_TIME )) && [[ -s "$tf" ]]; then
    read -r _ rss user sys < <(tail -n1 "$tf") || true
  fi
  local wall
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$rc" "$wall" "${rss:-NA}" "${user:-NA}" "${sys:-NA}" "$busy" >>"$RAW_OUT"
  if (( rc != 0 )); then
    tail -n 3 "$WORK/stderr.$i" | sed "s/^/bench:   $name: /" >&2
    cp "$WORK/stderr.$i" "$WORK/failed-stderr.$i"
  fi
  # analyze: keep the last findings.json (packets read, indicators loaded, intel matches) for the report.
  if [[ -f "$tmp/findings.json" ]]; then cp "$tmp/findings.json" "$WORK/findings.$i.json"; fi
  rm -rf "$tmp"
  printf 'bench:   round %-3s %-38s %8.3f s  %s KiB%s\n' "$round" "$name" "$wall" "${rss:-NA}" \
    "$( (( rc != 0 )) && echo "  (exit $rc)")" >&2
}

n=${#NAMES[@]}
# Other processes share the CPUs (2 here): the 1-minute load average before and after the runs goes in the report.
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$LOAD_BEFORE" 'BEGIN { exit !(l > 0.5) }'; then
  log "warning: load average $LOAD_BEFORE before the runs: other processes compete for the CPUs, timings will be noisy"
fi
log "running ${ROUNDS} round(s), tools alternating: $(IFS=,; echo "${NAMES[*]}")"
for (( r = 1; r <= ROUNDS; r++ )); do
  for (( k = 0; k < n; k++ )); do
    i=$(( (k + r - 1) % n ))   # rotate the starting tool each round
    if [[ "${STATUS[$i]}" == ok ]]; then run_one "$i" "$r"; fi
  done
done

# The feed load time and the matching overhead are differences of a few tenths of a second between runs of
# 1-3 s: the four analyze runs repeat BENCH_INTEL_REPEAT more times (rotating), and report.py takes those two
# figures from these repetitions together with the rounds.
AN_IDX=()
for want_name in "c2scope analyze" "c2scope analyze +intel" "c2scope analyze (empty capture)" \
  "c2scope analyze +intel (empty capture)"; do
  for (( i = 0; i < n; i++ )); do
    if [[ "${NAMES[$i]}" == "$want_name" && "${STATUS[$i]}" == ok ]]; then AN_IDX+=("$i"); fi
  done
done
if (( ${#AN_IDX[@]} == 4 && INTEL_REPEAT > 0 )); then
  log "repeating the four analyze runs ${INTEL_REPEAT} more time(s) for the feed load time and matching overhead"
  RAW_OUT="$INTEL_RAW"
  for (( r = 1; r <= INTEL_REPEAT; r++ )); do
    for (( k = 0; k < 4; k++ )); do run_one "${AN_IDX[$(( (k + r - 1) % 4 ))]}" "x$r"; done
  done
  RAW_OUT="$RAW"
fi
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

# ---------------------------------------------------------------- checks (untimed)
# c2scope's accounting: packets read and flows_peak_active (for the memory budget).
STATS_JSON="$WORK/c2scope-stats.json"
if [[ -x "$C2SCOPE" ]] && want "c2scope flows"; then
  log "untimed c2scope flows --stats run (packets read, flows_peak_active)"
  "$C2SCOPE" flows --out /dev/null --stats "$STATS_JSON" "$CAP" >/dev/null 2>"$WORK/stats.stderr" || \
    log "c2scope flows --stats exited non-zero: $(tail -n1 "$WORK/stats.stderr")"
fi
# ndpiReader -q prints nothing; one untimed verbose run shows how many packets it read.
NDPI_PACKETS=""
for (( i = 0; i < n; i++ )); do
  if [[ "${NAMES[$i]}" == ndpiReader && "${STATUS[$i]}" == ok ]]; then
    NDPI_PACKETS=$(ndpiReader -i "$CAP" 2>&1 | sed -n 's/.*of \([0-9]*\) packets total.*/\1/p' | head -n1 || true)
  fi
done
NFPCAPD_PACKETS=""
for (( i = 0; i < n; i++ )); do
  if [[ "${NAMES[$i]}" == nfpcapd && -f "$WORK/stderr.$i" ]]; then
    NFPCAPD_PACKETS=$(sed -n 's/.*Processed: *\([0-9]*\).*/\1/p' "$WORK/stderr.$i" | tail -n1)
  fi
done

# ---------------------------------------------------------------- report
TOOLS_TSV="$WORK/tools.tsv"
: >"$TOOLS_TSV"
for (( i = 0; i < n; i++ )); do
  printf '%s\t%s\t%s\t%s\n' "${NAMES[$i]}" "${STATUS[$i]}" "${VERSIONS[$i]}" "${CMDS[$i]}" >>"$TOOLS_TSV"
done
FINDINGS_TSV="$WORK/findings.tsv"  # tool name -> its last findings.json
: >"$FINDINGS_TSV"
for (( i = 0; i < n; i++ )); do
  if [[ -f "$WORK/findings.$i.json" ]]; then printf '%s\t%s\n' "${NAMES[$i]}" "$WORK/findings.$i.json" >>"$FINDINGS_TSV"; fi
done
for (( i = 0; i < n; i++ )); do  # last lines of stderr of failed tools, for the report
  if [[ -f "$WORK/failed-stderr.$i" ]]; then
    tail -n 1 "$WORK/failed-stderr.$i" | tr '\t' ' ' | sed "s|^|${NAMES[$i]}\t|" >>"$WORK/failures.tsv"
  fi
done

# Which sources the binary was built from (make bench rebuilds first): commit, and uncommitted changes if any.
git_desc=""
if git rev-parse --git-dir >/dev/null 2>&1; then
  git_desc="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  dirty=$(git status --porcelain -- src CMakeLists.txt CMakePresets.json 2>/dev/null | wc -l || true)
  if [[ "$dirty" =~ ^[0-9]+$ ]] && (( dirty > 0 )); then git_desc+=" + uncommitted changes in $dirty file(s) under src/"; fi
fi
cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)
python3 bench/report.py \
  --raw "$RAW" --intel-raw "$INTEL_RAW" --tools "$TOOLS_TSV" --failures "$WORK/failures.tsv" --results "$RESULTS" \
  --capture "$CAP" --capture-bytes "$CAP_BYTES" --packets "$PACKETS" --rounds "$ROUNDS" \
  --stats-json "$STATS_JSON" --findings "$FINDINGS_TSV" --intel-feed "$INTEL_FEED" --intel-bytes "$INTEL_BYTES" \
  --home-net "$HOME_NET" --git "$git_desc" --load "$LOAD_BEFORE -> $LOAD_AFTER" --ndpi-packets "$NDPI_PACKETS" --nfpcapd-packets "$NFPCAPD_PACKETS" \
  --nproc "$(nproc)" --cpu "${cpu_model:-unknown}" \
  --ram-kb "$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
cat "$RAW" "$INTEL_RAW" >"$DATA/last-run.raw.tsv"
log "raw timings: $DATA/last-run.raw.tsv; results: $RESULTS"
if want "zeek ingest"; then BENCH_RESULTS="$RESULTS" BENCH_C2SCOPE="$C2SCOPE" ./bench/zeek_ingest.sh; fi
