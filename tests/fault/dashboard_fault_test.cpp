// The embedded dashboard through the real server: every embedded file at its path with its
// Content-Type, the page's own assets present, ETag revalidation (304), gzip made once and
// decodable, HEAD, the security headers, 404/405 as JSON, open under --auth-tokens, and counted
// under route="dashboard". Expectations come from DashboardAssets(), the embedded bytes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/compression.hpp"
#include "http/dashboard_assets.hpp"
#include "http/routes.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/http/route.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

// Nothing here reaches the backend: a closed port proves it is not needed.
constexpr const char* kNoBackend = "http://127.0.0.1:9";

std::string_view Embedded(std::string_view path) {
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    if (asset.path == path) return asset.body;
  }
  ADD_FAILURE() << path << " is not embedded";
  return {};
}

// False in a binary configured with -DNFMETRICS_DASHBOARD=OFF (only a page saying so).
bool DashboardBuilt() {
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    if (asset.path.starts_with("assets/")) return true;
  }
  return false;
}

HttpResponse Request(const InProcessApi& api, const std::string& method, const std::string& target,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  return HttpRequest("127.0.0.1", api.port(), method, target, "", std::move(headers));
}

std::string ExpectedType(std::string_view path) {
  if (path.ends_with(".html")) return "text/html; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  return "";
}

TEST(DashboardServing, RoutesTheRootIndexAndAssetPaths) {
  for (const char* target : {"/", "/?namespace=default", "/index.html", "/assets/app.js",
                             "/assets/nope.css", "http://example.test/"}) {
    EXPECT_EQ(http::RouteOfTarget(target), http::Route::kDashboard) << target;
  }
  for (const char* target :
       {"", "*", "/assets", "/assets/", "/assets/a/b.js", "/index.htm", "/app.js", "//",
        "//index.html", "/index.html/", "/assets/app.js/", "//assets/app.js", "/assets//app.js",
        "/assets/../api/v1/metrics", "http://example.test//"}) {
    EXPECT_EQ(http::RouteOfTarget(target), http::Route::kNone) << target;
  }
  EXPECT_EQ(http::RouteName(http::Route::kDashboard), "dashboard");
}

TEST(DashboardServing, ServesEveryEmbeddedFileWithItsContentType) {
  InProcessApi api(kNoBackend);
  ASSERT_FALSE(http::DashboardAssets().empty());
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    HttpResponse response = Request(api, "GET", fmt::format("/{}", asset.path));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, asset.body);
    EXPECT_EQ(response.Header("content-type"), asset.content_type);
    if (std::string expected = ExpectedType(asset.path); !expected.empty()) {
      EXPECT_EQ(response.Header("content-type"), expected);
    }
  }
}

