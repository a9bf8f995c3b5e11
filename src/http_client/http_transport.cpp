// HttpTransport over Beast and C++20 coroutines: a request is checked (header_checks), waits for a
// permit (permits), takes an idle connection (pool) or opens one (url, tls), and its failure is put
// in words (failures). One steady-clock deadline per request covers the permit, resolve, connect,
// TLS handshake, write and read, so a call never outlives options.timeout. A pooled connection the
// server closed meanwhile is detected on first use and the request is retried once on a fresh one.
// One implementation serves both schemes: Transport<Stream> differs only in how a connection is
// opened (TCP, or TCP then a verified TLS handshake). SendStreamed shares all of it but the pool
// and the reading of the answer (streamed_read).
#include "nfmetrics/http_client/http_transport.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "http_client/failures.hpp"
#include "http_client/header_checks.hpp"
#include "http_client/permits.hpp"
#include "http_client/pool.hpp"
#include "http_client/streamed_read.hpp"
#include "http_client/tls.hpp"
#include "http_client/url.hpp"

namespace nfmetrics::http_client {
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
constexpr std::size_t kReadBufferBytes = std::size_t{256} * 1024;

// How one attempt on one connection ended.
struct Exchange {
  error_code ec;
  bool response_started = false;  // at least one response byte arrived
  bool reusable = false;          // complete keep-alive response, nothing left unread
  HttpAnswer answer;
};

using PlainStream = beast::tcp_stream;

// Stream is PlainStream (http) or TlsStream (https); only Connect and the making of a stream
// differ.
template <class Stream>
class Transport final : public HttpTransport {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Transport(asio::any_io_executor executor, Origin origin, HttpTransportOptions options,
            std::shared_ptr<ssl::context> tls_context)
      : executor_(std::move(executor)),
        origin_(std::move(origin)),
        options_(std::move(options)),
        peer_{.name = options_.peer_name,
              .origin = origin_.origin,
              .timeout = options_.timeout,
              .max_response_bytes = options_.max_response_bytes,
              .client_certificate = !options_.client_cert_file.empty()},
        tls_context_(std::move(tls_context)),
        permits_(options_.max_connections),
        idle_(options_.max_idle_connections) {}

  const std::string& origin() const override { return origin_.origin; }

  asio::awaitable<Result<HttpAnswer>> Send(HttpRequest request) override {
    if (Status valid = CheckExtraHeaders(request.headers, origin_.origin); !valid.ok()) {
      co_return std::move(valid).error();
    }
    Result<HttpAnswer> answer = co_await SendRequest(MakeRequest(std::move(request)));
    co_return answer;
  }

