// Flat address tables of the detector, and memos of threat-intel lookups: traffic repeats the same names,
// fingerprints and server addresses, and a lookup in a million-indicator set costs a few cache misses where a
// memo hit costs one.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"

namespace c2scope::detect {

// Values known to match nothing, in a direct-mapped table of kSlots. Each slot keeps the value itself and a
// hit compares it, so a crafted hash collision cannot hide a listed value behind a clean one.
class CleanValues {
 public:
  static constexpr std::size_t kSlots = 4096;
  [[nodiscard]] bool contains(std::string_view value) const {
    const Slot& s = slots_[slot_of(value)];
    return s.used && s.value == value;
  }
  void add(std::string_view value) {
    Slot& s = slots_[slot_of(value)];
    s.value.assign(value);  // keeps the slot's capacity
    s.used = true;
  }

 private:
  struct Slot {
    std::string value;
    bool used = false;
  };
  static std::size_t slot_of(std::string_view value) { return std::hash<std::string_view>{}(value) % kSlots; }
  std::array<Slot, kSlots> slots_{};
};

// Addresses to values in one open-addressing table (linear probing, load <= 1/2): the detector looks up the
// host of every outbound flow and DNS record, and a node per address (std::unordered_map/set) made those the
// most expensive lines of on_flow.
template <typename Value>
class AddressMap {
 public:
  [[nodiscard]] const Value* find(const IpAddress& ip) const {
    if (keys_.empty()) return nullptr;
    for (std::size_t i = IpAddressHash{}(ip)&mask_; used_[i] != 0; i = (i + 1) & mask_) {  // bounded: load
      if (keys_[i] == ip) return &values_[i];
    }
    return nullptr;
  }
  // The value of `ip`, default-constructed when new; `added` tells which.
  Value& try_emplace(const IpAddress& ip, bool& added) {
    if (2 * (size_ + 1) > keys_.size()) grow();
    const std::size_t i = slot_of(ip);
    added = used_[i] == 0;
    if (added) {
      keys_[i] = ip;
      used_[i] = 1;
      ++size_;
    }
    return values_[i];
  }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  // The slot holding `ip`, or the free slot where it goes.
  std::size_t slot_of(const IpAddress& ip) const {
    std::size_t i = IpAddressHash{}(ip)&mask_;
    while (used_[i] != 0 && keys_[i] != ip) i = (i + 1) & mask_;
    return i;
  }
  void grow() {
    std::vector<IpAddress> keys = std::move(keys_);
    std::vector<std::uint8_t> used = std::move(used_);
    std::vector<Value> values = std::move(values_);
    const std::size_t n = keys.empty() ? 1024 : keys.size() * 2;
    keys_.assign(n, IpAddress{});
    used_.assign(n, 0);
    values_.assign(n, Value{});
    mask_ = n - 1;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (used[i] == 0) continue;
      const std::size_t j = slot_of(keys[i]);
      keys_[j] = keys[i];
      used_[j] = 1;
      values_[j] = std::move(values[i]);
    }
  }
  std::vector<IpAddress> keys_;
  std::vector<std::uint8_t> used_;  // the all-zero address is a key like any other
  std::vector<Value> values_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// A set of addresses (AddressMap without values).
class AddressSet {
 public:
  // Adds `ip`; returns whether it was new.
  bool insert(const IpAddress& ip) {
    bool added = false;
    map_.try_emplace(ip, added);
    return added;
  }
  [[nodiscard]] bool contains(const IpAddress& ip) const { return map_.find(ip) != nullptr; }
  [[nodiscard]] std::size_t size() const { return map_.size(); }

 private:
  struct Nothing {};
  AddressMap<Nothing> map_;
};

// The indicator ids listing each server address, matched once per address (most servers have none).
class AddressHits {
 public:
  // Whether `ip` was matched already; if so `out` is set to its ids.
  bool find(const IpAddress& ip, std::vector<std::uint32_t>& out) const {
    const Range* r = map_.find(ip);
    if (r == nullptr) return false;
    out.assign(ids_.begin() + r->start, ids_.begin() + r->start + r->count);
    return true;
  }
  void insert(const IpAddress& ip, const std::vector<std::uint32_t>& hits) {
    bool added = false;
    Range& r = map_.try_emplace(ip, added);
    if (!added) return;
    r = Range{static_cast<std::uint32_t>(ids_.size()), static_cast<std::uint32_t>(hits.size())};
    ids_.insert(ids_.end(), hits.begin(), hits.end());
  }

 private:
  struct Range {
    std::uint32_t start = 0;
    std::uint32_t count = 0;
  };
  AddressMap<Range> map_;
  std::vector<std::uint32_t> ids_;
};

}  // namespace c2scope::detect