TEST(DashboardServing, RootIsTheIndexPageAndItsAssetsAreServed) {
  InProcessApi api(kNoBackend);
  HttpResponse root = Request(api, "GET", "/");
  HttpResponse index = Request(api, "GET", "/index.html");
  HttpResponse with_query = Request(api, "GET", "/?namespace=default&metric=sink-latency");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.body, Embedded("index.html"));
  EXPECT_EQ(index.body, root.body);
  EXPECT_EQ(with_query.body, root.body);
  EXPECT_NE(root.body.find("<title>nfmetrics"), std::string::npos);
  // Whatever the page loads from assets/ is there, and nothing is fetched from elsewhere.
  std::regex reference(R"re((?:src|href)="([^"]+)")re");
  int assets = 0;
  for (auto it = std::sregex_iterator(root.body.begin(), root.body.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    SCOPED_TRACE(target);
    EXPECT_EQ(target.find("//"), std::string::npos);
    HttpResponse asset = Request(api, "GET", "/" + target);
    EXPECT_EQ(asset.status, 200);
    EXPECT_EQ(asset.body, Embedded(target));
    ++assets;
  }
  if (DashboardBuilt()) {
    EXPECT_GE(assets, 3);  // app.js, app.css and the icon
  }
}

TEST(DashboardServing, SendsSecurityAndCachingHeaders) {
  InProcessApi api(kNoBackend);
  for (const char* target : {"/", "/index.html"}) {
    SCOPED_TRACE(target);
    HttpResponse response = Request(api, "GET", target);
    const std::string csp = response.Header("content-security-policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
    EXPECT_EQ(response.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(response.Header("referrer-policy"), "no-referrer");
    EXPECT_EQ(response.Header("x-frame-options"), "DENY");
    EXPECT_EQ(response.Header("cache-control"), "no-cache");
    EXPECT_TRUE(response.Header("etag").starts_with("\"")) << response.Header("etag");
  }
}

TEST(DashboardServing, AnswersNotModifiedToAMatchingIfNoneMatch) {
  InProcessApi api(kNoBackend);
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    const std::string target = fmt::format("/{}", asset.path);
    HttpResponse first = Request(api, "GET", target);
    const std::string etag = first.Header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(Request(api, "GET", target).Header("etag"), etag);  // stable

    for (const std::string& if_none_match :
         {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
      SCOPED_TRACE(if_none_match);
      HttpResponse revalidated = Request(api, "GET", target, {{"If-None-Match", if_none_match}});
      EXPECT_EQ(revalidated.status, 304);
      EXPECT_TRUE(revalidated.body.empty());
      EXPECT_EQ(revalidated.Header("etag"), etag);
      EXPECT_EQ(revalidated.Header("cache-control"), "no-cache");
    }
    HttpResponse changed = Request(api, "GET", target, {{"If-None-Match", "\"stale\""}});
    EXPECT_EQ(changed.status, 200);
    EXPECT_EQ(changed.body, asset.body);
  }
}

TEST(DashboardServing, EtagsDifferBetweenFiles) {
  InProcessApi api(kNoBackend);
  std::vector<std::string> etags;
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    etags.push_back(Request(api, "GET", fmt::format("/{}", asset.path)).Header("etag"));
  }
  std::sort(etags.begin(), etags.end());
  EXPECT_EQ(std::adjacent_find(etags.begin(), etags.end()), etags.end());
}

TEST(DashboardServing, GzipsFilesForClientsThatAcceptIt) {
  InProcessApi api(kNoBackend);
  int compressed = 0;
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    const std::string target = fmt::format("/{}", asset.path);
    HttpResponse plain = Request(api, "GET", target);
    HttpResponse gzipped = Request(api, "GET", target, {{"Accept-Encoding", "gzip, deflate"}});
    EXPECT_EQ(plain.Header("content-encoding"), "");
    EXPECT_EQ(plain.body, asset.body);
    if (asset.body.size() <= http::kMinCompressedBytes) continue;
    ++compressed;
    EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
    EXPECT_EQ(gzipped.Header("vary"), "Accept-Encoding");
    EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
    EXPECT_LT(gzipped.body.size(), asset.body.size());
    EXPECT_EQ(Gunzip(gzipped.body), asset.body);
    // Two representations, two entity tags; either revalidates.
    EXPECT_NE(gzipped.Header("etag"), plain.Header("etag"));
    HttpResponse revalidated =
        Request(api, "GET", target,
                {{"Accept-Encoding", "gzip"}, {"If-None-Match", gzipped.Header("etag")}});
    EXPECT_EQ(revalidated.status, 304);
    EXPECT_EQ(Request(api, "GET", target, {{"Accept-Encoding", "gzip;q=0"}}).body, asset.body);
  }
  if (DashboardBuilt()) {
    EXPECT_GE(compressed, 1);  // app.js is tens of KiB
  }
}

TEST(DashboardServing, HeadSendsTheHeadersOfGetWithoutTheBody) {
  InProcessApi api(kNoBackend);
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    for (const char* encoding : {"identity", "gzip"}) {
      SCOPED_TRACE(fmt::format("{} {}", asset.path, encoding));
      const std::string target = fmt::format("/{}", asset.path);
      HttpResponse get = Request(api, "GET", target, {{"Accept-Encoding", encoding}});
      HttpResponse head = Request(api, "HEAD", target, {{"Accept-Encoding", encoding}});
      EXPECT_EQ(head.status, 200);
      EXPECT_TRUE(head.body.empty());
      EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
      EXPECT_EQ(head.Header("content-type"), get.Header("content-type"));
      EXPECT_EQ(head.Header("content-encoding"), get.Header("content-encoding"));
      EXPECT_EQ(head.Header("etag"), get.Header("etag"));
    }
  }
}

TEST(DashboardServing, UnknownAssetIsAJsonNotFound) {
  InProcessApi api(kNoBackend);
  for (const char* target : {"/assets/nope.js", "/assets/..%2Findex.html", "/assets/app.js.map"}) {
    SCOPED_TRACE(target);
    HttpResponse response = Request(api, "GET", target);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.Header("content-type"), "application/json");
    EXPECT_NE(response.body.find(R"("code":"not_found")"), std::string::npos) << response.body;
  }
  // Paths beside the dashboard's are the API's 404.
  EXPECT_EQ(Request(api, "GET", "/assets").status, 404);
  EXPECT_EQ(Request(api, "GET", "/assets/a/b.js").status, 404);
  EXPECT_EQ(Request(api, "GET", "/index.htm").status, 404);
}

