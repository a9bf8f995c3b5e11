// Every endpoint nfmetrics serves, one entry each: its methods, path pattern, endpoint family
// (auth and rate limit), error shape and handler. The router dispatches on this table alone; the
// server and the self-metrics take a request's bounded `Route` label from it; docs/api.md lists
// the same paths.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/error_response.hpp"
#include "http/handlers/handler.hpp"
#include "nfmetrics/http/route.hpp"

namespace nfmetrics::http {

// The handlers the table's entries point at, one per entry: the router fills them in.
struct Handlers {
  Handler* health = nullptr;
  Handler* ready = nullptr;
  Handler* self_metrics = nullptr;
  Handler* dashboard = nullptr;
  Handler* catalog = nullptr;
  Handler* metric = nullptr;  // also the NumaFlow-style paths, which carry the object
  Handler* stream = nullptr;
  Handler* proxy = nullptr;
  Handler* discovery = nullptr;
  Handler* diagnosis = nullptr;
  Handler* capacity = nullptr;
  Handler* namespaces = nullptr;
  Handler* mono_vertices = nullptr;
  Handler* mono_vertex_pods = nullptr;
  Handler* pipelines = nullptr;
  Handler* vertices = nullptr;
  Handler* vertex_pods = nullptr;
};

enum class Methods : std::uint8_t { kGet, kGetOrHead, kPost };

struct RouteEntry {
  Methods methods;
  // "/api/v1/metrics/{metric}": literal segments, and {name}s that each match one non-empty
  // segment. API paths are matched without empty segments and a trailing slash; `exact` ones (the
  // dashboard's, whose relative URLs must resolve as the page expects) only as written.
  std::string_view pattern;
  bool exact;
  Route route;  // the self-metrics' and access log's label
  Endpoint family;
  ErrorShape shape;
  Handler* Handlers::*handler;
};

std::span<const RouteEntry> RouteTable();

bool Allows(Methods methods, boost::beast::http::verb method);
std::string AllowHeader(Methods methods);  // "GET", "GET, HEAD", "POST"

// A request target ("/p?q" or absolute-form) matched against the table, on its path alone.
struct RouteMatch {
  const RouteEntry* entry = nullptr;  // nullptr: no endpoint has this path (404)
  PathParams params;
  std::string_view path;   // as written, for messages
  std::string_view query;  // after '?', still percent-encoded, without a fragment
};
RouteMatch MatchTarget(std::string_view target);

// The route label of a target, as MatchTarget finds it; Route::kNone when there is none.
Route RouteOfTarget(std::string_view target);

}  // namespace nfmetrics::http
