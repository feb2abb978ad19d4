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

// A set of addresses in one open-addressing table: the detector adds the host of every outbound flow and DNS
// record, and a node per address (std::unordered_set) made those the most expensive lines of on_flow.
class AddressSet {
 public:
  // Adds `ip`; returns whether it was new.
  bool insert(const IpAddress& ip) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    if (!place(ip)) return false;
    ++size_;
    return true;
  }
  [[nodiscard]] bool contains(const IpAddress& ip) const {
    if (slots_.empty()) return false;
    for (std::size_t i = IpAddressHash{}(ip)&mask_;; i = (i + 1) & mask_) {  // bounded: load <= 1/2
      if (!used_[i]) return false;
      if (slots_[i] == ip) return true;
    }
  }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  bool place(const IpAddress& ip) {
    std::size_t i = IpAddressHash{}(ip)&mask_;
    for (; used_[i]; i = (i + 1) & mask_)
      if (slots_[i] == ip) return false;
    slots_[i] = ip;
    used_[i] = 1;
    return true;
  }
  void grow() {
    std::vector<IpAddress> old = std::move(slots_);
    std::vector<std::uint8_t> old_used = std::move(used_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, IpAddress{});
    used_.assign(slots_.size(), 0);
    mask_ = slots_.size() - 1;
    for (std::size_t i = 0; i < old.size(); ++i)
      if (old_used[i] != 0) place(old[i]);
  }
  std::vector<IpAddress> slots_;
  std::vector<std::uint8_t> used_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// The indicator ids listing each server address, matched once per address: an open-addressing table (most
// servers have no hit, and a node per server cost more than the match itself).
class AddressHits {
 public:
  // Whether `ip` was matched already; if so `out` is set to its ids.
  bool find(const IpAddress& ip, std::vector<std::uint32_t>& out) const {
    if (slots_.empty()) return false;
    for (std::size_t i = IpAddressHash{}(ip)&mask_;; i = (i + 1) & mask_) {  // bounded: load <= 1/2
      const Slot& s = slots_[i];
      if (!s.used) return false;
      if (s.ip == ip) {
        out.assign(ids_.begin() + s.start, ids_.begin() + s.start + s.count);
        return true;
      }
    }
  }
  void insert(const IpAddress& ip, const std::vector<std::uint32_t>& hits) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    Slot s;
    s.ip = ip;
    s.start = static_cast<std::uint32_t>(ids_.size());
    s.count = static_cast<std::uint32_t>(hits.size());
    s.used = true;
    ids_.insert(ids_.end(), hits.begin(), hits.end());
    place(s);
    ++used_;
  }

 private:
  struct Slot {
    IpAddress ip;
    std::uint32_t start = 0;
    std::uint32_t count = 0;
    bool used = false;
  };
  void place(const Slot& s) {
    std::size_t i = IpAddressHash{}(s.ip) & mask_;
    while (slots_[i].used) i = (i + 1) & mask_;
    slots_[i] = s;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old)
      if (s.used) place(s);
  }
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> ids_;
  std::size_t mask_ = 0;
  std::size_t used_ = 0;
};

}  // namespace c2scope::detect
