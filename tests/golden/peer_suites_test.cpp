// Golden suites of the peers, through the `c2scope logs` binary: suricata-verify's eve checks (dns, tls,
// http, quic), Arkime's expected sessions (JA3, JA3S, JA4, SNI, DNS, HTTP host and URI) and FoxIO's JA4 per
// stream (ja4.py) with tshark's JA3/JA3S for the same captures. The peers' expectations are mapped onto
// c2scope's fields by peer_suites/regen.py into peer_suites/expected.jsonl (committed), so this test needs
// neither Python nor the peers at run time. Agreement is printed per source and category; every check that
// does not agree is listed in kKnownDifferences with the reason, so a new difference fails the test (and so
// does a listed one that went away).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

// Zeek's TXT answer "TXT <len> <text>[ TXT <len> <text>...]" split into one entry per string, as Suricata
// logs them; other answers are kept. TTLs follow (the record's TTL repeated per string).
void expand_answers(Record& r) {
  Value ax{true, {}}, tx{true, {}};
  const auto& answers = *list(r, "answers");
  const auto& ttls = *list(r, "TTLs");
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const std::string& a = answers[i];
    const std::string ttl = i < ttls.size() ? ttls[i] : "";
    std::size_t pos = 0;
    bool split = false;
    // Bounded: every round consumes "TXT " plus at least one digit.
    while (a.compare(pos, 4, "TXT ") == 0) {
      std::size_t p = pos + 4, len = 0, digits = 0;
      while (p < a.size() && std::isdigit(static_cast<unsigned char>(a[p])) != 0) {
        len = len * 10 + static_cast<std::size_t>(a[p] - '0');
        ++p;
        ++digits;
      }
      if (digits == 0 || p >= a.size() || a[p] != ' ' || p + 1 + len > a.size()) break;
      ax.items.push_back(a.substr(p + 1, len));
      tx.items.push_back(ttl);
      split = true;
      pos = p + 1 + len;
      if (pos < a.size() && a[pos] == ' ') ++pos;
    }
    if (!split) {
      ax.items.push_back(a);
      tx.items.push_back(ttl);
    }
  }
  r["answers_x"] = std::move(ax);
  r["TTLs_x"] = std::move(tx);
}

// The records a check of `log` is evaluated on: dns.log transactions become Suricata-like events (a request
// when the query was seen, a response when the answer was), ssl.log records carry their host certificate's
// x509.log fields as "cert.<field>", http.log records carry "host_uri" (Arkime's uri: host + uri; the
// request target alone when it is not a path, e.g. CONNECT).
struct Views {
  std::vector<Record> dns_request, dns_response, dns_doh, ssl, http, quic;
};

Views load_views(const std::filesystem::path& dir) {
  Views v;
  for (Record r : read_json_log(dir / "dns.log")) {
    expand_answers(r);
    const std::string* doh = scalar(r, "doh");
    if (doh != nullptr && *doh == "true") {
      // DNS over HTTP/2: Suricata logs one event per transaction (its doh2 events), query and answers
      // together.
      v.dns_doh.push_back(std::move(r));
      continue;
    }
    if (r.count("rcode") != 0) v.dns_response.push_back(r);
    if (r.count("qtype") != 0) {
      // A request event carries what the query carried: not the response's code, flags or answers.
      for (const char* k :
           {"rcode", "rcode_name", "AA", "RA", "answers", "TTLs", "answers_x", "TTLs_x", "rtt"})
        r.erase(k);
      v.dns_request.push_back(std::move(r));
    }
  }
  std::map<std::string, Record> certs;
  for (Record& x : read_json_log(dir / "x509.log")) {
    if (const std::string* fp = scalar(x, "fingerprint")) certs.emplace(*fp, x);
  }
  for (Record r : read_json_log(dir / "ssl.log")) {
    const auto& fps = *list(r, "cert_chain_fps");
    if (!fps.empty()) {
      auto it = certs.find(fps[0]);
      if (it != certs.end()) {
        for (const auto& [k, val] : it->second) r["cert." + k] = val;
      }
    }
    v.ssl.push_back(std::move(r));
  }
  for (Record r : read_json_log(dir / "http.log")) {
    const std::string* host = scalar(r, "host");
    const std::string* uri = scalar(r, "uri");
    std::string hu = uri != nullptr ? *uri : "";
    if (host != nullptr && !hu.empty() && hu[0] == '/') hu = *host + hu;
    r["host_uri"] = Value{false, {hu}};
    v.http.push_back(std::move(r));
  }
  v.quic = read_json_log(dir / "quic.log");
  return v;
}

// ---- checks ----------------------------------------------------------------------------------------------

