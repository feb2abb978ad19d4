// A recursive-descent reader for the all-OR subset of STIX 2.x patterns (see stix_pattern.hpp).
#include "intel/stix_pattern.hpp"

#include "intel/normalize.hpp"

namespace c2scope::intel::detail {

namespace {

// Nesting of brackets/parentheses followed; deeper patterns are malformed (no real feed nests beyond 3).
constexpr int kMaxDepth = 32;
// Comparisons taken from one pattern; a longer OR list is cut (poisonivy.json's longest has 6).
constexpr std::size_t kMaxComparisons = 4096;

enum class Tok : std::uint8_t {
  kEnd,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kPath,
  kOp,
  kString,
  kWord,
  kOther
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // path, operator, keyword, or the unescaped string literal
};

bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Returns false on a lexical error (unterminated string, stray byte).
  bool next(Token& t) {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    t.text.clear();
    if (i_ >= s_.size()) {
      t.kind = Tok::kEnd;
      return true;
    }
    const char c = s_[i_];
    switch (c) {
      case '[':
        ++i_;
        t.kind = Tok::kLBracket;
        return true;
      case ']':
        ++i_;
        t.kind = Tok::kRBracket;
        return true;
      case '(':
        ++i_;
        t.kind = Tok::kLParen;
        return true;
      case ')':
        ++i_;
        t.kind = Tok::kRParen;
        return true;
      case ',':
        ++i_;
        t.kind = Tok::kOther;
        return true;
      case '\'':
        t.kind = Tok::kString;
        return string_literal(t.text);
      case '=':
      case '!':
      case '<':
      case '>':
        t.kind = Tok::kOp;
        while (i_ < s_.size() && (s_[i_] == '=' || s_[i_] == '!' || s_[i_] == '<' || s_[i_] == '>')) {
          t.text.push_back(s_[i_++]);
        }
        return true;
      default:
        break;
    }
    if (!is_ident(c)) return false;
    // t'...', h'...', b'...' literals
    if ((c == 't' || c == 'h' || c == 'b') && i_ + 1 < s_.size() && s_[i_ + 1] == '\'') {
      ++i_;
      t.kind = Tok::kOther;
      return string_literal(t.text);
    }
    bool path = false;
    while (i_ < s_.size()) {
      const char d = s_[i_];
      if (is_ident(d)) {
        t.text.push_back(d);
        ++i_;
      } else if (d == ':' || d == '.') {
        path = true;
        t.text.push_back(d);
        ++i_;
        if (d == '.' && i_ < s_.size() && s_[i_] == '\'') {  // hashes.'SHA-256'
          std::string quoted;
          if (!string_literal(quoted)) return false;
          t.text += quoted;
        }
      } else if (d == '[' && path) {  // list index inside a path: body_multipart[*]
        const std::size_t close = s_.find(']', i_);
        if (close == std::string_view::npos) return false;
        t.text.append(s_.substr(i_, close + 1 - i_));
        i_ = close + 1;
      } else {
        break;
      }
    }
    t.kind = path ? Tok::kPath : Tok::kWord;
    return true;
  }

 private:
  bool string_literal(std::string& out) {
    ++i_;  // opening quote
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        out.push_back(s_[i_++]);
      } else if (c == '\'') {
        return true;
      } else {
        out.push_back(c);
      }
    }
    return false;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

class Parser {
 public:
  Parser(std::string_view s, std::vector<StixComparison>& out) : lex_(s), out_(out) {}

  StixPatternResult run() {
    advance();
    observation_expr(0);
    if (result_.status == StixPatternStatus::kOk && tok_.kind != Tok::kEnd) malformed();
    return result_;
  }

