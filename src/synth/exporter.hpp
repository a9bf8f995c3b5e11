// A live /metrics endpoint for the synthetic deployment: what Prometheus scrapes in the demo, so
// recent data keeps arriving after the backfilled history ends.
#pragma once

#include <string>

#include "core/time.hpp"

namespace nfmetrics::synth {

// Every series of the default model and pipelines at `now`, in Prometheus text format 0.0.4,
// without timestamps.
std::string RenderExposition(TimePoint now);

// Serves GET /metrics (and GET / with a hint) on host:port until SIGINT or SIGTERM.
// Throws boost::system::system_error (a std::runtime_error) when the address cannot be bound.
void RunExporter(const std::string& host, unsigned short port);

}  // namespace nfmetrics::synth
