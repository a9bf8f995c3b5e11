// Per-credential request rate (serve --rate-limit, --rate-burst): a token bucket per caller name,
// so one team's runaway script or dashboard cannot take the whole server's, and the engine's,
// capacity from the others. Thread-safe; the clock is injectable for tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::http {

struct RateLimit {
  double per_second = 0;  // sustained requests per second per caller; 0 turns limiting off
  double burst = 0;       // bucket size: requests a caller may make at once (at least 1)
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // At most `max_callers` buckets are kept (JWT subjects are unbounded): past it, the full ones
  // are forgotten, or else the one idle longest.
  explicit RateLimiter(RateLimit limit, Clock clock = {}, std::size_t max_callers = 10000);

  bool enabled() const { return limit_.per_second > 0; }

  // Takes one token from `caller`'s bucket: Ok, or kRateLimited with the whole seconds until a
  // token is back in retry_after_seconds.
  Status Take(std::string_view caller);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point updated;
  };

  // Drops the buckets that have refilled completely: forgetting them changes nothing.
  void ForgetFull(std::chrono::steady_clock::time_point now);

  RateLimit limit_;
  Clock clock_;
  std::size_t max_callers_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace nfmetrics::http
