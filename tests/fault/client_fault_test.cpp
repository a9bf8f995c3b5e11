// BeastClient against FakeUpstream: the wire format it sends, connection reuse, and how every
// upstream failure (refused, slow, truncated, garbage, Prometheus errors) maps to an ErrorCode.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "nfmetrics/prometheus/beast_client.hpp"
#include "support/fake_upstream.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::FakeUpstream;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::Reply;

constexpr const char* kMatrixBody =
    R"({"status":"success","data":{"resultType":"matrix",)"
    R"("result":[{"metric":{"pod":"p-0"},"values":[[1795467600,"0.25"]]}]}})";

Reply MatrixReply(const RecordedRequest&) { return Reply::Json(kMatrixBody); }

RangeQuery SimpleQuery() {
  return RangeQuery{"up", TimePoint(1795467600000ms), TimePoint(1795471200000ms), 60000ms};
}

constexpr const char* kLabelValuesBody = R"({"status":"success","data":["p-1","p-0"]})";

LabelValuesQuery PodValuesQuery() {
  return LabelValuesQuery{
      "pod",
      {R"(monovtx_sink_time_count{namespace="default",mvtx_name="a+b"})", R"(up{pod=~"x.*"})"},
      TimePoint(1795467600250ms),
      TimePoint(1795471200000ms)};
}

template <class T>
asio::awaitable<void> StoreResult(asio::awaitable<T> operation, std::optional<T>* out) {
  out->emplace(co_await std::move(operation));
}

