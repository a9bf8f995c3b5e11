// The catalog endpoints, the NumaFlow-compatible endpoints and the discovery lists over a scripted
// upstream: what exactly is sent, how answers and failures come back, in which shape and status.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/url/params_view.hpp>
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "support/exposition.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kMatrix = R"({"status":"success","data":{"resultType":"matrix","result":[
  {"metric":{"pod":"mv-mv-0-aaaaa"},"values":[[1795467600,"250000"],[1795467660.5,"NaN"]]}]}})";

struct Answer {
  int status = 0;
  rapidjson::Document doc;
  std::string body;
  std::string allow;
};

Answer Call(unsigned short port, const std::string& method, const std::string& target,
            const std::string& body = "") {
  HttpResponse response = HttpRequest("127.0.0.1", port, method, target, body,
                                      {{"content-type", "application/json"}}, 10s);
  Answer answer;
  answer.status = response.status;
  answer.body = response.body;
  answer.allow = response.Header("allow");
  answer.doc.Parse<rapidjson::kParseFullPrecisionFlag>(answer.body.c_str());
  EXPECT_FALSE(answer.doc.HasParseError()) << answer.body;
  return answer;
}

std::map<std::string, std::vector<std::string>> Form(const std::string& body) {
  std::map<std::string, std::vector<std::string>> form;
  for (const auto& p : boost::urls::params_view(body)) form[p.key].push_back(p.value);
  return form;
}

