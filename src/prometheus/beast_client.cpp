// BeastClient: Prometheus over HTTP/1.1 or HTTPS with Beast and C++20 coroutines.
// One steady-clock deadline per request covers resolve, connect, TLS handshake, write and read, so
// a call never outlives options.timeout. Idle keep-alive connections are pooled; a pooled
// connection the server closed meanwhile is detected on first use and the request is retried once
// on a fresh one. One implementation serves both schemes: BeastClient<Stream> differs only in how
// a connection is opened (TCP, or TCP then a verified TLS handshake).
#include "prometheus/beast_client.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "prometheus/response_parser.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

constexpr std::string_view kUserAgent = "nfmetrics/0.1";
constexpr std::string_view kUrlParam = "prometheus-url";
constexpr std::size_t kReadBufferBytes = 256 * 1024;

// Where requests go, taken apart once from base_url.
struct Endpoint {
  bool tls = false;         // https
  std::string origin;       // http[s]://host[:port], for messages
  std::string host;         // for the resolver: no brackets around IPv6
  std::string port;         // service name or number for the resolver
  std::string host_header;  // host[:port] exactly as configured
  std::string path_prefix;  // "" or e.g. "/select/0/prometheus", never ending in '/'
};

bool IsValidPort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535;
}

Result<Endpoint> ParseBaseUrl(std::string_view base_url) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) {
    return BadRequest(std::string(kUrlParam), fmt::format("\"{}\" is not a valid URL: {}", base_url,
                                                          parsed.error().message()));
  }
  const boost::urls::url_view& url = *parsed;
  auto reject = [&](std::string_view why) {
    return BadRequest(std::string(kUrlParam), fmt::format("\"{}\": {}", base_url, why));
  };
  const bool tls = url.scheme_id() == boost::urls::scheme::https;
  if (!tls && url.scheme_id() != boost::urls::scheme::http) {
    return reject("the scheme must be http or https");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return reject("the URL has no host");
  if (url.has_userinfo()) return reject("credentials in the URL are not supported");
  if (url.has_query()) return reject("the URL must not have a query");
  if (url.has_fragment()) return reject("the URL must not have a fragment");
  bool explicit_port = url.has_port() && !url.port().empty();
  if (explicit_port && !IsValidPort(url.port())) return reject("the port must be 1-65535");

  Endpoint endpoint;
  endpoint.tls = tls;
  endpoint.host = url.host_address();
  endpoint.port = explicit_port ? std::string(url.port()) : (tls ? "443" : "80");
  endpoint.host_header = url.encoded_host_and_port();
  endpoint.origin = (tls ? "https://" : "http://") + endpoint.host_header;
  endpoint.path_prefix = url.encoded_path();
  while (!endpoint.path_prefix.empty() && endpoint.path_prefix.back() == '/') {
    endpoint.path_prefix.pop_back();
  }
  return endpoint;
}

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

std::string FormatTimeout(Duration timeout) {
  if (timeout.count() % 1000 == 0) return fmt::format("{}s", timeout.count() / 1000);
  return fmt::format("{}ms", timeout.count());
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

std::string DescribeNetworkError(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::eof || ec == http::error::end_of_stream) {
    return "connection closed before any response";
  }
  if (ec == ssl::error::stream_truncated) return "TLS connection closed before any response";
  return LowerFirst(ec.message());
}

// Errors a pooled connection shows when the server closed it while it sat idle.
bool IsStaleConnectionError(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
         ec == ssl::error::stream_truncated;
}

