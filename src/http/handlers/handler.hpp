// What every handler is: one endpoint family's HTTP side (the userver shape). A handler decodes the
// wire format (path segments, query string, JSON body) into the service's request types, asks the
// service, and encodes the answer. Who may call it, rate limits, the method and turning its Error
// into an answer are the router's (router.hpp), from the route's entry in the table.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/container/static_vector.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/message.hpp"

namespace nfmetrics::service {
struct Caller;
}

namespace nfmetrics::http {

// The most named segments a route has: {namespace}, {pipeline}, {vertex}, {metric}.
inline constexpr std::size_t kMaxPathParams = 4;

// The path's named segments, as the route's pattern names them ("namespace" -> "default"), still
// percent-encoded: the handler decodes them and names the one that is not valid.
class PathParams {
 public:
  void Add(std::string_view name, std::string_view segment) { params_.emplace_back(name, segment); }
  // The segment named `name`; "" when the route has no such segment.
  std::string_view Get(std::string_view name) const {
    for (const auto& [key, value] : params_) {
      if (key == name) return value;
    }
    return {};
  }

 private:
  boost::container::static_vector<std::pair<std::string_view, std::string_view>, kMaxPathParams>
      params_;
};

// The object names a route's path carries ({namespace}, {mvtx}, {pipeline}, {vertex}),
// percent-decoded into the matching slots; a slot the route has no segment for is left as it is.
// Errors name the segment's parameter.
struct ObjectNameSlots {
  std::string* ns;
  std::string* mvtx;
  std::string* pipeline;
  std::string* vertex;
};
Status DecodeObjectNames(const PathParams& path, const ObjectNameSlots& slots);

// One request as a handler sees it.
struct Call {
  const Request& request;
  const PathParams& path;
  std::string_view query;         // after '?', still percent-encoded
  const service::Caller* caller;  // who presented the token; nullptr when auth is off
  TimePoint now;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // The answer, or the Error the router answers in the route's error shape.
  virtual boost::asio::awaitable<Result<Response>> Handle(const Call& call) = 0;
};

}  // namespace nfmetrics::http
