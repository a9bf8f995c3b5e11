// Seeing inside the server: GET /metrics counts what the API answered (by route and status, by
// cache result, what is in flight) and what the backend did (durations, errors by kind); every
// answer carries an X-Request-Id (the client's when sane, otherwise a new one), and every request
// leaves one JSON line on the "access" logger.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/params_view.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/exposition.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kStart = 1795467600;  // long past: every step is older than the horizon

std::string MetricTarget(std::int64_t start = kStart) {
  return fmt::format(
      "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&group_by=pod&start={}&end={}&step=1m",
      start, start + 3600);
}

// A query_range answer for one pod with a sample on every step of the asked range.
Reply RangeAnswer(const RecordedRequest& request) { return OnePodOnEveryStep(request, "0.25"); }

const Reply kReady =
    Reply::Json(R"({"status":"success","data":{"resultType":"scalar","result":[1795467600,"1"]}})");

bool IsGeneratedId(const std::string& id) {
  return std::regex_match(id, std::regex("[0-9a-f]{16}"));
}

// The lines written to a logger, as they were given (the server's logger writes them alone).
class CapturingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  // The line is written once the answer has been, so a client can be faster than it.
  std::vector<std::string> WaitForLines(std::size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      if (Lines().size() >= count) break;
    }
    return Lines();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    lines_.emplace_back(message.payload.data(), message.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;  // guarded by mutex_
};

// Registers the "access" logger before the server is made, so that the server writes to it.
std::shared_ptr<CapturingSink> CaptureAccessLog() {
  spdlog::drop("access");
  auto sink = std::make_shared<CapturingSink>();
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_level(spdlog::level::info);
  spdlog::register_logger(logger);
  return sink;
}

namespace beast_http = boost::beast::http;
using RawResponse = beast_http::response<beast_http::string_body>;

// The answer to `bytes` written as they are on a fresh connection: what a client can send that
// the test client would not.
RawResponse RawExchange(unsigned short port, std::string_view bytes) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  boost::beast::flat_buffer buffer;
  RawResponse response;
  boost::system::error_code ec;
  auto run = [&](std::string_view what) {
    io.restart();
    io.run();
    if (ec) throw std::runtime_error(fmt::format("{}: {}", what, ec.message()));
  };
  stream.expires_after(5s);
  stream.async_connect({boost::asio::ip::make_address("127.0.0.1"), port},
                       [&](boost::system::error_code e) { ec = e; });
  run("connect");
  boost::asio::async_write(stream, boost::asio::buffer(bytes),
                           [&](boost::system::error_code e, std::size_t) { ec = e; });
  run("write");
  beast_http::async_read(stream, buffer, response,
                         [&](boost::system::error_code e, std::size_t) { ec = e; });
  run("read");
  return response;
}

class SelfMetricsOverEngine : public ::testing::Test {
 protected:
  SelfMetricsOverEngine()
      : access_log_(CaptureAccessLog()),
        upstream_([this](const RecordedRequest& request) {
          if (request.target.find("query_range") == std::string::npos) return kReady;
          if (failing_.load()) return Reply::Text("overloaded", 503);
          return RangeAnswer(request).WithDelay(std::chrono::milliseconds(delay_ms_.load()));
        }),
        api_(upstream_.base_url(), 5s) {}
  ~SelfMetricsOverEngine() override { spdlog::drop("access"); }

  std::string Scrape() {
    HttpResponse response = Get("127.0.0.1", api_.port(), "/metrics");
    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return response.body;
  }

  double Requests(std::string_view route, std::string_view code) {
    return SampleValue(Scrape(), "nfmetrics_http_requests_total",
                       {{"route", std::string(route)}, {"code", std::string(code)}})
        .value_or(0);
  }

  std::shared_ptr<CapturingSink> access_log_;
  std::atomic<bool> failing_{false};
  std::atomic<int> delay_ms_{0};
  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(SelfMetricsOverEngine, CountsRequestsByRouteAndStatusCode) {
  constexpr int kRequests = 5;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_EQ(Get("127.0.0.1", api_.port(), MetricTarget(kStart + 60 * i)).status, 200);
  }
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/api/v1/metrics/sink-latency?namespace=ns").status, 400);
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/no/such/thing").status, 404);
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/healthz").status, 200);

