// HttpTransport over Beast and C++20 coroutines.
// One steady-clock deadline per request covers resolve, connect, TLS handshake, write and read, so
// a call never outlives options.timeout. Idle keep-alive connections are pooled; a pooled
// connection the server closed meanwhile is detected on first use and the request is retried once
// on a fresh one. One implementation serves both schemes: Transport<Stream> differs only in how
// a connection is opened (TCP, or TCP then a verified TLS handshake).
#include "prometheus/http_transport.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
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
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

Result<Endpoint> ParseBaseUrl(std::string_view base_url, const std::string& url_param) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) {
    return BadRequest(url_param, fmt::format("\"{}\" is not a valid URL: {}", base_url,
                                             parsed.error().message()));
  }
  const boost::urls::url_view& url = *parsed;
  auto reject = [&](std::string_view why) {
    return BadRequest(url_param, fmt::format("\"{}\": {}", base_url, why));
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

std::string FormatTimeout(Duration timeout) {
  if (timeout.count() % 1000 == 0) return fmt::format("{}s", timeout.count() / 1000);
  return fmt::format("{}ms", timeout.count());
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

// What OpenSSL has to say about the last failure, e.g. "no start line" for a file that is not PEM.
std::string TlsErrorText(const error_code& ec) {
  std::string text = ec.message();
  return text.empty() ? "unknown error" : LowerFirst(std::move(text));
}

// An encrypted key would make OpenSSL prompt on the terminal; fail instead.
std::string NoPassword(std::size_t, ssl::context::password_purpose) { return {}; }

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const HttpTransportOptions& options) {
  auto param = [&](std::string_view name) { return options.param_prefix + std::string(name); };
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  context->set_password_callback(NoPassword, ec);
  if (options.insecure_skip_verify && !options.ca_file.empty()) {
    return BadRequest(param("tls-insecure-skip-verify"),
                      "contradicts a CA file: verify the server with it, or skip verification, "
                      "not both");
  }
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return BadRequest(param("ca-file"), fmt::format("cannot load CA certificates from {}: {}",
                                                      options.ca_file, TlsErrorText(ec)));
    }
  } else if (!options.insecure_skip_verify) {
    context->set_default_verify_paths(ec);
  }
  if (ec) {
    return BadRequest(param("ca-file"), fmt::format("cannot load the system's CA certificates: {}",
                                                    TlsErrorText(ec)));
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return options.client_key_file.empty()
               ? BadRequest(param("client-key"), "is required with a client certificate")
               : BadRequest(param("client-cert"), "is required with a client key");
  }
  if (!options.client_cert_file.empty()) {
    context->use_certificate_chain_file(options.client_cert_file, ec);
    if (ec) {
      return BadRequest(param("client-cert"),
                        fmt::format("cannot load a PEM certificate from {}: {}",
                                    options.client_cert_file, TlsErrorText(ec)));
    }
    context->use_private_key_file(options.client_key_file, ssl::context::pem, ec);
    if (ec) {
      return BadRequest(param("client-key"),
                        fmt::format("cannot load an unencrypted PEM private key from {}: {}",
                                    options.client_key_file, TlsErrorText(ec)));
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      ERR_clear_error();
      return BadRequest(param("client-key"),
                        fmt::format("{} is not the key of the certificate in {}",
                                    options.client_key_file, options.client_cert_file));
    }
  }
  context->set_verify_mode(options.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer, ec);
  return context;
}

