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
    case ErrorCode::kPayloadTooLarge:
      return beast_http::status::payload_too_large;
    case ErrorCode::kHeaderFieldsTooLarge:
      return beast_http::status::request_header_fields_too_large;
    case ErrorCode::kNotReady:
      return beast_http::status::service_unavailable;
    case ErrorCode::kInternal:
      return beast_http::status::internal_server_error;
  }
  return beast_http::status::internal_server_error;
}

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kPayloadTooLarge:  // as documented: a request the server will not read
    case ErrorCode::kHeaderFieldsTooLarge:
      return "bad_request";
    case ErrorCode::kNotReady:
      return "not_ready";
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

std::string_view CodeName(const Error& error) {
  if (error.code == ErrorCode::kNotReady && error.cause) return CodeName(*error.cause);
  return CodeName(error.code);
}

std::string ErrorJson(const Error& error) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::string_view code = CodeName(error);
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

std::string NumaflowErrorJson(const Error& error) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("errMsg");
  WriteString(writer, error.message);
  writer.Key("data");
  writer.Null();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Response ErrorResponse(const Request& request, const Error& error, ErrorShape shape) {
  Response response =
      JsonResponse(request, StatusOf(error.code),
                   shape == ErrorShape::kNumaflow ? NumaflowErrorJson(error) : ErrorJson(error));
  if (error.retry_after_seconds > 0) {
    response.set(beast_http::field::retry_after, std::to_string(error.retry_after_seconds));
  }
  return response;
}

Response ErrorResponse(unsigned version, const Error& error) {
  Request request{beast_http::verb::get, "/", version == 10 ? 10u : 11u};
  request.keep_alive(false);
  return ErrorResponse(request, error);
}

}  // namespace nfmetrics::http
