"""Hosts, benign services and C2 profiles for the indep3 scenarios (deterministic by seed)."""
import hashlib
import math
import random
import struct

from netlib import (Capture, A, dns_query, dns_response, txt_rdata, tls_client_hello, tls_server_hello, tls_app,
                    tls_client_finish, http_request, http_response)

T_MIDNIGHT = 1772409600  # 2026-03-02 00:00:00 UTC, simulated local time == UTC

UA_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36"
UA_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari"


def hip(name, prefix, salt=""):
    """deterministic address inside a /16 or /24 prefix string like '151.101.' or '13.107.4.'"""
    h = hashlib.sha256((name + salt).encode()).digest()
    parts = prefix.rstrip(".").split(".")
    need = 4 - len(parts)
    tail = [str(1 + h[i] % 253) for i in range(need)]
    return ".".join(parts + tail)


class Host:
    def __init__(self, ip, kind, on, user, resolver):
        self.ip = ip
        self.kind = kind
        self.on = on        # powered / network up
        self.user = user    # someone using it
        self.resolver = resolver


def hour_of(t):
    return ((t - T_MIDNIGHT) % 86400) / 3600.0


def window_fn(s, e):
    if s <= e:
        return lambda t: s <= hour_of(t) < e
    return lambda t: hour_of(t) >= s or hour_of(t) < e


ALWAYS = lambda t: True  # noqa: E731


class Net:
    def __init__(self, seed, home_prefixes, t0, t1):
        self.rng = random.Random(seed)
        self.home_prefixes = home_prefixes
        self.cap = Capture(random.Random(seed * 7 + 1), self.is_home)
        self.t0, self.t1 = t0, t1
        self.cache = {}
        self.usage = {}  # external ip -> {service: set(hosts)}
        self.hosts = []

    def is_home(self, ip):
        return any(ip.startswith(p) for p in self.home_prefixes)

    def use(self, ip, service, host):
        self.usage.setdefault(ip, {}).setdefault(service, set()).add(host.ip)

    def eport(self):
        return self.rng.randint(49152, 65535)

    # --- DNS through the host's resolver
    def resolve(self, t, host, name, ips, ttl, qtype=1, force=False, answers=None, rcode=0):
        key = (host.ip, name, qtype)
        if not force and self.cache.get(key, 0) > t:
            return t
        rng = self.rng
        qid = rng.getrandbits(16)
        sp = self.eport()
        self.cap.udp(t, host.ip, sp, host.resolver, 53, dns_query(qid, name, qtype))
        if answers is None:
            ips = list(ips)
            if len(ips) > 1:
                r = rng.randrange(len(ips))
                ips = ips[r:] + ips[:r]
            answers = [(1, A(ip)) for ip in ips]
        rt = rng.uniform(0.003, 0.045)
        self.cap.udp(t + rt, host.resolver, 53, host.ip, sp, dns_response(qid, name, qtype, answers, ttl, rcode))
        if not self.is_home(host.resolver):
            self.use(host.resolver, "dns resolver", host)
        self.cache[key] = t + min(ttl, 900)
        self.last_answer = answers
        return t + rt + 0.001

    def pick(self, name, ips):
        """the address a client connects to after resolve(): first of the last answer."""
        ans = getattr(self, "last_answer", None)
        if ans and ans[0][0] == 1:
            ip = ".".join(str(b) for b in ans[0][1])
            if ip in ips:
                return ip
        return ips[0]

    # --- application exchanges
    def https(self, t, host, ip, sni, req, resp, port=443, service="", tls13=True, think=None, answered=True,
              refused=False, server_rst_after=False, extra_msgs=(), cert=(900, 2000)):
        rng = self.rng
        if service:
            self.use(ip, service, host)
        if think is None:
            think = rng.uniform(0.02, 0.3)
        msgs = [("c", tls_client_hello(rng, sni, tls13), 0.0),
                ("s", tls_server_hello(rng, tls13, rng.randint(*cert)), 0.0)]
        if not server_rst_after:
            msgs += [("c", tls_client_finish(rng, tls13) + tls_app(rng, req), 0.001),
                     ("s", tls_app(rng, resp), think)]
            msgs += list(extra_msgs)
        return self.cap.tcp_conv(t, host.ip, self.eport(), ip, port, msgs, answered=answered, refused=refused,
                                 server_rst_after=server_rst_after)

    def http(self, t, host, ip, port, hosthdr, method, path, body, resp_body, ua=UA_WIN, service="", ctype="text/html",
             answered=True):
        if service:
            self.use(ip, service, host)
        msgs = [("c", http_request(method, hosthdr, path, ua, body), 0.0),
                ("s", http_response(resp_body, ctype), self.rng.uniform(0.02, 0.25))]
        return self.cap.tcp_conv(t, host.ip, self.eport(), ip, port, msgs, answered=answered)

    def raw(self, t, host, ip, port, msgs, service="", answered=True):
        if service:
            self.use(ip, service, host)
        return self.cap.tcp_conv(t, host.ip, self.eport(), ip, port, msgs, answered=answered)


