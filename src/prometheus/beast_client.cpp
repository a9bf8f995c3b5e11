// BeastClient: the Prometheus HTTP API over http_client::HttpTransport
// (http_client/http_transport.hpp), which does the connections, TLS, pooling and deadlines. This
// file knows the endpoints, the forms, the credentials and what a 401 or 403 from the engine means.
#include "nfmetrics/prometheus/beast_client.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "nfmetrics/http_client/http_transport.hpp"
#include "prometheus/response_parser.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;

// Unix seconds with millisecond precision and no exponent: 1795467600, 1795467600.5, 0.25.
std::string FormatSeconds(std::int64_t milliseconds) {
  std::int64_t seconds = milliseconds / 1000;
  std::int64_t fraction = milliseconds % 1000;
  if (fraction < 0) {
    seconds -= 1;
    fraction += 1000;
  }
  if (fraction == 0) return fmt::format("{}", seconds);
  std::string text = fmt::format("{}.{:03}", seconds, fraction);
  while (text.back() == '0') text.pop_back();
  return text;
}

// application/x-www-form-urlencoded: everything but unreserved characters is percent-encoded, so
// '+' in PromQL stays a plus instead of turning into a space.
void AppendFormField(std::string& body, std::string_view name, std::string_view value) {
  if (!body.empty()) body += '&';
  body += name;
  body += '=';
  body += boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::string QueryRangeForm(const RangeQuery& query) {
  std::string body;
  AppendFormField(body, "query", query.promql);
  AppendFormField(body, "start", FormatSeconds(query.start.time_since_epoch().count()));
  AppendFormField(body, "end", FormatSeconds(query.end.time_since_epoch().count()));
  AppendFormField(body, "step", FormatSeconds(query.step.count()));
  return body;
}

// Prometheus's label-name syntax. Checked before the name becomes part of the request path, so a
// name can never add a path segment or a query.
bool IsValidLabelName(std::string_view name) {
  auto is_start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !is_start(name.front())) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return is_start(c) || is_digit(c); });
}

// match[] is percent-encoded too: brackets are not allowed unescaped in a URI query.
std::string LabelValuesForm(const LabelValuesQuery& query) {
  std::string form;
  for (const std::string& matcher : query.matchers) AppendFormField(form, "match%5B%5D", matcher);
  AppendFormField(form, "start", FormatSeconds(query.start.time_since_epoch().count()));
  AppendFormField(form, "end", FormatSeconds(query.end.time_since_epoch().count()));
  return form;
}

std::string LowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(data.data()),
                                      static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(std::max(written, 0)));
  return out;
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// The Authorization header value the options ask for ("" for none). Messages never quote a
// secret: a token pasted into the wrong file must not end up in a log.
Result<std::string> MakeAuthorization(const BeastClientOptions& options) {
  const bool bearer = !options.bearer_token.empty();
  const bool basic = !options.basic_auth_user.empty() || !options.basic_auth_password.empty();
  if (bearer && basic) {
    return BadRequest("prometheus-bearer-token-file",
                      "a bearer token and basic auth cannot both be sent; choose one");
  }
  if (bearer) {
    if (HasControlCharacter(options.bearer_token) ||
        options.bearer_token.find(' ') != std::string::npos) {
      return BadRequest("prometheus-bearer-token-file",
                        "the token contains a space or a control character (a token file holds "
                        "the token alone, optionally followed by a newline)");
    }
    return "Bearer " + options.bearer_token;
  }
  if (basic) {
    if (options.basic_auth_user.empty()) {
      return BadRequest("prometheus-basic-auth-user", "is required with a basic auth password");
    }
    if (options.basic_auth_user.find(':') != std::string::npos ||
        HasControlCharacter(options.basic_auth_user)) {
      return BadRequest("prometheus-basic-auth-user",
                        "a basic auth user name cannot contain ':' or a control character");
    }
    if (options.basic_auth_password.empty()) {
      return BadRequest("prometheus-basic-auth-password-file",
                        "is required with a basic auth user");
    }
    if (HasControlCharacter(options.basic_auth_password)) {
      return BadRequest("prometheus-basic-auth-password-file",
                        "the password contains a control character");
    }
    return "Basic " + Base64(options.basic_auth_user + ":" + options.basic_auth_password);
  }
  return std::string();
}

class BeastClient final : public Client {
 public:
  BeastClient(std::unique_ptr<http_client::HttpTransport> transport,
              const BeastClientOptions& options)
      : transport_(std::move(transport)),
        sent_credentials_(!options.bearer_token.empty()      ? "bearer token"
                          : !options.basic_auth_user.empty() ? "basic auth credentials"
                                                             : "") {}

