#include "nfmetrics/http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace nfmetrics::http {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

class FakeClock {
 public:
  RateLimiter::Clock AsClock() {
    return [this] { return now_; };
  }
  void Advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  SteadyClock::time_point now_ = SteadyClock::time_point(1000s);
};

TEST(RateLimiter, AllowsABurstThenRefusesWithRetryAfter) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 2, .burst = 3}, clock.AsClock());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Take("team").ok()) << i;
  Status refused = limiter.Take("team");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(refused.error().retry_after_seconds, 1);  // half a second, rounded up
  EXPECT_NE(refused.error().message.find("\"team\""), std::string::npos);
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 2, .burst = 1}, clock.AsClock());
  EXPECT_TRUE(limiter.Take("team").ok());
  EXPECT_FALSE(limiter.Take("team").ok());
  clock.Advance(400ms);  // 0.8 of a token
  EXPECT_FALSE(limiter.Take("team").ok());
  clock.Advance(100ms);  // 1.0
  EXPECT_TRUE(limiter.Take("team").ok());
  EXPECT_FALSE(limiter.Take("team").ok());
}

TEST(RateLimiter, KeepsOneBucketPerCaller) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 1, .burst = 1}, clock.AsClock());
  EXPECT_TRUE(limiter.Take("a").ok());
  EXPECT_FALSE(limiter.Take("a").ok());
  EXPECT_TRUE(limiter.Take("b").ok());  // a's empty bucket is not b's
}

TEST(RateLimiter, RetryAfterCoversTheWholeWaitAtLowRates) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 0.1, .burst = 1}, clock.AsClock());
  EXPECT_TRUE(limiter.Take("slow").ok());
  Status refused = limiter.Take("slow");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().retry_after_seconds, 10);
}

TEST(RateLimiter, KeepsAtMostMaxCallersBucketsForgettingFullOnesFirst) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 1, .burst = 1}, clock.AsClock(), /*max_callers=*/2);
  EXPECT_TRUE(limiter.Take("a").ok());
  clock.Advance(100ms);
  EXPECT_TRUE(limiter.Take("b").ok());
  clock.Advance(100ms);
  // a and b are both still empty: the one idle longest, a, is forgotten to make room for c.
  EXPECT_TRUE(limiter.Take("c").ok());
  EXPECT_FALSE(limiter.Take("b").ok());  // b was kept, still empty
  EXPECT_FALSE(limiter.Take("c").ok());
  clock.Advance(2s);  // b and c full again: forgotten first, so a comes back with a full bucket
  EXPECT_TRUE(limiter.Take("a").ok());
  EXPECT_FALSE(limiter.Take("a").ok());
}

TEST(RateLimiter, RetryAfterIsAtMostADayAtAbsurdlyLowRates) {
  FakeClock clock;
  RateLimiter limiter({.per_second = 1e-9, .burst = 1}, clock.AsClock());
  EXPECT_TRUE(limiter.Take("x").ok());
  Status refused = limiter.Take("x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().retry_after_seconds, 86400);
}

TEST(RateLimiter, OffAllowsEverything) {
  RateLimiter limiter({.per_second = 0, .burst = 0});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Take("x").ok());
}

}  // namespace
}  // namespace nfmetrics::http
