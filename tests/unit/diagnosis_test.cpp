// The diagnosis's request rules, its plan, and the figures and findings made from answers given
// here by hand (the integration tests check them against a real engine and the synthetic model).
#include "nfmetrics/service/diagnosis.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "service/diagnosis_plan.hpp"

namespace nfmetrics::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;

TimePoint At(std::int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

constexpr std::int64_t kNow = 1795467659;

Result<DiagnosisRequest> Parse(Params params) { return ParseDiagnosisRequest(params, At(kNow)); }

std::string ParamOf(const Result<DiagnosisRequest>& result) {
  return result.ok() ? "(accepted)" : result.error().param;
}

TEST(DiagnosisRequest, DefaultsToTheLastHourTheP99AndADayEarlier) {
  Result<DiagnosisRequest> request = Parse({{"namespace", "default"}, {"mvtx", "orders"}});
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->ns.str(), "default");
  EXPECT_EQ(request->mvtx->str(), "orders");
  EXPECT_FALSE(request->pipeline);
  EXPECT_EQ(request->end, At(kNow));
  EXPECT_EQ(request->start, At(kNow) - hours(1));
  EXPECT_EQ(request->quantile, 0.99);
  EXPECT_EQ(request->baseline, Baseline::kOneDay);
}

TEST(DiagnosisRequest, ReadsEveryParameter) {
  Result<DiagnosisRequest> request = Parse({{"namespace", "default"},
                                            {"pipeline", "shop"},
                                            {"start", "1795460000"},
                                            {"end", "1795464000"},
                                            {"quantile", "0.5"},
                                            {"baseline", "7d"}});
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->pipeline->str(), "shop");
  EXPECT_EQ(request->start, At(1795460000));
  EXPECT_EQ(request->end, At(1795464000));
  EXPECT_EQ(request->quantile, 0.5);
  EXPECT_EQ(request->baseline, Baseline::kSevenDays);
  EXPECT_EQ(Parse({{"namespace", "a"}, {"mvtx", "b"}, {"baseline", "none"}})->baseline,
            Baseline::kNone);
}

TEST(DiagnosisRequest, NamesTheParameterAtFault) {
  EXPECT_EQ(ParamOf(Parse({{"mvtx", "orders"}})), "namespace");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}})), "mvtx");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"pipeline", "b"}})),
            "pipeline");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "Default"}, {"mvtx", "a"}})), "namespace");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "x\"} or vector(1) #"}})), "mvtx");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"pipeline", "a_b"}})), "pipeline");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"step", "1m"}})), "step");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"pod", "p"}})), "pod");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"quantile", "1.5"}})),
            "quantile");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"baseline", "2d"}})),
            "baseline");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"mvtx", "b"}})), "mvtx");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"}, {"mvtx", "a"}, {"start", "soon"}})), "start");
  EXPECT_EQ(ParamOf(Parse({{"namespace", "default"},
                           {"mvtx", "a"},
                           {"start", "1795460000"},
                           {"end", "1795450000"}})),
            "end");
  Result<DiagnosisRequest> unknown =
      Parse({{"namespace", "default"}, {"mvtx", "a"}, {"group_by", "pod"}});
  EXPECT_THAT(unknown.error().message, HasSubstr("group_by"));
  EXPECT_THAT(unknown.error().message, HasSubstr("accepted: namespace, mvtx, pipeline"));
}

DiagnosisRequest MonoVertexRequest(Baseline baseline = Baseline::kOneDay) {
  DiagnosisRequest request{.ns = *Namespace::Parse("payments"),
                           .mvtx = *MonoVertexName::Parse("refunds"),
                           .start = At(kNow) - hours(1),
                           .end = At(kNow),
                           .quantile = 0.9,
                           .baseline = baseline};
  return request;
}

DiagnosisRequest PipelineRequest(Baseline baseline = Baseline::kOneDay) {
  DiagnosisRequest request{.ns = *Namespace::Parse("default"),
                           .pipeline = *PipelineName::Parse("shop"),
                           .start = At(kNow) - hours(1),
                           .end = At(kNow),
                           .baseline = baseline};
  return request;
}

