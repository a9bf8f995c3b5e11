#include "nfmetrics/service/live_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "nfmetrics/service/duration.hpp"
#include "nfmetrics/service/time_range.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {
namespace {

// The one value given for `name` (removed from `params`), or nullopt. Errors: given twice.
Result<std::optional<std::string>> TakeParam(Params& params, std::string_view name) {
  std::optional<std::string> value;
  for (auto it = params.begin(); it != params.end();) {
    if (it->first != name) {
      ++it;
      continue;
    }
    if (value) {
      return BadRequest(std::string(name),
                        fmt::format("parameter \"{}\" is given more than once", name));
    }
    value = std::move(it->second);
    it = params.erase(it);
  }
  return value;
}

bool SameSeries(const MetricSeries& a, const MetricSeries& b) {
  return a.labels == b.labels && a.quantile == b.quantile;
}

}  // namespace

Result<StreamRequest> ParseStreamRequest(const Catalog& catalog, const MetricParams& params,
                                         TimePoint now) {
  for (const auto& [name, value] : params.params) {
    if (name == "start" || name == "end") {
      return BadRequest(name, fmt::format("\"{}\" is not accepted on a stream: its window is "
                                          "`range` (default 1h, at most 24h), ending now",
                                          name));
    }
  }
  MetricParams rest = params;
  Duration range = kDefaultStreamRange;
  Result<std::optional<std::string>> range_text = TakeParam(rest.params, "range");
  if (!range_text.ok()) return std::move(range_text).error();
  if (*range_text) {
    Result<Duration> parsed = ParseWindow(**range_text, "range");
    if (!parsed.ok()) return std::move(parsed).error();
    if (*parsed > kMaxStreamRange) {
      return BadRequest("range",
                        fmt::format("range {} is too long for a stream; at most {}",
                                    FormatDuration(*parsed), FormatDuration(kMaxStreamRange)));
    }
    range = *parsed;
  }
  bool fresh = false;
  Result<std::optional<std::string>> fresh_text = TakeParam(rest.params, "fresh");
  if (!fresh_text.ok()) return std::move(fresh_text).error();
  if (*fresh_text) {
    Result<bool> parsed = ParseFlag(**fresh_text, "fresh");
    if (!parsed.ok()) return std::move(parsed).error();
    fresh = *parsed;
  }
  Result<MetricRequest> metric = ParseMetricRequest(catalog, rest, now);
  if (!metric.ok()) return std::move(metric).error();
  StreamRequest stream{.metric = std::move(metric).value(),
                       .range = range,
                       .step = Duration::zero(),
                       .fresh = fresh};
  stream.step = stream.metric.step.value_or(ChooseStep(range));
  stream.metric.step = stream.step;
  stream.metric.start = {};
  stream.metric.end = {};
  return stream;
}

MetricRequest StreamWindow(const StreamRequest& stream, TimePoint now, Duration freshness) {
  MetricRequest window = stream.metric;
  const TimePoint end = stream.fresh ? now : now - freshness;
  window.start = AlignToStep(end - stream.range, stream.step);
  window.end = AlignToStep(end, stream.step);
  return window;
}

TimePoint LastFinalStep(const StreamRequest& stream, TimePoint now, Duration freshness) {
  return AlignToStep(now - freshness, stream.step);
}

TimePoint NextRefresh(const StreamRequest& stream, TimePoint now, Duration freshness,
                      Duration lag) {
  const Duration delay = (stream.fresh ? Duration::zero() : freshness) + lag;
  // The step after the last one whose time (plus the delay) has come, and when its time comes.
  const TimePoint next_step = AlignToStep(now - delay, stream.step) + stream.step;
  return next_step + delay;
}

std::string StreamKey(const StreamRequest& stream) {
  return fmt::format("{}\nrange={} fresh={}", stream.metric.Key(), stream.range.count(),
                     stream.fresh);
}

std::vector<MetricSeries> StepsAfter(const MetricResult& current, const MetricResult* previous,
                                     TimePoint after) {
  std::vector<MetricSeries> missing;
  for (const MetricSeries& series : current.series) {
    const bool known =
        previous == nullptr ||
        std::any_of(previous->series.begin(), previous->series.end(),
                    [&](const MetricSeries& earlier) { return SameSeries(earlier, series); });
    auto first = series.points.begin();
    if (known) {
      first = std::find_if(series.points.begin(), series.points.end(),
                           [&](const Point& point) { return point.time > after; });
    }
    if (first == series.points.end()) continue;
    MetricSeries steps{.labels = series.labels, .quantile = series.quantile, .points = {}};
    steps.points.assign(first, series.points.end());
    missing.push_back(std::move(steps));
  }
  return missing;
}

}  // namespace nfmetrics::service
