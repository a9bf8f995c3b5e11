// The fake's sessions are Asio coroutines on the fake's own io_context thread. Misbehaviour is
// produced at the byte level (partial bodies, raw garbage, silent closes) because that is what
// the client under test must survive.
#include "support/fake_upstream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/params_view.hpp>
#include <cctype>
#include <map>
#include <sstream>

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

RecordedRequest Record(const http::request<http::string_body>& request) {
  RecordedRequest recorded;
  recorded.method = std::string(request.method_string());
  recorded.target = std::string(request.target());
  recorded.body = request.body();
  for (const auto& field : request) {
    recorded.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  return recorded;
}

http::response<http::string_body> MakeResponse(const Reply& reply, unsigned version) {
  http::response<http::string_body> response{static_cast<http::status>(reply.status), version};
  response.set(http::field::server, "nfmetrics-fake-upstream");
  response.set(http::field::content_type, reply.content_type);
  response.keep_alive(reply.keep_alive);
  response.body() = reply.body;
  response.prepare_payload();
  return response;
}

}  // namespace

std::string RecordedRequest::Header(std::string_view name) const {
  std::string wanted = Lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return {};
}

Reply Reply::Json(std::string body, unsigned status) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

Reply Reply::Text(std::string body, unsigned status) {
  Reply reply;
  reply.status = status;
  reply.content_type = "text/plain; charset=utf-8";
  reply.body = std::move(body);
  return reply;
}

Reply Reply::Truncated(std::string body, std::size_t sent_bytes) {
  Reply reply;
  reply.kind = Kind::kTruncate;
  reply.body = std::move(body);
  reply.truncate_at = sent_bytes;
  return reply;
}

Reply Reply::CloseWithoutResponse() {
  Reply reply;
  reply.kind = Kind::kCloseWithoutResponse;
  return reply;
}

Reply Reply::Raw(std::string bytes) {
  Reply reply;
  reply.kind = Kind::kRaw;
  reply.body = std::move(bytes);
  return reply;
}

Reply Reply::Pieces(std::vector<Piece> pieces) {
  Reply reply;
  reply.kind = Kind::kPieces;
  reply.pieces = std::move(pieces);
  return reply;
}

Reply Reply::WithDelay(std::chrono::milliseconds wait) && {
  delay = wait;
  return std::move(*this);
}

// One accepted connection: read a request, answer as scripted, repeat while keep-alive.
class FakeUpstream::Session {
 public:
  static asio::awaitable<void> Run(FakeUpstream& owner, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    try {
      co_await Serve(owner, stream);
    } catch (const std::exception&) {
      // A test fake: any failure just ends the connection.
    }
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    owner.OnClosed();
  }

 private:
  static asio::awaitable<void> Serve(FakeUpstream& owner, beast::tcp_stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      error_code ec;
      co_await http::async_read(stream, buffer, request,
                                asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;

      Reply reply = owner.Handle(Record(request));
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(stream.get_executor(), reply.delay);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      switch (reply.kind) {
        case Reply::Kind::kCloseWithoutResponse:
          co_return;
        case Reply::Kind::kRaw:
          co_await asio::async_write(stream, asio::buffer(reply.body),
                                     asio::redirect_error(asio::use_awaitable, ec));
          co_return;
        case Reply::Kind::kPieces:
          for (const Reply::Piece& piece : reply.pieces) {
            asio::steady_timer timer(stream.get_executor(), piece.wait);
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (piece.bytes.empty()) continue;
            co_await asio::async_write(stream, asio::buffer(piece.bytes),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
          }
          co_return;
        case Reply::Kind::kTruncate: {
          std::ostringstream out;
          out << MakeResponse(reply, request.version());
          std::string bytes = out.str();
          std::size_t header_size = bytes.size() - reply.body.size();
          bytes.resize(header_size + std::min(reply.truncate_at, reply.body.size()));
          co_await asio::async_write(stream, asio::buffer(bytes),
                                     asio::redirect_error(asio::use_awaitable, ec));
          co_return;
        }
        case Reply::Kind::kNormal: {
          auto response = MakeResponse(reply, request.version());
          co_await http::async_write(stream, response,
                                     asio::redirect_error(asio::use_awaitable, ec));
          if (ec || !response.keep_alive() || reply.close_after) co_return;
          break;
        }
      }
    }
  }
};

FakeUpstream::FakeUpstream(Handler handler) : acceptor_(io_), handler_(std::move(handler)) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  Accept();
  thread_ = std::thread([this] { io_.run(); });
}

FakeUpstream::~FakeUpstream() {
  // Pending sessions (e.g. one sleeping before a delayed answer) are destroyed with io_.
  io_.stop();
  thread_.join();
}

std::string FakeUpstream::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeUpstream::SetHandler(Handler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<RecordedRequest> FakeUpstream::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakeUpstream::accepted_connections() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

int FakeUpstream::closed_connections() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool FakeUpstream::WaitForClosedConnections(int count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (closed_connections() < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void FakeUpstream::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    {
      std::lock_guard lock(mutex_);
      ++accepted_;
    }
    asio::co_spawn(io_, Session::Run(*this, std::move(socket)), asio::detached);
    Accept();
  });
}

Reply FakeUpstream::Handle(const RecordedRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    handler = handler_;
  }
  // Called without the lock so a handler may inspect the fake.
  return handler ? handler(request) : Reply::Text("no handler", 500);
}

void FakeUpstream::OnClosed() {
  std::lock_guard lock(mutex_);
  ++closed_;
}

Reply OnePodOnEveryStep(const RecordedRequest& request, std::string_view value) {
  std::map<std::string, std::string> form;
  for (const auto& p : boost::urls::params_view(request.body)) form[p.key] = p.value;
  const double start = std::stod(form["start"]);
  const double end = std::stod(form["end"]);
  const double step = std::stod(form["step"]);
  std::string values;
  for (double t = start; t <= end + 1e-9; t += step) {
    values += fmt::format("{}[{},\"{}\"]", values.empty() ? "" : ",", t, value);
  }
  return Reply::Json(fmt::format(R"({{"status":"success","data":{{"resultType":"matrix","result":[)"
                                 R"({{"metric":{{"pod":"mv-mv-0-aaaaa"}},"values":[{}]}}]}}}})",
                                 values));
}

}  // namespace nfmetrics::testing
