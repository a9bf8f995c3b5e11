// The terminal clients send through http_client::HttpTransport, the same code the server uses to
// talk to Prometheus: one HTTP client in the project, with its TLS, deadline and error messages.
#include "app/api_client.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <chrono>
#include <iostream>
#include <memory>
#include <vector>

#include "nfmetrics/http_client/http_transport.hpp"
#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::app {
namespace {

http_client::HttpTransportOptions TransportOptions(const ConnectionOptions& options) {
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

struct Abandoned {
  std::unique_ptr<boost::asio::io_context> context;
  std::unique_ptr<http_client::HttpTransport> transport;
};
std::vector<Abandoned>* g_abandoned = nullptr;

// A coroutine of its own rather than a lambda: a capturing lambda would be destroyed before the
// coroutine it started resumes.
boost::asio::awaitable<void> Fetch(http_client::HttpTransport& transport, std::string target,
                                   std::optional<Result<http_client::HttpAnswer>>& answer) {
  http_client::HttpRequest request;
  request.target = std::move(target);
  Result<http_client::HttpAnswer> result = co_await transport.Send(std::move(request));
  answer.emplace(std::move(result));
}

// The transport's answer, or nullopt when run() gave up at the backstop past the deadline.
std::optional<Result<http_client::HttpAnswer>> Send(
    std::unique_ptr<boost::asio::io_context> context,
    std::unique_ptr<http_client::HttpTransport> transport, std::string target, Duration timeout) {
  std::optional<Result<http_client::HttpAnswer>> answer;
  boost::asio::co_spawn(*context, Fetch(*transport, std::move(target), answer),
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
    transport.reset();
    context->restart();
    context->poll();
  }
  // Work still pending once stopped is a getaddrinfo, which nothing can cancel: destroying the
  // context would join the resolver's thread and wait for it. Leave it to the process's exit.
  if (!answer.has_value() || !context->stopped()) Abandon(std::move(context), std::move(transport));
  return answer;
}

}  // namespace

void AddConnectionFlags(CLI::App& command, ConnectionOptions& options) {
  command
      .add_option("--url", options.url,
                  "The nfmetrics API, http://HOST:PORT or https://HOST:PORT (env NFMETRICS_URL)")
      ->envname("NFMETRICS_URL")
      ->capture_default_str();
  command
      .add_option("--token", options.token,
                  "Bearer token for a server with --auth-tokens or JWTs (env NFMETRICS_TOKEN)")
      ->envname("NFMETRICS_TOKEN");
  command.add_option("--timeout", options.timeout, "Deadline of the request (Prometheus duration)")
      ->capture_default_str();
  command
      .add_option("--ca-file", options.ca_file,
                  "PEM CA certificates to verify an https:// server (default: the system's)")
      ->check(CLI::ExistingFile);
}

void AddParam(std::string& target, std::string_view name, std::string_view value) {
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += name;
  target += '=';
  target += boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::int64_t SinceStart(std::string_view since, std::int64_t now_unix) {
  Result<Duration> duration = service::ParseDuration(since);
  if (!duration || duration->count() <= 0) {
    throw UsageError(fmt::format("--since \"{}\" is not a positive duration (1h, 30m, 2d)", since));
  }
  return now_unix - std::chrono::duration_cast<std::chrono::seconds>(*duration).count();
}

std::int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

std::optional<ApiError> ParseApiError(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object error;
  if (parser.parse(body.data(), body.size()).get(root) || root["error"].get_object().get(error)) {
    return std::nullopt;
  }
  auto field = [&error](std::string_view key) {
    std::string_view value;
    return error[key].get_string().get(value) ? std::string() : std::string(value);
  };
  ApiError parsed{field("code"), field("message"), field("param")};
  if (parsed.code.empty() && parsed.message.empty()) return std::nullopt;
  return parsed;
}

ClientTransport MakeClientTransport(std::string_view command, const ConnectionOptions& options,
                                    boost::asio::any_io_executor executor) {
  http_client::HttpTransportOptions transport_options;
  try {
    transport_options = TransportOptions(options);
  } catch (const UsageError& e) {
    std::cerr << fmt::format("nfmetrics {}: {}\n", command, e.what());
    return {kExitUsage, nullptr};
  }
  Result<std::unique_ptr<http_client::HttpTransport>> transport =
      http_client::MakeHttpTransport(std::move(executor), std::move(transport_options));
  if (!transport) {
    // The options are the user's flags, named by `param` ("url", "ca-file").
    const Error& error = transport.error();
    std::cerr << fmt::format("nfmetrics {}: {}{}\n", command,
                             error.param.empty() ? "" : "--" + error.param + ": ", error.message);
    return {kExitUsage, nullptr};
  }
  if (TokenGoesInTheClear(options.url, options.token)) {
    std::cerr << fmt::format(
        "nfmetrics {}: warning: the token is sent unencrypted over http:// to a host that is not "
        "loopback; use https://\n",
        command);
  }
  return {0, std::move(transport).value()};
}

void PrintErrorAnswer(std::string_view command, const ConnectionOptions& options,
                      const http_client::HttpAnswer& answer) {
  if (std::optional<ApiError> error = ParseApiError(answer.body)) {
    std::cerr << fmt::format(
        "nfmetrics {}: {}: {}{}\n", command, error->code, error->message,
        error->param.empty() ? "" : fmt::format(" (parameter {})", error->param));
  } else {
    std::cerr << fmt::format("nfmetrics {}: HTTP {} from {}: {}\n", command, answer.status,
                             options.url, Excerpt(answer.body));
  }
}

void Abandon(std::unique_ptr<boost::asio::io_context> context,
             std::unique_ptr<http_client::HttpTransport> transport) {
  if (g_abandoned == nullptr) g_abandoned = new std::vector<Abandoned>;
  g_abandoned->push_back(Abandoned{std::move(context), std::move(transport)});
}

ApiCall GetFromApi(std::string_view command, const ConnectionOptions& options, std::string target) {
  auto context = std::make_unique<boost::asio::io_context>();
  ClientTransport made = MakeClientTransport(command, options, context->get_executor());
  if (!made.transport) return {made.exit_code, {}};
  // MakeClientTransport checked it.
  const Duration timeout = *service::ParseDuration(options.timeout);
  std::optional<Result<http_client::HttpAnswer>> answer =
      Send(std::move(context), std::move(made.transport), std::move(target), timeout);
  if (!answer.has_value()) {
    std::cerr << fmt::format("nfmetrics {}: no answer from {} within --timeout {}\n", command,
                             options.url, options.timeout);
    return {kExitApiError, {}};
  }
  if (!answer->ok()) {
    std::cerr << fmt::format("nfmetrics {}: {}\n", command, answer->error().message);
    return {kExitApiError, {}};
  }
  http_client::HttpAnswer& http = answer->value();
  if (http.status < 200 || http.status > 299) {
    PrintErrorAnswer(command, options, http);
    return {kExitApiError, {}};
  }
  return {0, std::move(http.body)};
}

}  // namespace nfmetrics::app
