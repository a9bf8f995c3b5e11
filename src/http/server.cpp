#include "nfmetrics/http/server.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <chrono>
#include <memory>
#include <mutex>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "http/error_response.hpp"
#include "http/exchange.hpp"
#include "http/routes.hpp"
#include "nfmetrics/http/access_log.hpp"
#include "nfmetrics/http/event_stream.hpp"

namespace nfmetrics::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// What the first read of a request asks for at most; the parser asks for more as it needs.
constexpr std::size_t kFirstReadBytes = 4096;

// The kernel's send buffer of a connection that streams events: a fixed size, not autotuned up to
// megabytes, so that a thousand subscribers hold little memory and one that stops reading fills
// its buffer, and falls behind, quickly.
constexpr int kStreamSendBufferBytes = 64 * 1024;

// How long and how much of the rest of an unreadable request is read and dropped before closing.
constexpr Duration kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = std::size_t{1} << 20;

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

// Errors that mean the client went away or took too long: the connection just ends.
bool ClientGone(const boost::system::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::bad_descriptor;
}

// The error answered to a request that could not be read, before closing.
Error UnreadableRequestError(const boost::system::error_code& ec) {
  const std::string message = "malformed HTTP request: " + ec.message();
  if (ec == beast_http::error::header_limit) {
    return Error{ErrorCode::kHeaderFieldsTooLarge, message, ""};
  }
  if (ec == beast_http::error::body_limit) return Error{ErrorCode::kPayloadTooLarge, message, ""};
  return BadRequest("", message);
}

// 503 `overloaded`, answered without looking at the request further.
Error OverloadedError(std::size_t limit) {
  return Error{ErrorCode::kOverloaded,
               fmt::format("the server is already handling {} requests (--max-in-flight); retry "
                           "shortly",
                           limit),
               "", 1};
}

// Probes and the server's own metrics are answered however busy the server is: an orchestrator
// must not restart a server for being loaded, nor lose sight of it.
bool NeverShed(const Request& request) {
  Route route = RouteOfTarget(request.target());
  return route == Route::kHealth || route == Route::kReady || route == Route::kSelfMetrics;
}

}  // namespace

// An open connection, as Close() and Drain() see it. Touched only on the connection's own strand:
// the session clears `socket` when it ends, and closes are posted there.
struct SessionHandle {
  tcp::socket* socket = nullptr;
  asio::any_io_executor executor;       // the connection's strand; never changes
  bool idle = false;                    // waiting for the first byte of a request
  std::shared_ptr<EventStream> events;  // while the connection streams events
};