// Starts a client call on `io`; `out` is filled when it completes. (Not asio::use_future: that
// needs a default-constructible result, and Result<T> has none.)
template <class T>
void Spawn(asio::io_context& io, asio::awaitable<T> operation, std::optional<T>& out) {
  asio::co_spawn(io, StoreResult(std::move(operation), &out), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
}

// Runs one client call to completion on `io` and returns its result.
template <class T>
T RunToCompletion(asio::io_context& io, asio::awaitable<T> operation) {
  std::optional<T> out;
  Spawn(io, std::move(operation), out);
  io.restart();
  io.run();
  EXPECT_TRUE(out.has_value());
  return std::move(*out);
}

class BeastClient : public ::testing::Test {
 protected:
  std::unique_ptr<Client> MakeClient(std::string base_url, Duration timeout = 5s) {
    BeastClientOptions options;
    options.transport.base_url = std::move(base_url);
    options.transport.timeout = timeout;
    return MakeClientWith(std::move(options));
  }

  std::unique_ptr<Client> MakeClientWith(BeastClientOptions options) {
    auto client = MakeBeastClient(io_.get_executor(), std::move(options));
    EXPECT_TRUE(client.ok()) << client.error().message;
    return std::move(client).value();
  }

  Result<Matrix> Query(Client& client, RangeQuery query = SimpleQuery()) {
    return RunToCompletion(io_, client.QueryRange(query));
  }

  // The query is held here: the client's coroutine keeps a reference to it until it completes.
  Result<std::vector<std::string>> LabelValues(Client& client,
                                               LabelValuesQuery query = PodValuesQuery()) {
    return RunToCompletion(io_, client.LabelValues(query));
  }

  asio::io_context io_;
};

// A port nobody listens on: bound once to get a free number, then released.
unsigned short UnusedPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  unsigned short port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

TEST_F(BeastClient, PostsFormEncodedQueryRangeUnderThePathPrefix) {
  FakeUpstream fake(MatrixReply);
  auto client = MakeClient(fake.base_url() + "/select/0/prometheus/");
  RangeQuery query{R"(sum(rate(x{pod="a b"}[1m])) + 1)", TimePoint(1795467600500ms),
                   TimePoint(1795471200000ms), 500ms};

  auto result = Query(*client, query);

  ASSERT_TRUE(result.ok()) << result.error().message;
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/select/0/prometheus/api/v1/query_range");
  EXPECT_EQ(request.Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(request.Header("accept"), "application/json");
  EXPECT_EQ(request.Header("user-agent"), "nfmetrics/0.1");
  EXPECT_EQ(request.Header("host"), "127.0.0.1:" + std::to_string(fake.port()));
  // '+' must be percent-encoded: a form decoder reads a bare '+' as a space.
  EXPECT_EQ(request.body,
            "query=sum%28rate%28x%7Bpod%3D%22a%20b%22%7D%5B1m%5D%29%29%20%2B%201"
            "&start=1795467600.5&end=1795471200&step=0.5");
}

TEST_F(BeastClient, ReturnsTheParsedMatrix) {
  FakeUpstream fake(MatrixReply);
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->series.size(), 1u);
  EXPECT_EQ(result->series[0].labels, (Labels{{"pod", "p-0"}}));
  ASSERT_EQ(result->series[0].samples.size(), 1u);
  EXPECT_DOUBLE_EQ(result->series[0].samples[0].value, 0.25);
  EXPECT_EQ(fake.requests().at(0).target, "/api/v1/query_range");
  EXPECT_EQ(fake.requests().at(0).body, "query=up&start=1795467600&end=1795471200&step=60");
}

TEST_F(BeastClient, ReusesKeepAliveConnection) {
  FakeUpstream fake(MatrixReply);
  auto client = MakeClient(fake.base_url());

  ASSERT_TRUE(Query(*client).ok());
  ASSERT_TRUE(Query(*client).ok());

  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(fake.accepted_connections(), 1);
}

TEST_F(BeastClient, DoesNotReuseConnectionTheServerAskedToClose) {
  FakeUpstream fake([](const RecordedRequest&) {
    Reply reply = Reply::Json(kMatrixBody);
    reply.keep_alive = false;
    return reply;
  });
  auto client = MakeClient(fake.base_url());

  ASSERT_TRUE(Query(*client).ok());
  ASSERT_TRUE(Query(*client).ok());

  EXPECT_EQ(fake.accepted_connections(), 2);
}

TEST_F(BeastClient, RetriesStalePooledConnectionTransparently) {
  FakeUpstream fake([](const RecordedRequest&) {
    Reply reply = Reply::Json(kMatrixBody);
    reply.close_after = true;  // keep-alive announced, then closed as by an idle timeout
    return reply;
  });
  auto client = MakeClient(fake.base_url());
  ASSERT_TRUE(Query(*client).ok());
  ASSERT_TRUE(fake.WaitForClosedConnections(1, 2s));

  auto second = Query(*client);

  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(fake.accepted_connections(), 2);
}

TEST_F(BeastClient, KeepsAtMostMaxIdleConnections) {
  FakeUpstream fake(MatrixReply);
  BeastClientOptions options;
  options.transport.base_url = fake.base_url();
  options.transport.max_idle_connections = 0;
  auto client = MakeClientWith(options);

  ASSERT_TRUE(Query(*client).ok());
  ASSERT_TRUE(Query(*client).ok());

  EXPECT_EQ(fake.accepted_connections(), 2);
}

TEST_F(BeastClient, ConcurrentRequestsUseSeparateConnections) {
  FakeUpstream fake(
      [](const RecordedRequest&) { return Reply::Json(kMatrixBody).WithDelay(100ms); });
  auto client = MakeClient(fake.base_url());
  RangeQuery query = SimpleQuery();

  std::optional<Result<Matrix>> first, second, third, fourth;

  Spawn(io_, client->QueryRange(query), first);
  Spawn(io_, client->QueryRange(query), second);
  io_.run();

  ASSERT_TRUE(first && first->ok());
  ASSERT_TRUE(second && second->ok());
  EXPECT_EQ(fake.accepted_connections(), 2);
  // Both went back to the pool, so a second round needs no new connection.
  Spawn(io_, client->QueryRange(query), third);
  Spawn(io_, client->QueryRange(query), fourth);
  io_.restart();
  io_.run();
  ASSERT_TRUE(third && third->ok());
  ASSERT_TRUE(fourth && fourth->ok());
  EXPECT_EQ(fake.accepted_connections(), 2);
}

TEST_F(BeastClient, RefusedConnectionIsUpstreamUnavailable) {
  auto client = MakeClient("http://127.0.0.1:" + std::to_string(UnusedPort()));

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_THAT(result.error().message, HasSubstr("cannot reach Prometheus at http://127.0.0.1:"));
  EXPECT_THAT(result.error().message, HasSubstr("connection refused"));
}

TEST_F(BeastClient, ConnectionClosedWithoutResponseIsUpstreamUnavailable) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::CloseWithoutResponse(); });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  // A fresh connection is not retried.
  EXPECT_EQ(fake.accepted_connections(), 1);
}