struct Expected {
  std::string text;
  std::vector<std::string> list;      // "list" values, "peers" as ip,port,ip,port ("" = any)
  std::vector<std::int64_t> numbers;  // "bit": mask, flag
};
struct Constraint {
  std::string field, op;
  std::size_t index = 0;
  Expected value;
};
struct Check {
  std::string src, cat, id, pcap, log, event, na;
  bool at_least_one = false;
  std::uint64_t count = 0;
  std::vector<Constraint> where;
  std::vector<std::string> ignored;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// x509.log's RFC 2253 subject ("CN=a,O=b\, c,C=US", most specific first, "emailAddress=") in Suricata's
// form ("C=US, O=b, c, CN=a": certificate order, ", " between RDNs, "Email=").
std::string suricata_dn(const std::string& zeek) {
  std::vector<std::string> rdns;
  std::string cur;
  for (std::size_t i = 0; i < zeek.size(); ++i) {
    if (zeek[i] == '\\' && i + 1 < zeek.size()) {
      cur += zeek[++i];
    } else if (zeek[i] == ',') {
      rdns.push_back(cur);
      cur.clear();
    } else {
      cur += zeek[i];
    }
  }
  rdns.push_back(cur);
  std::string out;
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    std::string rdn = *it;
    if (rdn.rfind("emailAddress=", 0) == 0) rdn = "Email=" + rdn.substr(13);
    if (!out.empty()) out += ", ";
    out += rdn;
  }
  return out;
}

std::string hex_norm(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ':') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::size_t nz = out.find_first_not_of('0');
  return nz == std::string::npos ? "0" : out.substr(nz);
}

bool num_eq(const std::string& a, const std::string& b) {
  char* end = nullptr;
  const double x = std::strtod(a.c_str(), &end);
  if (end == a.c_str()) return false;
  const double y = std::strtod(b.c_str(), &end);
  if (end == b.c_str()) return false;
  return std::fabs(x - y) < 1e-6;
}

bool satisfies(const Record& r, const Constraint& c) {
  const Expected& e = c.value;
  if (c.op == "peers") {
    const std::string* oh = scalar(r, "id.orig_h");
    const std::string* op = scalar(r, "id.orig_p");
    const std::string* rh = scalar(r, "id.resp_h");
    const std::string* rp = scalar(r, "id.resp_p");
    if (oh == nullptr || op == nullptr || rh == nullptr || rp == nullptr) return false;
    auto side = [](const std::string& want_h, const std::string& want_p, const std::string& h,
                   const std::string& p) {
      return (want_h.empty() || want_h == h) && (want_p.empty() || want_p == p);
    };
    return (side(e.list[0], e.list[1], *oh, *op) && side(e.list[2], e.list[3], *rh, *rp)) ||
           (side(e.list[0], e.list[1], *rh, *rp) && side(e.list[2], e.list[3], *oh, *op));
  }
  if (c.op == "len") return list(r, c.field)->size() == static_cast<std::size_t>(std::stoull(e.text));
  if (c.op == "has") {
    const auto& items = *list(r, c.field);
    return std::find(items.begin(), items.end(), e.text) != items.end();
  }
  if (c.op == "list") return *list(r, c.field) == e.list;
  if (c.op == "at" || c.op == "at_ieq" || c.op == "at_num") {
    const auto& items = *list(r, c.field);
    if (c.index >= items.size()) return false;
    const std::string& got = items[c.index];
    if (c.op == "at_ieq") return lower(got) == lower(e.text);
    if (c.op == "at_num") return num_eq(got, e.text);
    return got == e.text;
  }
  const std::string* got = scalar(r, c.field);
  if (got == nullptr) return false;
  if (c.op == "eq") return *got == e.text;
  if (c.op == "ieq") return lower(*got) == lower(e.text);
  if (c.op == "num") return num_eq(*got, e.text);
  if (c.op == "bool") return *got == e.text;
  if (c.op == "bit") return ((std::stoll(*got) & e.numbers[0]) != 0) == (e.numbers[1] != 0);
  if (c.op == "dn") return suricata_dn(*got) == e.text;
  if (c.op == "hex") return hex_norm(*got) == e.text;
  return false;
}

std::string describe(const Constraint& c) {
  std::string s = c.field + " " + c.op + " ";
  if (c.op == "peers" || c.op == "list") {
    for (const auto& x : c.value.list) s += (x.empty() ? "*" : x) + " ";
  } else if (c.op.rfind("at", 0) == 0) {
    s += "[" + std::to_string(c.index) + "] " + c.value.text;
  } else {
    s += c.value.text;
  }
  return s;
}

std::string element_text(simdjson::dom::element e) {
  return e.is_null() ? "" : json_text(e);
}

