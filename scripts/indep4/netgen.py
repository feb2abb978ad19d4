"""Connection model + two back ends (pcap with real headers, Zeek TSV logs). Stdlib only, deterministic."""
import hashlib
import ipaddress
import struct
import sys
from array import array

assert sys.byteorder == "little"

# ----------------------------------------------------------------------------------------------- model


class Conn:
    __slots__ = ("ts", "proto", "oh", "op", "rh", "rp", "state", "msgs", "app", "close", "rtt", "uid", "fam", "tag",
                 "icmp_id")

    def __init__(self, ts, proto, oh, op, rh, rp, state="SF", rtt=0.05, close="fin"):
        self.ts = ts
        self.proto = proto  # tcp udp icmp
        self.oh, self.op, self.rh, self.rp = oh, op, rh, rp
        self.state = state  # SF (completed), S0 (no answer), REJ (refused)
        self.msgs = []  # (t_abs, dir 0/1, payload bytes or int length)
        self.app = None  # dict: service, sni, host, uri, method, ua, status, dns{...}
        self.close = close  # fin | rst | open
        self.rtt = rtt
        self.fam = 6 if ":" in oh else 4
        self.uid = None
        self.icmp_id = 0
        self.tag = None


# ----------------------------------------------------------------------------------------------- payloads

def _u16(v):
    return struct.pack(">H", v)


def tls_client_hello(sni, seed=0):
    h = hashlib.sha256(("%s/%d" % (sni, seed)).encode()).digest()
    rnd = h + h  # 32 random + session id
    ciphers = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C,
               0x009D, 0x002F, 0x0035]
    cs = b"".join(_u16(c) for c in ciphers)
    name = sni.encode()
    ext = b""
    sni_ext = b"\x00" + _u16(len(name)) + name
    sni_ext = _u16(len(sni_ext)) + sni_ext
    ext += _u16(0) + _u16(len(sni_ext)) + sni_ext
    ext += _u16(0x0017) + _u16(0)  # extended master secret
    ext += _u16(0xFF01) + _u16(1) + b"\x00"
    groups = b"\x00\x1d\x00\x17\x00\x18"
    ext += _u16(0x000A) + _u16(len(groups) + 2) + _u16(len(groups)) + groups
    ext += _u16(0x000B) + _u16(2) + b"\x01\x00"
    alpn = b"\x02h2\x08http/1.1"
    ext += _u16(0x0010) + _u16(len(alpn) + 2) + _u16(len(alpn)) + alpn
    sig = b"\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05\x05\x01\x08\x06\x06\x01"
    ext += _u16(0x000D) + _u16(len(sig) + 2) + _u16(len(sig)) + sig
    ks = _u16(0x001d) + _u16(32) + h
    ext += _u16(0x0033) + _u16(len(ks) + 2) + _u16(len(ks)) + ks
    ext += _u16(0x002B) + _u16(5) + b"\x04\x03\x04\x03\x03"
    body = b"\x03\x03" + rnd[:32] + b"\x20" + rnd[32:64] + _u16(len(cs)) + cs + b"\x01\x00" + _u16(len(ext)) + ext
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + _u16(len(hs)) + hs


def tls_server_hello(seed=0):
    h = hashlib.sha256(b"sh%d" % seed).digest()
    ext = _u16(0xFF01) + _u16(1) + b"\x00" + _u16(0x0017) + _u16(0) + _u16(0x0010) + _u16(5) + _u16(3) + b"\x02h2"
    body = b"\x03\x03" + h + b"\x20" + h + _u16(0xC02F) + b"\x00" + _u16(len(ext)) + ext
    hs = b"\x02" + len(body).to_bytes(3, "big") + body
    rec = b"\x16\x03\x03" + _u16(len(hs)) + hs
    rec += b"\x14\x03\x03\x00\x01\x01"  # change cipher spec
    return rec


def tls_app(n):
    n = max(n, 24)
    out = []
    while n > 0:
        k = min(n - 5, 16384) if n > 5 else 1
        k = max(k, 1)
        out.append(b"\x17\x03\x03" + _u16(k) + b"\xa5" * k)
        n -= k + 5
    return b"".join(out)


def http_request(method, host, uri, ua, body_len=0, proxy=False):
    target = ("http://%s%s" % (host, uri)) if proxy else uri
    s = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n" % (
        method, target, host, ua)
    if body_len:
        s += "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n" % body_len
    s += "\r\n"
    return s.encode() + b"x" * body_len


