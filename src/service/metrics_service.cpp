#include "service/metrics_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <map>

#include "service/timestamp.hpp"

namespace nfmetrics::service {
namespace {

namespace asio = boost::asio;

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
  std::vector<Point> points;
  points.reserve(static_cast<std::size_t>((plan.end - plan.start) / plan.step) + 1);
  auto sample = samples.begin();
  for (TimePoint t = plan.start; t <= plan.end; t += plan.step) {
    while (sample != samples.end() && sample->timestamp < t) ++sample;
    std::optional<double> value;
    if (sample != samples.end() && sample->timestamp == t && std::isfinite(sample->value)) {
      value = sample->value;
    }
    points.push_back({t, value});
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
  using Key = std::pair<std::optional<double>, prometheus::Labels>;
  std::map<Key, std::vector<MetricSeries*>> groups;
  for (MetricSeries& s : series) {
    if (!s.summary || !s.summary->mean) continue;
    prometheus::Labels rest;
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

asio::awaitable<Result<std::vector<prometheus::Matrix>>> MetricsService::RunAll(
    const std::vector<prometheus::RangeQuery>& queries) {
  std::vector<prometheus::Matrix> matrices;
  if (queries.size() == 1) {
    Result<prometheus::Matrix> matrix = co_await client_.QueryRange(queries.front());
    if (!matrix.ok()) co_return std::move(matrix).error();
    matrices.push_back(std::move(matrix).value());
    co_return matrices;
  }
  // co_spawn needs a default-constructible result, which Result is not: wrap it in an optional.
  using Answer = std::optional<Result<prometheus::Matrix>>;
  auto ask = [this](const prometheus::RangeQuery& query) -> asio::awaitable<Answer> {
    co_return co_await client_.QueryRange(query);
  };
  auto executor = co_await asio::this_coro::executor;
  using Operation =
      decltype(asio::co_spawn(executor, std::declval<asio::awaitable<Answer>>(), asio::deferred));
  std::vector<Operation> operations;
  operations.reserve(queries.size());
  for (const prometheus::RangeQuery& query : queries) {
    operations.push_back(asio::co_spawn(executor, ask(query), asio::deferred));
  }
  auto [order, exceptions, results] =
      co_await asio::experimental::make_parallel_group(std::move(operations))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const std::exception_ptr& exception : exceptions) {
    if (exception) std::rethrow_exception(exception);
  }
  for (Answer& answer : results) {
    if (!answer) co_return Error{ErrorCode::kInternal, "a concurrent query did not complete", ""};
    if (!answer->ok()) co_return std::move(*answer).error();
    matrices.push_back(std::move(*answer).value());
  }
  co_return matrices;
}

asio::awaitable<Result<MetricResult>> MetricsService::Query(const MetricRequest& request) {
  Result<QueryPlan> plan = PlanMetric(request);
  if (!plan.ok()) co_return std::move(plan).error();
  std::vector<prometheus::RangeQuery> queries;
  for (const PlannedQuery& planned : plan->queries) {
    queries.push_back({planned.promql, plan->start, plan->end, plan->step});
  }
  Result<std::vector<prometheus::Matrix>> matrices = co_await RunAll(queries);
  if (!matrices.ok()) co_return std::move(matrices).error();
  co_return ShapeMetric(request, std::move(plan).value(), std::move(matrices).value());
}

asio::awaitable<Result<std::vector<std::string>>> MetricsService::LabelValues(
    const prometheus::LabelValuesQuery& query) {
  co_return co_await client_.LabelValues(query);
}

}  // namespace nfmetrics::service
