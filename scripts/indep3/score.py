#!/usr/bin/env python3
"""Score c2scope results against indep3 truth.  usage: score.py OUTDIR [--json FILE]

Per scenario: server precision/recall (by IP) and victim precision/recall ((server, host) pairs), victim status
agreement (controlled/attempted), DNS-C2 domains (separately: they have no server IP). For every missed C2 server
and every false server, the top beacons.json pairs for that server with their sub-scores and a hint.
"""
import json
import os
import sys

FIELDS = ["score", "interval", "hit_rate", "size", "coverage", "presence", "prevalence", "prevalence_factor",
          "shared_schedule", "platform_share", "beat_score", "period_s", "jitter", "missed", "connections",
          "checkins"]


def fmt(v):
    if isinstance(v, float):
        return "%.3g" % v
    return str(v)


def pair_line(p):
    dst = "" if p.get("server") else " name=%s" % p.get("domain")
    return "      host=%s%s %s" % (p.get("host"), dst, " ".join("%s=%s" % (k, fmt(p.get(k))) for k in FIELDS if k in p))


def hint(p, missed):
    if p is None:
        return "no beacons.json pair (fewer than 3 connections, or not scored)"
    if p.get("resolver"):
        return "scored as the host's resolver"
    subs = {k: p.get(k) for k in ("interval", "hit_rate", "size", "coverage", "presence") if p.get(k) is not None}
    low = min(subs, key=subs.get) if subs else None
    pf = p.get("prevalence_factor")
    bits = []
    if missed:
        if pf is not None and pf < 0.9:
            bits.append("prevalence_factor %.2f (prevalence %.2f, shared_schedule %s)" %
                        (pf, p.get("prevalence", 0), p.get("shared_schedule")))
        if low:
            bits.append("weakest sub-score %s=%.2f" % (low, subs[low]))
        bits.append("base %.2f beat %s" % (p.get("base_score", 0), fmt(p.get("beat_score"))))
    else:
        bits.append("regular: interval=%.2f hit_rate=%.2f coverage=%.2f, prevalence %.2f (factor %s)" %
                    (p.get("interval", 0), p.get("hit_rate", 0), p.get("coverage", 0), p.get("prevalence", 0),
                     fmt(pf)))
    return "; ".join(bits)


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return p, r


def pct(x):
    return "  -  " if x is None else "%5.2f" % x


