#include "service/shaping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::service {
namespace {

std::string ObjectDescription(const ObjectRef& object) {
  if (object.kind == ObjectKind::kMonoVertex) {
    return fmt::format("MonoVertex \"{}\"", object.mvtx->str());
  }
  return fmt::format("vertex \"{}\" of pipeline \"{}\"", object.vertex->str(),
                     object.pipeline->str());
}

std::string NoMatchWarning(const MetricRequest& request, const QueryPlan& plan) {
  std::string what = request.metric->api_name;
  std::replace(what.begin(), what.end(), '-', ' ');
  std::string filters;
  for (const FilterValues& filter : request.filters) {
    filters += fmt::format(" for {} {}", filter.label == "pod" ? "pods" : filter.label,
                           fmt::join(filter.values, ", "));
  }
  return fmt::format(
      "no {} data for {} in namespace \"{}\"{} between {} and {}; check the names{}, and that the "
      "time range covers when the {} was running",
      what, ObjectDescription(request.object), request.object.ns.str(), filters,
      FormatRfc3339(plan.start), FormatRfc3339(plan.end),
      request.filters.empty() ? "" : ", the filters",
      request.object.kind == ObjectKind::kMonoVertex ? "MonoVertex" : "vertex");
}

// One point per step from start to end: the engine's value where it is finite, null where the
// engine gave NaN or +-Inf or no sample at all (Prometheus writes "NaN", VictoriaMetrics drops
// the point; both become null here, so the answer has the same shape on either).
std::vector<Point> OnGrid(const std::vector<prometheus::Sample>& samples, const QueryPlan& plan) {
  if (plan.end < plan.start || plan.step <= Duration::zero()) return {};
  const std::size_t steps = static_cast<std::size_t>((plan.end - plan.start) / plan.step) + 1;
  std::vector<Point> points(steps);
  auto sample = samples.begin();
  TimePoint t = plan.start;
  for (Point& point : points) {
    point.time = t;
    while (sample != samples.end() && sample->timestamp < t) ++sample;
    if (sample != samples.end() && sample->timestamp == t && std::isfinite(sample->value)) {
      point.value = sample->value;
    }
    t += plan.step;
  }
  return points;
}

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

SeriesSummary Summarize(const std::vector<Point>& points) {
  SeriesSummary summary;
  double sum = 0;
  std::size_t count = 0;
  for (const Point& point : points) {
    if (!point.value) continue;
    double value = *point.value;
    summary.last = value;
    summary.min = summary.min ? std::min(*summary.min, value) : value;
    summary.max = summary.max ? std::max(*summary.max, value) : value;
    sum += value;
    ++count;
  }
  // Rounding can put the mean of a flat series a hair outside [min, max]; it never is.
  if (count > 0)
    summary.mean = std::clamp(sum / static_cast<double>(count), *summary.min, *summary.max);
  return summary;
}

void MarkOutliers(std::vector<MetricSeries>& series) {
  // Peers: the same quantile and the same labels apart from pod.
  using Key = std::pair<std::optional<double>, Labels>;
  std::map<Key, std::vector<MetricSeries*>> groups;
  for (MetricSeries& s : series) {
    if (!s.summary || !s.summary->mean) continue;
    Labels rest;
    bool has_pod = false;
    for (const auto& label : s.labels) {
      if (label.first == "pod") {
        has_pod = true;
      } else {
        rest.push_back(label);
      }
    }
    if (has_pod) groups[{s.quantile, std::move(rest)}].push_back(&s);
  }
  for (auto& [key, members] : groups) {
    if (members.size() < 3) continue;
    for (MetricSeries* candidate : members) {
      std::vector<double> peers;
      for (MetricSeries* other : members) {
        if (other != candidate) peers.push_back(*other->summary->mean);
      }
      std::optional<double> median = Median(std::move(peers));
      candidate->summary->outlier = median && *candidate->summary->mean > 2 * *median;
    }
  }
}

MetricResult ShapeMetric(const MetricRequest& request, QueryPlan plan,
                         std::vector<prometheus::Matrix> matrices) {
  MetricResult result{std::move(plan), {}, {}};
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    prometheus::Matrix& matrix = matrices[i];
    std::optional<double> quantile =
        i < result.plan.queries.size() ? result.plan.queries[i].quantile : std::nullopt;
    for (std::string& warning : matrix.warnings) {
      if (std::find(result.warnings.begin(), result.warnings.end(), warning) ==
          result.warnings.end()) {
        result.warnings.push_back(std::move(warning));
      }
    }
    for (prometheus::Series& in : matrix.series) {
      MetricSeries out{std::move(in.labels), quantile, OnGrid(in.samples, result.plan),
                       std::nullopt};
      // A series without one finite value is left out: VictoriaMetrics never returns one, and a
      // chart has nothing to draw for it.
      if (std::none_of(out.points.begin(), out.points.end(),
                       [](const Point& point) { return point.value.has_value(); })) {
        continue;
      }
      if (request.summary) out.summary = Summarize(out.points);
      result.series.push_back(std::move(out));
    }
  }
  std::sort(result.series.begin(), result.series.end(),
            [](const MetricSeries& a, const MetricSeries& b) {
              return std::tie(a.labels, a.quantile) < std::tie(b.labels, b.quantile);
            });
  if (request.summary) MarkOutliers(result.series);
  if (result.series.empty()) result.warnings.push_back(NoMatchWarning(request, result.plan));
  return result;
}

}  // namespace nfmetrics::service
