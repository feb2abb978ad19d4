#!/usr/bin/env bash
# ctest driver: one generated scenario (scripts/gen_scenario.py), cut into half-hour files with editcap, must give
# the same servers, victims and statistics as the whole capture, and byte-identical findings.json whichever
# order the files are given in (they are merged by packet time). So must the capture split in two files of the
# same hours, as two taps write (tcpdump, by the parity of the destination MAC: the packets of one connection
# land in both). The --home-net list is also given as two repeated options, which must mean the one list.
#   split_inputs.sh C2SCOPE_BINARY WORK_DIR SEED
set -euo pipefail
bin=$(readlink -f "$1") work=$2 seed=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in editcap tcpdump; do
  command -v $tool >/dev/null || { echo "$tool is missing (make deps installs tshark and tcpdump)"; exit 1; }
done
rm -rf "$work"
mkdir -p "$work"
python3 "$root/scripts/gen_scenario.py" --seed "$seed" --kind small --out "$work/scenario" >/dev/null
cd "$work/scenario"
mkdir parts
editcap -i 1800 traffic.pcap parts/part.pcap >/dev/null
parts=(parts/*.pcap)
echo "${#parts[@]} files"
[ "${#parts[@]}" -ge 8 ] || { echo "expected at least 8 half-hour files"; exit 1; }
# The scenario's own arguments, the capture replaced by the given inputs, --home-net split in two options.
mapfile -t rest < <(python3 - <<'EOF'
import json
argv = json.load(open("truth.json"))["argv"]
out, i = [], 1  # argv[0] is the capture
while i < len(argv):
    if argv[i] == "--home-net":
        nets = argv[i + 1].split(",")
        half = len(nets) // 2
        out += ["--home-net", ",".join(nets[:half]), "--home-net", ",".join(nets[half:])]
        i += 2
    else:
        out.append(argv[i])
        i += 1
print("\n".join(out))
EOF
)
"$bin" analyze traffic.pcap "${rest[@]}" --out "$work/whole" -q --no-progress >/dev/null
"$bin" analyze "${parts[@]}" "${rest[@]}" --out "$work/forward" -q --no-progress >/dev/null
mapfile -t reversed < <(printf '%s\n' "${parts[@]}" | sort -r)
"$bin" analyze "${reversed[@]}" "${rest[@]}" --out "$work/reversed" -q --no-progress >/dev/null
cmp "$work/forward/findings.json" "$work/reversed/findings.json"
echo "findings.json identical for the files in time order and reversed"
tcpdump -r traffic.pcap -w taps-even.pcap 'ether[5] & 1 = 0' 2>/dev/null
tcpdump -r traffic.pcap -w taps-odd.pcap 'ether[5] & 1 = 1' 2>/dev/null
"$bin" analyze taps-odd.pcap taps-even.pcap "${rest[@]}" --out "$work/taps" -q --no-progress >/dev/null
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
def view(name):
    f = json.load(open(f"{work}/{name}/findings.json"))
    servers = sorted((s["ip"], sorted(v["ip"] for v in s["victims"])) for s in f["servers"])
    return servers, f["statistics"], [o for o in f["options"] if o.startswith("home_net=")]
whole, split, taps = view("whole"), view("forward"), view("taps")
truth = json.load(open(f"{work}/scenario/truth.json"))
assert whole == split, f"whole capture {whole}\nsplit files {split}"
assert whole == taps, f"whole capture {whole}\ntwo taps {taps}"
assert whole[2] == ["home_net=" + truth["argv"][truth["argv"].index("--home-net") + 1]], whole[2]
print(f"half-hour files and two taps: the whole capture's {len(whole[0])} servers, victims and statistics; {whole[2][0]}")
EOF
