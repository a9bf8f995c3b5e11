// What a diagnosis request means (its parameters, with the one time range parser and the one set
// of value rules) and the queries it asks. NumaFlow's histograms are in µs; the figures are
// converted to seconds when they are assembled (diagnosis_figures.cpp).
#include "service/diagnosis_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/query_plan.hpp"

namespace nfmetrics::service {
namespace {

constexpr std::array<std::string_view, 7> kAccepted = {"namespace", "mvtx",     "pipeline", "start",
                                                       "end",       "quantile", "baseline"};

// The shortest range a diagnosis reads: rate() and increase() need a few samples in it.
constexpr Duration kMinRange = std::chrono::minutes(1);

// A Prometheus duration for a whole number of milliseconds: "3600s", "1500ms".
std::string RangeText(Duration length) {
  if (length.count() % 1000 == 0) return fmt::format("{}s", length.count() / 1000);
  return fmt::format("{}ms", length.count());
}

std::string_view OffsetText(Baseline baseline) {
  return baseline == Baseline::kSevenDays ? "7d" : "1d";
}

// `expr` with the label `label` set to `value` on every series, so that several figures can share
// one query (joined with `or`).
std::string Tagged(std::string_view expr, std::string_view label, std::string_view value) {
  return fmt::format(R"(label_replace({}, "{}", "{}", "", ""))", expr, label, value);
}

// A series selector: `{label="value",...}`, every value escaped.
std::string Selector(const std::vector<Matcher>& matchers) {
  return "{" + RenderMatchers(matchers) + "}";
}

std::string JoinOr(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += " or ";
    out += part;
  }
  return out;
}

// histogram_quantile of the buckets' increase over the range (optionally `offset` earlier).
std::string RangeQuantile(double q, std::string_view metric, std::string_view selector,
                          std::string_view by, std::string_view range, std::string_view offset) {
  return fmt::format("histogram_quantile({}, sum by ({}le) (increase({}_bucket{}[{}]{})))",
                     FormatNumber(q), by, metric, selector, range,
                     offset.empty() ? "" : fmt::format(" offset {}", offset));
}

std::vector<DiagnosisQuery> MonoVertexQueries(const DiagnosisRequest& request,
                                              const std::string& range, Duration window) {
  std::vector<Matcher> matchers = {{"namespace", false, request.ns.str()},
                                   {"mvtx_name", false, request.mvtx->str()}};
  const std::string selector = Selector(matchers);
  matchers.push_back({"period", false, "default"});
  const std::string pending_selector = Selector(matchers);
  const double q = request.quantile;
  std::vector<std::string> batches;
  std::vector<std::string> sums;
  std::vector<std::string> quantiles;
  for (const Stage& stage : kStages) {
    batches.push_back(
        Tagged(fmt::format("sum(increase({}_count{}[{}]))", stage.metric, selector, range), "stage",
               stage.name));
    sums.push_back(Tagged(fmt::format("sum(increase({}_sum{}[{}]))", stage.metric, selector, range),
                          "stage", stage.name));
    quantiles.push_back(
        Tagged(RangeQuantile(q, stage.metric, selector, "", range, ""), "stage", stage.name));
  }
  std::vector<DiagnosisQuery> queries = {
      {DiagnosisPart::kStageBatches, JoinOr(batches)},
      {DiagnosisPart::kStageSums, JoinOr(sums)},
      {DiagnosisPart::kStageQuantiles, JoinOr(quantiles)},
      {DiagnosisPart::kPodQuantiles,
       RangeQuantile(q, "monovtx_sink_time", selector, "pod, ", range, "")},
      // What GET /api/v1/metrics/sink-latency?group_by=pod asks for the same range.
      {DiagnosisPart::kPodSteps,
       fmt::format(
           "histogram_quantile({}, sum by (pod, le) (rate(monovtx_sink_time_bucket{}[{}])))",
           FormatNumber(q), selector, RangeText(window)),
       /*per_step=*/true},
      {DiagnosisPart::kNow,
       JoinOr({
           Tagged(RangeQuantile(q, "monovtx_processing_time", selector, "", range, ""), "figure",
                  "processing"),
           Tagged(fmt::format("sum(rate(monovtx_read_total{}[{}]))", selector, range), "figure",
                  "read_rate"),
           Tagged(fmt::format("sum(rate(monovtx_sink_write_errors_total{}[{}]))", selector, range),
                  "figure", "sink_errors"),
           Tagged(fmt::format("sum(rate(monovtx_dropped_total{}[{}]))", selector, range), "figure",
                  "dropped"),
           Tagged(fmt::format("sum(monovtx_pending{})", pending_selector), "figure",
                  "pending_last"),
           Tagged(fmt::format("sum(monovtx_pending{} offset {})", pending_selector, range),
                  "figure", "pending_first"),
       })},
  };
  if (request.baseline != Baseline::kNone) {
    const std::string_view offset = OffsetText(request.baseline);
    queries.push_back(
        {DiagnosisPart::kBaseline,
         JoinOr({
             Tagged(RangeQuantile(q, "monovtx_sink_time", selector, "", range, offset), "figure",
                    "sink"),
             Tagged(RangeQuantile(q, "monovtx_processing_time", selector, "", range, offset),
                    "figure", "processing"),
             Tagged(fmt::format("sum(rate(monovtx_read_total{}[{}] offset {}))", selector, range,
                                offset),
                    "figure", "read_rate"),
         })});
  }
  return queries;
}

std::vector<DiagnosisQuery> PipelineQueries(const DiagnosisRequest& request,
                                            const std::string& range) {
  std::vector<Matcher> matchers = {{"namespace", false, request.ns.str()},
                                   {"pipeline", false, request.pipeline->str()}};
  const std::string selector = Selector(matchers);
  matchers.push_back({"period", false, "default"});
  const std::string pending_selector = Selector(matchers);
  const double q = request.quantile;
  std::vector<DiagnosisQuery> queries = {
      {DiagnosisPart::kVertexRates,
       JoinOr({
           Tagged(
               fmt::format("sum by (vertex, vertex_type) (rate(forwarder_data_read_total{}[{}]))",
                           selector, range),
               "figure", "read_rate"),
           Tagged(fmt::format("sum by (vertex, vertex_type) (rate(forwarder_write_total{}[{}]))",
                              selector, range),
                  "figure", "write_rate"),
       })},
      {DiagnosisPart::kVertexPending,
       JoinOr({
           Tagged(fmt::format("sum by (vertex) (avg_over_time(vertex_pending_messages{}[{}]))",
                              pending_selector, range),
                  "figure", "mean"),
           Tagged(fmt::format("sum by (vertex) (vertex_pending_messages{})", pending_selector),
                  "figure", "last"),
           Tagged(fmt::format("sum by (vertex) (vertex_pending_messages{} offset {})",
                              pending_selector, range),
                  "figure", "first"),
       })},
      {DiagnosisPart::kVertexQuantiles,
       RangeQuantile(q, "forwarder_processing_time", selector, "vertex, ", range, "")},
  };
  if (request.baseline != Baseline::kNone) {
    queries.push_back({DiagnosisPart::kVertexBaseline,
                       RangeQuantile(q, "forwarder_processing_time", selector, "vertex, ", range,
                                     OffsetText(request.baseline))});
  }
  return queries;
}

}  // namespace