TEST(DiagnosisPlan, IsAFixedSmallSetOfQueriesOverTheRangeTheMetricsApiAligns) {
  Result<DiagnosisPlan> plan = PlanDiagnosis(MonoVertexRequest(), {});
  ASSERT_TRUE(plan.ok());
  Result<PlannedRange> range =
      PlanRange({.start = At(kNow) - hours(1), .end = At(kNow), .step = std::nullopt}, {});
  EXPECT_EQ(plan->range.start, range->start);
  EXPECT_EQ(plan->range.end, range->end);
  EXPECT_EQ(plan->range.step, range->step);
  EXPECT_EQ(plan->window, minutes(5));
  EXPECT_EQ(plan->queries.size(), 7U);
  EXPECT_EQ(PlanDiagnosis(MonoVertexRequest(Baseline::kNone), {})->queries.size(), 6U);
  EXPECT_EQ(PlanDiagnosis(PipelineRequest(), {})->queries.size(), 4U);
  EXPECT_EQ(PlanDiagnosis(PipelineRequest(Baseline::kNone), {})->queries.size(), 3U);

  const std::vector<prometheus::RangeQuery> queries = EngineQueries(*plan);
  ASSERT_EQ(queries.size(), plan->queries.size());
  int per_step = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    EXPECT_EQ(queries[i].end, plan->range.end);
    EXPECT_EQ(queries[i].step, plan->range.step);
    // Every query but the per-pod steps is one instant at the end of the range.
    if (plan->queries[i].per_step) {
      ++per_step;
      EXPECT_EQ(queries[i].start, plan->range.start);
      EXPECT_EQ(plan->queries[i].part, DiagnosisPart::kPodSteps);
    } else {
      EXPECT_EQ(queries[i].start, plan->range.end);
    }
    EXPECT_THAT(queries[i].promql, HasSubstr(R"(namespace="payments",mvtx_name="refunds")"));
  }
  EXPECT_EQ(per_step, 1);
  const std::string length =
      fmt::format("[{}s]", (plan->range.end - plan->range.start).count() / 1000);
  EXPECT_THAT(plan->queries[0].promql, HasSubstr("increase(monovtx_udf_time_count"));
  EXPECT_THAT(plan->queries[0].promql, HasSubstr(length));
  EXPECT_THAT(plan->queries[2].promql, HasSubstr("histogram_quantile(0.9, sum by (le)"));
  EXPECT_THAT(plan->queries[6].promql, HasSubstr("offset 1d"));
  EXPECT_THAT(PlanDiagnosis(MonoVertexRequest(Baseline::kSevenDays), {})->queries[6].promql,
              HasSubstr("offset 7d"));
}

TEST(DiagnosisPlan, RefusesARangeTooShortOrTooLong) {
  DiagnosisRequest request = MonoVertexRequest();
  request.start = request.end - seconds(30);
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, {});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().param, "start");
  request.start = request.end - hours(48);
  plan = PlanDiagnosis(request, {.max_range = hours(24)});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().param, "start");
}

TEST(Median, TakesTheMiddleOrTheMeanOfTheMiddleTwo) {
  EXPECT_FALSE(Median({}));
  EXPECT_EQ(*Median({3, 1, 2}), 2);
  EXPECT_EQ(*Median({5, 1, 2, 50}), 3.5);
}

prometheus::Series PodSeries(std::string pod, std::vector<std::pair<std::int64_t, double>> points) {
  prometheus::Series series{{{"pod", std::move(pod)}}, {}};
  for (auto [t, v] : points) series.samples.push_back({At(t), v});
  return series;
}

TEST(SlowSince, IsTheFirstStepOfTheTrailingRunAtTwiceTheMedian) {
  // Pod d is 10x its peers from t=300, but was fast at t=200; it has no value at t=400.
  std::vector<prometheus::Series> steps = {
      PodSeries("a", {{100, 1}, {200, 1}, {300, 1}, {400, 1}, {500, 1}}),
      PodSeries("b", {{100, 1.2}, {200, 1.1}, {300, 1.2}, {400, 1}, {500, 1.1}}),
      PodSeries("c", {{100, 0.9}, {200, 1}, {300, 1}, {400, 1}, {500, 0.9}}),
      PodSeries("d", {{100, 10}, {200, 1}, {300, 10}, {500, 12}}),
  };
  EXPECT_EQ(SlowSince(steps, "d"), At(300));
  EXPECT_EQ(SlowSince(steps, "a"), std::nullopt);
  // Slow at every step: since the first.
  steps[3] = PodSeries("d", {{100, 10}, {200, 10}, {300, 10}, {400, 10}, {500, 10}});
  EXPECT_EQ(SlowSince(steps, "d"), At(100));
  // Back to normal at the last step: not slow "since" anything.
  steps[3] = PodSeries("d", {{100, 10}, {200, 10}, {300, 10}, {400, 10}, {500, 1}});
  EXPECT_EQ(SlowSince(steps, "d"), std::nullopt);
  // NaN (no batches at that step) is no value.
  steps[3] = PodSeries("d", {{100, 1}, {200, 10}, {300, 10}, {400, NAN}, {500, 10}});
  EXPECT_EQ(SlowSince(steps, "d"), At(200));
}

