#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "http/access_log.hpp"
#include "http/error_response.hpp"
#include "http/exchange.hpp"

namespace nfmetrics::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

// A new strand on `executor`'s threads. Made of the io_context's own executor when that is what
// `executor` holds: such a strand fits in any_io_executor's inline storage, while a strand of an
// any_io_executor does not, and Asio would allocate each time it wraps the connection's strand
// again to dispatch a handler (dozens of times per request).
asio::any_io_executor MakeStrand(const asio::any_io_executor& executor) {
  if (const auto* io_executor = executor.target<asio::io_context::executor_type>()) {
    return asio::make_strand(*io_executor);
  }
  return asio::make_strand(executor);
}

}  // namespace

// An open connection, as Close() sees it. Touched only on the connection's own strand: the session
// clears `stream` when it ends, and Close() posts its close there.
struct SessionHandle {
  beast::tcp_stream* stream = nullptr;
  asio::any_io_executor executor;  // the connection's strand; never changes
};

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(const asio::any_io_executor& executor, Router& router, ServerOptions options)
      : executor(executor),
        acceptor(MakeStrand(executor)),
        router(router),
        options(options),
        access_log(AccessLogger()) {}

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      // Each connection gets its own strand: with several threads, its handlers never overlap.
      tcp::socket socket = co_await acceptor.async_accept(
          MakeStrand(executor), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // Out of file descriptors, typically: wait instead of spinning on the same error.
        spdlog::warn("accept failed: {}; retrying in 100ms", ec.message());
        asio::steady_timer backoff(acceptor.get_executor(), std::chrono::milliseconds(100));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);  // answers are latency-bound; best effort
      auto connection_executor = socket.get_executor();
      asio::co_spawn(connection_executor, Session(beast::tcp_stream(std::move(socket))),
                     asio::detached);
    }
  }

  asio::awaitable<void> Session(beast::tcp_stream stream) {
    auto self = shared_from_this();
    auto handle = std::make_shared<SessionHandle>(SessionHandle{&stream, stream.get_executor()});
    {
      std::lock_guard lock(sessions_mutex);
      sessions.insert(handle);
    }
    struct Unregister {
      State& state;
      std::shared_ptr<SessionHandle> handle;
      ~Unregister() {
        handle->stream = nullptr;
        std::lock_guard lock(state.sessions_mutex);
        state.sessions.erase(handle);
      }
    } unregister{*this, handle};
    // Both live as long as the connection: pipelined requests wait in `buffer`, and each request
    // is parsed into the previous one's message, whose body keeps its capacity.
    beast::flat_buffer buffer;
    Request request;
    boost::system::error_code ec;
    while (true) {
      // A parser reads one message only; the message it starts from must be empty, as the body is
      // appended to.
      request.clear();
      request.body().clear();
      beast_http::request_parser<beast_http::string_body> parser(std::move(request));
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      stream.expires_after(options.idle_timeout);
      co_await beast_http::async_read(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec == beast_http::error::end_of_stream || ec == asio::error::operation_aborted ||
          ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::eof) {
        break;
      }
      // Every request read, malformed ones too, gets an id, a count and a log line.
      Exchange exchange(router.self_metrics(), parser.get());
      const bool malformed = static_cast<bool>(ec);
      Response response;
      bool keep_alive = true;
      if (malformed) {
        // Malformed or oversized request: say so, then close.
        response = Response{beast_http::status::bad_request, 11};
        response.set(beast_http::field::server, "nfmetrics");
        response.set(beast_http::field::content_type, "application/json");
        response.body() = ErrorJson(BadRequest("", "malformed HTTP request: " + ec.message()));
        response.keep_alive(false);
        response.prepare_payload();
        keep_alive = false;
      } else {
        request = parser.release();
        response = co_await router.Handle(request);
        keep_alive = response.keep_alive();
      }
      exchange.Answered(response);
      stream.expires_after(options.idle_timeout);
      // A serializer in the coroutine frame: async_write(message) would allocate one per response.
      beast_http::response_serializer<AnswerBody> serializer(response);
      std::size_t sent = co_await beast_http::async_write(
          stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      exchange.Written(*access_log, malformed ? parser.get() : request, response, sent);
      if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // Closes the listener and every open connection, so the executor runs out of work. Runs on the
  // acceptor's strand; each connection is closed on its own.
  void Close() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::lock_guard lock(sessions_mutex);
    for (const std::shared_ptr<SessionHandle>& handle : sessions) {
      asio::post(handle->executor, [handle] {
        boost::system::error_code ignored;
        if (handle->stream != nullptr) handle->stream->socket().close(ignored);
      });
    }
  }

  asio::any_io_executor executor;  // the io_context's: connections get strands of it
  tcp::acceptor acceptor;          // on a strand of its own
  std::mutex sessions_mutex;
  std::unordered_set<std::shared_ptr<SessionHandle>> sessions;  // guarded by sessions_mutex
  Router& router;
  ServerOptions options;
  std::shared_ptr<spdlog::logger> access_log;
};

Result<tcp::endpoint> ParseListenAddress(const std::string& text) {
  auto invalid = [&](std::string_view why) {
    return BadRequest("listen", "invalid listen address \"" + text + "\": " + std::string(why) +
                                    " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return invalid("missing port");
  std::string host = text.substr(0, colon);
  std::string_view port_text = std::string_view(text).substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return invalid("bad port");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) host = "0.0.0.0";
  boost::system::error_code address_error;
  auto address = asio::ip::make_address(host, address_error);
  if (address_error) return invalid("host must be an IP address or localhost");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Server::Server(asio::any_io_executor executor, Router& router, ServerOptions options)
    : state_(std::make_shared<State>(std::move(executor), router, options)) {}

Server::~Server() {
  try {
    Stop();
  } catch (const std::exception& e) {
    spdlog::error("stopping the server: {}", e.what());
  }
}

Result<tcp::endpoint> Server::Start(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](std::string_view what) {
    return Error{ErrorCode::kInternal,
                 fmt::format("cannot {} {}:{}: {}", what, endpoint.address().to_string(),
                             endpoint.port(), ec.message()),
                 "listen"};
  };
  state_->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  state_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  state_->acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  tcp::endpoint bound = state_->acceptor.local_endpoint(ec);
  asio::co_spawn(state_->acceptor.get_executor(), state_->Accept(), asio::detached);
  return bound;
}

void Server::Stop() {
  // Runs on the caller's thread; closing is posted so it happens on the acceptor's strand.
  asio::post(state_->acceptor.get_executor(), [state = state_] { state->Close(); });
}

}  // namespace nfmetrics::http
