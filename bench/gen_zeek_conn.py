#!/usr/bin/env python3
"""Writes a synthetic Zeek conn.log (TSV, Zeek 6 field set) for the log-ingest benchmark (stdlib only).

Usage: gen_zeek_conn.py --records N [--seed 42] [--json] OUT

Deterministic for a seed. The records look like a busy site's: 2000 internal hosts (10.x), 50,000 external
servers (IPv4, 5% IPv6), TCP/UDP/ICMP in realistic shares, Zeek's conn_state/history pairs, durations and
byte counts spread over several orders of magnitude, `-` for unset values where Zeek writes them. Lines are
written in the order Zeek writes them (by connection end), so the reader's reorder window is exercised.
"""
import argparse
import heapq
import random
import sys

FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
          "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
          "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto"]
TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
         "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]", "count"]
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def uid(rng):
    return "C" + "".join(rng.choice(B62) for _ in range(17))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", action="store_true", help="Zeek JSON lines instead of TSV")
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    hosts = ["10.%d.%d.%d" % (rng.randrange(4), rng.randrange(256), rng.randrange(1, 255)) for _ in range(2000)]
    servers = []
    for _ in range(50_000):
        if rng.random() < 0.05:
            servers.append("2001:db8:%x:%x::%x" % (rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536)))
        else:
            servers.append("%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256),
                                            rng.randrange(1, 255)))
    shapes = [  # proto, port, service, conn_state, history, weight
        ("tcp", 443, "ssl", "SF", "ShADadFf", 40),
        ("tcp", 80, "http", "SF", "ShADadfF", 10),
        ("tcp", 443, "-", "S0", "S", 5),
        ("tcp", 8080, "-", "REJ", "Sr", 3),
        ("tcp", 443, "ssl", "RSTO", "ShADadR", 4),
        ("udp", 53, "dns", "SF", "Dd", 30),
        ("udp", 123, "ntp", "SF", "Dd", 3),
        ("udp", 443, "quic", "SF", "Dd", 3),
        ("icmp", 8, "-", "OTH", "-", 2),
    ]
    weights = [s[5] for s in shapes]
    t = 1_700_000_000.0
    out = open(a.out, "w", buffering=1 << 20)
    if not a.json:
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n")
        out.write("#open\t2023-11-14-22-13-20\n")
        out.write("#fields\t" + "\t".join(FIELDS) + "\n#types\t" + "\t".join(TYPES) + "\n")
    pending = []  # (end, line): written once the clock passes their end + a timeout, as Zeek does
    write = out.write
    for i in range(a.records):
        t += rng.expovariate(2000.0)
        proto, port, service, state, hist, _ = rng.choices(shapes, weights)[0]
        orig = rng.choice(hosts)
        resp = rng.choice(servers)
        sport = rng.randrange(1024, 65536) if proto != "icmp" else 8
        dport = port if proto != "icmp" else 0
        single = state in ("S0", "REJ") and rng.random() < 0.5
        dur = 0.0 if single else rng.lognormvariate(-1.0, 2.0)
        ob = rng.randrange(0, 2000) if state != "REJ" else 0
        rb = rng.randrange(0, 200000) if state in ("SF", "RSTO") else 0
        op = rng.randrange(1, 40)
        rp = rng.randrange(0, 60) if state != "S0" else 0
        ipp = {"tcp": 6, "udp": 17, "icmp": 1}[proto]
        if resp.count(":") and proto == "icmp":
            ipp = 58
        if a.json:
            rec = ('{"ts":%.6f,"uid":"%s","id.orig_h":"%s","id.orig_p":%d,"id.resp_h":"%s","id.resp_p":%d,'
                   '"proto":"%s"' % (t, uid(rng), orig, sport, resp, dport, proto))
            if service != "-":
                rec += ',"service":"%s"' % service
            if not single:
                rec += ',"duration":%.6f,"orig_bytes":%d,"resp_bytes":%d' % (dur, ob, rb)
            rec += (',"conn_state":"%s","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"%s",'
                    '"orig_pkts":%d,"orig_ip_bytes":%d,"resp_pkts":%d,"resp_ip_bytes":%d,"ip_proto":%d}\n'
                    % (state, hist, op, op * 40 + ob, rp, rp * 40 + rb, ipp))
            line = rec
        else:
            line = "%.6f\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\tT\tF\t0\t%s\t%d\t%d\t%d\t%d\t-\t%d\n" % (
                t, uid(rng), orig, sport, resp, dport, proto, service, "-" if single else "%.6f" % dur,
                "-" if single else ob, "-" if single else rb, state, hist, op, op * 40 + ob, rp, rp * 40 + rb,
                ipp)
        end = t + dur + (5.0 if state in ("SF", "REJ", "RSTO") else 60.0)
        heapq.heappush(pending, (end, i, line))
        while pending and pending[0][0] <= t:
            write(heapq.heappop(pending)[2])
    while pending:
        write(heapq.heappop(pending)[2])
    if not a.json:
        write("#close\t2023-11-14-23-59-59\n")
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
