#!/usr/bin/env python3
"""Score `c2scope analyze` against a scenario's truth.json (scripts/gen_scenario.py).

  eval_scenario.py --c2scope build/release/c2scope DIR...     # runs analyze into DIR/out, then scores
  eval_scenario.py --no-run DIR...                            # scores an existing DIR/out/findings.json

Server level: a truth server counts as found when findings.json lists its address. Victim level: the unit is
a (server, victim) pair with the victim controlled (truth `victims`) or only attempted (truth `attempted`);
a reported pair is right when the truth has it in the same class. The statistics table must be identical.
Prints one line per scenario and the totals; `--json FILE` writes them; exit status 1 when any scenario misses
`--min` precision/recall, has a wrong statistics table, or reports a server on a benign-only scenario.
"""
import argparse
import json
import os
import subprocess
import sys


def ratio(num, den):
    return 1.0 if den == 0 else num / den


def run_analyze(binary, d):
    truth = json.load(open(os.path.join(d, "truth.json")))
    out = os.path.join(d, "out")
    cmd = [binary, "analyze", *truth["argv"], "--out", "out", "-q"]
    res = subprocess.run(cmd, cwd=d, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{d}: c2scope analyze failed ({res.returncode}): {res.stderr.strip()}")
    return out


def score(d):
    truth = json.load(open(os.path.join(d, "truth.json")))
    found = json.load(open(os.path.join(d, "out", "findings.json")))
    t_servers = {s["ip"]: s for s in truth["servers"]}
    f_servers = {s["ip"]: s for s in found["servers"]}
    tp = len(t_servers.keys() & f_servers.keys())

    def pairs_truth():
        out = set()
        for s in truth["servers"]:
            out |= {(s["ip"], v, "controlled") for v in s["victims"]}
            out |= {(s["ip"], v, "attempted") for v in s["attempted"]}
        return out

    def pairs_found():
        out = set()
        for s in found["servers"]:
            for v in s["victims"]:
                out.add((s["ip"], v["ip"], "controlled" if v.get("established") else "attempted"))
        return out

    tv, fv = pairs_truth(), pairs_found()
    # Rows compare as a set: the truth sorts them by country, findings.json by size (docs/counting.md).
    def rows(stats):
        return sorted(json.dumps(r, sort_keys=True) for r in stats)

    stats_ok = rows(truth["statistics"]) == rows(found["statistics"])
    r = {
        "scenario": d,
        "kind": truth["kind"],
        "seed": truth["seed"],
        "servers_truth": len(t_servers),
        "servers_found": len(f_servers),
        "server_precision": ratio(tp, len(f_servers)),
        "server_recall": ratio(tp, len(t_servers)),
        "victims_truth": len(tv),
        "victims_found": len(fv),
        "victim_precision": ratio(len(tv & fv), len(fv)),
        "victim_recall": ratio(len(tv & fv), len(tv)),
        "statistics_exact": stats_ok,
        "false_servers": sorted(f_servers.keys() - t_servers.keys()),
        "missed_servers": sorted(
            f"{ip} ({t_servers[ip]['behaviour']}/{t_servers[ip]['channel']})"
            for ip in t_servers.keys() - f_servers.keys()),
        "false_victims": sorted("/".join(p) for p in fv - tv),
        "missed_victims": sorted("/".join(p) for p in tv - fv),
    }
    if not stats_ok:
        r["statistics_truth"] = truth["statistics"]
        r["statistics_found"] = found["statistics"]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--c2scope", default="build/release/c2scope")
    ap.add_argument("--no-run", action="store_true")
    ap.add_argument("--min", type=float, default=0.95)
    ap.add_argument("--json")
    ap.add_argument("--aggregate", action="store_true",
                    help="judge the totals (--min) instead of each scenario; every benign-only scenario must "
                         "still report no server, and every scenario whose servers are exactly right must have "
                         "its statistics exact")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    binary = os.path.abspath(a.c2scope)
    results, failed = [], False
    for d in a.dirs:
        if not a.no_run:
            run_analyze(binary, d)
        r = score(d)
        results.append(r)
        if a.aggregate:
            exact_servers = not r["false_servers"] and not r["missed_servers"]
            bad = exact_servers and not r["statistics_exact"]
        else:
            bad = (not r["statistics_exact"]) or min(r["server_precision"], r["server_recall"],
                                                      r["victim_precision"], r["victim_recall"]) < a.min
        if r["kind"] == "benign" and r["servers_found"]:
            bad = True
        failed |= bad
        print(f"{'FAIL' if bad else 'ok  '} {d}: servers P={r['server_precision']:.3f} R={r['server_recall']:.3f} "
              f"({r['servers_found']}/{r['servers_truth']}), victims P={r['victim_precision']:.3f} "
              f"R={r['victim_recall']:.3f} ({r['victims_found']}/{r['victims_truth']}), "
              f"statistics {'exact' if r['statistics_exact'] else 'DIFFER'}")
        if bad or a.verbose:
            for k in ("false_servers", "missed_servers", "false_victims", "missed_victims"):
                if r[k]:
                    print(f"     {k}: {', '.join(r[k])}")
            if not r["statistics_exact"]:
                print(f"     statistics truth: {r['statistics_truth']}")
                print(f"     statistics found: {r['statistics_found']}")
    tot = {k: sum(r[k] for r in results) for k in ("servers_truth", "servers_found", "victims_truth", "victims_found")}
    s_tp = sum(round(r["server_recall"] * r["servers_truth"]) for r in results)
    v_tp = sum(round(r["victim_recall"] * r["victims_truth"]) for r in results)
    summary = {
        "scenarios": len(results),
        "server_precision": ratio(s_tp, tot["servers_found"]),
        "server_recall": ratio(s_tp, tot["servers_truth"]),
        "victim_precision": ratio(v_tp, tot["victims_found"]),
        "victim_recall": ratio(v_tp, tot["victims_truth"]),
        "statistics_exact": sum(r["statistics_exact"] for r in results),
        **tot,
    }
    print(f"total {summary['scenarios']} scenarios: servers P={summary['server_precision']:.3f} "
          f"R={summary['server_recall']:.3f} ({s_tp} right of {tot['servers_found']} found, {tot['servers_truth']} "
          f"true); victims P={summary['victim_precision']:.3f} R={summary['victim_recall']:.3f} ({v_tp} right of "
          f"{tot['victims_found']}, {tot['victims_truth']} true); statistics exact in "
          f"{summary['statistics_exact']}/{summary['scenarios']}")
    if a.aggregate:
        low = [k for k in ("server_precision", "server_recall", "victim_precision", "victim_recall")
               if summary[k] < a.min]
        if low:
            print(f"FAIL totals below {a.min}: {', '.join(low)}")
            failed = True
    if a.json:
        json.dump({"summary": summary, "scenarios": results}, open(a.json, "w"), indent=1, sort_keys=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
