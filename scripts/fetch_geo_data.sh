#!/usr/bin/env bash
# `make deps`: puts the default attribution data, two pinned @ip-location-db npm packages, into data/geo.
# Idempotent and offline when the files are there: it checks data/geo/VERSIONS and the files' SHA-256 first.
# Usage: scripts/fetch_geo_data.sh [DEST]   (DEST defaults to data/geo in the source tree)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-data/geo}

version=2.3.2026061719  # the same snapshot as ../shared/data/geoip, so results are reproducible
country_pkg=@ip-location-db/geo-whois-asn-country-mmdb  # CC0 1.0 (source data CC BY 4.0 NRO)
asn_pkg=@ip-location-db/asn                             # CC BY 4.0 RouteViews, DB-IP, NRO: credit required
# SHA-256 of the data files of that version; any other content is a different or damaged download.
declare -A sha256=(
  [geo-whois-asn-country.mmdb]=c5f7c0e9bd6a6ccb5a2e9634764544a0d08bd0bd8788b8aedfac87bea184c652
  [asn-ipv4.csv]=76afd7f575bc22d3b3d52f4666fb1ec20c254948829c8f23b1ecc8b8856106d5
  [asn-ipv6.csv]=c91289d4d5dba149fb5f0c12ff3a6db3ad2d1910250034f56f187f4d32f1d337
)
versions="$country_pkg $version
$asn_pkg $version"

data_ok() {
  [ -f "$dest/VERSIONS" ] && [ "$(cat "$dest/VERSIONS")" = "$versions" ] || return 1
  for f in "${!sha256[@]}"; do
    [ -f "$dest/$f" ] && [ "$(sha256sum "$dest/$f" | cut -d' ' -f1)" = "${sha256[$f]}" ] || return 1
  done
}

if data_ok; then
  echo "fetch_geo_data: $dest has $asn_pkg and $country_pkg $version"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch_geo_data: npm not found. Install Node.js with npm (Debian: apt-get install npm) and run make deps" \
    "again, or copy the files listed in data/README.md into $dest by hand." >&2
  exit 1
fi

echo "fetch_geo_data: downloading $country_pkg@$version and $asn_pkg@$version (26 MB) with npm pack"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! npm pack --silent --pack-destination "$tmp" "$country_pkg@$version" "$asn_pkg@$version" >/dev/null; then
  echo "fetch_geo_data: npm pack failed (is the npm registry reachable?)" >&2
  exit 1
fi
mkdir -p "$tmp/country" "$tmp/asn"
tar -xzf "$tmp/ip-location-db-geo-whois-asn-country-mmdb-$version.tgz" -C "$tmp/country"
tar -xzf "$tmp/ip-location-db-asn-$version.tgz" -C "$tmp/asn"
for f in geo-whois-asn-country.mmdb; do cp "$tmp/country/package/$f" "$tmp/$f"; done
for f in asn-ipv4.csv asn-ipv6.csv; do cp "$tmp/asn/package/$f" "$tmp/$f"; done
for f in "${!sha256[@]}"; do
  got=$(sha256sum "$tmp/$f" | cut -d' ' -f1)
  if [ "$got" != "${sha256[$f]}" ]; then
    echo "fetch_geo_data: $f has SHA-256 $got, expected ${sha256[$f]}; not installing it" >&2
    exit 1
  fi
done

mkdir -p "$dest"
rm -f "$dest/VERSIONS"  # written last: its presence says the set is complete
cp "$tmp/geo-whois-asn-country.mmdb" "$tmp/asn-ipv4.csv" "$tmp/asn-ipv6.csv" "$dest/"
cp "$tmp/asn/package/DBIP-LICENSE" "$tmp/asn/package/ROUTEVIEWS-LICENSE" "$tmp/asn/package/NRO_LICENSE" \
  "$tmp/asn/package/MODIFICATIONS" "$dest/"
cp "$tmp/asn/package/README.md" "$dest/README.asn.md"
cp "$tmp/country/package/README.md" "$dest/README.geo-whois-asn-country.md"
printf '%s\n' "$versions" >"$dest/VERSIONS"
echo "fetch_geo_data: installed into $dest"
