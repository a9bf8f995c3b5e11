// NumaFlow's metrics-proxy request (POST /api/v1/metrics-proxy), planned like every other: its
// fields checked with the one set of value rules and the one time range parser, the metric and
// dimension looked up in the catalog, the pattern's expression rendered with escaped matchers.
// Unlike NumaFlow's server: `step` is accepted, times are validated, filter values are escaped,
// and the object's names (namespace, mvtx_name, pipeline, vertex) must be Kubernetes names.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::service {

inline constexpr Duration kProxyDefaultRange = std::chrono::minutes(30);
inline constexpr Duration kProxyDefaultStep = std::chrono::minutes(1);

// The body's fields as the client sent them; an absent, null or empty field is nullopt.
struct ProxyRequest {
  std::optional<std::string> pattern_name;
  std::optional<std::string> metric_name;
  std::optional<std::string> dimension;
  std::optional<std::string> duration;
  std::optional<std::string> quantile;
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  std::optional<std::string> step;
  std::map<std::string, std::string> filters;  // label -> value
};

// A valid metrics-proxy request: the expression to render and the range to run it over.
struct ProxyQuery {
  const MetricSpec* metric = nullptr;  // from the catalog, never null
  const ExprTemplate* expr = nullptr;  // the dimension's own expression, else the pattern's
  std::vector<Matcher> matchers;       // in the metric's fixed filter order
  std::vector<std::string> labels;     // the dimension's label, when one was asked for
  std::optional<double> quantile;
  std::optional<Duration> duration;
  TimeRange range;  // the last 30 minutes by default; range.step when the client gave one
  // The namespace the query is confined to (ConfinedNamespace); nullopt when it reads more than
  // one, e.g. a chart of every container without a namespace filter.
  std::optional<std::string> ns;
};

// pattern_name may be left out (the first pattern with the metric and dimension is used), as with
// NumaFlow's server. Filter values are literal, except that each ".*" in a value of a label other
// than namespace, mvtx_name, pipeline and vertex is a wildcard (NumaFlow's UI selects a
// MonoVertex's pods with "<mvtx>-mv-.*"): such a value becomes an anchored =~ matcher with
// everything else regex-escaped. Errors: kBadRequest naming the field ("filters" for a filter,
// whose message names it: "filters.mvtx_name: ..."), kNotFound for an unknown pattern or metric.
Result<ProxyQuery> ParseProxyRequest(const Catalog& catalog, const ProxyRequest& request,
                                     TimePoint now);

}  // namespace nfmetrics::service
