#!/usr/bin/env python3
"""Deterministic plain-list threat-intel feed for `make bench` (docs/intel.md, "plain list").

    gen_intel_feed.py --count 1000000 --seed 42 [--truth CAPTURE.truth.json] --out FEED.txt

Writes COUNT indicator lines (one value per line, no comments): 45% IPv4 addresses, 5% IPv6 addresses,
10% IPv4 CIDRs (/24 to /30, so they cover little of the address space), 25% domains, 10% URLs, 5% JA3
hashes, all drawn from one seeded generator (the same file for the same arguments, byte for byte). The
random values are not meant to match the bench capture, but random public addresses and CIDRs do hit some of
its ~8,000 servers (with seed 42 and the 1 GB capture: 2 addresses and 19 CIDRs); the domains, URLs and
hashes cannot match. A few lines do match on purpose, planted at fixed
positions: with --truth (the generator's .truth.json), the C2 servers of the capture (their addresses, their
domains, one /24 around one of them, the HTTP beacon's URL) and the JA3 of the generator's "malware"
ClientHello. Prints a one-line summary to stderr. stdlib only.
"""
import argparse
import hashlib
import json
import random
import sys

# JA3 of gen_bench_pcap.py's "malware" ClientHello (TLS 1.2 legacy version, its cipher list in order,
# extensions SNI, extended_master_secret, renegotiation_info, supported_groups, ec_point_formats,
# signature_algorithms; groups 23-24-25; point formats 0-1-2). No GREASE in that profile.
MALWARE_CIPHERS = [0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a,
                   0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a]
MALWARE_JA3 = hashlib.md5("771,{},0-23-65281-10-11-13,23-24-25,0-1-2".format(
    "-".join(str(c) for c in MALWARE_CIPHERS)).encode()).hexdigest()

WORDS = ("alpha bravo cobalt delta ember frost gamma harbor iris jade kilo lumen metro nova orbit pixel quartz "
         "raven sigma tango ultra vortex whisky xenon yonder zephyr").split()
TLDS = ("com", "net", "org", "info", "biz", "xyz", "top", "ru", "cn", "io", "su", "cc")


def planted(truth_path):
    """Indicators that match the capture: the generator's C2 servers, and the malware JA3."""
    out = []
    if truth_path:
        with open(truth_path) as f:
            truth = json.load(f)
        c2 = truth.get("beacons", []) + truth.get("dns_tunnel", []) + truth.get("dga", [])
        dsts = sorted({c["dst"] for c in truth.get("beacons", []) if c.get("dst")})
        names = sorted({c["domain"] for c in c2 if c.get("domain")})
        out += dsts
        out += names
        if dsts:
            a = dsts[0].split(".")
            out.append("%s.%s.%s.0/24" % (a[0], a[1], a[2]))
        http = sorted({c["domain"] for c in truth.get("beacons", []) if c.get("kind") == "http"})
        if http:
            out.append("http://%s/jquery-3.3.1.min.js" % http[0])
    out.append(MALWARE_JA3)
    return out


def pub4(r):
    while True:
        a = r.randrange(1, 224)
        if a not in (0, 10, 100, 127, 169, 172, 192):
            return a, r.randrange(256), r.randrange(256), r.randrange(1, 255)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--truth", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    # Not random.Random(seed): gen_bench_pcap.py draws its server addresses from random.Random(seed) with the
    # same recipe, so the same seed would reproduce them. A string seed is hashed (SHA-512): a separate stream.
    r = random.Random("c2scope bench intel feed %d" % a.seed)
    plant = planted(a.truth)
    # Planted lines sit at evenly spaced positions, so they are spread over the whole file.
    step = max(1, a.count // (len(plant) + 1))
    at = {step * (k + 1): v for k, v in enumerate(plant)}
    kinds = {"ipv4": 0, "ipv6": 0, "cidr": 0, "domain": 0, "url": 0, "ja3": 0}
    lines = []
    for i in range(a.count):
        if i in at:
            lines.append(at[i])
            continue
        k = i % 20  # 9 IPv4, 1 IPv6, 2 CIDR, 5 domains, 2 URLs, 1 JA3 in every 20 lines
        if k < 9:
            lines.append("%d.%d.%d.%d" % pub4(r))
            kinds["ipv4"] += 1
        elif k == 9:
            lines.append("2a0%x:%x:%x:%x::%x" % (r.randrange(16), r.getrandbits(16), r.getrandbits(16),
                                                  r.getrandbits(16), r.getrandbits(16)))
            kinds["ipv6"] += 1
        elif k < 12:
            b = pub4(r)
            bits = r.randrange(24, 31)
            host = (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) & ~((1 << (32 - bits)) - 1) & 0xffffffff
            lines.append("%d.%d.%d.%d/%d" % (host >> 24, host >> 16 & 255, host >> 8 & 255, host & 255, bits))
            kinds["cidr"] += 1
        elif k < 17:
            lines.append("%s%s-%x.%s%s.%s" % (r.choice(("", "www.", "cdn.", "api.", "update.")), r.choice(WORDS),
                                               r.getrandbits(32), r.choice(WORDS), r.choice(WORDS), r.choice(TLDS)))
            kinds["domain"] += 1
        elif k < 19:
            lines.append("http://%s%d.%s.%s/%s/%x.php?id=%d" % (r.choice(WORDS), r.randrange(100000), r.choice(WORDS),
                                                              r.choice(TLDS), r.choice(WORDS), r.getrandbits(32), i))
            kinds["url"] += 1
        else:
            lines.append("%032x" % r.getrandbits(128))
            kinds["ja3"] += 1
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("gen_intel_feed: %s: %d indicators (%s), %d planted to match the capture" % (
        a.out, a.count, ", ".join("%d %s" % (v, k) for k, v in kinds.items()), len(plant)), file=sys.stderr)


if __name__ == "__main__":
    main()