prometheus::Series Tagged(std::string label, std::string value, double v) {
  return {{{std::move(label), std::move(value)}}, {{At(kNow), v}}};
}

prometheus::Series Tagged2(std::string l1, std::string v1, std::string l2, std::string v2,
                           double v) {
  Labels labels = {{std::move(l1), std::move(v1)}, {std::move(l2), std::move(v2)}};
  std::sort(labels.begin(), labels.end());
  return {std::move(labels), {{At(kNow), v}}};
}

// Answers for a MonoVertex: udf dominates, pod p3 is 8x its peers at the end of the range,
// the sink is 4x slower than a day earlier, errors are 2% of reads and reads halved.
std::vector<prometheus::Matrix> MonoVertexAnswers(const DiagnosisPlan& plan) {
  std::vector<prometheus::Matrix> answers(plan.queries.size());
  for (std::size_t i = 0; i < plan.queries.size(); ++i) {
    auto& series = answers[i].series;
    switch (plan.queries[i].part) {
      case DiagnosisPart::kStageBatches:
        series = {Tagged("stage", "read", 1000), Tagged("stage", "udf", 1000),
                  Tagged("stage", "sink", 1000), Tagged("stage", "ack", 1000),
                  Tagged("stage", "transformer", 0)};
        break;
      case DiagnosisPart::kStageSums:  // µs: read 1 ms, udf 60 ms, sink 15 ms, ack 4 ms
        series = {Tagged("stage", "read", 1e6), Tagged("stage", "udf", 60e6),
                  Tagged("stage", "sink", 15e6), Tagged("stage", "ack", 4e6),
                  Tagged("stage", "transformer", 0)};
        break;
      case DiagnosisPart::kStageQuantiles:
        series = {Tagged("stage", "read", 2000), Tagged("stage", "udf", 90000),
                  Tagged("stage", "sink", 40000), Tagged("stage", "ack", 8000),
                  Tagged("stage", "transformer", NAN)};
        break;
      case DiagnosisPart::kPodQuantiles:
        series = {Tagged("pod", "p0", 10000), Tagged("pod", "p1", 11000), Tagged("pod", "p2", 9000),
                  Tagged("pod", "p3", 80000), Tagged("pod", "idle", NAN)};
        break;
      case DiagnosisPart::kPodSteps:
        series = {PodSeries("p0", {{kNow - 60, 10000}, {kNow, 10000}}),
                  PodSeries("p1", {{kNow - 60, 11000}, {kNow, 11000}}),
                  PodSeries("p2", {{kNow - 60, 9000}, {kNow, 9000}}),
                  PodSeries("p3", {{kNow - 60, 12000}, {kNow, 90000}})};
        break;
      case DiagnosisPart::kNow:
        series = {Tagged("figure", "processing", 150000), Tagged("figure", "read_rate", 100),
                  Tagged("figure", "sink_errors", 2),     Tagged("figure", "dropped", 0),
                  Tagged("figure", "pending_first", 100), Tagged("figure", "pending_last", 350)};
        break;
      case DiagnosisPart::kBaseline:
        series = {Tagged("figure", "sink", 10000), Tagged("figure", "processing", 140000),
                  Tagged("figure", "read_rate", 200)};
        break;
      default:
        break;
    }
  }
  return answers;
}

