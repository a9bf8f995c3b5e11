// `serve --auth-tokens` through the real server: 401 with a challenge without a valid token, 403
// for a namespace outside the token's, on every endpoint family (the NumaFlow drop-in in its own
// error shape), 200 with the right token, and the probes open. A denied request never reaches the
// upstream.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>
#include <vector>

#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

const std::string kMatrix = R"({"status":"success","data":{"resultType":"matrix","result":[
  {"metric":{"pod":"orders-mv-0-aaaaa"},"values":[[1795467600,"250000"],[1795467660,"260000"]]}]}})";

const std::string kPaymentsToken = "payments-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const std::string kAdminToken = "admin-00112233445566778899aabbccddeeff";

http::AuthConfig Auth() {
  Result<service::AccessTokens> tokens = service::LoadAccessTokens(
      fmt::format("tokens:\n"
                  "  - name: payments-team\n"
                  "    sha256: \"{}\"\n"
                  "    namespaces: [payments]\n"
                  "  - name: admin\n"
                  "    sha256: \"{}\"\n"
                  "    namespaces: [\"*\"]\n",
                  service::Sha256Hex(kPaymentsToken), service::Sha256Hex(kAdminToken)),
      "test-tokens.yaml");
  if (!tokens.ok()) throw std::runtime_error(tokens.error().message);
  return http::AuthConfig{.tokens = std::move(tokens).value()};
}

// One request to an endpoint; numaflow: answers errors as {"errMsg": ..., "data": null}.
struct Call {
  std::string method;
  std::string target;
  std::string body;
  bool numaflow = false;
};

std::string ProxyBody(std::string_view ns) {
  return fmt::format(
      R"({{"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",)"
      R"("dimension":"pod","quantile":"0.99","duration":"1m",)"
      R"("filters":{{"namespace":"{}","mvtx_name":"orders"}},)"
      R"("start_time":"2026-11-23T21:00:00Z","end_time":"2026-11-23T22:00:00Z"}})",
      ns);
}

// Every endpoint that names a namespace, for namespace `ns`.
std::vector<Call> NamespacedCalls(std::string_view ns) {
  return {
      {"GET", fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx=orders", ns), "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/mono-vertices/orders/metrics/sink-latency", ns),
       "", false},
      {"GET",
       fmt::format("/api/v1/namespaces/{}/pipelines/shop/vertices/out/metrics/sink-latency", ns),
       "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/mono-vertices", ns), "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/mono-vertices/orders/pods", ns), "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/pipelines", ns), "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/pipelines/shop/vertices", ns), "", false},
      {"GET", fmt::format("/api/v1/namespaces/{}/pipelines/shop/vertices/out/pods", ns), "", false},
      {"POST", "/api/v1/metrics-proxy", ProxyBody(ns), true},
  };
}

// The endpoints without a namespace: a token, but no namespace check.
std::vector<Call> UnnamespacedCalls() {
  return {{"GET", "/api/v1/metrics", "", false},
          {"GET", "/api/v1/namespaces", "", false},
          {"GET", "/api/v1/metrics-discovery/object/mono-vertex", "", true}};
}

std::vector<Call> AllApiCalls(std::string_view ns) {
  std::vector<Call> calls = NamespacedCalls(ns);
  for (Call& call : UnnamespacedCalls()) calls.push_back(std::move(call));
  return calls;
}

struct Answer {
  int status = 0;
  std::string body;
  std::string challenge;  // WWW-Authenticate
  rapidjson::Document doc;

  // The error code of an nfmetrics error, or the errMsg of a NumaFlow-shaped one.
  std::string Error(bool numaflow) const {
    if (numaflow) {
      return doc.IsObject() && doc.HasMember("errMsg") && doc["errMsg"].IsString()
                 ? doc["errMsg"].GetString()
                 : "";
    }
    return doc.IsObject() && doc.HasMember("error") ? doc["error"]["code"].GetString() : "";
  }
};

