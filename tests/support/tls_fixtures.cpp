#include "support/tls_fixtures.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <stdexcept>

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void Fail(const std::string& what) {
  char reason[256] = "unknown reason";
  if (unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(fmt::format("test PKI: {}: {}", what, reason));
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) Fail("EC key generation");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr || !X509_add_ext(cert, extension, -1)) Fail(value);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, signed by issuer_key (self-signed when issuer is
// null), with the given extensions as (nid, value) pairs.
Cert NewCert(const char* common_name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
             long serial, std::initializer_list<std::pair<int, const char*>> extensions) {
  Cert cert(X509_new());
  if (!cert) Fail("X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  for (const auto& [nid, value] : extensions) {
    AddExtension(cert.get(), issuer ? issuer : cert.get(), nid, value);
  }
  if (!X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256())) Fail("X509_sign");
  return cert;
}

void WritePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  if (!bio) Fail("cannot write " + path.string());
  const bool written =
      cert ? PEM_write_bio_X509(bio.get(), cert)
           : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (!written) Fail("cannot write " + path.string());
}

Cert NewCa(const char* name, EVP_PKEY* key, long serial) {
  return NewCert(name, key, nullptr, nullptr, serial,
                 {{NID_basic_constraints, "critical,CA:TRUE"},
                  {NID_key_usage, "critical,keyCertSign,cRLSign"},
                  {NID_subject_key_identifier, "hash"}});
}

}  // namespace

TestPki WriteTestPki(const std::filesystem::path& dir) {
  TestPki pki{dir / "ca.pem",     dir / "server.pem",     dir / "server-key.pem",
              dir / "client.pem", dir / "client-key.pem", dir / "other-ca.pem"};
  Key ca_key = NewKey();
  Cert ca = NewCa("nfmetrics test CA", ca_key.get(), 1);
  Key server_key = NewKey();
  Cert server = NewCert("127.0.0.1", server_key.get(), ca.get(), ca_key.get(), 2,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "serverAuth"},
                         {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                         {NID_authority_key_identifier, "keyid"}});
  Key client_key = NewKey();
  Cert client = NewCert("nfmetrics-test-client", client_key.get(), ca.get(), ca_key.get(), 3,
                        {{NID_basic_constraints, "critical,CA:FALSE"},
                         {NID_key_usage, "critical,digitalSignature"},
                         {NID_ext_key_usage, "clientAuth"},
                         {NID_authority_key_identifier, "keyid"}});
  Key other_key = NewKey();
  Cert other = NewCa("nfmetrics unrelated CA", other_key.get(), 4);
  WritePem(pki.ca_cert, ca.get(), nullptr);
  WritePem(pki.server_cert, server.get(), nullptr);
  WritePem(pki.server_key, nullptr, server_key.get());
  WritePem(pki.client_cert, client.get(), nullptr);
  WritePem(pki.client_key, nullptr, client_key.get());
  WritePem(pki.other_ca_cert, other.get(), nullptr);
  return pki;
}

std::optional<LoopbackAnswer> SecuredLoopbackGet(unsigned short port, const std::string& target,
                                                 const LoopbackCredentials& credentials,
                                                 std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  if (credentials.tls) {
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.load_verify_file(credentials.ca_file.string());
    if (!credentials.client_cert.empty()) {
      tls.use_certificate_chain_file(credentials.client_cert.string());
      tls.use_private_key_file(credentials.client_key.string(), asio::ssl::context::pem);
    }
  }
  std::optional<LoopbackAnswer> answer;
  auto exchange = [&]<class Stream>(Stream& stream) -> asio::awaitable<void> {
    constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
    beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
    tcp_stream.expires_after(timeout);
    auto [connect_error] = co_await tcp_stream.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port), kUseTuple);
    if (connect_error) co_return;
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      auto [handshake_error] =
          co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
      if (handshake_error) co_return;
    }
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    if (!credentials.authorization.empty()) {
      request.set(http::field::authorization, credentials.authorization);
    }
    request.keep_alive(false);
    auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
    if (write_error) co_return;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::size_t{64} << 20);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    if (read_error) co_return;
    answer =
        LoopbackAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  };
  if (credentials.tls) {
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    asio::co_spawn(ioc, exchange(stream), asio::detached);
    ioc.run();
  } else {
    beast::tcp_stream stream(ioc);
    asio::co_spawn(ioc, exchange(stream), asio::detached);
    ioc.run();
  }
  return answer;
}

}  // namespace nfmetrics::testing
