// The API over a misbehaving upstream: each fault gets its pinned error, and the server keeps
// serving.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <chrono>
#include <string>

#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kQuery =
    "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=1795467600&end=1795471200&step=1m";

const std::string kGoodBody = R"({"status":"success","data":{"resultType":"matrix","result":[
  {"metric":{"pod":"mv-mv-1-bbbbb"},"values":[[1795467600,"0.25"],[1795467660,"NaN"]]},
  {"metric":{"pod":"mv-mv-0-aaaaa"},"values":[[1795467600,"1e-3"],[1795467660,"+Inf"]]}]},
  "warnings":["from upstream"]})";

struct Answer {
  int status = 0;
  rapidjson::Document doc;
  std::string body;
  std::string allow;
};

Answer Call(unsigned short port, const std::string& target, const std::string& method = "GET") {
  HttpResponse response = HttpRequest("127.0.0.1", port, method, target, "", {}, 10s);
  Answer answer;
  answer.status = response.status;
  answer.body = response.body;
  answer.allow = response.Header("allow");
  answer.doc.Parse<rapidjson::kParseFullPrecisionFlag>(answer.body.c_str());
  EXPECT_FALSE(answer.doc.HasParseError()) << answer.body;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  return answer;
}

void ExpectError(const Answer& answer, int status, const std::string& code) {
  EXPECT_EQ(answer.status, status) << answer.body;
  ASSERT_TRUE(answer.doc.IsObject()) << answer.body;
  EXPECT_STREQ(answer.doc["status"].GetString(), "error");
  EXPECT_EQ(std::string(answer.doc["error"]["code"].GetString()), code) << answer.body;
  EXPECT_TRUE(answer.doc["error"]["message"].IsString());
}

class ApiOverFakeUpstream : public ::testing::Test {
 protected:
  ApiOverFakeUpstream()
      : upstream_([](const RecordedRequest&) { return Reply::Json(kGoodBody); }),
        api_(upstream_.base_url() + "/select/0/prometheus", 700ms) {}

  // After a fault the same server still answers, and a healthy upstream gives a 200 again.
  void ExpectStillServing() {
    EXPECT_EQ(Get("127.0.0.1", api_.port(), "/healthz").status, 200);
    upstream_.SetHandler([](const RecordedRequest&) { return Reply::Json(kGoodBody); });
    EXPECT_EQ(Call(api_.port(), kQuery).status, 200);
  }

  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(ApiOverFakeUpstream, SendsThePlannedQueryUnderThePathPrefix) {
  Answer answer = Call(api_.port(), std::string(kQuery) + "&group_by=pod&pod=mv-mv-0-aaaaa");
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/select/0/prometheus/api/v1/query_range");
  std::map<std::string, std::string> form;
  for (const auto& p : boost::urls::params_view(requests[0].body)) form[p.key] = p.value;
  EXPECT_EQ(
      form["query"],
      "histogram_quantile(0.95, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\",pod=\"mv-mv-0-aaaaa\"}[5m]))) / 1e6");
  EXPECT_EQ(std::stod(form["start"]), 1795467600);
  EXPECT_EQ(std::stod(form["end"]), 1795471200);
  EXPECT_EQ(std::stod(form["step"]), 60);
}

TEST_F(ApiOverFakeUpstream, ShapesTheUpstreamAnswer) {
  Answer answer = Call(api_.port(), kQuery);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& series = answer.doc["data"]["series"];
  ASSERT_EQ(series.Size(), 2u);
  EXPECT_STREQ(series[0]["labels"]["pod"].GetString(), "mv-mv-0-aaaaa");  // sorted
  EXPECT_DOUBLE_EQ(series[0]["points"][0][1].GetDouble(), 0.001);
  EXPECT_TRUE(series[0]["points"][1][1].IsNull());  // +Inf
  EXPECT_DOUBLE_EQ(series[1]["points"][0][1].GetDouble(), 0.25);
  EXPECT_TRUE(series[1]["points"][1][1].IsNull());  // NaN
  ASSERT_EQ(answer.doc["warnings"].Size(), 1u);
  EXPECT_STREQ(answer.doc["warnings"][0].GetString(), "from upstream");
}

TEST_F(ApiOverFakeUpstream, RefusedConnectionIsUpstreamUnavailable) {
  unsigned short dead_port = 0;
  {
    FakeUpstream doomed([](const RecordedRequest&) { return Reply::Json(kGoodBody); });
    dead_port = doomed.port();
  }
  InProcessApi api("http://127.0.0.1:" + std::to_string(dead_port), 2s);
  ExpectError(Call(api.port(), kQuery), 502, "upstream_unavailable");
  EXPECT_EQ(Get("127.0.0.1", api.port(), "/healthz").status, 200);
  ExpectError(Call(api.port(), "/readyz"), 503, "upstream_unavailable");
}

TEST_F(ApiOverFakeUpstream, Http500IsUpstreamError) {
  upstream_.SetHandler(
      [](const RecordedRequest&) { return Reply::Text("internal server error", 500); });
  ExpectError(Call(api_.port(), kQuery), 502, "upstream_error");
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, PrometheusErrorIsUpstreamErrorWithItsOwnText) {
  upstream_.SetHandler([](const RecordedRequest&) {
    return Reply::Json(
        R"({"status":"error","errorType":"execution","error":"query processing would load too many samples"})",
        422);
  });
  Answer answer = Call(api_.port(), kQuery);
  ExpectError(answer, 502, "upstream_error");
  EXPECT_NE(std::string(answer.doc["error"]["message"].GetString()).find("too many samples"),
            std::string::npos);
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, InvalidJsonIsUpstreamError) {
  upstream_.SetHandler(
      [](const RecordedRequest&) { return Reply::Json("{\"status\":\"success\",\"data\":[oops"); });
  ExpectError(Call(api_.port(), kQuery), 502, "upstream_error");
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, TruncatedBodyIsUpstreamError) {
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::Truncated(kGoodBody, 40); });
  ExpectError(Call(api_.port(), kQuery), 502, "upstream_error");
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, ConnectionClosedWithoutAnswerIsUpstreamUnavailable) {
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::CloseWithoutResponse(); });
  ExpectError(Call(api_.port(), kQuery), 502, "upstream_unavailable");
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, SlowUpstreamIsATimeoutAnsweredAtTheDeadline) {
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::Json(kGoodBody).WithDelay(3s); });
  auto started = std::chrono::steady_clock::now();
  Answer answer = Call(api_.port(), kQuery);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ExpectError(answer, 504, "upstream_timeout");
  EXPECT_GE(elapsed, 650ms);   // not before the configured 700ms
  EXPECT_LT(elapsed, 1500ms);  // and not when the upstream finally answers (3s)
  ExpectStillServing();
}