Answer Send(unsigned short port, const Call& call, const std::string& authorization) {
  std::vector<std::pair<std::string, std::string>> headers = {{"content-type", "application/json"}};
  if (!authorization.empty()) headers.emplace_back("authorization", authorization);
  HttpResponse response =
      HttpRequest("127.0.0.1", port, call.method, call.target, call.body, headers, 10s);
  Answer answer;
  answer.status = response.status;
  answer.body = response.body;
  answer.challenge = response.Header("www-authenticate");
  answer.doc.Parse(answer.body.c_str());
  EXPECT_FALSE(answer.doc.HasParseError()) << call.target << ": " << answer.body;
  return answer;
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

class AuthApi : public ::testing::Test {
 protected:
  AuthApi()
      : auth_(Auth()),
        upstream_([](const RecordedRequest& request) {
          if (request.target.find("/label/") != std::string::npos) {
            return Reply::Json(R"({"status":"success","data":["orders","orders-mv-0-aaaaa"]})");
          }
          return Reply::Json(kMatrix);
        }),
        api_(upstream_.base_url(), 5s, nullptr, std::size_t{16} << 20, 1, "", &auth_) {}

  http::AuthConfig auth_;
  FakeUpstream upstream_;
  InProcessApi api_;
};

TEST_F(AuthApi, WithoutATokenEveryApiEndpointIs401WithABearerChallenge) {
  for (const Call& call : AllApiCalls("payments")) {
    Answer answer = Send(api_.port(), call, "");
    EXPECT_EQ(answer.status, 401) << call.target << ": " << answer.body;
    EXPECT_EQ(answer.challenge, R"(Bearer realm="nfmetrics")") << call.target;
    if (call.numaflow) {
      EXPECT_NE(answer.Error(true).find("bearer token is required"), std::string::npos)
          << answer.body;
      EXPECT_TRUE(answer.doc["data"].IsNull()) << answer.body;
    } else {
      EXPECT_EQ(answer.Error(false), "unauthorized") << call.target << ": " << answer.body;
    }
  }
  EXPECT_TRUE(upstream_.requests().empty()) << "an unauthenticated request reached the upstream";
}

TEST_F(AuthApi, AWrongTokenIs401WithInvalidToken) {
  for (const Call& call : AllApiCalls("payments")) {
    Answer answer = Send(api_.port(), call, Bearer(kPaymentsToken + "x"));
    EXPECT_EQ(answer.status, 401) << call.target << ": " << answer.body;
    EXPECT_EQ(answer.challenge, R"(Bearer realm="nfmetrics", error="invalid_token")")
        << call.target;
    if (!call.numaflow) {
      EXPECT_EQ(answer.Error(false), "unauthorized") << answer.body;
    }
  }
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(AuthApi, AnotherSchemeIs401WithoutInvalidToken) {
  Call call = NamespacedCalls("payments").front();
  Answer answer = Send(api_.port(), call, "Basic cGF5bWVudHM6c2VjcmV0");
  EXPECT_EQ(answer.status, 401) << answer.body;
  EXPECT_EQ(answer.challenge, R"(Bearer realm="nfmetrics")");
  EXPECT_EQ(answer.Error(false), "unauthorized");
}

TEST_F(AuthApi, ANamespaceOutsideTheTokensIs403OnEveryFamily) {
  for (const Call& call : NamespacedCalls("finance")) {
    Answer answer = Send(api_.port(), call, Bearer(kPaymentsToken));
    EXPECT_EQ(answer.status, 403) << call.target << ": " << answer.body;
    EXPECT_EQ(answer.challenge, "") << call.target;
    if (call.numaflow) {
      EXPECT_EQ(answer.Error(true), "this token may not read namespace \"finance\"") << answer.body;
      EXPECT_TRUE(answer.doc["data"].IsNull()) << answer.body;
    } else {
      EXPECT_EQ(answer.Error(false), "forbidden") << call.target << ": " << answer.body;
    }
  }
  EXPECT_TRUE(upstream_.requests().empty()) << "a forbidden request reached the upstream";
}

TEST_F(AuthApi, TheRightTokenIs200OnEveryFamilyLowerCaseSchemeToo) {
  for (const Call& call : AllApiCalls("payments")) {
    Answer answer = Send(api_.port(), call, Bearer(kPaymentsToken));
    EXPECT_EQ(answer.status, 200) << call.target << ": " << answer.body;
  }
  Answer lower = Send(api_.port(), NamespacedCalls("payments").front(), "bearer " + kPaymentsToken);
  EXPECT_EQ(lower.status, 200) << lower.body;
  EXPECT_FALSE(upstream_.requests().empty());
}

TEST_F(AuthApi, AStarTokenReadsEveryNamespace) {
  for (const Call& call : NamespacedCalls("finance")) {
    Answer answer = Send(api_.port(), call, Bearer(kAdminToken));
    EXPECT_EQ(answer.status, 200) << call.target << ": " << answer.body;
  }
}

TEST_F(AuthApi, TheNamespaceListShowsEachTokenOnlyItsNamespaces) {
  const std::vector<std::string> engine = {"default", "finance", "payments"};
  upstream_.SetHandler([&](const RecordedRequest&) {
    return Reply::Json(
        fmt::format(R"({{"status":"success","data":["{}"]}})", fmt::join(engine, "\",\"")));
  });
  auto listed = [&](const std::string& token) {
    Answer answer = Send(api_.port(), {"GET", "/api/v1/namespaces"}, Bearer(token));
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::vector<std::string> names;
    if (answer.status != 200) return names;
    for (const auto& name : answer.doc["data"]["namespaces"].GetArray())
      names.emplace_back(name.GetString());
    return names;
  };
  // Not a 403: a limited token is shown its part of the list, never another team's names.
  EXPECT_EQ(listed(kPaymentsToken), std::vector<std::string>{"payments"});
  EXPECT_EQ(listed(kAdminToken), engine);
}

TEST_F(AuthApi, ProbesStayOpen) {
  for (const char* target : {"/healthz", "/readyz"}) {
    Answer answer = Send(api_.port(), {"GET", target, "", false}, "");
    EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
    // A wrong token on a probe is ignored, not an error.
    EXPECT_EQ(Send(api_.port(), {"GET", target, "", false}, Bearer("wrong")).status, 200) << target;
  }
}

TEST_F(AuthApi, TheNamespaceCheckedIsTheOneQueriedAfterDecoding) {
  // Percent-encoded "finance", in the query string and in the path.
  Answer encoded =
      Send(api_.port(), {"GET", "/api/v1/metrics/sink-latency?namespace=fin%61nce&mvtx=orders"},
           Bearer(kPaymentsToken));
  EXPECT_EQ(encoded.status, 403) << encoded.body;
  Answer in_path = Send(api_.port(), {"GET", "/api/v1/namespaces/fin%61nce/mono-vertices"},
                        Bearer(kPaymentsToken));
  EXPECT_EQ(in_path.status, 403) << in_path.body;
  // A second namespace parameter cannot ride along with an allowed one.
  Answer repeated =
      Send(api_.port(),
           {"GET", "/api/v1/metrics/sink-latency?namespace=payments&mvtx=orders&namespace=finance"},
           Bearer(kPaymentsToken));
  EXPECT_EQ(repeated.status, 400) << repeated.body;
  // Nor a second namespace filter in the NumaFlow body: the last one is the one queried.
  std::string body = ProxyBody("payments");
  body.replace(body.find(R"("mvtx_name")"), 0, R"("namespace":"finance",)");
  Answer proxy =
      Send(api_.port(), {"POST", "/api/v1/metrics-proxy", body, true}, Bearer(kPaymentsToken));
  EXPECT_EQ(proxy.status, 403) << body << "\n" << proxy.body;
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(AuthApi, ACachedAnswerIsNotServedToATokenWithoutItsNamespace) {
  const Call call{"GET",
                  "/api/v1/metrics/sink-latency?namespace=finance&mvtx=orders&start=1795467600&"
                  "end=1795471200&step=1m"};
  ASSERT_EQ(Send(api_.port(), call, Bearer(kAdminToken)).status, 200);
  HttpResponse again = HttpRequest("127.0.0.1", api_.port(), "GET", call.target, "",
                                   {{"authorization", Bearer(kAdminToken)}});
  ASSERT_EQ(again.status, 200);
  ASSERT_EQ(again.Header("x-cache"), "hit") << "the answer is not cached: this test proves nothing";
  Answer denied = Send(api_.port(), call, Bearer(kPaymentsToken));
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.Error(false), "forbidden");
}

TEST(AuthApiCatalog, AQueryNotConfinedToANamespaceNeedsAStarToken) {
  // An operator's catalog metric without a namespace filter reads every namespace, whatever the
  // request's namespace parameter says.
  Result<service::Catalog> catalog = service::LoadCatalog(R"(
patterns:
  - name: everywhere
    objects: [mono-vertex]
    expr: sum(rate($metric_name{$filters}[5m]))
    metrics:
      - metric_name: monovtx_read_total
        required_filters: [mvtx_name]
)",
                                                          "test");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  http::AuthConfig auth = Auth();
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(kMatrix); });
  InProcessApi api(upstream.base_url(), 5s, &*catalog, std::size_t{16} << 20, 1, "", &auth);
  const Call get{"GET", "/api/v1/metrics/read-throughput?namespace=payments&mvtx=orders"};
  const Call proxy{"POST", "/api/v1/metrics-proxy",
                   R"({"metric_name":"monovtx_read_total","filters":{"mvtx_name":"orders"}})",
                   true};

  Answer restricted = Send(api.port(), get, Bearer(kPaymentsToken));
  EXPECT_EQ(restricted.status, 403) << restricted.body;
  EXPECT_EQ(restricted.Error(false), "forbidden");
  EXPECT_EQ(Send(api.port(), proxy, Bearer(kPaymentsToken)).status, 403);
  EXPECT_TRUE(upstream.requests().empty());

  Answer star = Send(api.port(), get, Bearer(kAdminToken));
  EXPECT_EQ(star.status, 200) << star.body;
  EXPECT_EQ(Send(api.port(), proxy, Bearer(kAdminToken)).status, 200);
}

