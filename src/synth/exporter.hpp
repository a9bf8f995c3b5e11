// A live /metrics endpoint for the synthetic deployment: what Prometheus scrapes in the demo, so
// recent data keeps arriving after the backfilled history ends.
#pragma once

#include <string>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "synth/series.hpp"

namespace nfmetrics::synth {

// Every series of the default model and pipelines at `now`, in Prometheus text format 0.0.4,
// without timestamps.
std::string RenderExposition(TimePoint now);
// The same for any families (see BuildFamilies).
std::string RenderExposition(const std::vector<Family>& families, TimePoint now);

// Serves GET /metrics (and GET / with a hint) on host:port until SIGINT or SIGTERM: the default
// deployment, or `families` when given (they must outlive the call).
// Throws boost::system::system_error (a std::runtime_error) when the address cannot be bound.
void RunExporter(const std::string& host, unsigned short port,
                 const std::vector<Family>* families = nullptr);

}  // namespace nfmetrics::synth