 private:
  bool ok() const { return result_.status == StixPatternStatus::kOk; }
  void malformed() {
    if (ok()) result_ = {StixPatternStatus::kMalformed, kBadStixPattern};
  }
  void unsupported(std::string_view reason) {
    if (ok()) result_ = {StixPatternStatus::kUnsupported, reason};
  }
  void advance() {
    if (!lex_.next(tok_)) {
      malformed();
      tok_.kind = Tok::kEnd;
    }
  }
  bool is_word(std::string_view w) const { return tok_.kind == Tok::kWord && iequals(tok_.text, w); }
  // After an operand: OR continues; AND / FOLLOWEDBY are outside the subset.
  bool take_or() {
    if (is_word("OR")) {
      advance();
      return true;
    }
    if (is_word("AND")) unsupported("stix_and");
    if (is_word("FOLLOWEDBY")) unsupported("stix_followedby");
    return false;
  }

  void observation_expr(int depth) {
    do {
      observation_term(depth);
    } while (ok() && take_or());
  }

  void observation_term(int depth) {
    if (depth > kMaxDepth) return malformed();
    if (tok_.kind == Tok::kLParen) {
      advance();
      observation_expr(depth + 1);
      if (!ok()) return;
      if (tok_.kind != Tok::kRParen) return malformed();
      advance();
    } else if (tok_.kind == Tok::kLBracket) {
      advance();
      comparison_expr(depth + 1);
      if (!ok()) return;
      if (tok_.kind != Tok::kRBracket) return malformed();
      advance();
    } else {
      return malformed();
    }
    if (is_word("WITHIN") || is_word("REPEATS") || is_word("START")) unsupported("stix_qualifier");
  }

  void comparison_expr(int depth) {
    do {
      comparison_term(depth);
    } while (ok() && take_or());
  }

  void comparison_term(int depth) {
    if (depth > kMaxDepth) return malformed();
    if (tok_.kind == Tok::kLParen) {
      advance();
      comparison_expr(depth + 1);
      if (!ok()) return;
      if (tok_.kind != Tok::kRParen) return malformed();
      advance();
      return;
    }
    if (tok_.kind != Tok::kPath) return malformed();
    std::string path = tok_.text;
    advance();
    if (is_word("NOT")) return unsupported("stix_not");
    if (tok_.kind == Tok::kWord) return unsupported("stix_operator");  // MATCHES, LIKE, IN, ISSUBSET, ...
    if (tok_.kind != Tok::kOp) return malformed();
    if (tok_.text != "=") return unsupported("stix_operator");
    advance();
    if (tok_.kind != Tok::kString) return unsupported("stix_operator");  // numbers, t'...' and such
    if (out_.size() < kMaxComparisons) add(path, tok_.text);
    advance();
  }

  void add(std::string_view path, const std::string& value) {
    StixComparison c;
    c.value = value;
    const std::size_t colon = path.find(':');
    c.object_type = std::string(path.substr(0, colon));
    for (char& ch : c.object_type) ch = lower(ch);
    const std::string_view property =
        colon == std::string_view::npos ? std::string_view{} : path.substr(colon + 1);
    c.supported = true;
    if ((c.object_type == "ipv4-addr" || c.object_type == "ipv6-addr") && property == "value") {
      c.type = IndicatorType::kIp;
    } else if (c.object_type == "domain-name" && property == "value") {
      c.type = IndicatorType::kDomain;
    } else if (c.object_type == "url" && property == "value") {
      c.type = IndicatorType::kUrl;
    } else if (c.object_type == "x509-certificate" &&
               (iequals(property, "hashes.SHA-1") || iequals(property, "hashes.SHA1"))) {
      c.type = IndicatorType::kCertSha1;
    } else if (c.object_type == "x509-certificate" &&
               (iequals(property, "hashes.SHA-256") || iequals(property, "hashes.SHA256"))) {
      c.type = IndicatorType::kCertSha256;
    } else {
      c.supported = false;
    }
    out_.push_back(std::move(c));
  }

  Lexer lex_;
  std::vector<StixComparison>& out_;
  Token tok_;
  StixPatternResult result_;
};

}  // namespace

StixPatternResult parse_stix_pattern(std::string_view pattern, std::vector<StixComparison>& out) {
  out.clear();
  Parser parser(pattern, out);
  const StixPatternResult r = parser.run();
  if (r.status != StixPatternStatus::kOk) out.clear();
  return r;
}

}  // namespace c2scope::intel::detail
