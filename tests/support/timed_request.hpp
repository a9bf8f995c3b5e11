// Timing requests to the API, for the tests that compare latencies and throughput (a stalled
// Redis): one GET timed from the client's side, percentiles, and whether two replicas share their
// cache.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace nfmetrics::testing {

struct TimedAnswer {
  int status = 0;  // 0: no answer at all
  std::string x_cache;
  double ms = 0;
};

// GET 127.0.0.1:port`target` on a new connection.
TimedAnswer TimedGet(unsigned short port, const std::string& target,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The p-th percentile (0 < p <= 1) of `values` by nearest rank; 0 for none.
double Percentile(std::vector<double> values, double p);

// Asks `first` for next_target()'s answer, then `second`, until `second` answers it as a whole
// cache hit (what `first` fetched went through the shared cache), each time with a new target, for
// up to `patience`. The seconds that took, or a negative number.
double SecondsUntilShared(unsigned short first, unsigned short second,
                          const std::function<std::string()>& next_target,
                          std::chrono::milliseconds patience);

}  // namespace nfmetrics::testing
