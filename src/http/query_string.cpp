#include "http/query_string.hpp"

#include <fmt/format.h>

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>

namespace nfmetrics::http {
namespace {

constexpr std::string_view kHex = "0123456789ABCDEFabcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Clients (curl, browsers) send characters such as '|', '"' or a space unencoded; RFC 3986
// forbids them in a query but Prometheus accepts them, and so do we. Only a broken percent-escape
// is an error, reported against the parameter it appears in.
Result<std::string> NormalizeQuery(std::string_view query) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?";
  std::string out;
  out.reserve(query.size());
  for (std::size_t i = 0; i < query.size(); ++i) {
    auto c = static_cast<unsigned char>(query[i]);
    if (c == '%') {
      if (i + 2 >= query.size() || kHex.find(query[i + 1]) == std::string_view::npos ||
          kHex.find(query[i + 2]) == std::string_view::npos) {
        std::size_t begin = query.rfind('&', i);
        begin = begin == std::string_view::npos ? 0 : begin + 1;
        std::string_view key = query.substr(begin, query.find('=', begin) - begin);
        if (key.size() > 64 || key.find('%') != std::string_view::npos) key = "";
        return BadRequest(std::string(key), "invalid percent-encoding in the query string");
      }
      out += query.substr(i, 3);
      i += 2;
    } else if (std::isalnum(c) != 0 ||
               kAllowed.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(c));
    }
  }
  return out;
}

}  // namespace

Result<QueryParams> ParseQueryString(std::string_view raw_query) {
  Result<std::string> normalized = NormalizeQuery(raw_query);
  if (!normalized.ok()) return std::move(normalized).error();
  std::string_view query = *normalized;
  if (!boost::urls::parse_query(query)) {
    return BadRequest("", "the query string is not valid");
  }
  QueryParams params;
  // params_view decodes '+' as a space, as HTML forms and Prometheus do.
  for (const boost::urls::param& p : boost::urls::params_view(query)) {
    if (p.key.empty() && !p.has_value) continue;  // "a=1&&b=2"
    params.emplace_back(p.key, p.value);
  }
  return params;
}

Result<std::string> DecodePathSegment(std::string_view segment, std::string_view param) {
  std::string out;
  out.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out += segment[i];
      continue;
    }
    if (i + 2 >= segment.size() || kHex.find(segment[i + 1]) == std::string_view::npos ||
        kHex.find(segment[i + 2]) == std::string_view::npos) {
      return BadRequest(std::string(param), "invalid percent-encoding in the path");
    }
    out += static_cast<char>(HexValue(segment[i + 1]) * 16 + HexValue(segment[i + 2]));
    i += 2;
  }
  return out;
}

}  // namespace nfmetrics::http
