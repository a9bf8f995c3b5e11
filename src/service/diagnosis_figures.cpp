// A diagnosis's figures, from the answers to its queries: the stages, the pods and since when the
// slow ones have been slow, the comparison with the baseline, and a pipeline's vertices.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "nfmetrics/service/timestamp.hpp"
#include "service/diagnosis_plan.hpp"

namespace nfmetrics::service {
namespace {

constexpr double kMicrosPerSecond = 1e6;

std::string_view LabelOf(const prometheus::Series& series, std::string_view name) {
  for (const auto& [label, value] : series.labels) {
    if (label == name) return value;
  }
  return {};
}

// The value of an instant answer's series; nullopt for NaN and +-Inf (no observations).
std::optional<double> ValueOf(const prometheus::Series& series) {
  if (series.samples.empty() || !std::isfinite(series.samples.back().value)) return std::nullopt;
  return series.samples.back().value;
}

std::optional<double> Seconds(std::optional<double> micros) {
  if (!micros) return std::nullopt;
  return *micros / kMicrosPerSecond;
}

// Each series' value by the value of its `label` (stage, figure, pod, vertex).
std::map<std::string, std::optional<double>> ByLabel(const prometheus::Matrix& matrix,
                                                     std::string_view label) {
  std::map<std::string, std::optional<double>> values;
  for (const prometheus::Series& series : matrix.series) {
    values[std::string(LabelOf(series, label))] = ValueOf(series);
  }
  return values;
}

std::optional<double> Get(const std::map<std::string, std::optional<double>>& values,
                          const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? std::nullopt : it->second;
}

const prometheus::Matrix* AnswerOf(const DiagnosisPlan& plan,
                                   const std::vector<prometheus::Matrix>& answers,
                                   DiagnosisPart part) {
  for (std::size_t i = 0; i < plan.queries.size() && i < answers.size(); ++i) {
    if (plan.queries[i].part == part) return &answers[i];
  }
  return nullptr;
}

void AddStages(Diagnosis& diagnosis, const prometheus::Matrix& batches,
               const prometheus::Matrix& sums, const prometheus::Matrix& quantiles) {
  const auto batch_values = ByLabel(batches, "stage");
  const auto sum_values = ByLabel(sums, "stage");
  const auto quantile_values = ByLabel(quantiles, "stage");
  double total_mean = 0;
  for (const Stage& stage : kStages) {
    const std::string name(stage.name);
    const std::optional<double> count = Get(batch_values, name);
    if (!count || *count <= 0) continue;
    StageFigures figures{.stage = name, .metric = std::string(stage.metric), .batches = *count};
    if (const std::optional<double> sum = Get(sum_values, name)) {
      figures.mean_seconds = *sum / *count / kMicrosPerSecond;
      total_mean += *figures.mean_seconds;
    }
    figures.quantile_seconds = Seconds(Get(quantile_values, name));
    diagnosis.stages.push_back(std::move(figures));
  }
  double largest = -1;
  for (StageFigures& stage : diagnosis.stages) {
    if (!stage.mean_seconds || total_mean <= 0) continue;
    stage.share = *stage.mean_seconds / total_mean;
    if (*stage.share > largest) {
      largest = *stage.share;
      diagnosis.bottleneck_stage = stage.stage;
    }
  }
}

void AddPods(Diagnosis& diagnosis, const prometheus::Matrix& quantiles,
             const prometheus::Matrix& steps) {
  std::vector<double> values;
  for (const prometheus::Series& series : quantiles.series) {
    const std::string_view pod = LabelOf(series, "pod");
    const std::optional<double> value = Seconds(ValueOf(series));
    if (pod.empty() || !value) continue;  // no sink batches in the range
    diagnosis.pods.push_back({.pod = std::string(pod), .quantile_seconds = value});
    values.push_back(*value);
  }
  const std::optional<double> median = Median(values);
  for (PodFigures& pod : diagnosis.pods) {
    if (!median || *median <= 0) continue;
    pod.ratio_to_median = *pod.quantile_seconds / *median;
    pod.outlier = *pod.ratio_to_median >= kOutlierRatio;
    if (pod.outlier) pod.since = SlowSince(steps.series, pod.pod);
  }
  std::sort(diagnosis.pods.begin(), diagnosis.pods.end(),
            [](const PodFigures& a, const PodFigures& b) {
              if (*a.quantile_seconds != *b.quantile_seconds) {
                return *a.quantile_seconds > *b.quantile_seconds;
              }
              return a.pod < b.pod;
            });
}

void AssembleMonoVertex(Diagnosis& diagnosis, const DiagnosisPlan& plan,
                        const std::vector<prometheus::Matrix>& answers) {
  auto answer = [&](DiagnosisPart part) -> const prometheus::Matrix& {
    static const prometheus::Matrix none;
    const prometheus::Matrix* matrix = AnswerOf(plan, answers, part);
    return matrix != nullptr ? *matrix : none;
  };
  AddStages(diagnosis, answer(DiagnosisPart::kStageBatches), answer(DiagnosisPart::kStageSums),
            answer(DiagnosisPart::kStageQuantiles));
  AddPods(diagnosis, answer(DiagnosisPart::kPodQuantiles), answer(DiagnosisPart::kPodSteps));

  const auto now = ByLabel(answer(DiagnosisPart::kNow), "figure");
  diagnosis.read_rate = Get(now, "read_rate");
  diagnosis.sink_write_errors_per_second = Get(now, "sink_errors");
  diagnosis.dropped_per_second = Get(now, "dropped");
  diagnosis.pending.first = Get(now, "pending_first");
  diagnosis.pending.last = Get(now, "pending_last");
  if (diagnosis.pending.first && diagnosis.pending.last) {
    diagnosis.pending.growth = *diagnosis.pending.last - *diagnosis.pending.first;
  }
  if (diagnosis.request.baseline != Baseline::kNone) {
    const auto then = ByLabel(answer(DiagnosisPart::kBaseline), "figure");
    std::optional<double> sink_now;
    for (const StageFigures& stage : diagnosis.stages) {
      if (stage.stage == "sink") sink_now = stage.quantile_seconds;
    }
    diagnosis.baseline = BaselineFigures{
        .offset = diagnosis.request.baseline,
        .sink = Compare(sink_now, Seconds(Get(then, "sink"))),
        .processing = Compare(Seconds(Get(now, "processing")), Seconds(Get(then, "processing"))),
        .read_rate = Compare(diagnosis.read_rate, Get(then, "read_rate")),
    };
  }
}

int TypeRank(std::string_view type) {
  if (type == "Source") return 0;
  if (type == "Sink") return 2;
  return 1;
}

void AssemblePipeline(Diagnosis& diagnosis, const DiagnosisPlan& plan,
                      const std::vector<prometheus::Matrix>& answers) {
  std::map<std::string, VertexFigures> vertices;
  auto vertex_of = [&](const prometheus::Series& series) -> VertexFigures* {
    const std::string_view name = LabelOf(series, "vertex");
    if (name.empty()) return nullptr;
    VertexFigures& vertex = vertices[std::string(name)];
    vertex.vertex = name;
    return &vertex;
  };
  if (const auto* rates = AnswerOf(plan, answers, DiagnosisPart::kVertexRates)) {
    for (const prometheus::Series& series : rates->series) {
      VertexFigures* vertex = vertex_of(series);
      if (vertex == nullptr) continue;
      if (std::string_view type = LabelOf(series, "vertex_type"); !type.empty()) {
        vertex->vertex_type = type;
      }
      (LabelOf(series, "figure") == "read_rate" ? vertex->read_rate : vertex->write_rate) =
          ValueOf(series);
    }
  }
  if (const auto* pending = AnswerOf(plan, answers, DiagnosisPart::kVertexPending)) {
    for (const prometheus::Series& series : pending->series) {
      VertexFigures* vertex = vertex_of(series);
      if (vertex == nullptr) continue;
      const std::string_view figure = LabelOf(series, "figure");
      if (figure == "mean") vertex->pending = ValueOf(series);
      if (figure == "first") vertex->pending_first = ValueOf(series);
      if (figure == "last") vertex->pending_last = ValueOf(series);
    }
  }
  for (auto& [name, vertex] : vertices) {
    if (vertex.pending_first && vertex.pending_last) {
      vertex.pending_growth = *vertex.pending_last - *vertex.pending_first;
    }
  }
  if (const auto* quantiles = AnswerOf(plan, answers, DiagnosisPart::kVertexQuantiles)) {
    for (const prometheus::Series& series : quantiles->series) {
      if (VertexFigures* vertex = vertex_of(series)) {
        vertex->processing_quantile_seconds = Seconds(ValueOf(series));
      }
    }
  }
  if (const auto* baseline = AnswerOf(plan, answers, DiagnosisPart::kVertexBaseline)) {
    for (const prometheus::Series& series : baseline->series) {
      if (VertexFigures* vertex = vertex_of(series)) {
        vertex->baseline_processing_quantile_seconds = Seconds(ValueOf(series));
      }
    }
  }
  for (auto& [name, vertex] : vertices) diagnosis.vertices.push_back(std::move(vertex));
  std::stable_sort(diagnosis.vertices.begin(), diagnosis.vertices.end(),
                   [](const VertexFigures& a, const VertexFigures& b) {
                     return TypeRank(a.vertex_type) < TypeRank(b.vertex_type);
                   });

  // The vertex with the largest backlog among those whose backlog grew; else the slowest.
  VertexFigures* bottleneck = nullptr;
  for (VertexFigures& vertex : diagnosis.vertices) {
    if (!vertex.pending_growth || *vertex.pending_growth <= 0 || !vertex.pending) continue;
    if (bottleneck == nullptr || *vertex.pending > *bottleneck->pending) bottleneck = &vertex;
  }
  if (bottleneck == nullptr) {
    for (VertexFigures& vertex : diagnosis.vertices) {
      if (!vertex.processing_quantile_seconds) continue;
      if (bottleneck == nullptr ||
          *vertex.processing_quantile_seconds > *bottleneck->processing_quantile_seconds) {
        bottleneck = &vertex;
      }
    }
  }
  if (bottleneck != nullptr) {
    bottleneck->bottleneck = true;
    diagnosis.bottleneck_vertex = bottleneck->vertex;
  }
}

}  // namespace

Comparison Compare(std::optional<double> now, std::optional<double> baseline) {
  Comparison comparison{now, baseline, std::nullopt};
  if (now && baseline && *baseline > 0) comparison.ratio = *now / *baseline;
  return comparison;
}

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

std::optional<TimePoint> SlowSince(const std::vector<prometheus::Series>& per_pod_steps,
                                   std::string_view pod) {
  // Every step's pod values; the steps of all series, in time order.
  std::map<TimePoint, std::vector<double>> at;
  std::map<TimePoint, double> own;
  for (const prometheus::Series& series : per_pod_steps) {
    const bool is_pod = LabelOf(series, "pod") == pod;
    for (const Sample& sample : series.samples) {
      if (!std::isfinite(sample.value)) continue;
      at[sample.timestamp].push_back(sample.value);
      if (is_pod) own[sample.timestamp] = sample.value;
    }
  }
  std::optional<TimePoint> since;
  for (auto it = own.rbegin(); it != own.rend(); ++it) {
    const std::optional<double> median = Median(at[it->first]);
    if (!median || it->second < kOutlierRatio * *median) break;
    since = it->first;
  }
  return since;
}

Result<Diagnosis> AssembleDiagnosis(const DiagnosisRequest& request, const DiagnosisPlan& plan,
                                    const std::vector<prometheus::Matrix>& answers) {
  bool any = false;
  for (const prometheus::Matrix& matrix : answers) any = any || !matrix.series.empty();
  const bool mvtx = request.mvtx.has_value();
  if (!any) {
    return Error{
        ErrorCode::kNotFound,
        fmt::format("{} {}/{} has no metrics between {} and {}", mvtx ? "MonoVertex" : "pipeline",
                    request.ns.str(), mvtx ? request.mvtx->str() : request.pipeline->str(),
                    FormatRfc3339(plan.range.start), FormatRfc3339(plan.range.end)),
        mvtx ? "mvtx" : "pipeline"};
  }
  Diagnosis diagnosis{.request = request, .start = plan.range.start, .end = plan.range.end};
  for (const DiagnosisQuery& query : plan.queries) diagnosis.queries.push_back(query.promql);
  if (mvtx) {
    AssembleMonoVertex(diagnosis, plan, answers);
    diagnosis.findings = MonoVertexFindings(diagnosis);
  } else {
    AssemblePipeline(diagnosis, plan, answers);
    diagnosis.findings = PipelineFindings(diagnosis);
  }
  return diagnosis;
}

}  // namespace nfmetrics::service