class CatalogApi : public ::testing::Test {
 protected:
  CatalogApi()
      : upstream_([](const RecordedRequest& request) {
          if (request.target.find("/label/") != std::string::npos) {
            return Reply::Json(
                R"({"status":"success","data":["orders-mv-0-abcde","orders-mv-daemon-x-y","orders-mv-1-fghij"]})");
          }
          return Reply::Json(kMatrix);
        }),
        api_(upstream_.base_url() + "/prefix", 700ms) {}

  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(CatalogApi, SeveralQuantilesAreOneConcurrentQueryEachAndEverySeriesCarriesItsQuantile) {
  // Each answer is delayed: run one after another, three would take 3 x 500ms.
  upstream_.SetHandler(
      [](const RecordedRequest&) { return Reply::Json(kMatrix).WithDelay(500ms); });
  auto started = std::chrono::steady_clock::now();
  Answer answer = Call(api_.port(), "GET",
                       "/api/v1/metrics/processing-latency?namespace=ns&mvtx=mv&start=1795467600&"
                       "end=1795471200&step=1m&quantile=0.99,0.5,0.9&group_by=pod");
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_LT(elapsed, 1400ms) << "the three upstream queries did not run concurrently";

  std::set<std::string> sent;
  for (const auto& request : upstream_.requests()) {
    EXPECT_EQ(request.target, "/prefix/api/v1/query_range");
    sent.insert(Form(request.body)["query"].at(0));
  }
  EXPECT_EQ(sent.size(), 3u);
  for (const char* q : {"0.5", "0.9", "0.99"}) {
    EXPECT_TRUE(sent.count(std::string("histogram_quantile(") + q +
                           ", sum by(pod,le) (rate(monovtx_processing_time_bucket{namespace=\"ns\","
                           "mvtx_name=\"mv\"}[5m]))) / 1e6"))
        << q;
  }
  const auto& series = answer.doc["data"]["series"];
  ASSERT_EQ(series.Size(), 3u);
  EXPECT_DOUBLE_EQ(series[0]["quantile"].GetDouble(), 0.5);
  EXPECT_DOUBLE_EQ(series[1]["quantile"].GetDouble(), 0.9);
  EXPECT_DOUBLE_EQ(series[2]["quantile"].GetDouble(), 0.99);
  EXPECT_EQ(answer.doc["data"]["queries"].Size(), 3u);
}

TEST_F(CatalogApi, OneFailingQuantileFailsTheRequestWithItsError) {
  upstream_.SetHandler([](const RecordedRequest& request) {
    if (Form(request.body)["query"].at(0).starts_with("histogram_quantile(0.9,")) {
      return Reply::Json(R"({"status":"error","errorType":"execution","error":"boom"})", 422);
    }
    return Reply::Json(kMatrix);
  });
  Answer answer = Call(api_.port(), "GET",
                       "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&quantile=0.5,0.9,0.99");
  EXPECT_EQ(answer.status, 502) << answer.body;
  EXPECT_STREQ(answer.doc["error"]["code"].GetString(), "upstream_error");
  EXPECT_NE(std::string(answer.doc["error"]["message"].GetString()).find("boom"),
            std::string::npos);
}

TEST_F(CatalogApi, NumaFlowStylePathsAreAliases) {
  Answer mvtx = Call(api_.port(), "GET",
                     "/api/v1/namespaces/ns/mono-vertices/mv/metrics/sink-latency?group_by=pod");
  ASSERT_EQ(mvtx.status, 200) << mvtx.body;
  EXPECT_STREQ(mvtx.doc["data"]["mvtx"].GetString(), "mv");
  Answer vertex = Call(api_.port(), "GET",
                       "/api/v1/namespaces/ns/pipelines/shop/vertices/out/metrics/sink-latency");
  ASSERT_EQ(vertex.status, 200) << vertex.body;
  EXPECT_STREQ(vertex.doc["data"]["object"].GetString(), "vertex");
  EXPECT_STREQ(vertex.doc["data"]["pipeline"].GetString(), "shop");
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(Form(requests[1].body)["query"].at(0).find(
                "forwarder_write_processing_time_bucket{namespace=\"ns\",pipeline=\"shop\","
                "vertex=\"out\"}"),
            std::string::npos);

  Answer bad =
      Call(api_.port(), "GET", "/api/v1/namespaces/NS/mono-vertices/mv/metrics/sink-latency");
  EXPECT_EQ(bad.status, 400);
  EXPECT_STREQ(bad.doc["error"]["param"].GetString(), "namespace");
  Answer unknown = Call(api_.port(), "GET", "/api/v1/namespaces/ns/mono-vertices/mv/metrics/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_STREQ(unknown.doc["error"]["code"].GetString(), "not_found");
  EXPECT_STREQ(unknown.doc["error"]["param"].GetString(), "metric");
  EXPECT_EQ(upstream_.requests().size(), 2u) << "a bad request reached the upstream";
}

TEST_F(CatalogApi, TheCatalogIsListed) {
  Answer answer = Call(api_.port(), "GET", "/api/v1/metrics");
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::set<std::string> names;
  for (const auto& metric : answer.doc["data"]["metrics"].GetArray()) {
    names.insert(metric["name"].GetString());
  }
  for (const char* name :
       {"sink-latency", "processing-latency", "read-latency", "ack-latency", "transformer-latency",
        "udf-latency", "fallback-sink-latency", "nack-latency", "onsuccess-sink-latency",
        "read-throughput", "pending"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(CatalogApi, DiscoveryListsAskTheLabelValuesApiAndHideDaemonPods) {
  Answer answer = Call(api_.port(), "GET",
                       "/api/v1/namespaces/ns/mono-vertices/orders/pods?start=1795467600&"
                       "end=1795471200");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& pods = answer.doc["data"]["pods"];
  ASSERT_EQ(pods.Size(), 2u);
  EXPECT_STREQ(pods[0].GetString(), "orders-mv-0-abcde");
  EXPECT_STREQ(pods[1].GetString(), "orders-mv-1-fghij");
  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].target.find("/prefix/api/v1/label/pod/values"), std::string::npos)
      << requests[0].target;
  std::string sent = requests[0].target + "&" + requests[0].body;
  std::string query = sent.substr(sent.find('?') == std::string::npos ? 0 : sent.find('?') + 1);
  auto form = Form(requests[0].method == "POST" ? requests[0].body : query);
  ASSERT_EQ(form["match[]"].size(), 1u);
  EXPECT_EQ(form["match[]"][0], "{__name__=~\"monovtx_.+\",namespace=\"ns\",mvtx_name=\"orders\"}");

  Answer bad = Call(api_.port(), "GET", "/api/v1/namespaces/ns/mono-vertices?limit=3");
  EXPECT_EQ(bad.status, 400);
  EXPECT_STREQ(bad.doc["error"]["param"].GetString(), "limit");
}

TEST_F(CatalogApi, TheNamespaceListAsksForTheNamespacesOfEveryObjectKind) {
  upstream_.SetHandler([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"success","data":["payments","default"]})");
  });
  Answer answer = Call(api_.port(), "GET", "/api/v1/namespaces?start=1795467600&end=1795471200");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  EXPECT_FALSE(data.HasMember("namespace")) << answer.body;
  ASSERT_TRUE(data["namespaces"].IsArray()) << answer.body;
  ASSERT_EQ(data["namespaces"].Size(), 2u);
  // Sorted, whatever order the engine sent.
  EXPECT_STREQ(data["namespaces"][0].GetString(), "default");
  EXPECT_STREQ(data["namespaces"][1].GetString(), "payments");
  EXPECT_STREQ(data["range"]["start"].GetString(), "2026-11-23T21:00:00Z");
  EXPECT_STREQ(data["range"]["end"].GetString(), "2026-11-23T22:00:00Z");
  EXPECT_TRUE(answer.doc["warnings"].IsArray());

  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].target.find("/prefix/api/v1/label/namespace/values"), std::string::npos)
      << requests[0].target;
  std::string sent = requests[0].target;
  std::string query = sent.substr(sent.find('?') == std::string::npos ? 0 : sent.find('?') + 1);
  auto form = Form(requests[0].method == "POST" ? requests[0].body : query);
  std::set<std::string> matchers(form["match[]"].begin(), form["match[]"].end());
  EXPECT_EQ(matchers, (std::set<std::string>{"{__name__=~\"monovtx_.+\"}",
                                             "{__name__=~\"forwarder_.+|vertex_.+\"}"}));
  ASSERT_EQ(form["start"].size(), 1u);
  EXPECT_EQ(form["start"][0].substr(0, 10), "1795467600");

  Answer bad = Call(api_.port(), "GET", "/api/v1/namespaces?namespace=default");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_STREQ(bad.doc["error"]["param"].GetString(), "namespace");
  Answer post = Call(api_.port(), "POST", "/api/v1/namespaces");
  EXPECT_EQ(post.status, 405) << post.body;
  EXPECT_EQ(post.allow, "GET");

  // Counted under a route label of its own, not as "none" or "objects".
  HttpResponse metrics = HttpRequest("127.0.0.1", api_.port(), "GET", "/metrics", "", {}, 10s);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(SampleValue(metrics.body, "nfmetrics_http_requests_total",
                        {{"route", "namespaces"}, {"code", "200"}}),
            1)
      << metrics.body;
}

