#!/usr/bin/env python3
"""Summarise the raw timings of bench/run_bench.sh: print a table and rewrite bench/RESULTS.md.

RESULTS.md keeps its hand-written header (everything above the LATEST_BEGIN marker), gets a fresh
"latest" section, and keeps a history table at the bottom with one row added per run (newest first).
stdlib only.
"""
import argparse
import datetime
import json
import os
import statistics
import sys

LATEST_BEGIN = "<!-- bench:latest:begin (written by bench/run_bench.sh; replaced on every run) -->"
LATEST_END = "<!-- bench:latest:end -->"
HISTORY_TITLE = "## History"
HISTORY_HEAD = ("| date | capture MB | packets | c2scope flows packets/s | ndpiReader packets/s | ratio | "
                "c2scope flows peak RSS MiB | c2scope analyze packets/s | analyze ÷ ndpiReader | "
                "feed load s | matching overhead | load average; other processes |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
HISTORY_MAX = 60
BASE = "c2scope flows"
PEER_TARGET = "ndpiReader"
ANALYZE = "c2scope analyze"
ANALYZE_INTEL = "c2scope analyze +intel"
EMPTY = "c2scope analyze (empty capture)"
EMPTY_INTEL = "c2scope analyze +intel (empty capture)"
LOAD_RUNS = (EMPTY, EMPTY_INTEL)  # no traffic: timed for the feed load time only, not in the main table
ANALYZE_FACTOR = 3        # issue 4: analyze >= 3x ndpiReader's packets/s
LOAD_TARGET_S = 2.0       # issue 4: feed load < 2 s for 1M indicators
OVERHEAD_TARGET = 0.05    # issue 4: matching overhead < 5% of the analyze time without intel

DEFAULT_HEADER = """# c2scope benchmark results

`make bench` (bench/run_bench.sh) writes this file. Method: the capture is generated once by
`../shared/tools/gen_bench_pcap.py --seed 42` (synthetic enterprise edge traffic, cached in bench/data/), read
into the page cache, then every tool runs on it in each round, tools alternating round-robin (the starting tool
rotates each round); the median over the rounds is reported. Wall time is measured around each run
(bash `$EPOCHREALTIME`), peak RSS and CPU time by `/usr/bin/time -f '%e %M %U %S'`. packets/s = packets in the
capture / median wall time; MB/s uses 10^6 bytes of capture file; ratio = c2scope flows packets/s / the tool's
packets/s. Peer outputs go to /dev/null (nfpcapd's to a temporary directory). Targets come from the issue:
c2scope flows >= 10x ndpiReader's packets/s, and peak RSS <= 64 MiB + 256 B x concurrently active flows
(`flows_peak_active` of `c2scope flows --stats`, taken from one extra untimed run).

`c2scope analyze` (issue 4) runs twice per round on the capture, `analyze CAPTURE --out TMP -q --home-net
10.0.0.0/8,2001:db8::/32` (the generator's internal networks), without and with `--intel FEED`. FEED is a
deterministic plain-list feed of 1,000,000 indicators written by bench/gen_intel_feed.py (45% IPv4, 5% IPv6,
10% CIDRs /24 to /30, 25% domains, 10% URLs, 5% JA3; 13 planted values match the capture's C2 servers, and
about 20 random CIDRs and addresses happen to cover other servers of the capture). Two more runs per round on a pcap without
packets, without and with the feed, give the feed load time (their difference: load, finalize, free at exit).
After the rounds the four analyze runs repeat `BENCH_INTEL_REPEAT` (9) more times, rotating, and the feed load
time and the matching overhead = (time with intel - time without - feed load time) / time without are medians
over the rounds and these repetitions. Targets: analyze >= 3x ndpiReader's packets/s, feed load < 2 s for 1M
indicators, matching overhead < 5%. The overhead is a difference of a few tenths of a second between runs of 1-4
s, so it is the noisiest figure here: the table gives its quartiles over the runs and the same figure from CPU
time. analyze uses two threads (reader + SHA-256 of the input beside the parser), so other processes on this
shared 2-vCPU machine slow it more than the single-threaded peers: each run first waits (up to 120 s) until other
processes use at most 10% of the CPUs, and the report says how many runs started on a busy machine. Runs marked
in the history as disturbed by other sessions' compiles understate c2scope.
"""


def fnum(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def fpps(x):
    if x is None:
        return "n/a"
    return f"{x / 1e6:.2f} M" if x >= 1e5 else f"{x / 1e3:.1f} k"


def read_tsv(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def to_float(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser()
    for opt in ("raw", "tools", "failures", "results", "capture", "stats-json", "cpu", "ndpi-packets",
                "nfpcapd-packets", "findings", "intel-feed", "home-net", "git", "load", "intel-raw"):
        ap.add_argument("--" + opt, default="")
    ap.add_argument("--capture-bytes", type=int, required=True)
    ap.add_argument("--packets", type=int, required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--nproc", default="?")
    ap.add_argument("--ram-kb", type=int, default=0)
    ap.add_argument("--intel-bytes", type=int, default=0)
    a = ap.parse_args()

    tools = [dict(name=t[0], status=t[1], version=t[2] if len(t) > 2 else "", cmd=t[3] if len(t) > 3 else "")
             for t in read_tsv(a.tools)]
    failures = {f[0]: f[1] for f in read_tsv(a.failures) if len(f) > 1}
    runs = read_tsv(a.raw)

    stats = None
    if a.stats_json and os.path.exists(a.stats_json):
        try:
            with open(a.stats_json) as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            print(f"bench: cannot parse c2scope --stats output: {e}", file=sys.stderr)

    notes = []
    for t in tools:
        mine = [r for r in runs if r[0] == t["name"]]
        ok = [r for r in mine if r[2] == "0"]
        t["wall"] = median_or_none([to_float(r[3]) for r in ok])
        rss_kb = median_or_none([to_float(r[4]) for r in ok])
        t["rss_mib"] = None if rss_kb is None else rss_kb / 1024.0
        cpu = [to_float(r[5]) + to_float(r[6]) for r in ok if to_float(r[5]) is not None and to_float(r[6]) is not None]
        t["cpu"] = median_or_none(cpu)
        t["pps"] = a.packets / t["wall"] if t["wall"] else None
        t["mbps"] = a.capture_bytes / 1e6 / t["wall"] if t["wall"] else None
        t["verified"] = True
        if t["status"] != "ok":
            pass
        elif not mine:
            t["status"] = "not run"
        elif len(ok) < len(mine):
            why = failures.get(t["name"], "")
            t["status"] = f"failed in {len(mine) - len(ok)} of {len(mine)} rounds" + (f": {why}" if why else "")
            if not ok:
                t["pps"] = t["mbps"] = None
        t["runs_ok"] = len(ok)
        t["by_round"] = {r[1]: (to_float(r[3]), (to_float(r[5]) or 0) + (to_float(r[6]) or 0)) for r in ok}

    # Did each tool really read the whole capture?
    by = {t["name"]: t for t in tools}
    if BASE in by and by[BASE]["status"] == "ok":
        got = stats.get("packets") if isinstance(stats, dict) else None
        if got is None:
            by[BASE]["verified"] = False
            by[BASE]["status"] = "ok, unverified (no --stats output: placeholder binary?)"
            notes.append("c2scope flows wrote no `--stats` JSON; its timings are not trusted for the targets.")
        elif str(got).isdigit() is False or int(got) != a.packets:
            by[BASE]["verified"] = False
            by[BASE]["status"] = f"ok, unverified (read {got:,} of {a.packets:,} packets)"
            notes.append(f"c2scope flows --stats reports {got:,} packets; the capture has {a.packets:,}.")
        else:
            notes.append(f"c2scope flows --stats: {got:,} packets read (all).")
    for name, got in (("ndpiReader", a.ndpi_packets), ("nfpcapd", a.nfpcapd_packets)):
        if name in by and by[name]["status"] == "ok":
            if got.isdigit():
                if int(got) == a.packets:
                    notes.append(f"{name} read {int(got):,} packets (all).")
                else:
                    by[name]["verified"] = False
                    notes.append(f"{name} reports {int(got):,} packets read; the capture has {a.packets:,}.")
            else:
                notes.append(f"{name}: could not check how many packets it read.")

    # analyze: its findings.json (last round) says how many packets it read, the indicators loaded and matched.
    findings = {}
    for row in read_tsv(a.findings):
        if len(row) > 1:
            try:
                with open(row[1]) as f:
                    findings[row[0]] = json.load(f)
            except (OSError, ValueError) as e:
                print(f"bench: cannot parse {row[1]}: {e}", file=sys.stderr)
    intel_info = {}
    for name in (ANALYZE, ANALYZE_INTEL, EMPTY, EMPTY_INTEL):
        t = by.get(name)
        if t is None or t["status"] != "ok":
            continue
        fj = findings.get(name)
        want_packets = 0 if name in LOAD_RUNS else a.packets
        got = fj.get("accounting", {}).get("packets") if isinstance(fj, dict) else None
        if got is None:
            t["verified"] = False
            t["status"] = "ok, unverified (no findings.json)"
            notes.append(f"{name} left no findings.json; its timings are not trusted for the targets.")
        elif got != want_packets:
            t["verified"] = False
            t["status"] = f"ok, unverified (read {got:,} of {want_packets:,} packets)"
            notes.append(f"{name}: findings.json counts {got:,} packets; expected {want_packets:,}.")
        elif name not in LOAD_RUNS:
            det = fj.get("detection", {})
            intel = fj.get("intel") or {}
            extra = ""
            if name == ANALYZE_INTEL:
                intel_info = dict(indicators=intel.get("indicators"), matches=det.get("intel_matches"),
                                  servers=len(fj.get("servers", [])),
                                  intel_servers=sum(1 for sv in fj.get("servers", [])
                                                    if any(r.get("detector") == "intel" for r in sv.get("reasons", []))))
                extra = (f"; {fnum(intel_info['indicators'])} indicators loaded, "
                         f"{fnum(intel_info['matches'])} intel matches, {intel_info['intel_servers']} servers "
                         f"found by intel")
            notes.append(f"{name}: findings.json counts {got:,} packets (all); {len(fj.get('servers', []))} "
                         f"C2 servers reported{extra}.")
        if name == EMPTY_INTEL and isinstance(fj, dict):
            intel_info.setdefault("indicators", (fj.get("intel") or {}).get("indicators"))

    # Other processes on the machine: run_bench.sh records their CPU share just before each run (8th column).
    busy = [to_float(r[7]) for r in runs + read_tsv(a.intel_raw) if len(r) > 7 and to_float(r[7]) is not None]
    busy_txt = ""
    if busy:
        n_busy = sum(1 for b in busy if b > 10)
        busy_txt = f"{n_busy} of {len(busy)} runs started busy"
        notes.append(f"{n_busy} of {len(busy)} timed runs started while other processes used more than 10% of the "
                     f"CPUs (each run first waits up to BENCH_IDLE_WAIT s for idle CPUs; the highest share at a "
                     f"start was {max(busy):.0f}%). Other processes can still start during a run.")

    base_pps = by[BASE]["pps"] if BASE in by else None
    for t in tools:
        if t["name"].startswith("c2scope") or base_pps is None or not t["pps"]:
            t["ratio"] = None
        else:
            t["ratio"] = base_pps / t["pps"]

    # Targets
    targets = []
    base = by.get(BASE)
    ndpi = by.get(PEER_TARGET)
    trusted = base is not None and base["pps"] is not None and base["verified"]
    if trusted and ndpi is not None and ndpi["pps"]:
        r = base["pps"] / ndpi["pps"]
        targets.append(("c2scope flows >= 10x ndpiReader packets/s",
                        f"{r:.2f}x ({fpps(base['pps'])} vs {fpps(ndpi['pps'])} packets/s)",
                        "PASS" if r >= 10 else "FAIL"))
    else:
        why = ("c2scope flows did not run" if base is None or base["pps"] is None else
               "c2scope flows not verified" if not base["verified"] else "ndpiReader missing or failed")
        targets.append(("c2scope flows >= 10x ndpiReader packets/s", f"n/a ({why})", "n/a"))
    # `c2scope logs` (issue 3): >= 5x ndpiReader (which also dissects these protocols) and >= 50x tshark -T fields.
    # The default hashes nothing, as the peers; --hash adds the input's SHA-256 to stats.json (ADR 0003).
    for variant in ("c2scope logs", "c2scope logs --hash"):
        logs = by.get(variant)
        for peer, factor in ((PEER_TARGET, 5), ("tshark fields", 50)):
            name = f"{variant} >= {factor}x {peer} packets/s"
            other = by.get(peer)
            if logs is not None and logs["pps"] and other is not None and other["pps"]:
                r = logs["pps"] / other["pps"]
                targets.append((name, f"{r:.2f}x ({fpps(logs['pps'])} vs {fpps(other['pps'])} packets/s)",
                                "PASS" if r >= factor else "FAIL"))
            else:
                targets.append((name, f"n/a ({variant} or the peer did not run)", "n/a"))
    # `c2scope analyze` (issue 4): >= 3x ndpiReader, feed load < 2 s, matching overhead < 5%.
    an, ani, em, emi = by.get(ANALYZE), by.get(ANALYZE_INTEL), by.get(EMPTY), by.get(EMPTY_INTEL)

    def good(t):
        return t is not None and t["wall"] is not None and t["verified"]

    name = f"c2scope analyze >= {ANALYZE_FACTOR}x {PEER_TARGET} packets/s"
    an_ratio = None
    if good(an) and ndpi is not None and ndpi["pps"]:
        an_ratio = an["pps"] / ndpi["pps"]
        cpu = (f"; by CPU time {ndpi['cpu'] / an['cpu']:.2f}x ({an['cpu']:.2f} vs {ndpi['cpu']:.2f} CPU s)"
               if an["cpu"] and ndpi["cpu"] else "")
        targets.append((name, f"{an_ratio:.2f}x ({fpps(an['pps'])} vs {fpps(ndpi['pps'])} packets/s{cpu})",
                        "PASS" if an_ratio >= ANALYZE_FACTOR else
                        f"FAIL (needs {fpps(ndpi['pps'] * ANALYZE_FACTOR)} packets/s, "
                        f"{ANALYZE_FACTOR * ndpi['pps'] / an['pps']:.2f}x faster)"))
    else:
        targets.append((name, "n/a (c2scope analyze or ndpiReader did not run, or unverified)", "n/a"))
    # Feed load time and matching overhead: from the rounds plus the extra repetitions of the four analyze runs
    # (run_bench.sh BENCH_INTEL_REPEAT), each figure a median over all of them.
    extra = [r for r in read_tsv(a.intel_raw) if len(r) >= 7 and r[2] == "0"]
    pool = {}  # name -> {round: (wall, cpu)}
    for nm in (ANALYZE, ANALYZE_INTEL, EMPTY, EMPTY_INTEL):
        if by.get(nm) is not None:
            pool[nm] = dict(by[nm]["by_round"])
            for r in extra:
                if r[0] == nm:
                    pool[nm][r[1]] = (to_float(r[3]), (to_float(r[5]) or 0) + (to_float(r[6]) or 0))

    def med(nm, k):
        return median_or_none([v[k] for v in pool.get(nm, {}).values()])

    n_runs = min((len(pool.get(nm, {})) for nm in (ANALYZE, ANALYZE_INTEL, EMPTY, EMPTY_INTEL)), default=0)
    runs_txt = f"median of {n_runs} runs each"
    load_s = load_cpu = None
    n_ind = intel_info.get("indicators")
    name = f"feed load < {LOAD_TARGET_S:g} s ({fnum(n_ind)} indicators)" if n_ind else f"feed load < {LOAD_TARGET_S:g} s"
    if good(em) and good(emi):
        w_e, w_ei, c_e, c_ei = med(EMPTY, 0), med(EMPTY_INTEL, 0), med(EMPTY, 1), med(EMPTY_INTEL, 1)
        load_s = w_ei - w_e
        load_cpu = c_ei - c_e
        targets.append((name, f"{load_s:.3f} s ({w_ei:.3f} s with the feed - {w_e:.3f} s without, no packets, "
                              f"{runs_txt}; CPU {load_cpu:.2f} s; peak RSS {fnum(emi['rss_mib'], 0)} vs "
                              f"{fnum(em['rss_mib'], 0)} MiB)",
                        "PASS" if load_s < LOAD_TARGET_S else
                        f"FAIL (+{load_s - LOAD_TARGET_S:.3f} s, {load_s / LOAD_TARGET_S:.2f}x the target)"))
    else:
        targets.append((name, "n/a (the empty-capture runs did not run or were unverified)", "n/a"))
    name = f"matching overhead < {OVERHEAD_TARGET:.0%} (intel - no intel - feed load) / no intel"
    overhead = None
    if good(an) and good(ani) and load_s is not None:
        w_n, w_i, c_n, c_i = med(ANALYZE, 0), med(ANALYZE_INTEL, 0), med(ANALYZE, 1), med(ANALYZE_INTEL, 1)
        overhead = (w_i - w_n - load_s) / w_n
        # the same formula with each round's (repetition's) own four runs: how noisy the figure is
        per = []
        for rnd, (w_an, _) in pool[ANALYZE].items():
            try:
                per.append((pool[ANALYZE_INTEL][rnd][0] - w_an - (pool[EMPTY_INTEL][rnd][0] - pool[EMPTY][rnd][0]))
                           / w_an)
            except KeyError:
                pass
        spread = ""
        if len(per) > 2:
            q = statistics.quantiles(per, n=4)
            spread = (f"; per round or repetition: median {statistics.median(per):+.1%}, quartiles {q[0]:+.1%} .. {q[2]:+.1%}, "
                      f"range {min(per):+.1%} .. {max(per):+.1%}")
        cpu = f"; by CPU time {(c_i - c_n - load_cpu) / c_n:+.1%}" if c_n else ""
        targets.append((name, f"{overhead:+.1%} ({w_i:.3f} - {w_n:.3f} - {load_s:.3f} s, over {w_n:.3f} s, "
                              f"{runs_txt}{spread}{cpu})",
                        "PASS" if overhead < OVERHEAD_TARGET else
                        f"FAIL (+{(overhead - OVERHEAD_TARGET) * 100:.1f} points)"))
    else:
        targets.append((name, "n/a (an analyze run is missing or unverified)", "n/a"))

    peak = stats.get("flows_peak_active") if isinstance(stats, dict) else None
    if trusted and base["rss_mib"] is not None and isinstance(peak, int):
        budget = 64.0 + 256.0 * peak / 1048576.0
        targets.append(("peak RSS <= 64 MiB + 256 B x flows_peak_active",
                        f"{base['rss_mib']:.1f} MiB vs budget {budget:.1f} MiB (flows_peak_active {peak:,})",
                        "PASS" if base["rss_mib"] <= budget else "FAIL"))
    else:
        rss = f"{base['rss_mib']:.1f} MiB, " if base and base["rss_mib"] is not None else ""
        targets.append(("peak RSS <= 64 MiB + 256 B x flows_peak_active",
                        f"{rss}budget n/a (no flows_peak_active in --stats)" if trusted else "n/a", "n/a"))

    now = datetime.datetime.now().astimezone()
    date = now.strftime("%Y-%m-%d %H:%M %Z")
    ram = f"{a.ram_kb / 1048576:.1f} GiB" if a.ram_kb else "?"
    machine = f"{a.nproc} CPUs ({a.cpu}), {ram} RAM"
    size_mb = a.capture_bytes / 1048576

    # ---- stdout table
    for t in tools:
        if t["name"] in LOAD_RUNS:  # no packets: packets/s and MB/s mean nothing
            t["pps"] = t["mbps"] = t["ratio"] = None
    cols = ["tool", "wall s", "packets/s", "MB/s", "peak RSS MiB", "CPU s", "ratio", "status"]
    rows = [[t["name"], fnum(t["wall"], 3), fpps(t["pps"]), fnum(t["mbps"], 1), fnum(t["rss_mib"], 1),
             fnum(t["cpu"], 2), "" if t["ratio"] is None else f"{t['ratio']:.2f}x", t["status"]] for t in tools]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    print()
    print(f"capture {a.capture} ({size_mb:.0f} MiB, {a.packets:,} packets), median of {a.rounds} round(s); {machine}")
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print("ratio = c2scope flows packets/s / tool packets/s; the (empty capture) runs read a pcap with no packets")
    for name, value, verdict in targets:
        print(f"target: {name}: {value} -> {verdict}")
    for n in notes:
        print("check: " + n)
    print()

    # ---- RESULTS.md
    header, history = DEFAULT_HEADER, []
    if os.path.exists(a.results):
        with open(a.results) as f:
            old = f.read()
        if LATEST_BEGIN in old:
            header = old.split(LATEST_BEGIN, 1)[0].rstrip("\n") + "\n"
        if HISTORY_TITLE in old:
            for line in old.split(HISTORY_TITLE, 1)[1].splitlines():
                if line.startswith("| 2"):  # data rows start with the date
                    history.append(line)

    md = [LATEST_BEGIN, f"## Latest run: {date}", "",
          f"- Machine: {machine}",
          f"- Capture: `{a.capture}`, {a.capture_bytes:,} bytes ({size_mb:.0f} MiB), {a.packets:,} packets",
          f"- Median of {a.rounds} round(s), tools alternating round-robin, capture in the page cache"]
    if a.load:
        md.append(f"- 1-minute load average before -> after the timed runs: {a.load} (it counts the benchmark's own "
                  "runs too, about 1 to 1.5 while c2scope runs; see the last note for other processes)")
    if a.git:
        md.append(f"- c2scope built from {a.git}")
    if a.intel_bytes:
        md.append(f"- Threat-intel feed of `c2scope analyze +intel`: `{a.intel_feed}`, {a.intel_bytes:,} bytes "
                  "(bench/gen_intel_feed.py, plain list)")
    if a.home_net:
        md.append(f"- `c2scope analyze --home-net {a.home_net}`")
    md += ["",
          "| tool | version | median wall s | packets/s | MB/s | peak RSS MiB | CPU s | c2scope flows ÷ tool | status |",
          "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for t in tools:
        md.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            t["name"], t["version"] or "", fnum(t["wall"], 3), fnum(t["pps"]), fnum(t["mbps"], 1),
            fnum(t["rss_mib"], 1), fnum(t["cpu"], 2), "" if t["ratio"] is None else f"{t['ratio']:.2f}x",
            t["status"].replace("|", "/")))
    md += ["", "| target | measured | result |", "|---|---|---|"]
    md += [f"| {n} | {v} | {r} |" for n, v, r in targets]
    md += [""]
    md += [f"- {n}" for n in notes]
    md += ["", "Commands (`{FILE}` = the capture, `{TMP}` = a temporary directory, removed after each run, "
           "`{INTEL}` = the feed, `{EMPTY}` = a pcap without packets; stdout to /dev/null):", ""]
    md += [f"- {t['name']}: `{t['cmd']}`" for t in tools if t["status"] != "not run" and t["cmd"] != "true"]
    md += [LATEST_END, ""]

    ndpi_pps = ndpi["pps"] if ndpi else None
    flows_ok = base is not None and base["verified"]
    an_pps = an["pps"] if good(an) else None
    row = "| {} | {:.0f} | {:,} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
        now.strftime("%Y-%m-%d %H:%M"), size_mb, a.packets,
        fnum(base_pps) + ("" if flows_ok or base_pps is None else " (unverified)"), fnum(ndpi_pps),
        f"{base_pps / ndpi_pps:.2f}x" if base_pps and ndpi_pps else "n/a",
        fnum(base["rss_mib"], 1) if base else "n/a", fnum(an_pps),
        f"{an_ratio:.2f}x" if an_ratio else "n/a", "n/a" if load_s is None else f"{load_s:.3f}",
        "n/a" if overhead is None else f"{overhead:+.1%}", "; ".join(x for x in (a.load, busy_txt) if x))
    history = [row] + history[:HISTORY_MAX - 1]
    md += [HISTORY_TITLE, "", HISTORY_HEAD] + history + [""]

    tmp = a.results + ".tmp"
    with open(tmp, "w") as f:
        f.write(header + "\n" + "\n".join(md))
    os.replace(tmp, a.results)


if __name__ == "__main__":
    main()
