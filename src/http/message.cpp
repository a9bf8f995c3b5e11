#include "nfmetrics/http/message.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "http/compression.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;

Response JsonResponse(const Request& request, beast_http::status status, std::string body) {
  Response response{status, request.version()};
  response.set(beast_http::field::server, "nfmetrics");
  response.set(beast_http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

void Compress(const Request& request, Response& response) {
  if (response.body().events() != nullptr) return;  // an event stream is written as it comes
  if (response.body().size() <= kMinCompressedBytes) return;
  if (response.find(beast_http::field::content_encoding) != response.end()) return;  // done
  response.set(beast_http::field::vary, "Accept-Encoding");
  auto accept = request.find(beast_http::field::accept_encoding);
  if (accept == request.end() || !AcceptsGzip(accept->value())) return;
  std::optional<std::string> compressed = Gzip(response.body().view());
  if (!compressed) return;
  response.body() = std::move(*compressed);
  response.set(beast_http::field::content_encoding, "gzip");
  response.prepare_payload();
}

bool BypassesCache(const Request& request) {
  auto header = request.find(beast_http::field::cache_control);
  if (header == request.end()) return false;
  std::string value(header->value());
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value.find("no-cache") != std::string::npos || value.find("no-store") != std::string::npos;
}

}  // namespace nfmetrics::http
