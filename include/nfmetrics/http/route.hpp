// The endpoints a request can be routed to. Also the `route` label of the self-metrics and the
// access log: a bounded set, where the raw path would give every pod and time range a series. And
// the endpoint families, as far as who may call them is concerned.
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
  kObjects,     // /api/v1/namespaces/...: discovery lists and NumaFlow-style metric paths
  kNamespaces,  // GET /api/v1/namespaces: the namespaces with NumaFlow series
  kProxy,
  kDiscovery,
  kDiagnosis,    // GET /api/v1/diagnosis
  kCapacity,     // GET /api/v1/capacity
  kStream,       // GET /api/v1/metrics/{metric}/stream
  kSelfMetrics,  // GET /metrics
  kDashboard,    // GET/HEAD /, /index.html, /assets/<file>: the embedded web dashboard
};

// The endpoint families as far as access is concerned: each route's entry names one.
enum class Endpoint {
  kProbe,        // /healthz, /readyz: always open (kubelet has no token), never rate-limited
  kSelfMetrics,  // /metrics: open only with --metrics-auth=none
  kDashboard,    // the dashboard's files: open (they hold no data; the page asks for the token)
  kApi,          // everything else: a valid token; namespaced ones also AuthorizeNamespace
};

inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(Route::kDashboard) + 1;

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
    case Route::kNamespaces:
      return "namespaces";
    case Route::kProxy:
      return "proxy";
    case Route::kDiscovery:
      return "discovery";
    case Route::kDiagnosis:
      return "diagnosis";
    case Route::kCapacity:
      return "capacity";
    case Route::kStream:
      return "stream";
    case Route::kSelfMetrics:
      return "metrics";
    case Route::kDashboard:
      return "dashboard";
  }
  return "none";
}

}  // namespace nfmetrics::http
