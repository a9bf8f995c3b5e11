#include "app/diagnose_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <vector>

#include "app/query_format.hpp"
#include "app/text_columns.hpp"

namespace nfmetrics::app {
namespace {

constexpr std::size_t kBarWidth = 20;

using Row = TextRow;

std::string Latency(const std::optional<double>& seconds) {
  return seconds ? FormatValue(*seconds, "seconds") : "-";
}

std::string Plain(const std::optional<double>& value) {
  return value ? FormatValue(*value, "") : "-";
}

// Messages are counted whole: a mean or a growth is shown rounded, a growth with its sign.
std::string Messages(const std::optional<double>& value, bool sign = false) {
  if (!value) return "-";
  const double rounded = std::round(*value);
  const double shown = rounded == 0 ? 0.0 : rounded;  // no "-0"
  return sign ? fmt::format("{:+.0f}", shown) : fmt::format("{:.0f}", shown);
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

void WriteStagesAndPods(std::ostream& out, const DiagnosisAnswer& answer) {
  const std::string q = Upper(QuantileLabel(answer.quantile));
  std::vector<Row> stages = {{"STAGE", "SHARE", "", "MEAN", q, ""}};
  for (const DiagnosisStage& stage : answer.stages) {
    stages.push_back({stage.stage, stage.share ? fmt::format("{:.1f}%", 100 * *stage.share) : "-",
                      ShareBar(stage.share.value_or(0), kBarWidth), Latency(stage.mean_seconds),
                      Latency(stage.quantile_seconds),
                      stage.stage == answer.bottleneck_stage ? "bottleneck" : ""});
  }
  out << '\n';
  if (answer.stages.empty()) {
    out << "no stages with batches in the range\n";
  } else {
    WriteColumns(out, stages, {false, true, false, true, true, false});
  }
  std::vector<Row> pods = {{"POD", q, "RATIO", ""}};
  for (const DiagnosisPod& pod : answer.pods) {
    std::string mark;
    if (pod.outlier) {
      mark =
          pod.since.empty() ? "outlier" : "outlier since " + ShortTime(pod.since, answer.range_end);
    }
    pods.push_back({pod.pod, Latency(pod.quantile_seconds),
                    pod.ratio_to_median ? fmt::format("{:.1f}x", *pod.ratio_to_median) : "-",
                    mark});
  }
  out << '\n';
  if (answer.pods.empty()) {
    out << "no pods with sink batches in the range\n";
  } else {
    WriteColumns(out, pods, {false, true, true, false});
  }
}

void WriteVertices(std::ostream& out, const DiagnosisAnswer& answer) {
  std::vector<Row> rows = {{"VERTEX", "TYPE", "READ/S", "WRITE/S", "PENDING", "GROWTH",
                            Upper(QuantileLabel(answer.quantile)), ""}};
  for (const DiagnosisVertex& vertex : answer.vertices) {
    rows.push_back({vertex.vertex, vertex.vertex_type.empty() ? "-" : vertex.vertex_type,
                    Plain(vertex.read_rate), Plain(vertex.write_rate), Messages(vertex.pending),
                    Messages(vertex.pending_growth, true),
                    Latency(vertex.processing_quantile_seconds),
                    vertex.bottleneck ? "bottleneck" : ""});
  }
  out << '\n';
  if (answer.vertices.empty()) {
    out << "no vertices in the range\n";
  } else {
    WriteColumns(out, rows, {false, false, true, true, true, true, true, false});
  }
}

}  // namespace

std::string QuantileLabel(double quantile) {
  return fmt::format("p{}", std::round(quantile * 1e6) / 1e4);
}

std::string ShareBar(double share, std::size_t width) {
  static constexpr std::array<std::string_view, 8> kEighths = {"",  "▏", "▎", "▍",
                                                               "▌", "▋", "▊", "▉"};
  const double clamped = std::clamp(std::isfinite(share) ? share : 0.0, 0.0, 1.0);
  const auto eighths =
      static_cast<std::size_t>(std::lround(clamped * static_cast<double>(width) * 8));
  std::string bar;
  for (std::size_t i = 0; i < eighths / 8; ++i) bar += "█";
  bar += kEighths[eighths % 8];
  bar += std::string(width - DisplayWidth(bar), ' ');
  return bar;
}

std::string ShortTime(std::string_view rfc3339, std::string_view range_end) {
  // 2026-11-24T14:05:00Z: the date is the first 10 characters, HH:MM the 5 after the 'T'.
  if (rfc3339.size() >= 16 && range_end.size() >= 10 && rfc3339[10] == 'T' &&
      rfc3339.substr(0, 10) == range_end.substr(0, 10)) {
    return std::string(rfc3339.substr(11, 5)) + "Z";
  }
  return std::string(rfc3339);
}

std::string FindingLine(const DiagnosisFinding& finding) {
  return fmt::format("{:<8}  {}", Upper(finding.severity), finding.message);
}

void WriteDiagnosis(std::ostream& out, const DiagnosisAnswer& answer) {
  out << fmt::format(
      "{} {}, {} to {}, {}, {}\n", answer.object, answer.object_name, answer.range_start,
      answer.range_end, QuantileLabel(answer.quantile),
      answer.baseline.empty() ? "no baseline" : "compared with " + answer.baseline + " earlier");
  if (answer.findings.empty()) out << "no findings\n";
  for (const DiagnosisFinding& finding : answer.findings) out << FindingLine(finding) << '\n';
  if (answer.object == "pipeline") {
    WriteVertices(out, answer);
  } else {
    WriteStagesAndPods(out, answer);
  }
}

}  // namespace nfmetrics::app
