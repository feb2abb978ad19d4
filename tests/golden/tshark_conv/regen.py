#!/usr/bin/env python3
"""Regenerates expected.tsv: tshark's TCP and UDP conversations for every capture in ../shared/data.

Run from the repository root: python3 tests/golden/tshark_conv/regen.py
Each line: capture (relative to shared/data), proto, endpoint A, port A, endpoint B, port B, frames B->A,
frames A->B. tshark (Debian 4.0) `-q -z conv,tcp -z conv,udp` keys conversations by address and port only,
so the test sums c2scope's flows of the same 5-tuple (split by idle timeouts or tunnels) before comparing.
"""
import os, re, subprocess, sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data")
LINE = re.compile(r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+\d+\s+\S+\s+(\d+)\s+\d+\s+\S+")


def captures(root):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                yield os.path.join(d, f)


def main():
    root = os.path.normpath(ROOT)
    out = []
    for path in captures(root):
        rel = os.path.relpath(path, root)
        try:
            text = subprocess.run(["tshark", "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"],
                                  capture_output=True, text=True, timeout=300).stdout
        except subprocess.TimeoutExpired:
            print("timeout:", rel, file=sys.stderr)
            continue
        proto = None
        for line in text.splitlines():
            if line.startswith("TCP Conversations"):
                proto = "tcp"
            elif line.startswith("UDP Conversations"):
                proto = "udp"
            m = LINE.match(line)
            if m and proto:
                a, ap, b, bp, back, fwd = m.groups()
                out.append("\t".join([rel, proto, a, ap, b, bp, back, fwd]))
    with open(os.path.join(os.path.dirname(__file__), "expected.tsv"), "w") as f:
        f.write("# capture\tproto\ta\ta_port\tb\tb_port\tframes_b_to_a\tframes_a_to_b  (tshark %s)\n" %
                subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.split("\n")[0])
        f.write("\n".join(out) + "\n")
    print(len(out), "conversations")


if __name__ == "__main__":
    main()
