// NumaFlow's own server metrics API, as a drop-in: POST /api/v1/metrics-proxy and
// GET /api/v1/metrics-discovery/object/{object}, in NumaFlow's request and answer shapes. Unlike
// NumaFlow's: `step` is accepted, times are validated, filter values are escaped, and errors carry
// a 4xx/5xx status.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "prometheus/client.hpp"
#include "service/catalog.hpp"
#include "service/query_plan.hpp"

namespace nfmetrics::http {

inline constexpr Duration kProxyDefaultRange = std::chrono::minutes(30);
inline constexpr Duration kProxyDefaultStep = std::chrono::minutes(1);

// The JSON body of POST /api/v1/metrics-proxy -> the one range query to run. Errors are
// kBadRequest naming the body field (or kNotFound for an unknown pattern or metric).
// pattern_name may be left out (the first pattern with the metric and dimension is used), as with
// NumaFlow's server. Filter values are literal, except that each ".*" in a value of a label other
// than namespace, mvtx_name, pipeline and vertex is a wildcard (NumaFlow's UI selects a
// MonoVertex's pods with "<mvtx>-mv-.*"): such a value becomes an anchored =~ matcher with
// everything else regex-escaped.
struct ProxyQuery {
  prometheus::RangeQuery range;
  // The namespace the query is confined to (service::ConfinedNamespace); nullopt when it reads
  // more than one, e.g. without a namespace filter.
  std::optional<std::string> ns;
};
Result<ProxyQuery> ParseProxyRequest(const service::Catalog& catalog, std::string_view body,
                                     TimePoint now, const service::QueryLimits& limits = {});

// {"data": <Prometheus matrix>} with values as Prometheus writes them ("0.25", "NaN", "+Inf").
std::string ProxyDataJson(const prometheus::Matrix& matrix);

// {"errMsg": "...", "data": null}
std::string ProxyErrorJson(const Error& error);

// GET /api/v1/metrics-discovery/object/{object}: every catalog metric for the object kind, in
// NumaFlow's shape with its capitalised Name/Required keys. Unknown object: kBadRequest.
Result<std::string> DiscoveryJson(const service::Catalog& catalog, std::string_view object);

}  // namespace nfmetrics::http