  std::string text = Scrape();
  auto requests = [&](std::string_view route, std::string_view code) {
    return SampleValue(text, "nfmetrics_http_requests_total",
                       {{"route", std::string(route)}, {"code", std::string(code)}});
  };
  EXPECT_EQ(requests("metric", "200"), kRequests);
  EXPECT_EQ(requests("metric", "400"), 1);
  EXPECT_EQ(requests("none", "404"), 1);
  EXPECT_EQ(requests("healthz", "200"), 1);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_request_duration_seconds_count", {{"route", "metric"}}),
      kRequests + 1);
  EXPECT_GT(
      *SampleValue(text, "nfmetrics_http_request_duration_seconds_sum", {{"route", "metric"}}), 0);
  // The scrape is answered while it is in flight; nothing else is.
  EXPECT_EQ(SampleValue(text, "nfmetrics_http_requests_in_flight"), 1);
  // The engine was asked once per miss.
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_request_duration_seconds_count",
                        {{"operation", "query_range"}}),
            kRequests);
  // Routes are a bounded set: no path, no namespace, no metric name in a label.
  for (const auto& [name, labels] : Samples(text)) {
    for (const auto& [label, value] : labels) {
      EXPECT_EQ(value.find('/'), std::string::npos) << name << " " << label << "=" << value;
      EXPECT_EQ(value.find("sink-latency"), std::string::npos) << name;
    }
  }
  // The previous scrape is counted by the next one.
  EXPECT_EQ(Requests("metrics", "200"), 1);
}

TEST_F(SelfMetricsOverEngine, AnUpstream503CountsAsABackendUpstreamError) {
  failing_ = true;
  HttpResponse answer = Get("127.0.0.1", api_.port(), MetricTarget());
  ASSERT_EQ(answer.status, 502) << answer.body;
  std::string text = Scrape();
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_errors_total",
                        {{"operation", "query_range"}, {"kind", "upstream_error"}}),
            1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_errors_total",
                        {{"operation", "query_range"}, {"kind", "upstream_timeout"}}),
            0);
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_request_duration_seconds_count",
                        {{"operation", "query_range"}}),
            1);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "metric"}, {"code", "502"}}),
      1);
}

TEST_F(SelfMetricsOverEngine, CountsCacheResultsAsXCacheReportsThem) {
  auto x_cache = [&](std::vector<std::pair<std::string, std::string>> headers = {}) {
    return HttpRequest("127.0.0.1", api_.port(), "GET", MetricTarget(), "", std::move(headers))
        .Header("x-cache");
  };
  EXPECT_EQ(x_cache(), "miss");
  EXPECT_EQ(x_cache(), "hit");
  EXPECT_EQ(x_cache(), "hit");
  EXPECT_EQ(x_cache({{"Cache-Control", "no-cache"}}), "bypass");
  std::string text = Scrape();
  auto results = [&](std::string_view result) {
    return SampleValue(text, "nfmetrics_cache_requests_total", {{"result", std::string(result)}});
  };
  EXPECT_EQ(results("miss"), 1);
  EXPECT_EQ(results("hit"), 2);
  EXPECT_EQ(results("bypass"), 1);
  EXPECT_EQ(results("partial"), 0);
}

TEST_F(SelfMetricsOverEngine, ReadyzAndItsBackendCheckAreCounted) {
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/readyz").status, 200);
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::Text("down", 503); });
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/readyz").status, 503);
  std::string text = Scrape();
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "readyz"}, {"code", "200"}}),
      1);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "readyz"}, {"code", "503"}}),
      1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_request_duration_seconds_count",
                        {{"operation", "ready"}}),
            2);
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_errors_total",
                        {{"operation", "ready"}, {"kind", "upstream_error"}}),
            1);
}

