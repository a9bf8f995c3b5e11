// A circuit breaker: after `failures_to_open` consecutive failures the circuit opens and calls are
// refused at once instead of each waiting for its own failure; after `open_for` one call is let
// through as a probe (half-open): success closes the circuit, failure opens it again. One class
// for every dependency that needs one: the backend (prometheus::ResilientClient) and the shared
// cache (redis::RedisCache), each with its own instance. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics {

enum class CircuitState : std::uint8_t {
  kClosed = 0,    // calls go through
  kOpen = 1,      // calls are refused at once
  kHalfOpen = 2,  // one probe call is in flight; the others are refused
};

// "closed", "open", "half_open".
std::string_view CircuitStateName(CircuitState state);

struct CircuitBreakerOptions {
  int failures_to_open = 5;                     // 0: the circuit never opens
  Duration open_for = std::chrono::seconds(1);  // before a probe is let through
  // Told of every change of state (e.g. for a gauge), on the calling thread, with the breaker's
  // lock held: it must not call the breaker.
  std::function<void(CircuitState)> on_state;
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Outcome {
    kSucceeded,  // the dependency answered
    kFailed,     // the dependency is down, slow or failing
    kUnknown,    // the call went wrong on our side: says nothing about the dependency
  };

  struct Admission {
    bool allowed = true;            // false: do not call the dependency
    bool probe = false;             // this call decides whether the circuit closes
    Clock::duration retry_after{};  // when refused: until the next probe may be let through
    int consecutive_failures = 0;   // when refused: the failures that opened the circuit
  };

  explicit CircuitBreaker(CircuitBreakerOptions options) : options_(std::move(options)) {}

  // Whether a call may go ahead now. While open, the first call after `open_for` is the probe.
  Admission Admit(Clock::time_point now);
  // The outcome of a call that Admit allowed (`probe` as it said).
  void Record(Outcome outcome, bool probe, Clock::time_point now);

  CircuitState state() const;

 private:
  void Open(Clock::time_point now);               // mutex_ held
  void SetState(CircuitState state);              // mutex_ held
  Admission Refusal(Clock::duration wait) const;  // mutex_ held

  const CircuitBreakerOptions options_;
  mutable std::mutex mutex_;
  CircuitState state_ = CircuitState::kClosed;  // guarded by mutex_
  int consecutive_failures_ = 0;                // guarded by mutex_
  Clock::time_point open_until_;                // guarded by mutex_
  bool probe_in_flight_ = false;                // guarded by mutex_
};

}  // namespace nfmetrics