def http_response(status, body_len, ctype="text/html"):
    msg = {200: "OK", 204: "No Content", 304: "Not Modified", 404: "Not Found"}.get(status, "OK")
    s = "HTTP/1.1 %d %s\r\nServer: nginx\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status, msg, ctype, body_len)
    return s.encode() + b"y" * body_len


def http_connect(host, port):
    return ("CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\nProxy-Connection: keep-alive\r\n"
            "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n\r\n" % (host, port, host, port)).encode()


HTTP_200_CONN = b"HTTP/1.1 200 Connection established\r\n\r\n"


def _dns_name(n):
    out = b""
    for lab in n.strip(".").split("."):
        out += bytes([len(lab)]) + lab.encode()
    return out + b"\x00"


def dns_query(tid, name, qtype):
    return struct.pack(">HHHHHH", tid, 0x0100, 1, 0, 0, 0) + _dns_name(name) + struct.pack(">HH", qtype, 1)


def dns_response(tid, name, qtype, answers, ttl, rcode=0):
    flags = 0x8180 | rcode
    out = struct.pack(">HHHHHH", tid, flags, 1, len(answers), 0, 0) + _dns_name(name) + struct.pack(">HH", qtype, 1)
    for a in answers:
        rd = ipaddress.ip_address(a).packed
        t = 28 if len(rd) == 16 else 1
        out += b"\xc0\x0c" + struct.pack(">HHIH", t, 1, ttl, len(rd)) + rd
    return out


# ----------------------------------------------------------------------------------------------- expansion
# A conn expands into packet descriptors (t, dir, flags, seq, ack, payload) shared by both back ends.

F_FIN, F_SYN, F_RST, F_PSH, F_ACK = 1, 2, 4, 8, 16
MSS = 1400


def _isn(c, d):
    h = hashlib.blake2b(("%s|%s|%s|%s|%.6f|%d" % (c.oh, c.op, c.rh, c.rp, c.ts, d)).encode(), digest_size=4).digest()
    return int.from_bytes(h, "big")


def expand(c):
    """list of (t, dir, flags, seq, ack, payload_bytes_or_len)"""
    out = []
    if c.proto == "tcp":
        rtt = c.rtt
        ci, si = _isn(c, 0), _isn(c, 1)
        t = c.ts
        if c.state == "S0":
            for k, dt in enumerate((0.0, 1.0, 3.0)):
                out.append((t + dt, 0, F_SYN, ci, 0, 0))
            return out
        out.append((t, 0, F_SYN, ci, 0, 0))
        if c.state == "REJ":
            out.append((t + rtt, 1, F_RST | F_ACK, 0, (ci + 1) & 0xFFFFFFFF, 0))
            return out
        out.append((t + rtt, 1, F_SYN | F_ACK, si, (ci + 1) & 0xFFFFFFFF, 0))
        out.append((t + rtt * 1.5, 0, F_ACK, (ci + 1) & 0xFFFFFFFF, (si + 1) & 0xFFFFFFFF, 0))
        seq = [(ci + 1) & 0xFFFFFFFF, (si + 1) & 0xFFFFFFFF]
        last = t + rtt * 1.5
        for (mt, d, p) in c.msgs:
            mt = max(mt, last + 0.0005)
            n = p if isinstance(p, int) else len(p)
            off = 0
            k = 0
            while off < n:
                seg = min(MSS, n - off)
                pl = seg if isinstance(p, int) else p[off:off + seg]
                fl = F_ACK | (F_PSH if off + seg >= n else 0)
                out.append((mt + k * 0.0002, d, fl, seq[d], seq[1 - d], pl))
                seq[d] = (seq[d] + seg) & 0xFFFFFFFF
                off += seg
                k += 1
            last = mt + k * 0.0002 + rtt * 0.5
            out.append((last, 1 - d, F_ACK, seq[1 - d], seq[d], 0))
        if c.close == "open":
            return out
        if c.close == "rst":
            out.append((last + 0.01, 0, F_RST | F_ACK, seq[0], seq[1], 0))
            return out
        te = last + 0.02
        out.append((te, 0, F_FIN | F_ACK, seq[0], seq[1], 0))
        seq[0] = (seq[0] + 1) & 0xFFFFFFFF
        out.append((te + rtt, 1, F_FIN | F_ACK, seq[1], seq[0], 0))
        seq[1] = (seq[1] + 1) & 0xFFFFFFFF
        out.append((te + rtt * 1.5, 0, F_ACK, seq[0], seq[1], 0))
        return out
    # udp / icmp: msgs are datagrams; icmp echo sequence numbers in the seq slot
    n = 0
    for (mt, d, p) in c.msgs:
        if d == 0:
            n += 1
        out.append((mt, d, 0, ((c.op if c.proto == "icmp" else 0) + n) & 0xFFFF, 0, p))
    return out