  asio::awaitable<Result<HttpAnswer>> SendStreamed(HttpRequest request, BodyStream body) override {
    if (Status valid = CheckExtraHeaders(request.headers, origin_.origin); !valid.ok()) {
      co_return std::move(valid).error();
    }
    const Request message = MakeRequest(std::move(request));
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    if (!co_await permits_.Acquire(deadline)) co_return Failure(beast::error::timeout, false);
    const HeldPermit permit(permits_);
    try {
      // A connection of its own: an endless answer leaves nothing to reuse, and a fresh one cannot
      // be stale.
      std::optional<Stream> stream;
      NewStream(stream);
      if (std::optional<Error> failure = co_await Connect(*stream, deadline)) {
        co_return std::move(*failure);
      }
      beast::get_lowest_layer(*stream).expires_at(deadline);
      error_code ec;
      co_await http::async_write(*stream, message, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Failure(ec, false);
      Result<HttpAnswer> answer = co_await ReadStreamed(*stream, deadline, body, peer_, kTls);
      co_return answer;
    } catch (const boost::system::system_error& e) {
      co_return Failure(e.code(), false);
    } catch (const std::exception& e) {
      co_return Error{ErrorCode::kInternal,
                      fmt::format("{} request failed: {}", options_.peer_name, e.what())};
    }
  }

 private:
  using Request = http::request<http::string_body>;

  Request MakeRequest(HttpRequest from) const {
    Request request{from.post ? http::verb::post : http::verb::get,
                    origin_.path_prefix + from.target, 11};
    request.set(http::field::host, origin_.host_header);
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

  asio::awaitable<Result<HttpAnswer>> SendRequest(Request request) {
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    if (!co_await permits_.Acquire(deadline)) co_return Failure(beast::error::timeout, false);
    const HeldPermit permit(permits_);
    // A permit handed over just as the deadline passed: don't open a connection for a request
    // that has already timed out.
    if (Clock::now() >= deadline) co_return Failure(beast::error::timeout, false);
    try {
      for (int attempt = 0;; ++attempt) {
        // Only the first attempt may use a pooled connection: the retry must not meet another
        // stale one.
        std::optional<Stream> stream = attempt == 0 ? idle_.Take() : std::nullopt;
        const bool reused = stream.has_value();
        if (!stream) {
          NewStream(stream);
          std::optional<Error> failure = co_await Connect(*stream, deadline);
          if (failure) co_return std::move(*failure);
        }
        Exchange exchange = co_await Perform(*stream, request, deadline);
        if (!exchange.ec) {
          if (exchange.reusable) idle_.Return(std::move(*stream));
          co_return std::move(exchange.answer);
        }
        if (reused && !exchange.response_started && IsStaleConnectionError(exchange.ec)) continue;
        co_return Failure(exchange.ec, exchange.response_started);
      }
    } catch (const boost::system::system_error& e) {
      co_return Failure(e.code(), false);
    } catch (const std::exception& e) {
      co_return Error{ErrorCode::kInternal,
                      fmt::format("{} request failed: {}", options_.peer_name, e.what())};
    }
  }

  // A new, unconnected stream in `stream`.
  void NewStream(std::optional<Stream>& stream) const {
    if constexpr (kTls) {
      stream.emplace(executor_, *tls_context_);
    } else {
      stream.emplace(executor_);
    }
  }

  // TCP, then for https the TLS handshake with SNI and the server's certificate checked against
  // the configured CAs and the URL's host.
  asio::awaitable<std::optional<Error>> Connect(Stream& stream, Clock::time_point deadline) {
    auto [ec, endpoints] = co_await Resolve(deadline);
    if (ec) co_return Failure(ec, false);
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    tcp_stream.expires_at(deadline);
    co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Failure(ec, false);
    // Requests are small and latency-bound: never let Nagle hold a segment back.
    error_code ignored;
    tcp_stream.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls) {
      if (std::optional<Error> failure =
              PrepareHandshake(stream, origin_.host, options_.insecure_skip_verify)) {
        co_return failure;
      }
      co_await stream.async_handshake(ssl::stream_base::client,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return HandshakeFailure(peer_, stream, ec);
    }
    co_return std::nullopt;
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
    lookup->resolver.async_resolve(origin_.host, origin_.port,
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

  Error Failure(const error_code& ec, bool response_started) const {
    return MapFailure(peer_, ec, response_started, kTls);
  }

  asio::any_io_executor executor_;
  Origin origin_;
  HttpTransportOptions options_;  // authorization is a secret
  Peer peer_;
  std::shared_ptr<ssl::context> tls_context_;  // https only; outlives every stream below
  Permits permits_;
  IdlePool<Stream> idle_;
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
  Result<Origin> origin = ParseBaseUrl(options.base_url, options.param_prefix + "url");
  if (!origin) return std::move(origin).error();
  std::unique_ptr<HttpTransport> transport;
  if (origin->tls) {
    Result<std::shared_ptr<ssl::context>> context = MakeTlsContext(options);
    if (!context) return std::move(context).error();
    transport =
        std::make_unique<Transport<TlsStream>>(std::move(executor), std::move(origin).value(),
                                               std::move(options), std::move(context).value());
  } else {
    if (Status plain = RejectTlsOptionsWithoutTls(options); !plain) return std::move(plain).error();
    transport = std::make_unique<Transport<PlainStream>>(
        std::move(executor), std::move(origin).value(), std::move(options), nullptr);
  }
  return transport;
}

}  // namespace nfmetrics::http_client
