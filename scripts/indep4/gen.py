#!/usr/bin/env python3
"""indep4 scenario generator: python3 gen.py OUTDIR [--only NAME[,NAME]] [--seed N]

Writes OUTDIR/NAME/{input.pcap | zeek/}, truth.json, and intel files. Deterministic by seed."""
import argparse
import ipaddress
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import geo  # noqa: E402
from netgen import write_pcap, write_zeek  # noqa: E402
from scen import *  # noqa: E402,F401,F403
from scen import (Scen, Catalog, H, T0, b_browse, b_periodic_tls, b_ntp, b_sip, b_wireguard, b_push_session,  # noqa
                  b_stream, household, c2_beacon, c2_irc, c2_icmp, c2_p2p, profile_active, poisson, do_get)


def hosts_in(sc, cidr, n, skip=()):
    net = ipaddress.ip_network(cidr)
    out = []
    i = 10 if net.version == 4 else 0x100
    while len(out) < n:
        a = str(net.network_address + i)
        if a not in skip:
            out.append(a)
        i += 1 if net.version == 4 else 0x11
    return out


def v6_hosts(sc, prefix, n):
    net = ipaddress.ip_network(prefix)
    out = []
    for k in range(n):
        iid = sc.rng.getrandbits(64) | 0x0200000000000000
        out.append(str(ipaddress.ip_address(int(net.network_address) + (((k % 16) + 1) << 64) + iid)))
    return out


# =============================================================================== pcap scenarios

def s01_home_irc_icmp(seed):
    sc = Scen("p01_home_irc_icmp", seed, "pcap", 24, ["192.168.1.0/24"])
    sc.args = ["--home-net", "192.168.1.0/24"]
    sc.default_resolver = "192.168.1.1"
    cat = Catalog(sc)
    rng = sc.rng
    lap, phone, tv, spk, cam, desk, nas, voip = ["192.168.1.%d" % i for i in range(10, 18)]
    b_browse(sc, cat, lap, 4, "home")
    b_browse(sc, cat, phone, 2, "home")
    b_browse(sc, cat, desk, 3, "home")
    b_push_session(sc, cat, phone, "push_apple", 1680, 6)
    sc.label("courier.push.apple.com", "push session, keepalive 28 min", 1, 1680)
    b_stream(sc, cat, tv, "netflix", 1, chunk=30000, every=6, minutes=40)
    sc.label(b_periodic_tls(sc, tv, "tv", 6 * H, 0.05, "uniform", "always", 600, 4000, cat), "smart TV update check", 1, 21600)
    sc.label(b_periodic_tls(sc, spk, "alexa", 300, 0.03, "uniform", "always", 200, 150, cat), "smart speaker", 1, 300)
    sc.label(b_periodic_tls(sc, cam, "camcloud", 30, 0.04, "uniform", "always", 6000, 300, cat), "IoT camera upload", 1, 30)
    sc.label(b_periodic_tls(sc, lap, "telemetry", 900, 0.15, "uniform", "home", 1500, 300, cat), "OS telemetry", 1, 900)
    b_ntp(sc, cat, nas, 1024)
    b_ntp(sc, cat, lap, 2048, "home")
    sc.label("pool.ntp.org", "NTP", 2, 1024)
    b_sip(sc, cat, voip, 120)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER", 1, 120)
    sc.label(b_periodic_tls(sc, nas, "dropbox", 90, 0.25, "uniform", "always", 300, 200, cat), "cloud sync long-poll", 1, 90)
    irc = sc.ext1(AS_LEASEWEB)
    c2_irc(sc, desk, irc, "irc_bot", sessions=4)
    icmp_c2 = sc.ext1(AS_SELECTEL, cc="RU")
    c2_icmp(sc, nas, icmp_c2, 60, 0.25, "gauss", "icmp_beacon")
    return sc


def s02_office_infect25(seed):
    sc = Scen("p02_office_infect25", seed, "pcap", 24, ["10.20.0.0/24"])
    sc.args = ["--home-net", "10.20.0.0/24"]
    sc.default_resolver = "10.20.0.2"
    cat = Catalog(sc)
    rng = sc.rng
    hosts = hosts_in(sc, "10.20.0.0/24", 40)
    phones = hosts_in(sc, "10.20.0.0/24", 10, skip=hosts) if False else ["10.20.0.%d" % i for i in range(200, 210)]
    for h in hosts:
        b_browse(sc, cat, h, 5, "office")
        b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 1500, 300, cat)
    sc.label("v10.events.data.microsoft.com", "OS telemetry", 40, 900)
    for h in hosts[:15]:
        b_periodic_tls(sc, h, "imap", 300, 0.01, "uniform", "office", 250, 600, cat, port=993)
    sc.label("outlook.office365.com", "mail client IMAP poll", 15, 300)
    for h in hosts[15:23]:
        b_periodic_tls(sc, h, "dropbox", 75, 0.2, "uniform", "office", 300, 200, cat)
    sc.label("bolt.dropbox.com", "cloud sync", 8, 75)
    for h in hosts[:20]:
        b_periodic_tls(sc, h, "chromeupd", 5 * H, 0.05, "uniform", "always", 900, 1200, cat)
    sc.label("update.googleapis.com", "browser updater", 20, 18000)
    for p in phones:
        b_sip(sc, cat, p, 300)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER", 10, 300)
    b_ntp(sc, cat, "10.20.0.2", 1024)
    sc.label("pool.ntp.org", "NTP (office server)", 1, 1024)
    # 25% infected: HTTP beacon, Cobalt-Strike-like jitter 40%, only while PCs are on
    c2a_name = "cdn-sync-check.com"
    c2a = sc.ext1(AS_M247, cc="RO")
    sc.add_name(c2a_name, [c2a], ttl=300)
    for h in hosts[30:40]:
        c2_beacon(sc, h, c2a_name, 300, 0.4, "cs", "http_beacon_25pct", http=True, uri="/api/v2/gate",
                  profile="office")
    # dynamic DNS C2 whose address changes twice
    dd = "k7box.ddns-home.net"
    ipA, ipB, ipC = sc.ext1(AS_UKRTEL, cc="UA"), sc.ext1(AS_TURKTEL, cc="TR"), sc.ext1(AS_VIETTEL, cc="VN")
    sc.add_name(dd, [ipA], ttl=60)
    sc.add_name(dd, [ipB], ttl=60, t_from=sc.t0 + 8 * H)
    sc.add_name(dd, [ipC], ttl=60, t_from=sc.t0 + 16 * H)
    for h in (hosts[5], hosts[6]):
        c2_beacon(sc, h, dd, 600, 0.15, "uniform", "ddns_https", profile="always")
    return sc


