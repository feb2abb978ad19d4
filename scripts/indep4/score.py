#!/usr/bin/env python3
"""Score c2scope results against indep4 truth.

python3 score.py GENDIR [--json OUT] : every GENDIR/*/truth.json with GENDIR/*/res/findings.json"""
import argparse
import collections
import glob
import ipaddress
import json
import os
import sys

THRESH = 0.75
FIELDS = ["score", "interval", "hit_rate", "size", "coverage", "presence", "prevalence", "prevalence_factor",
          "shared_schedule", "period_s", "jitter", "connections", "checkins", "resolver"]


def load(p):
    with open(p) as f:
        return json.load(f)


def victim_country(truth, v):
    a = ipaddress.ip_address(v["ip"])
    if a.is_private or a.is_reserved or a.is_link_local:
        return truth.get("home_country") or ""
    return v["country"]


def expected_stats(truth):
    rows = collections.defaultdict(lambda: [set(), set(), set()])
    for s in truth["c2"]:
        for v in s["victims"]:
            key = (s["country"], victim_country(truth, v))
            if v["status"] == "controlled":
                rows[key][0].add(s["ip"])
                rows[key][1].add(v["ip"])
            else:
                rows[key][2].add(v["ip"])
    out = {}
    for k, (sv, hs, at) in rows.items():
        out[k] = (len(sv), len(hs), len(at - hs))
    return out


def stats_from_servers(servers):
    rows = collections.defaultdict(lambda: [set(), set(), set()])
    for s in servers:
        for v in s.get("victims", []):
            key = (s.get("country", ""), v.get("country", ""))
            if v.get("controlled"):
                rows[key][0].add(s["ip"])
                rows[key][1].add(v["ip"])
            else:
                rows[key][2].add(v["ip"])
    return {k: (len(a), len(b), len(c - b)) for k, (a, b, c) in rows.items()}


def got_stats(f):
    return {(r["server_country"], r["victim_country"]): (r["servers"], r["hosts"], r["attempted_hosts"])
            for r in f.get("statistics", [])}


def fmt_pair(p):
    def g(k):
        v = p.get(k)
        if isinstance(v, float):
            return "%.3g" % v
        return str(v)
    who = p.get("server") or p.get("domain")
    return "    %s -> %s  " % (p.get("host"), who) + " ".join("%s=%s" % (k, g(k)) for k in FIELDS)


def diagnose_miss(pairs, in_intel):
    if not pairs:
        return "no scored pair in beacons.json (fewer than 3 connections per pair, or flows not outbound)" + (
            "; intel-listed but not matched" if in_intel else "")
    best = max(pairs, key=lambda p: p.get("score") or 0)
    if best.get("resolver"):
        return "marked resolver"
    sc = best.get("score") or 0
    if sc >= THRESH:
        own = [p for p in pairs if p.get("server")]
        return ("its name's pair scored %.3f (>= %.2f) (%s) but this address was not reported; the address's own "
                "pair scored %s" % (sc, THRESH, best.get("domain") or best.get("server"),
                                      "%.3f" % own[0]["score"] if own else "nothing"))
    subs = {k: best.get(k) for k in ("interval", "hit_rate", "size", "coverage", "presence", "prevalence_factor")
            if isinstance(best.get(k), (int, float))}
    low = sorted(subs.items(), key=lambda kv: kv[1])[:2]
    bs = best.get("beat_score")
    extra = ""
    if sc >= THRESH and bs is not None and bs * (best.get("prevalence_factor") or 1) < THRESH:
        extra = " beat_score*prevalence_factor=%.2f < %.2f;" % (bs * (best.get("prevalence_factor") or 1), THRESH)
    return "best score %.3f < %.2f;%s weakest %s%s" % (
        sc, THRESH, extra, ", ".join("%s=%.2f" % kv for kv in low),
        "; shared_schedule=%s" % best.get("shared_schedule") if best.get("shared_schedule") else "")


