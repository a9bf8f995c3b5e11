// The probes: GET /healthz (the server runs) and GET /readyz (the engine answers, through the
// service). Open to all, never shed (router.hpp, server.hpp).
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class HealthHandler final : public Handler {
 public:
  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;
};

class ReadyHandler final : public Handler {
 public:
  explicit ReadyHandler(service::QueryService& service) : service_(service) {}

  // 503 (kNotReady, naming the failure's own code) while the engine does not answer.
  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  service::QueryService& service_;
};

}  // namespace nfmetrics::http
