// What `GET /api/v1/diagnosis` answered (docs/api.md, "Diagnosis"), the parts `nfmetrics
// diagnose` shows, read into structs; and the exit code its findings map to. Pure: unit-tested
// without a server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::app {

// `nfmetrics diagnose` exits with the most severe finding (kExitApiError and kExitUsage as the
// other client commands).
inline constexpr int kDiagnoseExitNoFindings = 0;
inline constexpr int kDiagnoseExitWarning = 3;
inline constexpr int kDiagnoseExitCritical = 4;

struct DiagnosisFinding {
  std::string kind;      // slow_pod, latency_regression, ...
  std::string severity;  // critical or warning
  std::string subject;
  std::string subject_kind;
  std::string message;
  std::string since;  // RFC3339, "" when unknown
};

struct DiagnosisStage {
  std::string stage;
  std::optional<double> mean_seconds;
  std::optional<double> quantile_seconds;
  std::optional<double> share;
};

struct DiagnosisPod {
  std::string pod;
  std::optional<double> quantile_seconds;
  std::optional<double> ratio_to_median;
  bool outlier = false;
  std::string since;  // RFC3339, "" when not an outlier
};

struct DiagnosisVertex {
  std::string vertex;
  std::string vertex_type;
  std::optional<double> read_rate;
  std::optional<double> write_rate;
  std::optional<double> pending;
  std::optional<double> pending_growth;
  std::optional<double> processing_quantile_seconds;
  bool bottleneck = false;
};

struct DiagnosisAnswer {
  std::string object;       // mono-vertex or pipeline
  std::string object_name;  // "default/checkout" or "default/shop"
  double quantile = 0;
  std::string range_start;  // RFC3339, as the API wrote it
  std::string range_end;
  std::string baseline;  // "1d", "7d", or "" for none
  // A MonoVertex.
  std::vector<DiagnosisStage> stages;
  std::string bottleneck_stage;  // "" when none
  std::vector<DiagnosisPod> pods;
  // A pipeline.
  std::vector<DiagnosisVertex> vertices;

  std::vector<DiagnosisFinding> findings;  // most severe first, as the API sorted them
};

// Fails (kUpstreamError) when the body is not a diagnosis answer of that shape.
Result<DiagnosisAnswer> ParseDiagnosisAnswer(std::string_view body);

// kDiagnoseExitCritical when any finding is critical, kDiagnoseExitWarning when any is a warning
// (or of a severity this client does not know), kDiagnoseExitNoFindings without findings.
int DiagnoseExitCode(const std::vector<DiagnosisFinding>& findings);

}  // namespace nfmetrics::app
