#include "app/diagnose_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "app/diagnose_format.hpp"

namespace nfmetrics::app {
namespace {

constexpr std::string_view kExitCodes =
    "Exit codes:\n"
    "  0  no findings\n"
    "  3  findings, the most severe a warning\n"
    "  4  a critical finding\n"
    "  1  the API answered an error (its message and parameter printed) or could not be reached\n"
    "  2  usage: a bad or missing flag, neither or both of --mvtx and --pipeline, a bad --since";

int RunDiagnose(const DiagnoseOptions& options) {
  std::string target;
  try {
    target = BuildDiagnosisTarget(options, NowUnixSeconds());
  } catch (const UsageError& e) {
    std::cerr << "nfmetrics diagnose: " << e.what() << '\n';
    return kExitUsage;
  }
  ApiCall call = GetFromApi("diagnose", options.connection, std::move(target));
  if (call.exit_code != 0) return call.exit_code;
  Result<DiagnosisAnswer> answer = ParseDiagnosisAnswer(call.body);
  if (!answer) {
    std::cerr << fmt::format("nfmetrics diagnose: {} ({})\n", answer.error().message,
                             options.connection.url);
    return kExitApiError;
  }
  if (options.output == "json") {
    std::cout << call.body;
    if (call.body.empty() || call.body.back() != '\n') std::cout << '\n';
  } else {
    WriteDiagnosis(std::cout, *answer);
  }
  return DiagnoseExitCode(answer->findings);
}

}  // namespace

std::string BuildDiagnosisTarget(const DiagnoseOptions& options, std::int64_t now_unix) {
  if (options.mvtx.empty() == options.pipeline.empty()) {
    throw UsageError("give one of --mvtx and --pipeline");
  }
  std::string target = "/api/v1/diagnosis";
  AddParam(target, "namespace", options.ns);
  if (!options.mvtx.empty()) {
    AddParam(target, "mvtx", options.mvtx);
  } else {
    AddParam(target, "pipeline", options.pipeline);
  }
  if (options.start.empty() && options.end.empty()) {
    AddParam(target, "start", fmt::format("{}", SinceStart(options.since, now_unix)));
    AddParam(target, "end", fmt::format("{}", now_unix));
  } else {
    if (!options.start.empty()) AddParam(target, "start", options.start);
    if (!options.end.empty()) AddParam(target, "end", options.end);
  }
  if (!options.quantile.empty()) AddParam(target, "quantile", options.quantile);
  if (!options.baseline.empty()) AddParam(target, "baseline", options.baseline);
  return target;
}

CLI::App* RegisterDiagnoseCommand(CLI::App& app) {
  auto options = std::make_shared<DiagnoseOptions>();
  CLI::App* diagnose = app.add_subcommand(
      "diagnose",
      "Diagnose a MonoVertex or pipeline from a running nfmetrics API: the bottleneck, the slow "
      "pod and since when, and what is worse than usual");
  diagnose->add_option("--namespace", options->ns, "Kubernetes namespace of the object")
      ->required();
  CLI::Option* mvtx = diagnose->add_option("--mvtx", options->mvtx, "MonoVertex name");
  CLI::Option* pipeline = diagnose->add_option("--pipeline", options->pipeline, "Pipeline name");
  mvtx->excludes(pipeline);
  CLI::Option* since = diagnose
                           ->add_option("--since", options->since,
                                        "Range ending now, as a Prometheus duration (30m, 3h, 2d)")
                           ->capture_default_str();
  CLI::Option* start = diagnose->add_option(
      "--start", options->start, "Range start: unix seconds or RFC3339 (instead of --since)");
  CLI::Option* end =
      diagnose->add_option("--end", options->end,
                           "Range end: unix seconds or RFC3339 (default now; instead of --since)");
  since->excludes(start)->excludes(end);
  diagnose->add_option("--quantile", options->quantile,
                       "Quantile of the latencies compared, in [0, 1] (API default 0.99)");
  diagnose
      ->add_option("--baseline", options->baseline,
                   "Compare with the same range 1d or 7d earlier, or none (API default 1d)")
      ->check(CLI::IsMember({"1d", "7d", "none"}));
  diagnose
      ->add_option("--output,-o", options->output,
                   "text (findings, stages and pods or vertices) or json (the API's answer)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  AddConnectionFlags(*diagnose, options->connection);
  diagnose->footer(std::string(kExitCodes));
  diagnose->callback([options] {
    int code = RunDiagnose(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
  return diagnose;
}

}  // namespace nfmetrics::app
