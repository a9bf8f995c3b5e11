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

#include "nfmetrics/core/circuit_breaker.hpp"
#include "nfmetrics/core/result.hpp"
#include "nfmetrics/http/route.hpp"
#include "nfmetrics/service/cache_outcome.hpp"

namespace nfmetrics::http {

// What the backend was asked: the `operation` label of the backend metrics.
enum class BackendCall {
  kQueryRange,   // "query_range"
  kLabelValues,  // "label_values"
  kReady,        // "ready": the readiness probe's trivial query
};

// What became of one read of the cache shared through Redis: the `result` label.
enum class SharedRead {
  kHit,      // Redis had a value
  kMiss,     // Redis had none
  kTimeout,  // no answer within --cache-redis-timeout
  kError,    // an error answer, or the connection failed first
  kSkipped,  // Redis was not asked: no connection that answers, or its circuit is open
};

// What became of one write to it.
enum class SharedWrite {
  kStored,   // Redis said OK
  kFailed,   // an error answer, or the connection failed before the answer
  kDropped,  // too many writes or bytes were already waiting for Redis
  kSkipped,  // not sent: no connection that answers, or its circuit is open
};

// An event sent to one stream subscriber: the `event` label.
enum class StreamEvent {
  kSnapshot,   // "snapshot"
  kPoints,     // "points"
  kError,      // "error"
  kKeepAlive,  // "keepalive": the comment sent when nothing else was
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

  // The circuit breaker in front of the backend changed state.
  void BackendCircuitChanged(CircuitState state);
  // A failed backend call is about to be tried again.
  void BackendRetried();

  // The cache shared through Redis: one read, one write, its own circuit, and whether a connection
  // is up.
  void SharedCacheRead(SharedRead outcome);
  void SharedCacheWritten(SharedWrite outcome);
  void SharedCacheCircuitChanged(CircuitState state);
  void SharedCacheConnected(bool up);

  // Live streams: one opened or closed (for any reason), a hub started or stopped, an event handed
  // to one subscriber's connection, a subscriber dropped for falling behind, and one refresh of a
  // hub from the results cache and the backend, by the metric's API name (a bounded set: the
  // catalog's).
  void StreamOpened();
  void StreamClosed();
  void StreamHubStarted();
  void StreamHubStopped();
  void StreamEventSent(StreamEvent event);
  void StreamSubscriberDropped();
  void StreamRefreshed(std::string_view metric, bool ok);

  // Split-by-interval: a range query split into `parts`, and the cache outcome of each part (a
  // hit asked the backend nothing).
  void QuerySplit(std::size_t parts);
  void SplitPartAnswered(service::CacheOutcome outcome);

  // Every metric in the text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace nfmetrics::http
