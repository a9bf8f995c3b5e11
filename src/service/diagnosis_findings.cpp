// A diagnosis's findings: each rule, its severity and the sentence a person can act on. The
// thresholds of the kinds are the API's contract; the severities are ours (docs/diagnosis.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "nfmetrics/service/timestamp.hpp"
#include "service/diagnosis_plan.hpp"

namespace nfmetrics::service {
namespace {

// The contract's thresholds.
constexpr double kBottleneckShare = 0.5;
constexpr double kRegressionRatio = 1.5;
constexpr double kThroughputDropRatio = 0.5;
constexpr double kBacklogGrowth = 0.5;  // +50%
constexpr double kBacklogMessages = 100;
// Ours: from here a finding is critical rather than a warning.
constexpr double kCriticalPodRatio = 5;
constexpr double kCriticalRegressionRatio = 3;
constexpr double kCriticalThroughputRatio = 0.2;
constexpr double kCriticalErrorShare = 0.01;    // of the messages read
constexpr double kCriticalBacklogGrowth = 1.0;  // doubled
constexpr double kCriticalBacklogMessages = 1000;
constexpr double kSlowVertexRatio = 2;  // a vertex this much slower than the median is reported

// "850 µs", "12.3 ms", "1.5 s": three significant digits.
std::string Latency(std::optional<double> seconds) {
  if (!seconds) return "n/a";
  const double s = *seconds;
  auto three = [](double v) {
    return v >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
  };
  if (s < 1e-3) return three(s * 1e6) + " µs";
  if (s < 1) return three(s * 1e3) + " ms";
  return three(s) + " s";
}

std::string Number(std::optional<double> value) {
  if (!value) return "n/a";
  return std::abs(*value) >= 100 ? fmt::format("{:.0f}", *value) : fmt::format("{:.3g}", *value);
}

// "p99", "p50", "p99.9".
std::string QuantileName(double q) { return fmt::format("p{}", std::round(q * 1e6) / 1e4); }

// "14:05Z" on the day the range ends, else "2026-11-30T14:05Z".
std::string ShortTime(TimePoint time, TimePoint end) {
  const std::string text = FormatRfc3339(time);
  const std::string day = text.substr(0, 10);
  const std::string hhmm = text.substr(11, 5) + "Z";
  return day == FormatRfc3339(end).substr(0, 10) ? hhmm : day + "T" + hhmm;
}

int KindRank(FindingKind kind) {
  switch (kind) {
    case FindingKind::kSlowPod:
      return 0;
    case FindingKind::kLatencyRegression:
      return 1;
    case FindingKind::kSinkErrors:
      return 2;
    case FindingKind::kBacklogGrowing:
      return 3;
    case FindingKind::kThroughputDrop:
      return 4;
    case FindingKind::kBottleneckVertex:
      return 5;
    case FindingKind::kBottleneckStage:
      return 6;
  }
  return 7;
}

void SortBySeverity(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity == Severity::kCritical;
    return KindRank(a.kind) < KindRank(b.kind);
  });
}

bool BacklogGrew(std::optional<double> first, std::optional<double> last) {
  if (!first || !last) return false;
  const double growth = *last - *first;
  return growth >= kBacklogMessages && growth >= kBacklogGrowth * *first;
}

Severity BacklogSeverity(double first, double last) {
  const double growth = last - first;
  return growth >= kCriticalBacklogMessages && growth >= kCriticalBacklogGrowth * first
             ? Severity::kCritical
             : Severity::kWarning;
}

std::string Offset(const Diagnosis& diagnosis) {
  return std::string(BaselineName(diagnosis.request.baseline));
}