def rsize(rng, median, spread=0.6, lo=40, hi=60000):
    return int(max(lo, min(hi, rng.lognormvariate(math.log(median), spread))))


# =============================================================== benign background

WEB = [
    # name, prefix, n_ips, ttl, weight
    ("www.google.com", "142.250.", 4, 300, 30), ("www.youtube.com", "142.250.", 4, 300, 12),
    ("fonts.googleapis.com", "142.251.", 2, 300, 15), ("www.gstatic.com", "142.251.", 2, 300, 15),
    ("www.bing.com", "13.107.21.", 2, 600, 6), ("login.microsoftonline.com", "20.190.", 4, 300, 10),
    ("outlook.office.com", "52.97.", 4, 60, 14), ("teams.microsoft.com", "52.113.", 2, 300, 8),
    ("www.wikipedia.org", "185.15.59.", 1, 600, 5), ("upload.wikimedia.org", "185.15.59.", 1, 600, 4),
    ("github.com", "140.82.121.", 2, 60, 5), ("api.github.com", "140.82.121.", 2, 60, 3),
    ("www.amazon.com", "54.239.", 3, 60, 5), ("m.media-amazon.com", "151.101.", 4, 300, 5),
    ("www.reddit.com", "151.101.", 4, 300, 5), ("www.nytimes.com", "151.101.", 4, 300, 3),
    ("www.bbc.co.uk", "151.101.", 2, 300, 3), ("cdn.jsdelivr.net", "104.16.", 2, 300, 6),
    ("www.cloudflare.com", "104.16.", 2, 300, 1), ("cdnjs.cloudflare.com", "104.17.", 2, 300, 6),
    ("www.linkedin.com", "13.107.42.", 1, 300, 4), ("www.facebook.com", "157.240.", 1, 60, 5),
    ("static.xx.fbcdn.net", "157.240.", 1, 60, 5), ("www.instagram.com", "157.240.", 1, 60, 3),
    ("slack.com", "3.68.", 2, 60, 3), ("zoom.us", "170.114.", 2, 300, 2),
    ("www.dropbox.com", "162.125.", 1, 300, 2), ("docs.google.com", "142.250.", 4, 300, 8),
    ("drive.google.com", "142.250.", 4, 300, 4), ("mail.google.com", "142.250.", 4, 300, 8),
    ("www.apple.com", "23.33.", 2, 300, 2), ("stackoverflow.com", "104.18.", 2, 300, 4),
    ("news.ycombinator.com", "209.216.230.", 1, 300, 2), ("www.spiegel.de", "128.65.210.", 1, 300, 1),
    ("www.lemonde.fr", "151.101.", 2, 300, 1), ("www.booking.com", "18.66.", 2, 60, 1),
    ("www.netflix.com", "52.94.", 3, 60, 2), ("occ-0-1.nflxso.net", "45.57.", 2, 300, 2),
    ("www.twitch.tv", "151.101.", 2, 300, 1), ("static.cloudflareinsights.com", "104.16.", 2, 300, 4),
    ("www.googletagmanager.com", "142.250.", 2, 300, 10), ("pagead2.googlesyndication.com", "142.250.", 2, 300, 6),
    ("connect.facebook.net", "157.240.", 1, 60, 4), ("cdn.shopify.com", "23.227.38.", 1, 300, 1),
    ("www.ebay.com", "23.56.", 2, 60, 1), ("i.imgur.com", "151.101.", 2, 300, 2),
    ("www.paypal.com", "151.101.", 2, 300, 1), ("www.chatgpt.com", "104.18.", 2, 300, 4),
    ("www.notion.so", "104.18.", 2, 300, 2), ("jira.atlassian.net", "18.192.", 2, 60, 3),
    ("www.heise.de", "193.99.144.", 1, 300, 1), ("www.yandex.ru", "5.255.255.", 1, 300, 1),
    ("www.baidu.com", "110.242.68.", 1, 300, 1), ("www.weather.com", "23.45.", 1, 60, 1),
    ("www.office.com", "13.107.6.", 1, 300, 5), ("www.msn.com", "204.79.197.", 1, 300, 3),
]


