#!/usr/bin/env python3
"""Regenerates expected.jsonl: the peers' own expected outputs, mapped onto c2scope's log fields.

Run from the repository root: python3 tests/golden/peer_suites/regen.py
Reads ../shared/data (never copied here) and writes one JSON object per check:

  {"src": source, "cat": category, "id": stable id, "pcap": capture under shared/data, "log": dns|ssl|http|quic,
   "event": request|response (dns only), "count": N or null (null: at least one record), "where": [...],
   "ignored": ["peer field: reason", ...], "na": null or the reason the whole check cannot apply}

`where` holds [field, op, value] (and [field, "at", index, value] for list positions); the test
(tests/golden/peer_suites_test.cpp) evaluates them on the records of `c2scope logs --format json`. Normalisation
done here, so the test compares like with like (docs/schema.md, "Golden suites"):
- IP addresses: Python's compressed form (Suricata prints IPv6 in full). Endpoints: the peer's source and
  destination are compared as an unordered pair with id.orig_*/id.resp_* (Suricata names the response's sender
  as source; dns.log names the flow's originator).
- DNS names: compared case-insensitively (Zeek's dns.log query is lower case); Arkime's Unicode names are
  converted to their IDNA (punycode) form, which is what the wire and dns.log carry.
- Suricata TLS versions ("TLSv1", "TLS 1.2", "TLS 1.3 draft-28") become Zeek's ("TLSv10", "TLSv12",
  "TLSv13-draft28"); ja3.string / ja3s.string are compared through their MD5 with ja3 / ja3s.
- Certificate subject/issuer: Suricata writes RDNs in certificate order joined by ", " with "Email=";
  x509.log writes them reversed (RFC 2253) joined by "," with "\\," escapes and "emailAddress=". The test turns
  c2scope's string into Suricata's form (op "dn"). Serial and SHA-1 fingerprint: hex without colons, upper
  case, leading zeros dropped (op "hex"). notbefore/notafter: seconds since the epoch (UTC).
- DNS answers: Suricata logs each string of a multi-string TXT record as its own answer; Zeek's dns.log writes
  "TXT <len> <text>" per string inside one answer. The test splits c2scope's TXT answers the same way, with the
  record's TTL repeated (field "answers_x" / "TTLs_x").
"""
import base64
import calendar
import glob
import hashlib
import ipaddress
import json
import os
import re
import struct
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))

# Suricata-verify: fields that are Suricata's own bookkeeping, never compared.
SURICATA_INTERNAL = {
    "pcap_cnt": "Suricata's packet counter",
    "pkt_src": "Suricata's packet source",
    "tx_id": "Suricata's transaction counter",
    "dns.tx_id": "Suricata's transaction counter",
    "dns.version": "Suricata's eve DNS format version",
    "dns.qr": "implied by the event (request/response)",
    "proto": "implied by the log (ssl/http: TCP, quic: UDP)",
}
TLS_VERSIONS = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1": "TLSv10", "TLS 1.0": "TLSv10", "TLS 1.1": "TLSv11",
                "TLSv1.1": "TLSv11", "TLS 1.2": "TLSv12", "TLSv1.2": "TLSv12", "TLS 1.3": "TLSv13",
                "TLSv1.3": "TLSv13"}
# IANA names of the cipher suites the suites check by number (ssl.log cipher holds the name).
CIPHER_NAMES = {49200: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}


# Checks whose expectation depends on the test's own suricata.yaml or rules (not in shared/data).
CONFIG_DEPENDENT = {
    "cond-log-dns-dig": "conditional logging: the test's rule disables DNS logging for its transactions",
    "dns/dns-udp-eve-log-query-only": "the test's eve-log configuration logs DNS queries only",
}


