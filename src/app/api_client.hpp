// What the terminal clients (`nfmetrics query`, `nfmetrics diagnose`) share: the connection flags,
// one GET to a running nfmetrics API through http_client::HttpTransport, the API's error answers
// printed on stderr, and the exit codes for those failures.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nfmetrics/http_client/http_transport.hpp"

namespace nfmetrics::app {

inline constexpr int kExitApiError = 1;  // the API answered an error, or could not be reached
inline constexpr int kExitUsage = 2;     // flags that cannot make a request

// The flags every client command has: where the API is and how to talk to it.
struct ConnectionOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string timeout = "30s";
  std::string ca_file;
};

// --url (env NFMETRICS_URL), --token (env NFMETRICS_TOKEN), --timeout, --ca-file.
void AddConnectionFlags(CLI::App& command, ConnectionOptions& options);

// Flags that cannot make a request; the command prints it and exits kExitUsage.
class UsageError : public std::exception {
 public:
  explicit UsageError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// Appends `name=value` to a request target, the value percent-encoded.
void AddParam(std::string& target, std::string_view name, std::string_view value);

// Unix seconds of now - `since` (a positive Prometheus duration); throws UsageError naming --since.
std::int64_t SinceStart(std::string_view since, std::int64_t now_unix);
std::int64_t NowUnixSeconds();

// True for a loopback host as a URL names it: localhost, 127.0.0.0/8 or ::1 (bracketed or not).
bool IsLoopbackHost(std::string_view host);

// True when a token would be sent unencrypted off the machine: a non-empty token, an http:// URL
// and a host that is not loopback. The commands warn then.
bool TokenGoesInTheClear(std::string_view url, std::string_view token);

// An error answer: {"status":"error","error":{"code","message","param"}}.
struct ApiError {
  std::string code;
  std::string message;
  std::string param;  // "" when absent
};
// nullopt when the body is not an error answer.
std::optional<ApiError> ParseApiError(std::string_view body);

// The transport the connection flags describe, on `executor`. When they cannot make one,
// `transport` is null, `exit_code` kExitUsage and why has been printed on stderr as "nfmetrics
// <command>: ...". Prints the warning of TokenGoesInTheClear.
struct ClientTransport {
  int exit_code = 0;
  std::unique_ptr<http_client::HttpTransport> transport;
};
ClientTransport MakeClientTransport(std::string_view command, const ConnectionOptions& options,
                                    boost::asio::any_io_executor executor);

// A non-2xx answer on stderr: the API's code, message and parameter when it is an API error, else
// the status and the start of the body.
void PrintErrorAnswer(std::string_view command, const ConnectionOptions& options,
                      const http_client::HttpAnswer& answer);

// What a command stops without waiting for (a getaddrinfo, which nothing can cancel, or a
// coroutine suspended on a connection): kept reachable from a global, so that a leak checker does
// not report it, and left to the process's exit, because destroying the context would wait for it.
void Abandon(std::unique_ptr<boost::asio::io_context> context,
             std::unique_ptr<http_client::HttpTransport> transport);

// One GET of `target` (path and query). On a 2xx answer, its body; otherwise the failure has been
// printed on stderr as "nfmetrics <command>: ..." (the API's code, message and parameter when it
// answered an error) and `exit_code` is kExitApiError, or kExitUsage for connection flags that
// cannot make a request (--timeout, --token, --url, --ca-file).
struct ApiCall {
  int exit_code = 0;
  std::string body;
};
ApiCall GetFromApi(std::string_view command, const ConnectionOptions& options, std::string target);

}  // namespace nfmetrics::app
