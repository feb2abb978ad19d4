#!/usr/bin/env python3
"""Independent deterministic scenario generator for evaluating c2scope.
stdlib only. Writes OUT/<scenario>/traffic.pcap, truth.json, [intel.txt], args.txt
usage: gen.py OUTDIR [scenario ...]
"""
import array, ipaddress, json, math, os, random, struct, sys
PROFILE = os.environ.get('C2GEN_PROFILE', 'realistic')   # realistic | strict
PUSH_MODE = os.environ.get('C2GEN_PUSH', 'conn')   # conn: a new connection per heartbeat | persistent

# ---------------------------------------------------------------- packets
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(array.array('H', b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return struct.pack('=H', (~s) & 0xffff)

_ipc = {}
def ipb(a):
    r = _ipc.get(a)
    if r is None:
        r = ipaddress.ip_address(a).packed
        _ipc[a] = r
    return r

def is6(a):
    return ':' in a

_ident = [1]
def ip_packet(src, dst, proto, l4):
    if is6(src):
        return struct.pack('!IHBB', 0x60000000, len(l4), proto, 64) + ipb(src) + ipb(dst) + l4
    _ident[0] = (_ident[0] + 1) & 0xffff
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), _ident[0], 0x4000, 64, proto, 0, ipb(src), ipb(dst))
    return h[:10] + csum(h) + h[12:] + l4

def pseudo(src, dst, proto, ln):
    if is6(src):
        return ipb(src) + ipb(dst) + struct.pack('!IxxxB', ln, proto)
    return ipb(src) + ipb(dst) + struct.pack('!xBH', proto, ln)

