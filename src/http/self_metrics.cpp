#include "nfmetrics/http/self_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <atomic>

#include "http/error_response.hpp"

namespace nfmetrics::http {
namespace {

// prometheus-cpp; nfmetrics::prometheus is our backend client.
namespace prom = ::prometheus;

// From a cache hit served as stored (~0.1 ms) to an engine query near the default 30 s deadline.
const prom::Histogram::BucketBoundaries kRequestBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
// An engine query: a few ms for a short range, seconds for a day of many pods, up to the deadline.
const prom::Histogram::BucketBoundaries kBackendBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                           1,     2.5,  5,     10,   30,  60};

constexpr std::size_t kBackendCallCount = 3;
constexpr std::array<std::string_view, kBackendCallCount> kBackendCallNames = {
    "query_range", "label_values", "ready"};

constexpr std::array<service::CacheOutcome, 4> kCacheOutcomes = {
    service::CacheOutcome::kHit, service::CacheOutcome::kPartial, service::CacheOutcome::kMiss,
    service::CacheOutcome::kBypass};

// Indexed by SharedRead and SharedWrite.
constexpr std::array<std::string_view, 5> kSharedReadNames = {"hit", "miss", "timeout", "error",
                                                              "skipped"};
constexpr std::array<std::string_view, 4> kSharedWriteNames = {"stored", "failed", "dropped",
                                                               "skipped"};

// Indexed by StreamEvent.
constexpr std::array<std::string_view, 4> kStreamEventNames = {"snapshot", "points", "error",
                                                               "keepalive"};

// HTTP status codes are three digits: 100 to 599.
constexpr unsigned kFirstStatus = 100;
constexpr std::size_t kStatusCount = 500;

std::size_t Index(auto enumerator) { return static_cast<std::size_t>(enumerator); }

}  // namespace

struct SelfMetrics::Families {
  prom::Registry registry;

  prom::Family<prom::Counter>& requests =
      prom::BuildCounter()
          .Name("nfmetrics_http_requests_total")
          .Help("HTTP requests answered, by route and status code")
          .Register(registry);
  prom::Family<prom::Histogram>& request_duration =
      prom::BuildHistogram()
          .Name("nfmetrics_http_request_duration_seconds")
          .Help("Time from a request read to its answer ready to be written, by route")
          .Register(registry);
  prom::Gauge& in_flight = prom::BuildGauge()
                               .Name("nfmetrics_http_requests_in_flight")
                               .Help("Requests read and not yet answered")
                               .Register(registry)
                               .Add({});
  prom::Family<prom::Counter>& cache =
      prom::BuildCounter()
          .Name("nfmetrics_cache_requests_total")
          .Help("Answers that went through the results cache, by result (their X-Cache)")
          .Register(registry);
  prom::Family<prom::Histogram>& backend_duration =
      prom::BuildHistogram()
          .Name("nfmetrics_backend_request_duration_seconds")
          .Help(
              "Duration of the calls to the Prometheus-compatible backend, failed ones included, "
              "by operation")
          .Register(registry);
  prom::Family<prom::Counter>& backend_errors =
      prom::BuildCounter()
          .Name("nfmetrics_backend_errors_total")
          .Help("Failed calls to the backend, by operation and kind (the API's error code)")
          .Register(registry);
  prom::Gauge& circuit_state =
      prom::BuildGauge()
          .Name("nfmetrics_backend_circuit_state")
          .Help(
              "The circuit breaker in front of the backend: 0 closed, 1 open (answering 503 "
              "without asking it), 2 half-open (one probe in flight)")
          .Register(registry)
          .Add({});
  prom::Counter& retries = prom::BuildCounter()
                               .Name("nfmetrics_backend_retries_total")
                               .Help(
                                   "Backend calls tried again after a connection error or a "
                                   "502/503/504 (each is also counted as a call)")
                               .Register(registry)
                               .Add({});

  prom::Family<prom::Counter>& shared_reads =
      prom::BuildCounter()
          .Name("nfmetrics_shared_cache_reads_total")
          .Help(
              "Reads of the cache shared through Redis, by result: hit, miss, timeout (no answer "
              "within --cache-redis-timeout), error, skipped (circuit open or no connection)")
          .Register(registry);
  prom::Family<prom::Counter>& shared_writes =
      prom::BuildCounter()
          .Name("nfmetrics_shared_cache_writes_total")
          .Help(
              "Writes to the cache shared through Redis, by result: stored, failed, dropped (too "
              "many already pending), skipped (circuit open or no connection)")
          .Register(registry);
  prom::Gauge& shared_circuit_state =
      prom::BuildGauge()
          .Name("nfmetrics_shared_cache_circuit_state")
          .Help(
              "The circuit breaker in front of Redis: 0 closed, 1 open (not asked; reads are "
              "misses), 2 half-open (a background probe in flight)")
          .Register(registry)
          .Add({});
  prom::Gauge& shared_up = prom::BuildGauge()
                               .Name("nfmetrics_shared_cache_up")
                               .Help(
                                   "1 while a connection to Redis answers and the results cache "
                                   "is shared through it, else 0")
                               .Register(registry)
                               .Add({});

