"""Minimal MMDB reader (stdlib only) + deterministic address picker by country/ASN.

Used by the generator to choose real addresses whose country in the same country database the tool uses
(data/geo/geo-whois-asn-country.mmdb) is the one the scenario needs. Data files only; no tool source is read.
"""
import ipaddress
import os
import random
import struct

GEO_DIR = os.environ.get("C2S_GEO_DIR", "/work/main/data/geo")


class MMDB:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        marker = b"\xab\xcd\xefMaxMind.com"
        i = self.buf.rfind(marker)
        self.meta, _ = self._decode(i + len(marker), i + len(marker))
        self.node_count = self.meta["node_count"]
        self.record_size = self.meta["record_size"]
        self.ip_version = self.meta["ip_version"]
        self.node_bytes = self.record_size * 2 // 8
        self.tree_size = self.node_count * self.node_bytes
        self.data_start = self.tree_size + 16
        self._v4start = None

    def _decode(self, off, base):
        buf = self.buf
        ctrl = buf[off]
        off += 1
        typ = ctrl >> 5
        if typ == 1:  # pointer
            ss = (ctrl >> 3) & 3
            vv = ctrl & 7
            if ss == 0:
                p = (vv << 8) | buf[off]; off += 1
            elif ss == 1:
                p = ((vv << 16) | (buf[off] << 8) | buf[off + 1]) + 2048; off += 2
            elif ss == 2:
                p = ((vv << 24) | (buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]) + 526336; off += 3
            else:
                p = struct.unpack(">I", buf[off:off + 4])[0]; off += 4
            val, _ = self._decode(base + p, base)
            return val, off
        if typ == 0:
            typ = 7 + buf[off]; off += 1
        size = ctrl & 0x1F
        if size == 29:
            size = 29 + buf[off]; off += 1
        elif size == 30:
            size = 285 + ((buf[off] << 8) | buf[off + 1]); off += 2
        elif size == 31:
            size = 65821 + ((buf[off] << 16) | (buf[off + 1] << 8) | buf[off + 2]); off += 3
        if typ == 2:
            return buf[off:off + size].decode("utf-8"), off + size
        if typ == 7:  # map
            d = {}
            for _ in range(size):
                k, off = self._decode(off, base)
                v, off = self._decode(off, base)
                d[k] = v
            return d, off
        if typ == 11:  # array
            a = []
            for _ in range(size):
                v, off = self._decode(off, base)
                a.append(v)
            return a, off
        if typ in (5, 6, 9, 10):  # uint16/32/64/128
            return int.from_bytes(buf[off:off + size], "big"), off + size
        if typ == 8:
            return int.from_bytes(buf[off:off + size], "big", signed=True), off + size
        if typ == 3:
            return struct.unpack(">d", buf[off:off + 8])[0], off + 8
        if typ == 15:
            return struct.unpack(">f", buf[off:off + 4])[0], off + 4
        if typ == 14:
            return bool(size), off
        if typ == 4:
            return buf[off:off + size], off + size
        return None, off + size

    def _rec(self, node, idx):
        b = self.buf
        o = node * self.node_bytes
        rs = self.record_size
        if rs == 24:
            o += idx * 3
            return int.from_bytes(b[o:o + 3], "big")
        if rs == 28:
            if idx == 0:
                return ((b[o + 3] & 0xF0) << 20) | int.from_bytes(b[o:o + 3], "big")
            return ((b[o + 3] & 0x0F) << 24) | int.from_bytes(b[o + 4:o + 7], "big")
        if rs == 32:
            o += idx * 4
            return int.from_bytes(b[o:o + 4], "big")
        raise ValueError(rs)

    def lookup(self, ip):
        a = ipaddress.ip_address(ip)
        bits = a.packed
        nbits = len(bits) * 8
        node = 0
        if a.version == 4 and self.ip_version == 6:
            if self._v4start is None:
                n = 0
                for _ in range(96):
                    if n >= self.node_count:
                        break
                    n = self._rec(n, 0)
                self._v4start = n
            node = self._v4start
        for i in range(nbits):
            if node >= self.node_count:
                break
            bit = (bits[i >> 3] >> (7 - (i & 7))) & 1
            node = self._rec(node, bit)
        if node == self.node_count:
            return None
        if node > self.node_count:
            off = node - self.node_count - 16 + self.data_start
            v, _ = self._decode(off, self.data_start)
            return v
        return None

    def country(self, ip):
        r = self.lookup(ip)
        if not r:
            return ""
        if "country_code" in r:
            return r["country_code"]
        c = r.get("country") or r.get("registered_country") or {}
        return c.get("iso_code", "")


