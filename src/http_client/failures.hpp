// What a failed exchange with the server means to the caller: an Error naming the server (peer
// name and origin) and saying what happened in words, and which failures of a pooled connection
// only mean the server closed it while it sat idle.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>

#include "http_client/tls.hpp"
#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::http_client {

// The server, as messages name it.
struct Peer {
  std::string name;    // "Prometheus"
  std::string origin;  // "https://host:port"
  Duration timeout;
  std::size_t max_response_bytes;
  bool client_certificate;  // one is configured
};

// kUpstreamTimeout at the deadline; kUpstreamError for an answer over the size limit or cut short
// once it began; kUpstreamUnavailable when nothing came back (refused, reset, closed).
Error MapFailure(const Peer& peer, const boost::system::error_code& ec, bool response_started,
                 bool tls);

// A failed TLS handshake: a certificate that did not verify, a client certificate refused, or the
// network.
Error HandshakeFailure(const Peer& peer, TlsStream& stream, const boost::system::error_code& ec);

// Errors a pooled connection shows when the server closed it while it sat idle: worth one retry
// on a fresh connection.
bool IsStaleConnectionError(const boost::system::error_code& ec);

}  // namespace nfmetrics::http_client
