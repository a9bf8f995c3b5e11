// Error and Result<T>: how every layer reports a failure caused by input or by the upstream.
// One closed set of codes; the HTTP layer maps each to a status in exactly one place.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace nfmetrics {

enum class ErrorCode {
  kBadRequest,
  kUnauthorized,  // no valid bearer token (with --auth-tokens)
  kForbidden,     // a valid token that may not read the namespace asked for
  kNotFound,
  kMethodNotAllowed,
  kTooManySeries,  // the answer would hold more series than --max-series (422)
  kRateLimited,    // the caller's token bucket is empty (429, with Retry-After)
  kOverloaded,     // --max-in-flight requests are already being served (503, with Retry-After)
  kCircuitOpen,    // the backend failed repeatedly; answered fast until a probe succeeds (503)
  kUpstreamUnavailable,  // connection refused or reset before an answer
  kUpstreamError,    // Prometheus said error, or answered something that is not a valid response
  kUpstreamTimeout,  // no complete answer within the configured timeout
  kPayloadTooLarge,  // a request body over --max-body-bytes (413)
  kHeaderFieldsTooLarge,  // a request line plus header fields over --max-header-bytes (431)
  kNotReady,              // /readyz: the backend does not answer (503); `cause` says why
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string param;            // set only when one request parameter is at fault
  int retry_after_seconds = 0;  // > 0: sent as Retry-After (429, 503)
  // kUpstreamError only: the backend's HTTP status when it answered with a non-2xx one (a 503 is
  // worth retrying, a 400 is not); 0 otherwise.
  unsigned upstream_status = 0;
  // kNotReady only: the error the readiness check failed with, whose code the answer names.
  std::optional<ErrorCode> cause;
};

inline Error BadRequest(std::string param, std::string message) {
  return Error{ErrorCode::kBadRequest, std::move(message), std::move(param)};
}

// A value or an Error. Small on purpose: construct from either, test with ok(), read with
// value()/error().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<Error>(state_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<Error>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

using Status = Result<std::monostate>;
inline Status Ok() { return std::monostate{}; }

}  // namespace nfmetrics
