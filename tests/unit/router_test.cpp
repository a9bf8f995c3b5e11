// The route table and the router's dispatch: every documented path goes to its handler with its
// endpoint family and error shape, anything else is a 404; the router alone applies auth, the
// method and the error shape. Against a fake service: no server, no socket.
#include "nfmetrics/http/router.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "http/routes.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "support/fake_query_service.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::http {
namespace {

using ::testing::HasSubstr;
namespace beast_http = boost::beast::http;

struct Documented {
  std::string target;
  Handler* Handlers::*handler;
  Route route;
  Endpoint family;
  ErrorShape shape;
  Methods methods;
};

// Every path docs/api.md documents, with a request target for each.
const std::vector<Documented>& DocumentedPaths() {
  using enum Methods;
  constexpr ErrorShape kOwn = ErrorShape::kNfmetrics;
  constexpr ErrorShape kNumaflow = ErrorShape::kNumaflow;
  static const std::vector<Documented> paths = {
      {"/healthz", &Handlers::health, Route::kHealth, Endpoint::kProbe, kOwn, kGet},
      {"/readyz", &Handlers::ready, Route::kReady, Endpoint::kProbe, kOwn, kGet},
      {"/metrics", &Handlers::self_metrics, Route::kSelfMetrics, Endpoint::kSelfMetrics, kOwn,
       kGet},
      {"/", &Handlers::dashboard, Route::kDashboard, Endpoint::kDashboard, kOwn, kGetOrHead},
      {"/index.html", &Handlers::dashboard, Route::kDashboard, Endpoint::kDashboard, kOwn,
       kGetOrHead},
      {"/assets/app.js", &Handlers::dashboard, Route::kDashboard, Endpoint::kDashboard, kOwn,
       kGetOrHead},
      {"/api/v1/metrics", &Handlers::catalog, Route::kCatalog, Endpoint::kApi, kOwn, kGet},
      {"/api/v1/metrics/sink-latency?namespace=a&mvtx=b", &Handlers::metric, Route::kMetric,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/metrics/sink-latency/stream?namespace=a&mvtx=b", &Handlers::stream, Route::kStream,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/metrics-proxy", &Handlers::proxy, Route::kProxy, Endpoint::kApi, kNumaflow, kPost},
      {"/api/v1/metrics-discovery/object/mono-vertex", &Handlers::discovery, Route::kDiscovery,
       Endpoint::kApi, kNumaflow, kGet},
      {"/api/v1/namespaces", &Handlers::namespaces, Route::kNamespaces, Endpoint::kApi, kOwn, kGet},
      {"/api/v1/diagnosis", &Handlers::diagnosis, Route::kDiagnosis, Endpoint::kApi, kOwn, kGet},
      {"/api/v1/capacity", &Handlers::capacity, Route::kCapacity, Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/mono-vertices", &Handlers::mono_vertices, Route::kObjects,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/mono-vertices/b/pods", &Handlers::mono_vertex_pods, Route::kObjects,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/mono-vertices/b/metrics/sink-latency", &Handlers::metric,
       Route::kObjects, Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/pipelines", &Handlers::pipelines, Route::kObjects, Endpoint::kApi,
       kOwn, kGet},
      {"/api/v1/namespaces/a/pipelines/p/vertices", &Handlers::vertices, Route::kObjects,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/pipelines/p/vertices/v/pods", &Handlers::vertex_pods, Route::kObjects,
       Endpoint::kApi, kOwn, kGet},
      {"/api/v1/namespaces/a/pipelines/p/vertices/v/metrics/sink-latency", &Handlers::metric,
       Route::kObjects, Endpoint::kApi, kOwn, kGet},
  };
  return paths;
}

TEST(RouteTable, RoutesEveryDocumentedPathToItsHandlerFamilyAndShape) {
  for (const Documented& documented : DocumentedPaths()) {
    const RouteMatch match = MatchTarget(documented.target);
    ASSERT_NE(match.entry, nullptr) << documented.target;
    EXPECT_EQ(match.entry->handler, documented.handler) << documented.target;
    EXPECT_EQ(match.entry->route, documented.route) << documented.target;
    EXPECT_EQ(match.entry->family, documented.family) << documented.target;
    EXPECT_EQ(match.entry->shape, documented.shape) << documented.target;
    EXPECT_EQ(match.entry->methods, documented.methods) << documented.target;
  }
}

TEST(RouteTable, NamesThePathSegmentsItCaptures) {
  RouteMatch match =
      MatchTarget("/api/v1/namespaces/ns/pipelines/shop/vertices/out/metrics/sink-latency?x=1#f");
  ASSERT_NE(match.entry, nullptr);
  EXPECT_EQ(match.params.Get("namespace"), "ns");
  EXPECT_EQ(match.params.Get("pipeline"), "shop");
  EXPECT_EQ(match.params.Get("vertex"), "out");
  EXPECT_EQ(match.params.Get("metric"), "sink-latency");
  EXPECT_EQ(match.params.Get("mvtx"), "");
  EXPECT_EQ(match.query, "x=1");
  // Absolute-form targets, empty segments and one trailing slash route like the path itself.
  EXPECT_EQ(MatchTarget("http://h:1/api/v1/metrics/x").params.Get("metric"), "x");
  EXPECT_EQ(MatchTarget("//api//v1/metrics/").entry->route, Route::kCatalog);
}

TEST(RouteTable, EveryEntryIsDocumentedAndEveryOtherPathIsNotFound) {
  // Each entry of the table is one of the documented paths above: nothing is routed unseen.
  std::set<std::string_view> documented_patterns;
  for (const Documented& documented : DocumentedPaths()) {
    documented_patterns.insert(MatchTarget(documented.target).entry->pattern);
  }
  for (const RouteEntry& entry : RouteTable()) {
    EXPECT_TRUE(documented_patterns.count(entry.pattern)) << entry.pattern;
  }
  for (const char* target : {"/nope",
                             "",
                             "/api",
                             "/api/v1",
                             "/api/v2/metrics",
                             "/api/v1/namespaces/ns",
                             "/api/v1/namespaces/ns/mono-vertices/mv",
                             "/api/v1/namespaces/ns/pipelines/p",
                             "/api/v1/namespaces/ns/pipelines/p/vertices/v",
                             "/api/v1/namespaces/ns/mono-vertices/mv/metrics",
                             "/api/v1/metrics/a/b",
                             "/metrics/extra",
                             "/api/v1/metrics-discovery/object",
                             "/api/v1/metrics-discovery/object/a/b",
                             "//",
                             "/index.html/",
                             "/assets/",
                             "/assets/a/b.js",
                             "/assets/app.js/",
                             "/a/b/c/d/e/f/g/h/i/j/k/l/m"}) {
    EXPECT_EQ(MatchTarget(target).entry, nullptr) << target;
    EXPECT_EQ(RouteOfTarget(target), Route::kNone) << target;
  }
}

// docs/api.md's route list names every pattern of the table, and no other.
TEST(RouteTable, IsTheListInTheApiReference) {
  std::ifstream file(std::string(NFMETRICS_SOURCE_DIR) + "/docs/api.md");
  ASSERT_TRUE(file) << "docs/api.md";
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  const std::size_t start = doc.find("<!-- routes -->");
  const std::size_t end = doc.find("<!-- /routes -->");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  const std::string list = doc.substr(start, end - start);
  std::multiset<std::string> documented;
  const std::regex row(R"(\| `(GET|GET, HEAD|POST)` \| `([^`]+)` \|)");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), row); it != std::sregex_iterator();
       ++it) {
    documented.insert((*it)[1].str() + " " + (*it)[2].str());
  }
  std::multiset<std::string> routed;
  for (const RouteEntry& entry : RouteTable()) {
    routed.insert(AllowHeader(entry.methods) + " " + std::string(entry.pattern));
  }
  EXPECT_EQ(documented, routed);
}