def _hist(pk, state, proto):
    h = []
    seen = set()
    for (t, d, fl, s, a, p) in pk:
        n = p if isinstance(p, int) else len(p)
        letters = []
        if proto == "tcp":
            if fl & F_SYN and not fl & F_ACK:
                letters.append("S")
            elif fl & F_SYN:
                letters.append("H")
            if fl & F_RST:
                letters.append("R")
            if fl & F_FIN:
                letters.append("F")
            if n > 0:
                letters.append("D")
            elif fl == F_ACK:
                letters.append("A")
        else:
            letters.append("D")
        for L in letters:
            ch = L if d == 0 else L.lower()
            if L == "H":
                ch = "h" if d == 1 else "H"
            if ch not in seen:
                seen.add(ch)
                h.append(ch)
    return "".join(h)


# ----------------------------------------------------------------------------------------------- pcap


def csum(data):
    if len(data) & 1:
        data += b"\x00"
    s = sum(array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _mac(ip):
    return b"\x02" + hashlib.md5(ip.encode()).digest()[:5]


ROUTER_MAC = b"\x00\x1b\x21\x3a\x4f\x10"


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.ipid = 1
        self.n = 0
        self.macs = {}

    def mac(self, ip):
        m = self.macs.get(ip)
        if m is None:
            m = self.macs[ip] = _mac(ip)
        return m

    def packet(self, t, src, dst, proto, l4_fn, local_src):
        pass

    def write_frame(self, t, frame):
        sec = int(t)
        us = int(round((t - sec) * 1e6))
        if us >= 1000000:
            sec += 1
            us -= 1000000
        self.f.write(struct.pack("<IIII", sec, us, len(frame), len(frame)) + frame)
        self.n += 1

    def close(self):
        self.f.close()


def build_frame(w, c, d, fl, seq, ack, p, home):
    """Ethernet + IP + L4 bytes for one descriptor."""
    src, dst = (c.oh, c.rh) if d == 0 else (c.rh, c.oh)
    sp, dp = (c.op, c.rp) if d == 0 else (c.rp, c.op)
    payload = b"\x00" * p if isinstance(p, int) else p
    v6 = c.fam == 6
    if c.proto == "tcp":
        if fl & F_SYN:
            opts = b"\x02\x04\x05\xb4"
            hdr = struct.pack(">HHIIBBHHH", sp, dp, seq, ack, 6 << 4, fl, 64240, 0, 0) + opts
        else:
            hdr = struct.pack(">HHIIBBHHH", sp, dp, seq, ack, 5 << 4, fl, 501, 0, 0)
        l4 = hdr + payload
        pnum = 6
        ck_off = 16
    elif c.proto == "udp":
        l4 = struct.pack(">HHHH", sp, dp, 8 + len(payload), 0) + payload
        pnum = 17
        ck_off = 6
    else:  # icmp echo; sp = seq number per message stored in port field
        if v6:
            typ = 128 if d == 0 else 129
            pnum = 58
        else:
            typ = 8 if d == 0 else 0
            pnum = 1
        l4 = struct.pack(">BBHHH", typ, 0, 0, c.icmp_id, seq & 0xFFFF) + payload
        ck_off = 2
    sa = ipaddress.ip_address(src).packed
    da = ipaddress.ip_address(dst).packed
    ln = len(l4)
    if v6:
        pseudo = sa + da + struct.pack(">I", ln) + b"\x00\x00\x00" + bytes([pnum])
    else:
        pseudo = sa + da + struct.pack(">BBH", 0, pnum, ln)
    if pnum == 1:
        ck = csum(l4)
    else:
        ck = csum(pseudo + l4)
        if pnum == 17 and ck == 0:
            ck = 0xFFFF
    l4 = l4[:ck_off] + struct.pack("<H", ck) + l4[ck_off + 2:]
    ttl = 64 if home(src) else 53
    if v6:
        ip = struct.pack(">IHBB", 0x60000000, ln, pnum, ttl) + sa + da
        et = b"\x86\xdd"
    else:
        w.ipid = (w.ipid + 1) & 0xFFFF
        iph = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + ln, w.ipid, 0x4000, ttl, pnum, 0, sa, da)
        ip = iph[:10] + struct.pack("<H", csum(iph)) + iph[12:]
        et = b"\x08\x00"
    smac = w.mac(src) if home(src) else ROUTER_MAC
    dmac = w.mac(dst) if home(dst) else ROUTER_MAC
    return dmac + smac + et + ip + l4


