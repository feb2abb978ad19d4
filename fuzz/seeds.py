#!/usr/bin/env python3
"""Seeds a fuzz target's corpus from the third-party captures in ../shared/data (stdlib only).

Usage: seeds.py TARGET CORPUS_DIR  (fuzz/run_all.sh calls it; does nothing when ../shared is absent or the
corpus already holds seeds). Captures go whole to pcap_fuzz/pcapng_fuzz; decode_fuzz gets a few frames per
capture in its [link][len_hi len_lo step frame]... format; the parser targets get transport payloads picked by
port (DNS 53, HTTP 80, TLS 443/TCP, QUIC 443/UDP; x509 gets the TLS payloads too, whose DER it must reject or
parse); session_fuzz gets the first flow of each capture on one of its ports, replayed as its segment script;
http2_fuzz gets both directions of each HTTP/2-in-clear flow; netflow_fuzz gets the export datagrams of netflow-ipfix/*.pcap, four per seed; zeek_log_fuzz gets the Zeek
logs (up to 64 KiB) whole; eve_log_fuzz and argus_log_fuzz get 40-line slices of the EVE JSON and binetflow
files.
"""
import hashlib, os, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
LINKS = [1, 101, 228, 229, 113, 276, 0, 108, 147]  # decode_fuzz's table: the first byte picks one
MAX_SEEDS = 400


def classic_pcap_frames(path):
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 24:
        return None, []
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, []
    link = struct.unpack(e + "I", d[20:24])[0] & 0xFFFF
    frames, pos = [], 24
    while pos + 16 <= len(d) and len(frames) < 2000:
        caplen = struct.unpack(e + "I", d[pos + 8:pos + 12])[0]
        if caplen > 262144 or pos + 16 + caplen > len(d):
            break
        frames.append(d[pos + 16:pos + 16 + caplen])
        pos += 16 + caplen
    return link, frames


def transport_payload(frame):
    """(proto, sport, dport, payload) of an Ethernet/VLAN/IPv4/IPv6 frame carrying TCP or UDP, else None."""
    if len(frame) < 14:
        return None
    et, off = struct.unpack(">H", frame[12:14])[0], 14
    while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
        et, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        proto, off = frame[off + 9], off + ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        proto, off = frame[off + 6], off + 40
    else:
        return None
    if proto == 17 and len(frame) >= off + 8:
        sp, dp = struct.unpack(">HH", frame[off:off + 4])
        return 17, sp, dp, frame[off + 8:]
    if proto == 6 and len(frame) >= off + 20:
        sp, dp = struct.unpack(">HH", frame[off:off + 4])
        return 6, sp, dp, frame[off + (frame[off + 12] >> 4) * 4:]
    return None


# session_fuzz's port table (fuzz/session_fuzz.cpp kPorts): the first input byte picks two of them.
SESSION_PORTS = [53, 80, 443, 1080, 25, 8080, 5353, 137, 3128, 9999, 143, 110, 21, 5355, 4433, 8443]


def tcp_flags(frame, payload_len):
    """TCP flags of an Ethernet frame whose TCP payload has payload_len bytes (header just before it)."""
    hdr_end = len(frame) - payload_len
    # The data offset byte is 12 bytes into the TCP header; find the header by scanning back its length.
    for hl in range(20, 61, 4):
        start = hdr_end - hl
        if start >= 0 and (frame[start + 12] >> 4) * 4 == hl:
            return frame[start + 13]
    return 0x18


def session_script(frames):
    """session_fuzz input replaying the first flow of the capture whose server port is in SESSION_PORTS."""
    key, segs = None, []
    for fr in frames:
        t = transport_payload(fr)
        if not t:
            continue
        proto, sp, dp, payload = t
        if key is None:
            server = dp if dp in SESSION_PORTS else sp if sp in SESSION_PORTS else None
            if server is None:
                continue
            key = (proto, frozenset((sp, dp)), server)
        if (proto, frozenset((sp, dp))) != key[:2]:
            continue
        control = (1 if sp == key[2] else 0) | (2 if proto == 17 else 0)
        if proto == 6:
            flags = tcp_flags(fr, len(payload))
            control |= (0x10 if flags & 0x02 else 0) | (0x20 if flags & 0x01 else 0) | 0x40
        segs.append(struct.pack(">BH", control, len(payload)) + payload)
        if len(segs) >= 64 or sum(map(len, segs)) > 60000:
            break
    if key is None:
        return None
    port_index = SESSION_PORTS.index(key[2])
    return bytes([port_index | (port_index << 4)]) + b"".join(segs)


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def http2_seed(frames):
    """http2_fuzz input from the first TCP flow whose client sends the HTTP/2 preface: both directions' bytes,
    the client's without the preface (http2_fuzz prepends it when byte 1 is odd)."""
    key, client, server = None, b"", b""
    for fr in frames:
        t = transport_payload(fr)
        if not t or t[0] != 6 or not t[3]:
            continue
        _, sp, dp, payload = t
        if key is None and payload.startswith(PREFACE):
            key = (sp, dp)
        if key == (sp, dp):
            client += payload
        elif key == (dp, sp):
            server += payload
    if key is None:
        return None
    client, server = client[len(PREFACE):][:30000], server[:30000]
    # http2_fuzz splits at len * byte1 // 255: pad the client side with an unknown frame type (ignored by
    # HTTP/2, RFC 9113 §4.1) until an odd byte 1 splits exactly between the two directions.
    for pad in range(0, 2000):
        c = client + bytes([0, pad >> 8, pad & 255, 0xFA, 0, 0, 0, 0, 0]) + bytes(pad)
        total = len(c) + len(server)
        for b in range(1, 255, 2):
            if total * b // 255 == len(c):
                return bytes([0, b]) + c + server
    return None