std::vector<Check> load_checks(const std::filesystem::path& path, const std::string& source) {
  std::vector<Check> out;
  simdjson::dom::parser parser;
  const simdjson::padded_string text = simdjson::padded_string::load(path.string());
  for (auto doc : parser.parse_many(text)) {
    simdjson::dom::object o = doc.get_object();
    Check c;
    c.src = std::string(std::string_view(o["src"]));
    if (c.src != source) continue;
    c.cat = std::string(std::string_view(o["cat"]));
    c.id = std::string(std::string_view(o["id"]));
    c.pcap = std::string(std::string_view(o["pcap"]));
    c.log = std::string(std::string_view(o["log"]));
    c.event = element_text(o["event"]);
    c.na = element_text(o["na"]);
    if (o["count"].is_null()) {
      c.at_least_one = true;
    } else {
      c.count = uint64_t(o["count"]);
    }
    for (auto w : o["where"].get_array()) {
      simdjson::dom::array a = w.get_array();
      Constraint k;
      k.field = std::string(std::string_view(a.at(0)));
      k.op = std::string(std::string_view(a.at(1)));
      simdjson::dom::element v = a.at(2);
      if (k.op.rfind("at", 0) == 0) {
        k.index = static_cast<std::size_t>(int64_t(a.at(2)));
        v = a.at(3);
      }
      if (k.op == "peers") {
        for (auto side : v.get_array()) {
          for (auto part : side.get_array()) k.value.list.push_back(element_text(part));
        }
      } else if (k.op == "list") {
        for (auto item : v.get_array()) k.value.list.push_back(element_text(item));
      } else if (k.op == "bit") {
        simdjson::dom::array b = v.get_array();
        k.value.numbers = {int64_t(b.at(0)), bool(b.at(1)) ? 1 : 0};
      } else {
        k.value.text = json_text(v);
      }
      c.where.push_back(std::move(k));
    }
    for (auto ign : o["ignored"].get_array()) c.ignored.emplace_back(std::string_view(ign));
    out.push_back(std::move(c));
  }
  return out;
}

// ---- known differences -----------------------------------------------------------------------------------

struct KnownDifference {
  const char* id;  // the check's id in expected.jsonl
  const char* reason;
};
const KnownDifference kKnownDifferences[] = {
    // suricata-verify
    {"bug-5713-01#1",
     "only a ClientHello was captured: Suricata logs the hello's version (TLSv1); ssl.log's version is the "
     "negotiated one, from the ServerHello, and stays unset without it, as Zeek's"},
    {"bug-5713-02-ja4#1",
     "version as bug-5713-01#1; and JA4: the hello has no signature algorithms, where Suricata still appends "
     "'_' to the extension list before hashing (..._ce66f3b797c1). FoxIO's JA4 specification says the string "
     "then ends without the underscore (..._c39ab67fec8e), and Arkime agrees (openssl-tls1: "
     "t10i460400_234845559c90_282f11336259, which c2scope matches): the peer is wrong here"},
    {"decode-teredo-01#11",
     "a NOERROR response without answer records: Zeek's dns.log sets AA and RA only while logging answers, "
     "so "
     "they stay F (c2scope follows Zeek); Suricata logs the header's bits"},
    {"decode-teredo-01#16", "a REFUSED response without answer records: AA as decode-teredo-01#11"},
    {"decode-teredo-01#13",
     "http.log's version is the response's (1.1) when there is one, as Zeek's; Suricata's http.protocol is "
     "the "
     "request's (HTTP/1.0)"},
    // arkime
    {"gre-erspan-vxlan:0:http.uri",
     "request line \"GET /Hello Arkime HTTP/1.0\": Zeek (and c2scope) take the target up to the version, "
     "\"/Hello Arkime\"; Arkime (and tshark) stop at the first space"},
    {"ipv6-gtp6:0:dns.host",
     "only the response was captured: dns.log sets qtype from a query only (Zeek's rule), Arkime takes it "
     "from "
     "the response's question; the name and rcode agree"},
    {"socks5-reverse:0:http.uri",
     "Arkime's expected output has \"q=Sheepskin%20Boots\"; the request in the capture (and tshark) has "
     "\"q=sheepskin%20boots\": the .test file does not match the capture's bytes (host and the rest of the "
     "URI "
     "agree)"},
    {"socks5-reverse:0:http.uri#1", "as socks5-reverse:0:http.uri"},
};

const char* known_reason(const std::string& id) {
  for (const auto& k : kKnownDifferences) {
    if (id == k.id) return k.reason;
  }
  return nullptr;
}

// ---- the test --------------------------------------------------------------------------------------------

class PeerSuites : public ::testing::TestWithParam<const char*> {};