TEST_F(SelfMetricsOverEngine, CountsARequestInFlightUntilItIsAnswered) {
  delay_ms_ = 1500;
  auto slow = std::async(std::launch::async,
                         [&] { return Get("127.0.0.1", api_.port(), MetricTarget()).status; });
  double in_flight = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 1s;
       std::chrono::steady_clock::now() < deadline && in_flight < 2;
       std::this_thread::sleep_for(20ms)) {
    in_flight = SampleValue(Scrape(), "nfmetrics_http_requests_in_flight").value_or(0);
  }
  EXPECT_EQ(in_flight, 2);  // the slow request and the scrape
  EXPECT_EQ(slow.get(), 200);
  EXPECT_EQ(SampleValue(Scrape(), "nfmetrics_http_requests_in_flight"), 1);
}

TEST_F(SelfMetricsOverEngine, EchoesASaneRequestIdOnAnswersAndErrors) {
  for (const std::string& target : {MetricTarget(), std::string("/no/such/thing"),
                                    std::string("/api/v1/metrics/sink-latency?step=0")}) {
    HttpResponse answer = HttpRequest("127.0.0.1", api_.port(), "GET", target, "",
                                      {{"X-Request-Id", "trace.42_A-b"}});
    EXPECT_EQ(answer.Header("x-request-id"), "trace.42_A-b") << target;
  }
  std::string longest(128, 'k');
  EXPECT_EQ(
      HttpRequest("127.0.0.1", api_.port(), "GET", "/healthz", "", {{"X-Request-Id", longest}})
          .Header("x-request-id"),
      longest);
}

