// GET /api/v1/diagnosis: a MonoVertex's or a pipeline's figures and findings
// (service/diagnosis.hpp).
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class DiagnosisHandler final : public Handler {
 public:
  explicit DiagnosisHandler(service::QueryService& service) : service_(service) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  service::QueryService& service_;
};

}  // namespace nfmetrics::http