def score_one(d, out_lines):
    truth = load(os.path.join(d, "truth.json"))
    fp = os.path.join(d, "res", "findings.json")
    if not os.path.exists(fp):
        out_lines.append("%s: NO RESULT" % truth["scenario"])
        return None
    f = load(fp)
    bj = os.path.join(d, "res", "beacons.json")
    pairs = load(bj)["pairs"] if os.path.exists(bj) else []
    by_server = collections.defaultdict(list)
    by_domain = collections.defaultdict(list)
    for p in pairs:
        if p.get("server"):
            by_server[p["server"]].append(p)
        elif p.get("domain"):
            by_domain[p["domain"]].append(p)
    T = {s["ip"]: s for s in truth["c2"]}
    S = {s["ip"]: s for s in f.get("servers", [])}
    core = {ip for ip, s in T.items() if s["kind"] != "p2p_peer"}
    tp = set(T) & set(S)
    fn = set(T) - set(S)
    fpos = set(S) - set(T)
    tpairs = {(s["ip"], v["ip"]): v["status"] for s in truth["c2"] for v in s["victims"]}
    gpairs = {(s["ip"], v["ip"]): ("controlled" if v.get("controlled") else "attempted")
              for s in f.get("servers", []) for v in s.get("victims", [])}
    vtp = set(tpairs) & set(gpairs)
    status_ok = sum(1 for k in vtp if tpairs[k] == gpairs[k])
    exp = expected_stats(truth)
    got = got_stats(f)
    stats_ok = exp == got
    self_ok = stats_from_servers(f.get("servers", [])) == got
    tp_stats = stats_from_servers([S[ip] for ip in tp])
    tp_stats_ok = tp_stats == exp
    r = {"scenario": truth["scenario"], "format": truth["format"], "benign_only": truth["benign_only"],
         "truth_servers": len(T), "truth_core": len(core), "found": len(S), "tp": len(tp), "fn": len(fn),
         "fp": len(fpos), "tp_core": len(tp & core), "truth_pairs": len(tpairs), "got_pairs": len(gpairs),
         "pair_tp": len(vtp), "status_ok": status_ok, "stats_ok": stats_ok, "stats_self_consistent": self_ok, "stats_tp_ok": tp_stats_ok,
         "tp_stats": {"%s>%s" % k: v for k, v in sorted(tp_stats.items())},
         "exp_stats": {"%s>%s" % k: v for k, v in sorted(exp.items())},
         "got_stats": {"%s>%s" % k: v for k, v in sorted(got.items())},
         "misses": [], "false": [], "victim_fp": [], "victim_fn": [], "status_wrong": []}
    ben = truth.get("benign_periodic", [])

    def ben_label(ip, names):
        for b in ben:
            if ip in b.get("ips", []) or b["dst"] == ip or b["dst"] in names:
                return b["label"]
        return None

    for ip in sorted(fn):
        s = T[ip]
        vics = {v["ip"] for v in s["victims"]}
        ps = sorted(by_server.get(ip, []) + [p for n in s["names"] for p in by_domain.get(n, [])],
                    key=lambda p: (p.get("host") not in vics, -(p.get("score") or 0)))
        r["misses"].append({"ip": ip, "behaviour": s["behaviour"], "kind": s["kind"], "country": s["country"],
                            "victims": len(s["victims"]), "in_intel": s.get("in_intel"),
                            "diag": diagnose_miss(ps, s.get("in_intel")), "top": ps[:3]})
    for ip in sorted(fpos):
        s = S[ip]
        ps = sorted(by_server.get(ip, []) + [p for n in s.get("domains", []) for p in by_domain.get(n, [])],
                    key=lambda p: -(p.get("score") or 0))
        lab = ben_label(ip, s.get("domains", []))
        dets = sorted(set(x["detector"] for x in s.get("reasons", [])))
        r["false"].append({"ip": ip, "country": s.get("country"), "domains": s.get("domains", [])[:4],
                           "victims": len(s.get("victims", [])), "detectors": dets,
                           "label": lab or "(unlabelled benign)",
                           "summary": [x.get("summary", "")[:200] for x in s.get("reasons", [])][:2], "top": ps[:3]})
    for k in sorted(set(gpairs) - set(tpairs)):
        if k[0] in T:
            r["victim_fp"].append(k)
    for k in sorted(set(tpairs) - set(gpairs)):
        if k[0] in S:
            r["victim_fn"].append(k)
    for k in sorted(vtp):
        if tpairs[k] != gpairs[k]:
            r["status_wrong"].append((k, tpairs[k], gpairs[k]))
    return r