TEST(AssembleDiagnosis, MonoVertexStagesPodsBaselineAndFindings) {
  const DiagnosisRequest request = MonoVertexRequest();
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, {});
  Result<Diagnosis> diagnosis = AssembleDiagnosis(request, *plan, MonoVertexAnswers(*plan));
  ASSERT_TRUE(diagnosis.ok()) << diagnosis.error().message;

  // Stages in stage order, those without batches left out; shares of the summed means.
  ASSERT_EQ(diagnosis->stages.size(), 4U);
  EXPECT_EQ(diagnosis->stages[0].stage, "read");
  EXPECT_EQ(diagnosis->stages[1].stage, "udf");
  EXPECT_EQ(diagnosis->stages[1].metric, "monovtx_udf_time");
  EXPECT_EQ(diagnosis->stages[2].stage, "sink");
  EXPECT_EQ(diagnosis->stages[3].stage, "ack");
  EXPECT_DOUBLE_EQ(*diagnosis->stages[1].mean_seconds, 0.060);
  EXPECT_DOUBLE_EQ(*diagnosis->stages[1].quantile_seconds, 0.090);
  EXPECT_DOUBLE_EQ(*diagnosis->stages[1].share, 60.0 / 80.0);
  EXPECT_DOUBLE_EQ(*diagnosis->stages[2].share, 15.0 / 80.0);
  EXPECT_EQ(diagnosis->bottleneck_stage, "udf");

  // Pods with sink batches, slowest first; the median of 9, 10, 11 and 80 ms is 10.5 ms.
  ASSERT_EQ(diagnosis->pods.size(), 4U);
  EXPECT_EQ(diagnosis->pods[0].pod, "p3");
  EXPECT_DOUBLE_EQ(*diagnosis->pods[0].ratio_to_median, 80.0 / 10.5);
  EXPECT_TRUE(diagnosis->pods[0].outlier);
  EXPECT_EQ(diagnosis->pods[0].since, At(kNow));
  EXPECT_EQ(diagnosis->pods[1].pod, "p1");
  EXPECT_FALSE(diagnosis->pods[1].outlier);
  EXPECT_FALSE(diagnosis->pods[1].since);
  EXPECT_EQ(diagnosis->pods[3].pod, "p2");

  ASSERT_TRUE(diagnosis->baseline);
  EXPECT_DOUBLE_EQ(*diagnosis->baseline->sink.now, 0.040);
  EXPECT_DOUBLE_EQ(*diagnosis->baseline->sink.baseline, 0.010);
  EXPECT_DOUBLE_EQ(*diagnosis->baseline->sink.ratio, 4);
  EXPECT_DOUBLE_EQ(*diagnosis->baseline->read_rate.ratio, 0.5);
  EXPECT_DOUBLE_EQ(*diagnosis->sink_write_errors_per_second, 2);
  EXPECT_DOUBLE_EQ(*diagnosis->pending.growth, 250);

  std::vector<std::string> kinds;
  for (const Finding& finding : diagnosis->findings) {
    kinds.push_back(std::string(FindingKindName(finding.kind)) + ":" +
                    std::string(SeverityName(finding.severity)) + ":" + finding.subject);
  }
  // Critical first: the pod at 7.6x, the sink at 4x a day earlier, errors at 2% of reads, pending
  // +250%; then the warnings.
  EXPECT_THAT(kinds, ::testing::ElementsAre(
                         "slow_pod:critical:p3", "latency_regression:critical:refunds",
                         "sink_errors:critical:refunds", "backlog_growing:warning:refunds",
                         "throughput_drop:warning:refunds", "bottleneck_stage:warning:udf"));
  EXPECT_THAT(diagnosis->findings[0].message,
              HasSubstr("pod p3: sink p90 80 ms, 7.6x the median of 4 pods, since"));
  EXPECT_EQ(diagnosis->findings[0].since, At(kNow));
  EXPECT_THAT(diagnosis->findings[1].message, HasSubstr("4.0x"));
  EXPECT_EQ(diagnosis->queries.size(), plan->queries.size());
}

TEST(AssembleDiagnosis, WithoutABaselineThereIsNoComparison) {
  const DiagnosisRequest request = MonoVertexRequest(Baseline::kNone);
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, {});
  Result<Diagnosis> diagnosis = AssembleDiagnosis(request, *plan, MonoVertexAnswers(*plan));
  ASSERT_TRUE(diagnosis.ok());
  EXPECT_FALSE(diagnosis->baseline);
  for (const Finding& finding : diagnosis->findings) {
    EXPECT_NE(finding.kind, FindingKind::kLatencyRegression);
    EXPECT_NE(finding.kind, FindingKind::kThroughputDrop);
  }
}

