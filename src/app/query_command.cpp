// `nfmetrics query`: the flags made into a GET /api/v1/metrics/{metric}, sent through the shared
// client plumbing (api_client.hpp), the answer printed as a table, JSON or CSV; with --follow,
// into a GET of its stream, followed by query_follow.
#include "app/query_command.hpp"

#include <fmt/format.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/api_client.hpp"
#include "app/query_follow.hpp"
#include "app/query_format.hpp"

namespace nfmetrics::app {
namespace {

struct QueryOptions {
  std::string metric;
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string vertex;
  std::string since = "1h";
  std::string start;
  std::string end;
  bool follow = false;
  std::string range = "1h";  // with follow
  bool fresh = false;        // with follow
  std::string step;
  std::string window;
  std::vector<std::string> quantiles;
  std::vector<std::string> group_by;
  std::vector<std::string> pods;
  std::string output = "table";
  std::size_t width = 40;
  ConnectionOptions connection;
};

std::string Join(const std::vector<std::string>& values) {
  std::string joined;
  for (const std::string& value : values) {
    if (!joined.empty()) joined += ',';
    joined += value;
  }
  return joined;
}

// GET /api/v1/metrics/{metric}?..., or with --follow /api/v1/metrics/{metric}/stream?...; throws
// UsageError for flags that cannot make a request.
std::string BuildTarget(const QueryOptions& options) {
  if (options.mvtx.empty() == (options.pipeline.empty() && options.vertex.empty())) {
    throw UsageError("give --mvtx, or --pipeline and --vertex");
  }
  if (options.mvtx.empty() && (options.pipeline.empty() || options.vertex.empty())) {
    throw UsageError("--pipeline and --vertex go together");
  }
  std::string target = "/api/v1/metrics/" + std::string(boost::urls::encode(
                                                options.metric, boost::urls::unreserved_chars));
  if (options.follow) target += "/stream";
  AddParam(target, "namespace", options.ns);
  if (!options.mvtx.empty()) {
    AddParam(target, "mvtx", options.mvtx);
  } else {
    AddParam(target, "pipeline", options.pipeline);
    AddParam(target, "vertex", options.vertex);
  }
  if (options.follow) {
    // The stream's window ends now and slides: `range` instead of `start` and `end`.
    AddParam(target, "range", options.range);
    if (options.fresh) AddParam(target, "fresh", "true");
  } else if (options.start.empty() && options.end.empty()) {
    AddParam(target, "start", fmt::format("{}", SinceStart(options.since, NowUnixSeconds())));
  } else {
    if (!options.start.empty()) AddParam(target, "start", options.start);
    if (!options.end.empty()) AddParam(target, "end", options.end);
  }
  if (!options.step.empty()) AddParam(target, "step", options.step);
  if (!options.window.empty()) AddParam(target, "window", options.window);
  if (!options.quantiles.empty()) AddParam(target, "quantile", Join(options.quantiles));
  if (!options.group_by.empty()) AddParam(target, "group_by", Join(options.group_by));
  if (!options.pods.empty()) AddParam(target, "pod", Join(options.pods));
  return target;
}

int PrintAnswer(const QueryOptions& options, const std::string& body) {
  if (options.output == "json") {
    std::cout << body;
    if (body.empty() || body.back() != '\n') std::cout << '\n';
    return kQueryExitOk;
  }
  Result<QueryAnswer> parsed = ParseQueryAnswer(body);
  if (!parsed) {
    std::cerr << fmt::format("nfmetrics query: {} ({})\n", parsed.error().message,
                             options.connection.url);
    return kQueryExitApiError;
  }
  for (const std::string& warning : parsed->warnings) {
    std::cerr << "nfmetrics query: warning: " << warning << '\n';
  }
  if (options.output == "csv") {
    WriteCsv(std::cout, *parsed);
    if (parsed->series.empty()) std::cerr << "nfmetrics query: no series\n";
  } else {
    WriteTable(std::cout, *parsed, TableOptions{options.metric, options.width});
  }
  return kQueryExitOk;
}

int RunQuery(const QueryOptions& options) {
  std::string target;
  try {
    target = BuildTarget(options);
  } catch (const UsageError& e) {
    std::cerr << "nfmetrics query: " << e.what() << '\n';
    return kQueryExitUsage;
  }
  if (options.follow) {
    return FollowQuery(FollowSettings{.target = std::move(target),
                                      .metric = options.metric,
                                      .output = options.output,
                                      .width = options.width,
                                      .connection = options.connection});
  }
  ApiCall call = GetFromApi("query", options.connection, std::move(target));
  if (call.exit_code != 0) return call.exit_code;
  return PrintAnswer(options, call.body);
}

}  // namespace

CLI::App* RegisterQueryCommand(CLI::App& app) {
  auto options = std::make_shared<QueryOptions>();
  CLI::App* query = app.add_subcommand(
      "query", "Print one metric of a MonoVertex or pipeline vertex from a running nfmetrics API");
  query
      ->add_option("metric", options->metric,
                   "Catalog metric name: sink-latency, processing-latency, read-throughput, ... "
                   "(GET /api/v1/metrics lists them)")
      ->required();
  query->add_option("--namespace", options->ns, "Kubernetes namespace of the object")->required();
  CLI::Option* mvtx = query->add_option("--mvtx", options->mvtx, "MonoVertex name");
  CLI::Option* pipeline =
      query->add_option("--pipeline", options->pipeline, "Pipeline name (with --vertex)");
  CLI::Option* vertex =
      query->add_option("--vertex", options->vertex, "Vertex name (with --pipeline)");
  mvtx->excludes(pipeline)->excludes(vertex);
  CLI::Option* since = query
                           ->add_option("--since", options->since,
                                        "Range ending now, as a Prometheus duration (30m, 6h, 2d)")
                           ->capture_default_str();
  CLI::Option* start = query->add_option(
      "--start", options->start, "Range start: unix seconds or RFC3339 (instead of --since)");
  CLI::Option* end =
      query->add_option("--end", options->end,
                        "Range end: unix seconds or RFC3339 (default now; instead of --since)");
  since->excludes(start)->excludes(end);
  CLI::Option* follow = query->add_flag(
      "--follow,-f", options->follow,
      "Keep printing: after the range ending now, each new step per series as the API streams it "
      "(until Ctrl-C); the range is --range, not --since, --start or --end");
  follow->excludes(since)->excludes(start)->excludes(end);
  query
      ->add_option("--range", options->range,
                   "With --follow: the window ending now that the stream slides (Prometheus "
                   "duration, at most 24h)")
      ->capture_default_str()
      ->needs(follow);
  query
      ->add_flag("--fresh", options->fresh,
                 "With --follow: steps at once rather than once older than the server's "
                 "--cache-freshness; a step is then printed again each time its value is re-sent")
      ->needs(follow);
  query->add_option("--step", options->step,
                    "Resolution (15s, 1m, or seconds); default chosen by the API for ~300 points");
  query->add_option("--window", options->window, "Rate window (Prometheus duration)");
  query
      ->add_option("--quantile", options->quantiles,
                   "Quantiles of a latency in [0, 1], comma-separated or repeated (API default "
                   "0.95)")
      ->delimiter(',');
  query
      ->add_option("--group-by", options->group_by,
                   "Dimensions to split by: pod, mvtx_replica, replica, ... (default: one "
                   "aggregate series)")
      ->delimiter(',');
  query->add_option("--pod", options->pods, "Only these pods, comma-separated or repeated")
      ->delimiter(',');
  query->add_option("--output,-o", options->output, "table, json (the API's answer) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  query->add_option("--width", options->width, "Sparkline columns in the table")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}))
      ->capture_default_str();
  AddConnectionFlags(*query, options->connection);
  query->callback([options] {
    int code = RunQuery(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
  return query;
}

}  // namespace nfmetrics::app
