"""Scenario framework and behaviours (benign and C2). Deterministic by seed."""
import calendar
import ipaddress
import math
import random

import geo
from netgen import (Conn, dns_query, dns_response, http_connect, http_request, http_response, tls_app,
                    tls_client_hello, tls_server_hello, HTTP_200_CONN)

T0 = calendar.timegm((2026, 11, 2, 0, 0, 0))  # Monday 2026-11-02 00:00 UTC
H = 3600.0

# ASNs used to pick real addresses (the country is always checked in the country database)
AS_GOOGLE, AS_CF, AS_AKAMAI, AS_AMAZON, AS_MS, AS_APPLE, AS_FASTLY = 15169, 13335, 20940, 16509, 8075, 714, 54113
AS_NETFLIX, AS_META, AS_DROPBOX, AS_TELEGRAM, AS_OVH, AS_HETZNER, AS_DO = 2906, 32934, 19679, 62041, 16276, 24940, 14061
AS_SELECTEL, AS_ROSTELECOM, AS_CHINANET, AS_M247, AS_LEASEWEB, AS_VULTR = 49505, 12389, 4134, 9009, 60781, 20473
AS_VIETTEL, AS_TURKTEL, AS_UKRTEL, AS_CLARO, AS_BSNL, AS_KT, AS_TELMEX = 7552, 9121, 6849, 28573, 9829, 4766, 8151
AS_DTAG, AS_ORANGE, AS_FREE, AS_HINET, AS_TELSTRA, AS_ROGERS, AS_IR = 3320, 3215, 12322, 3462, 1221, 812, 58224
AS_CHINAUNI, AS_SOFTBANK, AS_TIM, AS_TEF, AS_BT, AS_KPN = 4837, 17676, 3269, 3352, 2856, 1136

UA_BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