def score_scen(d):
    truth = json.load(open(os.path.join(d, "truth.json")))
    res = os.path.join(d, "res")
    fnd = json.load(open(os.path.join(res, "findings.json")))
    try:
        beacons = json.load(open(os.path.join(res, "beacons.json")))["pairs"]
    except Exception:
        beacons = []
    t_srv = {s["ip"]: s for s in truth["servers"]}
    t_pairs = {(s["ip"], v["ip"]): v["status"] for s in truth["servers"] for v in s["victims"]}
    f_srv = {s["ip"]: s for s in fnd.get("servers", [])}
    f_pairs = {}
    for s in fnd.get("servers", []):
        for v in s.get("victims", []):
            f_pairs[(s["ip"], v["ip"])] = "controlled" if v.get("controlled") else "attempted"
    by_server = {}
    for p in beacons:
        if p.get("server"):
            by_server.setdefault(p["server"], []).append(p)
    r = {"name": truth["scenario"], "benign_only": truth["benign_only"], "hosts": truth["monitored_hosts"]}
    r["srv_tp"] = len(set(t_srv) & set(f_srv))
    r["srv_fp"] = len(set(f_srv) - set(t_srv))
    r["srv_fn"] = len(set(t_srv) - set(f_srv))
    r["vic_tp"] = len(set(t_pairs) & set(f_pairs))
    r["vic_fp"] = len(set(f_pairs) - set(t_pairs))
    r["vic_fn"] = len(set(t_pairs) - set(f_pairs))
    r["status_mismatch"] = sorted("%s->%s truth=%s tool=%s" % (k[1], k[0], t_pairs[k], f_pairs[k])
                                  for k in set(t_pairs) & set(f_pairs) if t_pairs[k] != f_pairs[k])
    # DNS C2 (no server address): found when a dns_tunnels[] domain or a server domain matches
    r["dns_c2"] = []
    tun = fnd.get("dns_tunnels", [])
    for dc in truth.get("dns_c2", []):
        dom = dc["domain"]
        hit = [t for t in tun if t.get("domain") == dom or dom.endswith("." + t.get("domain", "#"))]
        hosts = sorted({h["ip"] for t in hit for h in t.get("hosts", [])})
        dpairs = [p for p in beacons if p.get("domain") and (p["domain"] == dom or p["domain"].endswith("." + dom))]
        r["dns_c2"].append({"domain": dom, "found": bool(hit), "hosts_found": hosts, "hosts_truth": dc["hosts"],
                            "other_reasons": [s["ip"] for s in fnd.get("servers", []) if dom in s.get("domains", [])],
                            "domain_beacon_pairs": len(dpairs)})
    r["dns_tunnels_reported"] = [t.get("domain") for t in tun]
    detail = []
    for ip in sorted(set(t_srv) - set(f_srv)):
        s = t_srv[ip]
        ps = sorted(by_server.get(ip, []), key=lambda p: -p.get("score", 0))
        if s.get("domain"):
            ps += sorted([p for p in beacons if p.get("domain") == s["domain"]], key=lambda p: -p.get("score", 0))[:2]
        detail.append(("MISS", ip, "%s | %s | %s | victims %d" % (s["label"], s["profile"], s["note"], len(s["victims"])),
                       ps[:4], hint(ps[0] if ps else None, True)))
    for ip in sorted(set(f_srv) - set(t_srv)):
        fs = f_srv[ip]
        desc = truth["benign_destinations"].get(ip)
        if ip == truth.get("resolver"):
            desc = "the hosts' DNS resolver"
        what = "; ".join("%s (%d hosts of %d)" % (x["service"], x["hosts"], truth["monitored_hosts"])
                         for x in desc) if isinstance(desc, list) else (desc or "unknown destination")
        reasons = "; ".join("%s %.2f" % (x.get("detector"), x.get("score", 0)) for x in fs.get("reasons", []))
        ps = sorted(by_server.get(ip, []), key=lambda p: -p.get("score", 0))
        # the reason may come from (host, name) pairs: show the best of those of the server's names too
        doms = set(fs.get("domains", []))
        ps = ps[:3] + sorted([p for p in beacons if p.get("domain") in doms], key=lambda p: -p.get("score", 0))[:2]
        best = max(ps, key=lambda p: p.get("score", 0)) if ps else None
        if len(reasons) > 120:
            reasons = reasons[:120] + "..."
        detail.append(("FP", ip, "%s | reasons: %s | domains %s | victims %d" % (
            what, reasons, ",".join(fs.get("domains", [])[:3]), len(fs.get("victims", []))), ps[:5],
            hint(best, False)))
    # missed victim pairs of found servers
    for k in sorted(set(t_pairs) - set(f_pairs)):
        if k[0] in f_srv:
            ps = [p for p in by_server.get(k[0], []) if p.get("host") == k[1]]
            detail.append(("MISS-VICTIM", k[0], "host %s (%s) of a found server" % (k[1], t_pairs[k]), ps[:1],
                           hint(ps[0] if ps else None, True)))
    for k in sorted(set(f_pairs) - set(t_pairs)):
        if k[0] in t_srv:
            detail.append(("FP-VICTIM", k[0], "host %s reported (%s) for a true server" % (k[1], f_pairs[k]), [], ""))
    r["detail"] = detail
    return r


