#!/usr/bin/env python3
"""Labelled C2 scenarios for c2scope: a capture, threat-intel feeds and the exact expected answer (stdlib only).

Usage:
  gen_scenario.py --seed N --kind mixed|benign|small|tunnel|all --out DIR [--hours H] [--hosts K]
  gen_scenario.py --check-geo MMDB        # verify the address/country tables against a MaxMind DB, exit 1 on mismatch
  gen_scenario.py --check DIR             # re-derive victims/attempted/statistics from DIR/traffic.pcap vs truth.json

Writes DIR/traffic.pcap, DIR/intel/*, DIR/truth.json and DIR/README.md (`--kind all`: DIR/<kind>/...).
Same arguments, byte-identical outputs. What the truth means: tests/scenarios/README.md and docs/scenarios.md.
"""
import argparse
import base64
import hashlib
import ipaddress
import json
import math
import os
import random
import sys
import struct
import time
import zlib

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario_lib as L  # noqa: E402

US = 1_000_000
EPOCH0 = L.epoch_of("2026-03-19T00:00:00Z")
KINDS = ("mixed", "benign", "small", "tunnel")

# ================================================================================================================
# Address tables. Every country below was checked with `--check-geo` against
# @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (shared/data/geoip/geo-whois-asn-country.mmdb).
# AS names come from @ip-location-db/asn 2.3.2026061719 (shared/data/geoip/asn-ipv4.csv), for the reader only.

GEO_DB_VERSION = "@ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719"

# Candidate C2 servers: addresses in hosting networks, (ip, country, AS name).
C2_POOL = [
    ("5.44.45.153", "RU", "JSC Selectel"), ("5.42.220.95", "RU", "JSC TIMEWEB"),
    ("2.58.69.41", "RU", "JSC Selectel"), ("42.123.83.176", "CN", "Cloud Computing Corporation"),
    ("36.111.153.104", "CN", "Cloud Computing Corporation"), ("39.109.127.73", "HK", "YISU CLOUD LTD"),
    ("23.226.15.60", "HK", "UDomain Web Hosting"), ("5.101.103.47", "NL", "DigitalOcean, LLC"),
    ("5.129.208.91", "NL", "Timeweb, LLP"), ("5.175.184.127", "DE", "ZAP-Hosting GmbH"),
    ("2.28.170.83", "DE", "Hetzner Online GmbH"), ("2.56.139.151", "US", "Shock Hosting LLC"),
    ("15.204.18.203", "US", "OVH SAS"), ("13.140.151.23", "FR", "Contabo GmbH"),
    ("8.221.132.123", "SG", "Alibaba (US) Technology"), ("23.106.121.58", "SG", "LEASEWEB SINGAPORE"),
    ("45.14.89.136", "BR", "Hostinger International"), ("185.104.250.34", "VG", "IHOR HOSTING LTD"),
    ("45.133.247.209", "VG", "IHOR HOSTING LTD"), ("45.249.160.175", "KR", "NHNCLOUD"),
    ("5.104.84.197", "JP", "Contabo Asia"), ("5.77.32.222", "GB", "IOMART CLOUD SERVICES"),
    ("78.128.63.167", "BG", "ARES HOSTING"), ("31.13.248.121", "BG", "Baxet Group Inc."),
    ("77.93.172.6", "RO", "INFINITY CLOUD TECHNOLOGIES"), ("91.206.201.155", "UA", "Hosting Ukraine LTD"),
    ("194.180.191.141", "MD", "MivoCloud SRL"), ("45.94.4.250", "TR", "HOSTING DUNYAM"),
    ("103.154.186.146", "VN", "FPT Smart Cloud"), ("43.248.56.132", "IN", "Infrazone Hosting"),
    ("45.195.78.155", "SC", "CDS Global Cloud"), ("95.47.96.205", "KZ", "QazCloud LLP"),
    ("45.205.175.219", "ZA", "Africa on Cloud"),
]

# Where the monitored network is. Subscriber/roaming ranges are /24s (all 254 hosts are checked);
# `roam` is a range inside --home-net that the database places in another country.
HOME_PROFILES = {
    "CZ": {"isp": "80.188.85.0/24", "core": "37.188.170.10", "isp_dns": "37.188.170.53",
           "v6": "2a02:8308:8000:1a00", "roam": "91.191.73.0/24", "roam_cc": "SK", "tz": 1},
    "PL": {"isp": "37.108.85.0/24", "core": "46.134.202.10", "isp_dns": "46.134.202.53",
           "v6": "2a00:f41:1000:5b00", "roam": "62.122.77.0/24", "roam_cc": "LT", "tz": 1},
    "PT": {"isp": "2.81.85.0/24", "core": "62.28.85.10", "isp_dns": "62.28.85.53",
           "v6": "2001:8a0:6000:7c00", "roam": "2.138.170.0/24", "roam_cc": "ES", "tz": 0},
}

# Popular destinations for browsing: name -> (IPv4, IPv6 or None, TTL, CNAME chain, country of the IPs).
SITES = {
    "www.google.com": ("142.250.185.68", "2a00:1450:4001:80b::2004", 300, (), "US"),
    "www.youtube.com": ("142.250.74.46", "2a00:1450:4016:80a::200e", 300, ("youtube-ui.l.google.com",), "US"),
    "i.ytimg.com": ("172.217.18.14", None, 300, (), "US"),
    "fonts.gstatic.com": ("216.58.206.67", None, 300, (), "US"),
    "www.gstatic.com": ("142.251.36.163", None, 300, (), "US"),
    "www.wikipedia.org": ("185.15.59.224", None, 600, ("dyna.wikimedia.org",), "NL"),
    "upload.wikimedia.org": ("185.15.59.240", None, 600, (), "NL"),
    "github.com": ("140.82.121.4", None, 60, (), "US"),
    "github.githubassets.com": ("185.199.108.154", None, 3600, (), "US"),
    "www.reddit.com": ("151.101.1.140", None, 300, ("reddit.map.fastly.net",), "US"),
    "www.bbc.com": ("151.101.0.81", None, 300, ("bbc.map.fastly.net",), "US"),
    "cdn.jsdelivr.net": ("151.101.129.229", None, 300, ("jsdelivr.map.fastly.net",), "US"),
    "www.cloudflare.com": ("104.16.124.96", "2606:4700::6810:7c60", 300, (), "US"),
    "cdnjs.cloudflare.com": ("104.17.24.14", None, 300, (), "US"),
    "stackoverflow.com": ("104.18.32.47", None, 300, (), "US"),
    "www.amazon.com": ("52.84.150.39", None, 60, ("tp.47cf2c8c9-frontier.amazon.com",), "US"),
    "m.media-amazon.com": ("23.52.40.11", None, 300, ("m.media-amazon.com.edgekey.net",), "US"),
    "www.microsoft.com": ("23.35.98.72", None, 300, ("www.microsoft.com-c-3.edgekey.net",
                                                     "e13678.dscb.akamaiedge.net"), "US"),
    "login.microsoftonline.com": ("20.190.160.20", None, 300, ("login.mso.msidentity.com",), "NL"),
    "outlook.office365.com": ("52.96.166.130", None, 60, ("outlook.ms-acdc.office.com",), "US"),
    "teams.microsoft.com": ("52.113.194.132", None, 300, ("teams.office.com",), "US"),
    "www.linkedin.com": ("13.107.42.14", None, 300, ("l-0005.l-msedge.net",), "US"),
    "www.facebook.com": ("157.240.20.35", "2a03:2880:f12f:83:face:b00c:0:25de", 60,
                         ("star-mini.c10r.facebook.com",), "US"),
    "static.xx.fbcdn.net": ("31.13.64.35", None, 60, ("scontent.xx.fbcdn.net",), "IE"),
    "www.instagram.com": ("157.240.20.174", None, 60, ("z-p42-instagram.c10r.instagram.com",), "US"),
    "x.com": ("104.244.42.65", None, 300, (), "US"),
    "abs.twimg.com": ("151.101.193.229", None, 300, ("cs2-wac.apr-8315.edgecastdns.net",), "US"),
    "www.netflix.com": ("44.239.33.190", None, 60, ("www.geo.netflix.com",), "US"),
    "www.dropbox.com": ("162.125.1.18", None, 60, ("www-env.dropbox-dns.com",), "US"),
    "www.apple.com": ("17.253.144.10", None, 300, ("www.apple.com.edgekey.net",), "US"),
    "news.ycombinator.com": ("209.216.230.207", None, 300, (), "US"),
    "www.spotify.com": ("35.186.224.25", None, 300, (), "US"),
    "zoom.us": ("170.114.52.2", None, 300, (), "US"),
    "www.booking.com": ("18.64.115.12", None, 60, (), "US"),
    "www.paypal.com": ("151.101.65.21", None, 300, (), "US"),
    "docs.google.com": ("142.250.74.78", None, 300, (), "US"),
    "mail.google.com": ("142.250.185.69", "2a00:1450:4001:80b::2005", 300, (), "US"),
    "www.google-analytics.com": ("142.250.185.78", None, 300, (), "US"),
    "www.googletagmanager.com": ("142.250.185.72", None, 300, (), "US"),
    "connect.facebook.net": ("157.240.20.19", None, 60, ("scontent.xx.fbcdn.net",), "US"),
    "securepubads.g.doubleclick.net": ("142.250.186.98", None, 300, ("partnerad.l.doubleclick.net",), "US"),
    "c.amazon-adsystem.com": ("18.64.115.45", None, 60, (), "US"),
    "cdn.cookielaw.org": ("104.18.32.137", None, 300, (), "US"),
    "slack.com": ("54.230.10.5", None, 60, (), "US"),
    "api.openweathermap.org": ("37.139.20.5", None, 600, (), "NL"),
    "imap.gmail.com": ("142.250.102.108", None, 300, (), "US"),
    "neverssl.com": ("34.223.124.45", None, 60, (), "US"),
    "deb.debian.org": ("151.101.130.132", None, 300, ("debian.map.fastly.net",), "US"),
    "pypi.org": ("151.101.192.223", None, 300, (), "US"),
    "ocsp.digicert.com": ("192.229.211.108", None, 300, ("fp2e7a.wpc.phicdn.net",), "US"),
    "r10.o.lencr.org": ("23.215.0.136", None, 300, ("o.lencr.edgesuite.net",), "US"),
}
# Subresources a page pulls in, and which sites speak plain HTTP.
COMMON_SUB = ["www.google-analytics.com", "www.googletagmanager.com", "fonts.gstatic.com", "cdnjs.cloudflare.com",
              "cdn.cookielaw.org", "securepubads.g.doubleclick.net", "c.amazon-adsystem.com", "connect.facebook.net",
              "cdn.jsdelivr.net", "www.gstatic.com"]
SITE_SUB = {"www.youtube.com": ["i.ytimg.com"], "www.wikipedia.org": ["upload.wikimedia.org"],
            "github.com": ["github.githubassets.com"], "www.amazon.com": ["m.media-amazon.com"],
            "www.facebook.com": ["static.xx.fbcdn.net"], "www.instagram.com": ["static.xx.fbcdn.net"],
            "x.com": ["abs.twimg.com"], "stackoverflow.com": ["cdnjs.cloudflare.com"]}
BROWSE = [n for n in SITES if n not in COMMON_SUB and n not in ("i.ytimg.com", "upload.wikimedia.org",
          "github.githubassets.com", "m.media-amazon.com", "static.xx.fbcdn.net", "abs.twimg.com",
          "api.openweathermap.org", "imap.gmail.com", "deb.debian.org", "pypi.org", "ocsp.digicert.com",
          "r10.o.lencr.org", "neverssl.com")]
PLAIN_HTTP = {"neverssl.com", "deb.debian.org", "ocsp.digicert.com", "r10.o.lencr.org"}

# Benign services most hosts contact on a schedule: name -> (IPv4, port, TTL, country).
SERVICES = {
    "pool.ntp.org": ("95.216.24.230", 123, 150, "FI"),
    "time.apple.com": ("17.253.53.207", 123, 3600, "NL"),
    "update.googleapis.com": ("142.250.185.99", 443, 300, "US"),
    "mtalk.google.com": ("142.250.102.188", 5228, 300, "US"),
    "courier.push.apple.com": ("17.57.146.20", 5223, 3600, "US"),
    "www.msftconnecttest.com": ("13.107.4.52", 80, 300, "US"),
    "connectivitycheck.gstatic.com": ("142.250.185.131", 80, 300, "US"),
    "api.tuyaeu.com": ("3.122.24.180", 443, 60, "DE"),
    "ntp.ubuntu.com": ("185.125.190.58", 123, 600, "GB"),
}
PUBLIC_DNS = ("8.8.8.8", "US")
# Ephemeral ports Wireshark dissects by number (EtherCAT 34980, EtherNet/IP 44818, BACnet 47808, ADS 48898,
# traceroute 33434-33534, ...): avoided so tshark's malformed/expert output stays a useful check of the generator.
TSHARK_PORT_HEURISTICS = {34980, 44818, 47808, 48898, 34962, 34963, 34964, 41794, 44321, 44322, 44323, 44600,
                          45000} | set(range(33434, 33535))


