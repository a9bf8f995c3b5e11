// What the server does to clients that hold it up or overload it, seen from raw sockets: a header
// trickled byte by byte is dropped at --header-timeout, an oversized header is answered 431 and
// closed, an idle kept-alive connection is closed at --idle-timeout, requests beyond
// --max-in-flight get 503 `overloaded` with Retry-After while the probes still answer, a client
// beyond --max-connections waits until a connection closes; and all the while other clients are
// served.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/fake_upstream.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using RawResponse = beast_http::response<beast_http::string_body>;

constexpr std::int64_t kStart = 1795467600;  // long past: nothing is "fresh"

// One client connection driven step by step; every operation has a deadline.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port) : stream_(io_) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    Check("connect", Run(5s, [&](auto done) { stream_.async_connect(endpoint, done); }));
  }

  // Writes `bytes`; the error, if any (the server may have closed already).
  boost::system::error_code Write(std::string_view bytes) {
    return Run(5s, [&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); });
  }

  // The next complete response; throws when none arrives (closed, reset, deadline).
  RawResponse Read() {
    RawResponse response;
    Check("read",
          Run(5s, [&](auto done) { beast_http::async_read(stream_, buffer_, response, done); }));
    return response;
  }

  // What reading past the last response gives within `deadline`: asio::error::eof when the
  // server closed, beast::error::timeout when it kept the connection open.
  boost::system::error_code ReadPastEnd(std::chrono::milliseconds deadline = 5s) {
    return Run(deadline, [&](auto done) { stream_.async_read_some(buffer_.prepare(1024), done); });
  }

 private:
  template <class Start>
  boost::system::error_code Run(std::chrono::milliseconds deadline, Start start) {
    boost::system::error_code result = asio::error::would_block;
    stream_.expires_after(deadline);
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  static void Check(std::string_view what, boost::system::error_code ec) {
    if (ec) throw std::runtime_error(fmt::format("{}: {}", what, ec.message()));
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// A client that sends its request one byte at a time, on a blocking socket: unlike Beast's
// tcp_stream, polling it for the server's close does not close it.
class Trickler {
 public:
  explicit Trickler(unsigned short port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.non_blocking(true);
  }

  // Sends one byte; false when the server has closed the connection (or reset it).
  bool Send(char byte) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(&byte, 1), ec);
    return !ec && Open();
  }

  // What has arrived by now: "" when nothing has yet, or the connection is closed.
  std::string Received() {
    std::array<char, 4096> bytes{};
    boost::system::error_code ec;
    const std::size_t size = socket_.read_some(asio::buffer(bytes), ec);
    return ec ? std::string() : std::string(bytes.data(), size);
  }

  // True while nothing has been received and the connection is open.
  bool Open() {
    char byte = 0;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::would_block;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
};

std::string GetRequest(std::string_view target, std::string_view headers = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n", target, headers);
}

std::string MetricTarget(std::int64_t start) {
  return fmt::format("/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start={}&end={}&step=1m",
                     start, start + 3600);
}

std::string ErrorCodeOf(const RawResponse& response) {
  rapidjson::Document doc;
  doc.Parse(response.body().c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) return "";
  return doc["error"]["code"].GetString();
}

// A server error or a refusal makes the test fail with the response, not a bare status.
void ExpectHealthy(RawConnection& connection) {
  ASSERT_FALSE(connection.Write(GetRequest("/healthz")));
  RawResponse health = connection.Read();
  EXPECT_EQ(health.result_int(), 200u) << health.body();
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An engine that answers every query with one empty matrix after `delay`.
FakeUpstream::Handler EmptyMatrixAfter(std::chrono::milliseconds delay) {
  return [delay](const RecordedRequest&) {
    return Reply::Json(R"({"status":"success","data":{"resultType":"matrix","result":[]}})")
        .WithDelay(delay);
  };
}

InProcessOptions WithServer(http::ServerOptions server, unsigned threads = 2) {
  InProcessOptions options;
  options.threads = threads;
  options.server = std::move(server);
  return options;
}

TEST(ServerLimits, DropsAClientThatTricklesItsHeaderAtTheHeaderTimeout) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.header_timeout = 1s}));
  Trickler loris(api.port());
  const std::string request =
      GetRequest("/healthz", "X-Padding: " + std::string(100, 'a') + "\r\n");
  const auto start = Clock::now();
  bool open = true;
  // One byte every 100ms: each arrives well within any per-read timeout, the whole never within
  // the header's.
  for (std::size_t i = 0; open && i < request.size() && SecondsSince(start) < 5; ++i) {
    std::this_thread::sleep_for(100ms);
    open = loris.Send(request[i]);
    if (i == 3) {
      // Meanwhile, another client is served normally.
      RawConnection other(api.port());
      ExpectHealthy(other);
    }
  }
  const double elapsed = SecondsSince(start);
  EXPECT_FALSE(open) << "still open after " << elapsed << "s";
  EXPECT_GE(elapsed, 0.8);
  EXPECT_LT(elapsed, 2.5);
  RawConnection after(api.port());
  ExpectHealthy(after);
}

TEST(ServerLimits, CountsTheFirstRequestsHeaderFromTheAcceptNotTheIdleTimeout) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.header_timeout = 3s, .idle_timeout = 500ms}));
  RawConnection connection(api.port());
  std::this_thread::sleep_for(1s);  // past the idle timeout, within the header's
  ExpectHealthy(connection);
}

