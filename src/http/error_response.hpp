// The one place where an ErrorCode becomes an HTTP status and a JSON error body.
#pragma once

#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace nfmetrics::http {

boost::beast::http::status StatusOf(ErrorCode code);

// The stable machine-readable name: "bad_request", "upstream_timeout", ...
std::string_view CodeName(ErrorCode code);

// {"status":"error","error":{"code":..,"message":..[,"param":..]}}
std::string ErrorJson(const Error& error);

}  // namespace nfmetrics::http
