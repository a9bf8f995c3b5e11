// A metric request's parameters (and, for NumaFlow-style paths, the object in the path) -> a
// validated MetricRequest for one catalog metric, with the one time range parser and the one set of
// value rules. Pure function: no server needed to test it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {

// Most values one filter (e.g. pod) may list; keeps the PromQL regex small.
inline constexpr std::size_t kMaxPods = 200;
inline constexpr std::size_t kMaxFilterValues = kMaxPods;
// Most quantiles one request may ask for (one upstream query each).
inline constexpr std::size_t kMaxQuantiles = 10;

// The object named by a NumaFlow-style path (/api/v1/namespaces/{ns}/mono-vertices/{mvtx}/...),
// percent-decoded but not yet validated.
struct PathObject {
  ObjectKind kind = ObjectKind::kMonoVertex;
  std::string ns;
  std::string mvtx;      // kMonoVertex
  std::string pipeline;  // kVertex
  std::string vertex;    // kVertex
};

// The query parameters a request for `metric` on `kind` accepts, in documentation order.
std::vector<std::string> AcceptedParamNames(const MetricSpec& metric, ObjectKind kind);

// A metric request as the client gave it, decoded from the wire but not yet validated.
struct MetricParams {
  std::string_view metric;         // the friendly or metric name from the path
  std::optional<PathObject> path;  // NumaFlow-style paths: the object the path names
  Params params;                   // the query string's parameters
  // A live stream's request (ParseStreamRequest): errors list `range` and `fresh` as accepted,
  // not `start` and `end`.
  bool live = false;
};

// now: the default `end`. Errors: kNotFound (param "metric") for a metric the catalog does not
// have; kBadRequest naming the parameter for everything else.
Result<MetricRequest> ParseMetricRequest(const Catalog& catalog, const MetricParams& params,
                                         TimePoint now);

}  // namespace nfmetrics::service
