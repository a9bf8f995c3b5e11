#include "http_client/header_checks.hpp"

#include <fmt/format.h>

#include <boost/beast/core/string.hpp>
#include <cctype>

namespace nfmetrics::http_client {

bool IsFieldName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool IsTransportOwnField(std::string_view name) {
  for (std::string_view own :
       {"host", "authorization", "content-length", "transfer-encoding", "connection"}) {
    if (boost::beast::iequals(name, own)) return true;
  }
  return false;
}

Status CheckExtraHeaders(const HttpHeaders& headers, std::string_view origin) {
  for (const auto& [name, value] : headers) {
    if (!IsFieldName(name) || !IsFieldValue(value)) {
      return Error{ErrorCode::kInternal,
                   fmt::format("request to {}: an extra header field has a character a header "
                               "cannot hold; not sent",
                               origin),
                   ""};
    }
    if (IsTransportOwnField(name)) {
      return Error{ErrorCode::kInternal,
                   fmt::format("request to {}: the extra header field {} may not replace the "
                               "transport's own; not sent",
                               origin, name),
                   ""};
    }
  }
  return Ok();
}

}  // namespace nfmetrics::http_client
