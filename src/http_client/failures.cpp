#include "http_client/failures.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>

namespace nfmetrics::http_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

std::string FormatTimeout(Duration timeout) {
  if (timeout.count() % 1000 == 0) return fmt::format("{}s", timeout.count() / 1000);
  return fmt::format("{}ms", timeout.count());
}

std::string LowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string DescribeNetworkError(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset";
  if (ec == asio::error::eof || ec == http::error::end_of_stream) {
    return "connection closed before any response";
  }
  if (ec == ssl::error::stream_truncated) return "TLS connection closed before any response";
  return LowerFirst(ec.message());
}

Error ClientCertificateRefused(const Peer& peer, const error_code& ec) {
  return Error{ErrorCode::kUpstreamUnavailable,
               fmt::format("{} at {} refused the TLS connection: it wants a client "
                           "certificate it trusts, and {} ({})",
                           peer.name, peer.origin,
                           !peer.client_certificate ? "none is configured" : "did not accept ours",
                           DescribeNetworkError(ec)),
               {}};
}

}  // namespace

Error MapFailure(const Peer& peer, const error_code& ec, bool response_started, bool tls) {
  if (ec == beast::error::timeout) {
    return Error{ErrorCode::kUpstreamTimeout,
                 fmt::format("{} at {} did not answer within {}", peer.name, peer.origin,
                             FormatTimeout(peer.timeout)),
                 {}};
  }
  if (ec == http::error::body_limit) {
    return Error{ErrorCode::kUpstreamError,
                 fmt::format("{} answered more than {} bytes, the configured limit", peer.name,
                             peer.max_response_bytes),
                 {}};
  }
  if (tls && !response_started && IsClientCertificateAlert(ec)) {
    return ClientCertificateRefused(peer, ec);
  }
  if (!response_started) {
    return Error{
        ErrorCode::kUpstreamUnavailable,
        fmt::format("cannot reach {} at {}: {}", peer.name, peer.origin, DescribeNetworkError(ec)),
        {}};
  }
  return Error{ErrorCode::kUpstreamError,
               fmt::format("{} at {} sent an incomplete or malformed HTTP response: {}", peer.name,
                           peer.origin, ec.message()),
               {}};
}

Error HandshakeFailure(const Peer& peer, TlsStream& stream, const error_code& ec) {
  if (ec == beast::error::timeout) return MapFailure(peer, ec, false, true);
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    return Error{ErrorCode::kUpstreamUnavailable,
                 fmt::format("TLS handshake with {} at {} failed: certificate "
                             "verification failed: {} (is the right CA file configured?)",
                             peer.name, peer.origin, X509_verify_cert_error_string(verify)),
                 {}};
  }
  if (IsClientCertificateAlert(ec)) return ClientCertificateRefused(peer, ec);
  return Error{ErrorCode::kUpstreamUnavailable,
               fmt::format("TLS handshake with {} at {} failed: {}", peer.name, peer.origin,
                           DescribeNetworkError(ec)),
               {}};
}

bool IsStaleConnectionError(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
         ec == ssl::error::stream_truncated;
}

}  // namespace nfmetrics::http_client