def geo_table():
    """Every (address, country) the generator can put on the wire as an external or monitored-public host."""
    rows = [(ip, cc) for ip, cc, _ in C2_POOL]
    for name, (v4, v6, _, _, cc) in SITES.items():
        rows.append((v4, cc))
    for name, (v4, _, _, cc) in SERVICES.items():
        rows.append((v4, cc))
    rows.append(PUBLIC_DNS)
    for cc, p in HOME_PROFILES.items():
        rows += [(p["core"], cc), (p["isp_dns"], cc)]
        rows += [(str(a), cc) for a in ipaddress.ip_network(p["isp"]).hosts()]
        rows += [(str(a), p["roam_cc"]) for a in ipaddress.ip_network(p["roam"]).hosts()]
        rows += [(p["v6"] + "::%x" % i, cc) for i in (1, 0x10, 0xabcd)]
    return rows


def check_geo(mmdb_path):
    db = L.MmdbReader(mmdb_path)
    bad = 0
    rows = geo_table()
    for ip, cc in rows:
        got = db.country(ip)
        if got != cc:
            print("mismatch: %s table=%s db=%s" % (ip, cc, got))
            bad += 1
    v6_sites = [(v6, cc) for (_, v6, _, _, cc) in SITES.values() if v6]
    for ip, cc in v6_sites:
        got = db.country(ip)
        if got is None:
            print("no country for %s" % ip)
            bad += 1
    print("%s: %d addresses checked, %d mismatches (tables written against %s, db build_epoch %s)" %
          (mmdb_path, len(rows) + len(v6_sites), bad, GEO_DB_VERSION, db.meta.get("build_epoch")))
    return 1 if bad else 0


# ================================================================================================================
# TLS client profiles (wire order as the clients send them; JA3 differs per profile)

CH_CIPHERS = [4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392, 49171, 49172, 156, 157, 47, 53]
SIG_CH = [1027, 2052, 1025, 1283, 2053, 1281, 2054, 1537]
PROFILES = {
    "chrome": L.TlsProfile("chrome", CH_CIPHERS,
                           ["G", 0, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43, 27, 17513, "G", 21],
                           [29, 23, 24], SIG_CH, ("h2", "http/1.1"), (0x0304, 0x0303), grease=True, permute=True),
    "firefox": L.TlsProfile("firefox", [4865, 4867, 4866, 49195, 49199, 52393, 52392, 49196, 49200, 49162, 49161,
                                        49171, 49172, 156, 157, 47, 53],
                            [0, 23, 65281, 10, 11, 35, 16, 5, 34, 51, 43, 13, 45, 28, 21],
                            [29, 23, 24, 25, 256, 257],
                            [1027, 1283, 1539, 2052, 2053, 2054, 1025, 1281, 1537, 515, 513], ("h2", "http/1.1"),
                            (0x0304, 0x0303), key_shares=(29, 23), pad_to=512),
    "safari": L.TlsProfile("safari", [4865, 4866, 4867, 49196, 49195, 52393, 49200, 49199, 52392, 49162, 49161,
                                      49172, 49171, 157, 156, 53, 47, 49160, 49170, 10],
                           ["G", 0, 23, 65281, 10, 11, 16, 5, 13, 18, 51, 45, 43, 27, "G", 21],
                           [29, 23, 24, 25], [1027, 2052, 1025, 1283, 515, 2053, 2053, 1281, 2054, 1537, 513],
                           ("h2", "http/1.1"), (0x0304, 0x0303, 0x0302, 0x0301), grease=True, pad_to=512),
    "schannel": L.TlsProfile("schannel", [49196, 49195, 49200, 49199, 159, 158, 49188, 49187, 49192, 49191,
                                          49162, 49161, 49172, 49171, 157, 156, 61, 60, 53, 47, 10],
                             [0, 5, 10, 11, 13, 35, 16, 23, 65281], [29, 23, 24],
                             [2052, 2053, 2054, 1025, 1281, 513, 1027, 1283, 515, 514, 1537, 1539],
                             ("h2", "http/1.1"), session_id=False),
    "okhttp": L.TlsProfile("okhttp", CH_CIPHERS, [0, 23, 65281, 10, 11, 35, 16, 5, 13, 51, 45, 43, 21],
                           [29, 23, 24], SIG_CH, ("h2", "http/1.1"), (0x0304, 0x0303)),
    "curl": L.TlsProfile("curl", [4866, 4867, 4865, 49196, 49200, 159, 52393, 52392, 52394, 49195, 49199, 158,
                                  49188, 49192, 107, 49187, 49191, 103, 49162, 49172, 57, 49161, 49171, 51, 157,
                                  156, 61, 60, 53, 47, 255],
                         [0, 11, 10, 35, 16, 22, 23, 49, 13, 43, 45, 51], [29, 23, 30, 25, 24],
                         [1027, 1283, 1539, 2055, 2056, 2057, 2058, 2059, 2052, 2053, 2054, 1025, 1281, 1537],
                         ("h2", "http/1.1"), (0x0304, 0x0303)),
    # Malware TLS stacks. go/legacy/delphi are unique to their family, so their JA3 may be listed.
    "go": L.TlsProfile("go", [49195, 49199, 49196, 49200, 52393, 52392, 49161, 49171, 49162, 49172, 156, 157, 47,
                              53, 49170, 10, 4865, 4866, 4867],
                       [0, 5, 10, 11, 13, 65281, 18, 43, 51], [29, 23, 24, 25],
                       [2052, 1027, 1283, 2053, 1281, 2054, 1537, 1025, 513], (), (0x0304, 0x0303)),
    "legacy": L.TlsProfile("legacy", [49200, 49196, 49192, 49188, 49172, 49162, 163, 159, 107, 106, 57, 56, 136,
                                      135, 49202, 49198, 49194, 49190, 49167, 49157, 157, 61, 53, 132, 49199,
                                      49195, 49191, 49187, 49171, 49161, 162, 158, 103, 64, 51, 50, 69, 68, 49201,
                                      49197, 49193, 49189, 49166, 49156, 156, 60, 47, 65, 255],
                           [0, 11, 10, 35, 13, 15], [23, 25, 28, 27, 24, 26, 22, 14, 13, 11, 12, 9, 10],
                           [1537, 1538, 1539, 1281, 1282, 1283, 1025, 1026, 1027, 769, 770, 771, 513, 514, 515],
                           session_id=False),
    "delphi": L.TlsProfile("delphi", [49192, 49191, 49172, 49171, 159, 158, 57, 51, 157, 156, 61, 60, 53, 47,
                                      49196, 49195, 49188, 49187, 49162, 49161, 106, 64, 56, 50, 10, 19],
                           [0, 5, 10, 11, 13, 35, 23, 65281], [29, 23, 24],
                           [1025, 1281, 513, 1027, 1283, 515, 514, 1537, 1539], session_id=False),
}
UNIQUE_MALWARE_PROFILES = ("go", "legacy", "delphi")
BROWSER = {"windows": "chrome", "mac": "safari", "linux": "firefox", "android": "chrome", "ios": "safari",
           "server": "curl", "iot": "okhttp"}
SYSTEM_TLS = {"windows": "schannel", "mac": "safari", "linux": "curl", "android": "okhttp", "ios": "safari",
              "server": "curl", "iot": "okhttp"}
UA = {
    "windows": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/134.0.0.0 Safari/537.36",
    "mac": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
           "Version/18.3 Safari/605.1.15",
    "linux": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:136.0) Gecko/20100101 Firefox/136.0",
    "android": "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/134.0.6998.39 Mobile Safari/537.36",
    "ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
           "Version/18.3 Mobile/15E148 Safari/604.1",
    "server": "Debian APT-HTTP/1.3 (2.6.1)", "iot": "okhttp/4.12.0",
}
MALWARE_UA = ["Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; Trident/7.0)",
              "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:58.0) Gecko/20100101 Firefox/58.0",
              "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
              "Go-http-client/1.1", "python-requests/2.31.0", "WinHTTP/1.0", None]
OUI = {"windows": ["3c:52:82", "f4:8e:38", "d8:bb:c1"], "mac": ["3c:22:fb", "a4:83:e7"], "linux": ["00:d8:61"],
       "android": ["a8:9c:ed", "f0:5b:7b"], "ios": ["f0:18:98", "bc:d0:74"], "server": ["52:54:00"],
       "iot": ["b0:a7:32", "00:11:32", "ec:71:db"]}


# ================================================================================================================
# The capture being built


class Remote:
    """A host on the far side of a flow (server or resolver): address, round trip, TTL as seen, IP id counter."""

    def __init__(self, ip, rtt_us, ttl, rnd):
        self.ip = ip
        self.rtt = rtt_us
        self.ttl = ttl
        self.ident = rnd.randrange(65536)

    def next_id(self):
        self.ident = (self.ident + 1) & 0xFFFF
        return self.ident


class Host:
    def __init__(self, ip, os_name, access, rnd):
        self.ip = ip
        self.ip6 = None
        self.os = os_name
        self.access = access  # lan, vlan, qinq, gtp, vxlan, isp, roam
        self.mac = L.mac(rnd.choice(OUI[os_name]) + ":%02x:%02x:%02x" % tuple(rnd.randbytes(3)))
        self.ttl = 128 if os_name == "windows" else 64
        self.ident = rnd.randrange(65536)
        self.port = rnd.randrange(49152, 60000) if os_name in ("windows", "mac", "ios") else \
            rnd.randrange(32768, 50000)
        self.dns_cache = {}
        self.resolver = None
        self.wrap = None  # (ip_packet_bytes, outbound, flow_hash) -> frame
        self.on = []  # [(start_us, end_us)] when the device is powered and online
        self.browse_rate = 0.0
        self.edns = os_name in ("linux", "android", "server")
        self.tickets = {}  # server name -> True once a full TLS handshake gave it a session ticket
        self.special = False  # runs an implant that owns the whole device (the backdoor box)

    def next_id(self):
        self.ident = (self.ident + 1) & 0xFFFF
        return self.ident

    def next_port(self, rnd):
        while True:
            self.port += rnd.randint(1, 5)
            lo, hi = (49152, 65535) if self.os in ("windows", "mac", "ios") else (32768, 60999)
            if self.port > hi:
                self.port = lo + (self.port - hi)
            if self.port not in TSHARK_PORT_HEURISTICS:
                return self.port

    def is_on(self, t):
        for a, b in self.on:
            if a <= t < b:
                return True
        return False


def _flow_hash(a, b, c, d):
    """Stable per-flow number (VXLAN outer source port); str hash() is salted per process, so not that."""
    return zlib.crc32(("%s|%s|%d|%d" % (a, b, c, d)).encode()) & 0x3FFF


class Capture:
    def __init__(self, rnd, t0_us, t1_us):
        self.rnd = rnd
        self.t0 = t0_us
        self.t1 = t1_us
        self.pkts = []
        self.seq = 0
        self.contact = {}  # remote ip -> {host ip: completed?}, for every external flow
        self.zone = {}  # DNS name -> record dict
        self.remotes = {}
        self.certs = {}
        self.ja3 = {}  # remote ip -> JA3 md5s of ClientHellos sent to it

    def put(self, t, frame):
        self.pkts.append((t, self.seq, frame))
        self.seq += 1

    def remote(self, ip, rtt_ms=None, ttl=None):
        r = self.remotes.get(ip)
        if r is None:
            rnd = self.rnd
            r = Remote(ip, int((rtt_ms if rtt_ms is not None else rnd.uniform(15, 160)) * 1000),
                       ttl if ttl is not None else rnd.choice([64, 128, 255]) - rnd.randint(6, 22), rnd)
            self.remotes[ip] = r
        return r

    def send(self, t, host, hip, remote, outbound, proto, l4, fh):
        if outbound:
            ip = L.ip_packet(hip, remote.ip, proto, l4, host.next_id(), host.ttl)
        else:
            ip = L.ip_packet(remote.ip, hip, proto, l4, remote.next_id(), remote.ttl)
        self.put(t, host.wrap(ip, outbound, fh))

    def note(self, remote_ip, host_ip, completed):
        d = self.contact.setdefault(remote_ip, {})
        d[host_ip] = d.get(host_ip, False) or completed


