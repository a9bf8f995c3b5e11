// The terminal client sends through http_client::HttpTransport, the same code the server uses to
// talk to Prometheus: one HTTP client in the project, with its TLS, deadline and error messages.
#include "app/query_command.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/query_format.hpp"
#include "nfmetrics/http_client/http_transport.hpp"
#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::app {
namespace {

struct QueryOptions {
  std::string metric;
  std::string url = "http://127.0.0.1:8080";
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string vertex;
  std::string since = "1h";
  std::string start;
  std::string end;
  std::string step;
  std::string window;
  std::vector<std::string> quantiles;
  std::vector<std::string> group_by;
  std::vector<std::string> pods;
  std::string output = "table";
  std::size_t width = 40;
  std::string token;
  std::string timeout = "30s";
  std::string ca_file;
};

class UsageError : public std::exception {
 public:
  explicit UsageError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

void AddParam(std::string& target, std::string_view name, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  target += '=';
  target += boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::string Join(const std::vector<std::string>& values) {
  std::string joined;
  for (const std::string& value : values) {
    if (!joined.empty()) joined += ',';
    joined += value;
  }
  return joined;
}

// GET /api/v1/metrics/{metric}?...; throws UsageError for flags that cannot make a request.
std::string BuildTarget(const QueryOptions& options) {
  if (options.mvtx.empty() == (options.pipeline.empty() && options.vertex.empty())) {
    throw UsageError("give --mvtx, or --pipeline and --vertex");
  }
  if (options.mvtx.empty() && (options.pipeline.empty() || options.vertex.empty())) {
    throw UsageError("--pipeline and --vertex go together");
  }
  std::string target = "/api/v1/metrics/" + std::string(boost::urls::encode(
                                                options.metric, boost::urls::unreserved_chars));
  AddParam(target, "namespace", options.ns);
  if (!options.mvtx.empty()) {
    AddParam(target, "mvtx", options.mvtx);
  } else {
    AddParam(target, "pipeline", options.pipeline);
    AddParam(target, "vertex", options.vertex);
  }
  if (options.start.empty() && options.end.empty()) {
    Result<Duration> since = service::ParseDuration(options.since);
    if (!since || since->count() <= 0) {
      throw UsageError(
          fmt::format("--since \"{}\" is not a positive duration (1h, 30m, 2d)", options.since));
    }
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    AddParam(target, "start",
             fmt::format("{}", std::chrono::duration_cast<std::chrono::seconds>(
                                   (now - *since).time_since_epoch())
                                   .count()));
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

http_client::HttpTransportOptions TransportOptions(const QueryOptions& options) {
  Result<Duration> timeout = service::ParseDuration(options.timeout);
  if (!timeout || timeout->count() <= 0) {
    throw UsageError(
        fmt::format("--timeout \"{}\" is not a positive duration (30s, 2m)", options.timeout));
  }
  http_client::HttpTransportOptions transport{.base_url = options.url,
                                              .peer_name = "nfmetrics",
                                              .param_prefix = "",
                                              .timeout = *timeout,
                                              .max_idle_connections = 1,
                                              .max_connections = 1,
                                              .ca_file = options.ca_file};
  if (!options.token.empty()) {
    // A header field cannot hold a control character, and a token never has a space.
    for (char c : options.token) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f) {
        throw UsageError("--token contains a space or a control character");
      }
    }
    transport.authorization = "Bearer " + options.token;
  }
  return transport;
}

std::string Excerpt(std::string_view body) {
  constexpr std::size_t kMax = 200;
  if (body.empty()) return "(empty body)";
  std::string text(body.substr(0, kMax));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return body.size() > kMax ? text + "..." : text;
}

int PrintAnswer(const QueryOptions& options, const http_client::HttpAnswer& answer) {
  if (answer.status < 200 || answer.status > 299) {
    if (std::optional<ApiError> error = ParseApiError(answer.body)) {
      std::cerr << fmt::format(
          "nfmetrics query: {}: {}{}\n", error->code, error->message,
          error->param.empty() ? "" : fmt::format(" (parameter {})", error->param));
    } else {
      std::cerr << fmt::format("nfmetrics query: HTTP {} from {}: {}\n", answer.status, options.url,
                               Excerpt(answer.body));
    }
    return kQueryExitApiError;
  }
  if (options.output == "json") {
    std::cout << answer.body;
    if (answer.body.empty() || answer.body.back() != '\n') std::cout << '\n';
    return kQueryExitOk;
  }
  Result<QueryAnswer> parsed = ParseQueryAnswer(answer.body);
  if (!parsed) {
    std::cerr << fmt::format("nfmetrics query: {} ({})\n", parsed.error().message, options.url);
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

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "::1" || host == "0:0:0:0:0:0:0:1") return true;
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost" || lower == "localhost.") return true;
  // 127.0.0.0/8, as four decimal octets.
  if (!lower.starts_with("127.")) return false;
  int dots = 0;
  int digits = 0;
  int octet = 0;
  for (char c : lower) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
      octet = 0;
    } else if (c >= '0' && c <= '9') {
      octet = octet * 10 + (c - '0');
      if (++digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

bool TokenGoesInTheClear(std::string_view url, std::string_view token) {
  if (token.empty()) return false;
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;  // the transport refuses it
  std::string scheme(parsed->scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http") return false;
  return !IsLoopbackHost(parsed->encoded_host_address());
}

namespace {

// What a timed-out query leaves running (see RunQuery): reachable from a global, so that a leak
// checker does not report it, and never destroyed.
struct Abandoned {
  std::unique_ptr<boost::asio::io_context> context;
  std::unique_ptr<http_client::HttpTransport> transport;
};
Abandoned* g_abandoned = nullptr;

// A coroutine of its own rather than a lambda: a capturing lambda would be destroyed before the
// coroutine it started resumes.
boost::asio::awaitable<void> Fetch(http_client::HttpTransport& transport, std::string target,
                                   std::optional<Result<http_client::HttpAnswer>>& answer) {
  http_client::HttpRequest request;
  request.target = std::move(target);
  Result<http_client::HttpAnswer> result = co_await transport.Send(std::move(request));
  answer.emplace(std::move(result));
}

int RunQuery(const QueryOptions& options) {
  std::string target;
  http_client::HttpTransportOptions transport_options;
  try {
    target = BuildTarget(options);
    transport_options = TransportOptions(options);
  } catch (const UsageError& e) {
    std::cerr << "nfmetrics query: " << e.what() << '\n';
    return kQueryExitUsage;
  }
  const Duration timeout = transport_options.timeout;
  auto context = std::make_unique<boost::asio::io_context>();
  Result<std::unique_ptr<http_client::HttpTransport>> transport =
      http_client::MakeHttpTransport(context->get_executor(), std::move(transport_options));
  if (!transport) {
    // The options are the user's flags, named by `param` ("url", "ca-file").
    const Error& error = transport.error();
    std::cerr << fmt::format("nfmetrics query: {}{}\n",
                             error.param.empty() ? "" : "--" + error.param + ": ", error.message);
    return kQueryExitUsage;
  }
  if (TokenGoesInTheClear(options.url, options.token)) {
    std::cerr << "nfmetrics query: warning: the token is sent unencrypted over http:// to a host "
                 "that is not loopback; use https://\n";
  }
  std::optional<Result<http_client::HttpAnswer>> answer;
  boost::asio::co_spawn(*context, Fetch(**transport, target, answer),
                        [&context = *context](const std::exception_ptr& e) {
                          // A lookup the deadline gave up on would otherwise keep run() waiting.
                          context.stop();
                          if (e) std::rethrow_exception(e);
                        });
  // Backstop: whatever the transport does, run() returns shortly after the deadline.
  boost::asio::steady_timer backstop(*context, timeout + std::chrono::seconds(1));
  backstop.async_wait([&context = *context](boost::system::error_code ec) {
    if (!ec) context.stop();
  });
  context->run();
  backstop.cancel();
  if (answer.has_value()) {
    transport->reset();
    context->restart();
    context->poll();
  }
  // Work still pending once stopped is a getaddrinfo, which nothing can cancel: destroying the
  // context would join the resolver's thread and wait for it. Leave it to the process's exit.
  if (!answer.has_value() || !context->stopped()) {
    g_abandoned = new Abandoned{std::move(context), std::move(*transport)};
  }
  if (!answer.has_value()) {
    std::cerr << fmt::format("nfmetrics query: no answer from {} within --timeout {}\n",
                             options.url, options.timeout);
    return kQueryExitApiError;
  }
  if (!answer->ok()) {
    std::cerr << "nfmetrics query: " << answer->error().message << '\n';
    return kQueryExitApiError;
  }
  return PrintAnswer(options, answer->value());
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
  query
      ->add_option("--url", options->url,
                   "The nfmetrics API, http://HOST:PORT or https://HOST:PORT (env NFMETRICS_URL)")
      ->envname("NFMETRICS_URL")
      ->capture_default_str();
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
  query
      ->add_option("--token", options->token,
                   "Bearer token for a server with --auth-tokens or JWTs (env NFMETRICS_TOKEN)")
      ->envname("NFMETRICS_TOKEN");
  query->add_option("--timeout", options->timeout, "Deadline of the request (Prometheus duration)")
      ->capture_default_str();
  query
      ->add_option("--ca-file", options->ca_file,
                   "PEM CA certificates to verify an https:// server (default: the system's)")
      ->check(CLI::ExistingFile);
  query->callback([options] {
    int code = RunQuery(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
  return query;
}

}  // namespace nfmetrics::app