class Scen:
    def __init__(self, name, seed, fmt, hours, home_nets=(), home_country=None, start=T0):
        self.name = name
        self.seed = seed
        self.fmt = fmt
        self.rng = random.Random(seed)
        self.t0 = start
        self.t1 = start + hours * H
        self.hours = hours
        self.home_nets = [ipaddress.ip_network(n) for n in home_nets]
        self.home_country = home_country
        self.avoid = (home_country,) if home_country else ()
        self.picker = geo.Picker(seed * 7919 + 1)
        self.conns = []
        self.names = {}
        self.cache = {}
        self.nextport = {}
        self.rtts = {}
        self.c2 = {}  # ip -> {behaviour, kind, names}
        self.benign = []  # labels of periodic benign destinations
        self.resolver = {}  # host -> resolver ip
        self.default_resolver = None
        self.tid = 1
        self._home_cache = {}
        self.args = []
        self.notes = []
        self.intel_file = None
        self.nat_map = None  # host -> public address (sensor outside a NAT)

    # -------------------------------------------------------------- addresses
    def is_home(self, ip):
        r = self._home_cache.get(ip)
        if r is None:
            a = ipaddress.ip_address(ip)
            r = any(a in n for n in self.home_nets)
            if not r and self.home_country:
                r = geo.country(ip) == self.home_country or a.is_private
            if not self.home_nets and not self.home_country:
                r = a.is_private
            self._home_cache[ip] = r
        return r

    def ext(self, asns, cc=None, n=1, fam=6 if False else 4):
        return self.picker.pick(asns if isinstance(asns, (list, tuple)) else [asns], cc=cc, avoid=self.avoid,
                                fam=fam, n=n)

    def ext1(self, asns, cc=None, fam=4):
        return self.ext(asns, cc=cc, n=1, fam=fam)[0]

    def port(self, host):
        p = self.nextport.get(host)
        if p is None:
            p = 49152 + self.rng.randint(0, 12000)
        p += 1 + (self.rng.random() < 0.3)
        if p > 65500:
            p = 49152
        self.nextport[host] = p
        return p

    def rtt(self, ip):
        r = self.rtts.get(ip)
        if r is None:
            r = self.rtts[ip] = (0.0008 if self.is_home(ip) else self.rng.uniform(0.012, 0.22))
        return r

    # -------------------------------------------------------------- DNS
    def add_name(self, name, ips, ttl=300, t_from=None):
        self.names.setdefault(name, []).append((self.t0 - 1 if t_from is None else t_from, ips if callable(ips) else list(ips), ttl))
        self.names[name].sort(key=lambda x: x[0])

    def answer(self, name, t, fam=4):
        ent = None
        for e in self.names[name]:
            if e[0] <= t:
                ent = e
        if ent is None:
            ent = self.names[name][0]
        _, ips, ttl = ent
        if callable(ips):
            ips = ips(t)
        ips = [i for i in ips if (":" in i) == (fam == 6)]
        return ips, ttl

    def resolve(self, host, name, t, fam=4, force=False):
        if name is None:
            return []
        key = (host, name, fam)
        ce = self.cache.get(key)
        if ce and ce[0] > t and not force:
            return ce[1]
        ips, ttl = self.answer(name, t, fam)
        res = self.resolver.get(host, self.default_resolver)
        if res is not None:
            src = self.pub(host)
            c = Conn(t - 0.03, "udp", src, self.port(host), res, 53, "SF", rtt=self.rtt(res) * 0.3 + 0.002)
            tid = self.tid = (self.tid * 1103515245 + 12345) & 0xFFFF
            qt = 28 if fam == 6 else 1
            c.msgs = [(t - 0.03, 0, dns_query(tid, name, qt)),
                      (t - 0.03 + c.rtt, 1, dns_response(tid, name, qt, ips, ttl))]
            c.app = {"service": "dns", "dns": {"tid": tid, "query": name, "qtype": qt, "answers": ips, "ttl": ttl}}
            self.conns.append(c)
        self.cache[key] = (t + ttl, ips)
        return ips

    def pub(self, host):
        if self.nat_map is not None:
            return self.nat_map
        return host

    # -------------------------------------------------------------- connections
    def tls(self, host, server, t, sni, up=600, down=3000, port=443, state="SF", tag=None, extra=(), close="fin"):
        src = self.pub(host)
        c = Conn(t, "tcp", src, self.port(host), server, port, state, rtt=self.rtt(server), close=close)
        r = c.rtt
        if state == "SF":
            hs = self.rng.randint(0, 1 << 30)
            m = [(t + r * 1.6, 0, tls_client_hello(sni or "", hs) if sni is not None else tls_client_hello("", hs)),
                 (t + r * 2.7, 1, tls_server_hello(hs)),
                 (t + r * 3.4, 0, tls_app(up)), (t + r * 4.5 + 0.01, 1, tls_app(down))]
            tt = t + r * 4.6 + 0.02
            for (dt, d, n) in extra:
                tt += dt
                m.append((tt, d, tls_app(n)))
            c.msgs = m
            c.app = {"service": "ssl", "sni": sni}
        c.tag = tag
        self.conns.append(c)
        return c

    def http(self, host, server, t, hostname, uri="/", method="GET", up=0, down=2000, port=80, state="SF",
             tag=None, ua=UA_BROWSER, status=200):
        src = self.pub(host)
        c = Conn(t, "tcp", src, self.port(host), server, port, state, rtt=self.rtt(server))
        r = c.rtt
        if state == "SF":
            c.msgs = [(t + r * 1.6, 0, http_request(method, hostname, uri, ua, up)),
                      (t + r * 2.7 + 0.01, 1, http_response(status, down))]
            c.app = {"service": "http", "host": hostname, "uri": uri, "method": method, "ua": ua, "req_len": up,
                     "resp_len": down, "status": status}
        c.tag = tag
        self.conns.append(c)
        return c

    def udp(self, host, server, t, sport, dport, req=60, resp=60, tag=None):
        src = self.pub(host)
        c = Conn(t, "udp", src, sport, server, dport, "SF" if resp else "S0", rtt=self.rtt(server))
        c.msgs = [(t, 0, req)]
        if resp:
            c.msgs.append((t + c.rtt, 1, resp))
        c.tag = tag
        self.conns.append(c)
        return c

    def icmp(self, host, server, t, seqbase, size=56, answered=True, tag=None, ident=0x1234):
        src = self.pub(host)
        c = Conn(t, "icmp", src, seqbase, server, 0, "SF" if answered else "S0", rtt=self.rtt(server))
        pay = bytes((i * 7 + seqbase) & 0xFF for i in range(size))
        c.msgs = [(t, 0, pay)] + ([(t + c.rtt, 1, pay)] if answered else [])
        c.icmp_id = ident
        c.tag = tag
        self.conns.append(c)
        return c

    # -------------------------------------------------------------- truth helpers
    def mark_c2(self, ip, behaviour, kind="c2", names=()):
        e = self.c2.setdefault(ip, {"behaviour": behaviour, "kind": kind, "names": []})
        for n in names:
            if n not in e["names"]:
                e["names"].append(n)

    def label(self, dst, label, hosts=1, period=None):
        self.benign.append({"dst": dst, "label": label, "hosts": hosts, "period_s": period})


