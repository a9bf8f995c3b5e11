// GET /api/v1/capacity: a MonoVertex's or a vertex's days, trends and load/latency deciles
// (service/capacity.hpp).
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class CapacityHandler final : public Handler {
 public:
  explicit CapacityHandler(service::QueryService& service) : service_(service) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  service::QueryService& service_;
};

}  // namespace nfmetrics::http
