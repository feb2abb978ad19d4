#!/usr/bin/env python3
"""Regenerates expected.tsv: tshark's protocol fields for every capture in ../shared/data.

Run from the repository root: python3 tests/golden/tshark_fields/regen.py   (tshark 4.0, a few minutes)
Each line: capture (relative to shared/data), field, value, occurrences. Fields, as c2scope's logs name them:
  sni        tls.handshake.extensions_server_name of TCP ClientHellos    (ssl.log server_name)
  ja3        tls.handshake.ja3 of TCP ClientHellos                       (ssl.log ja3)
  ja3s       tls.handshake.ja3s of TCP ServerHellos                      (ssl.log ja3s)
  dns_query  dns.qry.name of DNS, mDNS and LLMNR queries (first question; lower case; not inside ICMP errors)
                                                                         (dns.log query, queries seen)
  http_host  http.host of HTTP requests over TCP, port removed           (http.log host)
  http_uri   http.request.uri of HTTP requests over TCP                  (http.log uri)
HTTP over UDP (SSDP's M-SEARCH/NOTIFY) is left out: http.log, like Zeek's, is HTTP over TCP.
The test (tests/golden/tshark_fields_test.cpp) compares these multisets per capture with c2scope's logs.
"""
import collections
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
SEP = "\x1f"  # aggregator between occurrences: no field value holds it

QUERIES = [
    # (display filter, [(field name in expected.tsv, tshark field)])
    ("tcp && tls.handshake.type == 1",
     [("sni", "tls.handshake.extensions_server_name"), ("ja3", "tls.handshake.ja3")]),
    ("tcp && tls.handshake.type == 2", [("ja3s", "tls.handshake.ja3s")]),
    ("(dns || mdns || llmnr) && dns.flags.response == 0 && !icmp && !icmpv6", [("dns_query", "dns.qry.name")]),
    ("tcp && http.request && !icmp && !icmpv6", [("http_host", "http.host"), ("http_uri", "http.request.uri")]),
]


def captures(root):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                yield os.path.join(d, f)


def host_without_port(h):
    if h.startswith("["):
        end = h.find("]")
        return h[:end + 1] if end >= 0 else h
    if h.count(":") == 1:
        return h.split(":")[0]
    return h


def run(path, display_filter, fields):
    cmd = ["tshark", "-n", "-r", path, "-Y", display_filter, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=" + SEP]
    for _, f in fields:
        cmd += ["-e", f]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, errors="backslashreplace", timeout=600).stdout
    except subprocess.TimeoutExpired:
        print("timeout:", path, display_filter, file=sys.stderr)
        return []
    rows = []
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) == len(fields):
            rows.append(cols)
    return rows


def main():
    root = os.path.normpath(ROOT)
    lines = []
    for path in captures(root):
        rel = os.path.relpath(path, root)
        counts = collections.Counter()
        for display_filter, fields in QUERIES:
            for cols in run(path, display_filter, fields):
                values = {name: col.split(SEP) if col else [] for (name, _), col in zip(fields, cols)}
                if "dns_query" in values:
                    q = values["dns_query"][:1]  # dns.log logs the first question
                    for v in q:
                        counts[("dns_query", "" if v == "<Root>" else v.lower())] += 1
                elif "http_host" in values:
                    for v in values["http_uri"]:
                        counts[("http_uri", v)] += 1
                    for v in values["http_host"]:
                        counts[("http_host", host_without_port(v))] += 1
                else:
                    for name, vs in values.items():
                        for v in vs:
                            counts[(name, v)] += 1
        for (name, value), n in sorted(counts.items()):
            lines.append("\t".join([rel, name, value, str(n)]))
        print(rel, sum(counts.values()), file=sys.stderr)
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    with open(os.path.join(HERE, "expected.tsv"), "w") as f:
        f.write("# capture\tfield\tvalue\toccurrences  (%s)\n" % version)
        f.write("\n".join(lines) + "\n")
    print(len(lines), "lines")


if __name__ == "__main__":
    main()