# ------------------------------------------------------------------ time helpers

def hour_of(t):
    return ((t - T0) % 86400) / 3600.0


def profile_active(profile, t, rng=None):
    h = hour_of(t)
    if profile == "always":
        return True
    if profile == "office":
        return 7.5 <= h < 18.5
    if profile == "home":
        return 6.5 <= h < 8.5 or 16.5 <= h < 23.8
    if profile == "student":
        return h >= 9 or h < 1.5
    if profile == "evening":
        return 18 <= h < 23.5
    return True


def draw(rng, period, jitter, model):
    if model == "uniform":
        return period * (1 + rng.uniform(-jitter, jitter))
    if model == "gauss":
        return period * max(0.05, rng.gauss(1.0, jitter / 2))
    if model == "cs":  # Cobalt-Strike-like: sleep reduced by up to jitter
        return period * (1 - rng.uniform(0, jitter))
    if model == "lognorm":
        return period * math.exp(rng.gauss(0, jitter / 2)) / math.exp((jitter / 2) ** 2 / 2)
    if model == "fixed":
        return period * (1 + rng.uniform(-0.002, 0.002))
    raise ValueError(model)


def schedule(sc, t0, t1, period, jitter=0.0, model="uniform", miss=0.0, active=None):
    rng = sc.rng
    t = t0 + rng.uniform(0, period)
    out = []
    while t < t1:
        if (active is None or active(t)) and rng.random() >= miss:
            out.append(t)
        t += draw(rng, period, jitter, model)
    return out


def poisson(sc, t0, t1, rate_per_h, active=None):
    rng = sc.rng
    out = []
    t = t0
    while True:
        t += rng.expovariate(rate_per_h / H)
        if t >= t1:
            return out
        if active is None or active(t):
            out.append(t)


# ------------------------------------------------------------------ benign catalogue

