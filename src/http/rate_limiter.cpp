#include "nfmetrics/http/rate_limiter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace nfmetrics::http {

using SteadyClock = std::chrono::steady_clock;

RateLimiter::RateLimiter(RateLimit limit, Clock clock, std::size_t max_callers)
    : limit_{limit.per_second, std::max(1.0, limit.burst)},
      clock_(clock ? std::move(clock) : Clock([] { return SteadyClock::now(); })),
      max_callers_(max_callers) {}

void RateLimiter::ForgetFull(SteadyClock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    const Bucket& bucket = entry.second;
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    return bucket.tokens + elapsed * limit_.per_second >= limit_.burst;
  });
}

Status RateLimiter::Take(std::string_view caller) {
  if (!enabled()) return Ok();
  const SteadyClock::time_point now = clock_();
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(std::string(caller));
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_callers_) ForgetFull(now);
    if (buckets_.size() >= max_callers_) {
      // All still draining: forget the one idle longest (it gets a full bucket if it comes back).
      buckets_.erase(std::min_element(
          buckets_.begin(), buckets_.end(),
          [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; }));
    }
    found = buckets_.emplace(std::string(caller), Bucket{limit_.burst, now}).first;
  }
  Bucket& bucket = found->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(limit_.burst, bucket.tokens + elapsed * limit_.per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return Ok();
  }
  // At most a day: a rate of one request a year would otherwise overflow the int below.
  const double wait = std::min(86400.0, (1 - bucket.tokens) / limit_.per_second);
  return Error{ErrorCode::kRateLimited,
               fmt::format("too many requests for token \"{}\": at most {:g} per second (bursts "
                           "of {:g}); retry in {:.1f}s",
                           caller, limit_.per_second, limit_.burst, wait),
               "", static_cast<int>(std::max(1.0, std::ceil(wait)))};
}

}  // namespace nfmetrics::http