TEST_F(SelfMetricsOverEngine, GeneratesADistinctIdWhenTheClientSentNone) {
  std::set<std::string> ids;
  for (const std::string& target : {MetricTarget(), MetricTarget(), std::string("/healthz"),
                                    std::string("/nope"), std::string("/metrics")}) {
    std::string id = Get("127.0.0.1", api_.port(), target).Header("x-request-id");
    EXPECT_TRUE(IsGeneratedId(id)) << target << ": \"" << id << "\"";
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(SelfMetricsOverEngine, ReplacesAHostileRequestIdWithANewOne) {
  for (const std::string& hostile :
       {std::string(129, 'k'), std::string("a b"), std::string("<script>alert(1)</script>"),
        std::string("id;rm -rf"), std::string("caf\xC3\xA9"), std::string("\"quoted\"")}) {
    HttpResponse answer =
        HttpRequest("127.0.0.1", api_.port(), "GET", "/healthz", "", {{"X-Request-Id", hostile}});
    EXPECT_EQ(answer.status, 200);
    EXPECT_TRUE(IsGeneratedId(answer.Header("x-request-id")))
        << hostile << " -> \"" << answer.Header("x-request-id") << "\"";
  }
  // A CR inside the value, and a value folded onto the next line: whatever the parser makes of
  // them, the id sent back is a new one and nothing else gets into the answer's headers.
  for (std::string_view header :
       {"X-Request-Id: abc\rX-Evil: 1\r\n", "X-Request-Id: abc\r\n X-Evil: 1\r\n"}) {
    RawResponse answer = RawExchange(
        api_.port(), fmt::format("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n{}\r\n", header));
    EXPECT_TRUE(IsGeneratedId(std::string(answer["X-Request-Id"]))) << answer;
    EXPECT_EQ(answer.find("X-Evil"), answer.end()) << answer;
  }
}

TEST_F(SelfMetricsOverEngine, AMalformedRequestIsAnsweredWithAnIdCountedAndLogged) {
  RawResponse answer = RawExchange(
      api_.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n");
  ASSERT_EQ(answer.result_int(), 400u);
  std::string id(answer["X-Request-Id"]);
  EXPECT_TRUE(IsGeneratedId(id)) << answer;
  std::vector<std::string> lines = access_log_->WaitForLines(1);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document line;
  line.Parse(lines[0].c_str());
  ASSERT_FALSE(line.HasParseError()) << lines[0];
  EXPECT_EQ(std::string(line["request_id"].GetString()), id);
  EXPECT_EQ(line["status"].GetUint(), 400u);
  std::string text = Scrape();
  double bad_requests = 0;
  for (const auto& [name, labels] : Samples(text)) {
    if (name == "nfmetrics_http_requests_total" && labels.at("code") == "400") {
      bad_requests += SampleValue(text, name, labels).value_or(0);
    }
  }
  EXPECT_EQ(bad_requests, 1);
}

TEST_F(SelfMetricsOverEngine, WritesOneAccessLogLinePerRequestWithItsFields) {
  HttpResponse miss =
      HttpRequest("127.0.0.1", api_.port(), "GET", MetricTarget(), "", {{"X-Request-Id", "first"}});
  HttpResponse hit = HttpRequest("127.0.0.1", api_.port(), "GET", MetricTarget(), "",
                                 {{"X-Request-Id", "second"}});
  HttpResponse missing = Get("127.0.0.1", api_.port(), "/no/such/thing");
  ASSERT_EQ(hit.Header("x-cache"), "hit");
  std::vector<std::string> lines = access_log_->WaitForLines(3);
  ASSERT_EQ(lines.size(), 3u);

  std::map<std::string, rapidjson::Document> by_id;
  for (const std::string& text : lines) {
    rapidjson::Document line;
    line.Parse(text.c_str());
    ASSERT_FALSE(line.HasParseError()) << text;
    ASSERT_TRUE(line.IsObject()) << text;
    for (const char* key : {"time", "request_id", "method", "route", "target"}) {
      ASSERT_TRUE(line.HasMember(key) && line[key].IsString()) << key << " in " << text;
    }
    ASSERT_TRUE(line.HasMember("status") && line["status"].IsUint()) << text;
    ASSERT_TRUE(line.HasMember("duration_ms") && line["duration_ms"].IsNumber()) << text;
    ASSERT_TRUE(line.HasMember("bytes_sent") && line["bytes_sent"].IsUint64()) << text;
    EXPECT_GE(line["duration_ms"].GetDouble(), 0) << text;
    by_id[line["request_id"].GetString()] = std::move(line);
  }
  ASSERT_EQ(by_id.count("first"), 1u);
  const rapidjson::Document& first = by_id["first"];
  EXPECT_STREQ(first["method"].GetString(), "GET");
  EXPECT_STREQ(first["route"].GetString(), "metric");
  EXPECT_EQ(std::string(first["target"].GetString()), MetricTarget());
  EXPECT_EQ(first["status"].GetUint(), 200u);
  EXPECT_STREQ(first["cache"].GetString(), "miss");
  EXPECT_GT(first["bytes_sent"].GetUint64(), miss.body.size());  // the headers too
  ASSERT_EQ(by_id.count("second"), 1u);
  EXPECT_STREQ(by_id["second"]["cache"].GetString(), "hit");
  EXPECT_GT(by_id["second"]["bytes_sent"].GetUint64(), hit.body.size());
  const std::string generated = missing.Header("x-request-id");
  ASSERT_EQ(by_id.count(generated), 1u) << generated;
  const rapidjson::Document& not_found = by_id[generated];
  EXPECT_STREQ(not_found["route"].GetString(), "none");
  EXPECT_EQ(not_found["status"].GetUint(), 404u);
  EXPECT_FALSE(not_found.HasMember("cache"));
}

TEST_F(SelfMetricsOverEngine, LogsALongTargetCutToTwoKibibytes) {
  const std::string target = "/nope?x=" + std::string(6000, 'y');
  EXPECT_EQ(Get("127.0.0.1", api_.port(), target).status, 404);
  std::vector<std::string> lines = access_log_->WaitForLines(1);
  ASSERT_EQ(lines.size(), 1u);
  rapidjson::Document line;
  line.Parse(lines[0].c_str());
  ASSERT_FALSE(line.HasParseError()) << lines[0];
  EXPECT_EQ(std::string(line["target"].GetString()), target.substr(0, 2048));
}

TEST_F(SelfMetricsOverEngine, TheAccessLoggerCanBeSilencedAlone) {
  spdlog::get("access")->set_level(spdlog::level::warn);
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/healthz").status, 200);
  std::this_thread::sleep_for(200ms);  // the line would be written right after the answer
  EXPECT_TRUE(access_log_->Lines().empty());
  spdlog::get("access")->set_level(spdlog::level::info);
  HttpResponse logged = Get("127.0.0.1", api_.port(), "/healthz");
  std::vector<std::string> lines = access_log_->WaitForLines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(logged.Header("x-request-id")), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace nfmetrics::testing
