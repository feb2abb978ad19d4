#!/usr/bin/env python3
"""Deterministic sample capture for `make demo` and the project's own golden tests (stdlib only).

Usage: gen_sample_pcap.py --out FILE [--seed 7]

What it holds (every packet is listed in docs/counting.md's worked example via the truth file):
  * a client on VLAN 10 resolving www.example.com over UDP DNS, then an HTTP GET over a full TCP session
    (3-way handshake, request, response, FIN both ways)         -> 2 flows: udp SF, tcp SF
  * a TCP SYN that is refused with RST                           -> tcp REJ
  * a TCP SYN never answered                                     -> tcp S0
  * a phone inside GTP-U (TEID 0x1234) contacting a server over TCP -> inner tcp SF + outer udp/2152 flow
  * a VM inside VXLAN (VNI 42) pinging another VM                -> inner icmp + outer udp/4789 flow
  * IPv6 DNS query and answer                                    -> udp SF over IPv6
  * a UDP datagram sent as two IPv4 fragments                    -> one udp flow, reassembled
  * two ARP frames                                               -> skipped non_ip_arp
  * one IPv4 packet truncated inside its header                  -> skipped truncated_ipv4
Writes FILE (pcap, Ethernet, microseconds) and FILE.truth.json (expected flows and accounting).
"""
import argparse, json, random, struct

P = struct.pack


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000):
    hdr = P("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + P("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload):
    return P("!IHBB16s16s", 6 << 28, len(payload), nh, 64, ip6(src), ip6(dst)) + payload


