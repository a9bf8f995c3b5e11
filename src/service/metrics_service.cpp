#include "service/metrics_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
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

using WakeUp = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

struct MetricsService::Flight {
  std::optional<Result<prometheus::Matrix>> result;  // set before the waiters are woken
  std::vector<std::shared_ptr<WakeUp>> waiters;      // buffered: a wake-up is never lost
};

MetricsService::MetricsService(prometheus::Client& client, MetricsServiceOptions options)
    : client_(client), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    };
  }
  if (options_.cache_max_bytes > 0) {
    cache_ = std::make_unique<ResultsCache>(options_.cache_max_bytes, options_.shared_cache);
  }
}

MetricsService::~MetricsService() = default;

asio::awaitable<Result<prometheus::Matrix>> MetricsService::Fetch(
    const prometheus::RangeQuery& query) {
  std::string key =
      fmt::format("{}\n{}\n{}\n{}", query.promql, query.start.time_since_epoch().count(),
                  query.end.time_since_epoch().count(), query.step.count());
  std::shared_ptr<Flight> flight;
  std::shared_ptr<WakeUp> wake_up;
  {
    std::lock_guard lock(flights_mutex_);
    auto it = flights_.find(key);
    if (it != flights_.end()) {
      flight = it->second;
      wake_up = std::make_shared<WakeUp>(co_await asio::this_coro::executor, 1);
      flight->waiters.push_back(wake_up);
    } else {
      flight = std::make_shared<Flight>();
      flights_.emplace(key, flight);
    }
  }
  if (wake_up) {  // the same query is in flight: wait for its answer
    co_await wake_up->async_receive(asio::as_tuple(asio::use_awaitable));
    co_return *flight->result;
  }
  std::optional<Result<prometheus::Matrix>> result;
  try {
    result.emplace(co_await client_.QueryRange(query));
  } catch (const std::exception& e) {
    result.emplace(Error{ErrorCode::kInternal, e.what(), ""});
  }
  std::vector<std::shared_ptr<WakeUp>> waiters;
  {
    std::lock_guard lock(flights_mutex_);
    flight->result = *result;
    waiters = std::move(flight->waiters);
    flights_.erase(key);
  }
  for (const auto& waiter : waiters) waiter->try_send(boost::system::error_code());
  co_return std::move(*result);
}

asio::awaitable<Result<MetricsService::Answers>> MetricsService::Ask(
    const prometheus::RangeQuery& query, bool bypass) {
  if (!cache_ || bypass) {
    Result<prometheus::Matrix> matrix = co_await Fetch(query);
    if (!matrix.ok()) co_return std::move(matrix).error();
    Answers answers{{}, CacheOutcome::kBypass};
    answers.matrices.push_back(std::move(matrix).value());
    co_return answers;
  }
  const std::string key = fmt::format("{}\n{}", query.promql, query.step.count());
  const StepRange range{query.start, query.end};
  ResultsCache::Lookup lookup = co_await cache_->FindShared(key, range, query.step);
  std::vector<prometheus::Series> series = std::move(lookup.cached);
  std::vector<std::string> warnings;
  for (const StepRange& missing : lookup.missing) {
    // A named variable, not a temporary: g++ 12 destroys aggregate temporaries in a co_await
    // expression twice.
    const prometheus::RangeQuery part{query.promql, missing.start, missing.end, query.step};
    Result<prometheus::Matrix> answer = co_await Fetch(part);
    if (!answer.ok()) co_return std::move(answer).error();
    for (std::string& warning : answer->warnings) warnings.push_back(std::move(warning));
    series = MergeSeries(std::move(series), std::move(answer->series));
  }
  if (warnings.empty() && !lookup.missing.empty()) {
    TimePoint horizon = AlignToStep(options_.clock() - options_.cache_freshness, query.step);
    cache_->Store(key, range, query.step, series, horizon);
  }
  Answers answers{{},
                  lookup.missing.empty() ? CacheOutcome::kHit
                  : lookup.covered       ? CacheOutcome::kPartial
                                         : CacheOutcome::kMiss};
  answers.matrices.push_back({std::move(series), std::move(warnings)});
  co_return answers;
}

asio::awaitable<Result<MetricsService::Answers>> MetricsService::RunAll(
    const std::vector<prometheus::RangeQuery>& queries, bool bypass_cache) {
  if (queries.size() == 1) co_return co_await Ask(queries.front(), bypass_cache);

  // co_spawn needs a default-constructible result, which Result is not: wrap it in an optional.
  using Answer = std::optional<Result<Answers>>;
  auto ask = [this, bypass_cache](const prometheus::RangeQuery& query) -> asio::awaitable<Answer> {
    co_return co_await Ask(query, bypass_cache);
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
  Answers all;
  for (std::size_t i = 0; i < results.size(); ++i) {
    Answer& answer = results[i];
    if (!answer) co_return Error{ErrorCode::kInternal, "a concurrent query did not complete", ""};
    if (!answer->ok()) co_return std::move(*answer).error();
    all.cache = i == 0 ? (*answer)->cache : Combine(all.cache, (*answer)->cache);
    all.matrices.push_back(std::move((*answer)->matrices.front()));
  }
  co_return all;
}

asio::awaitable<Result<MetricResult>> MetricsService::Query(const MetricRequest& request,
                                                            bool bypass_cache) {
  Result<QueryPlan> plan = PlanMetric(request, options_.limits);
  if (!plan.ok()) co_return std::move(plan).error();
  std::vector<prometheus::RangeQuery> queries;
  for (const PlannedQuery& planned : plan->queries) {
    queries.push_back({planned.promql, plan->start, plan->end, plan->step});
  }
  Result<Answers> answers = co_await RunAll(queries, bypass_cache);
  if (!answers.ok()) co_return std::move(answers).error();
  // Counted before shaping, which is the costly part: all-null series, which shaping drops, count.
  std::size_t series = 0;
  for (const prometheus::Matrix& matrix : answers->matrices) series += matrix.series.size();
  if (Status fits = CheckSeriesCount(series, options_.limits); !fits.ok()) {
    co_return std::move(fits).error();
  }
  MetricResult result = ShapeMetric(request, std::move(plan).value(), std::move(answers->matrices));
  result.cache = answers->cache;
  co_return result;
}

asio::awaitable<Result<std::vector<std::string>>> MetricsService::List(
    const ListingRequest& request) {
  const prometheus::LabelValuesQuery query = ListingQuery(request);
  Result<std::vector<std::string>> values = co_await client_.LabelValues(query);
  if (!values.ok()) co_return std::move(values).error();
  co_return ListedValues(request, std::move(values).value());
}

}  // namespace nfmetrics::service