void AddRegression(std::vector<Finding>& findings, const Diagnosis& diagnosis,
                   const Comparison& comparison, std::string_view what, std::string subject_kind,
                   std::string subject) {
  if (!comparison.ratio || *comparison.ratio < kRegressionRatio) return;
  const std::string q = QuantileName(diagnosis.request.quantile);
  findings.push_back(
      {.kind = FindingKind::kLatencyRegression,
       .severity =
           *comparison.ratio >= kCriticalRegressionRatio ? Severity::kCritical : Severity::kWarning,
       .subject_kind = std::move(subject_kind),
       .subject = std::move(subject),
       .message = fmt::format("{} {} {}, {:.1f}x the {} of the same range {} earlier ({})", what, q,
                              Latency(comparison.now), *comparison.ratio, q, Offset(diagnosis),
                              Latency(comparison.baseline))});
}

}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kSlowPod:
      return "slow_pod";
    case FindingKind::kBottleneckStage:
      return "bottleneck_stage";
    case FindingKind::kLatencyRegression:
      return "latency_regression";
    case FindingKind::kThroughputDrop:
      return "throughput_drop";
    case FindingKind::kSinkErrors:
      return "sink_errors";
    case FindingKind::kBacklogGrowing:
      return "backlog_growing";
    case FindingKind::kBottleneckVertex:
      return "bottleneck_vertex";
  }
  return "unknown";
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kCritical ? "critical" : "warning";
}

std::vector<Finding> MonoVertexFindings(const Diagnosis& diagnosis) {
  std::vector<Finding> findings;
  const std::string& mvtx = diagnosis.request.mvtx->str();
  const std::string q = QuantileName(diagnosis.request.quantile);
  for (const PodFigures& pod : diagnosis.pods) {
    if (!pod.outlier) continue;
    std::string message =
        fmt::format("pod {}: sink {} {}, {:.1f}x the median of {} pods", pod.pod, q,
                    Latency(pod.quantile_seconds), *pod.ratio_to_median, diagnosis.pods.size());
    if (pod.since) message += ", since " + ShortTime(*pod.since, diagnosis.end);
    findings.push_back({.kind = FindingKind::kSlowPod,
                        .severity = *pod.ratio_to_median >= kCriticalPodRatio ? Severity::kCritical
                                                                              : Severity::kWarning,
                        .subject_kind = "pod",
                        .subject = pod.pod,
                        .message = std::move(message),
                        .since = pod.since});
  }
  if (diagnosis.baseline) {
    const BaselineFigures& baseline = *diagnosis.baseline;
    AddRegression(findings, diagnosis, baseline.sink, "sink latency", "mono-vertex", mvtx);
    AddRegression(findings, diagnosis, baseline.processing, "processing time", "mono-vertex", mvtx);
    if (baseline.read_rate.ratio && *baseline.read_rate.ratio <= kThroughputDropRatio) {
      findings.push_back(
          {.kind = FindingKind::kThroughputDrop,
           .severity = *baseline.read_rate.ratio <= kCriticalThroughputRatio ? Severity::kCritical
                                                                             : Severity::kWarning,
           .subject_kind = "mono-vertex",
           .subject = mvtx,
           .message = fmt::format(
               "reads {} messages/s, {:.2f}x the {} messages/s of the same range {} earlier",
               Number(baseline.read_rate.now), *baseline.read_rate.ratio,
               Number(baseline.read_rate.baseline), Offset(diagnosis))});
    }
  }
  if (diagnosis.sink_write_errors_per_second && *diagnosis.sink_write_errors_per_second > 0) {
    const double errors = *diagnosis.sink_write_errors_per_second;
    const double read = diagnosis.read_rate.value_or(0);
    std::string message = fmt::format("sink write errors at {}/s over the range", Number(errors));
    if (read > 0) message += fmt::format(" ({:.2g}% of the messages read)", 100 * errors / read);
    findings.push_back({.kind = FindingKind::kSinkErrors,
                        .severity = read <= 0 || errors >= kCriticalErrorShare * read
                                        ? Severity::kCritical
                                        : Severity::kWarning,
                        .subject_kind = "mono-vertex",
                        .subject = mvtx,
                        .message = std::move(message)});
  }
  const PendingFigures& pending = diagnosis.pending;
  if (BacklogGrew(pending.first, pending.last)) {
    findings.push_back({.kind = FindingKind::kBacklogGrowing,
                        .severity = BacklogSeverity(*pending.first, *pending.last),
                        .subject_kind = "mono-vertex",
                        .subject = mvtx,
                        .message = fmt::format("pending grew from {} to {} messages over the range",
                                               Number(pending.first), Number(pending.last))});
  }
  for (const StageFigures& stage : diagnosis.stages) {
    if (diagnosis.bottleneck_stage != stage.stage || !stage.share ||
        *stage.share < kBottleneckShare) {
      continue;
    }
    findings.push_back(
        {.kind = FindingKind::kBottleneckStage,
         .severity = Severity::kWarning,
         .subject_kind = "stage",
         .subject = stage.stage,
         .message = fmt::format(
             "stage {} takes {:.0f}% of a batch's time in its stages (mean {} per batch)",
             stage.stage, 100 * *stage.share, Latency(stage.mean_seconds))});
  }
  SortBySeverity(findings);
  return findings;
}