def pct(a, b):
    return "%.2f" % (a / b) if b else "  - "


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gendir")
    ap.add_argument("--json")
    a = ap.parse_args()
    res = []
    lines = []
    for d in sorted(glob.glob(os.path.join(a.gendir, "*", "truth.json"))):
        r = score_one(os.path.dirname(d), lines)
        if r:
            res.append(r)
    print("%-26s %-4s %5s %5s %3s %3s %3s %5s %5s | %5s %5s %4s %4s %5s | %s" % (
        "scenario", "fmt", "C2", "found", "TP", "FN", "FP", "srvP", "srvR", "vicT", "vicG", "vTP", "stOK", "vicP",
        "vicR stats (tp-only: table recomputed from the true C2s found)"))
    tot = collections.Counter()
    for r in res:
        print("%-26s %-4s %5d %5d %3d %3d %3d %5s %5s | %5d %5d %4d %4d %5s | %5s %s %s %s" % (
            r["scenario"], r["format"], r["truth_servers"], r["found"], r["tp"], r["fn"], r["fp"],
            pct(r["tp"], r["found"]), pct(r["tp"], r["truth_servers"]), r["truth_pairs"], r["got_pairs"],
            r["pair_tp"], r["status_ok"], pct(r["pair_tp"], r["got_pairs"]), pct(r["pair_tp"], r["truth_pairs"]),
            "match" if r["stats_ok"] else "DIFF",
            "" if r["stats_self_consistent"] else "(table != servers[]!)",
            "tp-only:" + ("match" if r["stats_tp_ok"] else "DIFF")))
        for k in ("truth_servers", "found", "tp", "fn", "fp", "truth_pairs", "got_pairs", "pair_tp", "status_ok",
                  "truth_core", "tp_core"):
            tot[k] += r[k]
        tot["stats_ok"] += r["stats_ok"]
        tot["stats_tp_ok"] += r["stats_tp_ok"]
        tot["stats_self"] += r["stats_self_consistent"]
        tot["benign_clean"] += r["benign_only"] and r["found"] == 0
        tot["benign"] += r["benign_only"]
    print("TOTAL: servers truth=%d found=%d TP=%d FN=%d FP=%d precision=%s recall=%s (recall without p2p peers: %d/%d=%s)"
          % (tot["truth_servers"], tot["found"], tot["tp"], tot["fn"], tot["fp"], pct(tot["tp"], tot["found"]),
             pct(tot["tp"], tot["truth_servers"]), tot["tp_core"], tot["truth_core"],
             pct(tot["tp_core"], tot["truth_core"])))
    print("TOTAL: victim pairs truth=%d reported=%d matched=%d (status right %d) precision=%s recall=%s; "
          "statistics tables matching %d/%d (tp-only %d/%d, table consistent with servers[] %d/%d); benign-only scenarios with no finding %d/%d" % (
              tot["truth_pairs"], tot["got_pairs"], tot["pair_tp"], tot["status_ok"], pct(tot["pair_tp"], tot["got_pairs"]),
              pct(tot["pair_tp"], tot["truth_pairs"]), tot["stats_ok"], len(res), tot["stats_tp_ok"], len(res),
              tot["stats_self"], len(res), tot["benign_clean"], tot["benign"]))
    for r in res:
        if not (r["misses"] or r["false"] or r["victim_fp"] or r["victim_fn"] or r["status_wrong"] or not r["stats_ok"]):
            continue
        print("\n== %s" % r["scenario"])
        if not r["stats_ok"]:
            print("  statistics expected %s\n             got      %s" % (r["exp_stats"], r["got_stats"]))
            if not r["stats_tp_ok"]:
                print("             tp-only  %s" % r["tp_stats"])
        for m in r["misses"]:
            print("  MISS %s (%s, %s, %s, %d victims%s): %s" % (m["ip"], m["behaviour"], m["kind"], m["country"],
                                                                 m["victims"], ", in intel" if m["in_intel"] else "",
                                                                 m["diag"]))
            for p in m["top"]:
                print(fmt_pair(p))
        for x in r["false"]:
            print("  FALSE %s (%s) %s victims=%d detectors=%s label=%s" % (x["ip"], x["country"], x["domains"],
                                                                            x["victims"], x["detectors"], x["label"]))
            for s in x["summary"]:
                print("     reason: %s" % s)
            for p in x["top"]:
                print(fmt_pair(p))
        if r["victim_fp"]:
            print("  victim FP (benign hosts counted for a true C2): %d e.g. %s" % (len(r["victim_fp"]), r["victim_fp"][:3]))
        if r["victim_fn"]:
            print("  victim FN (true victims missing for a found C2): %d e.g. %s" % (len(r["victim_fn"]), r["victim_fn"][:3]))
        for k, t, g in r["status_wrong"]:
            print("  status %s truth=%s got=%s" % (k, t, g))
    if a.json:
        with open(a.json, "w") as fo:
            json.dump({"results": res, "totals": tot}, fo, indent=1, default=str)


if __name__ == "__main__":
    main()