  asio::awaitable<Result<Matrix>> QueryRange(const RangeQuery& query) override {
    http_client::HttpRequest request{.post = true,
                                     .target = "/api/v1/query_range",
                                     .content_type = "application/x-www-form-urlencoded",
                                     .body = QueryRangeForm(query)};
    const auto started = std::chrono::steady_clock::now();
    Result<http_client::HttpAnswer> answer = co_await Send(std::move(request));
    if (!answer) co_return std::move(answer).error();
    Result<Matrix> matrix = ParseQueryRangeResponse(answer->body, answer->status);
    // What each refresh costs the backend; the benchmark reads it to show extent reuse.
    if (matrix.ok() && spdlog::should_log(spdlog::level::debug)) {
      std::size_t samples = 0;
      for (const Series& series : matrix->series) samples += series.samples.size();
      spdlog::debug(
          "upstream query_range [{}, {}] step {}ms: {} series, {} samples, {} bytes, {} us: {}",
          query.start.time_since_epoch().count() / 1000,
          query.end.time_since_epoch().count() / 1000, query.step.count(), matrix->series.size(),
          samples, answer->body.size(),
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                started)
              .count(),
          query.promql);
    }
    co_return matrix;
  }

  // GET with the form in the query string: Prometheus (2.42 at least) answers 405 to a POST on
  // this endpoint, unlike /api/v1/labels and query_range. Matchers are short, so the URL stays
  // well under any server's limit.
  asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const LabelValuesQuery& query) override {
    if (!IsValidLabelName(query.label)) {
      co_return BadRequest("label",
                           fmt::format("\"{}\" is not a valid Prometheus label name", query.label));
    }
    http_client::HttpRequest request{
        .target = fmt::format("/api/v1/label/{}/values?{}", query.label, LabelValuesForm(query))};
    Result<http_client::HttpAnswer> answer = co_await Send(std::move(request));
    if (!answer) co_return std::move(answer).error();
    co_return ParseLabelValuesResponse(answer->body, answer->status);
  }

  asio::awaitable<Status> CheckReady() override {
    http_client::HttpRequest request{.target = "/api/v1/query?query=1"};
    Result<http_client::HttpAnswer> answer = co_await Send(std::move(request));
    if (!answer) co_return std::move(answer).error();
    co_return ParseStatusResponse(answer->body, answer->status);
  }

 private:
  // The transport's answer, with the engine refusing our credentials turned into an error that
  // says so (and is not worth retrying).
  asio::awaitable<Result<http_client::HttpAnswer>> Send(http_client::HttpRequest request) {
    Result<http_client::HttpAnswer> answer = co_await transport_->Send(std::move(request));
    if (answer && (answer->status == 401 || answer->status == 403)) {
      Error refused = RefusedCredentials(answer->status);
      refused.upstream_status = answer->status;
      co_return refused;
    }
    co_return answer;
  }

  Error RefusedCredentials(unsigned status) const {
    const char* sent = sent_credentials_.empty() ? nullptr : sent_credentials_.c_str();
    const std::string& origin = transport_->origin();
    if (status == 403) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("the backend refused our {} (403): Prometheus at {} does not "
                               "allow this request",
                               sent ? sent : "request", origin),
                   {}};
    }
    if (sent == nullptr) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("the backend requires credentials (401): Prometheus at {} wants "
                               "authentication and none is configured",
                               origin),
                   {}};
    }
    return Error{ErrorCode::kUpstreamError,
                 fmt::format("the backend refused our credentials (401): Prometheus at {} did "
                             "not accept our {}",
                             origin, sent),
                 {}};
  }

  std::unique_ptr<http_client::HttpTransport> transport_;
  std::string sent_credentials_;  // what kind we send, for messages: "" for none
};

}  // namespace

Result<std::unique_ptr<Client>> MakeBeastClient(boost::asio::any_io_executor executor,
                                                BeastClientOptions options) {
  Result<std::string> authorization = MakeAuthorization(options);
  if (!authorization) return std::move(authorization).error();
  http_client::HttpTransportOptions transport_options = options.transport;
  transport_options.authorization = authorization.value();

  Result<std::unique_ptr<http_client::HttpTransport>> transport =
      http_client::MakeHttpTransport(std::move(executor), std::move(transport_options));
  if (!transport) return std::move(transport).error();
  const std::string& origin = (*transport)->origin();
  if (origin.starts_with("https://")) {
    if (options.transport.insecure_skip_verify) {
      spdlog::warn(
          "TLS certificate verification of Prometheus at {} is OFF "
          "(--prometheus-tls-insecure-skip-verify): anyone on the path can impersonate it{}; for "
          "testing only",
          origin, authorization->empty() ? "" : " and read our credentials");
    }
  } else if (!authorization->empty()) {
    spdlog::warn("credentials go to Prometheus at {} in clear text: use an https:// URL", origin);
  }
  return std::unique_ptr<Client>(
      std::make_unique<BeastClient>(std::move(transport).value(), options));
}

Result<std::string> ReadSecretFile(const std::string& path) {
  constexpr std::size_t kMaxSecretBytes = 64 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return BadRequest(
        {}, fmt::format("cannot read {}: {}", path,
                        LowerFirst(std::error_code(errno, std::generic_category()).message())));
  }
  std::string secret;
  char chunk[4096];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    secret.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (secret.size() > kMaxSecretBytes) {
      return BadRequest({}, fmt::format("{} is larger than 64 KiB: not a secret file", path));
    }
  }
  if (in.bad()) return BadRequest({}, fmt::format("cannot read {}", path));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return BadRequest({}, fmt::format("{} is empty", path));
  return secret;
}

}  // namespace nfmetrics::prometheus