std::vector<Finding> PipelineFindings(const Diagnosis& diagnosis) {
  std::vector<Finding> findings;
  const std::string q = QuantileName(diagnosis.request.quantile);
  bool any_backlog = false;
  for (const VertexFigures& vertex : diagnosis.vertices) {
    if (BacklogGrew(vertex.pending_first, vertex.pending_last)) {
      any_backlog = true;
      findings.push_back(
          {.kind = FindingKind::kBacklogGrowing,
           .severity = BacklogSeverity(*vertex.pending_first, *vertex.pending_last),
           .subject_kind = "vertex",
           .subject = vertex.vertex,
           .message = fmt::format("vertex {}: pending grew from {} to {} messages over the range",
                                  vertex.vertex, Number(vertex.pending_first),
                                  Number(vertex.pending_last))});
    }
    if (diagnosis.request.baseline != Baseline::kNone) {
      AddRegression(
          findings, diagnosis,
          Compare(vertex.processing_quantile_seconds, vertex.baseline_processing_quantile_seconds),
          "vertex " + vertex.vertex + ": processing time", "vertex", vertex.vertex);
    }
  }
  std::vector<double> latencies;
  for (const VertexFigures& vertex : diagnosis.vertices) {
    if (vertex.processing_quantile_seconds)
      latencies.push_back(*vertex.processing_quantile_seconds);
  }
  const std::optional<double> median = Median(latencies);
  for (const VertexFigures& vertex : diagnosis.vertices) {
    if (!vertex.bottleneck) continue;
    std::string message;
    if (any_backlog && vertex.pending_growth && *vertex.pending_growth > 0) {
      message = fmt::format(
          "vertex {} holds the pipeline back: the largest backlog of the vertices whose backlog "
          "grew (mean {} pending, +{} over the range)",
          vertex.vertex, Number(vertex.pending), Number(vertex.pending_growth));
    } else if (vertex.processing_quantile_seconds && median && *median > 0 &&
               *vertex.processing_quantile_seconds >= kSlowVertexRatio * *median) {
      message = fmt::format(
          "vertex {} is the slowest: processing {} {}, {:.1f}x the median of {} vertices",
          vertex.vertex, q, Latency(vertex.processing_quantile_seconds),
          *vertex.processing_quantile_seconds / *median, latencies.size());
    } else {
      continue;  // no backlog and no vertex far slower than the others: nothing to act on
    }
    findings.push_back({.kind = FindingKind::kBottleneckVertex,
                        .severity = Severity::kWarning,
                        .subject_kind = "vertex",
                        .subject = vertex.vertex,
                        .message = std::move(message)});
  }
  SortBySeverity(findings);
  return findings;
}

}  // namespace nfmetrics::service
