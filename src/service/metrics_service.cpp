#include "nfmetrics/service/metrics_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "service/capacity_plan.hpp"
#include "service/diagnosis_plan.hpp"
#include "service/listing_query.hpp"
#include "service/proxy_plan.hpp"
#include "service/range_split.hpp"
#include "service/results_cache.hpp"
#include "service/shaping.hpp"

namespace nfmetrics::service {

namespace asio = boost::asio;

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
  const std::vector<StepRange> ranges =
      SplitRange({query.start, query.end}, query.step, options_.split_interval);
  if (ranges.size() <= 1) co_return co_await AskCached(query, WholeQueryKey(query), bypass, false);
  std::vector<prometheus::RangeQuery> parts;
  parts.reserve(ranges.size());
  for (const StepRange& range : ranges) {
    parts.push_back({query.promql, range.start, range.end, query.step});
  }
  co_return co_await AskSplit(std::move(parts), bypass);
}

// The parts of one split query and their answers, shared by the workers that ask them. Workers take
// the next part in order; each answer has its own slot, written by one worker.
struct MetricsService::SplitRun {
  std::vector<prometheus::RangeQuery> parts;
  std::vector<std::optional<Result<Answers>>> answers;  // one per part
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};  // a part failed: the others are not started
};

asio::awaitable<void> MetricsService::AskParts(SplitRun& run, bool bypass) {
  for (std::size_t i = run.next++; i < run.parts.size() && !run.failed; i = run.next++) {
    const prometheus::RangeQuery& part = run.parts[i];
    const std::string key = PartQueryKey(part, IntervalStart(part.start, options_.split_interval),
                                         options_.split_interval);
    Result<Answers> answer = co_await AskCached(part, key, bypass, true);
    if (!answer.ok()) {
      run.failed = true;
    } else if (options_.on_split_part) {
      options_.on_split_part(answer->cache);
    }
    run.answers[i].emplace(std::move(answer));
  }
}

asio::awaitable<Result<MetricsService::Answers>> MetricsService::AskSplit(
    std::vector<prometheus::RangeQuery> parts, bool bypass) {
  if (options_.on_split) options_.on_split(parts.size());
  SplitRun run;
  run.answers.resize(parts.size());
  run.parts = std::move(parts);
  const std::size_t workers =
      std::min(run.parts.size(), std::max<std::size_t>(1, options_.split_parallelism));
  auto executor = co_await asio::this_coro::executor;
  using Operation =
      decltype(asio::co_spawn(executor, std::declval<asio::awaitable<void>>(), asio::deferred));
  std::vector<Operation> operations;
  operations.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    operations.push_back(asio::co_spawn(executor, AskParts(run, bypass), asio::deferred));
  }
  auto [order, exceptions] =
      co_await asio::experimental::make_parallel_group(std::move(operations))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const std::exception_ptr& exception : exceptions) {
    if (exception) std::rethrow_exception(exception);
  }
  // The first failure in time order; parts after it may not have been asked.
  for (std::optional<Result<Answers>>& answer : run.answers) {
    if (answer && !answer->ok()) co_return std::move(*answer).error();
  }
  Answers joined;
  std::vector<prometheus::Series> series;
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < run.answers.size(); ++i) {
    std::optional<Result<Answers>>& answer = run.answers[i];
    if (!answer) co_return Error{ErrorCode::kInternal, "a part of a split query did not run", ""};
    Answers& part = answer->value();
    joined.cache = i == 0 ? part.cache : Combine(joined.cache, part.cache);
    prometheus::Matrix& matrix = part.matrices.front();
    for (prometheus::Series& s : matrix.series) series.push_back(std::move(s));
    for (std::string& warning : matrix.warnings) {
      if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
        warnings.push_back(std::move(warning));
      }
    }
  }
  // Parts are disjoint in time: joining by labels puts each series' samples end to end.
  joined.matrices.push_back({MergeSeries(std::move(series), {}), std::move(warnings)});
  co_return joined;
}