_DB = None
_ASN = {4: None, 6: None}


def db():
    global _DB
    if _DB is None:
        _DB = MMDB(os.path.join(GEO_DIR, "geo-whois-asn-country.mmdb"))
    return _DB


def country(ip):
    return db().country(ip)


def _load_asn(fam, wanted):
    """ranges (start_int, end_int) for the wanted ASNs, in file order."""
    fn = "asn-ipv4.csv" if fam == 4 else "asn-ipv6.csv"
    out = {a: [] for a in wanted}
    ws = {str(a) for a in wanted}
    with open(os.path.join(GEO_DIR, fn)) as f:
        for line in f:
            p = line.split(",", 3)
            if len(p) < 3 or p[2] not in ws:
                continue
            s = int(ipaddress.ip_address(p[0]))
            e = int(ipaddress.ip_address(p[1]))
            out[int(p[2])].append((s, e))
    return out


_RANGES = {}


def ranges(fam, asn):
    key = (fam, asn)
    if key not in _RANGES:
        # load lazily all ASNs of the registry at once for speed
        got = _load_asn(fam, [asn] + [a for (f, a) in _PRELOAD if f == fam and (f, a) not in _RANGES])
        for a, r in got.items():
            _RANGES[(fam, a)] = r
    return _RANGES[key]


_PRELOAD = set()


def preload(pairs):
    for p in pairs:
        _PRELOAD.add(p)


class Picker:
    """Deterministic picker: distinct addresses, located in cc (or not in avoid)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.used = set()

    def pick(self, asns, cc=None, avoid=(), fam=4, n=1, host_bits_min=0):
        out = []
        rs = []
        for a in asns:
            rs += ranges(fam, a)
        if not rs:
            raise RuntimeError("no ranges for %r" % (asns,))
        tries = 0
        while len(out) < n:
            tries += 1
            if tries > 20000:
                raise RuntimeError("cannot pick %s in %s for %r" % (n, cc, asns))
            s, e = self.rng.choice(rs)
            if e - s < 4:
                continue
            v = self.rng.randint(s + 1, e - 1)
            if fam == 4 and (v & 0xFF) in (0, 255):
                continue
            ip = str(ipaddress.ip_address(v))
            if ip in self.used:
                continue
            c = country(ip)
            if cc is not None and c != cc:
                continue
            if c == "" or c in avoid:
                continue
            self.used.add(ip)
            out.append(ip)
        return out

    def pick_in(self, cidr, n=1, cc=None):
        net = ipaddress.ip_network(cidr)
        out = []
        tries = 0
        while len(out) < n:
            tries += 1
            if tries > 200000:
                raise RuntimeError("cannot pick in %s" % cidr)
            v = int(net.network_address) + self.rng.randint(1, net.num_addresses - 2)
            if net.version == 4 and (v & 0xFF) in (0, 255):
                continue
            ip = str(ipaddress.ip_address(v))
            if ip in self.used:
                continue
            if cc is not None and country(ip) != cc:
                continue
            self.used.add(ip)
            out.append(ip)
        return out


if __name__ == "__main__":
    import sys
    for a in sys.argv[1:]:
        print(a, country(a))
