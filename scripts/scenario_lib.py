"""Packet, protocol and file builders for scripts/gen_scenario.py (stdlib only).

Byte-exact builders for Ethernet/802.1Q/QinQ, IPv4/IPv6, TCP/UDP (real checksums), GTP-U, VXLAN, DNS (with name
compression), NTP, TLS records (ClientHello from browser/library profiles, ServerHello, certificates, JA3), DER
X.509 certificates, a pcap writer and a minimal MaxMind DB reader. The approach follows gen_sample_pcap.py; this
module is its richer copy so that file stays the small golden-test generator it is.
"""
import array
import calendar
import hashlib
import ipaddress
import struct
import sys
import time

P = struct.pack
_LITTLE = sys.byteorder == "little"

# ----------------------------------------------------------------------------------------------------------------
# Checksums and addresses


def csum(data):
    """RFC 1071 Internet checksum (the one's-complement sum is byte-order independent, so sum native words)."""
    if len(data) & 1:
        data = data + b"\0"
    s = sum(array.array("H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    if _LITTLE:
        s = ((s & 0xFF) << 8) | (s >> 8)
    return (~s) & 0xFFFF


_PACKED = {}


def packed(addr):
    """Address string -> network-order bytes (4 or 16), cached: a scenario reuses a few hundred addresses."""
    b = _PACKED.get(addr)
    if b is None:
        b = ipaddress.ip_address(addr).packed
        _PACKED[addr] = b
    return b


def is_v6(addr):
    return len(packed(addr)) == 16


# ----------------------------------------------------------------------------------------------------------------
# Link, network and transport layers

ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
PROTO_TCP, PROTO_UDP = 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ethernet(dst, src, payload, ethertype, vlans=()):
    """Ethernet II frame; `vlans` outermost first: one id -> 802.1Q, two -> 802.1ad S-tag + C-tag (QinQ).
    Frames shorter than the 60-byte minimum are zero-padded, as a tap would see them."""
    hdr = dst + src
    if len(vlans) == 2:
        hdr += P("!HHHH", ETH_QINQ, vlans[0], ETH_VLAN, vlans[1])
    elif len(vlans) == 1:
        hdr += P("!HH", ETH_VLAN, vlans[0])
    frame = hdr + P("!H", ethertype) + payload
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def ip_packet(src, dst, proto, l4, ident=0, ttl=64, df=True):
    """IPv4 or IPv6 packet (by address family) around an already checksummed transport segment."""
    s, d = packed(src), packed(dst)
    if len(s) == 4:
        hdr = P("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000 if df else 0, ttl, proto, 0, s, d)
        return hdr[:10] + P("!H", csum(hdr)) + hdr[12:] + l4
    return P("!IHBB16s16s", 6 << 28, len(l4), proto, ttl, s, d) + l4


def _pseudo(src, dst, proto, length):
    s, d = packed(src), packed(dst)
    if len(s) == 4:
        return s + d + P("!BBH", 0, proto, length)
    return s + d + P("!IBBBB", length, 0, 0, 0, proto)


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b"", win=64240, options=b""):
    off = (20 + len(options)) // 4
    seg = P("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0)
    seg += options + payload
    c = csum(_pseudo(src, dst, PROTO_TCP, len(seg)) + seg)
    return seg[:16] + P("!H", c) + seg[18:]


def udp_datagram(src, dst, sport, dport, payload):
    seg = P("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(_pseudo(src, dst, PROTO_UDP, len(seg)) + seg)
    return seg[:6] + P("!H", c or 0xFFFF) + seg[8:]


def gtpu(teid, inner_ip):
    """GTP-U v1 G-PDU (TS 29.281) without optional fields."""
    return P("!BBHI", 0x30, 0xFF, len(inner_ip), teid) + inner_ip


def vxlan(vni, inner_frame):
    return P("!II", 0x08000000, vni << 8) + inner_frame


# TCP options of a SYN: MSS 1460, NOP, window scale 8, NOP, NOP, SACK permitted (Windows order, 12 bytes).
SYN_OPTIONS = bytes([2, 4, 0x05, 0xB4, 1, 3, 3, 8, 1, 1, 4, 2])
SYNACK_OPTIONS = bytes([2, 4, 0x05, 0xB4, 1, 1, 4, 2, 1, 3, 3, 7])

# ----------------------------------------------------------------------------------------------------------------
# DNS

QTYPE = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "OPT": 41}


class _DnsWriter:
    """Writes a DNS message with name compression (RFC 1035 4.1.4) for owner names and CNAME/SOA targets."""

    def __init__(self):
        self.buf = bytearray()
        self.offsets = {}

    def name(self, name):
        labels = [l for l in name.rstrip(".").split(".") if l]
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            off = self.offsets.get(suffix)
            if off is not None:
                self.buf += P("!H", 0xC000 | off)
                return
            if len(self.buf) < 0x3FFF:
                self.offsets[suffix] = len(self.buf)
            lab = labels[i].encode()
            self.buf += bytes([len(lab)]) + lab
        self.buf += b"\0"

    def rr(self, owner, rtype, ttl, rdata_fn):
        self.name(owner)
        self.buf += P("!HHI", QTYPE[rtype], 1, ttl)
        at = len(self.buf)
        self.buf += b"\0\0"
        rdata_fn(self)
        self.buf[at:at + 2] = P("!H", len(self.buf) - at - 2)


def dns_message(txid, qname, qtype="A", response=False, answers=(), rcode=0, soa=None, edns=None, rd=True):
    """One DNS message. `answers`: [(owner, "A"|"AAAA"|"CNAME", ttl, value)]; `soa`: (zone, mname, rname, serial,
    minimum, ttl) for the authority section of NXDOMAIN/NODATA answers; `edns`: UDP payload size of an OPT RR."""
    w = _DnsWriter()
    flags = (0x8000 | 0x0080 if response else 0) | (0x0100 if rd else 0) | (rcode & 0xF)
    w.buf += P("!HHHHHH", txid, flags, 1, len(answers) if response else 0,
               1 if (response and soa) else 0, 1 if edns else 0)
    w.name(qname)
    w.buf += P("!HH", QTYPE[qtype], 1)
    if response:
        for owner, rtype, ttl, value in answers:
            if rtype in ("A", "AAAA"):
                w.rr(owner, rtype, ttl, lambda ww, v=value: ww.buf.extend(packed(v)))
            elif rtype == "CNAME":
                w.rr(owner, rtype, ttl, lambda ww, v=value: ww.name(v))
            else:
                raise ValueError(rtype)
        if soa:
            zone, mname, rname, serial, minimum, ttl = soa

            def soa_rdata(ww):
                ww.name(mname)
                ww.name(rname)
                ww.buf += P("!IIIII", serial, 1800, 900, 604800, minimum)
            w.rr(zone, "SOA", ttl, soa_rdata)
    if edns:
        w.buf += b"\0" + P("!HHIH", QTYPE["OPT"], edns, 0, 0)
    return bytes(w.buf)


# ----------------------------------------------------------------------------------------------------------------
# NTP (RFC 5905): 48-byte client and server packets

NTP_EPOCH_OFFSET = 2208988800


def _ntp_ts(t_us):
    sec, usec = divmod(t_us, 1_000_000)
    return P("!II", (sec + NTP_EPOCH_OFFSET) & 0xFFFFFFFF, (usec << 32) // 1_000_000)


def ntp_client(t_us, poll):
    return P("!BBbb", 0x23, 0, poll, -24) + b"\0" * 8 + b"\0" * 4 + b"\0" * 24 + _ntp_ts(t_us)


def ntp_server(t_recv_us, t_send_us, client_xmt, poll, refid=b"\xc0\x24\x8f\x82"):
    return (P("!BBbb", 0x24, 2, poll, -25) + P("!II", 0x00000120, 0x00000345) + refid + _ntp_ts(t_recv_us - 900_000)
            + client_xmt + _ntp_ts(t_recv_us) + _ntp_ts(t_send_us))


# ----------------------------------------------------------------------------------------------------------------
# TLS

GREASE = [0x0A0A + 0x1010 * i for i in range(16)]
TLS_CT_CCS, TLS_CT_HANDSHAKE, TLS_CT_APPDATA = 20, 22, 23


def tls_record(ctype, body, version=0x0303):
    out = bytearray()
    for i in range(0, max(len(body), 1), 16384):  # a record holds at most 2^14 bytes
        chunk = body[i:i + 16384]
        out += P("!BHH", ctype, version, len(chunk)) + chunk
    return bytes(out)


def handshake(msg_type, body):
    return P("!B", msg_type) + len(body).to_bytes(3, "big") + body


def _u16list(values):
    return P("!H", 2 * len(values)) + b"".join(P("!H", v) for v in values)


class TlsProfile:
    """A client's ClientHello shape: the fields JA3/JA4 are computed from, in wire order.
    `extensions` holds extension ids; GREASE placeholders are 'G'; `permute` shuffles the middle (Chrome >= 110)."""

    def __init__(self, name, ciphers, extensions, groups, sigalgs, alpn=(), versions=(), key_shares=(29,),
                 grease=False, permute=False, legacy_version=0x0303, record_version=0x0301, pad_to=0,
                 session_id=True):
        self.name = name
        self.ciphers = list(ciphers)
        self.extensions = list(extensions)
        self.groups = list(groups)
        self.sigalgs = list(sigalgs)
        self.alpn = list(alpn)
        self.versions = list(versions)
        self.key_shares = list(key_shares)
        self.grease = grease
        self.permute = permute
        self.legacy_version = legacy_version
        self.record_version = record_version
        self.pad_to = pad_to
        self.session_id = session_id

    @property
    def tls13(self):
        return 0x0304 in self.versions


_KEY_LEN = {29: 32, 23: 65, 24: 97, 25: 133, 30: 56}


def client_hello(profile, sni, rnd):
    """Returns (record bytes, ja3 string, ja3 md5) for one ClientHello of `profile` to `sni` (None: no SNI)."""
    g = rnd.sample(GREASE, 4) if profile.grease else [None] * 4
    ciphers = ([g[0]] if profile.grease else []) + profile.ciphers
    groups = ([g[1]] if profile.grease else []) + profile.groups
    versions = ([g[2]] if profile.grease else []) + profile.versions
    exts = [e for e in profile.extensions if not (e == 0 and sni is None)]
    if profile.permute:
        mid = [e for e in exts if e not in ("G", 21, 41)]
        rnd.shuffle(mid)
        exts = ["G"] + mid + ["G"] + ([21] if 21 in exts else [])
    grease_ext = [g[3], g[3] ^ 0x1010] if profile.grease else []
    body_parts = []
    ext_ids = []

    def add(eid, data):
        body_parts.append(P("!HH", eid, len(data)) + data)
        ext_ids.append(eid)

    gi = 0
    for e in exts:
        if e == "G":
            add(grease_ext[gi % 2], b"" if gi == 0 else b"\0")
            gi += 1
        elif e == 0:
            n = sni.encode()
            add(0, P("!HBH", len(n) + 3, 0, len(n)) + n)
        elif e == 5:
            add(5, b"\x01\x00\x00\x00\x00")
        elif e == 10:
            add(10, _u16list(groups))
        elif e == 11:
            add(11, b"\x01\x00")
        elif e == 13:
            add(13, _u16list(profile.sigalgs))
        elif e == 15:
            add(15, b"\x01")
        elif e == 16:
            lst = b"".join(bytes([len(p)]) + p.encode() for p in profile.alpn)
            add(16, P("!H", len(lst)) + lst)
        elif e == 17513:
            add(17513, P("!H", 3) + b"\x02h2")
        elif e == 27:
            add(27, b"\x02\x00\x02")
        elif e == 28:
            add(28, P("!H", 0x4001))
        elif e == 34:
            add(34, _u16list([0x0403, 0x0503, 0x0603, 0x0203]))
        elif e == 43:
            add(43, bytes([2 * len(versions)]) + b"".join(P("!H", v) for v in versions))
        elif e == 45:
            add(45, b"\x01\x01")
        elif e == 51:
            shares = b""
            if profile.grease:
                shares += P("!HH", g[1], 1) + b"\0"
            for grp in profile.key_shares:
                shares += P("!HH", grp, _KEY_LEN[grp]) + rnd.randbytes(_KEY_LEN[grp])
            add(51, P("!H", len(shares)) + shares)
        elif e == 65281:
            add(65281, b"\x00")
        elif e == 21:
            continue  # padding is sized below
        else:  # 18 SCT, 22 encrypt-then-mac, 23 EMS, 35 session ticket, 49 post-handshake auth: empty
            add(e, b"")
    sid = rnd.randbytes(32) if profile.session_id else b""
    head = (P("!H", profile.legacy_version) + rnd.randbytes(32) + bytes([len(sid)]) + sid +
            P("!H", 2 * len(ciphers)) + b"".join(P("!H", c) for c in ciphers) + b"\x01\x00")
    if 21 in exts:
        cur = len(head) + 2 + sum(len(x) for x in body_parts) + 4
        if profile.pad_to and cur < profile.pad_to:
            add(21, b"\0" * (profile.pad_to - cur))
        else:
            add(21, b"")
    ext_bytes = b"".join(body_parts)
    body = head + P("!H", len(ext_bytes)) + ext_bytes
    record = tls_record(TLS_CT_HANDSHAKE, handshake(1, body), profile.record_version)
    def dashed(xs):  # JA3 lists: decimal values joined by '-', GREASE removed
        return "-".join(str(x) for x in xs if x not in GREASE)

    ja3 = "%d,%s,%s,%s,%s" % (profile.legacy_version, dashed(ciphers), dashed(ext_ids),
                              dashed(groups if 10 in ext_ids else []), "0" if 11 in ext_ids else "")
    return record, ja3, hashlib.md5(ja3.encode()).hexdigest()


def server_hello(rnd, tls13, cipher, alpn=None, session_id=b"", ems=True):
    exts = b""
    if tls13:
        exts += P("!HHH", 43, 2, 0x0304)
        exts += P("!HHHH", 51, 36, 29, 32) + rnd.randbytes(32)
    else:
        exts += P("!HH", 65281, 1) + b"\0"
        if ems:
            exts += P("!HH", 23, 0)
        exts += P("!HH", 11, 2) + b"\x01\x00"
        if alpn:
            a = alpn.encode()
            exts += P("!HHHB", 16, len(a) + 3, len(a) + 1, len(a)) + a
    body = (P("!H", 0x0303) + rnd.randbytes(32) + bytes([len(session_id)]) + session_id + P("!HB", cipher, 0) +
            P("!H", len(exts)) + exts)
    return handshake(2, body)


def certificate_msg(ders):
    lst = b"".join(len(d).to_bytes(3, "big") + d for d in ders)
    return handshake(11, len(lst).to_bytes(3, "big") + lst)


def server_key_exchange(rnd):
    pub = rnd.randbytes(32)
    return handshake(12, P("!BHB", 3, 29, 32) + pub + P("!HH", 0x0804, 256) + rnd.randbytes(256))


CCS_RECORD = tls_record(TLS_CT_CCS, b"\x01")

# ----------------------------------------------------------------------------------------------------------------
# DER X.509 (structure only: the signature and key are random bytes; parsers and fingerprints only need the DER)


def _der(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(lb)]) + lb + content


def _der_int(v):
    if isinstance(v, bytes):
        b = v.lstrip(b"\0") or b"\0"
    else:
        b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")
    if b[0] & 0x80:
        b = b"\0" + b
    return _der(0x02, b)


def _der_oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(enc))
    return _der(0x06, bytes(out))


def _der_seq(*items):
    return _der(0x30, b"".join(items))


_NAME_OIDS = {"C": "2.5.4.6", "ST": "2.5.4.8", "L": "2.5.4.7", "O": "2.5.4.10", "OU": "2.5.4.11", "CN": "2.5.4.3"}


def _der_name(attrs):
    rdns = []
    for k, v in attrs:
        val = _der(0x13, v.encode()) if k == "C" else _der(0x0C, v.encode())
        rdns.append(_der(0x31, _der_seq(_der_oid(_NAME_OIDS[k]), val)))
    return _der_seq(*rdns)


def _der_time(epoch):
    return _der(0x17, time.strftime("%y%m%d%H%M%SZ", time.gmtime(epoch)).encode())


def x509_certificate(rnd, subject, issuer, not_before, not_after, sans=(), serial_bytes=16):
    """A DER certificate: v3, sha256WithRSAEncryption, RSA-2048 key, optional SAN dNSNames. Returns bytes."""
    alg = _der_seq(_der_oid("1.2.840.113549.1.1.11"), b"\x05\x00")
    serial = int.from_bytes(rnd.randbytes(serial_bytes), "big") >> 1 | 1
    modulus = int.from_bytes(rnd.randbytes(256), "big") | (1 << 2047) | 1
    spki = _der_seq(_der_seq(_der_oid("1.2.840.113549.1.1.1"), b"\x05\x00"),
                    _der(0x03, b"\0" + _der_seq(_der_int(modulus), _der_int(65537))))
    tbs_items = [_der(0xA0, _der_int(2)), _der_int(serial), alg, _der_name(issuer),
                 _der_seq(_der_time(not_before), _der_time(not_after)), _der_name(subject), spki]
    if sans:
        san = _der_seq(*[_der(0x82, s.encode()) for s in sans])
        tbs_items.append(_der(0xA3, _der_seq(_der_seq(_der_oid("2.5.29.17"), _der(0x04, san)))))
    tbs = _der_seq(*tbs_items)
    return _der_seq(tbs, alg, _der(0x03, b"\0" + rnd.randbytes(256)))


def _der_gtime(epoch):
    return _der(0x18, time.strftime("%Y%m%d%H%M%SZ", time.gmtime(epoch)).encode())


def _ocsp_certid(name_hash, key_hash, serial):
    return _der_seq(_der_seq(_der_oid("1.3.14.3.2.26"), b"\x05\x00"), _der(0x04, name_hash), _der(0x04, key_hash),
                    _der_int(serial))


def ocsp_exchange(rnd, now):
    """DER OCSPRequest for one certificate and a signed-looking 'good' OCSPResponse for it (RFC 6960)."""
    nh, kh, serial = rnd.randbytes(20), rnd.randbytes(20), rnd.randbytes(18)
    req = _der_seq(_der_seq(_der_seq(_der_seq(_ocsp_certid(nh, kh, serial)))))
    single = _der_seq(_ocsp_certid(nh, kh, serial), b"\x80\x00", _der_gtime(now - 3600),
                      _der(0xA0, _der_gtime(now + 6 * 86400)))
    data = _der_seq(_der(0xA2, _der(0x04, kh)), _der_gtime(now - 3600), _der_seq(single))
    basic = _der_seq(data, _der_seq(_der_oid("1.2.840.113549.1.1.11"), b"\x05\x00"),
                     _der(0x03, b"\0" + rnd.randbytes(256)))
    resp = _der_seq(_der(0x0A, b"\x00"), _der(0xA0, _der_seq(_der_oid("1.3.6.1.5.5.7.48.1.1"), _der(0x04, basic))))
    return req, resp


# ----------------------------------------------------------------------------------------------------------------
# pcap


def write_pcap(path, packets):
    """`packets`: iterable of (t_us, frame) already in time order. Ethernet, microsecond timestamps."""
    with open(path, "wb") as f:
        f.write(P("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        buf = bytearray()
        for t_us, frame in packets:
            sec, usec = divmod(t_us, 1_000_000)
            buf += P("<IIII", sec, usec, len(frame), len(frame))
            buf += frame
            if len(buf) > 1 << 20:
                f.write(buf)
                buf.clear()
        f.write(buf)


def iso_utc(epoch_s):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_s))


def epoch_of(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


# ----------------------------------------------------------------------------------------------------------------
# MaxMind DB (format 2.0), enough to read a country code


class MmdbReader:
    """Minimal reader of the MaxMind DB format (https://maxmind.github.io/MaxMind-DB/): search tree + data section."""

    _MARKER = b"\xab\xcd\xefMaxMind.com"

    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        pos = self.buf.rfind(self._MARKER)
        if pos < 0:
            raise ValueError("%s: no MaxMind DB metadata marker" % path)
        start = pos + len(self._MARKER)
        self.meta, _ = self._decode(start, start)
        self.node_count = self.meta["node_count"]
        self.record_size = self.meta["record_size"]
        self.node_bytes = self.record_size // 4
        self.data_start = self.node_count * self.node_bytes + 16
        self._ipv4_root = None

    def _node(self, node, bit):
        b, off = self.buf, node * self.node_bytes
        if self.record_size == 24:
            return int.from_bytes(b[off + 3 * bit:off + 3 * bit + 3], "big")
        if self.record_size == 28:
            if bit == 0:
                return ((b[off + 3] & 0xF0) << 20) | int.from_bytes(b[off:off + 3], "big")
            return ((b[off + 3] & 0x0F) << 24) | int.from_bytes(b[off + 4:off + 7], "big")
        if self.record_size == 32:
            return int.from_bytes(b[off + 4 * bit:off + 4 * bit + 4], "big")
        raise ValueError("unsupported record size %d" % self.record_size)

    def lookup(self, ip):
        addr = ipaddress.ip_address(ip)
        node = 0
        if addr.version == 4 and self.meta["ip_version"] == 6:
            if self._ipv4_root is None:
                n = 0
                for _ in range(96):
                    if n >= self.node_count:
                        break
                    n = self._node(n, 0)
                self._ipv4_root = n
            node = self._ipv4_root
        data = addr.packed
        for i in range(len(data) * 8):
            if node >= self.node_count:
                break
            node = self._node(node, (data[i >> 3] >> (7 - (i & 7))) & 1)
        if node <= self.node_count:
            return None
        value, _ = self._decode(node - self.node_count - 16 + self.data_start, self.data_start)
        return value

    def country(self, ip):
        v = self.lookup(ip)
        if not isinstance(v, dict):
            return None
        if "country_code" in v:
            return v["country_code"]
        c = v.get("country")
        return c.get("iso_code") if isinstance(c, dict) else None

    def _decode(self, off, base):
        b = self.buf
        ctrl = b[off]
        off += 1
        typ = ctrl >> 5
        if typ == 1:  # pointer into the data section
            ss, vvv = (ctrl >> 3) & 3, ctrl & 7
            if ss == 0:
                p, off = (vvv << 8) | b[off], off + 1
            elif ss == 1:
                p, off = ((vvv << 16) | int.from_bytes(b[off:off + 2], "big")) + 2048, off + 2
            elif ss == 2:
                p, off = ((vvv << 24) | int.from_bytes(b[off:off + 3], "big")) + 526336, off + 3
            else:
                p, off = int.from_bytes(b[off:off + 4], "big"), off + 4
            return self._decode(base + p, base)[0], off
        if typ == 0:  # extended type
            typ, off = 7 + b[off], off + 1
        size = ctrl & 0x1F
        if size == 29:
            size, off = 29 + b[off], off + 1
        elif size == 30:
            size, off = 285 + int.from_bytes(b[off:off + 2], "big"), off + 2
        elif size == 31:
            size, off = 65821 + int.from_bytes(b[off:off + 3], "big"), off + 3
        if typ == 2:
            return b[off:off + size].decode("utf-8"), off + size
        if typ == 3:
            return struct.unpack("!d", b[off:off + 8])[0], off + 8
        if typ == 4:
            return bytes(b[off:off + size]), off + size
        if typ in (5, 6, 9, 10):
            return int.from_bytes(b[off:off + size], "big"), off + size
        if typ == 8:
            return int.from_bytes(b[off:off + size], "big", signed=True), off + size
        if typ == 7:
            d = {}
            for _ in range(size):
                k, off = self._decode(off, base)
                d[k], off = self._decode(off, base)
            return d, off
        if typ == 11:
            out = []
            for _ in range(size):
                v, off = self._decode(off, base)
                out.append(v)
            return out, off
        if typ == 14:
            return bool(size), off
        if typ == 15:
            return struct.unpack("!f", b[off:off + 4])[0], off + 4
        raise ValueError("unsupported MaxMind DB data type %d" % typ)
