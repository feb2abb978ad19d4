// Golden test: HTTP/2 in clear from real implementations (tests/golden/h2c_nghttp2: nghttp, curl and nghttpd
// on loopback, README there). Unlike the peers' captures it needs no ../shared: the capture is the project's
// own.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

std::string field(const Record& r, const std::string& key) {
  if (const std::string* v = scalar(r, key)) return *v;
  if (const std::vector<std::string>* v = list(r, key); v != nullptr && !v->empty()) return (*v)[0];
  return "-";
}

TEST(H2cGolden, NghttpAndCurlAgainstNghttpdAsTsharkDecodesThem) {
  const auto dir = std::filesystem::temp_directory_path() / ("c2scope_h2c_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string cmd = c2scope_binary().string() + " logs --no-progress --out " + dir.string() + " " +
                          (source_dir() / "tests/golden/h2c_nghttp2/h2c.pcap").string() + " 2>/dev/null";
  ASSERT_EQ(run_command(cmd), 0) << cmd;

  // (method, host, uri, version, user agent, status, response body bytes, mime type): tshark 4.0's http2
  // fields of the same capture (header values, DATA lengths summed per stream).
  using Http = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                          std::string, std::string>;
  std::multiset<Http> http;
  for (const Record& r : read_json_log(dir / "http.log")) {
    http.emplace(field(r, "method"), field(r, "host"), field(r, "uri"), field(r, "version"),
                 field(r, "user_agent"), field(r, "status_code"), field(r, "response_body_len"),
                 field(r, "resp_mime_types"));
  }
  const std::string ua = "nghttp-c2scope/1";
  const std::multiset<Http> want_http = {
      {"GET", "127.0.0.1", "/a.txt", "2", ua, "200", "15", "text/plain"},
      {"GET", "127.0.0.1", "/b.json", "2", ua, "200", "8", "application/json"},
      {"GET", "127.0.0.1", "/big.txt", "2", ua, "200", "27019", "text/plain"},  // over several DATA frames
      {"GET", "127.0.0.1", "/missing", "2", ua, "404", "147", "text/html"},
      {"GET", "127.0.0.1", "/q.dns?dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB", "2", ua, "200", "49",
       "application/dns-message"},
      {"POST", "localhost", "/q.dns", "2", "curl/7.88.1", "200", "49", "application/dns-message"},
  };
  EXPECT_EQ(http, want_http);

  // Both DoH exchanges (the GET's dns= parameter, the POST's body) with their answer.
  const std::vector<Record> dns = read_json_log(dir / "dns.log");
  ASSERT_EQ(dns.size(), 2u);
  for (const Record& r : dns) {
    EXPECT_EQ(field(r, "query"), "www.example.com");
    EXPECT_EQ(field(r, "qtype_name"), "A");
    EXPECT_EQ(field(r, "rcode_name"), "NOERROR");
    EXPECT_EQ(field(r, "answers"), "192.0.2.1");
    EXPECT_EQ(field(r, "doh"), "true");
    EXPECT_EQ(field(r, "proto"), "tcp");
  }
  // nghttpd sends its SETTINGS before the client's preface on both connections: both are still HTTP/2.
  const std::vector<Record> conns = read_json_log(dir / "conn.log");
  ASSERT_EQ(conns.size(), 2u);
  for (const Record& r : conns) EXPECT_EQ(field(r, "service"), "http2");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace c2scope::testing