def community_id(seed, proto, a, ap, b, bp):
    """Community ID v1 (the spec's definition), to tell which seed a peer's expected value used."""
    x, y = ipaddress.ip_address(a), ipaddress.ip_address(b)
    if (x.packed, ap) > (y.packed, bp):
        x, y, ap, bp = y, x, bp, ap
    data = struct.pack("!H", seed) + x.packed + y.packed + struct.pack("!BBHH", proto, 0, ap, bp)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def tls_version(v):
    if v in TLS_VERSIONS:
        return TLS_VERSIONS[v]
    if v.startswith("TLS 1.3 draft-"):
        return "TLSv13-draft" + v[len("TLS 1.3 draft-"):]
    if v.startswith("TLSv1.3-draft-"):
        return "TLSv13-draft" + v[len("TLSv1.3-draft-"):]
    return v


def ip(v):
    try:
        return str(ipaddress.ip_address(v))
    except ValueError:
        return v


def hexnorm(v):
    s = v.replace(":", "").upper().lstrip("0")
    return s or "0"


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%S"))


def idna(name):
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def endpoints(src, sport, dst, dport):
    return ["endpoints", "peers", [[ip(src) if src else None, None if sport in (None, "") else str(sport)],
                                   [ip(dst) if dst else None, None if dport in (None, "") else str(dport)]]]


# ---------------------------------------------------------------------------------------------------------
# suricata-verify


def suricata_check(case, index, pcap, filt):
    match = filt.get("match", {})
    et = match.get("event_type")
    log = {"dns": "dns", "tls": "ssl", "http": "http", "quic": "quic"}[et]
    out = {"src": "suricata-verify", "cat": et, "id": "%s#%d" % (case, index), "pcap": pcap, "log": log,
           "event": None, "count": filt.get("count"), "where": [], "ignored": [], "na": None}
    where, ignored = out["where"], out["ignored"]
    req = filt.get("requires") or {}
    if "lt-version" in req:
        out["na"] = "written for Suricata < %s (eve DNS v2 names); its >= 8 twin in the same file is compared" % \
            req["lt-version"]
        return out
    if filt.get("filename") not in (None, "eve.json", "all.json"):
        out["na"] = "counts %s, the output of a custom eve-log configuration (types filtered)" % filt["filename"]
        return out
    if case in CONFIG_DEPENDENT:
        out["na"] = CONFIG_DEPENDENT[case]
        return out
    src = match.get("src_ip"), match.get("src_port")
    dst = match.get("dest_ip"), match.get("dest_port")
    if any(v is not None for v in src + dst):
        where.append(endpoints(src[0], src[1], dst[0], dst[1]))
    answer_types = {}
    for k, v in match.items():
        if k.startswith("dns.answers[") and k.endswith("].rrtype"):
            answer_types[int(k[len("dns.answers["):k.index("]")])] = v
    for k, v in sorted(match.items()):
        if k in ("event_type", "src_ip", "src_port", "dest_ip", "dest_port"):
            continue
        if k in SURICATA_INTERNAL:
            ignored.append("%s: %s" % (k, SURICATA_INTERNAL[k]))
            continue
        if k.startswith("ether."):
            out["na"] = "%s: c2scope's logs carry no MAC addresses" % k
            return out
        if k in ("has-key", "not-has-key"):
            out["na"] = "%s: checks the presence of Suricata-only output keys" % k
            return out
        if k == "community_id":
            proto = {"TCP": 6, "UDP": 17}.get(match.get("proto"))
            if proto and all(x is not None for x in src + dst) and \
                    community_id(0, proto, src[0], src[1], dst[0], dst[1]) != v and \
                    community_id(7, proto, src[0], src[1], dst[0], dst[1]) == v:
                ignored.append("community_id: the test's suricata.yaml seeds Community ID with 7 (seed 7 reproduces "
                               "the expected value); c2scope uses the default seed 0")
            else:
                where.append(["community_id", "eq", v])
        elif et == "dns":
            r = dns_field(k, v, answer_types)
            if r is None:
                continue
            if isinstance(r, str):
                if r.startswith("NA:"):
                    out["na"] = r[3:]
                    return out
                if r.startswith("EVENT:"):
                    out["event"] = r[6:]
                else:
                    ignored.append("%s: %s" % (k, r))
                continue
            where.append(r)
        elif et == "tls":
            r = tls_field(k, v)
            if isinstance(r, str):
                ignored.append("%s: %s" % (k, r))
            else:
                where.append(r)
        elif et == "http":
            r = http_field(k, v)
            if isinstance(r, str):
                ignored.append("%s: %s" % (k, r))
            else:
                where.append(r)
        elif et == "quic":
            r = quic_field(k, v, match)
            if r is None:
                continue
            if isinstance(r, str):
                ignored.append("%s: %s" % (k, r))
            else:
                where.append(r)
    if et == "dns" and "proto" in match:
        ignored.remove("proto: " + SURICATA_INTERNAL["proto"])
        where.append(["proto", "eq", match["proto"].lower()])
    content = [i for i in ignored if i.split(":")[0] not in SURICATA_INTERNAL]
    if content and not [w for w in where if w[1] != "peers"] and out["event"] is None:
        out["na"] = "every field it checks is absent from the log (%s)" % ", ".join(
            sorted({re.sub(r"\[\d+\]", "[]", i.split(":")[0]) for i in content}))
    return out