class Catalog:
    """Benign services with real addresses and names, per scenario."""

    def __init__(self, sc, v6=False):
        self.sc = sc
        ext = sc.ext
        self.sites = []  # (name, [ips]) browsing targets
        pools = [(AS_CF, 14), (AS_AKAMAI, 10), (AS_FASTLY, 8), (AS_AMAZON, 14), (AS_GOOGLE, 8), (AS_MS, 6),
                 (AS_OVH, 6), (AS_META, 4), (AS_DO, 4)]
        k = 0
        for asn, n in pools:
            for ip in ext(asn, n=n):
                k += 1
                name = "www.site%03d-%s.com" % (k, sc.name[:4].replace("_", ""))
                ips = [ip]
                if v6 and asn in (AS_CF, AS_GOOGLE, AS_AKAMAI, AS_META):
                    ips.append(ext(asn, fam=6)[0])
                sc.add_name(name, ips, ttl=sc.rng.choice((60, 300, 3600)))
                self.sites.append((name, ips))
        # shared CDN edges: many names on one address
        self.cdn = ext(AS_AKAMAI, n=3) + ext(AS_CF, n=3)
        self.cdn_names = []
        for i in range(12):
            nm = "static%d.cdn-assets%d.net" % (i, i % 4)
            sc.add_name(nm, [self.cdn[i % len(self.cdn)]], ttl=60)
            self.cdn_names.append(nm)
        self.svc = {}

        def svc(key, name, asn, n=1, ttl=300, v6ok=False):
            ips = ext(asn, n=n)
            if v6 and v6ok:
                ips = ips + ext(asn, n=1, fam=6)
            sc.add_name(name, ips, ttl=ttl)
            self.svc[key] = (name, ips)

        svc("ocsp", "ocsp.digicert.com", AS_AKAMAI, 2, 300)
        svc("ocsp2", "r11.o.lencr.org", AS_AKAMAI, 2, 300)
        svc("telemetry", "v10.events.data.microsoft.com", AS_MS, 3, 120)
        svc("winupd", "fe3cr.delivery.mp.microsoft.com", AS_MS, 2, 600)
        svc("chromeupd", "update.googleapis.com", AS_GOOGLE, 2, 300, True)
        svc("push_apple", "courier.push.apple.com", AS_APPLE, 3, 600)
        svc("push_google", "mtalk.google.com", AS_GOOGLE, 2, 300, True)
        svc("dropbox", "bolt.dropbox.com", AS_DROPBOX, 2, 300)
        svc("onedrive", "skyapi.live.net", AS_MS, 2, 300)
        svc("imap", "outlook.office365.com", AS_MS, 3, 60)
        svc("teams", "teams.events.data.microsoft.com", AS_MS, 2, 300)
        svc("netflix", "ipv4-c001.oca.nflxvideo.net", AS_NETFLIX, 2, 300)
        svc("youtube", "rr3---sn-4g5e6nsz.googlevideo.com", AS_GOOGLE, 1, 1800, True)
        svc("alexa", "avs-alexa-4-eu.amazon.com", AS_AMAZON, 2, 60)
        svc("googlehome", "clients4.google.com", AS_GOOGLE, 1, 300, True)
        svc("camcloud", "device-eu.cam-cloud-ivs.com", AS_AMAZON, 2, 60)
        svc("camcloud2", "p2p-relay.camviewer-iot.com", AS_VULTR, 1, 600)
        svc("thermo", "api.thermo-smart-home.com", AS_AMAZON, 1, 300)
        svc("sip", "sip.voip-carrier.example.net", AS_OVH, 1, 3600)
        svc("av", "update.antivirus-vendor.com", AS_AKAMAI, 2, 300)
        svc("edr", "eu.edr-cloud-sensor.com", AS_AMAZON, 3, 60)
        svc("mdm", "enroll.mdm-cloud.com", AS_MS, 1, 300)
        svc("backup", "vault.backup-saas.com", AS_AMAZON, 1, 300)
        svc("spotify", "spclient.wg.spotify.com", AS_GOOGLE, 2, 300)
        svc("wa", "g.whatsapp.net", AS_META, 2, 300, True)
        svc("tv", "api.smarttv-vendor.com", AS_AMAZON, 1, 300)
        svc("console", "conn.gamenet-console.com", AS_AMAZON, 2, 300)
        svc("printer", "fw.printer-vendor.com", AS_AKAMAI, 1, 300)
        svc("slack", "wss-primary.slack.com", AS_AMAZON, 2, 60)
        self.ntp = ext(AS_HETZNER if "DE" not in sc.avoid else AS_OVH, n=2) + ext(AS_OVH, n=2)
        sc.add_name("pool.ntp.org", lambda t, ips=self.ntp: [ips[int((t - T0) // 7200) % 4]], ttl=150)
        self.vpn = ext(AS_M247)
        self.dns_public = None

    def name_ip(self, key):
        return self.svc[key]


# ------------------------------------------------------------------ benign behaviours

def b_browse(sc, cat, host, rate_per_h, profile, fam=4, t0=None, t1=None, proxy=None):
    rng = sc.rng
    zipf = [1.0 / (i + 1) ** 0.9 for i in range(len(cat.sites))]
    for t in poisson(sc, t0 or sc.t0, t1 or sc.t1, rate_per_h, lambda x: profile_active(profile, x)):
        name, ips = rng.choices(cat.sites, zipf)[0]
        items = [(name, rng.randint(1, 4))] + [(rng.choice(cat.cdn_names), 1) for _ in range(rng.randint(1, 5))]
        tt = t
        for (nm, reps) in items:
            for _ in range(reps):
                tt += rng.uniform(0.05, 3.0)
                do_get(sc, host, nm, tt, fam, rng.randint(400, 1500), min(60000, int(rng.lognormvariate(7.8, 1.1))),
                       proxy=proxy)
        if rng.random() < 0.15:
            nm, _ = cat.svc[rng.choice(("ocsp", "ocsp2"))]
            tt += 0.2
            do_get(sc, host, nm, tt, 4, 0, 1400, http=True, uri="/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ", proxy=proxy)


def do_get(sc, host, name, t, fam, up, down, http=False, uri="/", proxy=None, port=None, tag=None, sni=None,
           extra=(), ua=UA_BROWSER, method=None, state="SF"):
    """one request to a named service, directly (with DNS) or through an explicit proxy."""
    down = min(down, 400000)
    if proxy is not None:
        return via_proxy(sc, host, proxy, name, t, up, down, http, uri, tag=tag, sni=sni, extra=extra, ua=ua,
                         method=method)
    ips = sc.resolve(host, name, t, fam)
    if not ips and fam == 6:
        ips = sc.resolve(host, name, t, 4)
    if not ips:
        return None
    ip = ips[0] if len(ips) == 1 else ips[int(sc.rng.random() * len(ips))]
    if http:
        return sc.http(host, ip, t + 0.01, name, uri, method or ("POST" if up else "GET"), up, down,
                       port=port or 80, tag=tag, ua=ua, state=state)
    return sc.tls(host, ip, t + 0.01, sni if sni is not None else name, up, down, port=port or 443, tag=tag,
                  extra=extra, state=state)


def via_proxy(sc, host, proxy, name, t, up, down, http, uri, tag=None, sni=None, extra=(), ua=UA_BROWSER,
              method=None):
    """client -> proxy:3128 (internal flow) and proxy -> server (the only outbound flow)."""
    pip, pport = proxy
    rng = sc.rng
    r_in = 0.0006
    c = Conn(t, "tcp", host, sc.port(host), pip, pport, "SF", rtt=r_in)
    ips = sc.resolve(pip, name, t + 0.002)
    if not ips:
        return None
    ip = ips[0] if len(ips) == 1 else ips[int(rng.random() * len(ips))]
    ro = sc.rtt(ip)
    if http:
        c.msgs = [(t + 0.001, 0, http_request(method or ("POST" if up else "GET"), name, uri, ua, up, proxy=True)),
                  (t + 0.01 + ro * 3, 1, http_response(200, down))]
        c.app = {"service": "http", "host": name, "uri": "http://%s%s" % (name, uri), "method": "GET", "ua": ua,
                 "req_len": up, "resp_len": down, "status": 200}
        sc.conns.append(c)
        oc = sc.http(pip, ip, t + 0.004, name, uri, method or ("POST" if up else "GET"), up, down, tag=tag, ua=ua)
    else:
        hs = rng.randint(0, 1 << 30)
        s = sni if sni is not None else name
        c.msgs = [(t + 0.001, 0, http_connect(name, 443)), (t + 0.004 + ro * 1.5, 1, HTTP_200_CONN),
                  (t + 0.006 + ro * 1.5, 0, tls_client_hello(s, hs)), (t + 0.008 + ro * 2.5, 1, tls_server_hello(hs)),
                  (t + 0.01 + ro * 2.6, 0, tls_app(up)), (t + 0.012 + ro * 3.6, 1, tls_app(down))]
        c.app = {"service": "http,ssl", "sni": s}
        sc.conns.append(c)
        oc = sc.tls(pip, ip, t + 0.003, s, up, down, tag=tag, extra=extra)
    if tag:
        c.tag = "client:" + tag
    return oc


def b_periodic_tls(sc, host, key_or_name, period, jitter, model, profile="always", up=400, down=800, cat=None,
                   fam=4, http=False, uri="/", port=None, label=None, proxy=None, sizes_var=0.2):
    name = cat.svc[key_or_name][0] if cat and key_or_name in cat.svc else key_or_name
    for t in schedule(sc, sc.t0, sc.t1, period, jitter, model, active=lambda x: profile_active(profile, x)):
        u = int(up * (1 + sc.rng.uniform(-sizes_var, sizes_var)))
        d = int(down * (1 + sc.rng.uniform(-sizes_var, sizes_var)))
        do_get(sc, host, name, t, fam, u, d, http=http, uri=uri, port=port, proxy=proxy)
    return name


def b_ntp(sc, cat, host, period=1024, profile="always"):
    for t in schedule(sc, sc.t0, sc.t1, period, 0.05, "uniform", active=lambda x: profile_active(profile, x)):
        ips = sc.resolve(host, "pool.ntp.org", t)
        sc.udp(host, ips[0], t + 0.01, 123 if sc.nat_map is None else sc.port(host), 123, 48, 48)


def b_sip(sc, cat, host, period):
    name, ips = cat.svc["sip"]
    for t in schedule(sc, sc.t0, sc.t1, period, 0.01, "uniform"):
        sc.udp(host, ips[0], t, 5060, 5060, 520 + sc.rng.randint(0, 30), 410)
        sc.conns[-1].msgs.append((t + sc.rtt(ips[0]) * 2 + 0.05, 0, 560))
        sc.conns[-1].msgs.append((t + sc.rtt(ips[0]) * 3 + 0.06, 1, 380))


def b_wireguard(sc, cat, host, period=25.0, profile="office"):
    ip = cat.vpn[0]
    sport = 51820 if sc.nat_map is None else sc.port(host)
    for t in schedule(sc, sc.t0, sc.t1, period, 0.01, "uniform", active=lambda x: profile_active(profile, x)):
        sc.udp(host, ip, t, sport, 51820, 32, 32)


def b_push_session(sc, cat, host, key, keepalive, hours_per_session=4.0, profile="always"):
    """long TLS session with keepalives; reconnects every few hours."""
    name, ips = cat.svc[key]
    t = sc.t0 + sc.rng.uniform(0, 600)
    while t < sc.t1:
        if not profile_active(profile, t):
            t += 1800
            continue
        dur = sc.rng.uniform(0.5, 1.5) * hours_per_session * H
        ips = sc.resolve(host, name, t)
        extra = []
        tt = 0.0
        while tt < dur and t + tt < sc.t1:
            step = keepalive * sc.rng.uniform(0.97, 1.03)
            tt += step
            extra.append((step, 0, 40))
            extra.append((sc.rtt(ips[0]), 1, 40))
        sc.tls(host, ips[0], t, name, 500, 2000, port=5223 if key == "push_apple" else (5228 if key == "push_google"
                                                                                     else 443), extra=extra)
        t += tt + sc.rng.uniform(5, 120)


def b_stream(sc, cat, host, key, sessions, chunk=40000, every=6.0, minutes=30, profile="evening"):
    name, ips = cat.svc[key]
    for _ in range(sessions):
        for _try in range(50):
            t = sc.rng.uniform(sc.t0, sc.t1 - minutes * 60)
            if profile_active(profile, t):
                break
        ips = sc.resolve(host, name, t)
        n = int(minutes * 60 / every)
        extra = []
        for _ in range(n):
            extra.append((every * sc.rng.uniform(0.8, 1.2), 0, 120))
            extra.append((0.05, 1, chunk))
        sc.tls(host, ips[0], t, name, 800, 5000, extra=extra)


def household(sc, cat, host, rng, scale=1.0, fam=4, allow_periodic=True, profile="home"):
    """An ISP subscriber (a whole home behind one address)."""
    b_browse(sc, cat, host, 3.0 * scale, profile, fam)
    if rng.random() < 0.6:
        b_push_session(sc, cat, host, rng.choice(("push_apple", "push_google")), rng.choice((900, 1680)), 5)
    if rng.random() < 0.3:
        b_stream(sc, cat, host, rng.choice(("netflix", "youtube")), 1, chunk=rng.choice((20000, 60000)), every=8,
                 minutes=rng.randint(15, 60))
    if not allow_periodic:
        return
    if rng.random() < 0.5:
        b_periodic_tls(sc, host, "telemetry", 900, 0.15, "uniform", "home", 1500, 300, cat)
    if rng.random() < 0.25:
        b_periodic_tls(sc, host, "alexa", 300, 0.03, "uniform", "always", 200, 150, cat)
    if rng.random() < 0.06:
        b_periodic_tls(sc, host, "camcloud", rng.choice((30, 60, 120)), 0.05, "uniform", "always", 20000, 300, cat)
    if rng.random() < 0.1:
        b_sip(sc, cat, host, rng.choice((120, 300, 600)))
    if rng.random() < 0.05:
        b_wireguard(sc, cat, host, 25, "office")
    if rng.random() < 0.15:
        b_periodic_tls(sc, host, "dropbox", 75, 0.2, "uniform", "home", 300, 200, cat)
    if rng.random() < 0.4:
        b_ntp(sc, cat, host, rng.choice((1024, 2048)))


# ------------------------------------------------------------------ C2 behaviours

def c2_beacon(sc, host, ip_or_name, period, jitter, model, tag, sni=None, http=False, uri="/", profile="always",
              fam=4, up=(180, 420), down=(90, 260), task_p=0.03, port=None, proxy=None, miss=0.0, t0=None, t1=None,
              method="POST", state="SF", ua="Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2)"):
    rng = sc.rng
    is_name = not _is_ip(ip_or_name)
    for t in schedule(sc, t0 or sc.t0, t1 or sc.t1, period, jitter, model, miss,
                      active=lambda x: profile_active(profile, x)):
        u = rng.randint(*up)
        d = rng.randint(*down) if rng.random() > task_p else rng.randint(5000, 60000)
        if proxy is not None:
            oc = via_proxy(sc, host, proxy, ip_or_name, t, u, d, http, uri, tag=tag, sni=sni, ua=ua, method=method)
            if oc is not None:
                sc.mark_c2(oc.rh, tag, names=[ip_or_name])
            continue
        if is_name:
            ips = sc.resolve(host, ip_or_name, t, fam)
            if not ips:
                continue
            ip = ips[0] if len(ips) == 1 else ips[int(rng.random() * len(ips))]
            hn = ip_or_name
        else:
            ip = ip_or_name
            hn = ip_or_name
        if http:
            sc.http(host, ip, t + 0.01, hn, uri, method, u, d, port=port or 80, tag=tag, ua=ua, state=state)
        else:
            sc.tls(host, ip, t + 0.01, sni if sni is not None else (hn if is_name else None), u, d,
                   port=port or 443, tag=tag, state=state)
        sc.mark_c2(ip, tag, names=[hn] if is_name else [])


def _is_ip(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def c2_irc(sc, host, server, tag, sessions=4, port=6667, ping=(90, 290), refused_first=True):
    rng = sc.rng
    t = sc.t0 + rng.uniform(300, 1800)
    span = (sc.t1 - t) / sessions
    for s in range(sessions):
        if refused_first and s == 2:
            sc.conns.append(Conn(t, "tcp", sc.pub(host), sc.port(host), server, port, "REJ", rtt=sc.rtt(server)))
            sc.conns[-1].tag = tag
            t += rng.uniform(30, 90)
        end = min(sc.t1 - 60, t + span * rng.uniform(0.75, 0.95))
        c = Conn(t, "tcp", sc.pub(host), sc.port(host), server, port, "SF", rtt=sc.rtt(server),
                 close="rst" if s % 2 else "fin")
        r = c.rtt
        nick = "DEU|XP|%05d" % rng.randint(0, 99999)
        m = [(t + r * 1.6, 0, ("NICK %s\r\nUSER %s 8 * :%s\r\n" % (nick, nick, nick)).encode()),
             (t + r * 2.6, 1, b":irc.local 001 " + nick.encode() + b" :Welcome\r\n:irc.local 376 " + nick.encode()
              + b" :End of /MOTD\r\n"),
             (t + r * 3.6, 0, b"JOIN #b0ts k3y\r\n"),
             (t + r * 4.6, 1, b":" + nick.encode() + b" JOIN :#b0ts\r\n:irc.local 332 #b0ts :!update\r\n")]
        tt = t + r * 5
        while True:
            tt += rng.uniform(*ping)
            if tt > end:
                break
            tok = str(rng.randint(10 ** 8, 10 ** 9)).encode()
            m.append((tt, 1, b"PING :" + tok + b"\r\n"))
            m.append((tt + r + 0.002, 0, b"PONG :" + tok + b"\r\n"))
            if rng.random() < 0.03:
                m.append((tt + 2, 1, b":op!op@x PRIVMSG #b0ts :!ddos 203.0.113.7 80 60\r\n"))
        c.msgs = m
        c.app = {"service": "irc"}
        c.tag = tag
        sc.conns.append(c)
        sc.mark_c2(server, tag)
        t = end + rng.uniform(60, 900)


def c2_icmp(sc, host, server, period, jitter, model, tag):
    seq = 1
    for t in schedule(sc, sc.t0, sc.t1, period, jitter, model):
        sc.icmp(host, server, t, seq, size=sc.rng.choice((32, 48, 64)), tag=tag, ident=0x4242)
        seq += 1
    sc.mark_c2(server, tag)


def c2_p2p(sc, host, peers, alive, step=(45, 90), tag="p2p"):
    """round robin over a peer list, UDP to each peer's port; dead peers never answer."""
    rng = sc.rng
    sport = rng.randint(20000, 60000)
    ports = {p: rng.randint(1024, 65000) for p in peers}
    t = sc.t0 + rng.uniform(10, 100)
    i = 0
    order = list(peers)
    while t < sc.t1:
        p = order[i % len(order)]
        i += 1
        if i % len(order) == 0:
            rng.shuffle(order)
        sc.udp(host, p, t, sport, ports[p], rng.randint(60, 140), rng.randint(80, 600) if p in alive else None,
               tag=tag)
        sc.mark_c2(p, tag, kind="p2p_peer")
        t += rng.uniform(*step)
