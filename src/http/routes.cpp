#include "http/routes.hpp"

#include <boost/container/small_vector.hpp>

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

using enum Methods;
constexpr ErrorShape kOwn = ErrorShape::kNfmetrics;
constexpr ErrorShape kNumaflow = ErrorShape::kNumaflow;

// clang-format off
constexpr RouteEntry kRoutes[] = {
  // methods    pattern                                                    exact  route               family                 shape      handler
  {kGet,       "/healthz",                                                 false, Route::kHealth,      Endpoint::kProbe,       kOwn,      &Handlers::health},
  {kGet,       "/readyz",                                                  false, Route::kReady,       Endpoint::kProbe,       kOwn,      &Handlers::ready},
  {kGet,       "/metrics",                                                 false, Route::kSelfMetrics, Endpoint::kSelfMetrics, kOwn,      &Handlers::self_metrics},
  {kGetOrHead, "/",                                                        true,  Route::kDashboard,   Endpoint::kDashboard,   kOwn,      &Handlers::dashboard},
  {kGetOrHead, "/index.html",                                              true,  Route::kDashboard,   Endpoint::kDashboard,   kOwn,      &Handlers::dashboard},
  {kGetOrHead, "/assets/{file}",                                           true,  Route::kDashboard,   Endpoint::kDashboard,   kOwn,      &Handlers::dashboard},
  {kGet,       "/api/v1/metrics",                                          false, Route::kCatalog,     Endpoint::kApi,         kOwn,      &Handlers::catalog},
  {kGet,       "/api/v1/metrics/{metric}",                                 false, Route::kMetric,      Endpoint::kApi,         kOwn,      &Handlers::metric},
  {kGet,       "/api/v1/metrics/{metric}/stream",                          false, Route::kStream,      Endpoint::kApi,         kOwn,      &Handlers::stream},
  {kPost,      "/api/v1/metrics-proxy",                                    false, Route::kProxy,       Endpoint::kApi,         kNumaflow, &Handlers::proxy},
  {kGet,       "/api/v1/metrics-discovery/object/{object}",                false, Route::kDiscovery,   Endpoint::kApi,         kNumaflow, &Handlers::discovery},
  {kGet,       "/api/v1/diagnosis",                                        false, Route::kDiagnosis,   Endpoint::kApi,         kOwn,      &Handlers::diagnosis},
  {kGet,       "/api/v1/capacity",                                         false, Route::kCapacity,    Endpoint::kApi,         kOwn,      &Handlers::capacity},
  {kGet,       "/api/v1/namespaces",                                       false, Route::kNamespaces,  Endpoint::kApi,         kOwn,      &Handlers::namespaces},
  {kGet,       "/api/v1/namespaces/{namespace}/mono-vertices",             false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::mono_vertices},
  {kGet,       "/api/v1/namespaces/{namespace}/mono-vertices/{mvtx}/pods", false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::mono_vertex_pods},
  {kGet,       "/api/v1/namespaces/{namespace}/mono-vertices/{mvtx}/metrics/{metric}",
                                                                           false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::metric},
  {kGet,       "/api/v1/namespaces/{namespace}/pipelines",                 false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::pipelines},
  {kGet,       "/api/v1/namespaces/{namespace}/pipelines/{pipeline}/vertices",
                                                                           false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::vertices},
  {kGet,       "/api/v1/namespaces/{namespace}/pipelines/{pipeline}/vertices/{vertex}/pods",
                                                                           false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::vertex_pods},
  {kGet,       "/api/v1/namespaces/{namespace}/pipelines/{pipeline}/vertices/{vertex}/metrics/{metric}",
                                                                           false, Route::kObjects,     Endpoint::kApi,         kOwn,      &Handlers::metric},
};
// clang-format on

// The most segments a path can have and still match a route; longer ones are 404 unsplit.
constexpr std::size_t kMaxSegments = 10;
using Segments = boost::container::small_vector<std::string_view, kMaxSegments>;

// The segments of `path` after its leading '/'. API paths drop empty segments (so "//a/b/" is
// a/b); exact paths keep them, so "/index.html/" is two segments and matches nothing.
bool Split(std::string_view path, bool keep_empty, Segments& out) {
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.empty()) return true;
  while (true) {
    std::size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    if (keep_empty || !segment.empty()) {
      if (out.size() == kMaxSegments) return false;
      out.push_back(segment);
    }
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool Matches(const RouteEntry& entry, const Segments& segments, PathParams& params) {
  Segments pattern;
  Split(entry.pattern, false, pattern);
  if (pattern.size() != segments.size()) return false;
  PathParams captured;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    std::string_view part = pattern[i];
    if (part.starts_with('{')) {
      if (segments[i].empty()) return false;
      captured.Add(part.substr(1, part.size() - 2), segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
  }
  params = captured;
  return true;
}

// Path and query of an origin-form ("/p?q") or absolute-form ("http://h/p?q") target.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    std::size_t authority = target.find("//") + 2;
    std::size_t path_start = target.find_first_of("/?", authority);
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
  }
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (std::size_t hash = query.find('#'); hash != std::string_view::npos) {
    query = query.substr(0, hash);
  }
  return {path, query};
}

}  // namespace

std::span<const RouteEntry> RouteTable() { return kRoutes; }

bool Allows(Methods methods, beast_http::verb method) {
  switch (methods) {
    case Methods::kGet:
      return method == beast_http::verb::get;
    case Methods::kGetOrHead:
      return method == beast_http::verb::get || method == beast_http::verb::head;
    case Methods::kPost:
      return method == beast_http::verb::post;
  }
  return false;
}

std::string AllowHeader(Methods methods) {
  switch (methods) {
    case Methods::kGet:
      return "GET";
    case Methods::kGetOrHead:
      return "GET, HEAD";
    case Methods::kPost:
      return "POST";
  }
  return "GET";
}

RouteMatch MatchTarget(std::string_view target) {
  RouteMatch match;
  std::tie(match.path, match.query) = SplitTarget(target);
  Segments api;
  Segments exact;
  const bool api_fits = Split(match.path, false, api);
  const bool exact_fits = match.path.starts_with('/') && Split(match.path, true, exact);
  for (const RouteEntry& entry : kRoutes) {
    if (entry.exact ? exact_fits && Matches(entry, exact, match.params)
                    : api_fits && Matches(entry, api, match.params)) {
      match.entry = &entry;
      return match;
    }
  }
  return match;
}

Route RouteOfTarget(std::string_view target) {
  const RouteEntry* entry = MatchTarget(target).entry;
  return entry != nullptr ? entry->route : Route::kNone;
}

}  // namespace nfmetrics::http
