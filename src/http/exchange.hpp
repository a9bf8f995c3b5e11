// One request and its answer as the server sees them: the request id the answer carries, the
// self-metrics they count and the access log line they leave. The server makes one per request it
// reads, malformed ones included, so that every answer is identified, counted and logged the same
// way whatever produced it.
#pragma once

#include <spdlog/logger.h>

#include <chrono>

#include "http/request_id.hpp"
#include "nfmetrics/http/message.hpp"
#include "nfmetrics/http/route.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/http/self_metrics.hpp"

namespace nfmetrics::http {

class Exchange {
 public:
  // request: as read; for a malformed one, what the parser made of it. In flight from now on,
  // until Answered. (Nothing is recorded when destroyed unanswered: that happens only when the
  // io_context is destroyed with the connection's coroutine suspended, at exit, possibly after
  // the metrics are gone.)
  Exchange(SelfMetrics& metrics, const Request& request);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // What the router noted while answering (who the caller was), for the access log line.
  RequestNotes& notes() { return notes_; }

  // The answer is ready: it gets X-Request-Id, and is counted and timed. Once.
  void Answered(Response& response);

  // The answer has been written, bytes_sent of it: its access log line, when the logger takes info.
  void Written(spdlog::logger& access_log, const Request& request, const Response& response,
               std::size_t bytes_sent) const;

 private:
  SelfMetrics& metrics_;
  RequestId id_;
  Route route_;
  std::chrono::steady_clock::time_point started_;
  bool answered_ = false;
  RequestNotes notes_;
};

}  // namespace nfmetrics::http
