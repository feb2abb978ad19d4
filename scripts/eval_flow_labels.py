#!/usr/bin/env python3
"""Per-flow precision and recall of `c2scope analyze` against datasets labelled flow by flow (stdlib only).

Usage: eval_flow_labels.py LABELLED_FLOWS FINDINGS_JSON [--name NAME]

LABELLED_FLOWS is what analyze read: a Stratosphere Zeek conn log with `label`/`detailedlabel` columns
(`Malicious`, `Benign`, `Background` ...) or an Argus binetflow with a `Label` column (`flow=From-Botnet-...`,
`flow=Malware-...`, `flow=Background`, `flow=Normal`). A flow is malicious when its label says Malicious,
Botnet or Malware. A flow is flagged when c2scope reported its (originator, responder) pair as (victim, C2
server) in findings.json. Prints one line: malicious/flagged/true-positive flow counts, precision and recall.
Recall counts every malicious flow, also the malware's DNS lookups and scans, which no C2 finding is meant
to cover: the C2 pairs' own recall is printed beside it (malicious flows to the servers c2scope flagged or
that the labels mark as C2 - `CC`, `C&C` in the label).
"""
import json
import sys


def labelled_flows(path):
    """Yields (orig, resp, label text) for every data line."""
    with open(path, encoding="utf-8", errors="replace") as f:
        fields = None
        sep = None
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                sep = "\t"
                continue
            if line.startswith("#") or not line.strip():
                continue
            if fields is None:  # Argus: the first line is the header
                sep = "\t" if "\t" in line else ","
                fields = [c.strip() for c in line.split(sep)]
                continue
            cols = line.split(sep)
            row = dict(zip(fields, cols))
            if "id.orig_h" in row:
                label = row.get("label", "") + " " + row.get("detailedlabel", "")
                orig, resp = row["id.orig_h"], row["id.resp_h"]
            else:
                label = row.get("Label", "")
                orig, resp = row.get("SrcAddr", "").strip(), row.get("DstAddr", "").strip()
                if row.get("Dir", "").strip() == "<-":
                    orig, resp = resp, orig
            yield orig, resp, label


def malicious(label):
    low = label.lower()
    return "malicious" in low or "botnet" in low or "malware" in low


def c2_label(label):
    return "-cc" in label.lower() or "c&c" in label.lower() or "command" in label.lower()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    name = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--name" else sys.argv[1]
    findings = json.load(open(sys.argv[2]))
    pairs = set()
    servers = set()
    for s in findings.get("servers", []):
        servers.add(s["ip"])
        for v in s.get("victims", []):
            pairs.add((v["ip"], s["ip"]))
    mal = flagged = tp = 0
    c2_flows = c2_found = 0
    for orig, resp, label in labelled_flows(sys.argv[1]):
        bad = malicious(label)
        hit = (orig, resp) in pairs
        mal += bad
        flagged += hit
        tp += bad and hit
        if bad and (c2_label(label) or resp in servers):
            c2_flows += 1
            c2_found += hit
    precision = tp / flagged if flagged else float("nan")
    recall = tp / mal if mal else float("nan")
    c2_recall = c2_found / c2_flows if c2_flows else float("nan")
    print(f"{name}: malicious {mal}, flagged {flagged}, true positives {tp}, precision {precision:.3f}, "
          f"recall {recall:.3f}; C2-labelled or flagged-server malicious flows {c2_flows}, found {c2_found} "
          f"(recall {c2_recall:.3f}); servers {sorted(servers)}")


if __name__ == "__main__":
    main()