  prom::Gauge& streams_open = prom::BuildGauge()
                                  .Name("nfmetrics_streams_open")
                                  .Help("Live streams open (GET /api/v1/metrics/{metric}/stream)")
                                  .Register(registry)
                                  .Add({});
  prom::Gauge& stream_hubs =
      prom::BuildGauge()
          .Name("nfmetrics_stream_hubs")
          .Help("Live stream hubs running: one per distinct streamed query, shared by its streams")
          .Register(registry)
          .Add({});
  prom::Family<prom::Counter>& stream_events =
      prom::BuildCounter()
          .Name("nfmetrics_stream_events_total")
          .Help("Events handed to stream subscribers, by event (keepalive: the idle comment)")
          .Register(registry);
  prom::Counter& stream_dropped =
      prom::BuildCounter()
          .Name("nfmetrics_stream_subscribers_dropped_total")
          .Help(
              "Stream subscribers disconnected for falling more than --stream-queue events behind")
          .Register(registry)
          .Add({});
  prom::Family<prom::Counter>& stream_refreshes =
      prom::BuildCounter()
          .Name("nfmetrics_stream_refreshes_total")
          .Help(
              "Refreshes of stream hubs (one per step per distinct query, through the results "
              "cache), by metric and result (ok, error)")
          .Register(registry);

  prom::Counter& split_queries =
      prom::BuildCounter()
          .Name("nfmetrics_split_queries_total")
          .Help("Range queries longer than --split-interval, split into one query per interval")
          .Register(registry)
          .Add({});
  prom::Counter& split_subqueries =
      prom::BuildCounter()
          .Name("nfmetrics_split_subqueries_total")
          .Help("The parts split queries were asked as (one per UTC day with the default 24h)")
          .Register(registry)
          .Add({});
  prom::Family<prom::Counter>& split_days =
      prom::BuildCounter()
          .Name("nfmetrics_split_days_total")
          .Help(
              "Parts of split queries by source: cache (every step from the results cache, the "
              "backend not asked) or backend (the backend asked for all or some of its steps)")
          .Register(registry);
  prom::Counter& split_days_cached = split_days.Add({{"source", "cache"}});
  prom::Counter& split_days_fetched = split_days.Add({{"source", "backend"}});

  // Family::Add hashes the labels under the family's lock, so the hot path looks its metrics up
  // here instead. A request counter is made on the first answer of its route and status: which
  // statuses occur is not known in advance. Racing threads store the same pointer, since Add
  // returns the one counter of those labels.
  std::array<std::array<std::atomic<prom::Counter*>, kStatusCount>, kRouteCount>
      requests_by_status{};
  std::array<prom::Histogram*, kRouteCount> duration_by_route{};
  std::array<prom::Counter*, kCacheOutcomes.size()> cache_by_outcome{};
  std::array<prom::Histogram*, kBackendCallCount> backend_by_call{};
  std::array<prom::Counter*, kSharedReadNames.size()> shared_reads_by_outcome{};
  std::array<prom::Counter*, kSharedWriteNames.size()> shared_writes_by_outcome{};
  std::array<prom::Counter*, kStreamEventNames.size()> stream_events_by_name{};

  Families() {
    // Series that exist from the start, at zero, so that rate() and absent() work on them before
    // the first event.
    for (std::size_t route = 0; route < kRouteCount; ++route) {
      duration_by_route[route] = &request_duration.Add(
          {{"route", std::string(RouteName(static_cast<Route>(route)))}}, kRequestBuckets);
    }
    for (service::CacheOutcome outcome : kCacheOutcomes) {
      cache_by_outcome[Index(outcome)] =
          &cache.Add({{"result", std::string(service::CacheOutcomeName(outcome))}});
    }
    for (std::size_t read = 0; read < kSharedReadNames.size(); ++read) {
      shared_reads_by_outcome[read] =
          &shared_reads.Add({{"result", std::string(kSharedReadNames[read])}});
    }
    for (std::size_t write = 0; write < kSharedWriteNames.size(); ++write) {
      shared_writes_by_outcome[write] =
          &shared_writes.Add({{"result", std::string(kSharedWriteNames[write])}});
    }
    for (std::size_t event = 0; event < kStreamEventNames.size(); ++event) {
      stream_events_by_name[event] =
          &stream_events.Add({{"event", std::string(kStreamEventNames[event])}});
    }
    for (std::size_t call = 0; call < kBackendCallCount; ++call) {
      const std::string operation(kBackendCallNames[call]);
      backend_by_call[call] = &backend_duration.Add({{"operation", operation}}, kBackendBuckets);
      for (ErrorCode code : {ErrorCode::kUpstreamUnavailable, ErrorCode::kUpstreamError,
                             ErrorCode::kUpstreamTimeout}) {
        backend_errors.Add({{"operation", operation}, {"kind", std::string(CodeName(code))}});
      }
    }
  }

