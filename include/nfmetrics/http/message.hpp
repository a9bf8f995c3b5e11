// The HTTP messages the server reads and writes (Beast), and the few things every handler does
// with them: a JSON answer, gzip when the client takes it, and whether it asked past the caches.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "nfmetrics/http/answer_body.hpp"

namespace nfmetrics::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<AnswerBody>;

// `body` as application/json with the request's HTTP version and keep-alive.
Response JsonResponse(const Request& request, boost::beast::http::status status, std::string body);

// gzip when the client accepts it and the body is worth it; Vary tells caches on the way. An
// answer that already has a Content-Encoding is left as it is.
void Compress(const Request& request, Response& response);

// Cache-Control: no-cache or no-store: the client wants an answer from the engine alone.
bool BypassesCache(const Request& request);

}  // namespace nfmetrics::http
