// BeastClient: Prometheus over HTTP/1.1 with Beast and C++20 coroutines.
// One steady-clock deadline per request covers resolve, connect, write and read, so a call never
// outlives options.timeout. Idle keep-alive connections are pooled; a pooled connection the server
// closed meanwhile is detected on first use and the request is retried once on a fresh one.
#include "prometheus/beast_client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
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
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/response_parser.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

constexpr std::string_view kUserAgent = "nfmetrics/0.1";
constexpr std::string_view kUrlParam = "prometheus-url";
constexpr std::size_t kReadBufferBytes = 256 * 1024;

// Where requests go, taken apart once from base_url.
struct Endpoint {
  std::string origin;       // http://host[:port], for messages
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
  if (url.scheme_id() == boost::urls::scheme::https) {
    return reject("https is not supported yet; use an http:// URL");
  }
  if (url.scheme_id() != boost::urls::scheme::http) return reject("the scheme must be http");
  if (!url.has_authority() || url.encoded_host().empty()) return reject("the URL has no host");
  if (url.has_userinfo()) return reject("credentials in the URL are not supported");
  if (url.has_query()) return reject("the URL must not have a query");
  if (url.has_fragment()) return reject("the URL must not have a fragment");
  bool explicit_port = url.has_port() && !url.port().empty();
  if (explicit_port && !IsValidPort(url.port())) return reject("the port must be 1-65535");

  Endpoint endpoint;
  endpoint.host = url.host_address();
  endpoint.port = explicit_port ? std::string(url.port()) : "80";
  endpoint.host_header = url.encoded_host_and_port();
  endpoint.origin = "http://" + endpoint.host_header;
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

std::string DescribeNetworkError(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::eof || ec == http::error::end_of_stream) {
    return "connection closed before any response";
  }
  std::string text = ec.message();
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Errors a pooled connection shows when the server closed it while it sat idle.
bool IsStaleConnectionError(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected;
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

class BeastClient final : public Client {
 public:
  BeastClient(asio::any_io_executor executor, Endpoint endpoint, BeastClientOptions options)
      : executor_(std::move(executor)),
        endpoint_(std::move(endpoint)),
        options_(std::move(options)),
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
        std::optional<beast::tcp_stream> stream = attempt == 0 ? TakeIdle() : std::nullopt;
        const bool reused = stream.has_value();
        if (!stream) {
          stream.emplace(executor_);
          if (error_code ec = co_await Connect(*stream, deadline)) co_return MapFailure(ec, false);
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
      co_return Error{ErrorCode::kInternal, fmt::format("Prometheus request failed: {}", e.what())};
    }
  }

  asio::awaitable<error_code> Connect(beast::tcp_stream& stream, Clock::time_point deadline) {
    auto [ec, endpoints] = co_await Resolve(deadline);
    if (ec) co_return ec;
    stream.expires_at(deadline);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      // Requests are small and latency-bound: never let Nagle hold a segment back.
      error_code ignored;
      stream.socket().set_option(tcp::no_delay(true), ignored);
    }
    co_return ec;
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

  asio::awaitable<Exchange> Perform(beast::tcp_stream& stream, const Request& request,
                                    Clock::time_point deadline) {
    Exchange exchange;
    stream.expires_at(deadline);
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

  std::optional<beast::tcp_stream> TakeIdle() {
    std::lock_guard lock(mutex_);
    while (!idle_.empty()) {
      beast::tcp_stream stream = std::move(idle_.back());
      idle_.pop_back();
      if (stream.socket().is_open()) return stream;
    }
    return std::nullopt;
  }

  void ReturnIdle(beast::tcp_stream stream) {
    stream.expires_never();
    std::lock_guard lock(mutex_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(stream));
  }

  asio::any_io_executor executor_;
  Endpoint endpoint_;
  BeastClientOptions options_;
  std::mutex mutex_;
  std::vector<beast::tcp_stream> idle_;           // guarded by mutex_
  std::size_t permits_;                           // guarded by mutex_
  std::vector<std::shared_ptr<WakeUp>> waiting_;  // guarded by mutex_; first come, first served
};

}  // namespace

Result<std::unique_ptr<Client>> MakeBeastClient(boost::asio::any_io_executor executor,
                                                BeastClientOptions options) {
  Result<Endpoint> endpoint = ParseBaseUrl(options.base_url);
  if (!endpoint) return std::move(endpoint).error();
  std::unique_ptr<Client> client = std::make_unique<BeastClient>(
      std::move(executor), std::move(endpoint).value(), std::move(options));
  return client;
}

}  // namespace nfmetrics::prometheus