TEST_F(AuthApi, TheServersOwnMetricsNeedATokenByDefault) {
  Answer without = Send(api_.port(), {"GET", "/metrics"}, "");
  EXPECT_EQ(without.status, 401);
  EXPECT_EQ(without.challenge, R"(Bearer realm="nfmetrics")");
  HttpResponse with = HttpRequest("127.0.0.1", api_.port(), "GET", "/metrics", "",
                                  {{"authorization", Bearer(kPaymentsToken)}});
  EXPECT_EQ(with.status, 200) << with.body;
}

TEST(AuthApiMetricsOpen, MetricsAuthNoneLeavesOnlyTheServersOwnMetricsOpen) {
  http::AuthConfig auth = Auth();
  auth.self_metrics_open = true;  // serve --metrics-auth=none
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(kMatrix); });
  InProcessApi api(upstream.base_url(), 5s, nullptr, std::size_t{16} << 20, 1, "", &auth);
  EXPECT_EQ(HttpRequest("127.0.0.1", api.port(), "GET", "/metrics").status, 200);
  EXPECT_EQ(HttpRequest("127.0.0.1", api.port(), "GET", "/api/v1/metrics").status, 401);
}

TEST(AuthApiOff, WithoutAuthConfigNoTokenIsAsked) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Json(kMatrix); });
  InProcessApi api(upstream.base_url(), 5s);
  Answer answer = Send(api.port(), NamespacedCalls("finance").front(), "");
  EXPECT_EQ(answer.status, 200) << answer.body;
}

}  // namespace
}  // namespace nfmetrics::testing
