// A live stream of one metric (GET /api/v1/metrics/{metric}/stream): its request, a window that
// ends now and slides, and the steps a client that already holds an earlier answer lacks. Pure
// functions: the hub that refreshes and fans the stream out is the HTTP layer's (stream_hub.hpp).
#pragma once

#include <optional>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/metric_params.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"

namespace nfmetrics::service {

// The longest `range` a stream may show.
inline constexpr Duration kMaxStreamRange = std::chrono::hours(24);
inline constexpr Duration kDefaultStreamRange = std::chrono::hours(1);

struct StreamRequest {
  // What each refresh asks, but for start and end (StreamWindow sets them); the step is fixed.
  MetricRequest metric;
  Duration range = kDefaultStreamRange;
  Duration step{};
  bool fresh = false;  // steps newer than the cache's freshness horizon too, re-sent as they change
};

// GET /api/v1/metrics/{metric}'s parameters without `start` and `end` (a 400 naming them), plus
// `range` (a duration, default 1h, at most 24h) and `fresh` (a flag). The step is the client's, or
// chosen from `range` as GET chooses it from its range. Errors as ParseMetricRequest's.
Result<StreamRequest> ParseStreamRequest(const Catalog& catalog, const MetricParams& params,
                                         TimePoint now);

// The request a refresh at `now` makes: the GET of start = T - range, end = T, where T is now less
// `freshness` (steps the results cache keeps, final), or now itself for a fresh stream.
MetricRequest StreamWindow(const StreamRequest& stream, TimePoint now, Duration freshness);

// The last step that is final at `now`: what a non-fresh stream shows last.
TimePoint LastFinalStep(const StreamRequest& stream, TimePoint now, Duration freshness);

// When a stream whose last refresh was at `now` refreshes next: once the next step is due (for a
// non-fresh stream, once it is `freshness` old), plus `lag` for the samples to be scraped.
TimePoint NextRefresh(const StreamRequest& stream, TimePoint now, Duration freshness, Duration lag);

// Everything a stream's hub is keyed by: equal keys ask the engine the same queries at every
// refresh (the metric, object, range, step, window, quantiles, grouping, filters, summary,
// fresh), however the client spelled them.
std::string StreamKey(const StreamRequest& stream);

// The series of `current` as a client lacks them that was sent `previous` up to `after`: the steps
// later than `after` of each series, and every step of a series `previous` did not have. Series
// without a step to send are left out. previous == nullptr: every series is known (a resumed
// client, whose earlier answers we no longer have).
std::vector<MetricSeries> StepsAfter(const MetricResult& current, const MetricResult* previous,
                                     TimePoint after);

}  // namespace nfmetrics::service