def dns_field(k, v, answer_types):
    if k == "dns.type":
        return "EVENT:" + {"query": "request", "request": "request", "answer": "response",
                           "response": "response"}[v]
    if k == "dns.id":
        return ["trans_id", "num", v]
    if k in ("dns.queries[0].rrname", "dns.rrname"):
        return ["query", "ieq", v]
    if k in ("dns.queries[0].rrtype", "dns.rrtype"):
        return ["qtype_name", "eq", v]
    if k.endswith("rrname.__len") or k.endswith("rrname_truncated"):
        return "NA:%s: Suricata's name truncation at 1025 bytes; dns.log has no truncation marker" % k
    if k == "dns.rcode":
        return ["rcode_name", "eq", v]
    if k == "dns.aa":
        return ["AA", "bool", v]
    if k == "dns.ra":
        return ["RA", "bool", v]
    if k == "dns.rd":
        return ["RD", "bool", v]
    if k == "dns.z":
        return ["Z", "bit", [4, v]]  # Zeek's Z is the 3 bits Z|AD|CD; Suricata's z is the first of them
    if k == "dns.opcode":
        return ["opcode", "num", v]
    if k == "dns.flags":
        return "the header word; its bits are compared through dns.aa/ra/rd/z and dns.rcode"
    if k == "dns.answers.__len":
        return ["answers_x", "len", v]
    if k.startswith("dns.answers["):
        i = int(k[len("dns.answers["):k.index("]")])
        sub = k[k.index("]") + 2:]
        rtype = answer_types.get(i)
        if sub == "rdata":
            if rtype in ("A", "AAAA"):
                return ["answers_x", "at", i, ip(v)]
            if rtype in ("NULL", "SSHFP", "OPT", None):
                return "rdata of type %s: dns.log renders it as Zeek does (\"<unknown type=...>\")" % rtype
            return ["answers_x", "at_ieq" if rtype in ("CNAME", "NS", "PTR", "MX", "SOA") else "at", i, v]
        if sub == "ttl":
            return ["TTLs_x", "at_num", i, v]
        if sub in ("rrname", "rrtype"):
            return "dns.log answers carry no owner name or type per answer (Zeek's format)"
        if sub == "srv.name":
            return ["answers_x", "at_ieq", i, v]
        if sub.startswith("srv."):
            return "Zeek renders an SRV answer as its target only"
        if sub.startswith("sshfp."):
            return "Zeek's dns.log does not render SSHFP answers"
        return "not in dns.log"
    if k.startswith("dns.grouped."):
        rtype = k[len("dns.grouped."):k.index("[")]
        if rtype in ("A", "AAAA"):
            v = ip(v)
        return ["answers_x", "has", v]
    if k.startswith("dns.authorities") or k.startswith("dns.additionals"):
        return "dns.log has no authority/additional sections (Zeek's auth/addl are policy-script names)"
    return "not in dns.log"