TEST(ServerLimits, AnswersAnOversizedHeaderWith431ThenCloses) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.max_header_bytes = 2048}));
  // A long header field, and a long request line: Beast's header limit counts both.
  for (const std::string& request :
       {GetRequest("/healthz", "X-Big: " + std::string(4000, 'b') + "\r\n"),
        GetRequest("/healthz?pad=" + std::string(4000, 'p'))}) {
    RawConnection connection(api.port());
    connection.Write(request);
    RawResponse response = connection.Read();
    EXPECT_EQ(response.result_int(), 431u) << response.body();
    EXPECT_EQ(ErrorCodeOf(response), "bad_request") << response.body();
    EXPECT_FALSE(response.keep_alive());
    EXPECT_EQ(connection.ReadPastEnd(), asio::error::eof);
  }
  // Just under the limit is fine.
  RawConnection connection(api.port());
  connection.Write(GetRequest("/healthz", "X-Big: " + std::string(1800, 'b') + "\r\n"));
  EXPECT_EQ(connection.Read().result_int(), 200u);
}

TEST(ServerLimits, AnswersAnOversizedBodyWith413ThenCloses) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.max_body_bytes = 1024}));
  RawConnection connection(api.port());
  const std::string body(2000, ' ');
  connection.Write(fmt::format(
      "POST /api/v1/metrics-proxy HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      body.size(), body));
  RawResponse response = connection.Read();
  EXPECT_EQ(response.result_int(), 413u) << response.body();
  EXPECT_FALSE(response.keep_alive());
}

TEST(ServerLimits, ClosesAKeptAliveConnectionIdleForTheIdleTimeout) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.header_timeout = 5s, .idle_timeout = 1s}));
  RawConnection idle(api.port());
  ExpectHealthy(idle);
  const auto start = Clock::now();
  EXPECT_EQ(idle.ReadPastEnd(), asio::error::eof);
  const double elapsed = SecondsSince(start);
  EXPECT_GE(elapsed, 0.8);
  EXPECT_LT(elapsed, 2.5);
  // A busy kept-alive connection is not: each request restarts the wait.
  RawConnection busy(api.port());
  for (int i = 0; i < 4; ++i) {
    ExpectHealthy(busy);
    std::this_thread::sleep_for(500ms);
  }
}

TEST(ServerLimits, ShedsRequestsBeyondMaxInFlightButNeverTheProbes) {
  FakeUpstream upstream(EmptyMatrixAfter(1500ms));
  InProcessApi api(upstream.base_url(), WithServer({.max_in_flight = 2}));
  // Two requests held by the engine (different ranges: nothing shared between them).
  RawConnection first(api.port());
  RawConnection second(api.port());
  first.Write(GetRequest(MetricTarget(kStart)));
  second.Write(GetRequest(MetricTarget(kStart - 7200)));
  for (int i = 0; i < 100 && upstream.requests().size() < 2; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(upstream.requests().size(), 2u);

  RawConnection third(api.port());
  third.Write(GetRequest(MetricTarget(kStart - 14400)));
  RawResponse shed = third.Read();
  EXPECT_EQ(shed.result_int(), 503u) << shed.body();
  EXPECT_EQ(ErrorCodeOf(shed), "overloaded") << shed.body();
  EXPECT_EQ(shed[beast_http::field::retry_after], "1");
  EXPECT_TRUE(shed.keep_alive());
  for (std::string_view probe : {"/healthz", "/metrics"}) {
    third.Write(GetRequest(probe));
    RawResponse answer = third.Read();
    EXPECT_EQ(answer.result_int(), 200u) << probe << ": " << answer.body();
  }
  EXPECT_EQ(upstream.requests().size(), 2u);  // the shed request never reached the engine

  EXPECT_EQ(first.Read().result_int(), 200u);
  EXPECT_EQ(second.Read().result_int(), 200u);
  // Room again.
  third.Write(GetRequest(MetricTarget(kStart - 14400)));
  RawResponse after = third.Read();
  EXPECT_EQ(after.result_int(), 200u) << after.body();
}

TEST(ServerLimits, StopsAcceptingAtMaxConnectionsUntilOneCloses) {
  FakeUpstream upstream(EmptyMatrixAfter(0ms));
  InProcessApi api(upstream.base_url(), WithServer({.max_connections = 2}));
  auto first = std::make_unique<RawConnection>(api.port());
  RawConnection second(api.port());
  ExpectHealthy(*first);
  ExpectHealthy(second);
  // The kernel completes the third handshake (the listen backlog); the server does not take it.
  Trickler third(api.port());
  for (char byte : GetRequest("/healthz")) ASSERT_TRUE(third.Send(byte));
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(third.Open()) << "answered beyond --max-connections";
  ExpectHealthy(second);  // the open ones are served as before

  first.reset();  // room for one
  std::string answer;
  for (int i = 0; i < 500 && answer.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    answer = third.Received();
  }
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
}

TEST(ServerLimits, ZeroMaxInFlightMeansNoLimit) {
  FakeUpstream upstream(EmptyMatrixAfter(300ms));
  InProcessApi api(upstream.base_url(), WithServer({.max_in_flight = 0}));
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 5; ++i) {
    connections.push_back(std::make_unique<RawConnection>(api.port()));
    connections.back()->Write(GetRequest(MetricTarget(kStart - 7200 * i)));
  }
  for (auto& connection : connections) {
    RawResponse response = connection->Read();
    EXPECT_EQ(response.result_int(), 200u) << response.body();
  }
}

}  // namespace
}  // namespace nfmetrics::testing
