// Follows Beast's awaitable server example: one coroutine per connection, read/handle/write
// while keep-alive, the idle timeout on the stream.
#include "synth/exporter.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>

#include "synth/series.hpp"

namespace nfmetrics::synth {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

Response Handle(const std::vector<Family>& families, const Request& request) {
  Response response{http::status::ok, request.version()};
  response.keep_alive(request.keep_alive());
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.body() = "only GET is supported\n";
  } else if (path == "/metrics") {
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = RenderExposition(
        families, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
  } else if (path == "/" || path == "/healthz") {
    response.body() = "nfmetrics synthetic NumaFlow exporter: see /metrics\n";
  } else {
    response.result(http::status::not_found);
    response.body() = "not found; try /metrics\n";
  }
  response.prepare_payload();
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

asio::awaitable<void> Session(const std::vector<Family>& families, beast::tcp_stream stream) {
  beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(kIdleTimeout);
    Request request;
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, request, kUseTuple);
    if (read_error) break;  // closed, timed out or malformed: nothing useful to answer
    Response response = Handle(families, request);
    const bool keep_alive = response.keep_alive();
    auto [write_error, written] = co_await http::async_write(stream, response, kUseTuple);
    if (write_error || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Listen(const std::vector<Family>& families, tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kUseTuple);
    if (error == asio::error::operation_aborted) co_return;
    if (error) continue;
    asio::co_spawn(acceptor.get_executor(), Session(families, beast::tcp_stream(std::move(socket))),
                   asio::detached);
  }
}

}  // namespace

std::string RenderExposition(TimePoint now) { return RenderExposition(AllFamilies(), now); }

std::string RenderExposition(const std::vector<Family>& families, TimePoint now) {
  std::string out;
  out.reserve(std::size_t{256} * 1024);
  for (const Family& family : families) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", family.exposition_name,
                   family.help, family.exposition_name, TypeName(family.type));
    for (const Series& series : family.series) {
      out += series.name;
      out += series.labels;
      out += ' ';
      AppendValue(out, series, ValueAt(series, now));
      out += '\n';
    }
  }
  return out;
}

void RunExporter(const std::string& host, unsigned short port,
                 const std::vector<Family>* families) {
  asio::io_context ioc{1};
  const tcp::endpoint endpoint{asio::ip::make_address(host), port};
  tcp::acceptor acceptor{ioc};
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();

  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  signals.async_wait([&](const beast::error_code& error, int signal) {
    if (error) return;
    spdlog::info("synth exporter: signal {}, stopping", signal);
    ioc.stop();  // drops open keep-alive sessions too; scrapes are idempotent
  });
  asio::co_spawn(ioc, Listen(families != nullptr ? *families : AllFamilies(), acceptor),
                 asio::detached);
  spdlog::info("synth exporter: serving http://{}:{}/metrics", host,
               acceptor.local_endpoint().port());
  ioc.run();
}

}  // namespace nfmetrics::synth