// An alert by which the server refuses our client certificate, or its absence: in TLS 1.3 it
// comes after the handshake, on the first read.
bool IsClientCertificateAlert(const error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return false;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
         reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
         reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
         reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED;
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

// What OpenSSL has to say about the last failure, e.g. "no start line" for a file that is not PEM.
std::string TlsErrorText(const error_code& ec) {
  std::string text = ec.message();
  return text.empty() ? "unknown error" : LowerFirst(std::move(text));
}

// An encrypted key would make OpenSSL prompt on the terminal; fail instead.
std::string NoPassword(std::size_t, ssl::context::password_purpose) { return {}; }

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const BeastClientOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  context->set_password_callback(NoPassword, ec);
  if (options.insecure_skip_verify && !options.ca_file.empty()) {
    return BadRequest("prometheus-tls-insecure-skip-verify",
                      "contradicts a CA file: verify the server with it, or skip verification, "
                      "not both");
  }
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return BadRequest("prometheus-ca-file", fmt::format("cannot load CA certificates from {}: {}",
                                                          options.ca_file, TlsErrorText(ec)));
    }
  } else if (!options.insecure_skip_verify) {
    context->set_default_verify_paths(ec);
  }
  if (ec) {
    return BadRequest(
        "prometheus-ca-file",
        fmt::format("cannot load the system's CA certificates: {}", TlsErrorText(ec)));
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return options.client_key_file.empty()
               ? BadRequest("prometheus-client-key", "is required with a client certificate")
               : BadRequest("prometheus-client-cert", "is required with a client key");
  }
  if (!options.client_cert_file.empty()) {
    context->use_certificate_chain_file(options.client_cert_file, ec);
    if (ec) {
      return BadRequest("prometheus-client-cert",
                        fmt::format("cannot load a PEM certificate from {}: {}",
                                    options.client_cert_file, TlsErrorText(ec)));
    }
    context->use_private_key_file(options.client_key_file, ssl::context::pem, ec);
    if (ec) {
      return BadRequest("prometheus-client-key",
                        fmt::format("cannot load an unencrypted PEM private key from {}: {}",
                                    options.client_key_file, TlsErrorText(ec)));
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      ERR_clear_error();
      return BadRequest("prometheus-client-key",
                        fmt::format("{} is not the key of the certificate in {}",
                                    options.client_key_file, options.client_cert_file));
    }
  }
  context->set_verify_mode(options.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer, ec);
  return context;
}

// Fails for TLS options given with an http:// URL: the operator meant TLS, and silently sending
// in clear what they meant to protect would be worse than not starting.
Status RejectTlsOptionsWithoutTls(const BeastClientOptions& options) {
  auto reject = [&](std::string param) {
    return BadRequest(std::move(param),
                      fmt::format("applies only to an https:// Prometheus URL, and \"{}\" is "
                                  "plain HTTP",
                                  options.base_url));
  };
  if (!options.ca_file.empty()) return reject("prometheus-ca-file");
  if (!options.client_cert_file.empty()) return reject("prometheus-client-cert");
  if (!options.client_key_file.empty()) return reject("prometheus-client-key");
  if (options.insecure_skip_verify) return reject("prometheus-tls-insecure-skip-verify");
  return std::monostate{};
}

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// How one attempt on one connection ended.
struct Exchange {
  error_code ec;
  bool response_started = false;  // at least one response byte arrived
  bool reusable = false;          // complete keep-alive response, nothing left unread
  HttpAnswer answer;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Stream is PlainStream (http) or TlsStream (https); only Connect and the making of a stream
// differ.
template <class Stream>
class BeastClient final : public Client {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  BeastClient(asio::any_io_executor executor, Endpoint endpoint, BeastClientOptions options,
              std::string authorization, std::shared_ptr<ssl::context> tls_context)
      : executor_(std::move(executor)),
        endpoint_(std::move(endpoint)),
        options_(std::move(options)),
        authorization_(std::move(authorization)),
        tls_context_(std::move(tls_context)),
        permits_(std::max<std::size_t>(1, options_.max_connections)) {}

  asio::awaitable<Result<Matrix>> QueryRange(const RangeQuery& query) override {
    auto request = MakeRequest(http::verb::post, endpoint_.path_prefix + "/api/v1/query_range");
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = QueryRangeForm(query);
    request.prepare_payload();
    const auto started = std::chrono::steady_clock::now();
    Result<HttpAnswer> answer = co_await Send(std::move(request));
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
    auto request = MakeRequest(http::verb::get,
                               fmt::format("{}/api/v1/label/{}/values?{}", endpoint_.path_prefix,
                                           query.label, LabelValuesForm(query)));
    Result<HttpAnswer> answer = co_await Send(std::move(request));
    if (!answer) co_return std::move(answer).error();
    co_return ParseLabelValuesResponse(answer->body, answer->status);
  }

  asio::awaitable<Status> CheckReady() override {
    auto request = MakeRequest(http::verb::get, endpoint_.path_prefix + "/api/v1/query?query=1");
    Result<HttpAnswer> answer = co_await Send(std::move(request));
    if (!answer) co_return std::move(answer).error();
    co_return ParseStatusResponse(answer->body, answer->status);
  }

 private:
  using Request = http::request<http::string_body>;

