// ResilientClient: what the service does when the backend fails. A Client wrapping another one
// with two policies:
//
// - Retries. A call that failed because the backend could not be reached (kUpstreamUnavailable:
//   connection refused or reset) or answered 502, 503 or 504 is tried again after an exponential
//   backoff with full jitter, at most `max_retries` times, and never past the call's deadline: the
//   whole call, retries and sleeps included, ends within `deadline` (--upstream-timeout). A
//   timeout is not retried (the deadline is spent), nor is anything the backend answered about the
//   query itself (4xx, bad data).
// - A circuit breaker. After `circuit_failures` consecutive attempts failed as the backend being
//   down (unreachable, timed out, any 5xx), calls fail at once with kCircuitOpen (503 with
//   Retry-After) instead of each waiting for its own failure; after `circuit_open_for` one call is
//   let through as a probe (half-open): success closes the circuit, failure opens it again. The
//   circuit is the core's CircuitBreaker (the shared cache has its own).
//
// The readiness probe (CheckReady) goes through the breaker, so /readyz is 503 while the circuit
// is open and a probe that succeeds closes it, but it is never retried: it reports, it does not
// insist.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "nfmetrics/core/circuit_breaker.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"

namespace nfmetrics::prometheus {

// The circuit's states are the core's; while open, calls fail fast with kCircuitOpen.
using ::nfmetrics::CircuitState;
using ::nfmetrics::CircuitStateName;

struct ResilienceOptions {
  // The whole call, retries and their sleeps included (--upstream-timeout). The wrapped client's
  // own deadline per attempt must not be longer.
  Duration deadline = std::chrono::seconds(30);
  int max_retries = 2;  // attempts after the first (--upstream-retries); 0: none
  Duration backoff_base = std::chrono::milliseconds(50);  // the first retry sleeps up to this
  Duration backoff_cap = std::chrono::seconds(1);         // no sleep is longer
  // Consecutive failed attempts that open the circuit (--circuit-failures); 0: no breaker.
  int circuit_failures = 5;
  Duration circuit_open_for = std::chrono::seconds(1);  // before a probe (--circuit-open-for)
  // Told of every change of state (e.g. for a gauge) and of every retry; called on the calling
  // thread, with an internal lock held for the state: they must not call this client.
  std::function<void(CircuitState)> on_circuit_state;
  std::function<void()> on_retry;
};

class ResilientClient final : public Client {
 public:
  // `client` must outlive this and every call started through it.
  ResilientClient(Client& client, ResilienceOptions options);
  ~ResilientClient() override;
  ResilientClient(const ResilientClient&) = delete;
  ResilientClient& operator=(const ResilientClient&) = delete;

  boost::asio::awaitable<Result<Matrix>> QueryRange(const RangeQuery& query) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const LabelValuesQuery& query) override;
  boost::asio::awaitable<Status> CheckReady() override;

  CircuitState circuit_state() const;

 private:
  Client& client_;
  ResilienceOptions options_;
  std::unique_ptr<CircuitBreaker> breaker_;  // shared by every calling thread
};

// Whether a failed attempt is worth another: the backend was unreachable or said it is (502, 503,
// 504).
bool IsRetryable(const Error& error);

// Whether a failed attempt counts towards opening the circuit: the backend is down, slow or
// failing (unreachable, timed out, any 5xx), as opposed to a query it refused.
bool IsBackendFailure(const Error& error);

}  // namespace nfmetrics::prometheus
