#!/usr/bin/env python3
"""indep3: independent deterministic scenario generator for c2scope (black-box test).

usage: gen.py OUTDIR [--only NAME,...]
Writes OUTDIR/<scenario>/traffic.pcap, truth.json (and intel.txt where a feed is part of the scenario).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import (T_MIDNIGHT, Net, Host, ALWAYS, window_fn, UA_MAC, browsing, win_background,  # noqa: E402
                   mac_background, linux_background, phone_background, weather_widget, mail_poll, tv_ping,
                   backup_agent, console_checkin, video_call, periodic_https, ntp, long_tls_session, hip, C2,
                   dns_beacon, gap_sliver, gap_pct, gap_uniform, gap_cron, POOL_NTP, MEDIA)

NEVER = lambda t: False  # noqa: E731


class Scen:
    def __init__(self, name, seed, prefix, cidr, hours, start_hour=6, resolver=None, note=""):
        self.name, self.cidr, self.note = name, cidr, note
        t0 = T_MIDNIGHT + start_hour * 3600
        self.net = Net(seed, [prefix], t0, t0 + hours * 3600)
        self.rng = self.net.rng
        self.prefix = prefix
        self.resolver = resolver or (prefix + "0.1" if prefix.count(".") == 2 else prefix + "1")
        self.next = {}
        self.c2s = []
        self.dns_c2 = []
        self.hours = hours

    def addr(self, sub):
        """sub: third octet for /16 prefixes ('10.10.'), ignored for /24."""
        if self.prefix.count(".") == 3:
            n = self.next.get(0, 10)
            self.next[0] = n + 1
            return self.prefix + str(n)
        n = self.next.get(sub, 10)
        self.next[sub] = n + 1
        return "%s%d.%d" % (self.prefix, sub, n)

    def host(self, kind, sched, sub=1):
        rng = self.rng
        if sched == "desk":
            on, user = ALWAYS, window_fn(rng.uniform(7.5, 9.5), rng.uniform(16.5, 19.0))
        elif sched == "laptop":
            on = user = window_fn(rng.uniform(7.5, 9.5), rng.uniform(16.5, 19.5))
        elif sched == "home_laptop":
            on = user = window_fn(rng.uniform(17.0, 19.0), rng.uniform(22.5, 24.0))
        elif sched == "phone":
            on, user = ALWAYS, window_fn(rng.uniform(6.5, 8.0), rng.uniform(22.0, 23.9))
        elif sched == "server":
            on, user = ALWAYS, NEVER
        elif sched == "tv":
            on, user = ALWAYS, window_fn(19.0, 23.0)
        else:
            raise ValueError(sched)
        h = Host(self.addr(sub), kind, on, user, self.resolver)
        self.net.hosts.append(h)
        return h

    def office(self, n, sub=1, win=0.65, mac=0.2, eset=True, telemetry_share=0.85, chat_share=0.6, laptop_share=0.4):
        rng = self.rng
        hosts = []
        for i in range(n):
            r = i / max(1, n)
            if r < win:
                h = self.host("win", "laptop" if rng.random() < laptop_share else "desk", sub)
                win_background(self.net, h, telemetry=rng.random() < telemetry_share, eset=eset,
                               chat=rng.random() < chat_share)
                browsing(self.net, h, mean_gap=rng.uniform(2400, 4800))
            elif r < win + mac:
                h = self.host("mac", "laptop", sub)
                mac_background(self.net, h, chat=rng.random() < chat_share)
                browsing(self.net, h, mean_gap=rng.uniform(2400, 4800), ua=UA_MAC)
            else:
                h = self.host("linux", "desk", sub)
                linux_background(self.net, h)
                browsing(self.net, h, mean_gap=rng.uniform(2500, 5000))
            hosts.append(h)
        return hosts

    def phones(self, n, sub=1, oem_share=0.3, browse_gap=(1800, 3600)):
        rng = self.rng
        out = []
        for i in range(n):
            ios = rng.random() < 0.45
            h = self.host("phone_ios" if ios else "phone_android", "phone", sub)
            phone_background(self.net, h, ios, oem_push=(not ios and rng.random() < oem_share))
            browsing(self.net, h, mean_gap=rng.uniform(*browse_gap), visits=(2, 6), ocsp=False)
            out.append(h)
        return out

    def calls(self, hosts, n):
        rng = self.rng
        for _ in range(n):
            h = rng.choice(hosts)
            for _try in range(50):
                st = self.net.t0 + rng.uniform(0, self.hours * 3600 - 3600)
                if h.user(st):
                    video_call(self.net, h, st, rng.uniform(20, 45), rng.choice(MEDIA))
                    break

    def c2(self, **kw):
        c = C2(self.net, **kw)
        c.run()
        self.c2s.append(c)
        return c

    def finish(self, outdir, intel=None):
        d = os.path.join(outdir, self.name)
        os.makedirs(d, exist_ok=True)
        n = self.net.cap.write(os.path.join(d, "traffic.pcap"))
        servers = []
        for c in self.c2s:
            servers += c.truth()
        c2ips = {s["ip"] for s in servers}
        benign = {}
        for ip, svc in sorted(self.net.usage.items()):
            if ip in c2ips:
                continue
            benign[ip] = [{"service": k, "hosts": len(v)} for k, v in sorted(svc.items())]
        truth = {"scenario": self.name, "note": self.note, "home_net": self.cidr,
                 "window": [self.net.t0, self.net.t1], "monitored_hosts": len(self.net.hosts),
                 "resolver": self.resolver, "packets": n, "servers": servers, "dns_c2": self.dns_c2,
                 "benign_only": not servers and not self.dns_c2, "benign_destinations": benign,
                 "intel": intel}
        if intel:
            with open(os.path.join(d, "intel.txt"), "w") as f:
                f.write("# indep3 plain feed, one IP per line\n" + "\n".join(intel) + "\n")
        with open(os.path.join(d, "truth.json"), "w") as f:
            json.dump(truth, f, indent=1, sort_keys=True)
        return n


# ======================================================================== scenarios

def s01_office_sliver(out):
    s = Scen("s01_office_sliver", 101, "10.10.", "10.10.0.0/16", 24, note="office; Sliver additive jitter + CS pct")
    hosts = s.office(60)
    win = [h for h in hosts if h.kind == "win"]
    desks = [h for h in win if h.on(s.net.t0 + 3 * 3600 + 12 * 3600)]  # on at 21:00 -> desktops
    laps = [h for h in win if h not in desks]
    s.calls(hosts, 3)
    s.c2(label="sliver-https", profile="Sliver HTTPS sleep 60s + 0..30s", servers=[("185.141.63.120", True)],
         victims=desks[:2] + laps[:1], gap=gap_sliver(60, 30), transport="https", domain="cdn.azureedge-sync.com",
         ttl=120, sizes=(650, 180), note="additive jitter 0..50%, laptop victim off at night")
    s.c2(label="cs-https", profile="Cobalt Strike sleep 300s jitter 40%", servers=[("91.215.85.17", True)],
         victims=laps[1:3], gap=gap_pct(300, 40), transport="https", domain="static.jquery-cdn.net", ttl=60,
         sizes=(420, 80), note="laptops only: beats only in office hours")
    return s.finish(out)


def s02_home_emotet(out):
    s = Scen("s02_home_emotet", 202, "192.168.1.", "192.168.1.0/24", 36, start_hour=0,
             note="home; Emotet random choice over 4 IPs (1 dead), Qakbot round robin over 5 IPs")
    rng = s.rng
    desk = s.host("win", "desk")
    win_background(s.net, desk)
    browsing(s.net, desk, 2400)
    laps = []
    for _ in range(3):
        h = s.host("win", "home_laptop")
        win_background(s.net, h)
        browsing(s.net, h, 1500)
        laps.append(h)
    m = s.host("mac", "home_laptop")
    mac_background(s.net, m)
    browsing(s.net, m, 1500, ua=UA_MAC)
    s.phones(4)
    tv = s.host("tv", "tv")
    tv_ping(s.net, tv)
    cons = s.host("console", "tv")
    console_checkin(s.net, cons)
    nas = s.host("linux", "server")
    linux_background(s.net, nas)
    backup_agent(s.net, nas)
    s.c2(label="emotet-e5", profile="Emotet HTTP POST :8080 every 4-8 min, random choice of 4 IPs",
         servers=[("45.9.148.114", True), ("91.92.240.71", True), ("5.181.156.28", True), ("193.42.33.9", False)],
         victims=[desk], gap=gap_uniform(240, 480), transport="http", port=8080, rotation="random",
         sizes=(560, 140), uri="/", note="rotation over 4 IPs, 1 dead (fallback to next): each pair ~1/4 of beats")
    s.c2(label="qakbot", profile="Qakbot TLS1.2 :443 no SNI, sleep 300s jitter 20%, round robin over 5 IPs",
         servers=[("185.220.101.45", True), ("194.26.29.113", True), ("5.252.178.60", True), ("80.66.75.130", True),
                  ("212.113.106.9", True)],
         victims=[laps[0]], gap=gap_pct(300, 20), transport="https12", rotation="round_robin", sizes=(900, 300),
         note="round robin 5 IPs; victim laptop on only evenings (~5h/day)")
    _ = rng
    return s.finish(out)


def s03_iot_bot(out):
    s = Scen("s03_iot_bot", 303, "10.20.", "10.20.0.0/16", 30, note="office+cameras; hourly raw TCP bot, 2h backdoor")
    hosts = s.office(25)
    rng = s.rng
    cams = []
    for _ in range(15):
        c = s.host("iot", "server", sub=5)
        ntp(s.net, c, POOL_NTP[1], 3600, 0.0, POOL_NTP[0], POOL_NTP[2], service="NTP pool")
        long_tls_session(s.net, c, "dev.hik-connect.com", [hip("hik", "47.91.")], 300, 443,
                         lambda: rng.uniform(55, 65), "camera vendor cloud keepalive", session_len=(6 * 3600, 12 * 3600))
        cams.append(c)
    s.calls(hosts, 2)
    s.c2(label="mirai-like", profile="IoT bot raw TCP :6667 hourly (sd 40s)", servers=[("45.133.1.77", True)],
         victims=cams[:5], gap=gap_cron(3600, 40), transport="raw", port=6667, sizes=(64, 32),
         note="hourly: ~30 check-ins in 30h")
    s.c2(label="backdoor-2h", profile="backdoor raw TCP :8443 every 2h (sd 120s)", servers=[("194.26.29.44", True)],
         victims=[cams[5], hosts[0]], gap=gap_cron(7200, 120), transport="raw", port=8443, sizes=(200, 48),
         note="2h period: ~15 check-ins")
    return s.finish(out)


def s04_dns_beacon(out):
    s = Scen("s04_dns_beacon", 404, "10.30.", "10.30.0.0/16", 24, resolver="10.30.0.2",
             note="DNS-beacon C2 via internal resolver; slow 2h HTTPS C2")
    hosts = s.office(30)
    win = [h for h in hosts if h.kind == "win"]
    desks = [h for h in win if h.on(s.net.t0 + 15 * 3600)]
    laps = [h for h in win if h not in desks]
    s.dns_c2.append(dns_beacon(s.net, [desks[0], laps[0]], "telemetry-cdn-sync.com", gap_pct(120, 30),
                               "dns-beacon", "A/TXT lookups of random subdomains every 84-120 s via 10.30.0.2"))
    s.dns_c2.append(dns_beacon(s.net, [desks[2]], "ns1.cloudfront-dns-edge.net", gap_sliver(20, 10),
                               "dns-beacon-fast", "Sliver-DNS-like: A/TXT lookups every 20-30 s via 10.30.0.2"))
    s.c2(label="cs-2h", profile="Cobalt Strike sleep 7200s jitter 20%", servers=[("185.117.90.210", True)],
         victims=[desks[1], laps[1]], gap=gap_pct(7200, 20), transport="https", domain="cdn.office-updates.net",
         ttl=300, sizes=(500, 90), note="2h sleep: desktop ~13 beats, laptop ~5 (office hours)")
    return s.finish(out)


def s05_metasploit(out):
    s = Scen("s05_metasploit", 505, "192.168.10.", "192.168.10.0/24", 12, start_hour=8,
             note="meterpreter reverse_http/https polling, Mythic 600s 50%")
    hosts = s.office(20)
    win = [h for h in hosts if h.kind == "win"]
    s.c2(label="msf-reverse_http", profile="meterpreter reverse_http :8080 poll 20-26s",
         servers=[("179.43.187.50", True)], victims=[win[0]], gap=gap_uniform(20, 26), transport="http", port=8080,
         uri="/8bFzQx3kHn1Wv7_uP0oTQ/", sizes=(150, 60), note="short period, laptop/desk")
    s.c2(label="msf-reverse_https", profile="meterpreter reverse_https :443 poll 45s + 0..10s, no SNI",
         servers=[("103.75.190.12", True)], victims=win[1:3], gap=gap_sliver(45, 10), transport="https12",
         sizes=(300, 80), note="no SNI, TLS1.2")
    s.c2(label="mythic", profile="Mythic http sleep 600s jitter 50%", servers=[("91.92.251.103", True)],
         victims=win[3:6], gap=gap_pct(600, 50), transport="https", domain="api.cloud-sync-status.com", ttl=300,
         sizes=(380, 120), note="50% pct jitter; 12h window -> ~95 beats max")
    return s.finish(out)


def s06_multiconn(out):
    s = Scen("s06_multiconn", 606, "10.40.", "10.40.0.0/16", 24, note="beats that open 2-3 connections")
    hosts = s.office(80)
    win = [h for h in hosts if h.kind == "win"]
    s.calls(hosts, 4)
    s.c2(label="cs-multiconn", profile="CS 900s jitter 25%, 30% beats retry after RST, 30% upload after",
         servers=[("185.225.74.19", True)], victims=win[:6], gap=gap_pct(900, 25), transport="https",
         domain="assets.msedge-cdn.org", ttl=300, multi={"retry": 0.3, "upload": 0.3}, sizes=(480, 100),
         note="multi-connection beats")
    s.c2(label="sliver-wide-jitter", profile="Sliver sleep 30s + 0..60s, 20% upload after",
         servers=[("45.155.205.233", True)], victims=win[6:14], gap=gap_sliver(30, 60), transport="https",
         domain="update.win-defender-cloud.com", ttl=60, multi={"upload": 0.2}, sizes=(520, 130),
         note="gap 30-90s uniform: jitter ~ +-50%")
    return s.finish(out)


def s07_benign_office(out):
    s = Scen("s07_benign_office", 707, "10.50.", "10.50.0.0/16", 24, note="BENIGN ONLY, 120 hosts office")
    hosts = s.office(112, chat_share=0.7)
    ph = s.phones(6, sub=8)
    tv = s.host("tv", "server", sub=9)
    tv_ping(s.net, tv)
    nas = s.host("linux", "server", sub=9)
    linux_background(s.net, nas)
    backup_agent(s.net, nas)
    win = [h for h in hosts if h.kind == "win"]
    weather_widget(s.net, win[3])
    mail_poll(s.net, win[4], 600)
    s.calls(hosts + ph, 5)
    return s.finish(out)


def s08_benign_single(out):
    s = Scen("s08_benign_single", 808, "192.168.178.", "192.168.178.10/32", 36, start_hour=0,
             note="BENIGN ONLY, a single monitored host (its traffic only)")
    h = s.host("win", "desk")
    s.net.hosts = [h]
    s.net.home_prefixes = ["192.168.178.10"]  # the router/resolver .1 is outside the monitored side
    win_background(s.net, h, telemetry=True, eset=True, chat=True)
    browsing(s.net, h, 1800)
    weather_widget(s.net, h)
    mail_poll(s.net, h, 300)
    backup_agent(s.net, h)
    s.calls([h], 2)
    return s.finish(out)


def s09_benign_minority(out):
    s = Scen("s09_benign_minority", 909, "10.60.", "10.60.0.0/16", 24,
             note="BENIGN ONLY; sync client on 12% and EDR heartbeat on 18% of hosts")
    rng = s.rng
    hosts = s.office(50)
    sync = rng.sample(hosts, 6)
    edr = rng.sample(hosts, 9)
    for h in sync:
        periodic_https(s.net, h, "bolt.dropbox.com", [hip("db1", "162.125.19."), hip("db2", "162.125.19.")], 300,
                       lambda: 300 * (1 + rng.uniform(-0.05, 0.05)), 500, 200, "Dropbox-like sync long-poll (12%)",
                       when=h.on)
    for h in edr:
        periodic_https(s.net, h, "ts01-b.cloudsink.net", [hip("cs", "54.219.")], 300, lambda: 60 + rng.uniform(-3, 3),
                       800, 250, "EDR sensor heartbeat 60s (18%)")
    s.calls(hosts, 2)
    return s.finish(out)


def s10_mobile(out):
    s = Scen("s10_mobile", 1010, "10.64.", "10.64.0.0/16", 24, resolver="194.25.0.60",
             note="mobile: 100 phones, external operator resolver; Android banker C2")
    ph = s.phones(100, sub=1)
    andr = [h for h in ph if h.kind == "phone_android"]
    s.c2(label="android-banker", profile="HTTP POST :80 every 60s + 0..30s", servers=[("5.252.178.199", True)],
         victims=andr[:4], gap=gap_sliver(60, 30), transport="http", port=80, domain="gate.mob-secure-api.com",
         ttl=300, sizes=(420, 90), uri="/gate.php", note="phone C2 over plain HTTP")
    s.c2(label="hydra-like", profile="HTTPS sleep 180s jitter 50%", servers=[("91.215.85.200", True)],
         victims=andr[4:6], gap=gap_pct(180, 50), transport="https", domain="cdn.play-services-sync.com", ttl=300,
         sizes=(300, 70), note="50% pct jitter")
    s.dns_c2.append(dns_beacon(s.net, andr[6:8], "api-metrics-push.com", gap_pct(300, 20), "dns-beacon-mobile",
                               "A/TXT lookups every 240-300 s via the external operator resolver"))
    return s.finish(out)


def s11_intel_offline(out):
    s = Scen("s11_intel_offline", 1111, "10.70.", "10.70.0.0/16", 24,
             note="feed lists an offline C2 (SYNs only) and a live one; one feed IP never contacted")
    hosts = s.office(30)
    win = [h for h in hosts if h.kind == "win"]
    s.c2(label="offline-c2", profile="CS sleep 600s jitter 20%, server dead (SYN x3 unanswered)",
         servers=[("185.196.8.23", False)], victims=win[:3], gap=gap_pct(600, 20), transport="https",
         domain="cdn.winupdate-check.com", ttl=300, sizes=(400, 90), note="victims only attempted")
    s.c2(label="live-sliver", profile="Sliver 120s + 0..60s", servers=[("80.66.75.36", True)], victims=[win[3]],
         gap=gap_sliver(120, 60), transport="https", domain="login.ms-authsvc.com", ttl=300, sizes=(600, 140),
         note="also listed in the feed")
    return s.finish(out, intel=["185.196.8.23", "80.66.75.36", "193.233.20.11"])


def s12_mixed_large(out):
    s = Scen("s12_mixed_large", 1212, "10.80.", "10.80.0.0/16", 20, start_hour=4, note="large office, mixed C2")
    rng = s.rng
    hosts = s.office(112)
    cams = []
    for _ in range(4):
        c = s.host("iot", "server", sub=7)
        ntp(s.net, c, POOL_NTP[1], 3600, 0.0, POOL_NTP[0], POOL_NTP[2], service="NTP pool")
        cams.append(c)
    win = [h for h in hosts if h.kind == "win"]
    s.calls(hosts, 4)
    s.c2(label="cs-60s", profile="CS sleep 60s jitter 10%", servers=[("193.233.20.77", True)], victims=win[:8],
         gap=gap_pct(60, 10), transport="https", domain="ajax.cdn-googleapis.net", ttl=300, sizes=(350, 70),
         note="8 victims (7% of hosts), shared schedule")
    s.c2(label="emotet-3ip", profile="Emotet HTTP :8080 every 3-7 min, random choice of 3 IPs",
         servers=[("45.61.136.40", True), ("91.208.197.12", True), ("185.236.200.5", True)], victims=win[8:10],
         gap=gap_uniform(180, 420), transport="http", port=8080, rotation="random", sizes=(600, 150),
         note="rotation 3 IPs")
    s.c2(label="iot-hourly", profile="raw TCP :23231 hourly", servers=[("5.188.86.172", True)], victims=[cams[0]],
         gap=gap_cron(3600, 20), transport="raw", port=23231, sizes=(64, 16), note="hourly, 20 check-ins")
    s.c2(label="sliver-2h", profile="Sliver sleep 6000s + 0..1200s", servers=[("195.123.246.9", True)],
         victims=[win[10]], gap=gap_sliver(6000, 1200), transport="https", domain="files.backup-cdn.org", ttl=300,
         sizes=(700, 100), note="~10 check-ins if desktop")
    _ = rng
    return s.finish(out)


def s13_benign_home(out):
    s = Scen("s13_benign_home", 1313, "192.168.0.", "192.168.0.0/24", 30, start_hour=0,
             note="BENIGN ONLY home: TV ping 5 min, console 10 min, NAS backup hourly")
    for _ in range(2):
        h = s.host("win", "home_laptop")
        win_background(s.net, h)
        browsing(s.net, h, 1200)
    m = s.host("mac", "home_laptop")
    mac_background(s.net, m)
    browsing(s.net, m, 1200, ua=UA_MAC)
    s.phones(4, oem_share=0.5)
    tv = s.host("tv", "tv")
    tv_ping(s.net, tv)
    cons = s.host("console", "tv")
    console_checkin(s.net, cons)
    nas = s.host("linux", "server")
    linux_background(s.net, nas)
    backup_agent(s.net, nas)
    return s.finish(out)


def s14_lowslow(out):
    s = Scen("s14_lowslow", 1414, "10.90.", "10.90.0.0/16", 36, start_hour=0,
             note="slow CS 1h/2h 50% jitter; 20s fixed raw; C2 dying after 18h")
    hosts = s.office(25)
    win = [h for h in hosts if h.kind == "win"]
    desks = [h for h in win if h.on(s.net.t0 + 2 * 3600)]
    laps = [h for h in win if h not in desks]
    s.c2(label="cs-1h-50", profile="CS sleep 3600s jitter 50%", servers=[("185.174.137.80", True)],
         victims=[desks[0], laps[0]], gap=gap_pct(3600, 50), transport="https", domain="cdn.sharepoint-docs.net",
         ttl=300, sizes=(450, 90), note="1h sleep 50% jitter: 1800-3600 s gaps")
    s.c2(label="cs-2h-50", profile="CS sleep 7200s jitter 50%", servers=[("91.243.44.142", True)],
         victims=[desks[1]], gap=gap_pct(7200, 50), transport="https", domain="img.adobe-cdn-assets.com", ttl=300,
         sizes=(450, 90), note="~24 beats in 36h")
    s.c2(label="raw-20s", profile="raw TCP :4444 every 20s exactly", servers=[("45.95.147.236", True)],
         victims=[desks[2]], gap=gap_cron(20, 0.05), transport="raw", port=4444, sizes=(48, 16),
         note="trivially regular")
    s.c2(label="dying-sliver", profile="Sliver 300s + 0..60s, server dead after 18h", servers=[("5.42.92.211", True)],
         victims=[desks[3], laps[1]], gap=gap_sliver(300, 60), transport="https", domain="sync.onedrive-live.org",
         ttl=300, dead_after=18 * 3600, sizes=(500, 100), note="second half: SYNs only")
    return s.finish(out)


def s15_controls(out):
    s = Scen("s15_controls", 1515, "10.95.", "10.95.0.0/16", 24,
             note="controls: the timing of missed profiles without their complication, one at a time")
    hosts = s.office(60)
    win = [h for h in hosts if h.kind == "win"]
    desks = [h for h in win if h.on(s.net.t0 + 15 * 3600)]
    s.c2(label="ctl-emotet-single-ip", profile="Emotet timing (HTTP :8080 every 4-8 min) on ONE IP",
         servers=[("91.207.183.20", True)], victims=[desks[0]], gap=gap_uniform(240, 480), transport="http", port=8080,
         sizes=(560, 140), note="control for s02/s12 rotation")
    s.c2(label="ctl-cs900-single-conn", profile="CS 900s 25%, one connection per beat (no tasks)",
         servers=[("185.81.157.33", True)], victims=[desks[1]], gap=gap_pct(900, 25), transport="https",
         domain="cdn.ctl-single.net", ttl=300, task_p=0.0, sizes=(480, 100), note="control for s06 cs-multiconn")
    s.c2(label="ctl-cs900-upload", profile="CS 900s 25%, 30% of beats followed by an upload connection",
         servers=[("185.81.157.34", True)], victims=[desks[2]], gap=gap_pct(900, 25), transport="https",
         domain="cdn.ctl-upload.net", ttl=300, task_p=0.0, multi={"upload": 0.3}, sizes=(480, 100),
         note="control: upload only")
    s.c2(label="ctl-cs900-retry", profile="CS 900s 25%, 30% of beats retried after a reset",
         servers=[("185.81.157.35", True)], victims=[desks[3]], gap=gap_pct(900, 25), transport="https",
         domain="cdn.ctl-retry.net", ttl=300, task_p=0.0, multi={"retry": 0.3}, sizes=(480, 100),
         note="control: retry only")
    s.c2(label="ctl-mythic-1victim", profile="Mythic 600s 50% with ONE victim of 60",
         servers=[("91.92.251.104", True)], victims=[desks[4]], gap=gap_pct(600, 50), transport="https",
         domain="api.ctl-mythic.com", ttl=300, sizes=(380, 120), note="control for s05 mythic (3/20 hosts)")
    s.c2(label="ctl-sliver-30-60-single", profile="Sliver 30s + 0..60s, no uploads, no tasks",
         servers=[("45.155.205.234", True)], victims=[desks[5]], gap=gap_sliver(30, 60), transport="https",
         domain="update.ctl-sliver.com", ttl=60, task_p=0.0, sizes=(520, 130), note="control for s06 sliver")
    return s.finish(out)


SCENARIOS = [s01_office_sliver, s02_home_emotet, s03_iot_bot, s04_dns_beacon, s05_metasploit, s06_multiconn,
             s07_benign_office, s08_benign_single, s09_benign_minority, s10_mobile, s11_intel_offline,
             s12_mixed_large, s13_benign_home, s14_lowslow, s15_controls]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x)
    for fn in SCENARIOS:
        if only and fn.__name__ not in only:
            continue
        t = time.time()
        n = fn(a.outdir)
        sz = os.path.getsize(os.path.join(a.outdir, fn.__name__, "traffic.pcap"))
        print("%-22s %8d packets %7.1f MB %6.1f s" % (fn.__name__, n, sz / 1e6, time.time() - t), flush=True)


if __name__ == "__main__":
    main()
