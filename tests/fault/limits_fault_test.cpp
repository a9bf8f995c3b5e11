// What one request may ask for (--max-range, --max-points-per-series, --max-series) and how often
// a caller may ask (--rate-limit), through the real server: the pinned errors, with the parameter
// or the wait named, and the engine not asked when the request is refused up front.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

// A matrix of `count` pods' series.
std::string Matrix(int count) {
  std::string series;
  for (int i = 0; i < count; ++i) {
    if (i > 0) series += ",";
    series += fmt::format(R"({{"metric":{{"pod":"orders-mv-{}-aaaaa"}},)"
                          R"("values":[[1795467600,"250000"],[1795467660,"260000"]]}})",
                          i);
  }
  return fmt::format(R"({{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}})",
                     series);
}

const std::string kQuery =
    "/api/v1/metrics/sink-latency?namespace=payments&mvtx=orders&start=1795467600"
    "&end=1795471200&step=1m&group_by=pod";

const std::string kProxyBody =
    R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",)"
    R"("dimension":"pod","quantile":"0.99","duration":"1m","start_time":"2026-11-23T10:00:00Z",)"
    R"("end_time":"2026-11-23T11:00:00Z","filters":{"namespace":"payments","mvtx_name":"orders"}})";

struct Answer {
  int status = 0;
  std::string body;
  std::string retry_after;
  rapidjson::Document doc;

  std::string Code() const {
    return doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject()
               ? doc["error"]["code"].GetString()
               : "";
  }
  std::string Param() const {
    return doc.IsObject() && doc.HasMember("error") && doc["error"].HasMember("param")
               ? doc["error"]["param"].GetString()
               : "";
  }
};

Answer Send(unsigned short port, const std::string& method, const std::string& target,
            const std::string& body = "", const std::string& token = "") {
  std::vector<std::pair<std::string, std::string>> headers = {{"content-type", "application/json"}};
  if (!token.empty()) headers.emplace_back("authorization", "Bearer " + token);
  HttpResponse response = HttpRequest("127.0.0.1", port, method, target, body, headers, 10s);
  Answer answer;
  answer.status = response.status;
  answer.body = response.body;
  answer.retry_after = response.Header("retry-after");
  answer.doc.Parse(answer.body.c_str());
  EXPECT_FALSE(answer.doc.HasParseError()) << target << ": " << answer.body;
  return answer;
}

TEST(SeriesLimit, MoreSeriesThanMaxSeriesIs422NeverACutChart) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(Matrix(5)); });
  InProcessOptions options;
  options.limits.max_series = 4;
  InProcessApi api(upstream.base_url(), options);

  Answer refused = Send(api.port(), "GET", kQuery);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Code(), "too_many_series");
  EXPECT_NE(refused.body.find("5 series"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("at most 4"), std::string::npos) << refused.body;

  // NumaFlow's proxy too, in its own error shape.
  Answer proxy = Send(api.port(), "POST", "/api/v1/metrics-proxy", kProxyBody);
  EXPECT_EQ(proxy.status, 422) << proxy.body;
  ASSERT_TRUE(proxy.doc.IsObject() && proxy.doc.HasMember("errMsg")) << proxy.body;
  EXPECT_NE(std::string(proxy.doc["errMsg"].GetString()).find("at most 4"), std::string::npos);
}

TEST(SeriesLimit, AsManySeriesAsMaxSeriesAreServed) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(Matrix(4)); });
  InProcessOptions options;
  options.limits.max_series = 4;
  InProcessApi api(upstream.base_url(), options);
  Answer answer = Send(api.port(), "GET", kQuery);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.doc["data"]["series"].Size(), 4u);
}

TEST(RangeLimit, ARangeBeyondMaxRangeIsRefusedBeforeAskingTheEngine) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(Matrix(1)); });
  InProcessOptions options;
  options.limits.max_range = 2h;
  InProcessApi api(upstream.base_url(), options);
  Answer refused = Send(api.port(), "GET",
                        "/api/v1/metrics/sink-latency?namespace=payments&mvtx=orders"
                        "&start=1795467600&end=1795474801");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.Code(), "bad_request");
  EXPECT_EQ(refused.Param(), "start");
  EXPECT_NE(refused.body.find("at most 2h"), std::string::npos) << refused.body;
  EXPECT_TRUE(upstream.requests().empty());

  Answer proxy = Send(api.port(), "POST", "/api/v1/metrics-proxy",
                      R"({"pattern_name":"mono_vertex_histogram",)"
                      R"("metric_name":"monovtx_sink_time_bucket","dimension":"pod",)"
                      R"("quantile":"0.99","duration":"1m","start_time":"2026-11-20T10:00:00Z",)"
                      R"("end_time":"2026-11-23T11:00:00Z",)"
                      R"("filters":{"namespace":"payments","mvtx_name":"orders"}})");
  EXPECT_EQ(proxy.status, 400) << proxy.body;
  EXPECT_TRUE(upstream.requests().empty());
}

TEST(RateLimit, EachTokenGetsItsOwnBucketAnd429WithRetryAfterBeyondIt) {
  const std::string payments = "payments-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const std::string admin = "admin-00112233445566778899aabbccddeeff";
  Result<service::AccessTokens> tokens = service::LoadAccessTokens(
      fmt::format("tokens:\n"
                  "  - name: payments-team\n    sha256: \"{}\"\n    namespaces: [payments]\n"
                  "  - name: admin\n    sha256: \"{}\"\n    namespaces: [\"*\"]\n",
                  service::Sha256Hex(payments), service::Sha256Hex(admin)),
      "test-tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  http::AuthConfig auth{.tokens = std::move(tokens).value()};
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(Matrix(1)); });
  InProcessOptions options;
  options.auth = &auth;
  options.rate_limit = 0.2;  // one token back every 5 s: none comes back during the test
  options.rate_burst = 3;
  InProcessApi api(upstream.base_url(), options);

  for (int i = 0; i < 3; ++i) {
    Answer ok = Send(api.port(), "GET", kQuery, "", payments);
    EXPECT_EQ(ok.status, 200) << i << ": " << ok.body;
  }
  const std::size_t asked = upstream.requests().size();
  Answer limited = Send(api.port(), "GET", kQuery, "", payments);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Code(), "rate_limited");
  EXPECT_EQ(limited.retry_after, "5");
  EXPECT_NE(limited.body.find("payments-team"), std::string::npos) << limited.body;
  EXPECT_EQ(limited.body.find(payments), std::string::npos) << "the secret is never echoed";
  EXPECT_EQ(upstream.requests().size(), asked) << "a limited request never reaches the engine";

  Answer proxy = Send(api.port(), "POST", "/api/v1/metrics-proxy", kProxyBody, payments);
  EXPECT_EQ(proxy.status, 429) << proxy.body;
  EXPECT_TRUE(proxy.doc.IsObject() && proxy.doc.HasMember("errMsg")) << proxy.body;

  // Another token has its own bucket; the probes are never limited.
  EXPECT_EQ(Send(api.port(), "GET", kQuery, "", admin).status, 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Send(api.port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace nfmetrics::testing
