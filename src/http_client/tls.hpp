// TLS towards the server: the client context the options describe (the server verified against a
// CA file or the system's store, a client certificate for mutual TLS), and, per connection, SNI
// and the check that the certificate names the URL's host.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/http_client/http_transport.hpp"

namespace nfmetrics::http_client {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Errors: kBadRequest naming the option (param_prefix + "ca-file", "client-cert", "client-key",
// "tls-insecure-skip-verify") and the file.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(
    const HttpTransportOptions& options);

// TLS options with an http:// URL are an error: the operator meant TLS, and silently sending in
// clear what they meant to protect would be worse than not starting.
Status RejectTlsOptionsWithoutTls(const HttpTransportOptions& options);

// Before the handshake on `stream`: SNI for a host name (never an IP address), and unless
// verification is off, a certificate check that says why it failed ("IP address mismatch").
std::optional<Error> PrepareHandshake(TlsStream& stream, const std::string& host,
                                      bool insecure_skip_verify);

// An alert by which the server refuses our client certificate, or its absence: in TLS 1.3 it
// comes after the handshake, on the first read.
bool IsClientCertificateAlert(const boost::system::error_code& ec);

}  // namespace nfmetrics::http_client