  Request MakeRequest(http::verb verb, const std::string& target) const {
    Request request{verb, target, 11};
    request.set(http::field::host, endpoint_.host_header);
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::accept, "application/json");
    if (!authorization_.empty()) request.set(http::field::authorization, authorization_);
    request.keep_alive(true);
    return request;
  }

  // A permit to talk to the engine: at most options_.max_connections are out at once.
  using WakeUp = asio::experimental::concurrent_channel<void(error_code)>;

  // Waits for a permit until the deadline; false when it did not come in time.
  asio::awaitable<bool> AcquirePermit(Clock::time_point deadline) {
    std::shared_ptr<WakeUp> wake_up;
    {
      std::lock_guard lock(mutex_);
      if (permits_ > 0) {
        --permits_;
        co_return true;
      }
      wake_up = std::make_shared<WakeUp>(co_await asio::this_coro::executor, 1);
      waiting_.push_back(wake_up);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
    auto outcome = co_await (wake_up->async_receive(asio::as_tuple(asio::use_awaitable)) ||
                             timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 0) co_return true;
    std::lock_guard lock(mutex_);
    auto it = std::find(waiting_.begin(), waiting_.end(), wake_up);
    if (it != waiting_.end()) {
      waiting_.erase(it);
      co_return false;
    }
    // The permit was handed over just as the deadline passed: it is ours, give it on.
    ReleasePermitLocked();
    co_return false;
  }

  void ReleasePermit() {
    std::lock_guard lock(mutex_);
    ReleasePermitLocked();
  }

  void ReleasePermitLocked() {
    if (waiting_.empty()) {
      ++permits_;
      return;
    }
    std::shared_ptr<WakeUp> next = waiting_.front();
    waiting_.erase(waiting_.begin());
    next->try_send(error_code());
  }

  asio::awaitable<Result<HttpAnswer>> Send(Request request) {
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    if (!co_await AcquirePermit(deadline)) co_return MapFailure(beast::error::timeout, false);
    struct Permit {
      BeastClient& client;
      ~Permit() { client.ReleasePermit(); }
    } permit{*this};
    try {
      for (int attempt = 0;; ++attempt) {
        // Only the first attempt may use a pooled connection: the retry must not meet another
        // stale one.
        std::optional<Stream> stream = attempt == 0 ? TakeIdle() : std::nullopt;
        const bool reused = stream.has_value();
        if (!stream) {
          if constexpr (kTls) {
            stream.emplace(executor_, *tls_context_);
          } else {
            stream.emplace(executor_);
          }
          std::optional<Error> failure = co_await Connect(*stream, deadline);
          if (failure) co_return std::move(*failure);
        }
        Exchange exchange = co_await Perform(*stream, request, deadline);
        if (!exchange.ec) {
          if (exchange.reusable) ReturnIdle(std::move(*stream));
          if (exchange.answer.status == 401 || exchange.answer.status == 403) {
            Error refused = RefusedCredentials(exchange.answer.status);
            refused.upstream_status = exchange.answer.status;  // not worth retrying
            co_return refused;
          }
          co_return std::move(exchange.answer);
        }
        if (reused && !exchange.response_started && IsStaleConnectionError(exchange.ec)) continue;
        co_return MapFailure(exchange.ec, exchange.response_started);
      }
    } catch (const boost::system::system_error& e) {
      co_return MapFailure(e.code(), false);
    } catch (const std::exception& e) {
      co_return Error{ErrorCode::kInternal, fmt::format("Prometheus request failed: {}", e.what())};
    }
  }

  // TCP, then for https the TLS handshake with SNI and the server's certificate checked against
  // the configured CAs and the URL's host.
  asio::awaitable<std::optional<Error>> Connect(Stream& stream, Clock::time_point deadline) {
    auto [ec, endpoints] = co_await Resolve(deadline);
    if (ec) co_return MapFailure(ec, false);
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    tcp_stream.expires_at(deadline);
    co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return MapFailure(ec, false);
    // Requests are small and latency-bound: never let Nagle hold a segment back.
    error_code ignored;
    tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls) {
      if (std::optional<Error> failure = PrepareHandshake(stream)) co_return failure;
      co_await stream.async_handshake(ssl::stream_base::client,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return HandshakeFailure(stream, ec);
    }
    co_return std::nullopt;
  }

  std::optional<Error> PrepareHandshake(TlsStream& stream) const {
    error_code not_an_address;
    boost::asio::ip::make_address(endpoint_.host, not_an_address);
    const bool is_address = !not_an_address;
    // SNI carries host names only (RFC 6066); an IP address is checked against the certificate's
    // IP SANs.
    if (!is_address && !SSL_set_tlsext_host_name(stream.native_handle(), endpoint_.host.c_str())) {
      ERR_clear_error();
      return Error{ErrorCode::kInternal, "cannot set the TLS server name", {}};
    }
    if (!options_.insecure_skip_verify) {
      error_code ignored;  // fails only for a null callback
      stream.set_verify_callback(
          [check = ssl::host_name_verification(endpoint_.host), ip = is_address](
              bool preverified, ssl::verify_context& context) {
            if (check(preverified, context)) return true;
            // Say why, so the handshake error reads "IP address mismatch" rather than
            // "unspecified certificate verification error".
            X509_STORE_CTX* store = context.native_handle();
            if (preverified) {
              X509_STORE_CTX_set_error(
                  store, ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
            }
            return false;
          },
          ignored);
    }
    return std::nullopt;
  }

  Error HandshakeFailure(TlsStream& stream, const error_code& ec) const {
    if (ec == beast::error::timeout) return MapFailure(ec, false);
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK) {
      return Error{ErrorCode::kUpstreamUnavailable,
                   fmt::format("TLS handshake with Prometheus at {} failed: certificate "
                               "verification failed: {} (is the right CA file configured?)",
                               endpoint_.origin, X509_verify_cert_error_string(verify)),
                   {}};
    }
    if (IsClientCertificateAlert(ec)) return ClientCertificateRefused(ec);
    return Error{ErrorCode::kUpstreamUnavailable,
                 fmt::format("TLS handshake with Prometheus at {} failed: {}", endpoint_.origin,
                             DescribeNetworkError(ec)),
                 {}};
  }

  Error ClientCertificateRefused(const error_code& ec) const {
    return Error{ErrorCode::kUpstreamUnavailable,
                 fmt::format("Prometheus at {} refused the TLS connection: it wants a client "
                             "certificate it trusts, and {} ({})",
                             endpoint_.origin,
                             options_.client_cert_file.empty() ? "none is configured"
                                                               : "did not accept ours",
                             DescribeNetworkError(ec)),
                 {}};
  }

  Error RefusedCredentials(unsigned status) const {
    const char* sent = !options_.bearer_token.empty()      ? "bearer token"
                       : !options_.basic_auth_user.empty() ? "basic auth credentials"
                                                           : nullptr;
    if (status == 403) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("the backend refused our {} (403): Prometheus at {} does not "
                               "allow this request",
                               sent ? sent : "request", endpoint_.origin),
                   {}};
    }
    if (sent == nullptr) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("the backend requires credentials (401): Prometheus at {} wants "
                               "authentication and none is configured",
                               endpoint_.origin),
                   {}};
    }
    return Error{ErrorCode::kUpstreamError,
                 fmt::format("the backend refused our credentials (401): Prometheus at {} did "
                             "not accept our {}",
                             endpoint_.origin, sent),
                 {}};
  }

  // getaddrinfo cannot be cancelled, so the lookup runs on its own and we stop waiting for it at
  // the deadline; its late answer lands in a channel nobody reads any more.
  using Resolved = std::pair<error_code, tcp::resolver::results_type>;

  asio::awaitable<Resolved> Resolve(Clock::time_point deadline) {
    using Channel =
        asio::experimental::concurrent_channel<void(error_code, tcp::resolver::results_type)>;
    struct Lookup {
      explicit Lookup(const asio::any_io_executor& executor)
          : resolver(executor), channel(executor, 1) {}
      tcp::resolver resolver;
      Channel channel;
    };
    auto lookup = std::make_shared<Lookup>(executor_);
    lookup->resolver.async_resolve(endpoint_.host, endpoint_.port,
                                   [lookup](error_code ec, tcp::resolver::results_type results) {
                                     lookup->channel.try_send(ec, std::move(results));
                                   });
    asio::steady_timer timer(executor_, deadline);
    auto outcome = co_await (lookup->channel.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                             timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 1) co_return Resolved{beast::error::timeout, {}};
    auto [ec, results] = std::get<0>(std::move(outcome));
    co_return Resolved{ec, std::move(results)};
  }

  asio::awaitable<Exchange> Perform(Stream& stream, const Request& request,
                                    Clock::time_point deadline) {
    Exchange exchange;
    beast::get_lowest_layer(stream).expires_at(deadline);
    co_await http::async_write(stream, request,
                               asio::redirect_error(asio::use_awaitable, exchange.ec));
    if (exchange.ec) co_return exchange;

    // Room for large reads: Beast reads only as much as the buffer's free capacity (512 bytes at
    // first), and a body passes through the buffer, so an unsized one costs a system call, a
    // timer update and a poll per half kilobyte of a multi-megabyte answer.
    beast::flat_buffer buffer;
    buffer.reserve(kReadBufferBytes);
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, exchange.ec));
    exchange.response_started = parser.got_some() || buffer.size() > 0;
    if (exchange.ec) co_return exchange;

    auto& response = parser.get();
    exchange.reusable = response.keep_alive() && buffer.size() == 0;
    exchange.answer.status = response.result_int();
    exchange.answer.body = std::move(response.body());
    co_return exchange;
  }

  Error MapFailure(const error_code& ec, bool response_started) const {
    if (ec == beast::error::timeout) {
      return Error{ErrorCode::kUpstreamTimeout,
                   fmt::format("Prometheus at {} did not answer within {}", endpoint_.origin,
                               FormatTimeout(options_.timeout)),
                   {}};
    }
    if (ec == http::error::body_limit) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("Prometheus answered more than {} bytes, the configured limit",
                               options_.max_response_bytes),
                   {}};
    }
    if (kTls && !response_started && IsClientCertificateAlert(ec)) {
      return ClientCertificateRefused(ec);
    }
    if (!response_started) {
      return Error{ErrorCode::kUpstreamUnavailable,
                   fmt::format("cannot reach Prometheus at {}: {}", endpoint_.origin,
                               DescribeNetworkError(ec)),
                   {}};
    }
    return Error{ErrorCode::kUpstreamError,
                 fmt::format("Prometheus at {} sent an incomplete or malformed HTTP response: {}",
                             endpoint_.origin, ec.message()),
                 {}};
  }

  std::optional<Stream> TakeIdle() {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      Stream stream = std::move(idle_.back());
      idle_.pop_back();
      if (beast::get_lowest_layer(stream).socket().is_open()) return stream;
    }
    return std::nullopt;
  }

  void ReturnIdle(Stream stream) {
    beast::get_lowest_layer(stream).expires_never();
    std::lock_guard lock(mutex_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(stream));
  }

  asio::any_io_executor executor_;
  Endpoint endpoint_;
  BeastClientOptions options_;
  std::string authorization_;                  // "" or the Authorization header; a secret
  std::shared_ptr<ssl::context> tls_context_;  // https only; outlives every stream below
  std::mutex mutex_;
  std::vector<Stream> idle_;                      // guarded by mutex_
  std::size_t permits_;                           // guarded by mutex_
  std::vector<std::shared_ptr<WakeUp>> waiting_;  // guarded by mutex_; first come, first served
};

}  // namespace