TEST_F(BeastClient, PlainTextHttp500IsUpstreamError) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Text("internal meltdown\n", 500); });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, "Prometheus answered HTTP 500: internal meltdown");
}

TEST_F(BeastClient, PrometheusErrorBodyIsUpstreamErrorWithItsText) {
  FakeUpstream fake([](const RecordedRequest&) {
    return Reply::Json(
        R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"})", 400);
  });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message,
              HasSubstr("Prometheus error (bad_data): 1:5: parse error: unexpected"));
}

TEST_F(BeastClient, InvalidJsonIsUpstreamError) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Json("{\"status\":\"succ"); });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("invalid response"));
}

TEST_F(BeastClient, TruncatedBodyIsUpstreamError) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Truncated(kMatrixBody, 20); });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("incomplete or malformed HTTP response"));
}

TEST_F(BeastClient, GarbageInsteadOfHttpIsUpstreamError) {
  FakeUpstream fake(
      [](const RecordedRequest&) { return Reply::Raw("SSH-2.0-OpenSSH_9.2\r\n\r\n"); });
  auto client = MakeClient(fake.base_url());

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
}

TEST_F(BeastClient, ResponseOverTheSizeLimitIsUpstreamError) {
  FakeUpstream fake(MatrixReply);
  BeastClientOptions options;
  options.transport.base_url = fake.base_url();
  options.transport.max_response_bytes = 16;
  auto client = MakeClientWith(options);

  auto result = Query(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("more than 16 bytes"));
}

TEST_F(BeastClient, SlowUpstreamTimesOutAtTheDeadline) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Json(kMatrixBody).WithDelay(3s); });
  auto client = MakeClient(fake.base_url(), 300ms);

  auto started = std::chrono::steady_clock::now();
  auto result = Query(*client);
  auto elapsed = std::chrono::steady_clock::now() - started;

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_THAT(result.error().message, HasSubstr("did not answer within 300ms"));
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1500ms);
}

TEST_F(BeastClient, CheckReadySendsInstantQueryAndSucceeds) {
  FakeUpstream fake([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]}})");
  });
  auto client = MakeClient(fake.base_url() + "/prefix");

  Status status = RunToCompletion(io_, client->CheckReady());

  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].method, "GET");
  EXPECT_EQ(fake.requests()[0].target, "/prefix/api/v1/query?query=1");
}

TEST_F(BeastClient, CheckReadyFailsWhenPrometheusIsNotReady) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Text("Service Unavailable", 503); });
  auto client = MakeClient(fake.base_url());

  Status status = RunToCompletion(io_, client->CheckReady());

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(status.error().message, HasSubstr("HTTP 503"));
}

