// What the integration tests share to ask the API and the backend under test, and to compare the
// two: the API's answer must be exactly the backend's own answer to the PromQL the API reports.
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "support/http_client.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {

struct Json {
  int status = 0;
  rapidjson::Document doc;
  std::string body;
};

Json ParseAnswer(HttpResponse response);
Json ApiGet(const std::string& target);  // GET on the in-process API
// The backend's own answer to a range query, asked directly.
Json BackendQuery(const std::string& promql, double start, double end, double step);

// "name=value;..." for a JSON object of labels, in the object's order.
std::string LabelsKey(const rapidjson::Value& labels);

// For every query in data.queries: the backend's series with at least one finite value are
// exactly the API's series of that quantile, and every API series has one point per step from
// range.start to range.end holding the backend's value at that time, or null where the backend
// has NaN, +-Inf or no point.
void ExpectEveryQueryMatchesTheBackend(const Json& answer);

// The rate window of an answer (data.range.window, e.g. "5m"), in seconds.
std::int64_t WindowSeconds(const Json& answer);

// The (lower, upper] bounds in µs a histogram_quantile point at unix second t over a rate window
// of window_s must lie in: the model's bucket for (t - window_s, t]. When that window straddles
// the incident's onset, the mixture's quantile lies between the pure ones, so: from the lower
// bound of the earlier bucket to the upper bound of the later one.
template <class Model>
std::pair<double, double> PointBucket(const Model& model, synth::Histogram histogram, double q,
                                      std::int64_t t, std::int64_t window_s) {
  auto at = [](std::int64_t unix_s) { return TimePoint{std::chrono::seconds(unix_s)}; };
  const std::int64_t onset = IncidentOnset();
  if (t - window_s < onset && onset < t) {
    const auto before = synth::QuantileBucket(model, histogram, q, at(t - window_s), at(onset));
    const auto after = synth::QuantileBucket(model, histogram, q, at(onset), at(t));
    return {std::min(before.first, after.first), std::max(before.second, after.second)};
  }
  return synth::QuantileBucket(model, histogram, q, at(t - window_s), at(t));
}

}  // namespace nfmetrics::testing
