// The server's connection handling, seen from a raw socket: HTTP/1.1 keep-alive, pipelined
// requests answered in order, Connection: close and HTTP/1.0 honoured. Every read has a deadline,
// so a server that drops pipelined bytes or stops answering fails the test instead of hanging it.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/params_view.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "support/fake_upstream.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

using RawResponse = beast_http::response<beast_http::string_body>;

constexpr std::int64_t kStart = 1795467600;         // long past: nothing is "fresh"
constexpr std::int64_t kSlowStart = kStart - 7200;  // the engine takes kSlowDelay to answer it
constexpr auto kSlowDelay = 300ms;

// One client connection driven step by step. Responses are parsed by Beast off one buffer that
// lives as long as the connection, so bytes of a later response read along with an earlier one are
// kept for the next Read().
class RawConnection {
 public:
  explicit RawConnection(unsigned short port) : stream_(io_) {
    tcp_endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    Check("connect", Run([&](auto done) { stream_.async_connect(endpoint, done); }));
  }

  // All of `bytes` in one write, before anything is read.
  void Write(std::string_view bytes) {
    Check("write", Run([&](auto done) { asio::async_write(stream_, asio::buffer(bytes), done); }));
  }

  // The next complete response; throws when none arrives (closed, reset, deadline).
  RawResponse Read() {
    RawResponse response;
    Check("read",
          Run([&](auto done) { beast_http::async_read(stream_, buffer_, response, done); }));
    return response;
  }

  // What reading past the last response gives: asio::error::eof when the server closed cleanly,
  // beast::error::timeout when it kept the connection open.
  boost::system::error_code ReadPastEnd() {
    return Run([&](auto done) { stream_.async_read_some(buffer_.prepare(1024), done); });
  }

  std::size_t buffered_bytes() const { return buffer_.size(); }

 private:
  using tcp_endpoint = asio::ip::tcp::endpoint;

  template <class Start>
  boost::system::error_code Run(Start start) {
    boost::system::error_code result = asio::error::would_block;
    stream_.expires_after(5s);
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

std::string GetRequest(std::string_view target, std::string_view headers = "",
                       std::string_view version = "HTTP/1.1") {
  return fmt::format("GET {} {}\r\nHost: 127.0.0.1\r\n{}\r\n", target, version, headers);
}

std::string PostRequest(std::string_view target, std::string_view body) {
  return fmt::format(
      "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      target, body.size(), body);
}

std::string MetricTarget(std::int64_t start, std::string_view extra = "") {
  return fmt::format("/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start={}&end={}&step=1m{}",
                     start, start + 3600, extra);
}

std::map<std::string, std::string> Form(const std::string& body) {
  std::map<std::string, std::string> form;
  for (const auto& p : boost::urls::params_view(body)) form[p.key] = p.value;
  return form;
}

rapidjson::Document Json(const RawResponse& response) {
  rapidjson::Document doc;
  doc.Parse(response.body().c_str());
  EXPECT_FALSE(doc.HasParseError()) << response.body();
  return doc;
}

// Still open after this response: no Connection: close, nothing that asks for EOF.
void ExpectKeptAlive(const RawResponse& response) {
  EXPECT_TRUE(response.keep_alive()) << "Connection: " << response[beast_http::field::connection];
  EXPECT_EQ(response[beast_http::field::connection].find("close"), std::string_view::npos);
}

void ExpectHealthy(const RawResponse& response) {
  EXPECT_EQ(response.result_int(), 200u) << response.body();
  EXPECT_EQ(response.body(), R"({"status":"ok"})");
}

// The answer to MetricTarget(start): the engine's value on every step is the asked start.
void ExpectMetricFrom(const RawResponse& response, std::int64_t start) {
  ASSERT_EQ(response.result_int(), 200u) << response.body();
  rapidjson::Document doc = Json(response);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("data") && doc["data"].HasMember("series"))
      << response.body();
  EXPECT_EQ(doc["data"]["range"]["start_unix"].GetInt64(), start);
  const auto& series = doc["data"]["series"];
  ASSERT_EQ(series.Size(), 1u) << response.body();
  const auto& points = series[0]["points"];
  ASSERT_EQ(points.Size(), 61u);
  EXPECT_EQ(points[0][0].GetInt64(), start);
  EXPECT_DOUBLE_EQ(points[0][1].GetDouble(), static_cast<double>(start));
}

void ExpectBadStep(const RawResponse& response) {
  EXPECT_EQ(response.result_int(), 400u) << response.body();
  rapidjson::Document doc = Json(response);
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("error") && doc["error"].HasMember("param"))
      << response.body();
  EXPECT_STREQ(doc["error"]["code"].GetString(), "bad_request");
  EXPECT_STREQ(doc["error"]["param"].GetString(), "step");
}

// An engine answering every step of the asked range with the range's start, slowly for
// kSlowStart: a server that answered pipelined requests as they complete would reorder them.
class ServerConnection : public ::testing::Test {
 protected:
  ServerConnection()
      : upstream_([](const RecordedRequest& request) {
          auto form = Form(request.body);
          double start = std::stod(form["start"]);
          double end = std::stod(form["end"]);
          double step = std::stod(form["step"]);
          std::string values;
          for (double t = start; t <= end + 1e-9; t += step) {
            values += fmt::format("{}[{},\"{}\"]", values.empty() ? "" : ",", t, start);
          }
          Reply reply = Reply::Json(
              fmt::format(R"({{"status":"success","data":{{"resultType":"matrix","result":[)"
                          R"({{"metric":{{"pod":"mv-mv-0-aaaaa"}},"values":[{}]}}]}}}})",
                          values));
          if (start == static_cast<double>(kSlowStart))
            return std::move(reply).WithDelay(kSlowDelay);
          return reply;
        }),
        api_(upstream_.base_url(), 5s, nullptr, std::size_t{64} << 20, /*threads=*/2) {}

  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(ServerConnection, AnswersSequentialRequestsOnOneKeptAliveConnection) {
  RawConnection connection(api_.port());

  connection.Write(GetRequest("/healthz"));
  RawResponse health = connection.Read();
  ExpectHealthy(health);
  ExpectKeptAlive(health);

  connection.Write(GetRequest(MetricTarget(kStart)));
  RawResponse metric = connection.Read();
  ExpectMetricFrom(metric, kStart);
  ExpectKeptAlive(metric);

  connection.Write(GetRequest(MetricTarget(kStart, "&step=banana")));
  RawResponse bad = connection.Read();
  ExpectBadStep(bad);
  ExpectKeptAlive(bad);

  EXPECT_EQ(connection.buffered_bytes(), 0u);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

TEST_F(ServerConnection, AnswersPipelinedRequestsInRequestOrder) {
  RawConnection connection(api_.port());
  // The first is the slowest to answer, the second the fastest.
  connection.Write(GetRequest(MetricTarget(kSlowStart)) + GetRequest("/healthz") +
                   GetRequest(MetricTarget(kStart)) +
                   GetRequest(MetricTarget(kStart, "&step=banana")));

  RawResponse slow = connection.Read();
  ExpectMetricFrom(slow, kSlowStart);
  ExpectKeptAlive(slow);
  RawResponse health = connection.Read();
  ExpectHealthy(health);
  ExpectKeptAlive(health);
  RawResponse metric = connection.Read();
  ExpectMetricFrom(metric, kStart);
  ExpectKeptAlive(metric);
  RawResponse bad = connection.Read();
  ExpectBadStep(bad);
  ExpectKeptAlive(bad);
  EXPECT_EQ(connection.buffered_bytes(), 0u);

  // Still open for more after the pipeline drained.
  connection.Write(GetRequest("/healthz"));
  ExpectHealthy(connection.Read());
}

TEST_F(ServerConnection, PipelinedRequestBodiesDoNotLeakIntoTheNext) {
  constexpr std::string_view kLongBody = R"({
    "pattern_name": "mono_vertex_histogram", "metric_name": "monovtx_sink_time_bucket",
    "dimension": "pod", "quantile": "0.99", "duration": "1m",
    "filters": {"namespace": "ns", "mvtx_name": "mv", "pod": "mv-mv-0-aaaaa"},
    "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T22:00:00Z"})";
  constexpr std::string_view kShortBody = R"({
    "pattern_name": "mono_vertex_histogram", "metric_name": "monovtx_sink_time_bucket",
    "dimension": "mono-vertex", "quantile": "0.5", "duration": "1m",
    "filters": {"namespace": "ns", "mvtx_name": "mv"},
    "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T22:00:00Z"})";
  RawConnection connection(api_.port());
  connection.Write(PostRequest("/api/v1/metrics-proxy", kLongBody) + GetRequest("/healthz") +
                   PostRequest("/api/v1/metrics-proxy", kShortBody));

  RawResponse first = connection.Read();
  EXPECT_EQ(first.result_int(), 200u) << first.body();
  ExpectHealthy(connection.Read());
  RawResponse second = connection.Read();
  EXPECT_EQ(second.result_int(), 200u) << second.body();
  ExpectKeptAlive(second);

  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(Form(requests[0].body)["query"].find("histogram_quantile(0.99"), 0u)
      << Form(requests[0].body)["query"];
  EXPECT_EQ(Form(requests[1].body)["query"].find("histogram_quantile(0.5"), 0u)
      << Form(requests[1].body)["query"];
}