TEST_F(CatalogApi, TheNamespaceListDefaultsToTheLastHour) {
  upstream_.SetHandler(
      [](const RecordedRequest&) { return Reply::Json(R"({"status":"success","data":[]})"); });
  Answer answer = Call(api_.port(), "GET", "/api/v1/namespaces");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_TRUE(answer.doc["data"]["namespaces"].IsArray());
  EXPECT_EQ(answer.doc["data"]["namespaces"].Size(), 0u);
  TimePoint start = *service::ParseTimestamp(answer.doc["data"]["range"]["start"].GetString());
  TimePoint end = *service::ParseTimestamp(answer.doc["data"]["range"]["end"].GetString());
  EXPECT_EQ(end - start, std::chrono::hours(1));

  upstream_.SetHandler([](const RecordedRequest&) { return Reply::CloseWithoutResponse(); });
  Answer failed = Call(api_.port(), "GET", "/api/v1/namespaces");
  EXPECT_EQ(failed.status, 502) << failed.body;
  EXPECT_STREQ(failed.doc["error"]["code"].GetString(), "upstream_unavailable");
}

TEST_F(CatalogApi, DiscoveryFailuresGetThePinnedUpstreamErrors) {
  upstream_.SetHandler([](const RecordedRequest&) { return Reply::CloseWithoutResponse(); });
  Answer answer = Call(api_.port(), "GET", "/api/v1/namespaces/ns/mono-vertices");
  EXPECT_EQ(answer.status, 502);
  EXPECT_STREQ(answer.doc["error"]["code"].GetString(), "upstream_unavailable");
}

constexpr const char* kProxyBody = R"({
  "pattern_name": "mono_vertex_histogram", "metric_name": "monovtx_sink_time_bucket",
  "dimension": "pod", "quantile": "0.99", "duration": "1m",
  "filters": {"namespace": "ns", "mvtx_name": "mv", "pod": "mv-mv-0-aaaaa"},
  "start_time": "2026-11-23T21:00:00Z", "end_time": "2026-11-23T22:00:00Z"})";

