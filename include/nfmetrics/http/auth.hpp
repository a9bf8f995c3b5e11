// Bearer tokens on requests (`serve --auth-tokens`): who is calling (401 when nobody valid), and
// whether they may read the namespace a query is confined to (403 when not). The router asks
// RequiresCaller for each endpoint, Authenticate once per request, and AuthorizeNamespace once the
// request's parameters are parsed, with the namespace the query will actually read.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/route.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/jwt.hpp"

namespace nfmetrics::http {

// What `serve --auth-tokens FILE [--jwt-...] [--metrics-auth none]` turns on.
struct AuthConfig {
  service::AccessTokens tokens;  // empty when only JWTs are accepted
  // --jwt-hs256-secret-file / --jwt-rs256-public-key: bearer tokens that are JWTs signed with this
  // key are accepted too (tried after the token file); nullopt when off.
  std::optional<service::JwtVerifier> jwt;
  // --metrics-auth=none: the server's own /metrics answers without a token (a scraper that has
  // none); by default it needs one like every other endpoint but the probes.
  bool self_metrics_open = false;
};

bool RequiresCaller(const AuthConfig& auth, Endpoint endpoint);

enum class Credentials {
  kAccepted,
  kMissing,    // no Authorization header
  kMalformed,  // not "Bearer <token68>", or the header repeated
  kRejected,   // a well-formed bearer token that matches no digest and is no valid JWT
};

struct Authentication {
  Credentials outcome = Credentials::kMissing;
  // Set exactly when kAccepted. A token file's caller belongs to the AuthConfig (not owned here);
  // a JWT's is made for this request and owned by this pointer alone: nothing shared is written.
  std::shared_ptr<const service::Caller> caller;
  std::string reason;  // kRejected as a JWT: why (expired, wrong audience, ...); empty otherwise
};

// The token of an Authorization value "Bearer <token68>" (RFC 7235: the scheme is
// case-insensitive, one or more spaces follow it; RFC 6750's b64token syntax), else nullopt.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// The bearer token matched against the token file's digests, then, when it has a JWT's shape and
// JWTs are on, verified as a JWT at `now`.
Authentication Authenticate(const AuthConfig& auth, const boost::beast::http::fields& headers,
                            TimePoint now);
// The token file only.
Authentication Authenticate(const service::AccessTokens& tokens,
                            const boost::beast::http::fields& headers);

// kUnauthorized, saying what was wrong (never echoing the token); reason: Authentication::reason.
Error UnauthorizedError(Credentials outcome, std::string_view reason = {});
// The WWW-Authenticate value for a 401: Bearer realm="nfmetrics", plus error="invalid_token" when a
// token was presented and is wrong (RFC 6750 section 3).
std::string BearerChallenge(Credentials outcome);

// Ok when there is no caller (auth off), the caller reads every namespace, or `ns` is one of its
// namespaces; kForbidden otherwise, also when the query is confined to no namespace (nullopt).
Status AuthorizeNamespace(const service::Caller* caller, const std::optional<std::string>& ns);

// AuthorizeNamespace, with a refusal logged under the token's name (never the token); `what` says
// which request it was ("sink-latency", "metrics-proxy").
Status Authorize(const service::Caller* caller, const std::optional<std::string>& ns,
                 std::string_view what);

// The namespaces of a list the caller may read: all of them when there is no caller (auth off) or
// it reads every namespace. Listing is not forbidden: a caller sees only its own namespaces.
std::vector<std::string> ReadableNamespaces(const service::Caller* caller,
                                            std::vector<std::string> namespaces);

}  // namespace nfmetrics::http