  prom::Counter& RequestCounter(Route route, unsigned status) {
    auto make = [&] {
      return &requests.Add(
          {{"route", std::string(RouteName(route))}, {"code", std::to_string(status)}});
    };
    if (status < kFirstStatus || status - kFirstStatus >= kStatusCount) return *make();
    std::atomic<prom::Counter*>& slot = requests_by_status[Index(route)][status - kFirstStatus];
    prom::Counter* counter = slot.load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = make();
      slot.store(counter, std::memory_order_release);
    }
    return *counter;
  }
};

SelfMetrics::SelfMetrics() : families_(std::make_unique<Families>()) {}

SelfMetrics::~SelfMetrics() = default;

void SelfMetrics::RequestStarted() { families_->in_flight.Increment(); }

void SelfMetrics::RequestAnswered(Route route, unsigned status, double seconds,
                                  std::optional<service::CacheOutcome> cache) {
  families_->in_flight.Decrement();
  families_->RequestCounter(route, status).Increment();
  families_->duration_by_route[Index(route)]->Observe(seconds);
  if (cache) families_->cache_by_outcome[Index(*cache)]->Increment();
}

void SelfMetrics::BackendCallFinished(BackendCall call, double seconds,
                                      std::optional<ErrorCode> error) {
  families_->backend_by_call[Index(call)]->Observe(seconds);
  if (error) {
    // Rare, so the family's own lookup is fast enough.
    families_->backend_errors
        .Add({{"operation", std::string(kBackendCallNames[Index(call)])},
              {"kind", std::string(CodeName(*error))}})
        .Increment();
  }
}

void SelfMetrics::BackendCircuitChanged(CircuitState state) {
  families_->circuit_state.Set(static_cast<double>(state));
}

void SelfMetrics::BackendRetried() { families_->retries.Increment(); }

void SelfMetrics::SharedCacheRead(SharedRead outcome) {
  families_->shared_reads_by_outcome[Index(outcome)]->Increment();
}

void SelfMetrics::SharedCacheWritten(SharedWrite outcome) {
  families_->shared_writes_by_outcome[Index(outcome)]->Increment();
}

void SelfMetrics::SharedCacheCircuitChanged(CircuitState state) {
  families_->shared_circuit_state.Set(static_cast<double>(state));
}

void SelfMetrics::SharedCacheConnected(bool up) { families_->shared_up.Set(up ? 1 : 0); }

void SelfMetrics::StreamOpened() { families_->streams_open.Increment(); }

void SelfMetrics::StreamClosed() { families_->streams_open.Decrement(); }

void SelfMetrics::StreamHubStarted() { families_->stream_hubs.Increment(); }

void SelfMetrics::StreamHubStopped() { families_->stream_hubs.Decrement(); }

void SelfMetrics::StreamEventSent(StreamEvent event) {
  families_->stream_events_by_name[Index(event)]->Increment();
}

void SelfMetrics::StreamSubscriberDropped() { families_->stream_dropped.Increment(); }

void SelfMetrics::StreamRefreshed(std::string_view metric, bool ok) {
  // Once per step per hub: the family's own lookup is fast enough.
  families_->stream_refreshes
      .Add({{"metric", std::string(metric)}, {"result", ok ? "ok" : "error"}})
      .Increment();
}

void SelfMetrics::QuerySplit(std::size_t parts) {
  families_->split_queries.Increment();
  families_->split_subqueries.Increment(static_cast<double>(parts));
}

void SelfMetrics::SplitPartAnswered(service::CacheOutcome outcome) {
  (outcome == service::CacheOutcome::kHit ? families_->split_days_cached
                                          : families_->split_days_fetched)
      .Increment();
}

std::string SelfMetrics::Render() const {
  return prom::TextSerializer().Serialize(families_->registry.Collect());
}

}  // namespace nfmetrics::http
