// The one place where an Error becomes an HTTP answer: its status (one mapping of every ErrorCode),
// its JSON body in the route's error shape, and Retry-After. The router answers every handler's
// error here, and the server its 413, 431, 400 and 503 `overloaded` before a request reaches the
// router.
#pragma once

#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/http/message.hpp"

namespace nfmetrics::http {

// The two error bodies: nfmetrics' own, and NumaFlow's for its drop-in endpoints.
enum class ErrorShape {
  kNfmetrics,  // {"status":"error","error":{"code":..,"message":..[,"param":..]}}
  kNumaflow,   // {"errMsg":"...","data":null}, with a real status (NumaFlow's is always 200)
};

boost::beast::http::status StatusOf(ErrorCode code);

// The stable machine-readable name: "bad_request", "upstream_timeout", ... For kNotReady, the name
// of what the readiness check failed with (Error::cause).
std::string_view CodeName(const Error& error);
std::string_view CodeName(ErrorCode code);

std::string ErrorJson(const Error& error);
std::string NumaflowErrorJson(const Error& error);

// The answer to `request` for `error`: status, body in `shape`, Retry-After when the error has one.
Response ErrorResponse(const Request& request, const Error& error,
                       ErrorShape shape = ErrorShape::kNfmetrics);

// The same for a request that could not be read whole: HTTP/1.0 or 1.1, never kept alive.
Response ErrorResponse(unsigned version, const Error& error);

}  // namespace nfmetrics::http