class Tcp:
    """One TCP connection seen at a tap beside the monitored host: correct seq/ack, MSS segmentation, delayed
    ACKs every second segment, FIN/ACK teardown (Zeek conn_state SF), or a failed attempt (S0 / REJ)."""

    MSS = 1460

    def __init__(self, cap, host, hip, remote, dport, t):
        self.cap, self.host, self.hip, self.r, self.dport = cap, host, hip, remote, dport
        rnd = cap.rnd
        self.sport = host.next_port(rnd)
        self.fh = _flow_hash(hip, remote.ip, self.sport, dport)
        self.cseq = rnd.getrandbits(32)
        self.sseq = rnd.getrandbits(32)
        self.rtt = max(300, int(remote.rtt * rnd.uniform(0.95, 1.15)))
        self.t = t
        self.cwin = {"windows": 1026, "mac": 2058, "ios": 2058}.get(host.os, 502)
        self.swin = rnd.choice([501, 1040, 2048, 65535])
        self.owe_s = False
        self.last_c = t

    def _c(self, t, flags, payload=b"", opts=b"", win=None):
        seg = L.tcp_segment(self.hip, self.r.ip, self.sport, self.dport, self.cseq,
                            self.sseq if flags & L.ACK else 0, flags, payload, win or self.cwin, opts)
        self.cap.send(t, self.host, self.hip, self.r, True, L.PROTO_TCP, seg, self.fh)

    def _s(self, t, flags, payload=b"", opts=b"", seq=None):
        seg = L.tcp_segment(self.r.ip, self.hip, self.dport, self.sport, self.sseq if seq is None else seq,
                            self.cseq, flags, payload, self.swin if not flags & L.SYN else 65535, opts)
        self.cap.send(t, self.host, self.hip, self.r, False, L.PROTO_TCP, seg, self.fh)

    def connect(self, mode="ok"):
        t = self.t
        rnd = self.cap.rnd
        self._c(t, L.SYN, opts=L.SYN_OPTIONS, win=64240 if self.host.os != "mac" else 65535)
        if mode == "S0":
            for back in ((1, 3) if self.host.os == "windows" else (1, 3, 7)):
                self._c(t + back * US + rnd.randint(0, 20000), L.SYN, opts=L.SYN_OPTIONS, win=64240)
            self.t = t + 8 * US
            self.cap.note(self.r.ip, self.hip, False)
            return False
        if mode == "REJ":
            seg = L.tcp_segment(self.r.ip, self.hip, self.dport, self.sport, 0, self.cseq + 1, L.RST | L.ACK,
                                b"", 0)
            self.cap.send(t + self.rtt, self.host, self.hip, self.r, False, L.PROTO_TCP, seg, self.fh)
            self.t = t + self.rtt
            self.cap.note(self.r.ip, self.hip, False)
            return False
        self.cseq += 1
        t += self.rtt
        self._s(t, L.SYN | L.ACK, opts=L.SYNACK_OPTIONS)
        self.sseq += 1
        t += rnd.randint(40, 250)
        self._c(t, L.ACK)
        self.t = self.last_c = t
        self.cap.note(self.r.ip, self.hip, True)
        return True

    def client(self, data, think=0):
        rnd = self.cap.rnd
        if self.owe_s and think > self.rtt:
            self._s(self.last_c + self.rtt, L.ACK)
            self.owe_s = False
        t = self.t + think
        n = (len(data) + self.MSS - 1) // self.MSS
        for i in range(n):
            seg = data[i * self.MSS:(i + 1) * self.MSS]
            self._c(t, L.ACK | (L.PSH if i == n - 1 else 0), seg)
            self.cseq += len(seg)
            if i < n - 1:
                t += rnd.randint(8, 40)
        self.t = self.last_c = t
        self.owe_s = True

    def server(self, data, proc=None):
        rnd = self.cap.rnd
        proc = rnd.randint(200, 15000) if proc is None else proc
        if self.owe_s and proc > 40000:
            self._s(self.last_c + self.rtt, L.ACK)
        t = max(self.t, self.last_c + self.rtt + proc)
        n = (len(data) + self.MSS - 1) // self.MSS
        for i in range(n):
            seg = data[i * self.MSS:(i + 1) * self.MSS]
            self._s(t, L.ACK | (L.PSH if i == n - 1 else 0), seg)
            self.sseq += len(seg)
            if i % 2 == 1 or i == n - 1:
                self._c(t + rnd.randint(20, 90), L.ACK)
                t += 100
            t += rnd.randint(60, 180)
        self.t = t
        self.owe_s = False

    def close(self, who="c", think=0):
        rnd = self.cap.rnd
        if self.owe_s:
            self._s(self.last_c + self.rtt, L.ACK)
            self.owe_s = False
            self.t = max(self.t, self.last_c + self.rtt)
        t = self.t + max(think, 50)
        if who == "c":
            self._c(t, L.FIN | L.ACK)
            self.cseq += 1
            t += self.rtt
            self._s(t, L.FIN | L.ACK)
            self.sseq += 1
            t += rnd.randint(30, 200)
            self._c(t, L.ACK)
        else:
            self._s(t, L.FIN | L.ACK)
            self.sseq += 1
            t += rnd.randint(30, 400)
            self._c(t, L.FIN | L.ACK)
            self.cseq += 1
            t += self.rtt
            self._s(t, L.ACK)
        self.t = t
        return t


def udp_exchange(cap, host, hip, remote, dport, t, req, resp, sport=None, proc=None):
    """One datagram and, when `resp` is not None, its answer. Returns the time of the last packet."""
    rnd = cap.rnd
    sport = sport or host.next_port(rnd)
    fh = _flow_hash(hip, remote.ip, sport, dport)
    cap.send(t, host, hip, remote, True, L.PROTO_UDP, L.udp_datagram(hip, remote.ip, sport, dport, req), fh)
    if resp is None:
        cap.note(remote.ip, hip, False)
        return t
    t2 = t + remote.rtt + (rnd.randint(50, 3000) if proc is None else proc)
    cap.send(t2, host, hip, remote, False, L.PROTO_UDP, L.udp_datagram(remote.ip, hip, dport, sport, resp), fh)
    cap.note(remote.ip, hip, True)
    return t2


# ================================================================================================================
# Application layer


def resolve(cap, host, t, name, qtypes=("A",), force=False):
    """Stub-resolver lookup through the host's resolver, honouring the TTL cache.
    Returns (time after the answer, record or None for NXDOMAIN)."""
    rec = cap.zone.get(name)
    exp = host.dns_cache.get(name)
    if exp is not None and exp > t and not force:
        return t, rec
    rnd = cap.rnd
    res = host.resolver
    for qtype in qtypes:
        txid = rnd.getrandbits(16)
        edns = 1232 if host.edns else None
        q = L.dns_message(txid, name, qtype, edns=edns)
        if rec is None:
            tld = name.rsplit(".", 1)[-1]
            soa = (tld, "a.nic." + tld, "hostmaster.nic." + tld, 2026031900 + rnd.randint(0, 99), 900, 900)
            a = L.dns_message(txid, name, qtype, True, (), 3, soa, edns)
        else:
            answers = []
            owner = name
            for c in rec["cname"]:
                answers.append((owner, "CNAME", rec["ttl"], c))
                owner = c
            ips = rec.get(qtype, [])
            answers += [(owner, qtype, rec["ttl"], ip) for ip in ips]
            soa = None
            if not ips:
                zone = ".".join(owner.split(".")[-2:])
                soa = (zone, "ns1." + zone, "dns-admin." + zone, 2026031901, 300, 300)
            a = L.dns_message(txid, name, qtype, True, answers, 0, soa, edns)
        # a cache hit answers in about a millisecond, a recursion in tens
        lat = rnd.randint(300, 2500) if rnd.random() < 0.55 else rnd.randint(8000, 90000)
        t = udp_exchange(cap, host, host.ip, res, 53, t, q, a, proc=lat)
        t += rnd.randint(100, 2000)
    if rec is not None:
        host.dns_cache[name] = t + rec["ttl"] * US
    return t, rec


def _appdata(rnd, size):
    return L.tls_record(L.TLS_CT_APPDATA, rnd.randbytes(max(1, size)))


def tls_session(cap, host, hip, remote, port, sni, profile, exchanges, t, tls13=True, cert=None,
                resumed=False, close="c", idle=None):
    """TLS over a complete TCP session. `exchanges`: [(request bytes, response bytes, think_us)].
    Returns (end time, ja3 md5) or (end time, None) when the connection failed."""
    rnd = cap.rnd
    c = Tcp(cap, host, hip, remote, port, t)
    c.connect()
    prof = PROFILES[profile]
    ch, _, ja3 = L.client_hello(prof, sni, rnd)
    c.client(ch, rnd.randint(100, 2000))
    tls13 = tls13 and prof.tls13
    if tls13:
        sid = ch[44:76] if prof.session_id else b""
        flight = L.tls_record(L.TLS_CT_HANDSHAKE, L.server_hello(rnd, True, rnd.choice([4865, 4866, 4867]),
                                                                 session_id=sid))
        flight += L.CCS_RECORD
        flight += _appdata(rnd, rnd.randint(90, 160) if resumed else rnd.randint(1500, 2800))
        c.server(flight, rnd.randint(1000, 9000))
        c.client(L.CCS_RECORD + _appdata(rnd, 53), rnd.randint(300, 3000))
    else:
        alpn = "h2" if prof.alpn and rnd.random() < 0.5 else ("http/1.1" if prof.alpn else None)
        hs = L.server_hello(rnd, False, rnd.choice([49199, 49200, 49195]), alpn=alpn, ems=23 in prof.extensions)
        if not resumed:
            hs += L.certificate_msg(cert or [site_certificate(cap, sni or remote.ip)])
            hs += L.server_key_exchange(rnd)
            hs += L.handshake(14, b"")
            c.server(L.tls_record(L.TLS_CT_HANDSHAKE, hs), rnd.randint(1000, 9000))
            cke = L.tls_record(L.TLS_CT_HANDSHAKE, L.handshake(16, b"\x20" + rnd.randbytes(32)))
            c.client(cke + L.CCS_RECORD + L.tls_record(L.TLS_CT_HANDSHAKE, rnd.randbytes(40)), rnd.randint(300, 3000))
            c.server(L.CCS_RECORD + L.tls_record(L.TLS_CT_HANDSHAKE, rnd.randbytes(40)))
        else:
            hs_rec = L.tls_record(L.TLS_CT_HANDSHAKE, hs) + L.CCS_RECORD + L.tls_record(L.TLS_CT_HANDSHAKE,
                                                                                          rnd.randbytes(40))
            c.server(hs_rec, rnd.randint(1000, 5000))
            c.client(L.CCS_RECORD + L.tls_record(L.TLS_CT_HANDSHAKE, rnd.randbytes(40)), rnd.randint(300, 3000))
    for i, (req, resp, think) in enumerate(exchanges):
        c.client(_appdata(rnd, req), think)
        if resp:
            if tls13 and i == 0 and not resumed:
                resp_bytes = _appdata(rnd, rnd.randint(230, 260)) + _appdata(rnd, resp)
            else:
                resp_bytes = _appdata(rnd, resp)
            c.server(resp_bytes)
    end = c.close(close, idle if idle is not None else rnd.randint(20000, 400000))
    cap.ja3.setdefault(remote.ip, set()).add(ja3)
    return end, ja3


def site_certificate(cap, name):
    """One CA-issued certificate per benign site for the whole capture (servers do not change keys hourly)."""
    der = cap.certs.get(name)
    if der is None:
        rnd = random.Random("cert:" + name)
        issuer = rnd.choice([[("C", "US"), ("O", "Let's Encrypt"), ("CN", "R10")],
                             [("C", "US"), ("O", "DigiCert Inc"), ("CN", "DigiCert Global G2 TLS RSA SHA256 2020 CA1")],
                             [("C", "US"), ("O", "Google Trust Services"), ("CN", "WR2")]])
        nb = cap.t0 // US - rnd.randint(5, 60) * 86400
        der = L.x509_certificate(rnd, [("CN", name)], issuer, nb, nb + 90 * 86400, [name])
        cap.certs[name] = der
    return der


def http_session(cap, host, hip, remote, port, requests, t, close="c"):
    """HTTP/1.1 over a complete TCP session. `requests`: [(request bytes, response bytes, think_us)]."""
    c = Tcp(cap, host, hip, remote, port, t)
    c.connect()
    for req, resp, think in requests:
        c.client(req, think)
        c.server(resp)
    return c.close(close, cap.rnd.randint(2000, 200000))


