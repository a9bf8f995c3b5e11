// The server over TLS (serve --tls-cert/--tls-key): a self-signed certificate made at test time,
// curl verifying the server against it, and a client that speaks plain HTTP to the TLS port being
// closed on without harm to anyone else.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "nfmetrics/http/server.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {
namespace {

namespace fs = std::filesystem;

struct CertificateFiles {
  fs::path cert;
  fs::path key;
};

void Require(bool ok, std::string_view what) {
  if (!ok) throw std::runtime_error(fmt::format("making the test certificate: {}", what));
}

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  Require(extension != nullptr, value);
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A P-256 key and a self-signed certificate for IP 127.0.0.1, valid for an hour, as PEM files in
// `directory` named after `name`.
CertificateFiles MakeSelfSignedCertificate(const fs::path& directory, const std::string& name) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  Require(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("nfmetrics test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
  Require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  CertificateFiles files{directory / (name + "-cert.pem"), directory / (name + "-key.pem")};
  std::unique_ptr<FILE, decltype(&fclose)> cert_out(fopen(files.cert.c_str(), "w"), fclose);
  Require(cert_out && PEM_write_X509(cert_out.get(), cert.get()) == 1, "writing the certificate");
  std::unique_ptr<FILE, decltype(&fclose)> key_out(fopen(files.key.c_str(), "w"), fclose);
  Require(key_out && PEM_write_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                          nullptr) == 1,
          "writing the key");
  return files;
}

// Runs a shell command; its standard output.
std::string Run(const std::string& command) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("popen: " + command);
  std::string out;
  std::array<char, 4096> chunk{};
  while (std::size_t n = fread(chunk.data(), 1, chunk.size(), pipe.get()))
    out.append(chunk.data(), n);
  return out;
}

// curl verifying the server with `ca`: "<status> <body>", or curl's error text.
std::string CurlHttps(unsigned short port, const fs::path& ca, std::string_view path) {
  return Run(
      fmt::format("curl -sS --max-time 10 --cacert {} -w ' %{{http_code}}' "
                  "https://127.0.0.1:{}{} 2>&1",
                  ca.string(), port, path));
}

FakeUpstream::Handler EmptyMatrix() {
  return [](const RecordedRequest&) {
    return Reply::Json(R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
  };
}

class ServerTls : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / fmt::format("nfmetrics-tls-{}", getpid());
    fs::create_directories(directory_);
    files_ = MakeSelfSignedCertificate(directory_, "server");
  }
  void TearDown() override { fs::remove_all(directory_); }

  fs::path directory_;
  CertificateFiles files_;
};

TEST_F(ServerTls, ServesHttpsThatVerifiesAgainstItsCertificate) {
  auto tls = http::MakeTlsContext(files_.cert.string(), files_.key.string());
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  FakeUpstream upstream(EmptyMatrix());
  InProcessOptions options;
  options.server.tls = *tls;
  InProcessApi api(upstream.base_url(), options);

  EXPECT_EQ(CurlHttps(api.port(), files_.cert, "/healthz"), R"({"status":"ok"} 200)");
  std::string metric = CurlHttps(
      api.port(), files_.cert,
      "'/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=1795467600&end=1795471200'");
  EXPECT_TRUE(metric.ends_with(" 200")) << metric;
  // Another certificate is not trusted for it: the client refuses.
  CertificateFiles other = MakeSelfSignedCertificate(directory_, "other");
  std::string refused = CurlHttps(api.port(), other.cert, "/healthz");
  EXPECT_FALSE(refused.ends_with(" 200")) << refused;
  EXPECT_EQ(CurlHttps(api.port(), files_.cert, "/healthz"), R"({"status":"ok"} 200)");
}

TEST_F(ServerTls, ClosesOnPlainHttpAndKeepsServing) {
  auto tls = http::MakeTlsContext(files_.cert.string(), files_.key.string());
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  FakeUpstream upstream(EmptyMatrix());
  InProcessOptions options;
  options.server.tls = *tls;
  InProcessApi api(upstream.base_url(), options);

  EXPECT_THROW(
      HttpRequest("127.0.0.1", api.port(), "GET", "/healthz", "", {}, std::chrono::seconds(5)),
      std::exception);
  EXPECT_EQ(CurlHttps(api.port(), files_.cert, "/healthz"), R"({"status":"ok"} 200)");
}

TEST_F(ServerTls, RefusesFilesThatAreNotACertificateAndItsKeyNamingTheFlag) {
  auto missing = http::MakeTlsContext((directory_ / "absent.pem").string(), files_.key.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().param, "tls-cert");
  EXPECT_NE(missing.error().message.find("absent.pem"), std::string::npos);

  auto key_as_cert = http::MakeTlsContext(files_.key.string(), files_.key.string());
  ASSERT_FALSE(key_as_cert.ok());
  EXPECT_EQ(key_as_cert.error().param, "tls-cert");

  auto cert_as_key = http::MakeTlsContext(files_.cert.string(), files_.cert.string());
  ASSERT_FALSE(cert_as_key.ok());
  EXPECT_EQ(cert_as_key.error().param, "tls-key");

  CertificateFiles other = MakeSelfSignedCertificate(directory_, "other");
  auto mismatched = http::MakeTlsContext(files_.cert.string(), other.key.string());
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().param, "tls-key");
  EXPECT_NE(mismatched.error().message.find("not the private key"), std::string::npos)
      << mismatched.error().message;
}

}  // namespace
}  // namespace nfmetrics::testing
