"""Minimal deterministic packet synthesis (stdlib only) for the indep3 black-box scenarios.

Writes pcap (LINKTYPE_ETHERNET) with correct IPv4/TCP/UDP checksums, full TCP handshakes, seq/ack
bookkeeping and FIN teardown; DNS, TLS (ClientHello with SNI / ServerHello), HTTP/1.1 payloads.
"""
import socket
import struct

GW_MAC = b"\x02\x00\x5e\x00\x00\x01"
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
MSS = 1448

_addr_cache = {}


def A(ip):
    b = _addr_cache.get(ip)
    if b is None:
        b = socket.inet_aton(ip)
        _addr_cache[ip] = b
    return b


def mac_of(ip):
    return b"\x02\x01" + A(ip)


def csum(b):
    if len(b) & 1:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) >> 1), b))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


# ---------------------------------------------------------------- protocol payloads

def dns_name(n):
    out = b""
    for p in n.rstrip(".").split("."):
        pb = p.encode()
        out += bytes([len(pb)]) + pb
    return out + b"\0"


def dns_query(qid, name, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_response(qid, name, qtype, answers, ttl, rcode=0):
    """answers: list of (type, rdata bytes)."""
    out = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
    out += dns_name(name) + struct.pack("!HH", qtype, 1)
    for typ, rdata in answers:
        out += b"\xc0\x0c" + struct.pack("!HHIH", typ, 1, ttl, len(rdata)) + rdata
    return out


def txt_rdata(s):
    b = s.encode()[:255]
    return bytes([len(b)]) + b


def tls_client_hello(rng, sni, tls13=True):
    ciphers = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
               0x009C, 0x009D, 0x002F, 0x0035]
    if not tls13:
        ciphers = ciphers[3:]
    exts = b""
    if sni:
        nb = sni.encode()
        sn = struct.pack("!BH", 0, len(nb)) + nb
        sn = struct.pack("!H", len(sn)) + sn
        exts += struct.pack("!HH", 0, len(sn)) + sn
    exts += struct.pack("!HH", 0x0017, 0)  # extended master secret
    exts += struct.pack("!HHB", 0xFF01, 1, 0)  # renegotiation_info
    groups = struct.pack("!HHH", 0x001D, 0x0017, 0x0018)
    exts += struct.pack("!HHH", 10, len(groups) + 2, len(groups)) + groups
    exts += struct.pack("!HHBB", 11, 2, 1, 0)
    exts += struct.pack("!HH", 35, 0)  # session ticket
    alpn = b"\x02h2\x08http/1.1"
    exts += struct.pack("!HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    sigs = struct.pack("!8H", 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601)
    exts += struct.pack("!HHH", 13, len(sigs) + 2, len(sigs)) + sigs
    if tls13:
        exts += struct.pack("!HHB", 43, 5, 4) + struct.pack("!HH", 0x0304, 0x0303)
        exts += struct.pack("!HHB", 45, 2, 1) + b"\x01"
        ks = struct.pack("!HH", 0x001D, 32) + rng.randbytes(32)
        exts += struct.pack("!HHH", 51, len(ks) + 2, len(ks)) + ks
    cs = b"".join(struct.pack("!H", c) for c in ciphers)
    sid = rng.randbytes(32)
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + bytes([len(sid)]) + sid +
            struct.pack("!H", len(cs)) + cs + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_server_hello(rng, tls13=True, cert_len=2600):
    if tls13:
        exts = struct.pack("!HHH", 43, 2, 0x0304)
        ks = struct.pack("!HH", 0x001D, 32) + rng.randbytes(32)
        exts += struct.pack("!HH", 51, len(ks)) + ks
        cipher = 0x1301
    else:
        exts = struct.pack("!HHB", 0xFF01, 1, 0) + struct.pack("!HH", 0x0017, 0)
        cipher = 0xC02F
    sid = rng.randbytes(32)
    body = (struct.pack("!H", 0x0303) + rng.randbytes(32) + bytes([32]) + sid + struct.pack("!HB", cipher, 0) +
            struct.pack("!H", len(exts)) + exts)
    hs = b"\x02" + struct.pack("!I", len(body))[1:] + body
    out = b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs
    if tls13:
        out += b"\x14\x03\x03\x00\x01\x01" + tls_app(rng, cert_len)
    else:
        # opaque stand-in for Certificate+ServerKeyExchange+ServerHelloDone (handshake type 11 framing)
        cert = rng.randbytes(cert_len)
        hs2 = b"\x0b" + struct.pack("!I", len(cert) + 3)[1:] + struct.pack("!I", len(cert))[1:] + cert
        hs2 += b"\x0e\x00\x00\x00"
        out += b"\x16\x03\x03" + struct.pack("!H", len(hs2)) + hs2
    return out


def tls_app(rng, n):
    out = b""
    while n > 0:
        k = min(n, 16384)
        out += b"\x17\x03\x03" + struct.pack("!H", k) + rng.randbytes(k)
        n -= k
    return out


def tls_client_finish(rng, tls13=True):
    if tls13:
        return b"\x14\x03\x03\x00\x01\x01" + tls_app(rng, 53)
    ckx = b"\x10" + struct.pack("!I", 33)[1:] + b"\x20" + rng.randbytes(32)
    return (b"\x16\x03\x03" + struct.pack("!H", len(ckx)) + ckx + b"\x14\x03\x03\x00\x01\x01" +
            b"\x16\x03\x03\x00\x28" + rng.randbytes(40))


def http_request(method, host, path, ua, body=b"", extra=""):
    h = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n%s" % (method, path, host, ua, extra)
    if body or method == "POST":
        h += "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n" % len(body)
    h += "Connection: close\r\n\r\n"
    return h.encode() + body


def http_response(body, ctype="text/html", status="200 OK", extra=""):
    h = "HTTP/1.1 %s\r\nServer: nginx\r\nContent-Type: %s\r\nContent-Length: %d\r\n%sConnection: close\r\n\r\n" % (
        status, ctype, len(body), extra)
    return h.encode() + body


# ---------------------------------------------------------------- capture

class Capture:
    def __init__(self, rng, is_home):
        self.rng = rng
        self.is_home = is_home
        self.pk = []
        self.ipid = {}

    def ip(self, ts, src, dst, proto, l4):
        ident = self.ipid.get(src)
        if ident is None:
            ident = self.rng.getrandbits(16)
        self.ipid[src] = (ident + 1) & 0xFFFF
        home_src = self.is_home(src)
        ttl = 64 if home_src else 52
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, 0x4000 if proto == 6 else 0, ttl, proto, 0,
                          A(src), A(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        if home_src:
            eth = (mac_of(dst) if self.is_home(dst) else GW_MAC) + mac_of(src)
        else:
            eth = mac_of(dst) + GW_MAC
        self.pk.append((round(ts, 6), len(self.pk), eth + b"\x08\x00" + hdr + l4))

    def tcp(self, ts, src, sp, dst, dp, seq, ack, flags, payload=b"", opts=b""):
        off = (20 + len(opts)) // 4
        hdr = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, 64240, 0, 0) + opts
        ph = A(src) + A(dst) + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
        c = csum(ph + hdr + payload)
        self.ip(ts, src, dst, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload)

    def udp(self, ts, src, sp, dst, dp, payload):
        ln = 8 + len(payload)
        hdr = struct.pack("!HHHH", sp, dp, ln, 0)
        c = csum(A(src) + A(dst) + struct.pack("!BBH", 0, 17, ln) + hdr + payload) or 0xFFFF
        self.ip(ts, src, dst, 17, hdr[:6] + struct.pack("!H", c) + payload)

    def tcp_conv(self, t, c, cp, s, sp, msgs, rtt=None, answered=True, refused=False, close=True,
                 server_rst_after=False):
        """msgs: list of (dir 'c'|'s', bytes, gap_before_s). Returns end time."""
        rng = self.rng
        if rtt is None:
            rtt = rng.uniform(0.015, 0.16)
        ci = rng.getrandbits(32)
        si = rng.getrandbits(32)
        synopt = b"\x02\x04\x05\xb4\x01\x01\x04\x02"
        self.tcp(t, c, cp, s, sp, ci, 0, SYN, b"", synopt)
        if not answered:
            self.tcp(t + 1.0, c, cp, s, sp, ci, 0, SYN, b"", synopt)
            self.tcp(t + 3.0, c, cp, s, sp, ci, 0, SYN, b"", synopt)
            return t + 3.0
        if refused:
            self.tcp(t + rtt, s, sp, c, cp, 0, ci + 1, RST | ACK)
            return t + rtt
        self.tcp(t + rtt, s, sp, c, cp, si, ci + 1, SYN | ACK, b"", b"\x02\x04\x05\xb4\x01\x01\x04\x02")
        t += rtt + 0.0004
        self.tcp(t, c, cp, s, sp, ci + 1, si + 1, ACK)
        seqs = {"c": ci + 1, "s": si + 1}
        ends = {"c": (c, cp), "s": (s, sp)}
        for i, (d, data, gap) in enumerate(msgs):
            o = "s" if d == "c" else "c"
            t += gap
            src, sport = ends[d]
            dst, dport = ends[o]
            n = len(data)
            k = 0
            segs = 0
            while k < n:
                chunk = data[k:k + MSS]
                last = k + MSS >= n
                self.tcp(t, src, sport, dst, dport, seqs[d], seqs[o], ACK | (PSH if last else 0), chunk)
                seqs[d] += len(chunk)
                k += MSS
                segs += 1
                t += 0.00012 * (1 + len(chunk) / 1000.0)
                if segs % 10 == 0 and not last:
                    self.tcp(t + rtt / 2, dst, dport, src, sport, seqs[o], seqs[d], ACK)
            nxt_reply = i + 1 < len(msgs) and msgs[i + 1][0] == o and msgs[i + 1][2] < 0.2
            if not nxt_reply:
                self.tcp(t + rtt / 2, dst, dport, src, sport, seqs[o], seqs[d], ACK)
            t += rtt / 2 + 0.0002
        if server_rst_after:
            self.tcp(t + 0.001, s, sp, c, cp, seqs["s"], seqs["c"], RST | ACK)
            return t + 0.001
        if close:
            t += 0.002
            self.tcp(t, c, cp, s, sp, seqs["c"], seqs["s"], FIN | ACK)
            t += rtt
            self.tcp(t, s, sp, c, cp, seqs["s"], seqs["c"] + 1, FIN | ACK)
            t += 0.0004
            self.tcp(t, c, cp, s, sp, seqs["c"] + 1, seqs["s"] + 1, ACK)
        return t

    def write(self, path):
        self.pk.sort(key=lambda x: (x[0], x[1]))
        with open(path, "wb", buffering=1 << 20) as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            buf = []
            for ts, _, fr in self.pk:
                sec = int(ts)
                usec = int(round((ts - sec) * 1e6))
                if usec >= 1000000:
                    sec += 1
                    usec -= 1000000
                buf.append(struct.pack("<IIII", sec, usec, len(fr), len(fr)))
                buf.append(fr)
                if len(buf) > 20000:
                    f.write(b"".join(buf))
                    buf = []
            f.write(b"".join(buf))
        return len(self.pk)
