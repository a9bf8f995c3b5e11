// NumaFlow's own server metrics API, as a drop-in: the wire formats of POST /api/v1/metrics-proxy
// and GET /api/v1/metrics-discovery/object/{object}, NumaFlow's request and answer shapes. What a
// request means is the service's (service/proxy_request.hpp); errors carry a 4xx/5xx status,
// unlike NumaFlow's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/series.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/proxy_request.hpp"

namespace nfmetrics::http {

// The JSON body of POST /api/v1/metrics-proxy, decoded: NumaFlow's fields (its UI also sends
// display_name, which selects nothing) plus `step`, each a string or null. Errors: kBadRequest
// naming the field (an unknown field, a value that is not a string), or with no param for a body
// that is not a JSON object.
Result<service::ProxyRequest> DecodeProxyBody(std::string_view body);

// {"data": <Prometheus matrix>} with values as Prometheus writes them ("0.25", "NaN", "+Inf").
std::string ProxyDataJson(const std::vector<Series>& series);

// GET /api/v1/metrics-discovery/object/{object}: every catalog metric for the object kind, in
// NumaFlow's shape with its capitalised Name/Required keys. Unknown object: kBadRequest.
Result<std::string> DiscoveryJson(const service::Catalog& catalog, std::string_view object);

}  // namespace nfmetrics::http
