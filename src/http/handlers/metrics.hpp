// GET /api/v1/metrics/{metric} and the NumaFlow-style metric paths
// (/api/v1/namespaces/{namespace}/mono-vertices/{mvtx}/metrics/{metric},
// .../pipelines/{pipeline}/vertices/{vertex}/metrics/{metric}), which carry the object in the path.
#pragma once

#include <optional>
#include <string_view>

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/metric_params.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class AnswerCache;

// The wire format of a metric request, decoded and validated: `metric` and, on a NumaFlow-style
// path, the object's names (both percent-decoded), and the query string after '?' (still encoded).
// Errors as service::ParseMetricRequest, and for broken percent-encoding.
Result<service::MetricRequest> DecodeMetricRequest(const service::Catalog& catalog,
                                                   std::string_view metric,
                                                   const std::optional<service::PathObject>& path,
                                                   std::string_view query, TimePoint now);

class MetricHandler final : public Handler {
 public:
  // answers: rendered answers of whole cache hits, served again as they are; nullptr for none.
  // All must outlive the handler.
  MetricHandler(const service::Catalog& catalog, service::QueryService& service,
                AnswerCache* answers)
      : catalog_(catalog), service_(service), answers_(answers) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const service::Catalog& catalog_;
  service::QueryService& service_;
  AnswerCache* answers_;
};

}  // namespace nfmetrics::http
