// Must compile: what the service layer may include, its coroutines among them; the control for the
// probes that must not.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/redis/shared_cache.hpp"
#include "nfmetrics/service/metrics_service.hpp"
#include "service/results_cache.hpp"

int LayerProbe() { return 0; }
