// Retries run inside the first attempt's deadline: the first attempt is bounded by the wrapped
// client's own deadline (the same length, started at the same moment), every later one is raced
// against what is left of it. A later attempt that loses the race is left to finish on its own
// (at its own deadline at the latest) rather than cancelled half-way through the wrapped
// client's connection handling; its answer is dropped.
#include "nfmetrics/prometheus/resilient_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <random>
#include <utility>

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

template <class T>
using Call = std::function<asio::awaitable<Result<T>>()>;

std::string FormatDeadline(Duration deadline) {
  if (deadline.count() % 1000 == 0) return fmt::format("{}s", deadline.count() / 1000);
  return fmt::format("{}ms", deadline.count());
}

// Full jitter (uniform in [0, min(cap, base * 2^retry)]): clients that failed together do not
// come back together.
Duration Backoff(const ResilienceOptions& options, int retry) {
  const Duration ceiling = std::min(
      options.backoff_cap, options.backoff_base * (std::int64_t{1} << std::min(retry, 20)));
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<Duration::rep> pick(0, std::max<Duration::rep>(0, ceiling.count()));
  return Duration(pick(random));
}

// One later attempt, run on its own so that the caller can stop waiting for it.
template <class T>
struct Attempt {
  explicit Attempt(const asio::any_io_executor& executor) : done(executor, 1) {}
  std::optional<Result<T>> result;
  asio::experimental::concurrent_channel<void(error_code)> done;
};

template <class T>
asio::awaitable<void> RunAttempt(Call<T> call, std::shared_ptr<Attempt<T>> attempt) {
  try {
    attempt->result.emplace(co_await call());
  } catch (const std::exception& e) {
    attempt->result.emplace(
        Error{ErrorCode::kInternal, fmt::format("Prometheus request failed: {}", e.what()), {}});
  }
  attempt->done.try_send(error_code());
}

template <class T>
asio::awaitable<Result<T>> WithinDeadline(Call<T> call, Clock::time_point deadline, Duration total,
                                          int attempts) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto attempt = std::make_shared<Attempt<T>>(executor);
  asio::co_spawn(executor, RunAttempt<T>(std::move(call), attempt), asio::detached);
  asio::steady_timer timer(executor, deadline);
  auto outcome = co_await (attempt->done.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                           timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (outcome.index() == 0 && attempt->result) co_return std::move(*attempt->result);
  co_return Error{ErrorCode::kUpstreamTimeout,
                  fmt::format("Prometheus did not answer within {} ({} attempts)",
                              FormatDeadline(total), attempts),
                  {}};
}

}  // namespace

bool IsRetryable(const Error& error) {
  if (error.code == ErrorCode::kUpstreamUnavailable) return true;
  return error.code == ErrorCode::kUpstreamError &&
         (error.upstream_status == 502 || error.upstream_status == 503 ||
          error.upstream_status == 504);
}

bool IsBackendFailure(const Error& error) {
  if (error.code == ErrorCode::kUpstreamUnavailable || error.code == ErrorCode::kUpstreamTimeout) {
    return true;
  }
  return error.code == ErrorCode::kUpstreamError && error.upstream_status >= 500;
}

namespace {

// What a call the open circuit refused is answered: 503 with Retry-After.
Error CircuitRefusal(const CircuitBreaker::Admission& admission) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(admission.retry_after).count();
  return Error{ErrorCode::kCircuitOpen,
               fmt::format("the backend is unavailable ({} consecutive failures); answering "
                           "without asking it until a probe succeeds",
                           admission.consecutive_failures),
               {},
               static_cast<int>(std::max<std::int64_t>(1, seconds))};
}

template <class T>
asio::awaitable<Result<T>> Run(CircuitBreaker& breaker, const ResilienceOptions& options,
                               Call<T> call, int max_retries) {
  using Outcome = CircuitBreaker::Outcome;
  const Clock::time_point deadline = Clock::now() + options.deadline;
  std::optional<Result<T>> last;  // the previous attempt's failure
  for (int attempt = 0;; ++attempt) {
    const CircuitBreaker::Admission admission = breaker.Admit(Clock::now());
    if (!admission.allowed) {
      // The circuit opened while this call was sleeping: its own failure says more.
      if (last) co_return std::move(*last);
      co_return CircuitRefusal(admission);
    }
    std::optional<Result<T>> result;
    try {
      if (attempt == 0) {
        result.emplace(co_await call());
      } else {
        result.emplace(co_await WithinDeadline(call, deadline, options.deadline, attempt + 1));
      }
    } catch (...) {
      breaker.Record(Outcome::kUnknown, admission.probe, Clock::now());
      throw;
    }
    const bool failed = !result->ok() && IsBackendFailure(result->error());
    breaker.Record(failed ? Outcome::kFailed : Outcome::kSucceeded, admission.probe, Clock::now());
    if (result->ok() || attempt >= max_retries || !IsRetryable(result->error())) {
      co_return std::move(*result);
    }
    const Duration sleep = Backoff(options, attempt);
    if (Clock::now() + sleep >= deadline) co_return std::move(*result);
    if (options.on_retry) options.on_retry();
    asio::steady_timer timer(co_await asio::this_coro::executor, sleep);
    co_await timer.async_wait(asio::use_awaitable);
    last = std::move(result);
  }
}

}  // namespace

ResilientClient::ResilientClient(Client& client, ResilienceOptions options)
    : client_(client),
      options_(std::move(options)),
      breaker_(std::make_unique<CircuitBreaker>(
          CircuitBreakerOptions{.failures_to_open = options_.circuit_failures,
                                .open_for = options_.circuit_open_for,
                                .on_state = options_.on_circuit_state})) {
  if (options_.on_circuit_state) options_.on_circuit_state(CircuitState::kClosed);
}

ResilientClient::~ResilientClient() = default;

// The query is copied into the call: a later attempt may outlive the caller's wait for it.
asio::awaitable<Result<Matrix>> ResilientClient::QueryRange(const RangeQuery& query) {
  Call<Matrix> call = [&client = client_, copy = std::make_shared<const RangeQuery>(query)] {
    return client.QueryRange(*copy);
  };
  co_return co_await Run(*breaker_, options_, std::move(call), options_.max_retries);
}

asio::awaitable<Result<std::vector<std::string>>> ResilientClient::LabelValues(
    const LabelValuesQuery& query) {
  Call<std::vector<std::string>> call = [&client = client_,
                                         copy = std::make_shared<const LabelValuesQuery>(query)] {
    return client.LabelValues(*copy);
  };
  co_return co_await Run(*breaker_, options_, std::move(call), options_.max_retries);
}

asio::awaitable<Status> ResilientClient::CheckReady() {
  Call<std::monostate> call = [&client = client_] { return client.CheckReady(); };
  co_return co_await Run(*breaker_, options_, std::move(call), /*max_retries=*/0);
}

CircuitState ResilientClient::circuit_state() const { return breaker_->state(); }

}  // namespace nfmetrics::prometheus