std::string_view BaselineName(Baseline baseline) {
  switch (baseline) {
    case Baseline::kNone:
      return "none";
    case Baseline::kOneDay:
      return "1d";
    case Baseline::kSevenDays:
      return "7d";
  }
  return "none";
}

Result<DiagnosisRequest> ParseDiagnosisRequest(const Params& params, TimePoint now) {
  Result<SingleParams> given = CollectParams(params, kAccepted);
  if (!given.ok()) return std::move(given).error();
  auto find = [&](std::string_view key) { return ParamOf(*given, key); };
  const std::optional<std::string_view> ns_text = find("namespace");
  if (!ns_text) return BadRequest("namespace", "missing required parameter \"namespace\"");
  Result<Namespace> ns = ParseName<Namespace>(*ns_text, "namespace");
  if (!ns.ok()) return std::move(ns).error();
  DiagnosisRequest request{.ns = std::move(ns).value()};

  const std::optional<std::string_view> mvtx = find("mvtx");
  const std::optional<std::string_view> pipeline = find("pipeline");
  if (mvtx && pipeline) {
    return BadRequest("pipeline",
                      "give either mvtx (a MonoVertex) or pipeline (a whole pipeline), not both");
  }
  if (!mvtx && !pipeline) {
    return BadRequest("mvtx",
                      "missing required parameter: mvtx (a MonoVertex) or pipeline (a pipeline)");
  }
  if (mvtx) {
    Result<MonoVertexName> name = ParseName<MonoVertexName>(*mvtx, "mvtx");
    if (!name.ok()) return std::move(name).error();
    request.mvtx = std::move(name).value();
  } else {
    Result<PipelineName> name = ParseName<PipelineName>(*pipeline, "pipeline");
    if (!name.ok()) return std::move(name).error();
    request.pipeline = std::move(name).value();
  }

  Result<TimeRange> range = ParseTimeRange({.start = find("start"), .end = find("end")}, now);
  if (!range.ok()) return std::move(range).error();
  request.start = range->start;
  request.end = range->end;

  if (const auto quantile = find("quantile")) {
    Result<double> q = ParseQuantile(*quantile, "quantile");
    if (!q.ok()) return std::move(q).error();
    request.quantile = *q;
  }
  if (const auto baseline = find("baseline")) {
    if (*baseline == "1d") {
      request.baseline = Baseline::kOneDay;
    } else if (*baseline == "7d") {
      request.baseline = Baseline::kSevenDays;
    } else if (*baseline == "none") {
      request.baseline = Baseline::kNone;
    } else {
      return BadRequest("baseline",
                        fmt::format("invalid baseline \"{}\": expected 1d, 7d or none", *baseline));
    }
  }
  return request;
}

Result<DiagnosisPlan> PlanDiagnosis(const DiagnosisRequest& request, const QueryLimits& limits) {
  Result<PlannedRange> range =
      PlanRange({.start = request.start, .end = request.end, .step = std::nullopt}, limits);
  if (!range.ok()) return std::move(range).error();
  const Duration length = range->end - range->start;
  if (length < kMinRange) {
    return BadRequest("start", fmt::format("a diagnosis needs a range of at least {}s; from start "
                                           "to end is {}s once aligned to the {}s step",
                                           kMinRange.count() / 1000, length.count() / 1000,
                                           range->step.count() / 1000));
  }
  DiagnosisPlan plan{.range = *range, .window = std::max(kMinWindow, range->step)};
  const std::string text = RangeText(length);
  plan.queries =
      request.mvtx ? MonoVertexQueries(request, text, plan.window) : PipelineQueries(request, text);
  return plan;
}

std::vector<prometheus::RangeQuery> EngineQueries(const DiagnosisPlan& plan) {
  std::vector<prometheus::RangeQuery> queries;
  for (const DiagnosisQuery& query : plan.queries) {
    // An instant query at the range's end, asked as a one-step range query so that the results
    // cache keeps it like every other answer.
    queries.push_back({query.promql, query.per_step ? plan.range.start : plan.range.end,
                       plan.range.end, plan.range.step});
  }
  return queries;
}

}  // namespace nfmetrics::service
