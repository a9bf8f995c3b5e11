// What the tests of TLS and credentials towards the backend need: a throw-away PKI (a CA, a server
// certificate for 127.0.0.1 and localhost, a client certificate, and an unrelated CA) written as
// PEM files with the OpenSSL C API, and a loopback GET that speaks TLS and sends credentials, for
// a harness to see whether a secured server is up. Self-contained: nothing here uses nfmetrics'
// own client.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "support/harness_common.hpp"

namespace nfmetrics::testing {

struct TestPki {
  std::filesystem::path ca_cert;      // signed server_cert and client_cert
  std::filesystem::path server_cert;  // SAN IP:127.0.0.1, DNS:localhost; serverAuth
  std::filesystem::path server_key;
  std::filesystem::path client_cert;  // CN nfmetrics-test-client; clientAuth
  std::filesystem::path client_key;
  std::filesystem::path other_ca_cert;  // a CA that signed nothing here: the "wrong CA"
};

// Generates the PKI into `dir` (P-256 keys, valid from an hour ago for a day). Throws
// std::runtime_error with OpenSSL's reason on failure.
TestPki WriteTestPki(const std::filesystem::path& dir);

// How to reach a secured server on loopback.
struct LoopbackCredentials {
  bool tls = false;
  std::filesystem::path ca_file;  // verifies the server when tls
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::string authorization;  // the Authorization header value, if any
};

// One GET to 127.0.0.1:port with `credentials`; nullopt when nothing complete came back.
std::optional<LoopbackAnswer> SecuredLoopbackGet(
    unsigned short port, const std::string& target, const LoopbackCredentials& credentials,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace nfmetrics::testing