TEST_F(BeastClient, CheckReadyFailsWhenPrometheusIsUnreachable) {
  auto client = MakeClient("http://127.0.0.1:" + std::to_string(UnusedPort()));

  Status status = RunToCompletion(io_, client->CheckReady());

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST_F(BeastClient, RejectsUnusableBaseUrls) {
  const char* bad_urls[] = {
      "ftp://prometheus",
      "https://user:pw@h:9090",
      "prometheus:9090",
      "not a url",
      "http://",
      "http:///api",
      "http://h:9090/?x=1",
      "http://h:9090/#fragment",
      "http://user:pw@h:9090",
      "http://h:99999",
  };
  for (const char* url : bad_urls) {
    BeastClientOptions options;
    options.transport.base_url = url;
    auto client = MakeBeastClient(io_.get_executor(), options);
    ASSERT_FALSE(client.ok()) << url;
    EXPECT_EQ(client.error().code, ErrorCode::kBadRequest) << url;
    EXPECT_EQ(client.error().param, "prometheus-url") << url;
  }
}

TEST_F(BeastClient, AcceptsHttpAndHttpsUrlsWithAndWithoutPortAndPrefix) {
  for (const char* url :
       {"http://prometheus", "http://prometheus:9090/", "http://vm:8481/select/0/prometheus",
        "http://[::1]:9090", "https://prometheus", "https://thanos:10902/prefix"}) {
    BeastClientOptions options;
    options.transport.base_url = url;
    auto client = MakeBeastClient(io_.get_executor(), options);
    EXPECT_TRUE(client.ok()) << url << ": " << client.error().message;
  }
}

TEST_F(BeastClient, LabelValuesGetsTheLabelPathUnderThePrefixWithRepeatedMatchers) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Json(kLabelValuesBody); });
  auto client = MakeClient(fake.base_url() + "/select/0/prometheus/");

  auto result = LabelValues(*client);

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, (std::vector<std::string>{"p-0", "p-1"}));
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& request = requests[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target,
            "/select/0/prometheus/api/v1/label/pod/values"
            "?match%5B%5D=monovtx_sink_time_count%7Bnamespace%3D%22default%22%2C"
            "mvtx_name%3D%22a%2Bb%22%7D"
            "&match%5B%5D=up%7Bpod%3D~%22x.%2A%22%7D"
            "&start=1795467600.25&end=1795471200");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(request.Header("accept"), "application/json");
  EXPECT_EQ(request.Header("host"), "127.0.0.1:" + std::to_string(fake.port()));
}

TEST_F(BeastClient, LabelValuesWithoutMatchersSendsOnlyTheRange) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Json(kLabelValuesBody); });
  auto client = MakeClient(fake.base_url());

  auto result = LabelValues(*client, {"mvtx_name", {}, TimePoint(0ms), TimePoint(1000ms)});

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(fake.requests().at(0).target, "/api/v1/label/mvtx_name/values?start=0&end=1");
}

TEST_F(BeastClient, LabelValuesSharesTheConnectionPoolWithQueryRange) {
  FakeUpstream fake([](const RecordedRequest& request) {
    return Reply::Json(request.target.find("/label/") != std::string::npos ? kLabelValuesBody
                                                                           : kMatrixBody);
  });
  auto client = MakeClient(fake.base_url());

  ASSERT_TRUE(Query(*client).ok());
  ASSERT_TRUE(LabelValues(*client).ok());

  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_EQ(fake.accepted_connections(), 1);
}

TEST_F(BeastClient, LabelValuesRejectsInvalidLabelNamesWithoutARequest) {
  FakeUpstream fake([](const RecordedRequest&) { return Reply::Json(kLabelValuesBody); });
  auto client = MakeClient(fake.base_url());

  for (const char* label : {"", "0pod", "pod/../../query", "po-d", "pod?x=1", "pöd", "le "}) {
    LabelValuesQuery query = PodValuesQuery();
    query.label = label;
    auto result = LabelValues(*client, query);
    ASSERT_FALSE(result.ok()) << label;
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest) << label;
    EXPECT_EQ(result.error().param, "label") << label;
  }
  EXPECT_EQ(fake.requests().size(), 0u);
  for (const char* label : {"_", "__name__", "mvtx_name", "Pod9"}) {
    LabelValuesQuery query = PodValuesQuery();
    query.label = label;
    EXPECT_TRUE(LabelValues(*client, query).ok()) << label;
  }
}

TEST_F(BeastClient, LabelValuesPrometheusErrorIsUpstreamErrorWithItsText) {
  FakeUpstream fake([](const RecordedRequest&) {
    return Reply::Json(
        R"({"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input inside braces"})",
        400);
  });
  auto client = MakeClient(fake.base_url());

  auto result = LabelValues(*client);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message,
            "Prometheus error (bad_data): 1:4: parse error: unexpected end of input inside braces");
}