def web_table():
    tab = []
    for name, pfx, n, ttl, w in WEB:
        tab.append((name, [hip(name, pfx, str(i)) for i in range(n)], ttl, w))
    return tab


def browsing(net, host, mean_gap=1800, visits=(3, 9), ua=UA_WIN, ocsp=True):
    rng = net.rng
    tab = web_table()
    weights = [x[3] for x in tab]
    ocsp_ips = [hip("ocsp.digicert.com", "72.21.91."), hip("ocsp.digicert.com", "72.21.91.", "b")]
    t = net.t0 + rng.uniform(0, mean_gap)
    while t < net.t1:
        if host.user(t):
            tt = t
            for _ in range(rng.randint(*visits)):
                name, ips, ttl, _w = rng.choices(tab, weights)[0]
                tt = net.resolve(tt, host, name, ips, ttl)
                ip = net.pick(name, ips)
                for _c in range(rng.choice((1, 1, 1, 2))):
                    net.https(tt + rng.uniform(0, 0.3), host, ip, name, rsize(rng, 600), rsize(rng, 2000, 0.8, hi=12000),
                              service="web browsing")
                if ocsp and rng.random() < 0.08:
                    tt = net.resolve(tt, host, "ocsp.digicert.com", ocsp_ips, 3600)
                    oip = net.pick("ocsp.digicert.com", ocsp_ips)
                    net.http(tt, host, oip, 80, "ocsp.digicert.com", "POST", "/", rng.randbytes(83),
                             rng.randbytes(rng.randint(470, 1500)), ua=ua, service="OCSP",
                             ctype="application/ocsp-response")
                tt += rng.expovariate(1 / 25.0)
        t += rng.expovariate(1.0 / mean_gap)


def ntp(net, host, servers, period, jitter_frac=0.0, name=None, ttl=300, service="NTP"):
    rng = net.rng
    t = net.t0 + rng.uniform(0, period)
    while t < net.t1:
        if host.on(t):
            if name:
                t = net.resolve(t, host, name, servers, ttl)
                ip = net.pick(name, servers)
            else:
                ip = servers[0]
            sp = 123 if host.kind in ("linux", "iot") else net.eport()
            req = b"\x23" + b"\0" * 39 + struct.pack("!II", int(t) + 2208988800, rng.getrandbits(32))
            resp = b"\x24\x02\x06\xe9" + rng.randbytes(44)
            net.cap.udp(t, host.ip, sp, ip, 123, req)
            net.cap.udp(t + rng.uniform(0.01, 0.08), ip, 123, host.ip, sp, resp)
            net.use(ip, service, host)
        t += period * (1 + rng.uniform(-jitter_frac, jitter_frac))


def periodic_https(net, host, name, ips, ttl, gapfn, req_med, resp_med, service, when=None, port=443, first=None,
                   tls13=True, size_spread=0.3):
    rng = net.rng
    when = when or host.on
    t = net.t0 + (first if first is not None else rng.uniform(0, gapfn()))
    while t < net.t1:
        if when(t):
            tt = t
            if name:
                tt = net.resolve(t, host, name, ips, ttl)
                ip = net.pick(name, ips)
            else:
                ip = ips[0]
            net.https(tt, host, ip, name, rsize(rng, req_med, size_spread), rsize(rng, resp_med, size_spread),
                      port=port, service=service, tls13=tls13, cert=(200, 400))
        t += gapfn()