TEST_P(PeerSuites, AgreeWithTheirExpectedOutputs) {
  const std::string source = GetParam();
  C2SCOPE_REQUIRE_SHARED("SOURCES.md");
  const std::vector<Check> checks =
      load_checks(source_dir() / "tests/golden/peer_suites/expected.jsonl", source);
  ASSERT_FALSE(checks.empty());
  const auto tmp =
      std::filesystem::temp_directory_path() / ("c2scope_peer_" + source + "_" + std::to_string(::getpid()));
  std::map<std::string, Views> views;  // per capture
  struct Tally {
    std::size_t agree = 0, total = 0, known = 0;
    std::map<std::string, std::size_t> not_applicable;  // reason -> checks
  };
  std::map<std::string, Tally> tally;  // per category
  std::set<std::string> differing;
  for (const Check& c : checks) {
    Tally& t = tally[c.cat];
    if (!c.na.empty()) {
      ++t.not_applicable[c.na];
      continue;
    }
    ++t.total;
    if (views.count(c.pcap) == 0) {
      std::filesystem::remove_all(tmp);
      const std::string cmd = c2scope_binary().string() + " logs --no-progress --out " + tmp.string() + " " +
                              (shared_data() / c.pcap).string() + " 2>/dev/null";
      EXPECT_EQ(run_command(cmd), 0) << cmd;
      views[c.pcap] = load_views(tmp);
    }
    const Views& v = views[c.pcap];
    const std::vector<Record>* records = &v.quic;
    if (c.log == "dns") {
      records = c.event == "request" ? &v.dns_request : &v.dns_response;
    } else if (c.log == "ssl") {
      records = &v.ssl;
    } else if (c.log == "http") {
      records = &v.http;
    }
    // A dns check without an event type counts both kinds, as Suricata's events do.
    std::vector<Record> both;
    if (c.log == "dns" && c.event.empty()) {
      both = v.dns_request;
      both.insert(both.end(), v.dns_response.begin(), v.dns_response.end());
      both.insert(both.end(), v.dns_doh.begin(), v.dns_doh.end());
      records = &both;
    }
    std::uint64_t matched = 0;
    for (const Record& r : *records) {
      if (std::all_of(c.where.begin(), c.where.end(), [&](const Constraint& k) { return satisfies(r, k); }))
        ++matched;
    }
    const bool ok = c.at_least_one ? matched >= 1 : matched == c.count;
    if (ok) {
      ++t.agree;
      continue;
    }
    differing.insert(c.id);
    if (known_reason(c.id) != nullptr) {
      ++t.known;
      continue;
    }
    std::string detail = c.id + " (" + c.pcap + ", " + c.log + (c.event.empty() ? "" : " " + c.event) +
                         "): expected " + (c.at_least_one ? ">= 1" : std::to_string(c.count)) + ", c2scope " +
                         std::to_string(matched) + " record(s) with";
    for (const Constraint& k : c.where) detail += "\n    " + describe(k);
    // The closest record and the constraints it misses, to say what differs.
    std::size_t best = 0, best_hits = 0;
    for (std::size_t i = 0; i < records->size(); ++i) {
      std::size_t hits = 0;
      for (const Constraint& k : c.where) hits += satisfies((*records)[i], k) ? 1 : 0;
      if (hits > best_hits) {
        best_hits = hits;
        best = i;
      }
    }
    if (!records->empty()) {
      detail += "\n  closest record misses:";
      for (const Constraint& k : c.where) {
        if (satisfies((*records)[best], k)) continue;
        detail += "\n    " + describe(k) + " (has:";
        auto it = (*records)[best].find(k.field);
        if (it != (*records)[best].end()) {
          for (const auto& x : it->second.items) detail += " " + x;
        }
        detail += ")";
      }
    }
    ADD_FAILURE() << "difference not in kKnownDifferences: " << detail;
  }
  for (const auto& [cat, t] : tally) {
    std::size_t na = 0;
    for (const auto& [reason, n] : t.not_applicable) na += n;
    std::printf("[golden] %s %s: %zu/%zu agree (%zu known differences), %zu not applicable\n", source.c_str(),
                cat.c_str(), t.agree, t.total, t.known, na);
    for (const auto& [reason, n] : t.not_applicable)
      std::printf("           n/a x%zu: %s\n", n, reason.c_str());
  }
  // A listed difference that no longer differs: the table must shrink with the fix.
  std::set<std::string> ids;
  for (const Check& c : checks) ids.insert(c.id);
  for (const auto& k : kKnownDifferences) {
    if (ids.count(k.id) != 0 && differing.count(k.id) == 0)
      ADD_FAILURE() << "kKnownDifferences lists " << k.id << ", which now agrees: remove it";
  }
  std::filesystem::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Golden, PeerSuites, ::testing::Values("suricata-verify", "arkime", "ja4-foxio"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace c2scope::testing