def http_request(method, host_hdr, path, ua, body=b"", extra=(), connection="keep-alive"):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host_hdr]
    if ua:
        lines.append("User-Agent: %s" % ua)
    lines += list(extra)
    if not any(x.startswith("Accept:") for x in extra):
        lines.append("Accept: */*")
    if method in ("POST", "PUT"):
        lines.append("Content-Length: %d" % len(body))
    lines.append("Connection: %s" % connection)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_response(rnd, body, ctype="text/html; charset=UTF-8", server="nginx", status="200 OK"):
    hdr = "HTTP/1.1 %s\r\nServer: %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
        status, server, "Thu, 19 Mar 2026 10:00:00 GMT", ctype, len(body))
    return hdr.encode() + body


# ================================================================================================================
# The population: hosts, their access networks and their benign habits


def diurnal(t_us, tz):
    h = ((t_us // US) / 3600.0 + tz) % 24
    if h < 6.5:
        return 0.04
    if h < 8.5:
        return 0.3 + 0.35 * (h - 6.5)
    if h < 18:
        return 1.0
    if h < 23:
        return 0.8
    return 0.25


class Network:
    """The monitored network: access segments (LAN, VLAN, QinQ, GTP-U, VXLAN, ISP, roaming) and their hosts."""

    def __init__(self, cap, rnd, home_cc, n_hosts, mix):
        self.cap, self.rnd, self.cc = cap, rnd, home_cc
        self.prof = HOME_PROFILES[home_cc]
        self.hosts = []
        self.gw_mac = L.mac("00:1a:8c:%02x:%02x:%02x" % tuple(rnd.randbytes(3)))
        self.lan_resolver = cap.remote("192.168.1.1", rtt_ms=0.4, ttl=64)
        self.gtp_resolver = cap.remote("10.200.0.53", rtt_ms=2.0, ttl=63)
        self.vm_resolver = cap.remote("10.20.0.1", rtt_ms=0.3, ttl=64)
        self.isp_resolver = cap.remote(self.prof["isp_dns"], rtt_ms=1.5, ttl=62)
        self.enbs = ["100.64.%d.%d" % (rnd.randint(1, 60), rnd.randint(2, 250)) for _ in range(2)]
        self.enbs.append(self._pick_in(self.prof["isp"], set()))
        self.sgw = self.prof["core"]
        self.sgw_mac = L.mac("00:1b:21:%02x:%02x:%02x" % tuple(rnd.randbytes(3)))
        self.enb_mac = {e: L.mac("00:0c:29:%02x:%02x:%02x" % tuple(rnd.randbytes(3))) for e in self.enbs}
        self.outer_ident = {}
        self.vtep_host = "192.168.56.%d" % rnd.randint(11, 30)
        self.vtep_gw = "192.168.56.1"
        self.vtep_mac = L.mac("52:54:00:%02x:%02x:%02x" % tuple(rnd.randbytes(3)))
        self.vm_gw_mac = L.mac("52:54:00:%02x:%02x:%02x" % tuple(rnd.randbytes(3)))
        used = set()
        kinds = []
        for access, share in mix:
            kinds += [access] * int(round(share * n_hosts))
        while len(kinds) < n_hosts:
            kinds.append(mix[0][0])
        kinds = kinds[:n_hosts]
        for access in kinds:
            self.hosts.append(self._make_host(access, used))

    def _pick_in(self, cidr, used):
        net = ipaddress.ip_network(cidr)
        while True:
            a = str(net.network_address + self.rnd.randint(2, net.num_addresses - 3))
            if a not in used:
                used.add(a)
                return a

    def _make_host(self, access, used):
        rnd = self.rnd
        if access in ("lan", "vlan", "qinq", "isp"):
            os_name = rnd.choices(["windows", "mac", "linux", "iot", "android"], [50, 18, 12, 12, 8])[0]
        elif access == "gtp":
            os_name = rnd.choices(["android", "ios"], [60, 40])[0]
        elif access == "vxlan":
            os_name = "server"
        else:  # roam
            os_name = rnd.choice(["android", "ios", "windows"])
        if access == "lan":
            ip = self._pick_in("192.168.1.0/24", used | {"192.168.1.1"})
        elif access == "vlan":
            vid = rnd.choice([10, 20])
            ip = self._pick_in("192.168.%d.0/24" % vid, used)
        elif access == "qinq":
            ip = self._pick_in("192.168.30.0/24", used)
        elif access == "gtp":
            ip = self._pick_in("10.45.0.0/16", used)
        elif access == "vxlan":
            ip = self._pick_in("10.20.0.0/24", used | {"10.20.0.1"})
        elif access == "isp":
            ip = self._pick_in(self.prof["isp"], used | {self.prof["isp_dns"]})
        else:
            ip = self._pick_in(self.prof["roam"], used)
        h = Host(ip, os_name, access, rnd)
        gw = self.gw_mac
        if access in ("lan", "vlan", "qinq"):
            vlans = () if access == "lan" else ((vid,) if access == "vlan" else (100, rnd.choice([31, 32])))
            h.vlans = vlans
            h.resolver = self.lan_resolver if rnd.random() > 0.06 else self.cap.remote(PUBLIC_DNS[0], 9, 118)
            if access == "lan" and os_name in ("windows", "mac", "linux") and rnd.random() < 0.35:
                h.ip6 = self.prof["v6"] + ":%x:%x:%x:%x" % tuple(rnd.getrandbits(16) for _ in range(4))

            def wrap(ip_bytes, out, fh, h=h, vlans=vlans):
                et = L.ETH_IPV6 if ip_bytes[0] >> 4 == 6 else L.ETH_IPV4
                return L.ethernet(gw, h.mac, ip_bytes, et, vlans) if out else L.ethernet(h.mac, gw, ip_bytes, et,
                                                                                         vlans)
            h.wrap = wrap
        elif access in ("isp", "roam"):
            h.resolver = self.isp_resolver
            bras = L.mac("00:00:5e:00:01:%02x" % rnd.randint(1, 250))

            def wrap(ip_bytes, out, fh, h=h, bras=bras):
                return L.ethernet(bras, h.mac, ip_bytes, L.ETH_IPV4) if out else L.ethernet(h.mac, bras, ip_bytes,
                                                                                            L.ETH_IPV4)
            h.wrap = wrap
        elif access == "gtp":
            h.resolver = self.gtp_resolver
            enb = rnd.choice(self.enbs)
            teid_up, teid_down = rnd.getrandbits(32) | 1, rnd.getrandbits(32) | 1
            enb_mac = self.enb_mac[enb]
            sgw, sgw_mac = self.sgw, self.sgw_mac
            idents = self.outer_ident

            def wrap(ip_bytes, out, fh, enb=enb, up=teid_up, down=teid_down, enb_mac=enb_mac):
                s, d = (enb, sgw) if out else (sgw, enb)
                idents[s] = (idents.get(s, 0) + 1) & 0xFFFF
                outer = L.ip_packet(s, d, L.PROTO_UDP, L.udp_datagram(s, d, 2152, 2152, L.gtpu(up if out else down,
                                                                                               ip_bytes)),
                                    idents[s], 64 if out else 62, df=False)
                return L.ethernet(sgw_mac, enb_mac, outer, L.ETH_IPV4) if out else L.ethernet(enb_mac, sgw_mac,
                                                                                              outer, L.ETH_IPV4)
            h.wrap = wrap
        elif access == "vxlan":
            h.resolver = self.vm_resolver
            vni = 5001
            vth, vtg, vmac, gmac = self.vtep_host, self.vtep_gw, self.vtep_mac, self.vm_gw_mac
            gw_outer = self.gw_mac
            idents = self.outer_ident

            def wrap(ip_bytes, out, fh, h=h):
                inner = L.ethernet(gmac, h.mac, ip_bytes, L.ETH_IPV4) if out else L.ethernet(h.mac, gmac, ip_bytes,
                                                                                             L.ETH_IPV4)
                s, d = (vth, vtg) if out else (vtg, vth)
                idents[s] = (idents.get(s, 0) + 1) & 0xFFFF
                outer = L.ip_packet(s, d, L.PROTO_UDP, L.udp_datagram(s, d, 49152 + fh, 4789, L.vxlan(vni, inner)),
                                    idents[s], 64)
                return L.ethernet(gw_outer, vmac, outer, L.ETH_IPV4) if out else L.ethernet(vmac, gw_outer, outer,
                                                                                            L.ETH_IPV4)
            h.wrap = wrap
        # power: most devices stay online; some laptops sleep at night, phones lose coverage for a while
        t0, t1 = self.cap.t0, self.cap.t1
        h.on = [(t0, t1)]
        if os_name in ("windows", "mac", "linux") and rnd.random() < 0.3 and t1 - t0 > 8 * 3600 * US:
            off = t0 + rnd.randint(0, (t1 - t0) // 2)
            h.on = [(t0, off), (off + rnd.randint(4, 10) * 3600 * US, t1)]
        elif os_name in ("android", "ios") and rnd.random() < 0.25:
            off = t0 + rnd.randint(0, (t1 - t0) * 3 // 4)
            h.on = [(t0, off), (off + rnd.randint(10, 90) * 60 * US, t1)]
        h.on = [(a, b) for a, b in h.on if a < b]
        h.browse_rate = {"windows": rnd.uniform(0.4, 1.6), "mac": rnd.uniform(0.4, 1.6), "linux": rnd.uniform(0.4, 1.5),
                         "android": rnd.uniform(0.4, 1.6), "ios": rnd.uniform(0.4, 1.6), "server": 0.0,
                         "iot": 0.0}[os_name]
        return h


def periodic(rnd, t_start, t_end, period_s, jitter, host, missed=0.0, style="sym"):
    """Beat times of a sleep loop: jitter is a fraction of the period ('sym': +-, 'sub': subtract only, as Cobalt
    Strike's sleep jitter); each beat's own work (20-300 ms) delays the next, as sleep() after work does;
    `missed` beats are skipped; nothing while the host is off."""
    out = []
    t = t_start + rnd.randint(0, US - 1)
    while t < t_end:
        if host.is_on(t) and rnd.random() >= missed:
            out.append(t)
        f = rnd.uniform(-jitter, jitter) if style == "sym" else -rnd.uniform(0, jitter)
        t += max(1 * US, int(period_s * US * (1 + f))) + rnd.randint(20000, 300000)
    return out


class Benign:
    """Benign traffic: browsing, DNS, NTP, hourly update checks, push heartbeats, a few single-host timers."""

    def __init__(self, cap, net, rnd):
        self.cap, self.net, self.rnd = cap, net, rnd
        self.periodic_hosts = {}  # (service, ip) -> set(host ips)
        for name, (v4, v6, ttl, cname, _) in SITES.items():
            cap.zone[name] = {"A": [v4], "AAAA": [v6] if v6 else [], "cname": list(cname), "ttl": ttl}
        for name, (v4, port, ttl, _) in SERVICES.items():
            cap.zone[name] = {"A": [v4], "AAAA": [], "cname": [], "ttl": ttl}

    def mark(self, service, ip, host):
        self.periodic_hosts.setdefault((service, ip), set()).add(host.ip)

    def run(self, end_margin_s=90):
        for h in self.net.hosts:
            self.host_traffic(h, end_margin_s)

    def host_traffic(self, h, margin):
        cap, rnd = self.cap, self.rnd
        t_end = cap.t1 - margin * US
        # NTP: chrony-style poll 64 s doubling to 1024 s, restarting at every power-on
        apple = h.os in ("mac", "ios")
        ntp_name = "time.apple.com" if apple else ("ntp.ubuntu.com" if h.os in ("linux", "server") and
                                                   rnd.random() < 0.5 else "pool.ntp.org")
        for a, b in h.on:
            if a >= t_end - 60 * US:
                continue
            t = a + rnd.randint(2 * US, 40 * US)
            if h.os == "windows" and rnd.random() < 0.8:
                self.connectivity_probe(h, t + rnd.randint(US, 5 * US), "www.msftconnecttest.com", "/connecttest.txt")
            if h.os == "android":
                self.connectivity_probe(h, t + rnd.randint(US, 5 * US), "connectivitycheck.gstatic.com",
                                        "/generate_204")
            t, rec = resolve(cap, h, t, ntp_name)
            srv = cap.remote(rec["A"][0])
            poll = 6
            while t < min(b, t_end):
                req = L.ntp_client(t, poll)
                udp_exchange(cap, h, h.ip, srv, 123, t, req,
                             L.ntp_server(t + srv.rtt // 2, t + srv.rtt // 2 + 30, req[40:48], poll), sport=123
                             if h.os in ("linux", "server", "iot") else None, proc=rnd.randint(20, 200))
                self.mark("ntp", srv.ip, h)
                t += int((2 ** poll) * US * rnd.uniform(0.97, 1.03))
                poll = min(10, poll + 1)
        # hourly update check (one CDN address for all), push heartbeat every 15-30 min
        if h.os != "iot":
            name = "update.googleapis.com"
            ip = SERVICES[name][0]
            start = cap.t0 + rnd.randint(60, 3600) * US
            for t in periodic(rnd, start, t_end, 3600, 0.02, h):
                t, _ = resolve(cap, h, t, name, self.qtypes(h))
                tls_session(cap, h, h.ip, cap.remote(ip, 18, 120 - 6), 443, name, SYSTEM_TLS[h.os],
                            [(rnd.randint(300, 500), rnd.randint(200, 900), rnd.randint(1000, 5000))], t,
                            resumed=rnd.random() < 0.95)
                self.mark("os-update-check", ip, h)
        # push: every phone and Mac; desktops only while a browser with push keeps its channel
        if h.os in ("android", "mac", "ios") or (h.os in ("windows", "linux") and rnd.random() < 0.6):
            name = "courier.push.apple.com" if h.os in ("mac", "ios") else "mtalk.google.com"
            ip, port = SERVICES[name][0], SERVICES[name][1]
            period = rnd.randint(900, 1800)
            for t in periodic(rnd, cap.t0 + rnd.randint(5, period) * US, t_end, period, 0.04, h):
                t, _ = resolve(cap, h, t, name)
                tls_session(cap, h, h.ip, cap.remote(ip, 20, 120 - 8), port, name, SYSTEM_TLS[h.os],
                            [(rnd.randint(30, 60), rnd.randint(30, 60), 0)] +
                            ([(rnd.randint(100, 400), rnd.randint(200, 900), rnd.randint(1000, 200000))]
                             if rnd.random() < 0.1 else []), t, resumed=True)
                self.mark("push-heartbeat", ip, h)
        # browsing: a Poisson process thinned by the time of day
        if h.browse_rate > 0:
            t = cap.t0 + rnd.randint(0, 600) * US
            lam = h.browse_rate / 3600.0
            while True:
                t += int(rnd.expovariate(lam) * US)
                if t >= t_end:
                    break
                if not h.is_on(t) or rnd.random() > diurnal(t, self.net.prof["tz"]):
                    continue
                self.visit(h, t, t_end)
        if h.os == "server":
            for t in periodic(rnd, cap.t0 + rnd.randint(60, 7200) * US, t_end, 7200, 0.6, h):
                self.plain_http(h, t, "deb.debian.org", "/debian/dists/bookworm/InRelease", rnd.randint(3000, 9000))

    def qtypes(self, h):
        return ("A", "AAAA") if h.os in ("windows", "mac", "linux", "android", "ios") else ("A",)

    def visit(self, h, t, t_end):
        rnd, cap = self.rnd, self.cap
        site = rnd.choice(BROWSE[:12]) if rnd.random() < 0.5 else rnd.choice(BROWSE)
        names = [site] + SITE_SUB.get(site, [])[:1] + rnd.sample(COMMON_SUB, rnd.choice([0, 0, 1, 1, 2]))
        for i, name in enumerate(names):
            if t >= t_end:
                return
            t, rec = resolve(cap, h, t, name, self.qtypes(h))
            if name in PLAIN_HTTP:
                self.plain_http(h, t, name, "/", rnd.randint(800, 12000), resolved=True)
                continue
            hip, dst = h.ip, rec["A"][0]
            if h.ip6 and rec["AAAA"] and rnd.random() < 0.7:
                hip, dst = h.ip6, rec["AAAA"][0]
            n = rnd.choice([1, 1, 2, 3, 4])
            ex = []
            for k in range(n):
                resp = int(min(16000, rnd.lognormvariate(6.2, 1.0)))
                ex.append((rnd.randint(120, 500), resp, rnd.randint(500, 6000) if k else rnd.randint(100, 2000)))
            resumed = h.tickets.get(name, False) and rnd.random() < 0.8
            tls12 = rnd.random() < 0.12
            tls_session(cap, h, hip, cap.remote(dst), 443, name, BROWSER[h.os], ex, t + i * 3000,
                                 tls13=not tls12, resumed=resumed, close=rnd.choice(["c", "c", "s"]),
                                 idle=rnd.randint(1, 40) * US)
            h.tickets[name] = True
            if tls12 and not resumed and rnd.random() < 0.4:
                self.plain_http(h, t + rnd.randint(5, 50) * 1000, "r10.o.lencr.org", "/", 503, method="POST")
            t += rnd.randint(2, 60) * 1000

    def plain_http(self, h, t, name, path, size, resolved=False, method="GET"):
        rnd, cap = self.rnd, self.cap
        if not resolved:
            t, _ = resolve(cap, h, t, name, self.qtypes(h))
        ip = cap.zone[name]["A"][0]
        if method == "POST":
            ocsp_req, ocsp_resp = L.ocsp_exchange(rnd, t // US)
            req = http_request("POST", name, path, "Microsoft-CryptoAPI/10.0" if h.os == "windows" else UA[h.os],
                               ocsp_req, ["Content-Type: application/ocsp-request"])
            resp = http_response(rnd, ocsp_resp, "application/ocsp-response", "nginx")
        else:
            req = http_request("GET", name, path, UA[h.os], extra=["Accept-Encoding: gzip, deflate"])
            resp = http_response(rnd, rnd.randbytes(size), "text/html", "Varnish")
        http_session(cap, h, h.ip, cap.remote(ip), 80, [(req, resp, rnd.randint(200, 3000))], t)

    def connectivity_probe(self, h, t, name, path):
        rnd, cap = self.rnd, self.cap
        t, _ = resolve(cap, h, t, name, self.qtypes(h))
        ip = cap.zone[name]["A"][0]
        body = b"Microsoft Connect Test" if "msft" in name else b""
        resp = http_response(rnd, body, "text/plain", "Microsoft-IIS/10.0" if body else "gws",
                             "200 OK" if body else "204 No Content")
        http_session(cap, h, h.ip, cap.remote(ip, 20), 80,
                     [(http_request("GET", name, path, "Microsoft NCSI" if body else UA[h.os]), resp, 500)], t)

    def single_host_timers(self, count, t_end_margin=90):
        """A few benign periodic-ish flows of one host each, with high jitter (user apps, widgets, IoT clouds)."""
        rnd, cap = self.rnd, self.cap
        t_end = cap.t1 - t_end_margin * US
        templates = [("weather-widget", "api.openweathermap.org", 443, 600, ("windows", "android", "mac")),
                     ("mail-imap-poll", "imap.gmail.com", 993, 300, ("windows", "mac", "linux")),
                     ("iot-cloud", "api.tuyaeu.com", 443, 420, ("iot",)),
                     ("mail-web-poll", "outlook.office365.com", 443, 900, ("windows", "mac")),
                     ("pypi-mirror-check", "pypi.org", 443, 1800, ("server", "linux"))]
        rnd.shuffle(templates)
        made = []
        for service, name, port, period, oses in templates:
            if len(made) >= count:
                break
            cands = [h for h in self.net.hosts if h.os in oses and not getattr(h, "special", False)]
            if not cands:
                continue
            h = rnd.choice(cands)
            jitter = rnd.uniform(0.4, 0.7)
            for t in periodic(rnd, cap.t0 + rnd.randint(10, period) * US, t_end, period, jitter, h):
                t, rec = resolve(cap, h, t, name)
                tls_session(cap, h, h.ip, cap.remote(rec["A"][0]), port, name, SYSTEM_TLS[h.os],
                            [(rnd.randint(150, 500), int(rnd.lognormvariate(6.5, 0.8)), rnd.randint(0, 3000))], t,
                            resumed=rnd.random() < 0.85)
                self.mark(service, rec["A"][0], h)
            made.append(service)
        return made


# ================================================================================================================
# C2 infrastructure

SYL = ["ka", "lo", "mi", "tre", "vox", "zen", "dra", "pli", "nor", "sta", "qua", "bex", "fin", "gul", "rum",
       "tek", "vis", "ora", "sel", "dex", "mon", "tal", "cri", "ven"]
WORDS = ["cdn", "update", "sync", "api", "stat", "metrics", "secure", "cloud", "static", "service", "check",
         "data", "img", "portal", "telemetry"]
C2_TLDS = ["top", "xyz", "com", "net", "info", "site", "online", "ru", "su", "biz", "cc", "pw"]
DGA_TLDS = ["com", "net", "org", "info", "biz", "ru"]
HTTP_PATHS = ["/gate.php", "/wp-content/plugins/wp-stat/up.php", "/api/v1/check", "/index.php", "/panel/bot.php",
              "/news/update.aspx", "/jquery-3.3.1.min.js", "/submit.php", "/images/logo.gif"]
TCP_PORTS = [1177, 4444, 5552, 7707, 8808, 9001, 2404, 3360, 6606, 7000, 5888, 1604, 8848, 447, 4782, 31337]
UDP_PORTS = [53413, 1604, 9999, 4500, 6881, 27015, 5353, 8888]


def c2_domain(rnd):
    base = "".join(rnd.choice(SYL) for _ in range(3))
    if rnd.random() < 0.5:
        base += "-" + rnd.choice(WORDS)
    return base + "." + rnd.choice(C2_TLDS)


def dga_name(rnd):
    letters = "bcdfghjklmnpqrstvwxyz" if rnd.random() < 0.5 else "abcdefghijklmnopqrstuvwxyz"
    return "".join(rnd.choice(letters) for _ in range(rnd.randint(9, 16))) + "." + rnd.choice(DGA_TLDS)


class C2:
    def __init__(self, ip, cc, org):
        self.ip, self.cc, self.org = ip, cc, org
        self.role = "beacon"  # beacon, offline, backdoor, dga, persistent
        self.channel = None  # http, tls, tcp, udp
        self.port = 80
        self.period = 300
        self.jitter = 0.0
        self.style = "sym"
        self.missed = 0.0
        self.domain = None  # resolved by name when set (first element queried)
        self.domains = []  # every name that resolved to this server
        self.cname = None
        self.ttl = 300
        self.victims = []  # hosts that run the implant
        self.req = (300, 10)  # bytes sent per check-in: mean, spread
        self.resp = (60, 5)
        self.profile = "go"
        self.tls13 = True
        self.cert = None
        self.ua = None
        self.path = "/gate.php"
        self.offline_mode = None
        self.listing = []  # (feed kind, indicator)
        self.listed = False
        self.ja3 = set()
        self.resume = False  # TLS session resumption after the first handshake
        self.magic = b"\x17\x03"  # first bytes of the raw TCP/UDP protocol
        self.est = 1500  # bytes on the wire per check-in, for the size budget


def plan_c2(rnd, n_servers, roles, countries_min, countries_max, exclude_cc, victim_pool, window_s,
            c2_bytes=9e6):
    """Pick servers, roles, channels, timing and victims. `roles` are the required roles, in order; the rest are
    plain beacons. Servers spread over countries_min..countries_max countries (several may share one)."""
    pool = [c for c in C2_POOL if c[1] not in exclude_cc]
    rnd.shuffle(pool)
    countries = []
    for ip, cc, org in pool:
        if cc not in countries:
            countries.append(cc)
    k = max(countries_min, min(countries_max, len(countries), n_servers - rnd.randint(0, 2)))
    chosen_cc = countries[:k]
    used = set()
    servers = []
    for i in range(n_servers):
        ccs = [chosen_cc[i]] if i < len(chosen_cc) else rnd.sample(chosen_cc, len(chosen_cc))
        cand = [c for cc in ccs for c in pool if c[1] == cc and c[0] not in used]
        cand = cand or [c for c in pool if c[0] not in used]
        ip, cc, org = cand[0]
        used.add(ip)
        servers.append(C2(ip, cc, org))
    per_server_bytes = c2_bytes / n_servers
    roles = list(roles) + ["beacon"] * (n_servers - len(roles))
    for s, role in zip(servers, roles):
        s.role = role
    # channels: the special roles first, then plain beacons cover whatever channel is still missing among the
    # live servers; the offline one takes a TCP channel nobody else uses, if any
    def missing(options):
        have = {x.channel for x in servers if x.channel}
        return [c for c in options if c not in have]

    for s in servers:
        if s.role == "dga":
            s.channel = rnd.choice(["http", "tls"])
        elif s.role == "persistent":
            s.channel = "tcp"
    for s in servers:
        if s.role == "backdoor":
            s.channel = (missing(["tcp", "http"]) or [rnd.choice(["tcp", "http"])])[0]
    for s in servers:
        if s.role == "beacon":
            s.channel = (missing(["tls", "udp", "http", "tcp"]) or [rnd.choice(["http", "tls", "tcp", "udp"])])[0]
    for s in servers:
        if s.role == "offline":
            s.channel = (missing(["http", "tcp", "tls"]) or [rnd.choice(["tcp", "http", "tls"])])[0]
            s.offline_mode = rnd.choice(["S0", "REJ"])
    for s in servers:
        s.port = {"http": rnd.choice([80, 80, 8080, 8000]), "tls": rnd.choice([443, 443, 8443, 4443]),
                  "tcp": rnd.choice(TCP_PORTS), "udp": rnd.choice(UDP_PORTS)}[s.channel]
        if s.role == "backdoor":
            s.period, s.jitter, s.missed = 3600, round(rnd.uniform(0, 0.02), 3), 0.0
        elif s.role == "persistent":
            s.period, s.jitter = rnd.randint(30, 90), round(rnd.uniform(0, 0.05), 3)
        elif s.role == "offline":
            s.period, s.jitter = rnd.randint(120, 900), round(rnd.uniform(0, 0.1), 3)
        s.profile = rnd.choice(["go", "legacy", "delphi", "go", "curl", "schannel"])
        s.tls13 = PROFILES[s.profile].tls13 and rnd.random() < 0.5
        s.resume = s.profile in ("curl", "schannel")  # system TLS stacks cache sessions; malware's own do not
        if s.role == "beacon" or s.role == "dga":
            # the capture must stay small: a bound on bytes per server sets the shortest period it may have
            est = {"udp": 450, "tcp": 1400, "http": 1500, "tls": 2000 if s.resume else 3300}[s.channel]
            lo = max(30, min(7200, window_s * est / per_server_bytes))
            s.period = int(math.exp(rnd.uniform(math.log(lo), math.log(7200))))
            s.jitter = round(rnd.choice([0, 0, rnd.uniform(0, 0.1), rnd.uniform(0.1, 0.3)]), 3)
            s.missed = round(rnd.choice([0, 0, rnd.uniform(0.05, 0.15)]), 3)
            s.style = rnd.choice(["sym", "sub"])
            s.est = est
        s.req = (rnd.randint(80, 700), rnd.randint(0, 12))
        s.resp = (rnd.randint(0, 300), rnd.randint(0, 8))
        s.ua = rnd.choice(MALWARE_UA)
        s.magic = bytes([rnd.randint(1, 0x7F), rnd.randint(0, 255)])
        s.path = rnd.choice(HTTP_PATHS)
        # names: most C2 is reached by name (the DGA one by its own names), some by raw address
        if s.role == "dga":
            s.ttl = rnd.choice([300, 600, 3600])
        elif (s.channel == "tls" and rnd.random() < 0.75) or (s.channel == "http" and rnd.random() < 0.8) or \
                (s.channel in ("tcp", "udp") and rnd.random() < 0.3):
            s.domain = c2_domain(rnd)
            if rnd.random() < 0.4:
                s.domain = rnd.choice(WORDS) + "." + s.domain
            s.ttl = rnd.choice([60, 120, 300, 600])
            if rnd.random() < 0.2:
                s.cname = rnd.choice(WORDS) + "-" + c2_domain(rnd)
    # victims: a few hosts each; the backdoor is an IoT box or a server VM of its own
    for s in servers:
        if s.role == "backdoor":
            boxes = [h for h in victim_pool if h.os in ("iot", "server") and not h.special]
            boxes = boxes or [h for h in victim_pool if not h.special]
            if boxes:
                h = rnd.choice(boxes)
                h.special = True
                s.victims = [h]
            continue
        n = {"offline": rnd.randint(1, 3), "persistent": 1}.get(s.role, rnd.choice([1, 1, 2, 2, 3, 4]))
        if s.role in ("beacon", "dga"):
            n = max(1, min(n, int(per_server_bytes / (window_s / s.period * s.est))))
        cands = [h for h in victim_pool if h.os != "iot" and not h.special]
        s.victims = rnd.sample(cands, min(n, len(cands)))
    return servers


def finish_certs(servers, rnd, t0_s):
    """Self-signed certificates of the TLS 1.2 C2 servers, valid from a few weeks before the window."""
    for s in servers:
        if s.channel == "tls" and not s.tls13:
            cn = s.domain or s.ip
            subj = ([("C", "AU"), ("ST", "Some-State"), ("O", "Internet Widgits Pty Ltd"), ("CN", cn)]
                    if rnd.random() < 0.5 else [("CN", cn)])
            nb = t0_s - rnd.randint(3, 60) * 86400
            s.cert = L.x509_certificate(rnd, subj, subj, nb, nb + 365 * 86400, [cn] if s.domain else [], 8)


class C2Traffic:
    def __init__(self, cap, rnd):
        self.cap, self.rnd = cap, rnd

    def register(self, s):
        if s.domain:
            names = [s.domain] + ([s.cname] if s.cname else [])
            self.cap.zone[s.domain] = {"A": [s.ip], "AAAA": [], "cname": [s.cname] if s.cname else [],
                                       "ttl": s.ttl}
            s.domains = names

    def run(self, s, margin_s=120):
        cap, rnd = self.cap, self.rnd
        remote = cap.remote(s.ip, rtt_ms=rnd.uniform(35, 280), ttl=rnd.choice([64, 128]) - rnd.randint(9, 24))
        t_end = cap.t1 - margin_s * US
        for h in s.victims:
            start = cap.t0 + rnd.randint(1, max(2, min(s.period, 3600))) * US
            if s.role in ("beacon", "dga") and rnd.random() < 0.25:
                start = cap.t0 + rnd.randint(0, (cap.t1 - cap.t0) // 2 // US) * US  # infected during the capture
            if s.role == "persistent":
                self.persistent(s, h, remote, start, t_end)
                continue
            beats = periodic(rnd, start, t_end, s.period, s.jitter, h, s.missed, s.style)
            if not beats:
                continue
            if s.role == "dga":
                self.dga_resolve(s, h, max(cap.t0, beats[0] - rnd.randint(2 * US, 20 * US)))
                reruns = set(rnd.sample(range(len(beats)), min(2, len(beats) // 40))) if beats else set()
            else:
                reruns = set()
            for i, t in enumerate(beats):
                if i in reruns:
                    t = self.dga_resolve(s, h, t, fresh=True)
                if s.domain:
                    t, _ = resolve(cap, h, t, s.domain)
                self.checkin(s, h, remote, t)

    def dga_resolve(self, s, h, t, fresh=False):
        """A burst of NXDOMAIN lookups for generated names; the last one resolves to the C2 address."""
        cap, rnd = self.cap, self.rnd
        if s.domain is None or fresh:
            name = dga_name(rnd)
            while name in cap.zone:
                name = dga_name(rnd)
            s.domain = name
            s.domains.append(name)
            cap.zone[name] = {"A": [s.ip], "AAAA": [], "cname": [], "ttl": s.ttl}
        for _ in range(rnd.randint(12, 40)):
            nx = dga_name(rnd)
            t, _ = resolve(cap, h, t, nx)
            t += rnd.randint(5, 300) * 1000
        h.dns_cache.pop(s.domain, None)
        t, _ = resolve(cap, h, t, s.domain)
        return t

    def frame(self, s, size):
        """A message of the family's binary protocol: magic, little-endian length, encrypted-looking body."""
        body = self.rnd.randbytes(max(4, size - 6))
        return s.magic + struct.pack("<I", len(body)) + body

    def sizes(self, s):
        rnd = self.rnd
        req = max(8, int(rnd.gauss(s.req[0], s.req[1])))
        resp = max(0, int(rnd.gauss(s.resp[0], s.resp[1])))
        if rnd.random() < 0.01:  # now and then a task with a payload
            resp += rnd.randint(1000, 20000)
        return req, resp

    def checkin(self, s, h, remote, t):
        cap, rnd = self.cap, self.rnd
        if s.role == "offline":
            if s.channel == "udp":
                udp_exchange(cap, h, h.ip, remote, s.port, t, self.frame(s, self.sizes(s)[0]), None)
                return
            c = Tcp(cap, h, h.ip, remote, s.port, t)
            c.connect(s.offline_mode)
            return
        req, resp = self.sizes(s)
        if s.channel == "http":
            host_hdr = (s.domain or s.ip) + ("" if s.port == 80 else ":%d" % s.port)
            bot_id = hashlib.md5(("%s%s" % (h.ip, s.ip)).encode()).hexdigest()[:16].upper()
            if s.path.endswith((".js", ".gif")):  # metadata in a cookie, as malleable profiles do
                cookie = "Cookie: __cfduid=" + base64.b64encode(rnd.randbytes(max(16, req // 2))).decode()
                r = http_request("GET", host_hdr, s.path, s.ua, extra=[cookie])
            else:
                body = ("id=%s&data=" % bot_id).encode() + base64.b64encode(rnd.randbytes(max(8, req * 3 // 4)))
                r = http_request("POST", host_hdr, s.path, s.ua, body,
                                 ["Content-Type: application/x-www-form-urlencoded"], connection="close")
            answer = base64.b64encode(rnd.randbytes(resp * 3 // 4)) if resp else b""
            http_session(cap, h, h.ip, remote, s.port, [(r, http_response(rnd, answer), 0)], t,
                         close=rnd.choice(["c", "s"]))
        elif s.channel == "tls":
            resumed = s.resume and h.tickets.get(s.ip, False)
            _, ja3 = tls_session(cap, h, h.ip, remote, s.port, s.domain, s.profile,
                                 [(req, resp, rnd.randint(500, 5000))], t, tls13=s.tls13,
                                 cert=[s.cert] if s.cert else None, resumed=resumed, close="c")
            h.tickets[s.ip] = True
            s.ja3.add(ja3)
        elif s.channel == "tcp":
            c = Tcp(cap, h, h.ip, remote, s.port, t)
            c.connect()
            c.client(self.frame(s, req), rnd.randint(500, 5000))
            c.server(self.frame(s, resp))
            if rnd.random() < 0.5:
                c.client(self.frame(s, 12), rnd.randint(1000, 30000))
            c.close(rnd.choice(["c", "s"]), rnd.randint(100000, 2000000))
        else:
            udp_exchange(cap, h, h.ip, remote, s.port, t, self.frame(s, req), self.frame(s, resp),
                         proc=rnd.randint(1000, 30000))

    def persistent(self, s, h, remote, t, t_end):
        """A RAT that keeps one TCP connection open with heartbeats, reconnecting every 1-3 hours."""
        cap, rnd = self.cap, self.rnd
        while t < t_end:
            if not h.is_on(t):
                t += 300 * US
                continue
            if s.domain:
                t, _ = resolve(cap, h, t, s.domain)
            c = Tcp(cap, h, h.ip, remote, s.port, t)
            c.connect()
            c.client(self.frame(s, rnd.randint(150, 300)), rnd.randint(1000, 5000))
            c.server(self.frame(s, rnd.randint(20, 60)))
            life = min(t_end, t + rnd.randint(3600, 3 * 3600) * US)
            tt = c.t
            while True:
                step = int(s.period * US * (1 + rnd.uniform(-s.jitter, s.jitter)))
                if tt + step >= life or not h.is_on(tt + step):
                    break
                c.client(self.frame(s, rnd.randint(s.req[0] // 8 + 8, s.req[0] // 8 + 16)), step)
                c.server(self.frame(s, rnd.randint(8, 20)))
                tt = c.t
            t = c.close(rnd.choice(["c", "s"]), rnd.randint(1000, 10000)) + rnd.randint(10, 90) * US


# ================================================================================================================
# Intel feeds


def _uuid(rnd):
    b = bytearray(rnd.randbytes(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def filler_ips(rnd, n, avoid):
    """Public addresses for feed padding whose /24 holds no address of the capture (so /24 entries stay unseen)."""
    avoid24 = {str(ipaddress.ip_network(a + "/24", strict=False)) for a in avoid if ":" not in a}
    out = []
    while len(out) < n:
        a = ipaddress.ip_address(rnd.randint(0x05000000, 0xDF000000))
        if a.is_global and str(ipaddress.ip_network(str(a) + "/24", strict=False)) not in avoid24 and not any(
                a in ipaddress.ip_network(p["isp"]) or a in ipaddress.ip_network(p["roam"])
                for p in HOME_PROFILES.values()):
            out.append(str(a))
    return out


def choose_listing(rnd, servers):
    """Decide which C2 servers the feeds list, and by which indicator. The offline one is always on Feodo."""
    active = [s for s in servers if s.role != "offline"]
    rnd.shuffle(active)
    n_listed = max(1, len(active) // 2) if len(active) >= 3 else min(1, len(active))
    listed = set(id(s) for s in active[:n_listed])
    for s in servers:
        if s.role == "offline":
            s.listing = [("feodo", s.ip)]
            if rnd.random() < 0.5:
                s.listing.append(("ip", s.ip))
            continue
        if id(s) not in listed:
            continue
        opts = [("feodo", s.ip), ("ip", s.ip), ("stix-ip", s.ip),
                ("cidr", str(ipaddress.ip_network(s.ip + "/24", strict=False)))]
        if s.domain and s.role != "dga":
            parent = ".".join(s.domain.split(".")[-2:])
            opts += [("domain", s.domain), ("stix-domain", s.domain)]
            if parent != s.domain:
                opts.append(("domain", parent))
            if s.channel == "http":
                opts.append(("url", "http://%s%s%s" % (s.domain, "" if s.port == 80 else ":%d" % s.port, s.path)))
        if s.channel == "tls" and s.profile in UNIQUE_MALWARE_PROFILES:
            opts += [("ja3", "")] * 2
        if s.cert:
            opts.append(("sha1", hashlib.sha1(s.cert).hexdigest()))
        s.listing = rnd.sample(opts, min(len(opts), rnd.choice([1, 1, 2])))


def matches(kind, ind, ip, domains, ja3s, sha1):
    """Would indicator (kind, ind) match traffic to `ip` reached via `domains` with `ja3s` / cert `sha1`?"""
    if kind in ("feodo", "ip", "stix-ip"):
        return ind == ip
    if kind == "cidr":
        return bool(ip) and ":" not in ip and ipaddress.ip_address(ip) in ipaddress.ip_network(ind)
    if kind in ("domain", "stix-domain"):
        return any(d == ind or d.endswith("." + ind) for d in domains)
    if kind == "url":
        host = ind.split("/")[2].split(":")[0]
        return host in domains
    if kind == "ja3":
        return ind in ja3s
    if kind == "sha1":
        return ind == sha1
    return False


def resolve_listing(servers, benign_ips, benign_names, benign_ja3):
    """Turns the planned listings into concrete indicators, then marks every server some indicator matches
    (two servers of one family share a JA3) and checks that no indicator matches benign traffic."""
    for s in servers:
        s.listing = [(k, sorted(s.ja3)[0] if k == "ja3" else ind) for k, ind in s.listing if k != "ja3" or s.ja3]
    indicators = [(k, ind) for s in servers for k, ind in s.listing]
    for s in servers:
        sha1 = hashlib.sha1(s.cert).hexdigest() if s.cert else None
        for k, ind in indicators:
            if (k, ind) not in s.listing and matches(k, ind, s.ip, s.domains, s.ja3, sha1):
                s.listing.append((k, ind))
    for k, ind in indicators:
        hit = [ip for ip in benign_ips if matches(k, ind, ip, [], set(), None)] + \
              [n for n in benign_names if matches(k, ind, "", [n], set(), None)] + \
              [j for j in benign_ja3 if matches(k, ind, "", [], {j}, None)]
        assert not hit, "indicator %s %s matches benign traffic %s" % (k, ind, hit)


def write_feeds(out_dir, rnd, servers, t0_s, avoid):
    """Feeds in several formats; each carries filler indicators that never appear in the traffic."""
    intel = os.path.join(out_dir, "intel")
    os.makedirs(intel, exist_ok=True)
    fill = filler_ips(rnd, 90, avoid)
    def day(d):  # "YYYY-MM-DD HH:MM:SS", about d days before the capture
        return L.iso_utc(t0_s - d * 86400 - rnd.randrange(86400)).replace("T", " ").replace("Z", "")
    malware = ["Pikabot", "QakBot", "Emotet", "IcedID", "BumbleBee", "Dridex", "TrickBot", "Heodo"]
    files = []

    def listed(kind):  # (first server listed by it, indicator), each indicator once
        out, seen = [], set()
        for s in servers:
            for k, ind in s.listing:
                if k == kind and ind not in seen:
                    seen.add(ind)
                    out.append((s, ind))
        return out

    # abuse.ch Feodo Tracker CSV
    rows = []
    for s, ip in listed("feodo"):
        st = "offline" if s.role == "offline" else "online"
        rows.append((day(rnd.randint(3, 90)), ip, s.port, st,
                     day(rnd.randint(1, 20))[:10], rnd.choice(malware)))
    for ip in fill[:25]:
        rows.append((day(rnd.randint(3, 300)), ip, rnd.choice([443, 8080, 2222, 995, 4443, 13783, 5938]),
                     rnd.choice(["online", "offline", "offline"]), day(rnd.randint(1, 60))[:10],
                     rnd.choice(malware)))
    rows.sort()
    stamp = L.iso_utc(t0_s - 3600).replace("T", " ").replace("Z", "")
    lines = ["#" * 64, "# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)          #",
             "# Last updated: %s UTC                        #" % stamp,
             "#                                                              #",
             "# Terms Of Use: https://feodotracker.abuse.ch/blocklist/       #",
             "# For questions please contact feodotracker [at] abuse.ch      #", "#" * 64, "#",
             '"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"']
    lines += ['"%s","%s","%d","%s","%s","%s"' % r for r in rows]
    lines.append("# END %d entries" % len(rows))
    _write(os.path.join(intel, "feodo-ipblocklist.csv"), "\n".join(lines) + "\n")
    files.append("intel/feodo-ipblocklist.csv")
    # plain list: addresses, networks, domains, URLs, one per line, '#' comments
    plain = ["# c2scope scenario blocklist: one indicator per line (IPv4, CIDR, domain or URL)",
             "# generated %s" % L.iso_utc(t0_s - 7200)]
    entries = [ind for s, ind in listed("ip") + listed("cidr") + listed("domain") + listed("url")]
    entries += fill[25:60] + [str(ipaddress.ip_network(x + "/24", strict=False)) for x in fill[60:64]]
    entries += [c2_domain(rnd) for _ in range(20)] + ["http://%s/%s" % (c2_domain(rnd), rnd.choice(HTTP_PATHS)[1:])
                                                      for _ in range(6)]
    rnd.shuffle(entries)
    _write(os.path.join(intel, "blocklist.txt"), "\n".join(plain + entries) + "\n")
    files.append("intel/blocklist.txt")
    # STIX 2.1 bundle of indicators
    objs = []
    stix_inds = [("ipv4-addr", ind) for s, ind in listed("stix-ip")] + \
                [("domain-name", ind) for s, ind in listed("stix-domain")]
    stix_inds += [("ipv4-addr", ip) for ip in fill[64:76]] + [("domain-name", c2_domain(rnd)) for _ in range(8)]
    rnd.shuffle(stix_inds)
    created = L.iso_utc(t0_s - 5 * 86400).replace("Z", ".000Z")
    for typ, val in stix_inds:
        objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--" + _uuid(rnd),
                     "created": created, "modified": created, "name": "C2 %s" % val,
                     "indicator_types": ["malicious-activity"], "pattern": "[%s:value = '%s']" % (typ, val),
                     "pattern_type": "stix", "valid_from": created})
    bundle = {"type": "bundle", "id": "bundle--" + _uuid(rnd), "objects": objs}
    _write(os.path.join(intel, "stix-bundle.json"), json.dumps(bundle, indent=2) + "\n")
    files.append("intel/stix-bundle.json")
    # abuse.ch SSLBL JA3 fingerprints
    ja3_rows = []
    for s, j in listed("ja3"):
        ja3_rows.append((j, day(rnd.randint(10, 400)), day(rnd.randint(1, 9)), rnd.choice(malware)))
    for _ in range(30):
        ja3_rows.append((rnd.randbytes(16).hex(), day(rnd.randint(10, 900)), day(rnd.randint(1, 300)),
                         rnd.choice(malware + ["Adware", "Tofsee", "Gozi"])))
    ja3_rows.sort(key=lambda r: r[1])
    lines = ["#" * 64, "# abuse.ch Suricata JA3 Fingerprint Blacklist (CSV)            #",
             "# For Suricata 4.1.0 or newer                                  #",
             "# Last updated: %s UTC                        #" % stamp,
             "#                                                              #",
             "# Terms Of Use: https://sslbl.abuse.ch/blacklist/              #",
             "# For questions please contact sslbl [at] abuse.ch             #", "#" * 64, "#",
             "# ja3_md5,Firstseen,Lastseen,Listingreason"]
    lines += ["%s,%s,%s,%s" % r for r in ja3_rows]
    lines.append("# END (%d) entries" % len(ja3_rows))
    _write(os.path.join(intel, "sslbl-ja3.csv"), "\n".join(lines) + "\n")
    files.append("intel/sslbl-ja3.csv")
    # abuse.ch SSLBL certificate SHA-1 list
    sha_rows = [(day(rnd.randint(2, 60)), ind, "%s C&C" % rnd.choice(malware)) for s, ind in listed("sha1")]
    sha_rows += [(day(rnd.randint(2, 900)), rnd.randbytes(20).hex(), "%s C&C" % rnd.choice(malware))
                 for _ in range(25)]
    sha_rows.sort(reverse=True)
    lines = ["#" * 64, "# abuse.ch SSL Certificate Blacklist (CSV)                    #",
             "# Last updated: %s UTC                        #" % stamp,
             "#                                                              #",
             "# Terms Of Use: https://sslbl.abuse.ch/blacklist/              #",
             "# For questions please contact sslbl [at] abuse.ch             #", "#" * 64, "#",
             "# Listingdate,SHA1,Listingreason"]
    lines += ["%s,%s,%s" % r for r in sha_rows]
    lines.append("# END (%d) entries" % len(sha_rows))
    _write(os.path.join(intel, "sslbl-sha1.csv"), "\n".join(lines) + "\n")
    files.append("intel/sslbl-sha1.csv")
    return files


def _write(path, text):
    with open(path, "w", newline="\n") as f:
        f.write(text)


# ================================================================================================================
# Truth


PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                                             "fc00::/7", "fe80::/10")]


def victim_country(ip, home_cc, prof):
    a = ipaddress.ip_address(ip)
    if any(a in n for n in PRIVATE):
        return home_cc
    if a in ipaddress.ip_network(prof["roam"]):
        return prof["roam_cc"]
    return home_cc  # subscriber ranges and IPv6 prefixes of the home profile are in the home country


def statistics(servers_truth, home_cc, prof):
    rows = {}
    for s in servers_truth:
        for v in s["victims"]:
            r = rows.setdefault((s["country"], victim_country(v, home_cc, prof)), [set(), set(), set()])
            r[0].add(s["ip"])
            r[1].add(v)
    for s in servers_truth:
        for v in s["attempted"]:
            r = rows.setdefault((s["country"], victim_country(v, home_cc, prof)), [set(), set(), set()])
            r[2].add(v)
    out = []
    for (scc, vcc), (srv, hosts, att) in sorted(rows.items()):
        out.append({"server_country": scc, "victim_country": vcc, "servers": len(srv), "hosts": len(hosts),
                    "attempted_hosts": len(att - hosts)})
    return out


def ip_sort_key(ip):
    a = ipaddress.ip_address(ip)
    return (a.version, int(a))


# ================================================================================================================
# Scenario kinds


MIXES = {
    "mixed": [("lan", 0.36), ("vlan", 0.14), ("qinq", 0.04), ("gtp", 0.2), ("vxlan", 0.08), ("isp", 0.1),
              ("roam", 0.08)],
    "small": [("lan", 0.5), ("vlan", 0.13), ("gtp", 0.25), ("roam", 0.12)],
    "tunnel": [("gtp", 0.5), ("vlan", 0.25), ("qinq", 0.1), ("vxlan", 0.15)],
}


def build(seed, kind, hours, n_hosts, out_dir):
    """Generates one scenario into out_dir. Returns the truth dict."""
    rnd_pop = random.Random("%d:population" % seed)
    rnd_c2 = random.Random("%d:c2:%s" % (seed, kind))
    rnd = random.Random("%d:traffic:%s" % (seed, kind))
    home_cc = rnd_pop.choice(sorted(HOME_PROFILES))
    prof = HOME_PROFILES[home_cc]
    t0_s = EPOCH0 + rnd_pop.randrange(0, 60) * 86400 + rnd_pop.randrange(0, 24) * 3600 + rnd_pop.randrange(3600)
    defaults = {"mixed": (24, rnd_pop.randint(20, 60)), "benign": (24, None), "small": (6, 8),
                "tunnel": (12, rnd_pop.randint(16, 30))}
    d_hours, d_hosts = defaults[kind]
    if kind == "benign":
        d_hosts = defaults["mixed"][1]
    hours = hours or d_hours
    n_hosts = n_hosts or d_hosts
    cap = Capture(rnd, t0_s * US, (t0_s + int(hours * 3600)) * US)
    mix = MIXES["mixed" if kind == "benign" else kind]
    net = Network(cap, rnd_pop, home_cc, n_hosts, mix)
    benign = Benign(cap, net, rnd)
    exclude = {home_cc, prof["roam_cc"]}

    servers = []
    if kind != "benign":
        if kind == "mixed":
            n = rnd_c2.randint(4, 8)
            roles = ["offline", "backdoor", "dga", "beacon"] + (["persistent"] if n >= 6 and
                                                                 rnd_c2.random() < 0.6 else [])
            servers = plan_c2(rnd_c2, n, roles, 3, n, exclude, net.hosts, hours * 3600)
        elif kind == "small":
            # three live servers (TLS, UDP, HTTP) in three countries, plus a listed offline one sharing a country
            servers = plan_c2(rnd_c2, 4, ["beacon", "beacon", "beacon", "offline"], 3, 3, exclude, net.hosts,
                              hours * 3600, 1.2e6)
            for s in servers[:3]:  # a demo shows its beats within minutes, in under 3 MB
                s.missed = 0.0
                s.period = rnd_c2.choice({"tls": [180, 240, 300], "http": [120, 180], "udp": [60, 90, 120]}[s.channel])
                s.victims = s.victims[:2 if s.channel == "udp" else 1]
                if s.channel in ("tls", "http") and not s.domain:
                    s.domain, s.ttl = c2_domain(rnd_c2), 300
            for s in servers:
                if s.channel == "tls":
                    s.profile = "go"
        else:  # tunnel
            n = rnd_c2.randint(3, 5)
            tunnelled = [h for h in net.hosts if h.access in ("gtp", "vlan", "qinq")]
            servers = plan_c2(rnd_c2, n, ["offline", "dga", "beacon"], 3, n, exclude, tunnelled, hours * 3600, 5e6)
        finish_certs(servers, rnd_c2, t0_s)
    # benign single-host timers before C2 so their hosts are marked
    benign_single = benign.single_host_timers(rnd.randint(2, 4) if kind != "small" else 1)
    benign.run()
    c2t = C2Traffic(cap, rnd)
    for s in servers:
        c2t.register(s)
    for s in servers:
        c2t.run(s)
    if servers:
        choose_listing(rnd_c2, servers)
        c2_ips = {s.ip for s in servers}
        c2_names = {d for s in servers for d in s.domains}
        resolve_listing(servers, [ip for ip in cap.remotes if ip not in c2_ips],
                        [n for n in cap.zone if n not in c2_names and cap.zone[n] is not None],
                        set().union(*[j for ip, j in cap.ja3.items() if ip not in c2_ips]))
    # time order, within the window
    cap.pkts.sort(key=lambda p: (p[0], p[1]))
    pkts = [(t, f) for t, _, f in cap.pkts if t < cap.t1]
    assert len(pkts) == len(cap.pkts), "packets beyond the window end"
    os.makedirs(out_dir, exist_ok=True)
    L.write_pcap(os.path.join(out_dir, "traffic.pcap"), pkts)

    # truth from what was actually put on the wire
    servers_truth = []
    for s in sorted(servers, key=lambda s: ip_sort_key(s.ip)):
        seen = cap.contact.get(s.ip, {})
        if not seen:
            continue  # nobody contacted it: not a finding
        victims = sorted([h for h, ok in seen.items() if ok], key=ip_sort_key)
        attempted = sorted([h for h, ok in seen.items() if not ok], key=ip_sort_key)
        beacon = None
        if s.period:
            beacon = {"period_s": s.period, "jitter": s.jitter, "proto": "udp" if s.channel == "udp" else "tcp",
                      "port": s.port}
            if s.missed:
                beacon["missed"] = s.missed
            if s.role == "persistent":
                beacon["in_connection"] = True
        servers_truth.append({
            "ip": s.ip, "country": s.cc, "as_org": s.org, "role": "c2", "behaviour": s.role,
            "channel": s.channel, "listed": bool(s.listing),
            "listed_by": sorted(set(k for k, _ in s.listing)), "beacon": beacon,
            "domains": list(s.domains), "victims": victims, "attempted": attempted,
            "tls_ja3": sorted(s.ja3) if s.channel == "tls" else [],
            "cert_sha1": hashlib.sha1(s.cert).hexdigest() if s.cert and victims else None,
        })
    avoid = set(cap.remotes) | set(h.ip for h in net.hosts)
    feeds = write_feeds(out_dir, rnd_c2, servers, t0_s, avoid)
    bp = []
    for (service, ip), hs in sorted(benign.periodic_hosts.items(), key=lambda x: (x[0][0], ip_sort_key(x[0][1]))):
        bp.append({"ip": ip, "service": service, "hosts": len(hs)})
    home_net = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "fe80::/10",
                prof["roam"]]
    argv = ["traffic.pcap"]
    for f in feeds:
        argv += ["--intel", f]
    argv += ["--home-net", ",".join(home_net), "--home-country", home_cc]
    truth = {
        "seed": seed, "kind": kind, "generator": "scripts/gen_scenario.py", "geo_db": GEO_DB_VERSION,
        "home_net": home_net, "home_country": home_cc,
        "window": {"start": L.iso_utc(t0_s), "end": L.iso_utc(cap.t1 // US)},
        "monitored_hosts": len(net.hosts),
        "packets": len(pkts),
        "servers": servers_truth,
        "benign_periodic": bp,
        "statistics": statistics(servers_truth, home_cc, prof),
        "args": " ".join(argv),
        "argv": argv,
    }
    _write(os.path.join(out_dir, "truth.json"), json.dumps(truth, indent=1) + "\n")
    _write(os.path.join(out_dir, "README.md"), readme(truth, net, hours, benign_single))
    return truth


def readme(truth, net, hours, single):
    acc = {}
    for h in net.hosts:
        acc[h.access] = acc.get(h.access, 0) + 1
    names = {"lan": "on the LAN", "vlan": "on 802.1Q VLANs", "qinq": "behind QinQ", "gtp": "phones inside GTP-U",
             "vxlan": "VMs inside VXLAN", "isp": "ISP subscribers with public home-country addresses",
             "roam": "on a foreign-located range inside --home-net"}
    parts = ", ".join("%d %s" % (n, names[a]) for a, n in sorted(acc.items(), key=lambda x: -x[1]))
    srv = truth["servers"]
    if srv:
        desc = "; ".join("%s (%s, %s over %s/%d every %ss%s, %s, %d controlled / %d attempted)" % (
            s["ip"], s["country"], s["behaviour"], s["channel"], s["beacon"]["port"], s["beacon"]["period_s"],
            (" via " + s["domains"][0]) if s["domains"] else "", "listed" if s["listed"] else "unlisted",
            len(s["victims"]), len(s["attempted"])) for s in srv)
        c2 = "C2 servers: %s." % desc
    else:
        c2 = "No C2 at all: the expected result is no finding."
    text = ("# Scenario %s, seed %d\n\n%d hours from %s of %d monitored hosts (%s), home country %s. "
            "Benign traffic: browsing with DNS and TLS/HTTP to popular destinations at irregular times, NTP, an hourly "
            "update check to one CDN address, push heartbeats every 15-30 min, connectivity probes, and single-host "
            "timers with high jitter (%s). %s Run from this directory: `c2scope analyze %s --out OUT`; "
            "the expected servers, victims and statistics are in truth.json (see tests/scenarios/README.md).\n" % (
                truth["kind"], truth["seed"], hours, truth["window"]["start"], len(net.hosts), parts,
                truth["home_country"], ", ".join(single) or "none", c2, truth["args"]))
    return text


# ================================================================================================================
# Independent check: re-derive victims/attempted from the pcap bytes


def check_dir(d):
    """Reads DIR/traffic.pcap with a separate small decoder and recomputes, per C2 server of truth.json, which
    monitored hosts completed an exchange (TCP SYN, SYN-ACK, ACK / UDP both ways) and which only tried."""
    import struct
    truth = json.load(open(os.path.join(d, "truth.json")))
    c2 = {s["ip"] for s in truth["servers"]}
    data = open(os.path.join(d, "traffic.pcap"), "rb").read()
    off = 24
    tcp = {}  # (host, server, hport, sport) -> flags seen
    udp = {}
    contacted = {}
    last_t = 0
    while off + 16 <= len(data):
        ts, tu, incl, _ = struct.unpack_from("<IIII", data, off)
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        t = ts * US + tu
        if t < last_t:
            print("time goes backwards at offset %d" % off)
            return 1
        last_t = t
        p = 12
        et = struct.unpack_from("!H", frame, p)[0]
        while et in (0x8100, 0x88A8):
            p += 4
            et = struct.unpack_from("!H", frame, p)[0]
        p += 2
        for _ in range(3):
            if et == 0x0800:
                ihl = (frame[p] & 15) * 4
                proto = frame[p + 9]
                src, dst = (str(ipaddress.ip_address(frame[p + 12:p + 16])),
                            str(ipaddress.ip_address(frame[p + 16:p + 20])))
                l4 = p + ihl
            elif et == 0x86DD:
                proto = frame[p + 6]
                src, dst = (str(ipaddress.ip_address(frame[p + 8:p + 24])),
                            str(ipaddress.ip_address(frame[p + 24:p + 40])))
                l4 = p + 40
            else:
                break
            if proto == 17:
                sp, dp = struct.unpack_from("!HH", frame, l4)
                if 2152 in (sp, dp):
                    p, et = l4 + 8 + 8, (0x86DD if frame[l4 + 16] >> 4 == 6 else 0x0800)
                    continue
                if dp == 4789:
                    p, et = l4 + 8 + 8 + 14, struct.unpack_from("!H", frame, l4 + 16 + 12)[0]
                    continue
            break
        else:
            continue
        if et not in (0x0800, 0x86DD):
            continue
        for a, b, outbound in ((src, dst, True), (dst, src, False)):
            if b in c2:
                host, srv = a, b
                break
        else:
            continue
        if outbound:
            contacted.setdefault(srv, set()).add(host)
        if proto == 6:
            sp, dp, _, _, _, fl = struct.unpack_from("!HHIIBB", frame, l4)
            key = (host, srv, sp if outbound else dp, dp if outbound else sp)
            st = tcp.setdefault(key, set())
            if outbound and fl & 0x02 and not fl & 0x10:
                st.add("S")
            elif not outbound and fl & 0x12 == 0x12:
                st.add("SA")
            elif outbound and fl & 0x10 and "SA" in st and "S" in st:
                st.add("A")
        elif proto == 17:
            sp, dp = struct.unpack_from("!HH", frame, l4)
            key = (host, srv, sp if outbound else dp, dp if outbound else sp)
            udp.setdefault(key, set()).add(outbound)
    done = {}
    for (host, srv, _, _), st in tcp.items():
        if {"S", "SA", "A"} <= st:
            done.setdefault(srv, set()).add(host)
    for (host, srv, _, _), st in udp.items():
        if st == {True, False}:
            done.setdefault(srv, set()).add(host)
    bad = 0
    for s in truth["servers"]:
        v = done.get(s["ip"], set())
        a = contacted.get(s["ip"], set()) - v
        if sorted(v) != sorted(s["victims"]) or sorted(a) != sorted(s["attempted"]):
            print("%s: pcap victims %s attempted %s, truth %s / %s" % (s["ip"], sorted(v), sorted(a),
                                                                     s["victims"], s["attempted"]))
            bad += 1
    print("%s: %d servers checked against the pcap, %d differ" % (d, len(truth["servers"]), bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kind", choices=KINDS + ("all",), default="mixed")
    ap.add_argument("--out")
    ap.add_argument("--hours", type=float)
    ap.add_argument("--hosts", type=int)
    ap.add_argument("--check-geo", metavar="MMDB")
    ap.add_argument("--check", metavar="DIR", help="verify DIR/truth.json against DIR/traffic.pcap")
    a = ap.parse_args()
    if a.check_geo:
        return check_geo(a.check_geo)
    if a.check:
        return check_dir(a.check)
    if not a.out:
        ap.error("--out is required")
    kinds = KINDS if a.kind == "all" else (a.kind,)
    for k in kinds:
        d = os.path.join(a.out, k) if a.kind == "all" else a.out
        t = time.time()
        truth = build(a.seed, k, a.hours, a.hosts, d)
        size = os.path.getsize(os.path.join(d, "traffic.pcap"))
        print("%s: %d packets, %.1f MB, %d hosts, %d C2 servers, %.1f s" % (
            d, truth["packets"], size / 1e6, truth["monitored_hosts"], len(truth["servers"]), time.time() - t),
            file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