TEST_F(ApiOverFakeUpstream, ReadyzFollowsTheUpstream) {
  upstream_.SetHandler([](const RecordedRequest&) {
    return Reply::Json(
        R"({"status":"success","data":{"resultType":"scalar","result":[1795467600,"1"]}})");
  });
  EXPECT_EQ(Call(api_.port(), "/readyz").status, 200);
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::Text("down", 503); });
  ExpectError(Call(api_.port(), "/readyz"), 503, "upstream_error");
}

TEST_F(ApiOverFakeUpstream, BadParametersNeverReachTheUpstream) {
  Answer answer = Call(api_.port(), "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&step=0");
  ExpectError(answer, 400, "bad_request");
  EXPECT_STREQ(answer.doc["error"]["param"].GetString(), "step");
  answer =
      Call(api_.port(),
           "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&pod=x%22%7D%20or%20vector(1)%20%23");
  ExpectError(answer, 400, "bad_request");
  EXPECT_STREQ(answer.doc["error"]["param"].GetString(), "pod");
  answer = Call(api_.port(),
                "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=0&end=86400&step=1s");
  ExpectError(answer, 400, "bad_request");  // 86401 points
  EXPECT_STREQ(answer.doc["error"]["param"].GetString(), "step");
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(ApiOverFakeUpstream, RawOrBrokenCharactersInTheQueryNameTheirParameter) {
  Answer answer = Call(api_.port(), "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&pod=a|b");
  ExpectError(answer, 400, "bad_request");
  EXPECT_STREQ(answer.doc["error"]["param"].GetString(), "pod");
  answer = Call(api_.port(), "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=%");
  ExpectError(answer, 400, "bad_request");
  EXPECT_STREQ(answer.doc["error"]["param"].GetString(), "start");
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(ApiOverFakeUpstream, AbsoluteFormTargetIsServed) {
  EXPECT_EQ(Call(api_.port(), "http://127.0.0.1/healthz").status, 200);
}

TEST_F(ApiOverFakeUpstream, UnknownPathIsNotFoundAndOtherMethodsAreNotAllowed) {
  ExpectError(Call(api_.port(), "/api/v1/metrics/nope"), 404, "not_found");
  ExpectError(Call(api_.port(), "/api"), 404, "not_found");
  ExpectError(Call(api_.port(), "/nope"), 404, "not_found");
  Answer answer = Call(api_.port(), kQuery, "POST");
  ExpectError(answer, 405, "method_not_allowed");
  EXPECT_EQ(answer.allow, "GET");
  ExpectError(Call(api_.port(), "/healthz", "DELETE"), 405, "method_not_allowed");
}

TEST_F(ApiOverFakeUpstream, MalformedHttpIsABadRequestNotACrash) {
  // Raw bytes that are not HTTP; the server answers 400 or closes, then keeps serving.
  try {
    HttpRequest("127.0.0.1", api_.port(), "GET", "/healthz", "", {{"Content-Length", "abc"}}, 2s);
  } catch (const std::exception&) {
    // closing the connection is acceptable too
  }
  EXPECT_EQ(Get("127.0.0.1", api_.port(), "/healthz").status, 200);
}

}  // namespace
}  // namespace nfmetrics::testing
