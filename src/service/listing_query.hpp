// How a discovery list is asked of the engine (a label-values query, every name escaped) and what
// of its answer is listed. The service's own: MetricsService::List runs it.
#pragma once

#include <string>
#include <vector>

#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/discovery.hpp"

namespace nfmetrics::service {

// The label-values query that answers it: namespace of monovtx_*, forwarder_* and vertex_* series
// (one match[] for each kind of object), mvtx_name of monovtx_* series in the namespace, their
// pods, pipeline/vertex of forwarder_* and vertex_* series, a vertex's forwarder pods.
prometheus::LabelValuesQuery ListingQuery(const ListingRequest& request);

// The engine's values without what is not listed: a MonoVertex's daemon pod (it exports no
// per-pod latency, and NumaFlow's UI hides it).
std::vector<std::string> ListedValues(const ListingRequest& request,
                                      std::vector<std::string> values);

}  // namespace nfmetrics::service