TEST_F(BeastClient, LabelValuesMapsTransportFailuresLikeQueryRange) {
  {
    auto client = MakeClient("http://127.0.0.1:" + std::to_string(UnusedPort()));
    auto result = LabelValues(*client);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  }
  {
    FakeUpstream fake(
        [](const RecordedRequest&) { return Reply::Json(kLabelValuesBody).WithDelay(3s); });
    auto client = MakeClient(fake.base_url(), 300ms);
    auto result = LabelValues(*client);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  }
  {
    FakeUpstream fake(
        [](const RecordedRequest&) { return Reply::Truncated(kLabelValuesBody, 10); });
    auto client = MakeClient(fake.base_url());
    auto result = LabelValues(*client);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  }
  {
    FakeUpstream fake(
        [](const RecordedRequest&) { return Reply::Text("Method Not Allowed", 405); });
    auto client = MakeClient(fake.base_url());
    auto result = LabelValues(*client);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
    EXPECT_EQ(result.error().message, "Prometheus answered HTTP 405: Method Not Allowed");
  }
}

}  // namespace
}  // namespace nfmetrics::prometheus

namespace nfmetrics::prometheus {
namespace {

std::unique_ptr<Client> CappedClient(asio::io_context& io, const std::string& url,
                                     std::size_t max_connections, Duration timeout) {
  BeastClientOptions options;
  options.transport.base_url = url;
  options.transport.timeout = timeout;
  options.transport.max_connections = max_connections;
  auto client = MakeBeastClient(io.get_executor(), options);
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

TEST(BeastClientConnectionCap, NoMoreConnectionsThanTheCapAndTheRestWait) {
  FakeUpstream upstream(
      [](const RecordedRequest&) { return Reply::Json(kMatrixBody).WithDelay(100ms); });
  asio::io_context io;
  auto client = CappedClient(io, upstream.base_url(), 2, 5s);
  const RangeQuery query = SimpleQuery();
  std::vector<std::optional<Result<Matrix>>> results(6);
  auto started = std::chrono::steady_clock::now();
  for (auto& result : results) Spawn(io, client->QueryRange(query), result);
  io.run();
  auto elapsed = std::chrono::steady_clock::now() - started;
  for (const auto& result : results) {
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok()) << result->error().message;
  }
  EXPECT_EQ(upstream.accepted_connections(), 2);  // reused, never more than the cap
  EXPECT_GE(elapsed, 290ms);                      // three rounds of two
  EXPECT_EQ(upstream.requests().size(), 6u);
}

TEST(BeastClientConnectionCap, WaitingForAConnectionCountsAgainstTheDeadline) {
  FakeUpstream upstream(
      [](const RecordedRequest&) { return Reply::Json(kMatrixBody).WithDelay(400ms); });
  asio::io_context io;
  auto client = CappedClient(io, upstream.base_url(), 1, 600ms);
  const RangeQuery query = SimpleQuery();
  std::vector<std::optional<Result<Matrix>>> results(3);
  for (auto& result : results) Spawn(io, client->QueryRange(query), result);
  io.run();
  int ok = 0;
  int timed_out = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.has_value());
    if (result->ok()) ++ok;
    if (!result->ok() && result->error().code == ErrorCode::kUpstreamTimeout) ++timed_out;
  }
  EXPECT_EQ(ok, 1);  // the second would be answered at 800 ms, the third at 1200 ms
  EXPECT_EQ(timed_out, 2);
  // Had the wait not counted, the third would have had a fresh 600 ms from its permit (at 600 ms)
  // and been answered at 1000 ms: ok would be 2. It may still open a connection when its deadline
  // is a hair later than the second's (they are taken at spawn), so at most one more is accepted.
  EXPECT_LE(upstream.accepted_connections(), 2);
  // The permits all came back: the next request goes through.
  auto next = RunToCompletion(io, client->QueryRange(query));
  EXPECT_TRUE(next.ok()) << next.error().message;
}

}  // namespace
}  // namespace nfmetrics::prometheus
