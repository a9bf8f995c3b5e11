// The endpoints a request can be routed to. Also the `route` label of the self-metrics and the
// access log: a bounded set, where the raw path would give every pod and time range a series.
#pragma once

#include <cstddef>
#include <string_view>

namespace nfmetrics::http {

enum class Route {
  kNone,  // no such endpoint, or a request too malformed to be routed
  kHealth,
  kReady,
  kCatalog,
  kMetric,
  kObjects,  // /api/v1/namespaces/...: discovery lists and NumaFlow-style metric paths
  kProxy,
  kDiscovery,
  kSelfMetrics,  // GET /metrics
};

inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(Route::kSelfMetrics) + 1;

constexpr std::string_view RouteName(Route route) {
  switch (route) {
    case Route::kNone:
      return "none";
    case Route::kHealth:
      return "healthz";
    case Route::kReady:
      return "readyz";
    case Route::kCatalog:
      return "catalog";
    case Route::kMetric:
      return "metric";
    case Route::kObjects:
      return "objects";
    case Route::kProxy:
      return "proxy";
    case Route::kDiscovery:
      return "discovery";
    case Route::kSelfMetrics:
      return "metrics";
  }
  return "none";
}

}  // namespace nfmetrics::http
