#!/usr/bin/env bash
# ctest driver: a live capture stopped by SIGINT (analyze) or SIGTERM (logs) ends its pass and writes its
# outputs, as Zeek and Suricata do, instead of dying with nothing written. Traffic stays on a veth pair between
# two network namespaces this script creates (10.255.43.0/30); exits 77 (skipped) when it cannot create them.
#   live_stop.sh C2SCOPE_BINARY WORK_DIR
set -uo pipefail
bin=$(readlink -f "$1") work=$2
id=$$
ns_a="c2s-live-$id-a" ns_b="c2s-live-$id-b" if_a="c2la$id" if_b="c2lb$id"
cleanup() { ip netns del "$ns_a" 2>/dev/null; ip netns del "$ns_b" 2>/dev/null; }
trap cleanup EXIT
if ! ip netns add "$ns_a" 2>/dev/null || ! ip netns add "$ns_b" 2>/dev/null; then
  echo "SKIP: cannot create network namespaces (need root/CAP_NET_ADMIN and iproute2)"
  exit 77
fi
ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b" &&
  ip -n "$ns_a" addr add 10.255.43.1/30 dev "$if_a" && ip -n "$ns_b" addr add 10.255.43.2/30 dev "$if_b" &&
  ip -n "$ns_a" link set "$if_a" up && ip -n "$ns_b" link set "$if_b" up ||
  { echo "SKIP: cannot set up the veth pair"; exit 77; }
rm -rf "$work"
mkdir -p "$work"
fail=0

# Starts `c2scope ARGS...` capturing on the B side, sends 10 UDP datagrams from A (each answered by an ICMP
# port unreachable), then sends SIGNAL. Sets rc.
run_and_stop() {
  local signal=$1 name=$2
  shift 2
  ip netns exec "$ns_b" "$bin" "$@" >"$work/$name.stdout" 2>"$work/$name.stderr" &
  local pid=$!
  sleep 1  # let libpcap open the interface
  ip netns exec "$ns_a" bash -c 'for i in $(seq 10); do echo "c2scope $i" > /dev/udp/10.255.43.2/47200; done'
  sleep 0.3
  kill -s "$signal" "$pid"
  # Bounded wait: a capture deaf to the signal must fail the test, not hang it.
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAIL $name: still running 10 s after $signal"
    kill -KILL "$pid"
    fail=1
  fi
  wait "$pid"
  rc=$?
}

run_and_stop INT analyze analyze -i "$if_b" --out "$work/analyze" --home-net 10.255.43.1/32 --no-progress -q
if [ "$rc" -ne 0 ]; then echo "FAIL analyze: exit status $rc"; cat "$work/analyze.stderr"; fail=1; fi
grep -q "Interrupt: live capture stopped, writing the outputs" "$work/analyze.stderr" ||
  { echo "FAIL analyze: no stop message"; cat "$work/analyze.stderr"; fail=1; }
python3 - "$work/analyze/findings.json" <<'PY' || fail=1
import json, sys
f = json.load(open(sys.argv[1]))
packets = f["accounting"]["packets"]
assert packets >= 20, f"FAIL analyze: {packets} packets in findings.json, expected 10 datagrams and 10 answers"
assert f["inputs"][0]["path"].startswith("live:"), f["inputs"]
print(f"analyze: {packets} packets, {f['accounting']['flows']} flows in findings.json after SIGINT")
PY

run_and_stop TERM logs logs -i "$if_b" --out "$work/logs" --no-progress
if [ "$rc" -ne 0 ]; then echo "FAIL logs: exit status $rc"; cat "$work/logs.stderr"; fail=1; fi
n=$(grep -c '"proto":"udp"' "$work/logs/conn.log" || true)
if [ "$n" -lt 1 ]; then echo "FAIL logs: no UDP flow in conn.log"; fail=1; else echo "logs: $n UDP flows in conn.log after SIGTERM"; fi
[ -s "$work/logs/stats.json" ] || { echo "FAIL logs: no stats.json"; fail=1; }
exit $fail