asio::awaitable<Result<MetricsService::Answers>> MetricsService::AskCached(
    const prometheus::RangeQuery& query, const std::string& key, bool bypass, bool part) {
  if (!cache_ || bypass) {
    Result<prometheus::Matrix> matrix = co_await Fetch(query);
    if (!matrix.ok()) co_return std::move(matrix).error();
    Answers answers{{}, CacheOutcome::kBypass};
    answers.matrices.push_back(std::move(matrix).value());
    co_return answers;
  }
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
    cache_->Store(key, range, query.step, series, horizon, part);
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

asio::awaitable<Result<ProxyAnswer>> MetricsService::Proxy(const ProxyQuery& query,
                                                           bool bypass_cache) {
  Result<prometheus::RangeQuery> planned = PlanProxy(query, options_.limits);
  if (!planned.ok()) co_return std::move(planned).error();
  std::vector<prometheus::RangeQuery> queries{std::move(planned).value()};
  Result<Answers> answers = co_await RunAll(queries, bypass_cache);
  if (!answers.ok()) co_return std::move(answers).error();
  prometheus::Matrix& matrix = answers->matrices.front();
  if (Status fits = CheckSeriesCount(matrix.series.size(), options_.limits); !fits.ok()) {
    co_return std::move(fits).error();
  }
  co_return ProxyAnswer{std::move(matrix.series), answers->cache};
}

asio::awaitable<Result<Diagnosis>> MetricsService::Diagnose(const DiagnosisRequest& request,
                                                            bool bypass_cache) {
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, options_.limits);
  if (!plan.ok()) co_return std::move(plan).error();
  const std::vector<prometheus::RangeQuery> queries = EngineQueries(*plan);
  Result<Answers> answers = co_await RunAll(queries, bypass_cache);
  if (!answers.ok()) co_return std::move(answers).error();
  for (const prometheus::Matrix& matrix : answers->matrices) {
    if (Status fits = CheckSeriesCount(matrix.series.size(), options_.limits); !fits.ok()) {
      co_return std::move(fits).error();
    }
  }
  Result<Diagnosis> diagnosis = AssembleDiagnosis(request, *plan, answers->matrices);
  if (diagnosis.ok()) diagnosis->cache = answers->cache;
  co_return diagnosis;
}

asio::awaitable<Result<CapacityAnswer>> MetricsService::Capacity(const CapacityRequest& request,
                                                                 bool bypass_cache) {
  // The service's own queries: no points limit (90 days at 5m is more than one engine query may
  // have; RunAll splits them by day), the series limit per answer as a diagnosis has it.
  const CapacityPlan plan = PlanCapacity(request, options_.clock());
  Result<Answers> answers = co_await RunAll(plan.queries, bypass_cache);
  if (!answers.ok()) co_return std::move(answers).error();
  for (const prometheus::Matrix& matrix : answers->matrices) {
    if (Status fits = CheckSeriesCount(matrix.series.size(), options_.limits); !fits.ok()) {
      co_return std::move(fits).error();
    }
  }
  Result<CapacityAnswer> capacity = AssembleCapacity(request, plan, answers->matrices);
  if (capacity.ok()) capacity->cache = answers->cache;
  co_return capacity;
}

asio::awaitable<Status> MetricsService::Ready() {
  Status ready = co_await client_.CheckReady();
  if (ready.ok()) co_return ready;
  Error cause = std::move(ready).error();
  co_return Error{.code = ErrorCode::kNotReady,
                  .message = std::move(cause.message),
                  .retry_after_seconds = cause.retry_after_seconds,
                  .cause = cause.code};
}

asio::awaitable<Result<std::vector<std::string>>> MetricsService::List(
    const ListingRequest& request) {
  const prometheus::LabelValuesQuery query = ListingQuery(request);
  Result<std::vector<std::string>> values = co_await client_.LabelValues(query);
  if (!values.ok()) co_return std::move(values).error();
  co_return ListedValues(request, std::move(values).value());
}

}  // namespace nfmetrics::service