def main():
    out = sys.argv[1]
    rows = []
    for name in sorted(os.listdir(out)):
        d = os.path.join(out, name)
        if os.path.isfile(os.path.join(d, "truth.json")) and os.path.isfile(os.path.join(d, "res", "findings.json")):
            rows.append(score_scen(d))
    lines = []
    P = lines.append
    P("%-22s %5s %4s | %3s %3s %3s %5s %5s | %3s %3s %3s %5s %5s | %s" % (
        "scenario", "hosts", "ben", "sTP", "sFP", "sFN", "sPrec", "sRec", "vTP", "vFP", "vFN", "vPrec", "vRec",
        "dns-c2 / status"))
    tot = dict(srv_tp=0, srv_fp=0, srv_fn=0, vic_tp=0, vic_fp=0, vic_fn=0)
    for r in rows:
        for k in tot:
            tot[k] += r[k]
        sp, sr = prf(r["srv_tp"], r["srv_fp"], r["srv_fn"])
        vp, vr = prf(r["vic_tp"], r["vic_fp"], r["vic_fn"])
        extra = []
        for dc in r["dns_c2"]:
            extra.append("dnsC2 %s: %s hosts %d/%d" % (dc["domain"], "FOUND" if dc["found"] else "missed",
                                                      len(set(dc["hosts_found"]) & set(dc["hosts_truth"])),
                                                      len(dc["hosts_truth"])))
        if r["status_mismatch"]:
            extra.append("status mismatch %d" % len(r["status_mismatch"]))
        if r["dns_tunnels_reported"] and not r["dns_c2"]:
            extra.append("dns_tunnels FP: %s" % ",".join(r["dns_tunnels_reported"]))
        P("%-22s %5d %4s | %3d %3d %3d %5s %5s | %3d %3d %3d %5s %5s | %s" % (
            r["name"], r["hosts"], "yes" if r["benign_only"] else "", r["srv_tp"], r["srv_fp"], r["srv_fn"], pct(sp),
            pct(sr), r["vic_tp"], r["vic_fp"], r["vic_fn"], pct(vp), pct(vr), "; ".join(extra)))
    sp, sr = prf(tot["srv_tp"], tot["srv_fp"], tot["srv_fn"])
    vp, vr = prf(tot["vic_tp"], tot["vic_fp"], tot["vic_fn"])
    P("%-22s %5s %4s | %3d %3d %3d %5s %5s | %3d %3d %3d %5s %5s |" % (
        "TOTAL", "", "", tot["srv_tp"], tot["srv_fp"], tot["srv_fn"], pct(sp), pct(sr), tot["vic_tp"], tot["vic_fp"],
        tot["vic_fn"], pct(vp), pct(vr)))
    P("")
    for r in rows:
        if not r["detail"] and not r["status_mismatch"]:
            continue
        P("== %s" % r["name"])
        for kind, ip, desc, ps, h in r["detail"]:
            P("  %-11s %-16s %s" % (kind, ip, desc))
            for p in ps:
                P(pair_line(p))
            if h:
                P("      hint: %s" % h)
        for m in r["status_mismatch"]:
            P("  STATUS      %s" % m)
    # false servers grouped by the benign service behind them
    groups = {}
    for r in rows:
        for kind, ip, desc, ps, h in r["detail"]:
            if kind != "FP":
                continue
            svc = desc.split(" | ")[0]
            svc = svc.split(" (")[0]
            g = groups.setdefault(svc, {"servers": 0, "scen": set(), "top": 0.0})
            g["servers"] += 1
            g["scen"].add(r["name"][:3])
            if ps:
                g["top"] = max(g["top"], ps[0].get("score", 0))
    P("")
    P("False servers by benign service (count of (scenario, server IP), scenarios):")
    for svc, g in sorted(groups.items(), key=lambda x: -x[1]["servers"]):
        P("  %3d  %-45s %s" % (g["servers"], svc, ",".join(sorted(g["scen"]))))
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "score.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "score.json"), "w") as f:
        json.dump({"rows": [{k: v for k, v in r.items() if k != "detail"} for r in rows], "total": tot}, f, indent=1)


if __name__ == "__main__":
    main()