// Fails for TLS options given with an http:// URL: the operator meant TLS, and silently sending
// in clear what they meant to protect would be worse than not starting.
Status RejectTlsOptionsWithoutTls(const HttpTransportOptions& options) {
  auto param = [&](std::string_view name) { return options.param_prefix + std::string(name); };
  auto reject = [&](std::string param) {
    return BadRequest(std::move(param),
                      fmt::format("applies only to an https:// {} URL, and \"{}\" is "
                                  "plain HTTP",
                                  options.peer_name, options.base_url));
  };
  if (!options.ca_file.empty()) return reject(param("ca-file"));
  if (!options.client_cert_file.empty()) return reject(param("client-cert"));
  if (!options.client_key_file.empty()) return reject(param("client-key"));
  if (options.insecure_skip_verify) return reject(param("tls-insecure-skip-verify"));
  return std::monostate{};
}

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
class Transport final : public HttpTransport {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Transport(asio::any_io_executor executor, Endpoint endpoint, HttpTransportOptions options,
            std::shared_ptr<ssl::context> tls_context)
      : executor_(std::move(executor)),
        endpoint_(std::move(endpoint)),
        options_(std::move(options)),
        tls_context_(std::move(tls_context)),
        permits_(std::max<std::size_t>(1, options_.max_connections)) {}

  const std::string& origin() const override { return endpoint_.origin; }

  asio::awaitable<Result<HttpAnswer>> Send(HttpRequest request) override {
    Result<Request> built = MakeRequest(std::move(request));
    if (!built) co_return std::move(built).error();
    Result<HttpAnswer> answer = co_await SendRequest(std::move(built).value());
    co_return answer;
  }

 private:
  using Request = http::request<http::string_body>;

  // The request, or an error for an extra header field that would replace the transport's own
  // (Host, Authorization), change how the message is framed or the connection kept (Content-Length,
  // Transfer-Encoding, Connection), or is not a valid field (a CR or LF would inject headers).
  Result<Request> MakeRequest(HttpRequest from) const {
    for (const auto& [name, value] : from.headers) {
      if (!IsFieldName(name) || !IsFieldValue(value)) {
        return Error{ErrorCode::kInternal,
                     fmt::format("request to {}: an extra header field has a character a header "
                                 "cannot hold; not sent",
                                 endpoint_.origin),
                     ""};
      }
      if (IsTransportOwnField(name)) {
        return Error{ErrorCode::kInternal,
                     fmt::format("request to {}: the extra header field {} may not replace the "
                                 "transport's own; not sent",
                                 endpoint_.origin, name),
                     ""};
      }
    }
    Request request{from.post ? http::verb::post : http::verb::get,
                    endpoint_.path_prefix + from.target, 11};
    request.set(http::field::host, endpoint_.host_header);
    request.set(http::field::user_agent, kUserAgent);
    request.set(http::field::accept, "application/json");
    if (!options_.authorization.empty()) {
      request.set(http::field::authorization, options_.authorization);
    }
    for (auto& [name, value] : from.headers) request.set(name, value);
    request.keep_alive(true);
    if (from.post) {
      if (!from.content_type.empty()) request.set(http::field::content_type, from.content_type);
      request.body() = std::move(from.body);
      request.prepare_payload();
    }
    return request;
  }

