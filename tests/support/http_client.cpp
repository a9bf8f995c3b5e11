// Synchronous Beast calls on a private io_context; tcp_stream's expiry bounds the whole exchange.
#include "support/http_client.hpp"

#include <zlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <regex>
#include <stdexcept>

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  std::string wanted = Lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return {};
}

HttpResponse HttpRequest(std::string host, unsigned short port, std::string method,
                         std::string target, std::string body,
                         std::vector<std::pair<std::string, std::string>> headers,
                         std::chrono::milliseconds timeout) {
  const std::string where = method + " http://" + host + ":" + std::to_string(port) + target;
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    // Synchronous Beast calls ignore tcp_stream's expiry, so each step runs as an async
    // operation on `io`; the one expiry then bounds connect, write and read together.
    boost::system::error_code ec;
    auto run = [&io, &ec] {
      io.restart();
      io.run();
      if (ec) throw boost::system::system_error(ec);
    };
    stream.expires_after(timeout);
    stream.async_connect(resolver.resolve(host, std::to_string(port)),
                         [&](boost::system::error_code e, const auto&) { ec = e; });
    run();

    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    if (request.method() == http::verb::unknown) request.method_string(method);
    request.set(http::field::host, host + ":" + std::to_string(port));
    request.set(http::field::user_agent, "nfmetrics-tests");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();

    http::async_write(stream, request, [&](boost::system::error_code e, std::size_t) { ec = e; });
    run();

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::size_t{1} << 30);
    parser.skip(request.method() == http::verb::head);  // Content-Length without a body
    http::async_read(stream, buffer, parser,
                     [&](boost::system::error_code e, std::size_t) { ec = e; });
    run();

    auto& response = parser.get();
    HttpResponse result;
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      result.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(response.body());
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return result;
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(where + " failed: " + e.code().message());
  }
}

HttpResponse Get(std::string host, unsigned short port, std::string target) {
  return HttpRequest(std::move(host), port, "GET", std::move(target));
}

std::string WithoutCache(const std::string& body) {
  return std::regex_replace(body, std::regex(R"re("cache":"[a-z]+",)re"), "");
}

std::string Gunzip(std::string_view compressed) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("not a complete gzip stream");
  return out;
}

}  // namespace nfmetrics::testing
