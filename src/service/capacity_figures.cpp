// A capacity answer's figures from the answers to its queries: the days, their trends and the
// load/latency deciles.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "nfmetrics/service/timestamp.hpp"
#include "service/capacity_plan.hpp"
#include "service/diagnosis_plan.hpp"

namespace nfmetrics::service {
namespace {

std::optional<double> Finite(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

// Every step with a finite value, by time. The queries aggregate to one series; should an engine
// answer more, the first finite value at a step wins.
std::map<TimePoint, double> FiniteSteps(const prometheus::Matrix& answer) {
  std::map<TimePoint, double> steps;
  for (const prometheus::Series& series : answer.series) {
    for (const Sample& sample : series.samples) {
      if (std::isfinite(sample.value)) steps.emplace(sample.timestamp, sample.value);
    }
  }
  return steps;
}

std::optional<std::int64_t> WholeNumber(std::optional<double> value) {
  if (!value) return std::nullopt;
  return std::llround(*value);
}

}  // namespace

std::vector<std::optional<double>> PerDayValues(const prometheus::Matrix& answer, TimePoint first,
                                                int days) {
  std::vector<std::optional<double>> values(static_cast<std::size_t>(days));
  for (const auto& [t, value] : FiniteSteps(answer)) {
    const Duration since_first = t - kDay - first;
    if (since_first.count() < 0 || since_first % kDay != Duration::zero()) continue;
    const auto day = static_cast<std::size_t>(since_first / kDay);
    if (day < values.size()) values[day] = Finite(value);
  }
  return values;
}

Trend FitTrend(const std::vector<std::optional<double>>& values, int horizon) {
  Trend trend;
  double n = 0;
  double sum_x = 0;
  double sum_y = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    n += 1;
    sum_x += static_cast<double>(i);
    sum_y += *values[i];
  }
  trend.days_used = static_cast<int>(n);
  if (trend.days_used < 2) return trend;
  const double mean_x = sum_x / n;
  const double mean_y = sum_y / n;
  double sxx = 0;
  double sxy = 0;
  double ss_tot = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    const double dx = static_cast<double>(i) - mean_x;
    const double dy = *values[i] - mean_y;
    sxx += dx * dx;
    sxy += dx * dy;
    ss_tot += dy * dy;
  }
  // Two or more distinct indices: sxx > 0.
  const double slope = sxy / sxx;
  const double intercept = mean_y - slope * mean_x;
  double ss_res = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    const double residual = *values[i] - (intercept + slope * static_cast<double>(i));
    ss_res += residual * residual;
  }
  trend.slope_per_day = slope;
  trend.intercept = intercept;
  if (ss_tot > 0) trend.r2 = 1 - ss_res / ss_tot;
  trend.projected =
      intercept + slope * (static_cast<double>(values.size()) - 1 + static_cast<double>(horizon));
  if (intercept > 0) trend.change_percent_per_week = 100 * 7 * slope / intercept;
  return trend;
}

std::vector<LoadDecile> LoadDeciles(const prometheus::Matrix& load,
                                    const prometheus::Matrix& latency) {
  // By time already (a map): a stable sort by rate keeps ties in time order.
  const std::map<TimePoint, double> loads = FiniteSteps(load);
  std::vector<std::pair<TimePoint, double>> sorted(loads.begin(), loads.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::map<TimePoint, double> latencies = FiniteSteps(latency);
  const std::size_t n = sorted.size();
  std::vector<LoadDecile> deciles;
  for (std::size_t k = 1; k <= 10; ++k) {
    const std::size_t from = (k - 1) * n / 10;
    const std::size_t to = k * n / 10;
    std::vector<double> rates;
    std::vector<double> sink;
    for (std::size_t i = from; i < to; ++i) {
      rates.push_back(sorted[i].second);
      if (auto it = latencies.find(sorted[i].first); it != latencies.end()) {
        sink.push_back(it->second);
      }
    }
    deciles.push_back({.decile = static_cast<int>(k),
                       .read_rate = Median(std::move(rates)),
                       .sink_quantile_seconds = Median(std::move(sink)),
                       .steps = static_cast<int>(to - from)});
  }
  return deciles;
}

Result<CapacityAnswer> AssembleCapacity(const CapacityRequest& request, const CapacityPlan& plan,
                                        const std::vector<prometheus::Matrix>& answers) {
  if (answers.size() != kCapacityQueryCount) {
    return Error{
        ErrorCode::kInternal,
        fmt::format("capacity: {} answers to {} queries", answers.size(), kCapacityQueryCount), ""};
  }
  const bool any = std::any_of(answers.begin(), answers.end(),
                               [](const prometheus::Matrix& m) { return !m.series.empty(); });
  if (!any) {
    const std::string object =
        request.mvtx ? fmt::format("MonoVertex {}/{}", request.ns.str(), request.mvtx->str())
                     : fmt::format("vertex {}/{}/{}", request.ns.str(), request.pipeline->str(),
                                   request.vertex->str());
    return Error{ErrorCode::kNotFound,
                 fmt::format("{} has no metrics between {} and {}", object,
                             FormatRfc3339(plan.first), FormatRfc3339(plan.today)),
                 request.mvtx ? "mvtx" : "vertex"};
  }
  auto per_day = [&](CapacityPart part) {
    return PerDayValues(answers[static_cast<std::size_t>(part)], plan.first, request.days);
  };
  const auto mean = per_day(CapacityPart::kReadRateMean);
  const auto peak = per_day(CapacityPart::kReadRatePeak);
  const auto sink = per_day(CapacityPart::kSinkQuantile);
  const auto processing = per_day(CapacityPart::kProcessingQuantile);
  const auto pods = per_day(CapacityPart::kPodsMax);

  CapacityAnswer capacity{.request = request, .start = plan.first, .end = plan.today};
  for (std::size_t i = 0; i < static_cast<std::size_t>(request.days); ++i) {
    capacity.days.push_back({.date = plan.first + static_cast<int>(i) * kDay,
                             .read_rate_mean = mean[i],
                             .read_rate_peak = peak[i],
                             .sink_quantile_seconds = sink[i],
                             .processing_quantile_seconds = processing[i],
                             .pods_max = WholeNumber(pods[i])});
  }
  capacity.trend = {.read_rate_peak = FitTrend(peak, request.horizon),
                    .sink_quantile_seconds = FitTrend(sink, request.horizon),
                    .processing_quantile_seconds = FitTrend(processing, request.horizon)};
  capacity.load_latency =
      LoadDeciles(answers[static_cast<std::size_t>(CapacityPart::kLoad)],
                  answers[static_cast<std::size_t>(CapacityPart::kLoadLatency)]);
  for (const prometheus::RangeQuery& query : plan.queries) capacity.queries.push_back(query.promql);
  return capacity;
}

}  // namespace nfmetrics::service