def tcp_seg(src, dst, sp, dp, seq, ack, flags, payload=b''):
    h = struct.pack('!HHIIBBHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50, flags, 64240, 0, 0)
    seg = h + payload
    c = csum(pseudo(src, dst, 6, len(seg)) + seg)
    return seg[:16] + c + seg[18:]

def udp_dgram(src, dst, sp, dp, payload):
    ln = 8 + len(payload)
    d = struct.pack('!HHHH', sp, dp, ln, 0) + payload
    c = csum(pseudo(src, dst, 17, ln) + d)
    if c == b'\0\0':
        c = b'\xff\xff'
    return d[:6] + c + d[8:]

ROUTER_MAC = bytes.fromhex('00163e000001')
ENB_MAC = bytes.fromhex('00163e0000e1')
SGW_MAC = bytes.fromhex('00163e0000e2')

class Ctx:
    """L2 context of a monitored host: mac, optional vlan, optional GTP-U tunnel."""
    def __init__(self, mac, vlan=None, teid=None, enb='198.18.10.1', sgw='198.18.20.1'):
        self.mac, self.vlan, self.teid, self.enb, self.sgw = mac, vlan, teid, enb, sgw

def frame(ctx, src, dst, proto, l4, outbound):
    ip = ip_packet(src, dst, proto, l4)
    if ctx.teid is not None:
        gtp = struct.pack('!BBHI', 0x30, 0xff, len(ip), ctx.teid) + ip
        o_src, o_dst = (ctx.enb, ctx.sgw) if outbound else (ctx.sgw, ctx.enb)
        outer = ip_packet(o_src, o_dst, 17, udp_dgram(o_src, o_dst, 2152, 2152, gtp))
        macs = (SGW_MAC + ENB_MAC) if outbound else (ENB_MAC + SGW_MAC)
        return macs + b'\x08\x00' + outer
    macs = (ROUTER_MAC + ctx.mac) if outbound else (ctx.mac + ROUTER_MAC)
    et = b'\x86\xdd' if is6(src) else b'\x08\x00'
    if ctx.vlan is not None:
        return macs + b'\x81\x00' + struct.pack('!H', ctx.vlan) + et + ip
    return macs + et + ip

class Capture:
    def __init__(self, rng):
        self.pk = []
        self.rng = rng
    def add(self, ts, fr):
        self.pk.append((ts, fr))
    def write(self, path, t_end):
        self.pk.sort(key=lambda x: x[0])
        with open(path, 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for ts, fr in self.pk:
                if ts > t_end:
                    break
                s = int(ts); u = int(round((ts - s) * 1e6))
                if u >= 1000000:
                    s += 1; u -= 1000000
                f.write(struct.pack('<IIII', s, u, len(fr), len(fr)))
                f.write(fr)
        return len(self.pk)

    # ---- TCP conversation. steps: list of (gap_s, 'c'|'s', payload)
    def tcp(self, t, ctx, cli, srv, dp, steps, rtt=0.04, state='SF', sp=None):
        r = self.rng
        sp = sp or r.randint(32768, 60999)
        cs, ss = r.getrandbits(32), r.getrandbits(32)
        A, PA, S, SA, FA, RA = 0x10, 0x18, 0x02, 0x12, 0x11, 0x14
        def C(ts, fl, seq, ack, p=b''):
            self.add(ts, frame(ctx, cli, srv, 6, tcp_seg(cli, srv, sp, dp, seq, ack, fl, p), True))
        def Sv(ts, fl, seq, ack, p=b''):
            self.add(ts, frame(ctx, srv, cli, 6, tcp_seg(srv, cli, dp, sp, seq, ack, fl, p), False))
        if state == 'S0':
            for d in (0, 1.0, 3.0):
                C(t + d, S, cs, 0)
            return t + 3
        if state == 'REJ':
            C(t, S, cs, 0); Sv(t + rtt, RA, 0, cs + 1)
            return t + rtt
        C(t, S, cs, 0); t += rtt; Sv(t, SA, ss, cs + 1); t += 0.0004; C(t, A, cs + 1, ss + 1)
        cs += 1; ss += 1
        for gap, d, p in steps:
            t += gap
            for i in range(0, max(len(p), 1), 1400):
                seg = p[i:i + 1400]
                if d == 'c':
                    C(t, PA, cs, ss, seg); cs += len(seg)
                else:
                    Sv(t, PA, ss, cs, seg); ss += len(seg)
                t += 0.0003
            t += rtt / 2 if d == 'c' else 0.001
        t += 0.01
        C(t, FA, cs, ss); t += rtt; Sv(t, FA, ss, cs + 1); t += 0.0004; C(t, A, cs + 1, ss + 1)
        return t

    def udp(self, t, ctx, cli, srv, dp, steps, rtt=0.03, sp=None):
        sp = sp or self.rng.randint(32768, 60999)
        for gap, d, p in steps:
            t += gap
            if d == 'c':
                self.add(t, frame(ctx, cli, srv, 17, udp_dgram(cli, srv, sp, dp, p), True))
            else:
                self.add(t, frame(ctx, srv, cli, 17, udp_dgram(srv, cli, dp, sp, p), False))
            t += rtt if d == 'c' else 0.001
        return t

# ---------------------------------------------------------------- payloads
def qname(n):
    return b''.join(bytes([len(x)]) + x.encode() for x in n.strip('.').split('.')) + b'\0'

def dns_msg(i, name, resp=False, ans=None, ttl=300, v6=False):
    qt = 28 if v6 else 1
    if not resp:
        return struct.pack('!HHHHHH', i, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', qt, 1)
    if ans is None:
        return struct.pack('!HHHHHH', i, 0x8183, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', qt, 1)
    rd = ipb(ans)
    return (struct.pack('!HHHHHH', i, 0x8180, 1, 1, 0, 0) + qname(name) + struct.pack('!HH', qt, 1) +
            struct.pack('!HHHIH', 0xc00c, 28 if is6(ans) else 1, 1, ttl, len(rd)) + rd)

def client_hello(rng, sni):
    ext = b''
    if sni:
        s = sni.encode()
        sn = struct.pack('!BH', 0, len(s)) + s
        ext += struct.pack('!HHH', 0, len(sn) + 2, len(sn)) + sn
    ext += struct.pack('!HHH', 10, 8, 6) + struct.pack('!HHH', 29, 23, 24)
    ext += struct.pack('!HHB', 11, 2, 1) + b'\0'
    sa = struct.pack('!HHHHH', 0x0403, 0x0804, 0x0401, 0x0503, 0x0805)
    ext += struct.pack('!HHH', 13, len(sa) + 2, len(sa)) + sa
    ext += struct.pack('!HHB', 43, 5, 4) + struct.pack('!HH', 0x0304, 0x0303)
    ks = rng.randbytes(32)
    kse = struct.pack('!HH', 29, 32) + ks
    ext += struct.pack('!HHH', 51, len(kse) + 2, len(kse)) + kse
    ciphers = struct.pack('!HHHHHH', 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc030)
    body = (struct.pack('!H', 0x0303) + rng.randbytes(32) + b'\x20' + rng.randbytes(32) +
            struct.pack('!H', len(ciphers)) + ciphers + b'\x01\x00' + struct.pack('!H', len(ext)) + ext)
    hs = b'\x01' + struct.pack('!I', len(body))[1:] + body
    return b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs

def server_hello(rng):
    ext = struct.pack('!HHH', 43, 2, 0x0304) + struct.pack('!HHHH', 51, 36, 29, 32) + rng.randbytes(32)
    body = (struct.pack('!H', 0x0303) + rng.randbytes(32) + b'\x20' + rng.randbytes(32) +
            struct.pack('!H', 0x1301) + b'\x00' + struct.pack('!H', len(ext)) + ext)
    hs = b'\x02' + struct.pack('!I', len(body))[1:] + body
    return (b'\x16\x03\x03' + struct.pack('!H', len(hs)) + hs + b'\x14\x03\x03\x00\x01\x01' +
            appdata(rng, rng.randint(200, 400)))

def appdata(rng, n):
    return b'\x17\x03\x03' + struct.pack('!H', n) + rng.randbytes(n)

def tls_steps(rng, sni, up, down):
    return [(0, 'c', client_hello(rng, sni)), (0, 's', server_hello(rng)),
            (0.002, 'c', b'\x14\x03\x03\x00\x01\x01' + appdata(rng, up)), (0, 's', appdata(rng, down))]

UAS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
       'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)']
def http_steps(rng, host, path, up, down):
    req = ('GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nCookie: %s\r\nConnection: close\r\n\r\n'
           % (path, host, UAS[1], ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789+/') for _ in range(max(up, 8))))).encode()
    body = bytes(rng.choice(b'abcdefghij0123456789') for _ in range(down))
    resp = ('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\nServer: nginx\r\n\r\n' % len(body)).encode() + body
    return [(0, 'c', req), (0, 's', resp)]

# ---------------------------------------------------------------- world
class Host:
    def __init__(self, ip, ctx, kind, ip6=None):
        self.ip, self.ctx, self.kind, self.ip6 = ip, ctx, kind, ip6
        self.cache = {}

class World:
    def __init__(self, seed, start, hours, resolver):
        self.rng = random.Random(seed)
        self.cap = Capture(self.rng)
        self.t0, self.t1 = start, start + hours * 3600
        self.resolver = resolver
        self.hosts = []
        self.truth = {'servers': {}, 'benign_only': False, 'notes': []}

    def add_hosts(self, n, net, kind='pc', vlan=None, gtp=False, v6net=None):
        base = ipaddress.ip_network(net)
        offs = self.rng.sample(range(10, min(base.num_addresses - 2, 250)), n)
        for o in offs:
            ip = str(base.network_address + o)
            mac = bytes([0x02]) + self.rng.randbytes(5)
            ctx = Ctx(mac, vlan=vlan, teid=(self.rng.getrandbits(31) if gtp else None))
            ip6 = str(ipaddress.ip_network(v6net).network_address + self.rng.getrandbits(48)) if v6net else None
            self.hosts.append(Host(ip, ctx, kind, ip6))
        return self.hosts[-n:]

    def resolve(self, t, h, name, ans, ttl=300, force=False, v6=False):
        """emit a DNS lookup (if not cached) just before t. ans None -> NXDOMAIN"""
        exp = h.cache.get((name, v6))
        if not force and exp is not None and exp > t:
            return
        r = self.rng
        i = r.getrandbits(16)
        tq = t - r.uniform(0.01, 0.05)
        self.cap.udp(tq, h.ctx, h.ip, self.resolver, 53,
                     [(0, 'c', dns_msg(i, name, v6=v6)), (0, 's', dns_msg(i, name, True, ans, ttl, v6=v6))],
                     rtt=r.uniform(0.002, 0.02))
        if ans is not None:
            h.cache[(name, v6)] = t + ttl

    def in_range(self, t):
        return self.t0 <= t < self.t1 - 60

    # one application "visit": proto tls/http/tcp/udp/ntp
    def contact(self, t, h, ip, port, proto, name=None, up=200, down=300, state='SF', ttl=300, path='/'):
        r = self.rng
        src = h.ip6 if is6(ip) else h.ip
        if name and state == 'SF':
            self.resolve(t, h, name, ip, ttl, v6=is6(ip))
        rtt = r.uniform(0.02, 0.12)
        if proto == 'tls':
            return self.cap.tcp(t, h.ctx, src, ip, port, tls_steps(r, name, up, down), rtt, state)
        if proto == 'http':
            return self.cap.tcp(t, h.ctx, src, ip, port, http_steps(r, name or ip, path, up, down), rtt, state)
        if proto == 'tcp':
            return self.cap.tcp(t, h.ctx, src, ip, port, [(0, 'c', r.randbytes(up)), (0, 's', r.randbytes(down))], rtt, state)
        if proto == 'udp':
            return self.cap.udp(t, h.ctx, src, ip, port, [(0, 'c', r.randbytes(up)), (0, 's', r.randbytes(down))], rtt)
        if proto == 'udp_noreply':
            return self.cap.udp(t, h.ctx, src, ip, port, [(0, 'c', r.randbytes(up))], rtt)
        if proto == 'ntp':
            req = b'\x23' + bytes(47)
            rsp = b'\x24\x02' + r.randbytes(46)
            return self.cap.udp(t, h.ctx, src, ip, 123, [(0, 'c', req), (0, 's', rsp)], rtt, sp=123)
        raise ValueError(proto)

    # ------------------------------------------------ schedules
    def periodic(self, period, jitter=0.0, jtype='uniform', missed=0.0, start=None, end=None, active=None):
        r = self.rng
        t = (start if start is not None else self.t0) + r.uniform(0, period)
        end = end if end is not None else self.t1
        out = []
        while t < end:
            hod = ((t - self.t0) / 3600.0 + 8) % 24   # captures start at 08:00 local
            if r.random() >= missed and (active is None or active[0] <= hod < active[1]):
                out.append(t)
            if jtype == 'uniform':
                f = 1 + r.uniform(-jitter, jitter)
            elif jtype == 'gauss':
                f = 1 + max(-0.9, min(0.9, r.gauss(0, jitter / 2)))
            elif jtype == 'cs':   # Cobalt-Strike style: sleep reduced by up to jitter
                f = 1 - r.uniform(0, jitter)
            else:
                f = 1
            t += period * f
        return out

    def poisson(self, rate_per_h, diurnal=True, start=None, end=None):
        r = self.rng
        t = start if start is not None else self.t0
        end = end if end is not None else self.t1
        out = []
        while True:
            t += r.expovariate(rate_per_h * 2.0 / 3600)   # thinning with max rate 2x
            if t >= end:
                return out
            hod = ((t - self.t0) / 3600.0 + 8) % 24
            f = (1.0 if 8 <= hod < 19 else 0.15) if diurnal else 0.5
            if r.random() < f:
                out.append(t)

    # ------------------------------------------------ benign background
    def benign(self, ntp=True, update=True, telemetry=True, push=True, browse=True, irregular=3, chat=0.0,
               av=True, browse_rate=(2, 6)):
        r = self.rng
        hosts = self.hosts
        pcs = [h for h in hosts if h.kind != 'phone']
        phones = [h for h in hosts if h.kind == 'phone']
        if ntp:
            ntp_srv = ['162.159.200.1', '162.159.200.123', '216.239.35.0', '216.239.35.4', '129.6.15.28']
            for h in pcs + r.sample(phones, len(phones) // 3):
                poll = r.choice([64, 128, 256, 512, 1024, 1024, 1024])
                srv = r.choice(ntp_srv)
                for t in self.periodic(poll, 0.02):
                    self.contact(t, h, srv, 123, 'ntp')
        STRICT = PROFILE == 'strict'
        def chosen(pool, frac):
            # strict: exactly round(frac*N) hosts of the whole network; realistic: each host of pool with prob frac
            if STRICT:
                return sorted(r.sample(hosts, round(frac * len(hosts))), key=hosts.index)
            return [h for h in pool if r.random() < frac]
        if update:
            # hourly update check, shared vendor, randomised offsets
            for h in chosen(pcs, 0.85):
                ip = '13.107.4.50' if STRICT else r.choice(['13.107.4.50', '13.107.4.52'])
                for t in self.periodic(3600, 0.1):
                    self.contact(t, h, ip, 443, 'tls', 'update.softvendor-cdn.com', up=r.randint(300, 500), down=r.randint(400, 2000), ttl=3600)
            for h in chosen(pcs, 0.7):   # browser component updater, every 5 h
                for t in self.periodic(5 * 3600, 0.05):
                    self.contact(t, h, '142.250.74.110', 443, 'tls', 'update.browser-vendor.com', up=600, down=r.randint(500, 9000))
        if av:
            for h in chosen(pcs, 0.75):
                for t in self.periodic(7200, 0.05, start=self.t0):
                    self.contact(t, h, '23.55.124.17', 80, 'http', 'sigs.av-vendor.net', up=40, down=r.randint(200, 800), path='/v2/daily.ver')
        if telemetry:
            for h in chosen(pcs, 0.65):
                for t in self.periodic(900, 0.05):
                    self.contact(t, h, '52.168.112.66', 443, 'tls', 'v10.events.os-telemetry.com', up=r.randint(800, 1500), down=120)
        if push:
            for h in chosen(phones, 0.92):
                if STRICT:   # one push service reached by most hosts
                    ip, port, per, name = '142.250.102.188', 5228, 1680, 'mtalk.push-svc.com'
                elif r.random() < 0.5:  # apple-like
                    ip, port, per, name = r.choice(['17.57.146.20', '17.57.146.52', '17.57.145.4']), 5223, r.choice([900, 1200, 1800]), 'courier.push.phone-vendor.com'
                else:                 # android-like
                    ip, port, per, name = '142.250.102.188', 5228, 1680, 'mtalk.push-svc.com'
                if PUSH_MODE == 'persistent':
                    # one long TLS connection, reconnecting every 3-8 h, with heartbeat records inside it
                    t = self.t0 + r.uniform(0, 60)
                    while t < self.t1:
                        life = r.uniform(3, 8) * 3600
                        self.resolve(t, h, name, ip, 3600)
                        steps = tls_steps(r, name, 40, 40)
                        k = 0.0
                        while k + per < life:
                            g = per * (1 + r.uniform(-0.03, 0.03)); k += g
                            steps += [(g, 'c', appdata(r, r.randint(20, 40))), (0, 's', appdata(r, r.randint(20, 40)))]
                        t = self.cap.tcp(t, h.ctx, h.ip, ip, port, steps, r.uniform(0.02, 0.1)) + r.uniform(1, 30)
                else:
                    for t in self.periodic(per, 0.03, missed=0.05):
                        self.contact(t, h, ip, port, 'tls', name, up=r.randint(30, 60), down=r.randint(30, 60))
        if STRICT:
            chat = 0.0
        if chat:
            for h in hosts:
                if r.random() < chat:
                    for t in self.periodic(300, 0.1, active=(8, 19)):
                        self.contact(t, h, '3.120.44.9', 443, 'tls', 'ws.teamchat-app.io', up=r.randint(60, 90), down=r.randint(60, 400))
        if browse:
            provs = ['142.250.%d.%d', '151.101.%d.%d', '104.16.%d.%d', '23.45.%d.%d', '52.84.%d.%d',
                     '13.224.%d.%d', '157.240.%d.%d', '31.13.%d.%d', '172.217.%d.%d', '40.126.%d.%d']
            words = ['news', 'shop', 'mail', 'video', 'maps', 'wiki', 'docs', 'bank', 'travel', 'sport', 'music', 'cloud', 'forum', 'weather', 'jobs']
            sites = []
            for i in range(250):
                ip = r.choice(provs) % (r.randint(0, 255), r.randint(1, 254))
                sites.append(('%s%d-%s.com' % (r.choice(words), i, r.choice(['hub', 'online', 'world', 'daily', 'zone'])), ip))
            weights = [1.0 / (i + 1) ** 0.9 for i in range(len(sites))]
            for h in hosts:
                rate = r.uniform(*browse_rate)
                for t in self.poisson(rate):
                    name, ip = r.choices(sites, weights)[0]
                    k = r.randint(1, 4)
                    for j in range(k):
                        self.contact(t + j * r.uniform(0.05, 2), h, ip, 443, 'tls', name, up=r.randint(200, 1200), down=r.randint(200, 1400), ttl=r.choice([60, 300, 3600]))
                    if h.ip6 and r.random() < 0.5:
                        ip6 = '2a00:1450:4001:%x::%x' % (r.randint(1, 0xfff), r.randint(1, 0xffff))
                        self.contact(t + 3, h, ip6, 443, 'tls', 'static-' + name, up=r.randint(300, 1500), down=r.randint(500, 4000))
                # occasional typo NXDOMAIN
                for t in self.poisson(0.05):
                    self.resolve(t, h, 'wwww.%s-typo%d.com' % (r.choice(words), r.randint(0, 999)), None, force=True)
        for k in range(irregular):
            h = r.choice(hosts)
            ip = r.choice(['3.%d.%d.%d', '34.%d.%d.%d', '35.%d.%d.%d']) % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
            proto, port = r.choice([('tls', 443), ('udp', 27015), ('tcp', 8883), ('http', 80)])
            # bursty irregular use: sessions at Poisson times, each with a few connections
            for t in self.poisson(r.uniform(0.5, 2.0)):
                for j in range(r.randint(1, 5)):
                    self.contact(t + j * r.uniform(1, 40), h, ip, port, proto, None, up=r.randint(50, 3000), down=r.randint(50, 5000))

    # ------------------------------------------------ C2
    def c2(self, ip, victims, proto='tls', port=443, period=300, jitter=0.0, jtype='uniform', missed=0.0,
           name=None, dga=False, offline=False, start_frac=(0, 0.05), active=None, up=(180, 240), down=(60, 90),
           task_p=0.03, schedule=None, label=''):
        r = self.rng
        srv = self.truth['servers'].setdefault(ip, {'label': label, 'victims': {}, 'period': period, 'jitter': jitter,
                                                    'jtype': jtype, 'missed': missed, 'proto': proto, 'name': name,
                                                    'dga': dga, 'offline': offline})
        for h in victims:
            st = self.t0 + r.uniform(*start_frac) * (self.t1 - self.t0)
            times = schedule(h) if schedule else self.periodic(period, jitter, jtype, missed, start=st, active=active)
            times = [t for t in times if self.in_range(t)]
            if not times:
                continue
            srv['victims'][h.ip6 if is6(ip) else h.ip] = 'attempted' if offline else 'controlled'
            dganame = None
            last_res = -1e18
            for t in times:
                nm = name
                if dga:
                    # re-resolve every ~6 h: try a batch of generated names (NXDOMAIN) before the live one
                    if t - last_res > 6 * 3600 or dganame is None:
                        day = int((t - self.t0) // 86400)
                        dr = random.Random('%s-%d' % (ip, day))
                        live = ''.join(dr.choice('bcdfghjklmnpqrstvwxz') + dr.choice('aeiou') for _ in range(6)) + '.com'
                        for j in range(r.randint(8, 25)):
                            bogus = ''.join(r.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(r.randint(10, 18))) + r.choice(['.com', '.net', '.top', '.xyz', '.info'])
                            self.resolve(t - 2 - j * 0.3, h, bogus, None, force=True)
                        self.resolve(t - 0.5, h, live, ip, ttl=60, force=True)
                        h.cache[(live, False)] = t + 7 * 3600
                        dganame, last_res = live, t
                    nm = dganame
                    srv.setdefault('names', [])
                    if nm not in srv['names']:
                        srv['names'].append(nm)
                big = r.random() < task_p
                u = r.randint(*up) + (r.randint(2000, 20000) if big and r.random() < 0.5 else 0)
                d = r.randint(*down) + (r.randint(1000, 30000) if big else 0)
                self.contact(t, h, ip, port, proto, nm, up=u, down=d, state='S0' if offline else 'SF', ttl=300,
                             path='/api/%s/poll' % h.ip.replace('.', '').replace(':', ''))

    def intel(self, path, ips):
        with open(path, 'w') as f:
            f.write('# independent test feed\n# format: one IP per line\n\n')
            for ip, c in ips:
                f.write('%s\n' % ip if not c else '# %s\n%s\n' % (c, ip))

# ---------------------------------------------------------------- scenarios
DAY0 = 1772438400   # 2026-03-02 08:00:00 UTC

def pick(r, hosts, n):
    return r.sample(hosts, n)

def s01(w):
    w.add_hosts(15, '10.1.1.0/24')
    w.benign()
    w.c2('185.193.126.40', pick(w.rng, w.hosts, 2), 'tls', 443, 300, 0.10, name='cdn-sync-api.net', label='TLS 5min 10% by name')

def s02(w):
    w.add_hosts(40, '10.2.0.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 4)
    w.c2('45.142.212.100', v[:3], 'http', 80, 30, 0.30, missed=0.10, name='static-img-cache.org', label='HTTP 30s 30% 10% missed')
    w.c2('91.215.85.17', v[3:], 'tcp', 8443, 1020, 0.20, 'gauss', missed=0.05, label='raw TCP 17min gauss 20% bare IP')

def s03(w):
    w.add_hosts(60, '192.168.10.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 6)
    w.c2('5.188.86.22', v[:4], 'tls', 443, 7200, 0.15, name='telemetry-gw.info', label='TLS 2h 15%')
    w.c2('194.165.16.78', v[4:], 'udp', 9001, 3600, 0.05, 'cs', label='UDP 1h CS-jitter 5% bare IP')

def s04(w):
    w.add_hosts(12, '10.20.0.0/24', vlan=10); w.add_hosts(12, '10.20.1.0/24', vlan=20)
    cams = w.add_hosts(6, '10.20.2.0/24', kind='iot', vlan=30)
    w.benign()
    w.c2('103.145.13.90', [cams[0]], 'tcp', 7443, 3600, 0.02, start_frac=(0, 0.01), label='IoT backdoor hourly 24h VLAN30')
    vl20 = [h for h in w.hosts if h.ctx.vlan == 20]
    w.c2('176.113.115.5', pick(w.rng, vl20, 2), 'tls', 443, 600, 0.25, 'cs', name='api.msupdate-check.com', label='TLS 10min CS 25% VLAN20')

def s05(w):
    w.add_hosts(25, '10.5.0.0/24')
    w.benign()
    w.c2('185.225.74.9', pick(w.rng, w.hosts, 3), 'tls', 443, 300, 0.20, dga=True, label='DGA TLS 5min 20%')

def s06(w):
    w.add_hosts(50, '10.200.0.0/23', kind='phone', gtp=True)
    w.benign()
    v = pick(w.rng, w.hosts, 5)
    w.c2('45.9.148.108', v[:3], 'http', 8080, 900, 0.30, missed=0.15, label='HTTP 15min 30% 15% missed bare IP GTP')
    w.c2('91.240.118.172', v[3:], 'tls', 443, 120, 0.10, name='img.cdn-static-edge.net', label='TLS 2min GTP')

def s07(w):
    w.add_hosts(50, '10.7.0.0/24')
    w.add_hosts(10, '10.7.1.0/24', kind='phone')
    w.benign(irregular=5)
    w.truth['benign_only'] = True

def s08(w):
    w.resolver = '9.9.9.9'
    w.add_hosts(40, '10.210.0.0/23', kind='phone', gtp=True)
    w.add_hosts(40, '10.8.0.0/24', vlan=100, v6net='2a02:8108:1234:5600::/64')
    w.benign(irregular=6, chat=0.35)
    w.truth['benign_only'] = True
    w.truth['notes'].append('includes a team-chat keepalive (5 min, working hours) on ~35% of hosts')

def s09(w):
    w.add_hosts(30, '10.9.0.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 6)
    w.c2('185.215.113.66', v[:3], 'tcp', 443, 600, 0.2, offline=True, label='intel-listed OFFLINE, SYNs only')
    # online listed C2: irregular, few contacts
    w.c2('5.252.176.21', v[3:5], 'http', 80, name='pay-verify-secure.com', label='intel-listed online, irregular',
         schedule=lambda h: sorted(w.rng.uniform(w.t0, w.t1) for _ in range(w.rng.randint(2, 5))))
    w.c2('45.134.26.3', v[5:], 'tls', 443, 300, 0.15, name='cloud-sync-node.net', label='unlisted TLS 5min (behaviour only)')
    w.intel(os.path.join(w.outdir, 'intel.txt'), [('185.215.113.66', 'botnet C2 (offline since 2026-02)'),
                                                 ('5.252.176.21', 'stealer panel'), ('193.42.33.14', 'never contacted')])

def s10(w):
    w.add_hosts(50, '10.10.0.0/24'); w.add_hosts(30, '10.10.1.0/24', kind='phone')
    w.benign()
    r = w.rng
    v = pick(r, w.hosts, 26)
    w.c2('185.100.87.41', v[0:1], 'tls', 443, 30, 0.20, name='ocsp-verify-cdn.com', label='30s 20%')
    w.c2('45.67.34.12', v[1:11], 'http', 80, 300, 0.30, 'gauss', name='news-feed-api.biz', label='5min gauss 30%, 10 victims')
    w.c2('91.92.243.15', v[11:15], 'tcp', 4444, 1020, 0.0, label='17min no jitter raw TCP')
    w.c2('5.42.65.101', v[15:18], 'tls', 443, 3600, 0.30, missed=0.20, name='sync.office-cloudapi.net', label='1h 30% 20% missed')
    w.c2('194.26.29.113', v[18:20], 'udp', 5000, 7200, 0.10, label='2h UDP 10%')
    w.c2('103.75.190.11', v[20:26], 'tls', 443, 600, 0.30, 'cs', name='assets.gstatic-cdn.org', label='10min CS 30%, 6 victims')

def s11(w):
    w.add_hosts(20, '10.11.0.0/24', v6net='2a02:8108:1234:5600::/64')
    w.benign()
    v = pick(w.rng, w.hosts, 3)
    w.c2('2a0b:4140:dd1::25', v[:2], 'tls', 443, 600, 0.20, name='v6.cdn-telemetry.net', label='IPv6 TLS 10min 20%')
    w.c2('185.156.73.54', v[2:], 'http', 80, 180, 0.25, 'gauss', label='HTTP 3min gauss bare IP')

def s12(w):
    w.add_hosts(25, '10.12.0.0/24')
    w.benign()
    w.c2('5.181.80.13', pick(w.rng, w.hosts, 8), 'http', 80, 300, 0.30, 'gauss', missed=0.20, name='cdn.jsdeliver-static.com', label='5min gauss30% 20% missed, 8/25 hosts')

def s13(w):
    w.add_hosts(20, '10.13.0.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 3)
    w.c2('45.155.205.233', v[:2], 'tls', 443, 7200, 0.10, start_frac=(0, 0.0), name='portal-auth-check.com', label='2h over 6h (3 beats)')
    w.c2('185.196.8.22', v[2:], 'tcp', 8443, 3600, 0.05, start_frac=(0, 0.0), label='1h raw TCP over 6h')

def s14(w):
    w.add_hosts(30, '10.14.0.0/24', vlan=14); w.add_hosts(20, '10.14.1.0/24', vlan=15)
    w.add_hosts(20, '10.220.0.0/24', kind='phone', gtp=True)
    w.benign()
    r = w.rng
    v = pick(r, w.hosts, 7)
    w.c2('91.200.12.4', v[:5], 'udp', 1337, 1800, 0.25, label='UDP 30min 25% VLAN+GTP')
    w.c2('185.234.216.59', v[5:], 'http', 80, 60, 0.30, missed=0.10, start_frac=(0.45, 0.55), name='login-msonline-check.com', label='HTTP 60s 30% from mid-capture')

def s15(w):
    w.add_hosts(8, '192.168.1.0/24')
    w.add_hosts(2, '192.168.2.0/24', kind='phone')
    w.benign(irregular=2)
    w.truth['benign_only'] = True

def s16(w):
    w.add_hosts(40, '10.16.0.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 6)
    w.c2('185.174.100.7', v[:4], 'http', 443, 60, 0.30, 'cs', name='ajax.cdnjs-static.net', label='CS 60s 30% (HTTP on 443)')
    w.c2('45.61.136.1', v[4:], 'tls', 443, 300, 0.15, active=(8, 20), name='update.teams-cdn.org', label='5min 15% working hours only')

def s17(w):
    w.add_hosts(45, '10.17.0.0/24')
    w.benign()
    v = pick(w.rng, w.hosts, 6)
    w.c2('185.141.27.77', v[:3], 'tls', 443, 7200, 0.30, missed=0.20, name='backup-sync-svc.net', label='2h 30% 20% missed 24h')
    w.c2('5.149.254.31', v[3:], 'http', 80, 3600, 0.30, 'gauss', missed=0.15, label='1h gauss30% 15% missed bare IP')

def s18(w):
    w.add_hosts(20, '10.18.0.0/24')
    w.benign()
    w.c2('91.243.44.130', pick(w.rng, w.hosts, 10), 'tls', 443, 600, 0.20, name='cdn-metrics-edge.com', label='STRESS 10 victims of 20 hosts (50%)')

def s19(w):
    w.add_hosts(30, '10.230.0.0/24', kind='phone', gtp=True)
    w.add_hosts(10, '10.19.0.0/24', vlan=40)
    w.benign()
    w.c2('45.137.21.9', [w.hosts[3]], 'tcp', 9443, 3600, 0.30, 'uniform', missed=0.20, start_frac=(0, 0.01), label='hourly backdoor 30% jitter 20% missed, GTP phone')

SCEN = {
    # name: (fn, seed, hours, start_offset_days, home_net)
    's01_office_tls5m':   (s01, 101, 8, 0, '10.1.1.0/24'),
    's02_http30s_tcp17m': (s02, 102, 24, 1, '10.2.0.0/23'),
    's03_long_periods':   (s03, 103, 36, 2, '192.168.10.0/24'),
    's04_backdoor_vlan':  (s04, 104, 24, 3, '10.20.0.0/22'),
    's05_dga':            (s05, 105, 24, 4, '10.5.0.0/24'),
    's06_gtpu_mobile':    (s06, 106, 12, 5, '10.200.0.0/23'),
    's07_benign_office':  (s07, 107, 24, 6, '10.7.0.0/23'),
    's08_benign_mobile':  (s08, 108, 12, 7, '10.210.0.0/23,10.8.0.0/24,2a02:8108:1234:5600::/64'),
    's09_intel':          (s09, 109, 24, 8, '10.9.0.0/24'),
    's10_multi_country':  (s10, 110, 24, 9, '10.10.0.0/23'),
    's11_ipv6':           (s11, 111, 12, 10, '10.11.0.0/24,2a02:8108:1234:5600::/64'),
    's12_heavy_miss':     (s12, 112, 6, 11, '10.12.0.0/24'),
    's13_short_capture':  (s13, 113, 6, 12, '10.13.0.0/24'),
    's14_mixed_36h':      (s14, 114, 36, 13, '10.14.0.0/23,10.220.0.0/24'),
    's15_benign_small':   (s15, 115, 36, 14, '192.168.1.0/24,192.168.2.0/24'),
    's16_cs_workhours':   (s16, 116, 24, 15, '10.16.0.0/24'),
    's17_long_jittery':   (s17, 117, 24, 16, '10.17.0.0/24'),
    's18_stress_half':    (s18, 118, 24, 17, '10.18.0.0/24'),
    's19_backdoor_gtp':   (s19, 119, 30, 18, '10.230.0.0/24,10.19.0.0/24'),
}

def build(outdir, name):
    fn, seed, hours, off, homenet = SCEN[name]
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    _ident[0] = 1; _ipc.clear()
    w = World(seed, DAY0 + off * 86400, hours, '10.0.0.2')
    w.outdir = d
    fn(w)
    n = w.cap.write(os.path.join(d, 'traffic.pcap'), w.t1)
    w.truth.update({'profile': PROFILE, 'scenario': name, 'hosts': len(w.hosts), 'hours': hours, 'home_net': homenet, 'packets': n,
                    'has_intel': os.path.exists(os.path.join(d, 'intel.txt'))})
    w.truth['servers'] = {k: v for k, v in w.truth['servers'].items() if v['victims']}
    with open(os.path.join(d, 'truth.json'), 'w') as f:
        json.dump(w.truth, f, indent=1, sort_keys=True)
    return n

if __name__ == '__main__':
    out = sys.argv[1]
    names = sys.argv[2:] or list(SCEN)
    for nm in names:
        n = build(out, nm)
        print('%-22s %8d packets' % (nm, n), flush=True)