Result<std::unique_ptr<Client>> MakeBeastClient(boost::asio::any_io_executor executor,
                                                BeastClientOptions options) {
  Result<Endpoint> endpoint = ParseBaseUrl(options.base_url);
  if (!endpoint) return std::move(endpoint).error();
  Result<std::string> authorization = MakeAuthorization(options);
  if (!authorization) return std::move(authorization).error();
  std::unique_ptr<Client> client;
  if (endpoint->tls) {
    Result<std::shared_ptr<ssl::context>> context = MakeTlsContext(options);
    if (!context) return std::move(context).error();
    if (options.insecure_skip_verify) {
      spdlog::warn(
          "TLS certificate verification of Prometheus at {} is OFF "
          "(--prometheus-tls-insecure-skip-verify): anyone on the path can impersonate it{}; for "
          "testing only",
          endpoint->origin, authorization->empty() ? "" : " and read our credentials");
    }
    client = std::make_unique<BeastClient<TlsStream>>(
        std::move(executor), std::move(endpoint).value(), std::move(options),
        std::move(authorization).value(), std::move(context).value());
  } else {
    if (Status plain = RejectTlsOptionsWithoutTls(options); !plain) return std::move(plain).error();
    if (!authorization->empty()) {
      spdlog::warn("credentials go to Prometheus at {} in clear text: use an https:// URL",
                   endpoint->origin);
    }
    client = std::make_unique<BeastClient<PlainStream>>(
        std::move(executor), std::move(endpoint).value(), std::move(options),
        std::move(authorization).value(), nullptr);
  }
  return client;
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
