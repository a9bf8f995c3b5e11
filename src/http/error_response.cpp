#include "http/error_response.hpp"

#include "http/json_text.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;

beast_http::status StatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return beast_http::status::bad_request;
    case ErrorCode::kUnauthorized:
      return beast_http::status::unauthorized;
    case ErrorCode::kForbidden:
      return beast_http::status::forbidden;
    case ErrorCode::kNotFound:
      return beast_http::status::not_found;
    case ErrorCode::kMethodNotAllowed:
      return beast_http::status::method_not_allowed;
    case ErrorCode::kTooManySeries:
      return beast_http::status::unprocessable_entity;
    case ErrorCode::kRateLimited:
      return beast_http::status::too_many_requests;
    case ErrorCode::kOverloaded:
    case ErrorCode::kCircuitOpen:
      return beast_http::status::service_unavailable;
    case ErrorCode::kUpstreamUnavailable:
    case ErrorCode::kUpstreamError:
      return beast_http::status::bad_gateway;
    case ErrorCode::kUpstreamTimeout:
      return beast_http::status::gateway_timeout;
    case ErrorCode::kInternal:
      return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kTooManySeries:
      return "too_many_series";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kOverloaded:
      return "overloaded";
    case ErrorCode::kCircuitOpen:
    case ErrorCode::kUpstreamUnavailable:
      return "upstream_unavailable";
    case ErrorCode::kUpstreamError:
      return "upstream_error";
    case ErrorCode::kUpstreamTimeout:
      return "upstream_timeout";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string ErrorJson(const Error& error) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::string_view code = CodeName(error.code);
  writer.StartObject();
  writer.Key("status");
  writer.String("error");
  writer.Key("error");
  writer.StartObject();
  writer.Key("code");
  WriteString(writer, code);
  writer.Key("message");
  WriteString(writer, error.message);
  if (!error.param.empty()) {
    writer.Key("param");
    WriteString(writer, error.param);
  }
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
