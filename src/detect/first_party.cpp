#include "detect/first_party.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>

#include "core/ascii.hpp"

namespace c2scope::detect {

namespace {

constexpr std::size_t kMaxText = 256;
constexpr std::size_t kMinLabel = 4;
constexpr std::size_t kMaxWords = 32;

bool alnum(char c) {
  const char l = ascii_lower(c);
  return (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
}

// Words that say what kind of organisation holds a network, not which one.
bool generic_word(std::string_view w) {
  static constexpr std::array<std::string_view, 34> kWords = {
      "bv",         "cloud",     "communications", "company",      "corp",       "corporation", "data",
      "datacenter", "digital",   "gmbh",           "global",       "group",      "holding",     "holdings",
      "hosting",    "inc",       "international",  "internet",     "limited",    "llc",         "ltd",
      "media",      "network",   "networks",       "online",       "server",     "servers",     "service",
      "services",   "solutions", "systems",        "technologies", "technology", "telecom"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

}  // namespace

bool owner_names_domain(std::string_view owner, std::string_view registrable) {
  owner = owner.substr(0, kMaxText);
  registrable = registrable.substr(0, kMaxText);
  // The domain's own label, lower case, hyphens dropped.
  const std::size_t dot = registrable.find('.');
  if (dot == std::string_view::npos) return false;
  std::string label;
  for (const char c : registrable.substr(0, dot)) {
    if (c != '-') label.push_back(ascii_lower(c));
  }
  if (label.size() < kMinLabel) return false;
  // The owner's words, lower case.
  std::array<std::string, kMaxWords> words;
  std::size_t n = 0;
  for (std::size_t i = 0; i < owner.size() && n < kMaxWords;) {
    while (i < owner.size() && !alnum(owner[i])) ++i;
    std::string w;
    while (i < owner.size() && alnum(owner[i])) w.push_back(ascii_lower(owner[i++]));
    if (!w.empty()) words[n++] = std::move(w);
  }
  for (std::size_t first = 0; first < n; ++first) {
    std::string run;
    bool named = false;  // the run holds a word that is not generic
    for (std::size_t last = first; last < n && run.size() < label.size(); ++last) {
      run += words[last];
      named = named || !generic_word(words[last]);
      if (run == label) return named;
    }
  }
  return false;
}

}  // namespace c2scope::detect
