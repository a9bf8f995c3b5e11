// A blocking HTTP/1.1 client for tests: one request per connection, a deadline on the whole
// exchange, and the answer returned as plain strings so assertions stay readable.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nfmetrics::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
  std::string body;

  // The value of the first header with this (case-insensitive) name, or "".
  std::string Header(std::string_view name) const;
};

// Throws std::runtime_error when the exchange fails (refused, timed out, malformed answer):
// a test that expected an answer then fails with the reason.
HttpResponse HttpRequest(std::string host, unsigned short port, std::string method,
                         std::string target, std::string body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

HttpResponse Get(std::string host, unsigned short port, std::string target);

// The body without its "cache":"hit|partial|miss|bypass" member: what must be identical between
// two answers to the same question, whether or not the results cache served them.
std::string WithoutCache(const std::string& body);

// The data inside a gzip body (zlib's inflate, independent of the server's code); throws
// std::runtime_error when it is not valid gzip.
std::string Gunzip(std::string_view compressed);

}  // namespace nfmetrics::testing