// One open client connection counted against max_connections, from the accept until the session
// (its coroutine frame, even one that never ran) is gone. It shares the counter, which may so
// outlive the server's state: a frame's parameters are destroyed after its locals.
class ConnectionSlot {
 public:
  using Counter = std::shared_ptr<std::atomic<std::size_t>>;
  explicit ConnectionSlot(Counter open) : open_(std::move(open)) { open_->fetch_add(1); }
  ConnectionSlot(ConnectionSlot&& other) noexcept = default;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (open_ != nullptr) open_->fetch_sub(1);
  }

 private:
  Counter open_;
};

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(const asio::any_io_executor& executor, Router& router, ServerOptions options)
      : executor(executor),
        acceptor(MakeStrand(executor)),
        router(router),
        options(std::move(options)),
        access_log(AccessLogger()) {}

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    while (acceptor.is_open()) {
      if (!co_await WaitForRoom()) co_return;
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
      ConnectionSlot slot(open_connections);
      socket.set_option(tcp::no_delay(true), ec);  // answers are latency-bound; best effort
      auto connection_executor = socket.get_executor();
      if (options.tls) {
        asio::co_spawn(
            connection_executor,
            Session(TlsStream(beast::tcp_stream(std::move(socket)), *options.tls), std::move(slot)),
            asio::detached);
      } else {
        asio::co_spawn(connection_executor,
                       Session(beast::tcp_stream(std::move(socket)), std::move(slot)),
                       asio::detached);
      }
    }
  }

  // Returns at once below max_connections; at it, waits (polling: this is the rare, overloaded
  // case) until a connection closes. False when the listener closed meanwhile.
  asio::awaitable<bool> WaitForRoom() {
    const std::size_t limit = options.max_connections;
    if (limit == 0 || open_connections->load() < limit) co_return true;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_full_warning >= std::chrono::minutes(1)) {
      spdlog::warn(
          "{} client connections open, the --max-connections limit: new ones wait in the listen "
          "backlog until one closes",
          limit);
      last_full_warning = now;
    }
    asio::steady_timer timer(acceptor.get_executor());
    boost::system::error_code ec;
    while (acceptor.is_open() && open_connections->load() >= limit) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return acceptor.is_open();
  }

  // One connection, plain or TLS: the same loop over either stream.
  template <class Stream>
  asio::awaitable<void> Session(Stream stream, [[maybe_unused]] ConnectionSlot slot) {
    auto self = shared_from_this();
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    auto handle = std::make_shared<SessionHandle>(
        SessionHandle{&tcp_stream.socket(), tcp_stream.get_executor(), false});
    {
      std::lock_guard lock(sessions_mutex);
      sessions.insert(handle);
    }
    struct Unregister {
      State& state;
      std::shared_ptr<SessionHandle> handle;
      ~Unregister() {
        handle->socket = nullptr;
        std::lock_guard lock(state.sessions_mutex);
        state.sessions.erase(handle);
      }
    } unregister{*this, handle};
    boost::system::error_code ec;
    tcp_stream.expires_after(options.header_timeout);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      co_await stream.async_handshake(asio::ssl::stream_base::server,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        // Not TLS, a certificate the client refused, too slow: nothing to answer.
        spdlog::debug("TLS handshake failed: {}", ec.message());
        tcp_stream.socket().close(ec);
        co_return;
      }
      tcp_stream.expires_after(options.header_timeout);
    }
    const bool unread_input = co_await Serve(stream, handle);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (unread_input) {
      // Closing with unread bytes would send a reset, which can destroy the error answer before
      // the client reads it: read and drop what the client still sends, briefly (a lingering
      // close, as nginx does).
      tcp_stream.expires_after(std::min<Duration>(options.header_timeout, kLingerTime));
      std::array<char, 4096> discard;
      std::size_t lingered = 0;
      while (!ec && lingered < kLingerBytes) {
        lingered += co_await tcp_stream.async_read_some(
            asio::buffer(discard), asio::redirect_error(asio::use_awaitable, ec));
      }
    }
  }

  // Serves requests until the connection is to close; true when that is after an unreadable
  // request, whose rest may still be on its way.
  template <class Stream>
  asio::awaitable<bool> Serve(Stream& stream, const std::shared_ptr<SessionHandle>& handle) {
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    // Both live as long as the connection: pipelined requests wait in `buffer`, and each request
    // is parsed into the previous one's message, whose body keeps its capacity.
    beast::flat_buffer buffer;
    Request request;
    boost::system::error_code ec;
    for (bool first = true;; first = false) {
      if (buffer.size() == 0) {
        // Waiting for a request: the keep-alive wait (the first one is already counted in the
        // header's deadline, from the accept). A drain closes the connection here.
        if (draining.load()) break;
        if (!first) tcp_stream.expires_after(options.idle_timeout);
        handle->idle = true;
        std::size_t read = co_await stream.async_read_some(
            buffer.prepare(kFirstReadBytes), asio::redirect_error(asio::use_awaitable, ec));
        handle->idle = false;
        if (ec) break;
        buffer.commit(read);
      }
      if (!first) tcp_stream.expires_after(options.header_timeout);
      // A parser reads one message only; the message it starts from must be empty, as the body
      // is appended to.
      request.clear();
      request.body().clear();
      beast_http::request_parser<beast_http::string_body> parser(std::move(request));
      parser.header_limit(
          static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
      parser.body_limit(options.max_body_bytes);
      co_await beast_http::async_read_header(stream, buffer, parser,
                                             asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && !parser.is_done()) {
        tcp_stream.expires_after(options.header_timeout);
        co_await beast_http::async_read(stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ClientGone(ec)) {
        if (ec == beast::error::timeout) spdlog::debug("request not read in time; closing");
        break;
      }
      // Every request read, malformed ones too, gets an id, a count and a log line.
      Exchange exchange(router.self_metrics(), parser.get());
      const bool malformed = static_cast<bool>(ec);
      Response response;
      if (malformed) {
        // Malformed or oversized request: say so, then close.
        response = ErrorResponse(parser.get().version(), UnreadableRequestError(ec));
      } else {
        request = parser.release();
        response = co_await Answer(request, exchange.notes());
        if (draining.load()) response.keep_alive(false);
        if (std::shared_ptr<EventStream> events = response.body().events()) {
          // The connection streams events until the stream, the client or a drain ends it.
          exchange.Answered(response);
          const std::size_t sent = co_await WriteEvents(stream, response, events, handle);
          exchange.Written(*access_log, request, response, sent);
          break;
        }
      }
      const bool keep_alive = response.keep_alive();
      exchange.Answered(response);
      tcp_stream.expires_after(options.idle_timeout);
      // A serializer in the coroutine frame: async_write(message) would allocate one per
      // response.
      beast_http::response_serializer<AnswerBody> serializer(response);
      std::size_t sent = co_await beast_http::async_write(
          stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
      exchange.Written(*access_log, malformed ? parser.get() : request, response, sent);
      if (malformed && !ec) co_return true;
      if (ec || !keep_alive) break;
    }
    co_return false;
  }

  // Writes an event stream's header, then its events as they come, chunked on HTTP/1.1 (on 1.0 the
  // close ends the body); the last chunk when the stream ends, not when the client went away.
  // Returns the bytes written.
  template <class Stream>
  asio::awaitable<std::size_t> WriteEvents(Stream& stream, Response& response,
                                           std::shared_ptr<EventStream> events,
                                           const std::shared_ptr<SessionHandle>& handle) {
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    boost::system::error_code ec;
    tcp_stream.socket().set_option(asio::socket_base::send_buffer_size(kStreamSendBufferBytes), ec);
    events->OnAbandon([weak = std::weak_ptr<SessionHandle>(handle)] {
      std::shared_ptr<SessionHandle> held = weak.lock();
      if (held == nullptr) return;
      asio::post(held->executor, [held] {
        boost::system::error_code ignored;
        if (held->socket != nullptr) held->socket->close(ignored);
      });
    });
    handle->events = events;
    if (draining.load()) events->End();
    struct Forget {
      SessionHandle& handle;
      ~Forget() { handle.events.reset(); }
    } forget{*handle};

    const bool chunked = response.version() >= 11;
    response.keep_alive(false);
    response.erase(beast_http::field::content_length);
    if (chunked) response.chunked(true);
    tcp_stream.expires_after(options.idle_timeout);
    beast_http::response_serializer<AnswerBody> serializer(response);
    std::size_t sent = co_await beast_http::async_write_header(
        stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    while (!ec) {
      tcp_stream.expires_never();
      std::shared_ptr<const std::string> text = co_await events->Next();
      // A client that stops reading is the stream's to drop (OnAbandon); one whose socket is
      // gone fails here.
      tcp_stream.expires_after(options.idle_timeout);
      if (text == nullptr) {
        if (chunked) {
          sent += co_await asio::async_write(stream, beast_http::make_chunk_last(),
                                             asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      }
      if (chunked) {
        sent += co_await asio::async_write(stream, beast_http::make_chunk(asio::buffer(*text)),
                                           asio::redirect_error(asio::use_awaitable, ec));
      } else {
        sent += co_await asio::async_write(stream, asio::buffer(*text),
                                           asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    co_return sent;
  }

  // The router's answer, unless --max-in-flight requests are already being handled.
  asio::awaitable<Response> Answer(const Request& request, RequestNotes& notes) {
    if (options.max_in_flight == 0 || NeverShed(request)) {
      co_return co_await router.Handle(request, &notes);
    }
    if (in_flight.fetch_add(1) >= options.max_in_flight) {
      in_flight.fetch_sub(1);
      co_return ErrorResponse(request, OverloadedError(options.max_in_flight));
    }
    struct Leave {
      std::atomic<std::size_t>& count;
      ~Leave() { count.fetch_sub(1); }
    } leave{in_flight};
    co_return co_await router.Handle(request, &notes);
  }

  // Closes the listener and every open connection, so the executor runs out of work. Runs on the
  // acceptor's strand; each connection is closed on its own.
  void Close(bool idle_only = false) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    std::lock_guard lock(sessions_mutex);
    for (const std::shared_ptr<SessionHandle>& handle : sessions) {
      asio::post(handle->executor, [handle, idle_only] {
        boost::system::error_code ignored;
        // A stream ends with its last chunk, then its connection closes.
        if (handle->events != nullptr) handle->events->End();
        if (handle->socket != nullptr && (handle->idle || !idle_only)) {
          handle->socket->close(ignored);
        }
      });
    }
  }

  std::size_t SessionCount() {
    std::lock_guard lock(sessions_mutex);
    return sessions.size();
  }

  // Runs on the acceptor's strand.
  asio::awaitable<void> Drain(Duration grace, std::function<void()> drained) {
    auto self = shared_from_this();
    draining.store(true);
    Close(/*idle_only=*/true);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer timer(acceptor.get_executor());
    boost::system::error_code ec;
    std::size_t left = SessionCount();
    while (left > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      left = SessionCount();
    }
    if (left > 0) {
      spdlog::warn("{} connections still busy after the {}ms grace period; closing them", left,
                   std::chrono::duration_cast<std::chrono::milliseconds>(grace).count());
    }
    Close();
    if (drained) drained();
  }

  asio::any_io_executor executor;  // the io_context's: connections get strands of it
  tcp::acceptor acceptor;          // on a strand of its own
  std::mutex sessions_mutex;
  std::unordered_set<std::shared_ptr<SessionHandle>> sessions;  // guarded by sessions_mutex
  Router& router;
  ServerOptions options;
  std::shared_ptr<spdlog::logger> access_log;
  std::atomic<std::size_t> in_flight{0};  // requests in Answer that count against the limit
  std::atomic<bool> draining{false};
  // Accepted and not yet closed.
  ConnectionSlot::Counter open_connections = std::make_shared<std::atomic<std::size_t>>(0);
  // Accept loop only (the acceptor's strand): when "connection limit reached" was last logged.
  std::chrono::steady_clock::time_point last_full_warning{};
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

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                       asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // A client asking for renegotiation again and again costs a handshake each time: refuse it.
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION);
  // An encrypted key must not make OpenSSL prompt on the terminal: it just fails to load.
  context->set_password_callback(
      [](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });
  // The key first: loading a certificate that does not match it drops the key without an error,
  // which the check below then names, while the other order fails on the key with OpenSSL's
  // "key values mismatch".
  boost::system::error_code ec;
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return BadRequest(
        "tls-key", fmt::format("{}: not a readable PEM private key: {}", key_file, ec.message()));
  }
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return BadRequest("tls-cert", fmt::format("{}: not a readable PEM certificate chain: {}",
                                              cert_file, ec.message()));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return BadRequest("tls-key", fmt::format("{}: is not the private key of the certificate in {}",
                                             key_file, cert_file));
  }
  return context;
}

Server::Server(asio::any_io_executor executor, Router& router, ServerOptions options)
    : state_(std::make_shared<State>(std::move(executor), router, std::move(options))) {}

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

void Server::Drain(Duration grace, std::function<void()> drained) {
  asio::co_spawn(state_->acceptor.get_executor(), state_->Drain(grace, std::move(drained)),
                 asio::detached);
}

}  // namespace nfmetrics::http
