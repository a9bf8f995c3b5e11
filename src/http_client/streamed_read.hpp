// Reading an answer that may never end (Server-Sent Events) for HttpTransport::SendStreamed: the
// header within the request's deadline, then a 2xx body handed over piece by piece as each read
// returns, each read allowed the idle timeout; any other status read whole, as Send would.
#pragma once

#include <fmt/format.h>

#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "http_client/failures.hpp"
#include "nfmetrics/http_client/http_transport.hpp"

namespace nfmetrics::http_client {

// What one read of a streamed body may hold at most; a piece is what one read returned.
inline constexpr std::size_t kStreamPieceBytes = std::size_t{16} * 1024;

// The connection broke, or fell silent, after the head of a 2xx answer.
inline Error StreamInterrupted(const Peer& peer, const boost::system::error_code& ec,
                               Duration idle_timeout) {
  if (ec == boost::beast::error::timeout) {
    return Error{ErrorCode::kUpstreamTimeout,
                 fmt::format("{} at {} sent nothing for {}", peer.name, peer.origin,
                             idle_timeout.count() % 1000 == 0
                                 ? fmt::format("{} s", idle_timeout.count() / 1000)
                                 : fmt::format("{} ms", idle_timeout.count())),
                 {}};
  }
  return Error{ErrorCode::kUpstreamUnavailable,
               fmt::format("{} at {} broke off the answer: {}", peer.name, peer.origin,
                           ec == boost::beast::http::error::partial_message
                               ? "the connection closed before the body's end"
                               : ec.message()),
               {}};
}

// After the request was written: the head within `deadline`, then the body as the contract of
// SendStreamed says.
template <class Stream>
boost::asio::awaitable<Result<HttpAnswer>> ReadStreamed(
    Stream& stream, std::chrono::steady_clock::time_point deadline, BodyStream& body,
    const Peer& peer, bool tls) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  boost::system::error_code ec;
  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // an error answer is limited below, a stream is endless
  auto& lowest = boost::beast::get_lowest_layer(stream);
  lowest.expires_at(deadline);
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return MapFailure(peer, ec, parser.got_some() || buffer.size() > 0, tls);

  HttpAnswer head;
  head.status = parser.get().result_int();
  for (const auto& field : parser.get())
    head.headers.emplace_back(field.name_string(), field.value());
  const bool streamed = head.status >= 200 && head.status <= 299;
  if (streamed && !body.on_head(head)) co_return head;

  std::array<char, kStreamPieceBytes> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    if (streamed) {
      lowest.expires_after(body.idle_timeout);
    } else {
      lowest.expires_at(deadline);
    }
    co_await http::async_read_some(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      if (streamed) co_return StreamInterrupted(peer, ec, body.idle_timeout);
      co_return MapFailure(peer, ec, true, tls);
    }
    const std::string_view got(piece.data(), piece.size() - parser.get().body().size);
    if (got.empty()) continue;
    if (streamed) {
      if (!body.on_piece(got)) break;
    } else {
      if (head.body.size() + got.size() > peer.max_response_bytes) {
        co_return MapFailure(peer, http::error::body_limit, true, tls);
      }
      head.body += got;
    }
  }
  co_return head;
}

}  // namespace nfmetrics::http_client
