// Query string -> validated SinkLatencyRequest. Pure function: no server needed to test it.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "service/sink_latency_request.hpp"

namespace nfmetrics::http {

// Most pods one request may name; keeps the PromQL regex small.
inline constexpr std::size_t kMaxPods = 200;

// query: the part of the target after '?', still percent-encoded ('+' reads as a space).
// now: the default `end`. Every error is kBadRequest naming the parameter at fault.
Result<service::SinkLatencyRequest> ParseSinkLatencyParams(std::string_view query, TimePoint now);

}  // namespace nfmetrics::http
