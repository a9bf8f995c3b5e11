// The circuit breaker the backend and the shared cache each have one of: when it opens, what it
// lets through while open and half-open, and what closes it. A fake clock: no waiting.
#include "nfmetrics/core/circuit_breaker.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace nfmetrics {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreaker::Clock;
using Outcome = CircuitBreaker::Outcome;
using ::testing::ElementsAre;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker Make(int failures_to_open) {
    return CircuitBreaker({.failures_to_open = failures_to_open,
                           .open_for = 1s,
                           .on_state = [this](CircuitState state) { states_.push_back(state); }});
  }

  // A call at `now` that Admit allowed, with this outcome.
  static void Call(CircuitBreaker& breaker, Outcome outcome, Clock::time_point now) {
    CircuitBreaker::Admission admission = breaker.Admit(now);
    ASSERT_TRUE(admission.allowed);
    breaker.Record(outcome, admission.probe, now);
  }

  const Clock::time_point t0_ = Clock::now();
  std::vector<CircuitState> states_;
};

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndThenRefusesAtOnce) {
  CircuitBreaker breaker = Make(3);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kFailed, t0_);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  Call(breaker, Outcome::kFailed, t0_);
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  CircuitBreaker::Admission refused = breaker.Admit(t0_ + 400ms);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, Clock::duration(600ms));
  EXPECT_EQ(refused.consecutive_failures, 3);
  EXPECT_THAT(states_, ElementsAre(CircuitState::kOpen));
}

TEST_F(CircuitBreakerTest, ASuccessResetsTheCount) {
  CircuitBreaker breaker = Make(3);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kSucceeded, t0_);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kFailed, t0_);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_TRUE(states_.empty());
}

TEST_F(CircuitBreakerTest, AfterOpenForOneProbeGoesThroughAndItsSuccessCloses) {
  CircuitBreaker breaker = Make(1);
  Call(breaker, Outcome::kFailed, t0_);
  CircuitBreaker::Admission probe = breaker.Admit(t0_ + 1s);
  EXPECT_TRUE(probe.allowed);
  EXPECT_TRUE(probe.probe);
  EXPECT_EQ(breaker.state(), CircuitState::kHalfOpen);
  // Only one probe at a time.
  CircuitBreaker::Admission other = breaker.Admit(t0_ + 1s);
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.retry_after, Clock::duration(1s));
  breaker.Record(Outcome::kSucceeded, probe.probe, t0_ + 1100ms);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_TRUE(breaker.Admit(t0_ + 1100ms).allowed);
  EXPECT_THAT(states_,
              ElementsAre(CircuitState::kOpen, CircuitState::kHalfOpen, CircuitState::kClosed));
}

TEST_F(CircuitBreakerTest, AFailedProbeOpensItAgainForAnotherOpenFor) {
  CircuitBreaker breaker = Make(1);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kFailed, t0_ + 1s);  // the probe
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
  EXPECT_FALSE(breaker.Admit(t0_ + 1900ms).allowed);
  EXPECT_TRUE(breaker.Admit(t0_ + 2s).probe);
}

TEST_F(CircuitBreakerTest, AProbeThatSaysNothingOpensItAgainAndOtherwiseCountsForNothing) {
  CircuitBreaker breaker = Make(2);
  Call(breaker, Outcome::kFailed, t0_);
  Call(breaker, Outcome::kUnknown, t0_);
  Call(breaker, Outcome::kUnknown, t0_);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  Call(breaker, Outcome::kFailed, t0_);
  ASSERT_EQ(breaker.state(), CircuitState::kOpen);
  Call(breaker, Outcome::kUnknown, t0_ + 1s);  // the probe
  EXPECT_EQ(breaker.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, ZeroFailuresToOpenNeverOpens) {
  CircuitBreaker breaker = Make(0);
  for (int i = 0; i < 100; ++i) Call(breaker, Outcome::kFailed, t0_);
  EXPECT_EQ(breaker.state(), CircuitState::kClosed);
  EXPECT_TRUE(states_.empty());
}

TEST(CircuitStateName, NamesEachState) {
  EXPECT_EQ(CircuitStateName(CircuitState::kClosed), "closed");
  EXPECT_EQ(CircuitStateName(CircuitState::kOpen), "open");
  EXPECT_EQ(CircuitStateName(CircuitState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace nfmetrics