def periodic_http(net, host, name, ips, ttl, gapfn, path, resp_len, service, when=None, method="GET", body_len=0,
                  ua=UA_WIN):
    rng = net.rng
    when = when or host.on
    t = net.t0 + rng.uniform(0, gapfn())
    while t < net.t1:
        if when(t):
            tt = net.resolve(t, host, name, ips, ttl)
            ip = net.pick(name, ips)
            net.http(tt, host, ip, 80, name, method, path, rng.randbytes(body_len) if body_len else b"",
                     rng.randbytes(rsize(rng, resp_len, 0.2)), ua=ua, service=service)
        t += gapfn()


def long_tls_session(net, host, name, ips, ttl, port, ka_gap, service, when=None, session_len=(3600, 10800),
                     ka_size=(30, 60), persistent_reconnect=True):
    """websocket/push style: one TLS connection lasting session_len with small keepalives each ka_gap()."""
    rng = net.rng
    when = when or host.on
    t = net.t0 + rng.uniform(0, 600)
    while t < net.t1:
        if not when(t):
            t += rng.uniform(300, 900)
            continue
        tt = net.resolve(t, host, name, ips, ttl)
        ip = net.pick(name, ips)
        net.use(ip, service, host)
        end = min(net.t1, t + rng.uniform(*session_len))
        msgs = [("c", tls_client_hello(rng, name), 0.0), ("s", tls_server_hello(rng, True, 1500), 0.0),
                ("c", tls_client_finish(rng) + tls_app(rng, 400), 0.001), ("s", tls_app(rng, 600), 0.05)]
        cur = tt + 0.3
        while True:
            g = ka_gap()
            if cur + g > end or not when(cur + g):
                break
            cur += g
            msgs.append(("c", tls_app(rng, rng.randint(*ka_size)), g))
            msgs.append(("s", tls_app(rng, rng.randint(*ka_size)), rng.uniform(0.02, 0.2)))
            if rng.random() < 0.05:  # a message arrives
                msgs.append(("s", tls_app(rng, rng.randint(200, 3000)), rng.uniform(1, 20)))
        # rewrite gaps: gaps in msgs are relative to previous message end, fine
        net.cap.tcp_conv(tt, host.ip, net.eport(), ip, port, msgs)
        t = cur + rng.uniform(5, 120)


def video_call(net, host, start, minutes, media_ip, service="video call (UDP media)"):
    rng = net.rng
    sp = net.eport()
    net.use(media_ip, service, host)
    t = start
    end = start + minutes * 60
    while t < end and t < net.t1:
        net.cap.udp(t, host.ip, sp, media_ip, 8801, rng.randbytes(rng.randint(100, 700)))
        net.cap.udp(t + rng.uniform(0.03, 0.09), media_ip, 8801, host.ip, sp, rng.randbytes(rng.randint(100, 700)))
        t += rng.uniform(0.4, 0.6)  # media thinned to ~2 pkt/s each way to bound capture size


# standard benign sets per kind --------------------------------------------------------------

WIN_UPDATE = ("fe3cr.delivery.mp.microsoft.com", [hip("wu1", "13.107.4."), hip("wu2", "23.48.")], 1800)
WIN_TELEM = ("v10.events.data.microsoft.com", [hip("t%d" % i, "20.42.") for i in range(4)], 60)
WIN_DEF = ("definitionupdates.microsoft.com", [hip("def1", "20.135."), hip("def2", "20.135.")], 300)
ESET = ("update.eset.com", [hip("eset1", "91.228.167."), hip("eset2", "38.90.226.")], 600)
WIN_NTP = ("time.windows.com", [hip("tw", "168.61.215.")], 3600)
MAC_NTP = ("time.apple.com", [hip("ta%d" % i, "17.253.") for i in range(3)], 600)
POOL_NTP = ("pool.ntp.org", [hip("pool%d" % i, p) for i, p in enumerate(
    ["162.159.200.", "185.125.190.", "129.250.35.", "51.75.", "94.130.", "178.63.", "5.9.", "212.227."])], 150)
