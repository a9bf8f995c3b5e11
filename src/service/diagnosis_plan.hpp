// The backend queries a diagnosis asks (a fixed, small set: instant queries over the whole range,
// and one range query where the answer needs steps), and the figures and findings made from their
// answers. Pure functions: MetricsService runs the queries.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/diagnosis.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::service {

// The stages of a MonoVertex's batch, in the order they run, and their histograms.
struct Stage {
  std::string_view name;
  std::string_view metric;
};
inline constexpr std::array<Stage, 7> kStages = {{
    {"read", "monovtx_read_time"},
    {"transformer", "monovtx_transformer_time"},
    {"udf", "monovtx_udf_time"},
    {"sink", "monovtx_sink_time"},
    {"ack", "monovtx_ack_time"},
    {"fallback_sink", "monovtx_fallback_sink_time"},
    {"onsuccess_sink", "monovtx_onsuccess_sink_time"},
}};

// Which figures a query's answer holds (the order PlanDiagnosis asks them in).
enum class DiagnosisPart {
  // MonoVertex
  kStageBatches,    // {stage}: increase of each stage histogram's _count over the range
  kStageSums,       // {stage}: increase of its _sum (µs)
  kStageQuantiles,  // {stage}: histogram_quantile over the range (µs)
  kPodQuantiles,    // {pod}: sink latency at the quantile over the range (µs)
  kPodSteps,        // {pod}: sink latency at the quantile at every step (µs), a range query
  kNow,             // {figure}: processing, read_rate, sink_errors, dropped, pending_last/first
  kBaseline,        // {figure}: sink, processing, read_rate, `offset` earlier
  // Pipeline
  kVertexRates,      // {vertex, vertex_type, figure}: read_rate, write_rate
  kVertexPending,    // {vertex, figure}: mean, last, first
  kVertexQuantiles,  // {vertex}: forwarder_processing_time at the quantile (µs)
  kVertexBaseline,   // {vertex}: the same, `offset` earlier
};

struct DiagnosisQuery {
  DiagnosisPart part;
  std::string promql;
  bool per_step = false;  // a range query over the plan's steps; else evaluated once, at its end
};

struct DiagnosisPlan {
  PlannedRange range;  // as the metrics API aligns the same start and end
  Duration window;     // the rate window of the per-step query: max(5m, step), as the metrics API
  std::vector<DiagnosisQuery> queries;
};

// Errors: kBadRequest naming start when the range is longer than the limits allow.
Result<DiagnosisPlan> PlanDiagnosis(const DiagnosisRequest& request, const QueryLimits& limits);

// The engine's questions for the plan, in its order.
std::vector<prometheus::RangeQuery> EngineQueries(const DiagnosisPlan& plan);

// The figures and findings, from the answers to EngineQueries(plan), in the same order.
// kNotFound (naming mvtx or pipeline) when the engine has no series at all for the object.
Result<Diagnosis> AssembleDiagnosis(const DiagnosisRequest& request, const DiagnosisPlan& plan,
                                    const std::vector<prometheus::Matrix>& answers);

// The trailing run of steps at which `pod` stayed at least kOutlierRatio times the median of the
// pods with a value at that step, through every step where it has a value to the end of the
// range: the first step of that run, or nullopt when its last valued step is below that.
std::optional<TimePoint> SlowSince(const std::vector<prometheus::Series>& per_pod_steps,
                                   std::string_view pod);

// The findings of a diagnosis whose figures are filled in, most severe first.
std::vector<Finding> MonoVertexFindings(const Diagnosis& diagnosis);
std::vector<Finding> PipelineFindings(const Diagnosis& diagnosis);

// now against baseline: the ratio when both are known and the baseline is above 0.
Comparison Compare(std::optional<double> now, std::optional<double> baseline);

// The median of `values` (the mean of the middle two for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

}  // namespace nfmetrics::service
