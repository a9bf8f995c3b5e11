// `nfmetrics diagnose`: GET /api/v1/diagnosis of a MonoVertex or pipeline from a running nfmetrics
// API, printed for a person (findings, stage shares, pods or vertices) or as the API's JSON. Exit
// codes: 0 no finding, 3 warnings at most, 4 a critical finding, 1 the API answered an error or
// could not be reached, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "app/api_client.hpp"
#include "app/diagnosis_answer.hpp"

namespace nfmetrics::app {

struct DiagnoseOptions {
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string since = "1h";
  std::string start;
  std::string end;
  std::string quantile;
  std::string baseline;
  std::string output = "text";
  ConnectionOptions connection;
};

// GET /api/v1/diagnosis?...; `now_unix` is what --since counts back from. Throws UsageError for
// flags that cannot make a request (neither or both of --mvtx and --pipeline, a bad --since).
std::string BuildDiagnosisTarget(const DiagnoseOptions& options, std::int64_t now_unix);

// Returns the subcommand, so that main can map its parse errors to kExitUsage.
CLI::App* RegisterDiagnoseCommand(CLI::App& app);

}  // namespace nfmetrics::app