MAC_UPD = ("swscan.apple.com", [hip("sw1", "17.253.")], 600)
UBU_UPD = ("security.ubuntu.com", [hip("ubu%d" % i, "91.189.91.") for i in range(3)], 60)
SLACK_WS = ("wss-primary.slack.com", [hip("sws%d" % i, "3.120.") for i in range(3)], 60)
APNS = ("courier.push.apple.com", [hip("apns%d" % i, "17.57.146.") for i in range(4)], 60)
FCM = ("mtalk.google.com", [hip("fcm", "142.250."), hip("fcm2", "142.251.")], 300)
OEM_PUSH = ("push.oem-cloud.example.com", [hip("oem", "47.88.")], 300)
MEDIA = [hip("zoom%d" % i, "170.114.52.") for i in range(3)]


def win_background(net, h, telemetry=True, eset=False, chat=False):
    rng = net.rng
    ntp(net, h, WIN_NTP[1], 3600 * rng.choice((1, 1, 2)), 0.0, WIN_NTP[0], WIN_NTP[2])
    periodic_https(net, h, WIN_UPDATE[0], WIN_UPDATE[1], WIN_UPDATE[2], lambda: 3600 + rng.uniform(0, 1800),
                   900, 3000, "Windows Update check")
    periodic_https(net, h, WIN_DEF[0], WIN_DEF[1], WIN_DEF[2], lambda: rng.uniform(3600, 9000), 700, 2500,
                   "Defender signature check")
    if telemetry:
        periodic_https(net, h, WIN_TELEM[0], WIN_TELEM[1], WIN_TELEM[2], lambda: 300 * (1 + rng.uniform(-0.3, 0.3)),
                       1000, 200, "Windows telemetry upload", size_spread=0.5)
    if eset:
        periodic_http(net, h, ESET[0], ESET[1], ESET[2], lambda: 3600 + rng.uniform(-60, 60), "/v1/update.ver",
                      1200, "ESET AV signature check")
    if chat:
        long_tls_session(net, h, SLACK_WS[0], SLACK_WS[1], SLACK_WS[2], 443, lambda: rng.uniform(30, 60),
                         "Slack websocket", when=h.user)


def mac_background(net, h, chat=False):
    rng = net.rng
    ntp(net, h, MAC_NTP[1], 900, 0.1, MAC_NTP[0], MAC_NTP[2])
    periodic_https(net, h, MAC_UPD[0], MAC_UPD[1], MAC_UPD[2], lambda: rng.uniform(3 * 3600, 6 * 3600), 800, 5000,
                   "macOS update check")
    if chat:
        long_tls_session(net, h, SLACK_WS[0], SLACK_WS[1], SLACK_WS[2], 443, lambda: rng.uniform(30, 60),
                         "Slack websocket", when=h.user)


def linux_background(net, h):
    rng = net.rng
    ntp(net, h, POOL_NTP[1], 1024, 0.0, POOL_NTP[0], POOL_NTP[2], service="NTP pool")
    periodic_http(net, h, UBU_UPD[0], UBU_UPD[1], UBU_UPD[2], lambda: 12 * 3600 + rng.uniform(0, 3600),
                  "/ubuntu/dists/jammy-security/InRelease", 50000, "apt update", ua="Debian APT-HTTP/1.3 (2.4.11)")


def phone_background(net, h, ios, oem_push=False):
    rng = net.rng
    if ios:
        long_tls_session(net, h, APNS[0], APNS[1], APNS[2], 5223, lambda: rng.uniform(900, 1800), "Apple push (APNs)",
                         session_len=(4 * 3600, 8 * 3600))
        ntp(net, h, MAC_NTP[1], 1800, 0.2, MAC_NTP[0], MAC_NTP[2])
    else:
        long_tls_session(net, h, FCM[0], FCM[1], FCM[2], 5228, lambda: rng.uniform(840, 1740), "Google push (FCM)",
                         session_len=(2 * 3600, 6 * 3600))
        if oem_push:  # reconnecting push: one short connection per keepalive
            periodic_https(net, h, OEM_PUSH[0], OEM_PUSH[1], OEM_PUSH[2], lambda: rng.uniform(900, 1800), 200, 150,
                           "OEM push keepalive (reconnecting)")


