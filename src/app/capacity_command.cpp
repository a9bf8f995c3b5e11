#include "app/capacity_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "app/capacity_answer.hpp"
#include "app/capacity_format.hpp"

namespace nfmetrics::app {
namespace {

constexpr std::string_view kExitCodes =
    "Exit codes:\n"
    "  0  the answer printed\n"
    "  1  the API answered an error (its message and parameter printed) or could not be reached\n"
    "  2  usage: a bad or missing flag, neither or both of --mvtx and --pipeline, --pipeline "
    "without --vertex";

int RunCapacity(const CapacityOptions& options) {
  std::string target;
  try {
    target = BuildCapacityTarget(options);
  } catch (const UsageError& e) {
    std::cerr << "nfmetrics capacity: " << e.what() << '\n';
    return kExitUsage;
  }
  ApiCall call = GetFromApi("capacity", options.connection, std::move(target));
  if (call.exit_code != 0) return call.exit_code;
  Result<CapacityAnswer> answer = ParseCapacityAnswer(call.body);
  if (!answer) {
    std::cerr << fmt::format("nfmetrics capacity: {} ({})\n", answer.error().message,
                             options.connection.url);
    return kExitApiError;
  }
  for (const std::string& warning : answer->warnings) {
    std::cerr << "nfmetrics capacity: warning: " << warning << '\n';
  }
  if (options.output == "json") {
    std::cout << answer->data_json << '\n';
  } else {
    WriteCapacity(std::cout, *answer);
  }
  return 0;
}

}  // namespace

std::string BuildCapacityTarget(const CapacityOptions& options) {
  if (options.mvtx.empty() == options.pipeline.empty()) {
    throw UsageError("give one of --mvtx and --pipeline (with --vertex)");
  }
  if (options.pipeline.empty() != options.vertex.empty()) {
    throw UsageError(options.vertex.empty() ? "--pipeline needs --vertex"
                                            : "--vertex needs --pipeline");
  }
  std::string target = "/api/v1/capacity";
  AddParam(target, "namespace", options.ns);
  if (!options.mvtx.empty()) {
    AddParam(target, "mvtx", options.mvtx);
  } else {
    AddParam(target, "pipeline", options.pipeline);
    AddParam(target, "vertex", options.vertex);
  }
  if (!options.days.empty()) AddParam(target, "days", options.days);
  if (!options.quantile.empty()) AddParam(target, "quantile", options.quantile);
  if (!options.horizon.empty()) AddParam(target, "horizon", options.horizon);
  return target;
}

CLI::App* RegisterCapacityCommand(CLI::App& app) {
  auto options = std::make_shared<CapacityOptions>();
  CLI::App* capacity = app.add_subcommand(
      "capacity",
      "Capacity of a MonoVertex or pipeline vertex from a running nfmetrics API: per UTC day its "
      "read rates, latency quantiles and pods, their trends projected ahead, and latency by load");
  capacity->add_option("--namespace", options->ns, "Kubernetes namespace of the object")
      ->required();
  CLI::Option* mvtx = capacity->add_option("--mvtx", options->mvtx, "MonoVertex name");
  CLI::Option* pipeline =
      capacity->add_option("--pipeline", options->pipeline, "Pipeline name (with --vertex)");
  CLI::Option* vertex =
      capacity->add_option("--vertex", options->vertex, "Vertex name (with --pipeline)");
  mvtx->excludes(pipeline)->excludes(vertex);
  capacity->add_option("--days", options->days,
                       "Whole UTC days before today's, 2 to 90 (API default 30)");
  capacity->add_option("--quantile", options->quantile,
                       "Quantile of the sink and processing latencies, in [0, 1] (API default "
                       "0.99)");
  capacity->add_option("--horizon", options->horizon,
                       "Days after the last day the trends are projected to, 0 to 365 (API "
                       "default 30)");
  capacity
      ->add_option("--output,-o", options->output,
                   "table (days, trends and deciles) or json (the answer's data)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  AddConnectionFlags(*capacity, options->connection);
  capacity->footer(std::string(kExitCodes));
  capacity->callback([options] {
    int code = RunCapacity(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
  return capacity;
}

}  // namespace nfmetrics::app