def s03_enterprise_proxy(seed, direct=True, name="p03_enterprise_proxy"):
    sc = Scen(name, seed, "pcap", 24, ["10.50.0.0/16"])
    sc.args = ["--home-net", "10.50.0.0/16"]
    proxy = ("10.50.0.10", 3128)
    sc.default_resolver = "10.50.0.53"
    cat = Catalog(sc)
    clients = ["10.50.%d.%d" % (1 + i // 200, 20 + i % 200) for i in range(60)]
    for h in clients:
        b_browse(sc, cat, h, 2.5, "office", proxy=proxy)
        b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 800, 300, cat, proxy=proxy)
    for h in clients[:30]:
        b_periodic_tls(sc, h, "teams", 600, 0.05, "uniform", "office", 800, 400, cat, proxy=proxy)
    sc.label("v10.events.data.microsoft.com", "OS telemetry (via proxy, merged)", 1, 900)
    sc.label("teams.events.data.microsoft.com", "Teams (via proxy, merged)", 1, 600)
    b_ntp(sc, cat, "10.50.0.2", 1024)
    sc.label("pool.ntp.org", "NTP server upstream", 1, 1024)
    b_periodic_tls(sc, "10.50.0.30", "av", 3600, 0.02, "uniform", "always", 600, 20000, cat)
    sc.label("update.antivirus-vendor.com", "AV signature server (direct, allowed)", 1, 3600)
    c2n = "api.weather-widget-sync.com"
    c2 = sc.ext1(AS_DO, cc="US")
    sc.add_name(c2n, [c2], ttl=300)
    inf = clients[40:43]
    for h in inf:
        c2_beacon(sc, h, c2n, 180, 0.35, "gauss", "https_via_proxy", proxy=proxy, profile="office")
    # one infected client first tries the C2 directly; the firewall drops it (SYN only)
    for t in schedule(sc, sc.t0, sc.t1, 600, 0.1, "uniform", active=lambda x: profile_active("office", x)):
        if direct:
            sc.tls(inf[0], c2, t, None, state="S0", tag="https_via_proxy_direct")
    sc.notes.append("clients reach the Internet only through the proxy 10.50.0.10; the outbound victim is the proxy")
    return sc


def s04_nat_outside(seed):
    sc = Scen("p04_nat_outside", seed, "pcap", 24, [])
    cat_sc = sc
    pub = sc.picker.pick([AS_DTAG], cc="DE", n=1)[0]
    sc.home_nets = [ipaddress.ip_network(pub + "/32")]
    sc._home_cache = {}
    sc.args = ["--home-net", pub + "/32"]
    sc.nat_map = pub
    isp_dns = sc.picker.pick([AS_DTAG], cc="DE", n=1)[0]
    sc.default_resolver = isp_dns
    cat = Catalog(sc)
    inside = ["192.168.0.%d" % i for i in range(10, 60)]
    for i, h in enumerate(inside):
        b_browse(sc, cat, h, 3, "office" if i % 3 else "home")
        if i % 2 == 0:
            b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 1500, 300, cat)
        if i % 5 == 0:
            b_push_session(sc, cat, h, "push_google", 900, 3)
    sc.label("v10.events.data.microsoft.com", "OS telemetry (25 hosts behind NAT)", 1, 900)
    sc.label("mtalk.google.com", "push sessions", 1, 900)
    for h in inside[:2]:
        b_periodic_tls(sc, h, "camcloud", 20, 0.05, "uniform", "always", 3000, 300, cat)
    sc.label("device-eu.cam-cloud-ivs.com", "2 IoT cameras behind NAT", 1, 20)
    for h in inside[2:6]:
        b_sip(sc, cat, h, 180)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER (4 phones)", 1, 180)
    for h in inside[6:10]:
        b_ntp(sc, cat, h, 1024)
    sc.label("pool.ntp.org", "NTP", 1, 1024)
    c2a = sc.ext1(AS_DO, cc="US")
    c2_beacon(sc, inside[20], c2a, 60, 0.10, "uniform", "https_60s_ip", profile="always")
    c2bn = "img.photo-share-cdn.cn"
    c2b = sc.ext1(AS_CHINANET, cc="CN")
    sc.add_name(c2bn, [c2b], ttl=600)
    c2_beacon(sc, inside[33], c2bn, 1800, 0.2, "uniform", "http_30min", http=True, uri="/logo.gif",
              method="GET")
    sc.notes.append("sensor outside the NAT: one public address %s stands for 50 hosts" % pub)
    return sc