TEST(AssembleDiagnosis, AnObjectTheEngineHasNothingOfIsNotFound) {
  const DiagnosisRequest request = MonoVertexRequest();
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, {});
  Result<Diagnosis> diagnosis =
      AssembleDiagnosis(request, *plan, std::vector<prometheus::Matrix>(plan->queries.size()));
  ASSERT_FALSE(diagnosis.ok());
  EXPECT_EQ(diagnosis.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(diagnosis.error().param, "mvtx");
}

std::vector<prometheus::Matrix> PipelineAnswers(const DiagnosisPlan& plan, double out_growth) {
  std::vector<prometheus::Matrix> answers(plan.queries.size());
  for (std::size_t i = 0; i < plan.queries.size(); ++i) {
    auto& series = answers[i].series;
    switch (plan.queries[i].part) {
      case DiagnosisPart::kVertexRates:
        for (auto [vertex, type] :
             {std::pair{"out", "Sink"}, std::pair{"enrich", "MapUDF"}, std::pair{"in", "Source"}}) {
          Labels labels = {{"figure", "read_rate"}, {"vertex", vertex}, {"vertex_type", type}};
          series.push_back({labels, {{At(kNow), 75}}});
          labels[0].second = "write_rate";
          series.push_back({labels, {{At(kNow), 70}}});
        }
        break;
      case DiagnosisPart::kVertexPending:
        for (auto [vertex, first, mean] :
             {std::tuple{"in", 100.0, 100.0}, std::tuple{"enrich", 300.0, 310.0},
              std::tuple{"out", 200.0, 200.0 + out_growth / 2}}) {
          series.push_back(Tagged2("figure", "mean", "vertex", vertex, mean));
          series.push_back(Tagged2("figure", "first", "vertex", vertex, first));
          const double growth = std::string_view(vertex) == "out" ? out_growth : 0;
          series.push_back(Tagged2("figure", "last", "vertex", vertex, first + growth));
        }
        break;
      case DiagnosisPart::kVertexQuantiles:
        series = {Tagged("vertex", "in", 5000), Tagged("vertex", "enrich", 50000),
                  Tagged("vertex", "out", 20000)};
        break;
      case DiagnosisPart::kVertexBaseline:
        series = {Tagged("vertex", "in", 5000), Tagged("vertex", "enrich", 20000),
                  Tagged("vertex", "out", 20000)};
        break;
      default:
        break;
    }
  }
  return answers;
}

TEST(AssembleDiagnosis, PipelineBottleneckIsTheLargestGrowingBacklogElseTheSlowest) {
  const DiagnosisRequest request = PipelineRequest();
  Result<DiagnosisPlan> plan = PlanDiagnosis(request, {});
  Result<Diagnosis> growing = AssembleDiagnosis(request, *plan, PipelineAnswers(*plan, 5000));
  ASSERT_TRUE(growing.ok()) << growing.error().message;
  ASSERT_EQ(growing->vertices.size(), 3U);
  EXPECT_EQ(growing->vertices[0].vertex, "in");  // sources first, sinks last
  EXPECT_EQ(growing->vertices[1].vertex, "enrich");
  EXPECT_EQ(growing->vertices[2].vertex, "out");
  EXPECT_EQ(growing->vertices[2].vertex_type, "Sink");
  EXPECT_DOUBLE_EQ(*growing->vertices[2].pending_growth, 5000);
  EXPECT_DOUBLE_EQ(*growing->vertices[1].processing_quantile_seconds, 0.05);
  EXPECT_EQ(growing->bottleneck_vertex, "out");
  EXPECT_TRUE(growing->vertices[2].bottleneck);
  std::vector<std::string> kinds;
  for (const Finding& finding : growing->findings) {
    kinds.push_back(std::string(FindingKindName(finding.kind)) + ":" + finding.subject);
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre("backlog_growing:out", "latency_regression:enrich",
                                            "bottleneck_vertex:out"));

  Result<Diagnosis> steady = AssembleDiagnosis(request, *plan, PipelineAnswers(*plan, 0));
  ASSERT_TRUE(steady.ok());
  EXPECT_EQ(steady->bottleneck_vertex, "enrich");  // the slowest: 50 ms against 5 and 20
  EXPECT_THAT(steady->findings.back().message, HasSubstr("vertex enrich is the slowest"));
}

}  // namespace
}  // namespace nfmetrics::service