def write_pcap(path, conns, home):
    """home(ip) -> bool decides the MAC (local host or router)."""
    pk = []
    for ci, c in enumerate(conns):
        for k, (t, d, fl, seq, ack, p) in enumerate(expand(c)):
            pk.append((t, ci, k, d, fl, seq, ack, p))
    pk.sort(key=lambda x: (x[0], x[1], x[2]))
    w = PcapWriter(path)
    for (t, ci, k, d, fl, seq, ack, p) in pk:
        c = conns[ci]
        w.write_frame(t, build_frame(w, c, d, fl, seq, ack, p, home))
    w.close()
    return w.n


# ----------------------------------------------------------------------------------------------- zeek

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def mkuid(i, salt):
    v = int.from_bytes(hashlib.blake2b(("%s/%d" % (salt, i)).encode(), digest_size=12).digest(), "big")
    s = ""
    while len(s) < 17:
        s += B62[v % 62]
        v //= 62
    return "C" + s


def _f(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, float):
        return "%.6f" % v
    if isinstance(v, (list, tuple)):
        return ",".join(_f(x) for x in v) if v else "(empty)"
    s = str(v)
    return s if s != "" else "(empty)"


def _header(path, fields, types, open_ts):
    import time
    ts = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(open_ts))
    return ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n#open\t%s\n"
            "#fields\t%s\n#types\t%s\n" % (path, ts, "\t".join(fields), "\t".join(types)))


CONN_F = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
          "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
          "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
CONN_T = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
          "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
DNS_F = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt", "query",
         "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z",
         "answers", "TTLs", "rejected"]
DNS_T = ["time", "string", "addr", "port", "addr", "port", "enum", "count", "interval", "string", "count",
         "string", "count", "string", "count", "string", "bool", "bool", "bool", "bool", "count", "vector[string]",
         "vector[interval]", "bool"]
SSL_F = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "curve",
         "server_name", "resumed", "last_alert", "next_protocol", "established", "ssl_history", "cert_chain_fps",
         "client_cert_chain_fps", "sni_matches_cert", "validation_status"]
SSL_T = ["time", "string", "addr", "port", "addr", "port", "string", "string", "string", "string", "bool",
         "string", "string", "bool", "string", "vector[string]", "vector[string]", "bool", "string"]
HTTP_F = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "method", "host", "uri",
          "referrer", "version", "user_agent", "origin", "request_body_len", "response_body_len", "status_code",
          "status_msg", "info_code", "info_msg", "tags", "username", "password", "proxied", "orig_fuids",
          "orig_filenames", "orig_mime_types", "resp_fuids", "resp_filenames", "resp_mime_types"]
HTTP_T = ["time", "string", "addr", "port", "addr", "port", "count", "string", "string", "string", "string",
          "string", "string", "string", "count", "count", "count", "string", "count", "string", "set[enum]",
          "string", "string", "set[string]", "vector[string]", "vector[string]", "vector[string]", "vector[string]",
          "vector[string]", "vector[string]"]


def _merge_dgram(conns, timeout=60.0):
    """Zeek keeps one conn per 5-tuple for UDP/ICMP while packets keep coming within the inactivity timeout."""
    out = []
    live = {}
    for c in sorted(conns, key=lambda c: c.ts):
        if c.proto == "tcp" or (c.app and c.app.get("service") == "dns"):
            out.append(c)
            continue
        key = (c.proto, c.oh, c.op if c.proto != "icmp" else 0, c.rh, c.rp)
        cur = live.get(key)
        if cur is not None and c.ts - cur.msgs[-1][0] <= timeout:
            cur.msgs.extend(c.msgs)
            if c.state == "SF":
                cur.state = "SF"
            continue
        nc = Conn(c.ts, c.proto, c.oh, c.op, c.rh, c.rp, c.state, c.rtt)
        nc.msgs = list(c.msgs)
        nc.app = c.app
        nc.tag = c.tag
        nc.icmp_id = c.icmp_id
        live[key] = nc
        out.append(nc)
    return out