def tls_field(k, v):
    if k == "tls.sni":
        return ["server_name", "eq", v]
    if k in ("tls.version", "tls.server_handshake.version"):
        return ["version", "eq", tls_version(v)]
    if k == "tls.ja3.hash":
        return ["ja3", "eq", v]
    if k == "tls.ja3.string":
        return ["ja3", "eq", hashlib.md5(v.encode()).hexdigest()]
    if k == "tls.ja3s.hash":
        return ["ja3s", "eq", v]
    if k == "tls.ja3s.string":
        return ["ja3s", "eq", hashlib.md5(v.encode()).hexdigest()]
    if k == "tls.ja4":
        return ["ja4", "eq", v]
    if k == "tls.subject":
        return ["cert.certificate.subject", "dn", v]
    if k == "tls.issuerdn":
        return ["cert.certificate.issuer", "dn", v]
    if k == "tls.serial":
        return ["cert.certificate.serial", "hex", hexnorm(v)]
    if k == "tls.fingerprint":
        return ["cert.sha1", "hex", hexnorm(v)]
    if k == "tls.notbefore":
        return ["cert.certificate.not_valid_before", "num", epoch(v)]
    if k == "tls.notafter":
        return ["cert.certificate.not_valid_after", "num", epoch(v)]
    if k.startswith("tls.subjectaltname["):
        return ["cert.san.dns", "at", int(k[len("tls.subjectaltname["):-1]), v]
    if k == "tls.session_resumed":
        return ["resumed", "bool", v]
    if k == "tls.client_handshake.ciphers":
        return ["client_ciphers", "list", [str(x) for x in v]]
    if k == "tls.client_handshake.exts":
        return ["client_extensions", "list", [str(x) for x in v]]
    if k == "tls.server_handshake.cipher":
        return ["cipher", "eq", CIPHER_NAMES[v]]
    if k.startswith("tls.client."):
        return "client certificate: ssl.log does not link client certificates"
    if k == "tls.client_handshake.version":
        return "the ClientHello's legacy version is not logged (ja3 carries it)"
    if k == "tls.client_handshake.sig_algs":
        return "signature algorithms are not logged (ja4 carries them)"
    if k == "tls.server_handshake.exts":
        return "server extensions are not logged (ja3s carries them)"
    return "not in ssl.log"


def http_field(k, v):
    table = {"http.hostname": ("host", "eq"), "http.url": ("uri", "eq"), "http.http_user_agent": ("user_agent", "eq"),
             "http.status": ("status_code", "num"), "http.http_method": ("method", "eq"),
             "http.http_refer": ("referrer", "eq"), "http.length": ("response_body_len", "num"),
             "http.http_content_type": ("resp_mime_types", "has")}
    if k in table:
        f, op = table[k]
        return [f, op, v]
    if k == "http.protocol":
        return ["version", "eq", v.replace("HTTP/", "")]
    if k.startswith("http.request_headers") or k.startswith("http.response_headers"):
        return "http.log keeps selected headers, not the full header list"
    return "not in http.log"


def quic_field(k, v, match):
    if k == "quic.ja4":
        return ["ja4", "eq", v]
    if k.startswith("quic.extensions["):
        i = k[len("quic.extensions["):k.index("]")]
        name = match.get("quic.extensions[%s].name" % i)
        if k.endswith("].name"):
            return None if name in ("server_name", "alpn") else \
                "quic.log keeps the server name and the first ALPN, not the extension list"
        if k.endswith("].values[0]"):
            if name == "server_name":
                return ["server_name", "eq", v]
            if name == "alpn":
                return ["client_protocol", "eq", v]
    return "not in quic.log"


def suricata_checks():
    base = os.path.join(ROOT, "suricata-verify")
    out = []
    for path in sorted(glob.glob(os.path.join(base, "**", "test.yaml"), recursive=True)):
        case = os.path.relpath(os.path.dirname(path), base)
        y = yaml.safe_load(open(path))
        pcaps = [f for f in os.listdir(os.path.dirname(path)) if f.endswith((".pcap", ".pcapng"))]
        if len(pcaps) != 1:
            print("skipped (no single capture):", case, file=sys.stderr)
            continue
        pcap = os.path.relpath(os.path.join(os.path.dirname(path), pcaps[0]), ROOT)
        for i, check in enumerate(y.get("checks") or []):
            filt = check.get("filter")
            if not filt:
                continue
            match = filt.get("match", {})
            if "event_type" not in match:  # infer it from the fields (a few checks leave it out)
                kinds = {k.split(".")[0] for k in match} & {"dns", "tls", "http", "quic"}
                if len(kinds) == 1:
                    filt = dict(filt, match=dict(match, event_type=kinds.pop()))
            if filt["match"].get("event_type") not in ("dns", "tls", "http", "quic"):
                continue
            out.append(suricata_check(case, i, pcap, filt))
    return out