// The page only where its relative URLs ("api/v1/...", "assets/app.js") and history.replaceState
// resolve as it expects: a path spelled another way is not the page but the API's 404.
TEST(DashboardServing, OnlyTheExactPathsAreThePage) {
  InProcessApi api(kNoBackend);
  for (const char* target : {"//", "//index.html", "/index.html/", "/assets/app.js/", "///",
                             "//?namespace=default", "//assets/app.js", "/assets//app.js"}) {
    SCOPED_TRACE(target);
    HttpResponse response = Request(api, "GET", target);
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.Header("content-type"), "application/json");
    EXPECT_EQ(response.Header("content-security-policy"), "");
    EXPECT_EQ(response.body.find("<title>nfmetrics"), std::string::npos);
  }
}

// --auth-tokens with one token that may read every namespace: the API then asks for a token.
http::AuthConfig OneTokenAuth() {
  Result<service::AccessTokens> tokens = service::LoadAccessTokens(
      fmt::format("tokens:\n  - name: team\n    sha256: \"{}\"\n    namespaces: [\"*\"]\n",
                  service::Sha256Hex("team-00112233445566778899aabbccddeeff")),
      "tokens.yaml");
  if (!tokens.ok()) throw std::runtime_error(tokens.error().message);
  return http::AuthConfig{.tokens = std::move(tokens).value()};
}

// Paths that look like the dashboard's but reach the API never answer data without a token.
TEST(DashboardServing, PathsNearItDoNotOpenTheApi) {
  const http::AuthConfig auth = OneTokenAuth();
  InProcessOptions options;
  options.auth = &auth;
  InProcessApi api(kNoBackend, options);
  for (const char* target : {"//api/v1/metrics/sink-latency?namespace=default&mono_vertex=mv",
                             "//api/v1/metrics", "/assets/../api/v1/metrics",
                             "/assets/%2e%2e/api/v1/metrics", "/assets/%2E%2E%2Fapi%2Fv1%2Fmetrics",
                             "/index.html/../api/v1/metrics", "/assets/..", "/assets/%2e%2e"}) {
    SCOPED_TRACE(target);
    HttpResponse response = Request(api, "GET", target);
    EXPECT_TRUE(response.status == 401 || response.status == 404) << response.status;
    EXPECT_EQ(response.body.find("\"metrics\":["), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find("\"data\""), std::string::npos) << response.body;
  }
}

TEST(DashboardServing, OtherMethodsAreNotAllowed) {
  InProcessApi api(kNoBackend);
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    HttpResponse response = Request(api, method, "/");
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.Header("allow"), "GET, HEAD");
    EXPECT_NE(response.body.find(R"("code":"method_not_allowed")"), std::string::npos);
  }
}

TEST(DashboardServing, IsOpenWhenTheApiAsksForAToken) {
  const http::AuthConfig auth = OneTokenAuth();
  InProcessOptions options;
  options.auth = &auth;
  InProcessApi api(kNoBackend, options);
  for (const http::DashboardAsset& asset : http::DashboardAssets()) {
    SCOPED_TRACE(asset.path);
    EXPECT_EQ(Request(api, "GET", fmt::format("/{}", asset.path)).status, 200);
  }
  EXPECT_EQ(Request(api, "GET", "/").status, 200);
  // The data is not: the page asks for the token the API wants.
  EXPECT_EQ(Request(api, "GET", "/api/v1/metrics").status, 401);
  EXPECT_EQ(Request(api, "GET", "/api/v1/namespaces/default/mono-vertices").status, 401);
}

TEST(DashboardServing, IsCountedUnderItsOwnRoute) {
  InProcessApi api(kNoBackend);
  Request(api, "GET", "/");
  Request(api, "GET", "/assets/nope.js");
  const std::string metrics = Request(api, "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(nfmetrics_http_requests_total{code="200",route="dashboard"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(nfmetrics_http_requests_total{code="404",route="dashboard"} 1)"),
            std::string::npos)
      << metrics;
}

}  // namespace
}  // namespace nfmetrics::testing