def write_zeek(d, conns, local, salt):
    """local(ip)->bool gives local_orig/local_resp."""
    import os
    os.makedirs(d, exist_ok=True)
    conns = _merge_dgram(conns)
    recs_conn, recs_dns, recs_ssl, recs_http = [], [], [], []
    for i, c in enumerate(conns):
        uid = mkuid(i, salt)
        c.uid = uid
        pk = expand(c)
        t0 = pk[0][0]
        t1 = max(p[0] for p in pk)
        ob = rb = op = rp = oip = rip = 0
        iph = 40 if c.fam == 6 else 20
        for (t, dd, fl, s, a, p) in pk:
            n = p if isinstance(p, int) else len(p)
            l4 = (24 if fl & F_SYN else 20) if c.proto == "tcp" else 8
            if dd == 0:
                ob += n; op += 1; oip += iph + l4 + n
            else:
                rb += n; rp += 1; rip += iph + l4 + n
        if c.proto == "tcp":
            st = c.state
            if st == "SF" and c.close == "rst":
                st = "RSTO"
            if st == "SF" and c.close == "open":
                st = "S1"
        else:
            st = "SF" if rp > 0 else "S0"
        dur = t1 - t0 if t1 > t0 else None
        svc = None
        if c.app:
            svc = c.app.get("service")
        if c.state != "SF":
            svc = None
        idp = (c.op, c.rp)
        if c.proto == "icmp":
            idp = (128 if c.fam == 6 else 8, 129 if c.fam == 6 else 0)
        row = [t0, uid, c.oh, idp[0], c.rh, idp[1], c.proto, svc, dur, ob if dur is not None else None,
               rb if dur is not None else None, st, local(c.oh), local(c.rh), 0 if dur is not None or True else None,
               _hist(pk, st, c.proto) if c.proto != "icmp" else "-", op, oip, rp, rip, None]
        recs_conn.append((t0 + (dur or 0), i, row))
        a = c.app or {}
        if svc == "dns" or (a.get("service") == "dns"):
            dq = a["dns"]
            ans = dq.get("answers") if c.state == "SF" else None
            rtt = (pk[1][0] - pk[0][0]) if (c.state == "SF" and len(pk) > 1) else None
            recs_dns.append((t0, i, [t0, uid, c.oh, c.op, c.rh, c.rp, c.proto, dq["tid"], rtt, dq["query"], 1,
                                     "C_INTERNET", dq["qtype"], "AAAA" if dq["qtype"] == 28 else "A",
                                     0 if ans is not None else None, "NOERROR" if ans is not None else None,
                                     False, False, True, ans is not None, 0,
                                     ans if ans else None,
                                     ["%.6f" % float(dq["ttl"])] * len(ans) if ans else None, False]))
        if svc == "ssl" or svc == "http,ssl":
            sni = a.get("sni")
            tt = t0 + c.rtt * 2
            recs_ssl.append((tt, i, [tt, uid, c.oh, c.op, c.rh, c.rp, "TLSv13", "TLS_AES_128_GCM_SHA256",
                                     "x25519", sni, False, None, None, True, "CsiI", [], [], None, None]))
        if svc == "http" and a.get("host"):
            tt = t0 + c.rtt * 2
            recs_http.append((tt, i, [tt, uid, c.oh, c.op, c.rh, c.rp, 1, a.get("method", "GET"), a["host"],
                                      a.get("uri", "/"), None, "1.1", a.get("ua"), None, a.get("req_len", 0),
                                      a.get("resp_len", 0), a.get("status", 200), "OK", None, None, [], None,
                                      None, None, None, None, None, None, None, None]))
    t_open = min(r[0] for r in recs_conn) if recs_conn else 0
    for name, F, T, recs in (("conn", CONN_F, CONN_T, recs_conn), ("dns", DNS_F, DNS_T, recs_dns),
                             ("ssl", SSL_F, SSL_T, recs_ssl), ("http", HTTP_F, HTTP_T, recs_http)):
        recs.sort(key=lambda r: (r[0], r[1]))
        with open(os.path.join(d, name + ".log"), "w") as f:
            f.write(_header(name, F, T, t_open))
            for _, _, row in recs:
                f.write("\t".join(_f(v) for v in row) + "\n")
            import time
            f.write("#close\t%s\n" % time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(recs[-1][0] if recs else t_open)))
    return len(recs_conn)