def s05_campus_v6(seed):
    v6p = "2001:638:807::/48"
    sc = Scen("p05_campus_v6", seed, "pcap", 24, ["141.20.0.0/16", v6p])
    sc.args = ["--home-net", "141.20.0.0/16,%s" % v6p]
    sc.default_resolver = "141.20.1.53"
    cat = Catalog(sc, v6=True)
    rng = sc.rng
    v4 = ["141.20.%d.%d" % (10 + i // 100, 10 + i % 100) for i in range(150)]
    v6 = v6_hosts(sc, v6p, 150)
    for i in range(150):
        h6 = i < 90
        h = v6[i] if h6 else v4[i]
        b_browse(sc, cat, h, 1.0, "student", fam=6 if h6 else 4)
        if h6:
            b_browse(sc, cat, v4[i], 0.3, "student")
        if i % 4 == 0:
            b_periodic_tls(sc, h, "chromeupd", 5 * H, 0.05, "uniform", "always", 900, 1200, cat,
                           fam=6 if h6 else 4)
        if i % 15 == 0:
            b_periodic_tls(sc, h, "spotify", 30, 0.05, "uniform", "evening", 300, 4000, cat, fam=6 if h6 else 4)
    sc.label("update.googleapis.com", "browser updater", 38, 18000)
    sc.label("spclient.wg.spotify.com", "music streaming chunks (evening)", 10, 30)
    for h in v4[100:102]:
        b_wireguard(sc, cat, h, 25, "student")
    sc.label(cat.vpn[0], "WireGuard keepalive", 2, 25)
    b_ntp(sc, cat, "141.20.1.123", 1024)
    sc.label("pool.ntp.org", "NTP", 1, 1024)
    # C2 over IPv6
    c6n = "telemetry.cloud-metrics-v6.net"
    c6 = sc.ext1(AS_LEASEWEB, cc="NL", fam=6)
    sc.add_name(c6n, [c6], ttl=600)
    for i in (3, 7):
        c2_beacon(sc, v6[i], c6n, 900, 0.2, "lognorm", "https_ipv6", fam=6)
    # P2P bot
    peers = []
    for asn, cc in ((AS_KT, "KR"), (AS_CLARO, "BR"), (AS_BSNL, "IN"), (AS_VIETTEL, "VN"), (AS_TURKTEL, "TR"),
                    (AS_TELMEX, "MX"), (AS_CHINANET, "CN"), (AS_ROSTELECOM, "RU"), (AS_UKRTEL, "UA"),
                    (AS_HINET, "TW")):
        peers += sc.ext(asn, cc=cc, n=3)
    alive = set(peers[i] for i in range(len(peers)) if i % 5 in (0, 1, 3))
    c2_p2p(sc, v4[120], peers, alive, step=(45, 90))
    # fast flux
    pool = []
    for asn, cc in ((AS_KT, "KR"), (AS_CLARO, "BR"), (AS_BSNL, "IN"), (AS_TURKTEL, "TR"), (AS_TELMEX, "MX"),
                    (AS_ROSTELECOM, "RU"), (AS_UKRTEL, "UA"), (AS_HINET, "TW"), (AS_TIM, "IT"), (AS_TEF, "ES"),
                    (AS_SOFTBANK, "JP"), (AS_CHINAUNI, "CN")):
        pool += sc.ext(asn, cc=cc, n=2)
    ffn = "secure-login-portal.ru"
    rr = random.Random(seed + 5)
    for k in range(int(24 * 3600 / 180) + 2):
        sc.add_name(ffn, rr.sample(pool, rr.randint(5, 10)), ttl=180, t_from=sc.t0 + k * 180 - 1)
    for i in (130, 131):
        c2_beacon(sc, v4[i], ffn, 600, 0.3, "uniform", "fast_flux_http", http=True, uri="/index.php?id=7")
    return sc


def s06_home_benign(seed):
    sc = Scen("p06_home_benign", seed, "pcap", 24, ["192.168.178.0/24"])
    sc.args = ["--home-net", "192.168.178.0/24"]
    sc.default_resolver = "192.168.178.1"
    cat = Catalog(sc)
    h = ["192.168.178.%d" % i for i in range(20, 36)]
    b_browse(sc, cat, h[0], 4, "home")
    b_browse(sc, cat, h[1], 2, "home")
    b_browse(sc, cat, h[2], 2, "home")
    b_push_session(sc, cat, h[1], "push_apple", 1680, 6)
    b_push_session(sc, cat, h[2], "push_google", 900, 6)
    sc.label("courier.push.apple.com", "push session, keepalive 28 min", 1, 1680)
    sc.label("mtalk.google.com", "push session, keepalive 15 min", 1, 900)
    b_stream(sc, cat, h[3], "netflix", 1, chunk=30000, every=6, minutes=45)
    sc.label(b_periodic_tls(sc, h[3], "tv", 4 * H, 0.05, "uniform", "always", 600, 4000, cat), "smart TV", 1, 14400)
    for k, p in ((4, 300), (5, 300)):
        b_periodic_tls(sc, h[k], "alexa", p, 0.03, "uniform", "always", 200, 150, cat)
    sc.label("avs-alexa-4-eu.amazon.com", "2 smart speakers", 2, 300)
    for k, p in ((6, 15), (7, 60), (8, 120)):
        b_periodic_tls(sc, h[k], "camcloud" if k < 8 else "camcloud2", p, 0.05, "uniform", "always", 4000, 300, cat)
    sc.label("device-eu.cam-cloud-ivs.com", "IoT cameras 15 s / 60 s", 2, 15)
    sc.label("p2p-relay.camviewer-iot.com", "IoT camera 120 s (small hoster)", 1, 120)
    b_sip(sc, cat, h[9], 180)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER", 1, 180)
    b_wireguard(sc, cat, h[0], 25, "office")
    sc.label(cat.vpn[0], "WireGuard keepalive (work laptop)", 1, 25)
    for k in (0, 10, 11):
        b_ntp(sc, cat, h[k], 1024)
    sc.label("pool.ntp.org", "NTP", 3, 1024)
    sc.label(b_periodic_tls(sc, h[10], "thermo", 60, 0.02, "uniform", "always", 300, 200, cat), "thermostat", 1, 60)
    sc.label(b_periodic_tls(sc, h[11], "printer", 6 * H, 0.01, "uniform", "always", 400, 900, cat, http=True,
                            uri="/fw/check"), "printer firmware check", 1, 21600)
    sc.label(b_periodic_tls(sc, h[0], "imap", 600, 0.01, "uniform", "home", 250, 600, cat, port=993), "mail IMAP poll", 1, 600)
    sc.label(b_periodic_tls(sc, h[0], "telemetry", 900, 0.15, "uniform", "home", 1500, 300, cat), "OS telemetry", 1, 900)
    sc.label(b_periodic_tls(sc, h[12], "console", 120, 0.05, "uniform", "evening", 200, 200, cat), "game console presence", 1, 120)
    sc.label(b_periodic_tls(sc, h[13], "dropbox", 90, 0.2, "uniform", "always", 300, 200, cat), "NAS cloud sync", 1, 90)
    return sc


def s07_office_fronting(seed):
    sc = Scen("p07_office_fronting", seed, "pcap", 24, ["172.16.5.0/24"])
    sc.args = ["--home-net", "172.16.5.0/24"]
    sc.default_resolver = "172.16.5.1"
    cat = Catalog(sc)
    hosts = ["172.16.5.%d" % i for i in range(20, 50)]
    front = sc.ext1(AS_FASTLY)
    fnames = ["assets.cdnservice-static.net", "www.daily-news-portal.com", "cdn.shop-frontend.com",
              "img.social-pics.net"]
    for n in fnames:
        sc.add_name(n, [front], ttl=60)
    rng = sc.rng
    for i, h in enumerate(hosts):
        b_browse(sc, cat, h, 4, "office")
        b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 1500, 300, cat)
        if i < 25:
            for t in poisson(sc, sc.t0, sc.t1, 3, lambda x: profile_active("office", x)):
                do_get(sc, h, rng.choice(fnames), t, 4, 600, rng.randint(2000, 90000))
    sc.label("v10.events.data.microsoft.com", "OS telemetry", 30, 900)
    for h in hosts[:10]:
        b_periodic_tls(sc, h, "slack", 30, 0.1, "uniform", "office", 100, 100, cat)
    sc.label("wss-primary.slack.com", "chat keepalive", 10, 30)
    # domain fronting: SNI of a CDN name, same edge address as benign sites
    c2_beacon(sc, hosts[4], "assets.cdnservice-static.net", 120, 0.3, "uniform", "domain_fronting",
              profile="always")
    # 10-second beacon, 50% jitter
    n10 = "ping.syncsvc-telemetry.io"
    c10 = sc.ext1(AS_SELECTEL, cc="RU")
    sc.add_name(n10, [c10], ttl=3600)
    c2_beacon(sc, hosts[9], n10, 10, 0.5, "cs", "https_10s_j50", profile="always", up=(120, 200), down=(60, 90))
    # 2-hour HTTP beacon, 10% jitter, by IP only
    c2h = sc.ext1(AS_CHINANET, cc="CN")
    c2_beacon(sc, hosts[14], c2h, 2 * H, 0.1, "uniform", "http_2h_ip", http=True, uri="/c/upd.php")
    return sc


# =============================================================================== zeek scenarios

def label_household(sc, cat):
    for k, lab, per in (("telemetry", "OS telemetry", 900), ("alexa", "smart speakers", 300),
                        ("camcloud", "IoT cameras", 30), ("dropbox", "cloud sync", 75),
                        ("push_apple", "push session (reconnects, keepalive)", 1680),
                        ("push_google", "push session (reconnects, keepalive)", 900)):
        sc.label(cat.svc[k][0], lab, None, per)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP", None, 120)
    sc.label(cat.vpn[0], "WireGuard", None, 25)
    sc.label("pool.ntp.org", "NTP", None, 1024)


def isp_subscribers(sc, asns, cc, total, active):
    pool = sc.picker.pick(asns, cc=cc, n=total)
    return pool[:active], pool


def s08_isp_de_botnet(seed):
    sc = Scen("z08_isp_de_botnet", seed, "zeek", 48, [], home_country="DE")
    sc.args = ["--home-country", "DE"]
    subs, pool = isp_subscribers(sc, [AS_DTAG], "DE", 3000, 350)
    isp_dns = "194.25.0.60"
    cat = Catalog(sc)
    google_dns = "8.8.8.8"
    rng = sc.rng
    for i, h in enumerate(subs):
        sc.resolver[h] = isp_dns if i % 7 else google_dns
        household(sc, cat, h, rng, scale=1.0)
    label_household(sc, cat)
    # family A: 2% of active subscribers, HTTPS 600 s, 40% gaussian jitter
    an = "cdn-static-update.net"
    a = sc.ext1(AS_SELECTEL, cc="RU")
    sc.add_name(an, [a], ttl=300)
    infA = subs[10:17]
    for h in infA:
        c2_beacon(sc, h, an, 600, 0.4, "gauss", "isp_famA_https600", miss=0.05)
    # family B: 1%, 4-hour period
    b = sc.ext1(AS_DO, cc="US")
    for h in subs[50:54]:
        c2_beacon(sc, h, b, 4 * H, 0.25, "uniform", "isp_famB_4h")
    # family C: dead C2 (SYNs unanswered)
    d = sc.ext1(AS_LEASEWEB, cc="NL")
    for h in subs[80:82]:
        c2_beacon(sc, h, d, 300, 0.2, "uniform", "isp_famC_dead", state="S0")
    return sc


def s09_isp_de_benign(seed):
    sc = Scen("z09_isp_de_benign", seed, "zeek", 24, [], home_country="DE")
    sc.args = ["--home-country", "DE"]
    subs, pool = isp_subscribers(sc, [AS_DTAG], "DE", 4000, 400)
    cat = Catalog(sc)
    rng = sc.rng
    for i, h in enumerate(subs):
        sc.resolver[h] = "194.25.0.60" if i % 5 else "1.1.1.1"
        household(sc, cat, h, rng, scale=1.0)
    label_household(sc, cat)
    return sc


def s10_isp_fr_intel(seed):
    sc = Scen("z10_isp_fr_intel", seed, "zeek", 24, [], home_country="FR")
    sc.args = ["--home-country", "FR", "--intel", "INTEL"]
    subs, pool = isp_subscribers(sc, [AS_ORANGE, AS_FREE], "FR", 2500, 300)
    cat = Catalog(sc)
    rng = sc.rng
    for i, h in enumerate(subs):
        sc.resolver[h] = "80.10.246.2" if i % 4 else "8.8.8.8"
        household(sc, cat, h, rng, scale=0.9)
    label_household(sc, cat)
    # intel-listed RAT server contacted irregularly
    e = sc.ext1(AS_VULTR, cc="US")
    for h in subs[20:23]:
        for t in poisson(sc, sc.t0, sc.t1, 1.5):
            sc.tls(h, e, t, None, rng.randint(300, 3000), rng.randint(300, 30000), port=8443, tag="intel_rat")
        sc.mark_c2(e, "intel_rat_irregular")
    # intel-listed domain, HTTPS beacon 1200 s jitter 50%
    fn = "update-srv.helpdesk-portal.top"
    f = sc.ext1(AS_M247, cc="RO")
    sc.add_name(fn, [f], ttl=300)
    for h in subs[40:42]:
        c2_beacon(sc, h, fn, 1200, 0.5, "uniform", "intel_domain_https")
    # not in the feed: 3% infected, HTTP beacon 45 s
    g = sc.ext1(AS_HINET, cc="TW")
    for h in subs[100:109]:
        c2_beacon(sc, h, g, 45, 0.15, "gauss", "isp_http45_3pct", http=True, uri="/gate.php")
    unused = [sc.ext1(AS_SELECTEL, cc="RU"), sc.ext1(AS_OVH)]
    sc.intel = {"format": "stix", "ips": [e] + unused, "domains": [fn]}
    return sc


def s11_office_telegram_ddns(seed):
    sc = Scen("z11_office_telegram_ddns", seed, "zeek", 24, ["10.80.0.0/22"])
    sc.args = ["--home-net", "10.80.0.0/22"]
    sc.default_resolver = "10.80.0.2"
    cat = Catalog(sc)
    rng = sc.rng
    hosts = ["10.80.%d.%d" % (1 + i // 100, 10 + i % 100) for i in range(60)]
    api = sc.ext1(AS_TELEGRAM)
    dcs = sc.ext(AS_TELEGRAM, n=3)
    sc.add_name("api.telegram.org", [api], ttl=300)
    for h in hosts:
        b_browse(sc, cat, h, 4, "office")
        b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 1500, 300, cat)
    sc.label("v10.events.data.microsoft.com", "OS telemetry", 60, 900)
    for h in hosts[:25]:  # Telegram Desktop users: long sessions to DCs, api.telegram.org now and then
        t = sc.t0 + 8 * H + rng.uniform(0, 1800)
        while t < sc.t1:
            if profile_active("office", t):
                dur = rng.uniform(0.5, 2) * H
                ka = [(60 * rng.uniform(0.9, 1.1), k % 2, 80) for k in range(int(dur / 60))]
                sc.tls(h, rng.choice(dcs), t, None, 700, 4000, extra=ka)
                t += dur + rng.uniform(10, 300)
            else:
                t += 1800
        for t in poisson(sc, sc.t0, sc.t1, 0.8, lambda x: profile_active("office", x)):
            do_get(sc, h, "api.telegram.org", t, 4, 600, rng.randint(1000, 50000))
    # a benign monitoring box posting alerts via the bot API
    for t in poisson(sc, sc.t0, sc.t1, 6):
        do_get(sc, hosts[59], "api.telegram.org", t, 4, 900, 700)
    sc.label("api.telegram.org", "Telegram users and a monitoring bot (benign)", 26, None)
    for h in hosts[:12]:
        b_periodic_tls(sc, h, "imap", 300, 0.01, "uniform", "office", 250, 600, cat, port=993)
    sc.label("outlook.office365.com", "mail IMAP poll", 12, 300)
    for k in range(6):
        b_sip(sc, cat, "10.80.3.%d" % (50 + k), 120)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER", 6, 120)
    # the C2: Telegram bot API polling
    for h in (hosts[30], hosts[31]):
        c2_beacon(sc, h, "api.telegram.org", 20, 0.3, "uniform", "telegram_bot_api", up=(300, 500),
                  down=(200, 400))
    # dynamic DNS C2
    dd = "nas-backup.ddns-router.net"
    x, y, z = sc.ext1(AS_CLARO, cc="BR"), sc.ext1(AS_BSNL, cc="IN"), sc.ext1(AS_TURKTEL, cc="TR")
    sc.add_name(dd, [x], ttl=60)
    sc.add_name(dd, [y], ttl=60, t_from=sc.t0 + 7 * H)
    sc.add_name(dd, [z], ttl=60, t_from=sc.t0 + 15 * H)
    for h in (hosts[40], hosts[41]):
        c2_beacon(sc, h, dd, 600, 0.15, "uniform", "ddns_https")
    return sc


def s12_enterprise_benign(seed):
    sc = Scen("z12_enterprise_benign", seed, "zeek", 24, ["10.60.0.0/16"])
    sc.args = ["--home-net", "10.60.0.0/16"]
    sc.default_resolver = "10.60.0.53"
    cat = Catalog(sc)
    rng = sc.rng
    hosts = ["10.60.%d.%d" % (10 + i // 200, 10 + i % 200) for i in range(250)]
    for i, h in enumerate(hosts):
        b_browse(sc, cat, h, 3.5, "office")
        b_periodic_tls(sc, h, "edr", 60, 0.05, "uniform", "office", 900, 300, cat)
        b_periodic_tls(sc, h, "telemetry", 900, 0.1, "uniform", "office", 1500, 300, cat)
        if i % 3 == 0:
            b_periodic_tls(sc, h, "av", 3600, 0.02, "uniform", "office", 600, 8000, cat)
        if i % 10 == 0:
            b_periodic_tls(sc, h, "mdm", 4 * H, 0.02, "uniform", "always", 700, 2000, cat)
        if i % 4 == 0:
            b_periodic_tls(sc, h, "teams", 600, 0.05, "uniform", "office", 800, 400, cat)
        if i % 20 == 0:
            b_periodic_tls(sc, h, "backup", 3600, 0.01, "uniform", "always", 50000, 2000, cat)
    sc.label("eu.edr-cloud-sensor.com", "EDR heartbeat (every host)", 250, 60)
    sc.label("v10.events.data.microsoft.com", "OS telemetry", 250, 900)
    sc.label("update.antivirus-vendor.com", "AV updates", 84, 3600)
    sc.label("enroll.mdm-cloud.com", "MDM check-in", 25, 14400)
    sc.label("teams.events.data.microsoft.com", "Teams", 63, 600)
    sc.label("vault.backup-saas.com", "backup agent hourly", 13, 3600)
    cams = ["10.60.200.%d" % i for i in range(10, 14)]
    for k, h in enumerate(cams):
        b_periodic_tls(sc, h, "camcloud2", 10 if k < 2 else 45, 0.03, "uniform", "always", 9000, 200, cat)
    sc.label("p2p-relay.camviewer-iot.com", "lobby IoT cameras 10 s / 45 s", 4, 10)
    for k in range(20):
        b_sip(sc, cat, "10.60.100.%d" % (10 + k), rng.choice((60, 120, 300, 600)))
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER (20 phones)", 20, 60)
    for h in ("10.60.0.2", "10.60.0.3"):
        b_ntp(sc, cat, h, 1024)
    sc.label("pool.ntp.org", "NTP", 2, 1024)
    for h in hosts[200:210]:
        b_wireguard(sc, cat, h, 25, "office")
    sc.label(cat.vpn[0], "WireGuard keepalive", 10, 25)
    return sc


def s13_soho_irc_flux(seed):
    sc = Scen("z13_soho_irc_flux", seed, "zeek", 24, ["192.168.0.0/24"])
    sc.args = []  # Zeek local_orig/local_resp decide
    sc.default_resolver = "192.168.0.1"
    cat = Catalog(sc)
    h = ["192.168.0.%d" % i for i in range(100, 112)]
    for k in range(4):
        b_browse(sc, cat, h[k], 3, "home")
    b_push_session(sc, cat, h[1], "push_apple", 1680, 6)
    sc.label("courier.push.apple.com", "push session, keepalive 28 min", 1, 1680)
    sc.label(b_periodic_tls(sc, h[5], "camcloud", 60, 0.05, "uniform", "always", 15000, 300, cat), "IoT camera", 1, 60)
    sc.label(b_periodic_tls(sc, h[6], "alexa", 300, 0.03, "uniform", "always", 200, 150, cat), "smart speaker", 1, 300)
    b_sip(sc, cat, h[7], 600)
    sc.label(cat.svc["sip"][1][0], "VoIP SIP REGISTER 600 s", 1, 600)
    b_ntp(sc, cat, h[0], 1024)
    sc.label("pool.ntp.org", "NTP", 1, 1024)
    irc = sc.ext1(AS_OVH, cc="FR")
    c2_irc(sc, h[2], irc, "irc_bot_zeek", sessions=5)
    pool = []
    for asn, cc in ((AS_KT, "KR"), (AS_CLARO, "BR"), (AS_BSNL, "IN"), (AS_TURKTEL, "TR"), (AS_TELMEX, "MX"),
                    (AS_ROSTELECOM, "RU"), (AS_UKRTEL, "UA"), (AS_HINET, "TW"), (AS_TIM, "IT"), (AS_TEF, "ES")):
        pool += sc.ext(asn, cc=cc, n=3)
    ffn = "login-verify-account.su"
    rr = random.Random(seed + 9)
    for k in range(int(24 * 3600 / 120) + 2):
        sc.add_name(ffn, rr.sample(pool, rr.randint(6, 9)), ttl=120, t_from=sc.t0 + k * 120 - 1)
    c2_beacon(sc, h[3], ffn, 300, 0.2, "gauss", "fast_flux_https")
    return sc


def s14_campus_misp_v6(seed):
    v6p = "2001:638:809::/48"
    sc = Scen("z14_campus_misp_v6", seed, "zeek", 24, ["130.149.0.0/16", v6p])
    sc.args = ["--home-net", "130.149.0.0/16,%s" % v6p, "--intel", "INTEL"]
    sc.default_resolver = "130.149.2.12"
    cat = Catalog(sc, v6=True)
    rng = sc.rng
    v4 = ["130.149.%d.%d" % (20 + i // 100, 10 + i % 100) for i in range(200)]
    v6 = v6_hosts(sc, v6p, 200)
    for i in range(200):
        h6 = i < 130
        h = v6[i] if h6 else v4[i]
        b_browse(sc, cat, h, 2.5, "student", fam=6 if h6 else 4)
        if i % 5 == 0:
            b_periodic_tls(sc, h, "wa", 240, 0.05, "uniform", "student", 100, 100, cat, fam=6 if h6 else 4)
    sc.label("g.whatsapp.net", "messenger keepalive", 40, 240)
    for h in v4[150:153]:
        b_wireguard(sc, cat, h, 25, "student")
    sc.label(cat.vpn[0], "WireGuard keepalive", 3, 25)
    b_ntp(sc, cat, "130.149.2.1", 1024)
    sc.label("pool.ntp.org", "NTP", 1, 1024)
    # MISP: domain of an IPv6 C2 (hourly HTTPS beacon)
    mn = "cdn.vid-stream-analytics.com"
    m6 = sc.ext1(AS_OVH, cc="FR", fam=6)
    sc.add_name(mn, [m6], ttl=900)
    for i in (11, 12):
        c2_beacon(sc, v6[i], mn, 3600, 0.3, "uniform", "misp_domain_v6_hourly", fam=6)
    # MISP ip-dst contacted three times by one host
    r4 = sc.ext1(AS_SELECTEL, cc="RU")
    for t in (sc.t0 + 3.2 * H, sc.t0 + 9.7 * H, sc.t0 + 17.1 * H):
        sc.tls(v4[160], r4, t, None, 2000, 50000, tag="misp_ip")
    sc.mark_c2(r4, "misp_ip_3_contacts")
    # not in the feed: IPv6 HTTPS 30 s, 50% uniform jitter
    b6n = "api.gamestats-cloud.net"
    b6 = sc.ext1(AS_HETZNER, cc="DE", fam=6) if False else sc.ext1(AS_LEASEWEB, cc="NL", fam=6)
    sc.add_name(b6n, [b6], ttl=300)
    c2_beacon(sc, v6[40], b6n, 30, 0.5, "uniform", "https_v6_30s_j50", fam=6)
    # P2P bot (UDP)
    peers = []
    for asn, cc in ((AS_KT, "KR"), (AS_CLARO, "BR"), (AS_BSNL, "IN"), (AS_VIETTEL, "VN"), (AS_TURKTEL, "TR"),
                    (AS_TELMEX, "MX"), (AS_CHINANET, "CN"), (AS_ROSTELECOM, "RU")):
        peers += sc.ext(asn, cc=cc, n=5)
    alive = set(p for k, p in enumerate(peers) if k % 3 != 2)
    c2_p2p(sc, v4[170], peers, alive, step=(30, 60))
    sc.intel = {"format": "misp", "ips": [r4, sc.ext1(AS_DO, cc="US")], "domains": [mn, "never-seen-c2.xyz"]}
    return sc


def s15_proxy_only(seed):
    """p03 without the blocked direct attempts: the C2 is visible only in the proxy's outbound flows."""
    return s03_enterprise_proxy(seed, direct=False, name="p08_enterprise_proxy_only")


SCENARIOS = [s01_home_irc_icmp, s02_office_infect25, s03_enterprise_proxy, s04_nat_outside, s05_campus_v6,
             s06_home_benign, s07_office_fronting, s08_isp_de_botnet, s09_isp_de_benign, s10_isp_fr_intel,
             s11_office_telegram_ddns, s12_enterprise_benign, s13_soho_irc_flux, s14_campus_misp_v6, s15_proxy_only]

import random  # noqa: E402


# =============================================================================== output

def write_intel(sc, d):
    it = getattr(sc, "intel", None)
    if not it:
        return None
    if it["format"] == "stix":
        objs = [{"type": "identity", "spec_version": "2.1", "id": "identity--4e4b6f6a-0000-4000-8000-000000000001",
                 "created": "2026-10-01T00:00:00.000Z", "modified": "2026-10-01T00:00:00.000Z",
                 "name": "indep4 test CERT", "identity_class": "organization"}]
        k = 0
        for v in it["ips"]:
            k += 1
            objs.append(_stix_ind(k, "[ipv4-addr:value = '%s']" % v, "C2 server %s" % v))
        for v in it["domains"]:
            k += 1
            objs.append(_stix_ind(k, "[domain-name:value = '%s']" % v, "C2 domain %s" % v))
        doc = {"type": "bundle", "id": "bundle--4e4b6f6a-0000-4000-8000-0000000000ff", "objects": objs}
        p = os.path.join(d, "intel.stix.json")
    else:
        attrs = []
        k = 0
        for v in it["ips"]:
            k += 1
            attrs.append({"uuid": "5f0c0000-0000-4000-8000-%012d" % k, "type": "ip-dst", "category": "Network activity",
                          "to_ids": True, "value": v, "timestamp": "1790000000", "comment": "C2"})
        for v in it["domains"]:
            k += 1
            attrs.append({"uuid": "5f0c0000-0000-4000-8000-%012d" % k, "type": "domain", "category": "Network activity",
                          "to_ids": True, "value": v, "timestamp": "1790000000", "comment": "C2 domain"})
        doc = {"Event": {"id": "4711", "uuid": "5f0c0000-0000-4000-8000-000000004711", "info": "indep4 C2 infrastructure",
                         "date": "2026-10-20", "threat_level_id": "1", "analysis": "2", "published": True,
                         "timestamp": "1790000000", "Orgc": {"name": "indep4 CERT"}, "Attribute": attrs,
                         "Tag": [{"name": "tlp:green"}]}}
        p = os.path.join(d, "intel.misp.json")
    with open(p, "w") as f:
        json.dump(doc, f, indent=1)
    return p


def _stix_ind(k, pattern, name):
    return {"type": "indicator", "spec_version": "2.1", "id": "indicator--4e4b6f6a-0000-4000-8000-%012d" % k,
            "created": "2026-10-01T00:00:00.000Z", "modified": "2026-10-01T00:00:00.000Z", "name": name,
            "indicator_types": ["malicious-activity"], "pattern": pattern, "pattern_type": "stix",
            "valid_from": "2026-10-01T00:00:00Z", "created_by_ref": "identity--4e4b6f6a-0000-4000-8000-000000000001"}


def finish(sc, outdir):
    d = os.path.join(outdir, sc.name)
    os.makedirs(d, exist_ok=True)
    conns = [c for c in sc.conns if c.ts < sc.t1 + 3600]
    conns.sort(key=lambda c: c.ts)
    if sc.fmt == "pcap":
        inp = os.path.join(d, "input.pcap")
        n = write_pcap(inp, conns, sc.is_home)
        size = os.path.getsize(inp)
    else:
        inp = os.path.join(d, "zeek")
        n = write_zeek(inp, conns, sc.is_home, sc.name)
        size = sum(os.path.getsize(os.path.join(inp, f)) for f in os.listdir(inp))
    intel = write_intel(sc, d)
    args = [a if a != "INTEL" else intel for a in sc.args]
    # truth: victims from the tagged connections
    vic = {}
    for c in conns:
        if not c.tag or c.tag.startswith("client:"):
            continue
        if c.rh not in sc.c2:
            continue
        ok = c.state == "SF"
        v = vic.setdefault(c.rh, {})
        v[c.oh] = v.get(c.oh, False) or ok
    c2 = []
    for ip, e in sorted(sc.c2.items()):
        if ip not in vic:
            continue
        c2.append({"ip": ip, "country": geo.country(ip), "family": 6 if ":" in ip else 4, "behaviour": e["behaviour"],
                   "kind": e["kind"], "names": e["names"][:5],
                   "in_intel": bool(getattr(sc, "intel", None)) and (
                       ip in sc.intel["ips"] or any(n in sc.intel["domains"] for n in e["names"])),
                   "victims": [{"ip": h, "status": "controlled" if ok else "attempted",
                                "country": ((sc.home_country or "") if ipaddress.ip_address(h).is_private
                                            else geo.country(h))}
                               for h, ok in sorted(vic[ip].items())]})
    # label benign destinations with their addresses
    ben = []
    for b in sc.benign:
        dst = b["dst"]
        ips = []
        if dst in sc.names:
            for (_, x, _) in sc.names[dst]:
                if callable(x):
                    ips += list(x.__defaults__[0])
                else:
                    ips += x
        else:
            ips = [dst]
        ben.append(dict(b, ips=sorted(set(ips))))
    truth = {"scenario": sc.name, "seed": sc.seed, "format": sc.fmt, "input": os.path.abspath(inp),
             "args": args, "hours": sc.hours, "home_country": sc.home_country,
             "home_nets": [str(n) for n in sc.home_nets], "c2": c2, "benign_periodic": ben,
             "benign_only": not c2, "notes": sc.notes, "records": n, "bytes": size}
    with open(os.path.join(d, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
    return truth


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=4004)
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x)
    for i, fn in enumerate(SCENARIOS):
        nm = fn.__name__
        if only and not any(nm.startswith(o) or o in nm for o in only):
            continue
        t = time.time()
        sc = fn(a.seed + 101 * (i + 1))
        tr = finish(sc, a.outdir)
        print("%-28s %5s conns=%7d out=%7d %8.1f MB c2=%d victims=%d  %.1fs" % (
            sc.name, sc.fmt, len(sc.conns), tr["records"], tr["bytes"] / 1e6, len(tr["c2"]),
            sum(len(c["victims"]) for c in tr["c2"]), time.time() - t), flush=True)


if __name__ == "__main__":
    main()