def udp(sport, dport, payload):
    return P("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, ack, flags, payload=b"", win=64240):
    return P("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, win, 0, 0) + payload


def eth(payload, ethertype=0x0800, vlan=None, src=b"\x02\0\0\0\0\x01", dst=b"\x02\0\0\0\0\x02"):
    if vlan is not None:
        return dst + src + P("!HH", 0x8100, vlan) + P("!H", ethertype) + payload
    return dst + src + P("!H", ethertype) + payload


def dns_query(txid, name, qtype=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return P("!HHHHHH", txid, 0x0100, 1, 0, 0, 0) + q + P("!HH", qtype, 1)


def dns_answer(txid, name, addr, qtype=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    rdata = ip4(addr) if qtype == 1 else ip6(addr)
    return (P("!HHHHHH", txid, 0x8180, 1, 1, 0, 0) + q + P("!HH", qtype, 1) +
            P("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata)


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
FLAGS = {"S": SYN, "SA": SYN | ACK, "A": ACK, "PA": PSH | ACK, "FA": FIN | ACK, "R": RST, "RA": RST | ACK}


def tcp_session(cli, srv, cport, sport, req, resp, t, wrap):
    """Full TCP session; `wrap(ip_packet_bytes, from_client)` builds the frame. Returns [(t, frame)]."""
    out = []
    cs, ss = 1000, 5000
    def send(dt, from_client, flags, payload=b""):
        nonlocal t
        t += dt
        if from_client:
            seg = tcp(cport, sport, cs, ss if flags != SYN else 0, flags, payload)
            out.append((t, wrap(ipv4(cli, srv, 6, seg), True)))
        else:
            seg = tcp(sport, cport, ss, cs, flags, payload)
            out.append((t, wrap(ipv4(srv, cli, 6, seg), False)))
    send(0.0, True, SYN); cs += 1
    send(0.010, False, SYN | ACK); ss += 1
    send(0.010, True, ACK)
    send(0.001, True, PSH | ACK, req); cs += len(req)
    send(0.020, False, PSH | ACK, resp); ss += len(resp)
    send(0.001, True, ACK)
    send(0.100, True, FIN | ACK); cs += 1
    send(0.010, False, FIN | ACK); ss += 1
    send(0.010, True, ACK)
    return out, t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = 1700000000.0
    pkts = []
    # 1. VLAN 10 client: DNS then HTTP
    cli, resolver, web = "10.1.0.5", "10.1.0.1", "93.184.216.34"
    w_vlan = lambda ip: eth(ip, vlan=10)
    pkts.append((t0 + 0.000, w_vlan(ipv4(cli, resolver, 17, udp(53000, 53, dns_query(0x1111, "www.example.com"))))))
    pkts.append((t0 + 0.015, w_vlan(ipv4(resolver, cli, 17, udp(53, 53000, dns_answer(0x1111, "www.example.com", web))))))
    req = b"GET / HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: c2scope-sample\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\nhello world\n"
    s, _ = tcp_session(cli, web, 40001, 80, req, resp, t0 + 0.020, lambda ip, c: w_vlan(ip))
    pkts += s
    # 2. refused and unanswered connection attempts
    pkts.append((t0 + 1.0, eth(ipv4("10.1.0.6", "198.51.100.7", 6, tcp(40100, 8443, 777, 0, SYN)))))
    pkts.append((t0 + 1.01, eth(ipv4("198.51.100.7", "10.1.0.6", 6, tcp(8443, 40100, 0, 778, RST | ACK)))))
    pkts.append((t0 + 1.5, eth(ipv4("10.1.0.7", "203.0.113.9", 6, tcp(40200, 4444, 999, 0, SYN)))))
    # 3. phone inside GTP-U
    enb, sgw, phone, srv = "172.16.0.1", "172.16.0.2", "100.64.3.4", "185.199.108.153"
    def gtp(ip, from_client):
        g = P("!BBHI", 0x30, 0xFF, len(ip), 0x1234) + ip
        o = ipv4(enb, sgw, 17, udp(2152, 2152, g)) if from_client else ipv4(sgw, enb, 17, udp(2152, 2152, g))
        return eth(o)
    s, _ = tcp_session(phone, srv, 51000, 443, b"\x16\x03\x01" + bytes(rnd.randrange(256) for _ in range(60)),
                       b"\x16\x03\x03" + bytes(rnd.randrange(256) for _ in range(90)), t0 + 2.0, gtp)
    pkts += s
    # 4. VM ping inside VXLAN
    vtep1, vtep2, vm1, vm2 = "192.168.56.11", "192.168.56.12", "10.0.0.1", "10.0.0.2"
    for i in range(2):
        icmp_req = P("!BBHHH", 8, 0, 0, 7, i) + b"x" * 56
        icmp_rep = P("!BBHHH", 0, 0, 0, 7, i) + b"x" * 56
        inner_q = eth(ipv4(vm1, vm2, 1, icmp_req))
        inner_r = eth(ipv4(vm2, vm1, 1, icmp_rep))
        vx = lambda f: P("!II", 0x08000000, 42 << 8) + f
        pkts.append((t0 + 3.0 + i, eth(ipv4(vtep1, vtep2, 17, udp(40000 + i, 4789, vx(inner_q))))))
        pkts.append((t0 + 3.001 + i, eth(ipv4(vtep2, vtep1, 17, udp(41000 + i, 4789, vx(inner_r))))))
    # 5. IPv6 DNS
    c6, r6 = "2001:db8::10", "2001:db8::53"
    pkts.append((t0 + 4.0, eth(ipv6(c6, r6, 17, udp(53001, 53, dns_query(0x2222, "example.org", 28))), 0x86DD)))
    pkts.append((t0 + 4.01, eth(ipv6(r6, c6, 17, udp(53, 53001, dns_answer(0x2222, "example.org", "2001:db8::80", 28))), 0x86DD)))
    # 6. a UDP datagram in two IPv4 fragments
    data = udp(5000, 6000, bytes(rnd.randrange(256) for _ in range(1200)))
    f1, f2 = data[:800], data[800:]
    def frag(payload, off, more):
        return ipv4("10.1.0.8", "10.1.0.9", 17, payload, ident=0x4242, frag=(0x2000 if more else 0) | (off // 8))
    pkts.append((t0 + 5.0, eth(frag(f1, 0, True))))
    pkts.append((t0 + 5.001, eth(frag(f2, 800, False))))
    # 7. ARP and a truncated IPv4 header
    arp = P("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02\0\0\0\0\x01", ip4("10.1.0.5"), b"\0" * 6, ip4("10.1.0.1"))
    pkts.append((t0 + 6.0, eth(arp, 0x0806)))
    pkts.append((t0 + 6.1, eth(arp, 0x0806)))
    pkts.append((t0 + 6.2, eth(ipv4("10.1.0.5", "10.1.0.1", 17, udp(1, 2, b""))[:12])))

    pkts.sort(key=lambda p: p[0])
    with open(a.out, "wb") as f:
        f.write(P("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for t, frame in pkts:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(P("<IIII", sec, usec, len(frame), len(frame)) + frame)
    truth = {
        "packets": len(pkts),
        "skipped": {"non_ip_arp": 2, "truncated_ipv4": 1},
        "flows": [
            {"proto": "udp", "orig_h": cli, "resp_h": resolver, "resp_p": 53, "conn_state": "SF", "vlan": 10},
            {"proto": "tcp", "orig_h": cli, "resp_h": web, "resp_p": 80, "conn_state": "SF", "vlan": 10,
             "orig_bytes": len(req), "resp_bytes": len(resp)},
            {"proto": "tcp", "orig_h": "10.1.0.6", "resp_h": "198.51.100.7", "resp_p": 8443, "conn_state": "REJ"},
            {"proto": "tcp", "orig_h": "10.1.0.7", "resp_h": "203.0.113.9", "resp_p": 4444, "conn_state": "S0"},
            {"proto": "udp", "orig_h": enb, "resp_h": sgw, "resp_p": 2152, "conn_state": "SF"},
            {"proto": "tcp", "orig_h": phone, "resp_h": srv, "resp_p": 443, "conn_state": "SF", "tunnel": "gtp-u"},
            {"proto": "udp", "orig_h": vtep1, "resp_h": vtep2, "resp_p": 4789, "conn_state": "S0"},
            {"proto": "udp", "orig_h": vtep1, "resp_h": vtep2, "resp_p": 4789, "conn_state": "S0"},
            {"proto": "udp", "orig_h": vtep2, "resp_h": vtep1, "resp_p": 4789, "conn_state": "S0"},
            {"proto": "udp", "orig_h": vtep2, "resp_h": vtep1, "resp_p": 4789, "conn_state": "S0"},
            {"proto": "icmp", "orig_h": vm1, "resp_h": vm2, "resp_p": 0, "conn_state": "OTH", "tunnel": "vxlan"},
            {"proto": "udp", "orig_h": c6, "resp_h": r6, "resp_p": 53, "conn_state": "SF"},
            # one reassembled datagram: a single packet, so no duration and no byte counts (as Zeek)
            {"proto": "udp", "orig_h": "10.1.0.8", "resp_h": "10.1.0.9", "resp_p": 6000, "conn_state": "S0"},
        ],
    }
    with open(a.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)


if __name__ == "__main__":
    main()
