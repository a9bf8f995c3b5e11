// The data-access interface: what the service needs from a Prometheus-compatible engine.
// BeastClient (beast_client.hpp) talks HTTP to a real one; tests substitute fakes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <utility>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/series.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::prometheus {

struct RangeQuery {
  std::string promql;
  TimePoint start;
  TimePoint end;
  Duration step;
};

// The engine answers in the series every layer holds (core/series.hpp).
using nfmetrics::Labels;
using nfmetrics::Sample;
using nfmetrics::Series;

// A label-values question: which values `label` takes in the series matching any of `matchers`
// (all series when empty) that have samples in [start, end].
struct LabelValuesQuery {
  std::string label;                  // e.g. "mvtx_name" or "pod"
  std::vector<std::string> matchers;  // series selectors sent as match[] (may be empty)
  TimePoint start;
  TimePoint end;
};

// A query_range answer: the matrix and any warnings Prometheus attached.
struct Matrix {
  std::vector<Series> series;
  std::vector<std::string> warnings;
};

class Client {
 public:
  virtual ~Client() = default;

  // POST /api/v1/query_range. Errors: kUpstreamUnavailable, kUpstreamTimeout, kUpstreamError.
  virtual boost::asio::awaitable<Result<Matrix>> QueryRange(const RangeQuery& query) = 0;

  // GET /api/v1/label/<label>/values. Sorted, unique. Errors as QueryRange, and kBadRequest
  // (param "label") when the label is not a valid Prometheus label name.
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const LabelValuesQuery& query) = 0;

  // Succeeds when the engine answers a trivial instant query.
  virtual boost::asio::awaitable<Status> CheckReady() = 0;
};

}  // namespace nfmetrics::prometheus