# single-host apps -------------------------------------------------------------------------

def weather_widget(net, h):
    rng = net.rng
    periodic_https(net, h, "api.openweathermap.org", [hip("owm", "37.139.20.")], 600,
                   lambda: 1800 + rng.uniform(-20, 20), 350, 1400, "weather widget (30 min)")


def mail_poll(net, h, period=600):
    rng = net.rng
    periodic_https(net, h, "imap.fastmail.com", [hip("fm", "66.111.4.")], 3600, lambda: period + rng.uniform(0, 1.5),
                   900, 1200, "IMAP mail poll (%d s)" % period, port=993)


def tv_ping(net, h):
    rng = net.rng
    periodic_http(net, h, "log-config.samsungacr.com", [hip("acr", "34.226.")], 300, lambda: 300 + rng.uniform(-1, 1),
                  "/ping?model=UE55", 90, "smart TV ping (5 min)", ua="SmartTV/5.0 Tizen")


def backup_agent(net, h):
    rng = net.rng
    ip = hip("b2", "45.11.37.")
    periodic_https(net, h, "f003.backblazeb2.com", [ip], 3600, lambda: 3600 + rng.uniform(0, 5), 120000, 900,
                   "backup agent hourly upload", size_spread=0.5)


def console_checkin(net, h):
    rng = net.rng
    periodic_https(net, h, "xsts.auth.xboxlive.com", [hip("xbl", "40.64.")], 300,
                   lambda: 600 * (1 + rng.uniform(-0.1, 0.1)), 1100, 2200, "game console presence (10 min)")


# =============================================================== C2 profiles

def gap_sliver(S, J):            # sleep S, plus additive random 0..J seconds
    return lambda rng: S + rng.uniform(0, J)


def gap_pct(S, Jpct):            # Cobalt Strike / Mythic: sleep reduced by 0..J %
    return lambda rng: S * (1 - rng.uniform(0, Jpct / 100.0))


def gap_uniform(a, b):
    return lambda rng: rng.uniform(a, b)


def gap_cron(S, sd):
    return lambda rng: S + rng.gauss(0, sd)


