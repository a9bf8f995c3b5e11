// GET /api/v1/metrics: the catalog as the API serves it, one entry per friendly metric name.
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/catalog.hpp"

namespace nfmetrics::http {

class CatalogHandler final : public Handler {
 public:
  explicit CatalogHandler(const service::Catalog& catalog) : catalog_(catalog) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const service::Catalog& catalog_;
};

}  // namespace nfmetrics::http