  // RFC 9110 5.1: a token.
  static bool IsFieldName(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) != 0) continue;
      if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
  }

  // The fields the transport sets itself or that decide where a message ends and whether the
  // connection is kept: an extra field may not replace them.
  static bool IsTransportOwnField(std::string_view name) {
    for (std::string_view own :
         {"host", "authorization", "content-length", "transfer-encoding", "connection"}) {
      if (beast::iequals(name, own)) return true;
    }
    return false;
  }

  // RFC 9110 5.5: no control character but HTAB (CR, LF and NUL above all).
  static bool IsFieldValue(std::string_view value) {
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    return true;
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

  asio::awaitable<Result<HttpAnswer>> SendRequest(Request request) {
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    if (!co_await AcquirePermit(deadline)) co_return MapFailure(beast::error::timeout, false);
    struct Permit {
      Transport& client;
      ~Permit() { client.ReleasePermit(); }
    } permit{*this};
    // A permit handed over just as the deadline passed: don't open a connection for a request
    // that has already timed out.
    if (Clock::now() >= deadline) co_return MapFailure(beast::error::timeout, false);
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
          co_return std::move(exchange.answer);
        }
        if (reused && !exchange.response_started && IsStaleConnectionError(exchange.ec)) continue;
        co_return MapFailure(exchange.ec, exchange.response_started);
      }
    } catch (const boost::system::system_error& e) {
      co_return MapFailure(e.code(), false);
    } catch (const std::exception& e) {
      co_return Error{ErrorCode::kInternal,
                      fmt::format("{} request failed: {}", options_.peer_name, e.what())};
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
      return Error{
          ErrorCode::kUpstreamUnavailable,
          fmt::format("TLS handshake with {} at {} failed: certificate "
                      "verification failed: {} (is the right CA file configured?)",
                      options_.peer_name, endpoint_.origin, X509_verify_cert_error_string(verify)),
          {}};
    }
    if (IsClientCertificateAlert(ec)) return ClientCertificateRefused(ec);
    return Error{ErrorCode::kUpstreamUnavailable,
                 fmt::format("TLS handshake with {} at {} failed: {}", options_.peer_name,
                             endpoint_.origin, DescribeNetworkError(ec)),
                 {}};
  }

  Error ClientCertificateRefused(const error_code& ec) const {
    return Error{ErrorCode::kUpstreamUnavailable,
                 fmt::format("{} at {} refused the TLS connection: it wants a client "
                             "certificate it trusts, and {} ({})",
                             options_.peer_name, endpoint_.origin,
                             options_.client_cert_file.empty() ? "none is configured"
                                                               : "did not accept ours",
                             DescribeNetworkError(ec)),
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
    for (const auto& field : response) {
      exchange.answer.headers.emplace_back(field.name_string(), field.value());
    }
    exchange.answer.body = std::move(response.body());
    co_return exchange;
  }

  Error MapFailure(const error_code& ec, bool response_started) const {
    if (ec == beast::error::timeout) {
      return Error{ErrorCode::kUpstreamTimeout,
                   fmt::format("{} at {} did not answer within {}", options_.peer_name,
                               endpoint_.origin, FormatTimeout(options_.timeout)),
                   {}};
    }
    if (ec == http::error::body_limit) {
      return Error{ErrorCode::kUpstreamError,
                   fmt::format("{} answered more than {} bytes, the configured limit",
                               options_.peer_name, options_.max_response_bytes),
                   {}};
    }
    if (kTls && !response_started && IsClientCertificateAlert(ec)) {
      return ClientCertificateRefused(ec);
    }
    if (!response_started) {
      return Error{ErrorCode::kUpstreamUnavailable,
                   fmt::format("cannot reach {} at {}: {}", options_.peer_name, endpoint_.origin,
                               DescribeNetworkError(ec)),
                   {}};
    }
    return Error{ErrorCode::kUpstreamError,
                 fmt::format("{} at {} sent an incomplete or malformed HTTP response: {}",
                             options_.peer_name, endpoint_.origin, ec.message()),
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
  HttpTransportOptions options_;               // authorization is a secret
  std::shared_ptr<ssl::context> tls_context_;  // https only; outlives every stream below
  std::mutex mutex_;
  std::vector<Stream> idle_;                      // guarded by mutex_
  std::size_t permits_;                           // guarded by mutex_
  std::vector<std::shared_ptr<WakeUp>> waiting_;  // guarded by mutex_; first come, first served
};

}  // namespace

std::string HttpAnswer::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (beast::iequals(field, name)) return value;
  }
  return {};
}

Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(boost::asio::any_io_executor executor,
                                                         HttpTransportOptions options) {
  Result<Endpoint> endpoint = ParseBaseUrl(options.base_url, options.param_prefix + "url");
  if (!endpoint) return std::move(endpoint).error();
  std::unique_ptr<HttpTransport> transport;
  if (endpoint->tls) {
    Result<std::shared_ptr<ssl::context>> context = MakeTlsContext(options);
    if (!context) return std::move(context).error();
    transport =
        std::make_unique<Transport<TlsStream>>(std::move(executor), std::move(endpoint).value(),
                                               std::move(options), std::move(context).value());
  } else {
    if (Status plain = RejectTlsOptionsWithoutTls(options); !plain) return std::move(plain).error();
    transport = std::make_unique<Transport<PlainStream>>(
        std::move(executor), std::move(endpoint).value(), std::move(options), nullptr);
  }
  return transport;
}

}  // namespace nfmetrics::prometheus
