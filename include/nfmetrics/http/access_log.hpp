// The access log: one JSON line per answered request on the spdlog logger named "access", at info
// level, so that it can be silenced (or sent elsewhere) apart from the service's other logs.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics::http {

inline constexpr std::string_view kAccessLoggerName = "access";

// A target longer than this is logged cut to it: the line stays bounded whatever the client sends.
inline constexpr std::size_t kMaxLoggedTargetBytes = 2048;

struct AccessRecord {
  TimePoint time;  // when the answer was written
  std::string_view request_id;
  std::string_view method;
  std::string_view route;   // RouteName(): bounded, unlike the target
  std::string_view target;  // path and query as received; cut to kMaxLoggedTargetBytes
  unsigned status = 0;
  double duration_ms = 0;                 // from the request read to its answer written
  std::optional<std::string_view> cache;  // X-Cache, when the answer had one
  std::uint64_t bytes_sent = 0;           // status line, headers and body as written
  std::optional<std::string_view> token;  // the accepted token's name (never the secret), if any
};

// {"time":...,"request_id":...,"method":...,"route":...,"target":...,"status":...,
// "duration_ms":...,"cache":...,"bytes_sent":...,"token":...}; "cache" and "token" only when
// there is one.
std::string AccessLogJson(const AccessRecord& record);

// The "access" logger: registered on first use, writing the lines alone (no time or level prefix)
// to stdout. A logger registered under that name beforehand (a test's, with its own sink) is used
// instead.
std::shared_ptr<spdlog::logger> AccessLogger();

}  // namespace nfmetrics::http
