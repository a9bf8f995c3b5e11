// A results cache shared by several nfmetrics replicas, behind the in-process one: what one
// replica fetched from the engine is a hit on the others. The service depends on this interface
// only (no sockets, no timers): the Redis implementation is redis_cache.hpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <utility>

namespace nfmetrics::redis {

// Byte strings by key. Implementations are thread-safe, never throw and never make the caller wait
// longer than their own deadline: a failure or a late answer is a miss (the engine is asked
// instead).
// How long a value is worth keeping: a window's steps (rarely asked again after a day), or a
// finished interval of a split query, which never changes.
enum class Lifetime { kWindow, kFinished };

class SharedCache {
 public:
  virtual ~SharedCache() = default;
  // The value stored under `key`, or nullopt (none, failed, or not in time).
  virtual boost::asio::awaitable<std::optional<std::string>> Get(std::string key) = 0;
  // Stores `value` under `key` some time later, or not at all: returns at once.
  virtual void Set(std::string key, std::string value, Lifetime lifetime) = 0;
  void Set(std::string key, std::string value) {
    Set(std::move(key), std::move(value), Lifetime::kWindow);
  }
};

}  // namespace nfmetrics::redis
