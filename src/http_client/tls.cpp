#include "http_client/tls.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <cctype>

namespace nfmetrics::http_client {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;

std::string LowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// What OpenSSL has to say about the last failure, e.g. "no start line" for a file that is not PEM.
std::string TlsErrorText(const error_code& ec) {
  std::string text = ec.message();
  return text.empty() ? "unknown error" : LowerFirst(std::move(text));
}

// An encrypted key would make OpenSSL prompt on the terminal; fail instead.
std::string NoPassword(std::size_t, ssl::context::password_purpose) { return {}; }

}  // namespace

bool IsClientCertificateAlert(const error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return false;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
         reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
         reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
         reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED;
}

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const HttpTransportOptions& options) {
  auto param = [&](std::string_view name) { return options.param_prefix + std::string(name); };
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  context->set_password_callback(NoPassword, ec);
  if (options.insecure_skip_verify && !options.ca_file.empty()) {
    return BadRequest(param("tls-insecure-skip-verify"),
                      "contradicts a CA file: verify the server with it, or skip verification, "
                      "not both");
  }
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return BadRequest(param("ca-file"), fmt::format("cannot load CA certificates from {}: {}",
                                                      options.ca_file, TlsErrorText(ec)));
    }
  } else if (!options.insecure_skip_verify) {
    context->set_default_verify_paths(ec);
  }
  if (ec) {
    return BadRequest(param("ca-file"), fmt::format("cannot load the system's CA certificates: {}",
                                                    TlsErrorText(ec)));
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return options.client_key_file.empty()
               ? BadRequest(param("client-key"), "is required with a client certificate")
               : BadRequest(param("client-cert"), "is required with a client key");
  }
  if (!options.client_cert_file.empty()) {
    context->use_certificate_chain_file(options.client_cert_file, ec);
    if (ec) {
      return BadRequest(param("client-cert"),
                        fmt::format("cannot load a PEM certificate from {}: {}",
                                    options.client_cert_file, TlsErrorText(ec)));
    }
    context->use_private_key_file(options.client_key_file, ssl::context::pem, ec);
    if (ec) {
      return BadRequest(param("client-key"),
                        fmt::format("cannot load an unencrypted PEM private key from {}: {}",
                                    options.client_key_file, TlsErrorText(ec)));
    }
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      ERR_clear_error();
      return BadRequest(param("client-key"),
                        fmt::format("{} is not the key of the certificate in {}",
                                    options.client_key_file, options.client_cert_file));
    }
  }
  context->set_verify_mode(options.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer, ec);
  return context;
}

Status RejectTlsOptionsWithoutTls(const HttpTransportOptions& options) {
  auto param = [&](std::string_view name) { return options.param_prefix + std::string(name); };
  auto reject = [&](std::string param) {
    return BadRequest(std::move(param),
                      fmt::format("applies only to an https:// {} URL, and \"{}\" is "
                                  "plain HTTP",
                                  options.peer_name, options.base_url));
  };
  if (!options.ca_file.empty()) return reject(param("ca-file"));
  if (!options.client_cert_file.empty()) return reject(param("client-cert"));
  if (!options.client_key_file.empty()) return reject(param("client-key"));
  if (options.insecure_skip_verify) return reject(param("tls-insecure-skip-verify"));
  return std::monostate{};
}

std::optional<Error> PrepareHandshake(TlsStream& stream, const std::string& host,
                                      bool insecure_skip_verify) {
  error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  const bool is_address = !not_an_address;
  // SNI carries host names only (RFC 6066); an IP address is checked against the certificate's
  // IP SANs.
  if (!is_address && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    ERR_clear_error();
    return Error{ErrorCode::kInternal, "cannot set the TLS server name", {}};
  }
  if (!insecure_skip_verify) {
    error_code ignored;  // fails only for a null callback
    stream.set_verify_callback(
        [check = ssl::host_name_verification(host), ip = is_address](bool preverified,
                                                                     ssl::verify_context& context) {
          if (check(preverified, context)) return true;
          // Say why, so the handshake error reads "IP address mismatch" rather than
          // "unspecified certificate verification error".
          X509_STORE_CTX* store = context.native_handle();
          if (preverified) {
            X509_STORE_CTX_set_error(
                store, ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
          }
          return false;
        },
        ignored);
  }
  return std::nullopt;
}

}  // namespace nfmetrics::http_client
