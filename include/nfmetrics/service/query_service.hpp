// What the HTTP layer asks of the service, one method per use case that needs the engine. The
// requests are already valid (ParseMetricRequest, ParseListingRequest, ParseProxyRequest): only
// planning, the caches and the engine can fail them from here. MetricsService is the
// implementation; the handlers' tests give a fake.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/series.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "nfmetrics/service/capacity.hpp"
#include "nfmetrics/service/diagnosis.hpp"
#include "nfmetrics/service/discovery.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"
#include "nfmetrics/service/proxy_request.hpp"

namespace nfmetrics::service {

// A metrics-proxy answer: the engine's matrix as NumaFlow's UI reads it.
struct ProxyAnswer {
  std::vector<Series> series;
  CacheOutcome cache = CacheOutcome::kMiss;
};

class QueryService {
 public:
  virtual ~QueryService() = default;

  // bypass_cache: answer from the engine alone (a client's Cache-Control: no-cache). Errors: the
  // plan's kBadRequest (range, points), kTooManySeries, and the engine's failures.
  virtual boost::asio::awaitable<Result<MetricResult>> Query(const MetricRequest& request,
                                                             bool bypass_cache) = 0;

  // A discovery list (namespaces, MonoVertices, pipelines, vertices, pods), sorted.
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> List(
      const ListingRequest& request) = 0;

  virtual boost::asio::awaitable<Result<ProxyAnswer>> Proxy(const ProxyQuery& query,
                                                            bool bypass_cache) = 0;

  // A diagnosis's figures and findings (diagnosis.hpp). Errors: the range's kBadRequest,
  // kNotFound when the engine has nothing of the object, kTooManySeries, the engine's failures.
  virtual boost::asio::awaitable<Result<Diagnosis>> Diagnose(const DiagnosisRequest& request,
                                                             bool bypass_cache) = 0;

  // A capacity answer (capacity.hpp) for the whole UTC days before now. Errors: kNotFound when the
  // engine has nothing of the object, kTooManySeries, the engine's failures.
  virtual boost::asio::awaitable<Result<CapacityAnswer>> Capacity(const CapacityRequest& request,
                                                                  bool bypass_cache) = 0;

  // Ok when the engine answers a trivial query; kNotReady, with the failure as its cause, when not.
  virtual boost::asio::awaitable<Status> Ready() = 0;
};

}  // namespace nfmetrics::service
