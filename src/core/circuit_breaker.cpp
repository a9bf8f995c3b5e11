#include "nfmetrics/core/circuit_breaker.hpp"

namespace nfmetrics {

std::string_view CircuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitBreaker::Admission CircuitBreaker::Admit(Clock::time_point now) {
  Admission admission;
  if (options_.failures_to_open <= 0) return admission;
  std::lock_guard lock(mutex_);
  switch (state_) {
    case CircuitState::kClosed:
      return admission;
    case CircuitState::kOpen:
      if (now >= open_until_) {
        SetState(CircuitState::kHalfOpen);
        probe_in_flight_ = true;
        admission.probe = true;
        return admission;
      }
      return Refusal(open_until_ - now);
    case CircuitState::kHalfOpen:
      if (!probe_in_flight_) {
        probe_in_flight_ = true;
        admission.probe = true;
        return admission;
      }
      return Refusal(options_.open_for);
  }
  return admission;
}

void CircuitBreaker::Record(Outcome outcome, bool probe, Clock::time_point now) {
  if (options_.failures_to_open <= 0) return;
  std::lock_guard lock(mutex_);
  if (probe) probe_in_flight_ = false;
  switch (outcome) {
    case Outcome::kSucceeded:
      consecutive_failures_ = 0;
      SetState(CircuitState::kClosed);
      return;
    case Outcome::kFailed:
      ++consecutive_failures_;
      if ((state_ == CircuitState::kHalfOpen && probe) ||
          (state_ == CircuitState::kClosed && consecutive_failures_ >= options_.failures_to_open)) {
        Open(now);
      }
      return;
    case Outcome::kUnknown:
      if (probe && state_ == CircuitState::kHalfOpen) Open(now);
      return;
  }
}

CircuitState CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void CircuitBreaker::Open(Clock::time_point now) {
  open_until_ = now + options_.open_for;
  SetState(CircuitState::kOpen);
}

void CircuitBreaker::SetState(CircuitState state) {
  if (state == state_) return;
  state_ = state;
  if (options_.on_state) options_.on_state(state);
}

CircuitBreaker::Admission CircuitBreaker::Refusal(Clock::duration wait) const {
  return Admission{.allowed = false,
                   .probe = false,
                   .retry_after = wait,
                   .consecutive_failures = consecutive_failures_};
}

}  // namespace nfmetrics