# ---------------------------------------------------------------------------------------------------------
# arkime-tests: presence of each expected value in a record of the same flow (Arkime folds a session's
# repeated identical values, so counts are not comparable).


def arkime_checks():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "arkime-tests", "*.test"))):
        name = os.path.basename(path)[:-5]
        pcap = "arkime-tests/%s.pcap" % name
        body_list = [s["body"] for s in json.load(open(path)).get("sessions3", [])]
        seen = set()
        for si, b in enumerate(body_list):
            s, d = b.get("source", {}), b.get("destination", {})
            ep = endpoints(s.get("ip"), s.get("port"), d.get("ip"), d.get("port"))
            proto = b.get("ipProtocol")

            def add(cat, log, field, where, na=None):
                key = (cat, json.dumps(where))
                if key in seen:
                    return
                seen.add(key)
                n = sum(1 for c in out if c["id"].startswith("%s:%d:%s" % (name, si, field)))
                out.append({"src": "arkime", "cat": cat, "id": "%s:%d:%s%s" % (name, si, field, "#%d" % n if n else ""),
                            "pcap": pcap, "log": log, "event": None, "count": None, "where": [ep] + where, "ignored": [],
                            "na": na})

            tls = b.get("tls", {})
            http = b.get("http", {})
            for q in b.get("quic", {}).get("version", []):
                add("quic", "quic", "quic.version", [["server_name", "eq", h] for h in b["quic"].get("host", [])],
                    na="Google QUIC %s: c2scope parses IETF QUIC (v1, v2) only" % q)
            if tls:
                udp = proto == 17
                log = "quic" if udp else "ssl"
                na = None
                if name == "openvpn_synthetic":
                    na = "TLS inside OpenVPN's control channel: c2scope does not decode OpenVPN"
                for v in tls.get("ja3", []):
                    add("ja3", log, "tls.ja3", [["ja3", "eq", v]],
                        na=na or ("quic.log has no JA3 (JA4 is compared)" if udp else None))
                for v in tls.get("ja3s", []):
                    add("ja3s", log, "tls.ja3s", [["ja3s", "eq", v]], na=na)
                for v in tls.get("ja4", []):
                    add("ja4", log, "tls.ja4", [["ja4", "eq", v]], na=na)
                if not http.get("method"):  # Arkime files the SNI under http.host
                    for h in http.get("host", []):
                        add("sni", log, "tls.sni", [["server_name", "eq", h]], na=na)
            if http.get("method") or (http and not tls):
                for h in http.get("host", []):
                    add("http", "http", "http.host", [["host", "ieq", h]])
                for u in http.get("uri", []):
                    add("http", "http", "http.uri", [["host_uri", "eq", u]])
            for q in b.get("dns", []):
                if "queryHost" not in q or q["queryHost"] == "<root>":
                    continue
                where = [["query", "ieq", idna(q["queryHost"])]]
                if "qt" in q:  # Zeek names qtype 255 "*" where Arkime says "ANY"
                    where.append(["qtype_name", "eq", "*" if q["qt"] == "ANY" else q["qt"]])
                if "status" in q:
                    where.append(["rcode_name", "eq", q["status"]])
                add("dns", "dns", "dns.host", where)
    return out


# ---------------------------------------------------------------------------------------------------------
# ja4-foxio: JA4 per stream (ja4.py), JA3/JA3S per hello (tshark 4.0.17).


