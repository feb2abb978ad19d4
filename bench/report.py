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
                "c2scope flows peak RSS MiB |\n|---|---:|---:|---:|---:|---:|---:|")
HISTORY_MAX = 60
BASE = "c2scope flows"
PEER_TARGET = "ndpiReader"

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
                "nfpcapd-packets"):
        ap.add_argument("--" + opt, default="")
    ap.add_argument("--capture-bytes", type=int, required=True)
    ap.add_argument("--packets", type=int, required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--nproc", default="?")
    ap.add_argument("--ram-kb", type=int, default=0)
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
    logs = by.get("c2scope logs")
    for peer, factor in ((PEER_TARGET, 5), ("tshark fields", 50)):
        name = f"c2scope logs >= {factor}x {peer} packets/s"
        other = by.get(peer)
        if logs is not None and logs["pps"] and other is not None and other["pps"]:
            r = logs["pps"] / other["pps"]
            targets.append((name, f"{r:.2f}x ({fpps(logs['pps'])} vs {fpps(other['pps'])} packets/s)",
                            "PASS" if r >= factor else "FAIL"))
        else:
            targets.append((name, "n/a (c2scope logs or the peer did not run)", "n/a"))
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
    cols = ["tool", "wall s", "packets/s", "MB/s", "peak RSS MiB", "CPU s", "ratio", "status"]
    rows = [[t["name"], fnum(t["wall"], 3), fpps(t["pps"]), fnum(t["mbps"], 1), fnum(t["rss_mib"], 1),
             fnum(t["cpu"], 2), "" if t["ratio"] is None else f"{t['ratio']:.2f}x", t["status"]] for t in tools]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    print()
    print(f"capture {a.capture} ({size_mb:.0f} MiB, {a.packets:,} packets), median of {a.rounds} round(s); {machine}")
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print("ratio = c2scope flows packets/s / tool packets/s")
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
          f"- Median of {a.rounds} round(s), tools alternating round-robin, capture in the page cache",
          "",
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
    md += ["", "Commands (`{FILE}` = the capture, `{TMP}` = a temporary directory, removed after each run; "
           "stdout to /dev/null):", ""]
    md += [f"- {t['name']}: `{t['cmd']}`" for t in tools if t["status"] != "not run" and t["cmd"] != "true"]
    md += [LATEST_END, ""]

    ndpi_pps = ndpi["pps"] if ndpi else None
    flows_ok = base is not None and base["verified"]
    row = "| {} | {:.0f} | {:,} | {} | {} | {} | {} |".format(
        now.strftime("%Y-%m-%d %H:%M"), size_mb, a.packets,
        fnum(base_pps) + ("" if flows_ok or base_pps is None else " (unverified)"), fnum(ndpi_pps),
        f"{base_pps / ndpi_pps:.2f}x" if base_pps and ndpi_pps else "n/a",
        fnum(base["rss_mib"], 1) if base else "n/a")
    history = [row] + history[:HISTORY_MAX - 1]
    md += [HISTORY_TITLE, "", HISTORY_HEAD] + history + [""]

    tmp = a.results + ".tmp"
    with open(tmp, "w") as f:
        f.write(header + "\n" + "\n".join(md))
    os.replace(tmp, a.results)


if __name__ == "__main__":
    main()
