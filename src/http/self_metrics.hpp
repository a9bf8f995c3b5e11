// The service's own metrics, served on GET /metrics in the Prometheus text format: requests by
// route and status and their durations, answers by cache result, requests in flight, the
// backend's calls and errors, and what the cache shared through Redis did. prometheus-cpp keeps the
// values; /metrics is its Registry's Collect() through its TextSerializer, served by our router
// (not by its civetweb exposer).
//
// Callers record through the typed methods below, never through prometheus-cpp, so what a label
// may hold stays bounded here. Another instrument (say, a circuit breaker's state as a gauge) is
// one more family in self_metrics.cpp and one more method.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/circuit_breaker.hpp"
#include "core/result.hpp"
#include "http/route.hpp"
#include "prometheus/resilient_client.hpp"
#include "redis/redis_cache.hpp"
#include "service/results_cache.hpp"

namespace nfmetrics::http {

// What the backend was asked: the `operation` label of the backend metrics.
enum class BackendCall {
  kQueryRange,   // "query_range"
  kLabelValues,  // "label_values"
  kReady,        // "ready": the readiness probe's trivial query
};

class SelfMetrics {
 public:
  // The media type of Render()'s text.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  SelfMetrics();
  ~SelfMetrics();
  SelfMetrics(const SelfMetrics&) = delete;
  SelfMetrics& operator=(const SelfMetrics&) = delete;

  // A request has been read; it is in flight until RequestAnswered.
  void RequestStarted();
  // Its answer is ready to be written, `seconds` after it was read: counted by route and status,
  // timed by route, and by cache result when the answer had one (X-Cache).
  void RequestAnswered(Route route, unsigned status, double seconds,
                       std::optional<service::CacheOutcome> cache);

  // One call to the backend, which took `seconds`; `error` when it failed.
  void BackendCallFinished(BackendCall call, double seconds, std::optional<ErrorCode> error);

  // The circuit breaker in front of the backend changed state (prometheus::ResilientClient).
  void BackendCircuitChanged(CircuitState state);
  // A failed backend call is about to be tried again.
  void BackendRetried();

  // The cache shared through Redis (redis::RedisCache): one read, one write, its own circuit, and
  // whether a connection is up.
  void SharedCacheRead(redis::ReadOutcome outcome);
  void SharedCacheWritten(redis::WriteOutcome outcome);
  void SharedCacheCircuitChanged(CircuitState state);
  void SharedCacheConnected(bool up);

  // Every metric in the text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace nfmetrics::http