TEST_F(CatalogApi, MetricsProxyAnswersInNumaFlowsShape) {
  Answer answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", kProxyBody);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  ASSERT_TRUE(data.IsArray());
  ASSERT_EQ(data.Size(), 1u);
  EXPECT_STREQ(data[0]["metric"]["pod"].GetString(), "mv-mv-0-aaaaa");
  EXPECT_EQ(data[0]["values"][0][0].GetInt64(), 1795467600);
  EXPECT_STREQ(data[0]["values"][0][1].GetString(), "250000");  // microseconds, as NumaFlow's
  EXPECT_DOUBLE_EQ(data[0]["values"][1][0].GetDouble(), 1795467660.5);
  EXPECT_STREQ(data[0]["values"][1][1].GetString(), "NaN");

  auto requests = upstream_.requests();
  ASSERT_EQ(requests.size(), 1u);
  auto form = Form(requests[0].body);
  EXPECT_EQ(
      form["query"].at(0),
      "histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\",pod=\"mv-mv-0-aaaaa\"}[1m])))");
  EXPECT_EQ(std::stod(form["start"].at(0)), 1795467600);
  EXPECT_EQ(std::stod(form["end"].at(0)), 1795471200);
  EXPECT_EQ(std::stod(form["step"].at(0)), 60);  // NumaFlow's fixed step is the default
}

TEST_F(CatalogApi, MetricsProxyErrorsCarryAStatusAndErrMsg) {
  std::string unknown_field = std::string(kProxyBody).insert(1, R"("foo": "bar",)");
  Answer answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", unknown_field);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(std::string(answer.doc["errMsg"].GetString()).find("foo"), std::string::npos);
  EXPECT_TRUE(answer.doc["data"].IsNull());

  std::string bad_time = kProxyBody;
  bad_time.replace(bad_time.find("2026-11-23T21:00:00Z"), 20, "yesterday");
  answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", bad_time);
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(std::string(answer.doc["errMsg"].GetString()).find("start_time"), std::string::npos);

  answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", "{not json");
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_TRUE(answer.doc["errMsg"].IsString());

  answer = Call(api_.port(), "GET", "/api/v1/metrics-proxy");
  EXPECT_EQ(answer.status, 405);
  EXPECT_EQ(answer.allow, "POST");
  EXPECT_TRUE(answer.doc["errMsg"].IsString());
  EXPECT_TRUE(upstream_.requests().empty()) << "a bad request reached the upstream";

  upstream_.SetHandler([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"error","errorType":"bad_data","error":"parse error"})", 400);
  });
  answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", kProxyBody);
  EXPECT_EQ(answer.status, 502) << answer.body;
  EXPECT_NE(std::string(answer.doc["errMsg"].GetString()).find("parse error"), std::string::npos);

  upstream_.SetHandler(
      [](const RecordedRequest&) { return Reply::Json(kMatrix).WithDelay(1500ms); });
  answer = Call(api_.port(), "POST", "/api/v1/metrics-proxy", kProxyBody);
  EXPECT_EQ(answer.status, 504) << answer.body;
}

TEST_F(CatalogApi, MetricsDiscoveryAnswersInNumaFlowsShape) {
  Answer answer = Call(api_.port(), "GET", "/api/v1/metrics-discovery/object/mono-vertex");
  ASSERT_EQ(answer.status, 200) << answer.body;
  bool found = false;
  for (const auto& metric : answer.doc["data"].GetArray()) {
    if (std::string(metric["metric_name"].GetString()) != "monovtx_sink_time_bucket") continue;
    found = true;
    EXPECT_STREQ(metric["pattern_name"].GetString(), "mono_vertex_histogram");
    const auto& dimension = metric["dimensions"][0];
    EXPECT_TRUE(dimension["filters"][0].HasMember("Name"));
    EXPECT_TRUE(dimension["filters"][0].HasMember("Required"));
    EXPECT_TRUE(dimension["params"][0].HasMember("Name"));
  }
  EXPECT_TRUE(found);
  Answer unknown = Call(api_.port(), "GET", "/api/v1/metrics-discovery/object/pipeline-x");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(unknown.doc["errMsg"].IsString());
}

}  // namespace
}  // namespace nfmetrics::testing
