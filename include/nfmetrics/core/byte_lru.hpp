// A map bounded in bytes, least recently used out first: the storage of both caches, the service's
// results cache (extents of steps) and the HTTP layer's rendered answers. Not thread-safe: each
// cache holds its own lock around it and decides what an entry costs.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace nfmetrics {

template <class Value>
class ByteLru {
 public:
  explicit ByteLru(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The value kept under `key`, now the most recently used; nullptr when there is none.
  Value* Find(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return &it->second.value;
  }

  // Takes `key`'s value out, for instance to merge it with a newer one and put it back.
  std::optional<Value> Take(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    std::optional<Value> value(std::move(it->second.value));
    Erase(it);
    return value;
  }

  // Keeps `value` under `key`, replacing what was there, as the most recently used, at a cost of
  // `bytes`; then the least recently used entries go until the whole is within the budget. A value
  // that alone costs more than the budget is not kept (nullptr); otherwise the value kept.
  Value* Put(const std::string& key, Value value, std::size_t bytes) {
    if (auto it = entries_.find(key); it != entries_.end()) Erase(it);
    if (bytes > max_bytes_) return nullptr;
    lru_.push_front(key);
    auto [it, inserted] = entries_.emplace(key, Entry{std::move(value), bytes, lru_.begin()});
    bytes_ += bytes;
    while (bytes_ > max_bytes_) Erase(entries_.find(lru_.back()));
    return &it->second.value;
  }

  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return entries_.size(); }
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    Value value;
    std::size_t bytes = 0;
    std::list<std::string>::iterator lru;  // its key's place in lru_ (front: most recent)
  };
  using Entries = std::unordered_map<std::string, Entry>;

  void Erase(typename Entries::iterator it) {
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }

  const std::size_t max_bytes_;
  Entries entries_;
  std::list<std::string> lru_;
  std::size_t bytes_ = 0;
};

}  // namespace nfmetrics
