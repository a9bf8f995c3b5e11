// Makes JWTs for tests: compact JWS signed HS256 with a secret or RS256 with an RSA key made here,
// from header and payload JSON given as text (so that a test can write any claim, well-formed or
// not).
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace nfmetrics::testing {

// Unpadded base64url (RFC 7515 section 2).
std::string Base64Url(std::string_view bytes);

// base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, the first two)).
std::string SignHs256(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret);
// The same with HMAC-SHA512 (HS512).
std::string SignHs512(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret);

// A fresh RSA key pair (2048 bits unless told).
class RsaKeyPair {
 public:
  explicit RsaKeyPair(unsigned bits = 2048);

  // -----BEGIN PUBLIC KEY----- ..., as `openssl rsa -pubout` writes it.
  std::string PublicPem() const;
  // base64url(header) "." base64url(payload) "." base64url(RSASSA-PKCS1-v1_5 SHA-256 signature).
  std::string SignRs256(std::string_view header_json, std::string_view payload_json) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace nfmetrics::testing
