// GET /api/v1/metrics/{metric}/stream: the metric's window ending now, as Server-Sent Events that
// follow it (a snapshot, then the new steps as they come). Served by a hub per distinct query
// (stream_hub.hpp); errors before the stream starts are plain JSON answers.
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/catalog.hpp"

namespace nfmetrics::http {

class StreamHubs;

class StreamHandler final : public Handler {
 public:
  // Both must outlive the handler.
  StreamHandler(const service::Catalog& catalog, StreamHubs& hubs)
      : catalog_(catalog), hubs_(hubs) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const service::Catalog& catalog_;
  StreamHubs& hubs_;
};

}  // namespace nfmetrics::http
