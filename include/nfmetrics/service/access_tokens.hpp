// The bearer tokens `serve --auth-tokens` accepts and the namespaces each may read. The file holds
// only each token's SHA-256, never the secret; a presented token is hashed and compared with every
// configured digest in constant time.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/k8s_names.hpp"

namespace nfmetrics::service {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest Sha256(std::string_view data);
// Lower-case hex, as `sha256sum` prints it.
std::string Sha256Hex(std::string_view data);

// Who presented a token: the name the operator gave it (what logs show) and what it may read.
struct Caller {
  std::string name;
  bool all_namespaces = false;        // namespaces: ["*"]
  std::vector<Namespace> namespaces;  // sorted, unique; empty when all_namespaces
  // A JWT's caller: when its token is no longer accepted (exp plus the leeway). A token file's
  // callers do not expire.
  std::optional<TimePoint> expires;

  bool MayRead(std::string_view ns) const;
};

class AccessTokens {
 public:
  // The caller whose digest is the presented token's SHA-256, or nullptr. Every configured digest
  // is compared (CRYPTO_memcmp, no early exit), so the time taken depends only on the token's
  // length and the number of tokens, not on which digest matches or how much of it.
  const Caller* Authenticate(std::string_view token) const;

  std::size_t size() const { return entries_.size(); }
  // The callers' names, in file order (for the start-up log).
  std::vector<std::string> Names() const;

 private:
  struct Entry {
    Sha256Digest digest{};
    Caller caller;
  };
  friend Result<AccessTokens> LoadAccessTokens(std::string_view yaml_text, std::string_view source);

  std::vector<Entry> entries_;
};

// The token file:
//   tokens:
//     - name: payments-team          # what logs show instead of the secret
//       sha256: "<64 hex digits>"    # SHA-256 of the bearer token
//       namespaces: [payments]       # or ["*"] for all
// Every key is checked (unknown keys are rejected: the format is ours, a typo must not silently
// widen or narrow access); errors are kBadRequest "<source>: <key path>: <reason>", param
// "auth-tokens". The sha256 value is never echoed: it may be a secret pasted by mistake.
Result<AccessTokens> LoadAccessTokens(std::string_view yaml_text, std::string_view source);
Result<AccessTokens> LoadAccessTokensFile(const std::string& path);

}  // namespace nfmetrics::service
