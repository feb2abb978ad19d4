#!/usr/bin/env bash
# Regenerates h2c.pcap: real HTTP/2 in clear on loopback, from Debian's nghttp2 tools and curl (root: tcpdump).
#   apt-get install nghttp2-server nghttp2-client curl tcpdump; ./make_capture.sh
# nghttpd serves www/ without TLS on port 8089; nghttp fetches five resources over one connection (Huffman and
# the dynamic table in both directions, a body over several DATA frames, a 404, a DoH GET); curl POSTs a DoH
# query (RFC 8484) on a second connection, to which nghttpd sends its SETTINGS before the client's preface.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'pkill -f "nghttpd --no-tls" || true; pkill -f "tcpdump -i lo -w $work" || true; rm -rf "$work"' EXIT
mkdir -p "$work/www"
printf 'hello over h2c\n' > "$work/www/a.txt"
echo '{"k":1}' > "$work/www/b.json"
python3 - "$work" <<'PY'
import base64, random, sys
w = sys.argv[1]
random.seed(7)
open(w + "/www/big.txt", "w").write(base64.encodebytes(bytes(random.getrandbits(8) for _ in range(20000))).decode())
q = bytes.fromhex("00000100000100000000000003777777076578616d706c6503636f6d0000010001")  # www.example.com A, id 0
r = bytes.fromhex("00008180000100010000000003777777076578616d706c6503636f6d0000010001"
                  "c00c000100010000012c0004c0000201")  # its answer: 192.0.2.1, TTL 300
open(w + "/www/q.dns", "wb").write(r)
open(w + "/query.bin", "wb").write(q)
open(w + "/b64.txt", "w").write(base64.urlsafe_b64encode(q).decode().rstrip("="))
PY
printf 'application/dns-message dns\ntext/plain txt\napplication/json json\n' > "$work/mime.types"
tcpdump -i lo -w "$work/h2c.pcap" -U 'tcp port 8089' >/dev/null 2>&1 &
sleep 1
nghttpd --no-tls --mime-types-file="$work/mime.types" -d "$work/www" 8089 >/dev/null 2>&1 &
sleep 1
nghttp -n -H 'user-agent: nghttp-c2scope/1' -H 'x-test: one' http://127.0.0.1:8089/a.txt \
  http://127.0.0.1:8089/b.json http://127.0.0.1:8089/big.txt http://127.0.0.1:8089/missing \
  "http://127.0.0.1:8089/q.dns?dns=$(cat "$work/b64.txt")"
curl -s --http2-prior-knowledge -X POST -H 'Content-Type: application/dns-message' \
  -H 'Accept: application/dns-message' --data-binary @"$work/query.bin" http://localhost:8089/q.dns -o /dev/null
sleep 1
pkill -f "tcpdump -i lo -w $work" || true
sleep 1
cp "$work/h2c.pcap" "$here/h2c.pcap"
echo "wrote $here/h2c.pcap"