def ja4_checks():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "ja4-foxio", "expected-python", "*.json"))):
        cap = os.path.basename(path)[:-5]
        pcap = "ja4-foxio/pcap/" + cap
        for s in json.load(open(path)):
            ep = endpoints(s["src"], s["srcport"], s["dst"], s["dstport"])
            for key in ("JA4.1", "JA4.2", "JA4.3"):
                if key not in s:
                    continue
                v = s[key]
                log = "quic" if v.startswith("q") else "ssl"
                na = None
                # The second ClientHello of a stream (after a HelloRetryRequest) is ssl.log's second_ja4.
                field = "second_ja4" if key == "JA4.2" and log == "ssl" else "ja4"
                if key == "JA4.3" or (key == "JA4.2" and log != "ssl"):
                    na = "a third ClientHello of the same stream: ssl.log fingerprints the first two" \
                        if key == "JA4.3" else "a later QUIC ClientHello: quic.log fingerprints the first"
                out.append({"src": "ja4-foxio", "cat": "ja4", "id": "%s:%s:%s" % (cap, s["stream"], key),
                            "pcap": pcap, "log": log, "event": None, "count": None, "where": [ep, [field, "eq", v]],
                            "ignored": [], "na": na})
    for path in sorted(glob.glob(os.path.join(ROOT, "ja4-foxio", "expected-ja3-tshark", "*.tsv"))):
        cap = os.path.basename(path)[:-4]
        pcap = "ja4-foxio/pcap/" + cap
        kind, header = "ja3", None
        rows = {"ja3": [], "ja3s": []}
        for line in open(path):
            line = line.rstrip("\n")
            if line.startswith("#server_hello"):
                kind, header = "ja3s", None
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            rows[kind].append(dict(zip(header, cols)))
        for kind in ("ja3", "ja3s"):
            # The hellos of one TCP connection: after a HelloRetryRequest the client sends a second ClientHello;
            # ssl.log fingerprints the first ClientHello and the last ServerHello (the HRR is a ServerHello).
            per_conn = {}
            for row in rows[kind]:
                conn = (row["src"], row["srcport"], row["dst"], row["dstport"])
                if row[kind] not in [r[kind] for r in per_conn.get(conn, [])]:
                    per_conn.setdefault(conn, []).append(row)
            for conn, conn_rows in per_conn.items():
                udp = not conn[1]  # QUIC rows: tshark's TSV has no TCP ports (the hello is in CRYPTO frames)
                for i, row in enumerate(conn_rows):
                    # ssl.log: ja3 of the first ClientHello, second_ja3 of the one after a HelloRetryRequest;
                    # ja3s of the last ServerHello, hrr_ja3s of the HelloRetryRequest before it.
                    field = kind
                    if kind == "ja3" and i == 1:
                        field = "second_ja3"
                    if kind == "ja3s" and len(conn_rows) == 2 and i == 0:
                        field = "hrr_ja3s"
                    where = [[field, "eq", row[kind]]]
                    if not udp:
                        where.insert(0, endpoints(*conn))
                    na = "QUIC hello: quic.log has no JA3/JA3S (JA4 is compared)" if udp else None
                    if not udp and field == kind and i != (0 if kind == "ja3" else len(conn_rows) - 1):
                        na = "a third ClientHello on one connection: ssl.log fingerprints the first two" \
                            if kind == "ja3" else "a ServerHello before the last two: ssl.log keeps the last two"
                    out.append({"src": "ja4-foxio", "cat": kind + "-tshark",
                                "id": "%s:frame%s:%s" % (cap, row["frame"], kind), "pcap": pcap,
                                "log": "quic" if udp else "ssl", "event": None, "count": None, "where": where,
                                "ignored": [], "na": na})
    return out


def main():
    checks = suricata_checks() + arkime_checks() + ja4_checks()
    for c in checks:
        if not os.path.exists(os.path.join(ROOT, c["pcap"])):
            c["na"] = c["na"] or "capture not in shared/data"
    with open(os.path.join(HERE, "expected.jsonl"), "w") as f:
        for c in checks:
            f.write(json.dumps(c, sort_keys=True) + "\n")
    by = {}
    for c in checks:
        k = (c["src"], c["cat"])
        by.setdefault(k, [0, 0])
        by[k][0 if c["na"] is None else 1] += 1
    for k, (a, n) in sorted(by.items()):
        print("%s %s: %d checks, %d not applicable" % (k[0], k[1], a, n))


if __name__ == "__main__":
    main()
