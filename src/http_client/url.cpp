#include "http_client/url.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <charconv>

namespace nfmetrics::http_client {
namespace {

bool IsValidPort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535;
}

}  // namespace

Result<Origin> ParseBaseUrl(std::string_view base_url, const std::string& url_param) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) {
    return BadRequest(url_param, fmt::format("\"{}\" is not a valid URL: {}", base_url,
                                             parsed.error().message()));
  }
  const boost::urls::url_view& url = *parsed;
  auto reject = [&](std::string_view why) {
    return BadRequest(url_param, fmt::format("\"{}\": {}", base_url, why));
  };
  const bool tls = url.scheme_id() == boost::urls::scheme::https;
  if (!tls && url.scheme_id() != boost::urls::scheme::http) {
    return reject("the scheme must be http or https");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return reject("the URL has no host");
  if (url.has_userinfo()) return reject("credentials in the URL are not supported");
  if (url.has_query()) return reject("the URL must not have a query");
  if (url.has_fragment()) return reject("the URL must not have a fragment");
  bool explicit_port = url.has_port() && !url.port().empty();
  if (explicit_port && !IsValidPort(url.port())) return reject("the port must be 1-65535");

  Origin origin;
  origin.tls = tls;
  origin.host = url.host_address();
  origin.port = explicit_port ? std::string(url.port()) : (tls ? "443" : "80");
  origin.host_header = url.encoded_host_and_port();
  origin.origin = (tls ? "https://" : "http://") + origin.host_header;
  origin.path_prefix = url.encoded_path();
  while (!origin.path_prefix.empty() && origin.path_prefix.back() == '/') {
    origin.path_prefix.pop_back();
  }
  return origin;
}

}  // namespace nfmetrics::http_client
