// JWT bearer tokens (`serve --jwt-hs256-secret-file` or `--jwt-rs256-public-key`): a compact JWS
// whose signature, alg, exp, nbf, iss and aud are checked, and whose namespaces claim says what the
// caller may read. One key, one algorithm: the header's alg must be the configured key's, so
// neither "none" nor an HMAC keyed with a public key (the alg confusion attack) gets through.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/access_tokens.hpp"

namespace nfmetrics::service {

// How far exp and nbf may be off from our clock: clocks of issuer and server drift apart.
inline constexpr Duration kJwtClockLeeway = std::chrono::seconds(30);

struct JwtOptions {
  std::string issuer;    // iss must equal it; empty: iss is not checked
  std::string audience;  // aud (a string or an array) must hold it; empty: aud is not checked
  std::string namespaces_claim = "namespaces";  // ["ns", ...], or "*" / ["*"] for all
  Duration leeway = kJwtClockLeeway;
};

// Three base64url segments joined by two dots: what is worth verifying as a JWT.
bool HasJwtShape(std::string_view token);

// Immutable once made, so one verifier serves every thread; copies share the key.
class JwtVerifier {
 public:
  // HS256 with this secret (at least 32 bytes, RFC 7518 section 3.2).
  static Result<JwtVerifier> Hs256(std::string_view secret, JwtOptions options);
  // RS256 with this PEM public key ("BEGIN PUBLIC KEY", as `openssl rsa -pubout` writes it; RSA,
  // at least 2048 bits).
  static Result<JwtVerifier> Rs256(std::string_view pem, JwtOptions options);

  // The caller a valid token stands for: name "jwt:<sub>" ("jwt" without sub), namespaces from
  // the claim. kUnauthorized saying why not (never echoing the token) otherwise.
  Result<Caller> Verify(std::string_view token, TimePoint now) const;

  std::string_view algorithm() const;  // "HS256" or "RS256"
  const JwtOptions& options() const { return options_; }

 private:
  struct Key;
  JwtVerifier(std::shared_ptr<const Key> key, JwtOptions options);

  std::shared_ptr<const Key> key_;
  JwtOptions options_;
};

// The flags' files: the HS256 secret is the file's bytes without trailing line breaks. Errors are
// kBadRequest "<path>: <reason>", param the flag.
Result<JwtVerifier> LoadJwtHs256SecretFile(const std::string& path, JwtOptions options);
Result<JwtVerifier> LoadJwtRs256PublicKeyFile(const std::string& path, JwtOptions options);

}  // namespace nfmetrics::service