TEST_F(ServerConnection, AnswersAPipelinedConnectionCloseThenCloses) {
  RawConnection connection(api_.port());
  connection.Write(GetRequest("/healthz") + GetRequest(MetricTarget(kStart)) +
                   GetRequest("/healthz", "Connection: close\r\n"));

  RawResponse health = connection.Read();
  ExpectHealthy(health);
  ExpectKeptAlive(health);
  RawResponse metric = connection.Read();
  ExpectMetricFrom(metric, kStart);
  ExpectKeptAlive(metric);
  RawResponse last = connection.Read();
  ExpectHealthy(last);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(last[beast_http::field::connection], "close");

  EXPECT_EQ(connection.buffered_bytes(), 0u);
  EXPECT_EQ(connection.ReadPastEnd(), asio::error::eof);
}

TEST_F(ServerConnection, AnswersHttp10WithoutKeepAliveThenCloses) {
  RawConnection connection(api_.port());
  connection.Write("GET /healthz HTTP/1.0\r\n\r\n");

  RawResponse health = connection.Read();
  ExpectHealthy(health);
  EXPECT_FALSE(health.keep_alive());
  EXPECT_EQ(health.has_content_length(), true);  // the end of the body is not the end of stream

  EXPECT_EQ(connection.buffered_bytes(), 0u);
  EXPECT_EQ(connection.ReadPastEnd(), asio::error::eof);
}

TEST_F(ServerConnection, KeepsAnHttp10ConnectionThatAsksForKeepAlive) {
  RawConnection connection(api_.port());  // as `ab -k` does
  for (int i = 0; i < 2; ++i) {
    connection.Write(GetRequest("/healthz", "Connection: keep-alive\r\n", "HTTP/1.0"));
    RawResponse health = connection.Read();
    ExpectHealthy(health);
    EXPECT_TRUE(health.keep_alive());
    EXPECT_EQ(health[beast_http::field::connection], "keep-alive");
  }
}

}  // namespace
}  // namespace nfmetrics::testing