def wanted(target, proto, sp, dp):
    ports = (sp, dp)
    if target == "dns_fuzz":
        return 53 in ports
    if target == "http_fuzz":
        return proto == 6 and 80 in ports
    if target in ("tls_client_hello_fuzz", "tls_server_hello_fuzz", "x509_fuzz"):
        return proto == 6 and 443 in ports
    if target == "quic_initial_fuzz":
        return proto == 17 and 443 in ports
    return False


def main():
    target, corpus = sys.argv[1], sys.argv[2]
    if not os.path.isdir(SHARED) or (os.path.isdir(corpus) and len(os.listdir(corpus)) > 0):
        return
    os.makedirs(corpus, exist_ok=True)
    seeds = []
    for d, _, files in sorted(os.walk(SHARED)):
        for name in sorted(files):
            path = os.path.join(d, name)
            small = os.path.getsize(path) <= 65536  # whole-file seeds stay within -max_len
            if target in ("pcap_fuzz", "pcapng_fuzz"):
                ext = (".pcap", ".cap") if target == "pcap_fuzz" else (".pcapng",)
                if name.endswith(ext) and small:
                    seeds.append(open(path, "rb").read())
                continue
            if target in ("eve_log_fuzz", "argus_log_fuzz"):
                # Slices of EVE JSON / Argus CSV files: up to 40 lines after the first (the header or the fixed
                # first event the target supplies), after the target's selector byte.
                eve = target == "eve_log_fuzz"
                if (eve and (name.endswith(".json") and ("eve" in name or "suricata" in name))) or (
                        not eve and name.endswith(".binetflow")):
                    lines = open(path, "rb").read().split(b"\n")[1:]
                    for i in range(0, min(len(lines), 2000), 40):
                        seeds.append(bytes([0 if eve else (1 if b"\t" in lines[0] else 0)]) +
                                     b"\n".join(lines[i:i + 40])[:65535])
                continue
            if target == "zeek_log_fuzz":
                # Zeek logs (TSV/JSON, plain or gzip) whole, after the byte that picks the name they are read as.
                if ".log" in name and small:
                    names = ["conn", "dns", "http", "ssl", "x509", "quic"]
                    kind = name.split(".")[0]
                    seeds.append(bytes([names.index(kind) if kind in names else 7]) + open(path, "rb").read())
                continue
            if not name.endswith((".pcap", ".cap")):
                continue
            link, frames = classic_pcap_frames(path)
            if link is None:
                continue
            if target == "decode_fuzz":
                if link in LINKS:
                    seed = bytes([LINKS.index(link)])
                    for fr in frames[:8]:
                        seed += struct.pack(">HB", len(fr), 1) + fr
                    seeds.append(seed)
                continue
            if target == "netflow_fuzz":
                if "netflow-ipfix" in path:  # export datagrams, 4 per seed in netflow_fuzz's [len][datagram] format
                    pays = [t[3] for t in map(transport_payload, frames) if t and t[0] == 17]
                    for i in range(0, len(pays), 4):
                        seeds.append(b"".join(struct.pack(">H", len(p)) + p for p in pays[i:i + 4]))
                continue
            if link != 1:
                continue
            if target == "http2_fuzz":
                seed = http2_seed(frames)
                if seed:
                    seeds.append(seed)
                continue
            if target == "session_fuzz":
                script = session_script(frames)
                if script:
                    seeds.append(script)
                continue
            for fr in frames:
                t = transport_payload(fr)
                if t and t[3] and wanted(target, *t[:3]):
                    seeds.append(t[3])
    for s in seeds[:MAX_SEEDS]:
        with open(os.path.join(corpus, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print(f"seeds: {target}: {min(len(seeds), MAX_SEEDS)} inputs from ../shared/data")


if __name__ == "__main__":
    main()
