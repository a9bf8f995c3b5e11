// GET /api/v1/diagnosis: answers instead of charts. For a MonoVertex: where its processing time
// goes (stage shares), which pod is slow and since when, whether it is worse than a day or a week
// earlier, and its errors and backlog. For a pipeline: each vertex's rates, backlog and latency,
// and which vertex holds the pipeline back. Each answer carries its findings, most severe first,
// and the PromQL it was computed from. docs/api.md has the contract; docs/diagnosis.md the rules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "nfmetrics/service/k8s_names.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {

// The comparison a diagnosis makes: the same range a day or a week earlier, or none.
enum class Baseline { kNone, kOneDay, kSevenDays };

struct DiagnosisRequest {
  Namespace ns;
  std::optional<MonoVertexName> mvtx;    // exactly one of mvtx and pipeline
  std::optional<PipelineName> pipeline;  //
  TimePoint start;                       // as the client gave them (defaults applied)
  TimePoint end;
  double quantile = 0.99;
  Baseline baseline = Baseline::kOneDay;
};

// Accepted: namespace, mvtx or pipeline, start, end, quantile, baseline. Errors: kBadRequest naming
// the parameter (including one that is not accepted, or one given twice).
Result<DiagnosisRequest> ParseDiagnosisRequest(const Params& params, TimePoint now);

// "1d", "7d" or "none".
std::string_view BaselineName(Baseline baseline);

// One stage of a MonoVertex's batch: read, transformer, udf, sink, ack, fallback_sink,
// onsuccess_sink.
struct StageFigures {
  std::string stage;
  std::string metric;  // the histogram, e.g. monovtx_udf_time
  double batches = 0;  // increase of _count over the range (> 0: stages without batches are left
                       // out)
  std::optional<double> mean_seconds;
  std::optional<double> quantile_seconds;
  std::optional<double> share;  // mean_seconds over the sum of the listed stages' mean_seconds
};

struct PodFigures {
  std::string pod;
  std::optional<double> quantile_seconds;  // sink latency at the quantile over the whole range
  std::optional<double> ratio_to_median;   // over the median of every listed pod's value
  bool outlier = false;                    // ratio_to_median >= kOutlierRatio
  std::optional<TimePoint> since;          // outliers only; see SlowSince
};

// A value now and over the same range `offset` earlier.
struct Comparison {
  std::optional<double> now;
  std::optional<double> baseline;
  std::optional<double> ratio;  // now / baseline, when both are known and baseline > 0
};

struct BaselineFigures {
  Baseline offset = Baseline::kOneDay;
  Comparison sink;        // the MonoVertex's sink latency at the quantile, seconds
  Comparison processing;  // its processing time at the quantile, seconds
  Comparison read_rate;   // messages read per second
};

enum class FindingKind {
  kSlowPod,
  kBottleneckStage,
  kLatencyRegression,
  kThroughputDrop,
  kSinkErrors,
  kBacklogGrowing,
  kBottleneckVertex,
};
std::string_view FindingKindName(FindingKind kind);  // "slow_pod", ...

enum class Severity { kCritical, kWarning };
std::string_view SeverityName(Severity severity);  // "critical", "warning"

struct Finding {
  FindingKind kind = FindingKind::kSlowPod;
  Severity severity = Severity::kWarning;
  std::string subject_kind;  // "pod", "stage", "vertex", "mono-vertex" or "pipeline"
  std::string subject;       // its name
  std::string message;       // one sentence with the numbers
  std::optional<TimePoint> since;
};

// Pending messages at the start and at the end of the range.
struct PendingFigures {
  std::optional<double> first;
  std::optional<double> last;
  std::optional<double> growth;  // last - first
};

struct VertexFigures {
  std::string vertex;
  std::string vertex_type;               // Source, MapUDF, Sink, ... ("" when the engine has none)
  std::optional<double> read_rate;       // messages per second
  std::optional<double> write_rate;      // messages per second
  std::optional<double> pending;         // mean of vertex_pending_messages over the range
  std::optional<double> pending_growth;  // last - first
  std::optional<double> pending_first;   // at the start of the range
  std::optional<double> pending_last;    // at its end
  std::optional<double> processing_quantile_seconds;
  std::optional<double> baseline_processing_quantile_seconds;  // with a baseline
  bool bottleneck = false;
};

struct Diagnosis {
  DiagnosisRequest request;
  TimePoint start;  // the range the figures cover: as the metrics API aligns it
  TimePoint end;
  // MonoVertex
  std::vector<StageFigures> stages;  // in stage order
  std::optional<std::string> bottleneck_stage;
  std::vector<PodFigures> pods;  // by quantile_seconds, descending
  std::optional<BaselineFigures> baseline;
  std::optional<double> sink_write_errors_per_second;
  std::optional<double> dropped_per_second;
  std::optional<double> read_rate;  // messages per second
  PendingFigures pending;
  // Pipeline
  std::vector<VertexFigures> vertices;  // sources first, sinks last
  std::optional<std::string> bottleneck_vertex;

  std::vector<Finding> findings;     // most severe first
  std::vector<std::string> queries;  // every PromQL the answer was computed from
  CacheOutcome cache = CacheOutcome::kMiss;
};

// A pod is an outlier from this many times the median of its peers.
inline constexpr double kOutlierRatio = 2.0;

}  // namespace nfmetrics::service