class C2:
    """one implant family instance. servers: list of (ip, alive) used per beat."""

    def __init__(self, net, label, profile, servers, victims, gap, transport, domain=None, ttl=300, port=443,
                 rotation="single", multi=None, sizes=(400, 120), task_p=0.05, start_after=0.0, stop_after=None,
                 dead_after=None, uri="/", note=""):
        self.__dict__.update(locals())
        del self.__dict__["self"]
        self.status = {}  # (server, victim) -> controlled bool

    def run(self):
        net, rng = self.net, self.net.rng
        for v in self.victims:
            t = net.t0 + self.start_after + rng.uniform(0, 600)
            stop = net.t1 if self.stop_after is None else net.t0 + self.stop_after
            k = rng.randrange(len(self.servers))
            while t < stop:
                if v.on(t):
                    if self.rotation == "round_robin":
                        k = (k + 1) % len(self.servers)
                    elif self.rotation == "random":
                        k = rng.randrange(len(self.servers))
                    self.beat(t, v, k)
                t += max(1.0, self.gap(rng))

    def mark(self, ip, v, ok):
        key = (ip, v.ip)
        self.status[key] = self.status.get(key, False) or ok

    def beat(self, t, v, k):
        net, rng = self.net, self.net.rng
        ip, alive = self.servers[k]
        if self.dead_after is not None and t > net.t0 + self.dead_after:
            alive = False
        if self.domain:
            t = net.resolve(t, v, self.domain, [ip], self.ttl)
        req = max(60, int(self.sizes[0] * rng.uniform(0.9, 1.1)))
        resp = max(0, int(self.sizes[1] * rng.uniform(0.8, 1.2)))
        task = rng.random() < self.task_p
        if task:
            resp += rng.randint(2000, 30000)
        retry = False
        if alive and self.multi and rng.random() < self.multi.get("retry", 0):
            # first attempt: server resets after the hello, client retries
            self._conn(t, v, ip, req, resp, alive, rst=True)
            t += rng.uniform(1.0, 5.0)
            retry = True
        end = self._conn(t, v, ip, req, resp, alive)
        self.mark(ip, v, alive)
        if not alive and self.rotation != "single" and len(self.servers) > 1:
            # Emotet style fallback: try the next server of the list right away
            k2 = (k + 1) % len(self.servers)
            ip2, alive2 = self.servers[k2]
            self._conn(end + rng.uniform(0.5, 2), v, ip2, req, resp, alive2)
            self.mark(ip2, v, alive2)
        if alive and (task or (self.multi and rng.random() < self.multi.get("upload", 0))):
            if self.multi or task:
                up = rng.randint(3000, 40000)
                self._conn(end + rng.uniform(0.3, 4.0), v, ip, up, 60, True)
        _ = retry

    def _conn(self, t, v, ip, req, resp, alive, rst=False):
        net, rng = self.net, self.net.rng
        tr = self.transport
        if tr == "https":
            return net.https(t, v, ip, self.domain, req, resp, port=self.port, answered=alive, server_rst_after=rst,
                             cert=(500, 900))
        if tr == "https12":
            return net.https(t, v, ip, self.domain, req, resp, port=self.port, answered=alive, tls13=False,
                             server_rst_after=rst, cert=(500, 900))
        if tr == "http":
            hosthdr = self.domain or ip
            body = rng.randbytes(req)
            ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko"
            msgs = [("c", http_request("POST" if req > 300 else "GET", hosthdr, self.uri + ("%08x" % rng.getrandbits(32)
                                        if self.uri.endswith("/") else ""), ua, body if req > 300 else b""), 0.0),
                    ("s", http_response(rng.randbytes(resp), "application/octet-stream"), rng.uniform(0.05, 0.4))]
            if rst:
                return net.cap.tcp_conv(t, v.ip, net.eport(), ip, self.port, msgs[:1], server_rst_after=True)
            return net.cap.tcp_conv(t, v.ip, net.eport(), ip, self.port, msgs, answered=alive)
        if tr == "raw":
            msgs = [("c", b"\x13\x37" + struct.pack("!H", req) + rng.randbytes(req), 0.0),
                    ("s", b"\x13\x38" + rng.randbytes(max(4, resp)), rng.uniform(0.05, 0.3))]
            return net.cap.tcp_conv(t, v.ip, net.eport(), ip, self.port, msgs, answered=alive,
                                    server_rst_after=rst)
        raise ValueError(tr)

    def truth(self):
        out = []
        for ip, _alive in self.servers:
            vs = [{"ip": vip, "status": "controlled" if ok else "attempted"}
                  for (sip, vip), ok in sorted(self.status.items()) if sip == ip]
            if vs:
                out.append({"ip": ip, "label": self.label, "profile": self.profile, "note": self.note,
                            "domain": self.domain, "victims": vs})
        return out


def dns_beacon(net, victims, domain, gap, label, note):
    """DNS C2: periodic A/TXT lookups of random subdomains of one attacker domain via the host's resolver."""
    rng = net.rng
    for v in victims:
        t = net.t0 + rng.uniform(0, 300)
        while t < net.t1:
            if v.on(t):
                sub = "%012x" % rng.getrandbits(48)
                if rng.random() < 0.5:
                    name = "%s.%s" % (sub, domain)
                    net.resolve(t, v, name, None, 1, qtype=1, force=True,
                                answers=[(1, bytes([10, rng.randrange(256), rng.randrange(256), 1]))])
                else:
                    name = "%s.t.%s" % (sub, domain)
                    payload = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(rng.randint(8, 60)))
                    net.resolve(t, v, name, None, 1, qtype=16, force=True, answers=[(16, txt_rdata(payload))])
            t += max(1.0, gap(rng))
    return {"domain": domain, "label": label, "note": note, "hosts": [v.ip for v in victims]}
