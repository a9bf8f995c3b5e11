// Query string (and NumaFlow-style path) -> validated MetricRequest for one catalog metric. Pure
// function: no server needed to test it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "service/catalog.hpp"
#include "service/metric_request.hpp"

namespace nfmetrics::http {

// Most values one filter (e.g. pod) may list; keeps the PromQL regex small.
inline constexpr std::size_t kMaxPods = 200;
inline constexpr std::size_t kMaxFilterValues = kMaxPods;
// Most quantiles one request may ask for (one upstream query each).
inline constexpr std::size_t kMaxQuantiles = 10;

// The object named by a NumaFlow-style path (/api/v1/namespaces/{ns}/mono-vertices/{mvtx}/...),
// percent-decoded but not yet validated.
struct PathObject {
  service::ObjectKind kind = service::ObjectKind::kMonoVertex;
  std::string ns;
  std::string mvtx;      // kMonoVertex
  std::string pipeline;  // kVertex
  std::string vertex;    // kVertex
};

// The query parameters a request for `metric` on `kind` accepts, in documentation order.
std::vector<std::string> AcceptedParamNames(const service::MetricSpec& metric,
                                            service::ObjectKind kind);

// metric: the friendly or metric name from the path. query: the part of the target after '?',
// still percent-encoded. now: the default `end`. Errors: kNotFound (param "metric") for a metric
// the catalog does not have; kBadRequest naming the parameter for everything else.
Result<service::MetricRequest> ParseMetricParams(const service::Catalog& catalog,
                                                 std::string_view metric,
                                                 const std::optional<PathObject>& path,
                                                 std::string_view query, TimePoint now);

}  // namespace nfmetrics::http
