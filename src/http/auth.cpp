#include "nfmetrics/http/auth.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

bool IsToken68Char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

bool RequiresCaller(const AuthConfig& auth, Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kProbe:
    case Endpoint::kDashboard:
      return false;
    case Endpoint::kSelfMetrics:
      return !auth.self_metrics_open;
    case Endpoint::kApi:
      return true;
  }
  return true;
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  std::size_t space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!EqualsIgnoringCase(authorization.substr(0, space), "Bearer")) return std::nullopt;
  std::string_view token = authorization.substr(space);
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  // token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  std::size_t body = 0;
  while (body < token.size() && IsToken68Char(token[body])) ++body;
  if (body == 0) return std::nullopt;
  std::size_t end = body;
  while (end < token.size() && token[end] == '=') ++end;
  if (end != token.size()) return std::nullopt;
  return token;
}

namespace {

Authentication AuthenticateBearer(const service::AccessTokens& tokens,
                                  const service::JwtVerifier* jwt,
                                  const beast_http::fields& headers, TimePoint now) {
  auto [first, last] = headers.equal_range(beast_http::field::authorization);
  if (first == last) return {Credentials::kMissing, nullptr, ""};
  // Two Authorization headers are ambiguous: which one would a proxy on the way have checked?
  if (std::next(first) != last) return {Credentials::kMalformed, nullptr, ""};
  std::optional<std::string_view> token = BearerToken(first->value());
  if (!token) return {Credentials::kMalformed, nullptr, ""};
  if (const service::Caller* caller = tokens.Authenticate(*token)) {
    // Aliasing an empty owner: points at the AuthConfig's caller without owning or counting it.
    using Shared = std::shared_ptr<const service::Caller>;
    return {Credentials::kAccepted, Shared(Shared(), caller), ""};
  }
  if (jwt == nullptr || !service::HasJwtShape(*token)) {
    return {Credentials::kRejected, nullptr, ""};
  }
  Result<service::Caller> caller = jwt->Verify(*token, now);
  if (!caller.ok()) return {Credentials::kRejected, nullptr, std::move(caller).error().message};
  return {Credentials::kAccepted,
          std::make_shared<const service::Caller>(std::move(caller).value()), ""};
}

}  // namespace

Authentication Authenticate(const AuthConfig& auth, const beast_http::fields& headers,
                            TimePoint now) {
  return AuthenticateBearer(auth.tokens, auth.jwt ? &*auth.jwt : nullptr, headers, now);
}

Authentication Authenticate(const service::AccessTokens& tokens,
                            const beast_http::fields& headers) {
  return AuthenticateBearer(tokens, nullptr, headers, TimePoint{});
}

Error UnauthorizedError(Credentials outcome, std::string_view reason) {
  std::string message;
  switch (outcome) {
    case Credentials::kMissing:
    case Credentials::kAccepted:  // not an error; kept total for the compiler
      message = "a bearer token is required: send Authorization: Bearer <token>";
      break;
    case Credentials::kMalformed:
      message = "the Authorization header must be one \"Bearer <token>\"";
      break;
    case Credentials::kRejected:
      message = reason.empty() ? std::string("the bearer token is not valid")
                               : fmt::format("the bearer token is not valid: {}", reason);
      break;
  }
  return Error{ErrorCode::kUnauthorized, std::move(message), ""};
}

std::string BearerChallenge(Credentials outcome) {
  if (outcome == Credentials::kRejected)
    return R"(Bearer realm="nfmetrics", error="invalid_token")";
  return R"(Bearer realm="nfmetrics")";
}

Status AuthorizeNamespace(const service::Caller* caller, const std::optional<std::string>& ns) {
  if (caller == nullptr || caller->all_namespaces) return Ok();
  if (!ns) {
    return Error{ErrorCode::kForbidden,
                 "this query is not confined to one namespace (its catalog entry has no namespace "
                 "filter); only a token for every namespace (\"*\") may run it",
                 ""};
  }
  if (caller->MayRead(*ns)) return Ok();
  return Error{ErrorCode::kForbidden, fmt::format("this token may not read namespace \"{}\"", *ns),
               "namespace"};
}

Status Authorize(const service::Caller* caller, const std::optional<std::string>& ns,
                 std::string_view what) {
  Status allowed = AuthorizeNamespace(caller, ns);
  if (!allowed.ok()) {
    spdlog::info("{}: 403 for token \"{}\": {}", what, caller->name, allowed.error().message);
  }
  return allowed;
}

std::vector<std::string> ReadableNamespaces(const service::Caller* caller,
                                            std::vector<std::string> namespaces) {
  if (caller == nullptr || caller->all_namespaces) return namespaces;
  std::erase_if(namespaces, [&](const std::string& ns) { return !caller->MayRead(ns); });
  return namespaces;
}

}  // namespace nfmetrics::http