// --- dispatch ---------------------------------------------------------------------------------

class RouterTest : public ::testing::Test {
 protected:
  Response Send(Router& router, beast_http::verb method, std::string_view target,
                std::string authorization = "") {
    Request request{method, target, 11};
    if (!authorization.empty()) request.set(beast_http::field::authorization, authorization);
    request.prepare_payload();
    return testing::RunToEnd(io_, router.Handle(request));
  }
  static std::string Body(const Response& response) { return std::string(response.body().view()); }

  boost::asio::io_context io_;
  testing::FakeQueryService service_;
  const TimePoint now_{std::chrono::seconds(1795467600)};
  Router router_{service::DefaultCatalog(), service_, [this] { return now_; }};
};

TEST_F(RouterTest, AnUnknownPathIsANotFoundInTheOwnShape) {
  Response response = Send(router_, beast_http::verb::get, "/api/v1/nope");
  EXPECT_EQ(response.result(), beast_http::status::not_found);
  EXPECT_THAT(Body(response), HasSubstr(R"("code":"not_found")"));
  EXPECT_THAT(Body(response), HasSubstr("/api/v1/nope"));
}

TEST_F(RouterTest, AWrongMethodIsA405NamingTheRightOne) {
  Response response = Send(router_, beast_http::verb::post, "/api/v1/metrics");
  EXPECT_EQ(response.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(response[beast_http::field::allow], "GET");
  Response proxy = Send(router_, beast_http::verb::get, "/api/v1/metrics-proxy");
  EXPECT_EQ(proxy.result(), beast_http::status::method_not_allowed);
  EXPECT_EQ(proxy[beast_http::field::allow], "POST");
  EXPECT_THAT(Body(proxy), HasSubstr(R"("errMsg")"));  // NumaFlow's shape
  Response page = Send(router_, beast_http::verb::delete_, "/");
  EXPECT_EQ(page[beast_http::field::allow], "GET, HEAD");
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(RouterTest, AHandlersErrorIsAnsweredInTheRoutesShape) {
  Response own = Send(router_, beast_http::verb::get, "/api/v1/metrics/sink-latency?namespace=a");
  EXPECT_EQ(own.result(), beast_http::status::bad_request);
  EXPECT_THAT(Body(own), HasSubstr(R"("param":"mvtx")"));
  Response numaflow = Send(router_, beast_http::verb::get, "/api/v1/metrics-discovery/object/node");
  EXPECT_EQ(numaflow.result(), beast_http::status::bad_request);
  EXPECT_THAT(Body(numaflow), HasSubstr(R"("errMsg":)"));
  EXPECT_THAT(Body(numaflow), HasSubstr(R"("data":null)"));
}

TEST_F(RouterTest, NotReadyIs503NamingTheCauseWithRetryAfter) {
  service_.ready_answer = Error{.code = ErrorCode::kNotReady,
                                .message = "the backend is unavailable",
                                .retry_after_seconds = 2,
                                .cause = ErrorCode::kCircuitOpen};
  Response response = Send(router_, beast_http::verb::get, "/readyz");
  EXPECT_EQ(response.result(), beast_http::status::service_unavailable);
  EXPECT_THAT(Body(response), HasSubstr(R"("code":"upstream_unavailable")"));
  EXPECT_EQ(response[beast_http::field::retry_after], "2");
}

TEST_F(RouterTest, AuthIsAskedPerFamilyAndAnsweredInTheRoutesShape) {
  Result<service::AccessTokens> tokens = service::LoadAccessTokens(
      "tokens:\n  - name: ops\n    sha256: " + service::Sha256Hex("secret-token-0123456789") +
          "\n    namespaces: [\"*\"]\n",
      "tokens.yaml");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  const AuthConfig auth{.tokens = std::move(tokens).value()};
  Router router(
      service::DefaultCatalog(), service_, [this] { return now_; }, 0, &auth);

  EXPECT_EQ(Send(router, beast_http::verb::get, "/healthz").result(), beast_http::status::ok);
  EXPECT_EQ(Send(router, beast_http::verb::get, "/").result(), beast_http::status::ok);
  Response catalog = Send(router, beast_http::verb::get, "/api/v1/metrics");
  EXPECT_EQ(catalog.result(), beast_http::status::unauthorized);
  EXPECT_THAT(std::string(catalog[beast_http::field::www_authenticate]), HasSubstr("Bearer"));
  Response proxy = Send(router, beast_http::verb::post, "/api/v1/metrics-proxy");
  EXPECT_EQ(proxy.result(), beast_http::status::unauthorized);
  EXPECT_THAT(Body(proxy), HasSubstr(R"("errMsg")"));
  // 401 before 405: a caller without a token learns nothing of the methods.
  EXPECT_EQ(Send(router, beast_http::verb::post, "/api/v1/metrics").result(),
            beast_http::status::unauthorized);
  EXPECT_EQ(Send(router, beast_http::verb::get, "/api/v1/metrics", "Bearer secret-token-0123456789")
                .result(),
            beast_http::status::ok);
}

}  // namespace
}  // namespace nfmetrics::http
