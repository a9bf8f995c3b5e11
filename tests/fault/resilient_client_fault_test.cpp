// ResilientClient over the real BeastClient and a FakeUpstream: which failures are retried, that
// retries never outlast the deadline, and the circuit breaker's states; then the same through the
// whole server (503 with Retry-After, /readyz, /metrics).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "nfmetrics/prometheus/beast_client.hpp"
#include "nfmetrics/prometheus/resilient_client.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::prometheus {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::FakeUpstream;
using ::testing::HasSubstr;
using testing::RecordedRequest;
using testing::Reply;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kMatrixBody =
    R"({"status":"success","data":{"resultType":"matrix",)"
    R"("result":[{"metric":{"pod":"p-0"},"values":[[1795467600,"0.25"]]}]}})";

Reply Ok(const RecordedRequest&) { return Reply::Json(kMatrixBody); }
Reply Unavailable(const RecordedRequest&) { return Reply::Text("Service Unavailable", 503); }

RangeQuery SimpleQuery() {
  return RangeQuery{"up", TimePoint(1795467600000ms), TimePoint(1795471200000ms), 60000ms};
}

// A port nobody listens on: bound once to get a free number, then released.
unsigned short UnusedPort() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  unsigned short port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

// A call's result and how long it took: measured when the result arrives, not when io.run()
// returns (a later attempt that lost the race to the deadline may still be running then).
template <class T>
struct Timed {
  std::optional<T> result;
  SteadyClock::duration elapsed{};
};

template <class T>
asio::awaitable<void> StoreTimed(asio::awaitable<T> operation, Timed<T>* out) {
  const auto started = SteadyClock::now();
  out->result.emplace(co_await std::move(operation));
  out->elapsed = SteadyClock::now() - started;
}

template <class T>
void Spawn(asio::io_context& io, asio::awaitable<T> operation, Timed<T>& out) {
  asio::co_spawn(io, StoreTimed(std::move(operation), &out), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
}

class Resilience : public ::testing::Test {
 protected:
  // A BeastClient with deadline `timeout` wrapped in a ResilientClient with the same deadline.
  ResilientClient& MakeClient(const std::string& url, Duration timeout, ResilienceOptions options) {
    BeastClientOptions beast;
    beast.transport.base_url = url;
    beast.transport.timeout = timeout;
    auto client = MakeBeastClient(io_.get_executor(), beast);
    EXPECT_TRUE(client.ok());
    beast_ = std::move(client).value();
    options.deadline = timeout;
    options.on_retry = [this] { ++retries_; };
    options.on_circuit_state = [this](CircuitState state) {
      std::lock_guard lock(mutex_);
      states_.push_back(state);
    };
    resilient_ = std::make_unique<ResilientClient>(*beast_, std::move(options));
    return *resilient_;
  }

  Timed<Result<Matrix>> Query() {
    Timed<Result<Matrix>> out;
    Spawn(io_, resilient_->QueryRange(query_), out);
    io_.restart();
    io_.run();
    EXPECT_TRUE(out.result.has_value());
    return out;
  }

  Timed<Status> Ready() {
    Timed<Status> out;
    Spawn(io_, resilient_->CheckReady(), out);
    io_.restart();
    io_.run();
    EXPECT_TRUE(out.result.has_value());
    return out;
  }

  std::vector<CircuitState> states() {
    std::lock_guard lock(mutex_);
    return states_;
  }

  asio::io_context io_;
  const RangeQuery query_ = SimpleQuery();
  std::unique_ptr<Client> beast_;
  std::unique_ptr<ResilientClient> resilient_;
  std::atomic<int> retries_{0};
  std::mutex mutex_;
  std::vector<CircuitState> states_;  // guarded by mutex_
};

ResilienceOptions RetriesOnly(int retries) {
  return ResilienceOptions{.max_retries = retries, .circuit_failures = 0};
}

ResilienceOptions BreakerOnly(int failures, Duration open_for) {
  return ResilienceOptions{
      .max_retries = 0, .circuit_failures = failures, .circuit_open_for = open_for};
}

TEST_F(Resilience, RetriesA503AndReturnsTheAnswerThatFollows) {
  std::atomic<int> calls{0};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    return calls++ == 0 ? Unavailable(request) : Ok(request);
  });
  MakeClient(upstream.base_url(), 2s, RetriesOnly(2));
  auto answer = Query();
  ASSERT_TRUE(answer.result->ok()) << answer.result->error().message;
  EXPECT_EQ(answer.result->value().series.size(), 1u);
  EXPECT_EQ(upstream.requests().size(), 2u);
  EXPECT_EQ(retries_.load(), 1);
}

TEST_F(Resilience, RetriesAConnectionClosedWithoutAnswer) {
  std::atomic<int> calls{0};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    return calls++ == 0 ? Reply::CloseWithoutResponse() : Ok(request);
  });
  MakeClient(upstream.base_url(), 2s, RetriesOnly(2));
  auto answer = Query();
  ASSERT_TRUE(answer.result->ok()) << answer.result->error().message;
  EXPECT_EQ(upstream.requests().size(), 2u);
}

TEST_F(Resilience, GivesUpAfterTheConfiguredRetriesWithTheLastError) {
  FakeUpstream upstream(Unavailable);
  MakeClient(upstream.base_url(), 5s, RetriesOnly(2));
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(answer.result->error().upstream_status, 503u);
  EXPECT_THAT(answer.result->error().message, HasSubstr("HTTP 503"));
  EXPECT_EQ(upstream.requests().size(), 3u);  // one attempt and two retries
  EXPECT_EQ(retries_.load(), 2);
}

TEST_F(Resilience, RetriesARefusedConnectionAndFailsWithinTheDeadline) {
  const std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort());
  // Many retries and long sleeps: the deadline, not the count, ends the call.
  ResilienceOptions options = RetriesOnly(50);
  options.backoff_base = 100ms;
  options.backoff_cap = 200ms;
  MakeClient(url, 600ms, options);
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_THAT(answer.result->error().message, HasSubstr("connection refused"));
  EXPECT_LE(answer.elapsed, 650ms);
  EXPECT_GE(retries_.load(), 1);
}

TEST_F(Resilience, ARetryThatHangsEndsAtTheFirstAttemptsDeadline) {
  std::atomic<int> calls{0};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    if (calls++ == 0) return Reply::CloseWithoutResponse();
    return Ok(request).WithDelay(3s);
  });
  MakeClient(upstream.base_url(), 500ms, RetriesOnly(2));
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_THAT(answer.result->error().message, HasSubstr("within 500ms (2 attempts)"));
  EXPECT_LE(answer.elapsed, 550ms);
  EXPECT_GE(answer.elapsed, 450ms);
}

TEST_F(Resilience, DoesNotRetryAQueryThePrometheusRefused) {
  FakeUpstream upstream([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"error","errorType":"bad_data","error":"parse error"})", 400);
  });
  MakeClient(upstream.base_url(), 2s, RetriesOnly(2));
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(answer.result->error().upstream_status, 400u);
  EXPECT_EQ(upstream.requests().size(), 1u);
  EXPECT_EQ(retries_.load(), 0);
}

TEST_F(Resilience, DoesNotRetryAPlain500) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Text("boom", 500); });
  MakeClient(upstream.base_url(), 2s, RetriesOnly(2));
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(upstream.requests().size(), 1u);
}

TEST_F(Resilience, DoesNotRetryATimeout) {
  FakeUpstream upstream([](const RecordedRequest& request) { return Ok(request).WithDelay(1s); });
  MakeClient(upstream.base_url(), 300ms, RetriesOnly(2));
  auto answer = Query();
  ASSERT_FALSE(answer.result->ok());
  EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_LE(answer.elapsed, 400ms);
  EXPECT_EQ(upstream.requests().size(), 1u);
  EXPECT_EQ(retries_.load(), 0);
}

TEST_F(Resilience, ReadinessIsNeverRetried) {
  FakeUpstream upstream(Unavailable);
  MakeClient(upstream.base_url(), 2s, RetriesOnly(2));
  auto ready = Ready();
  ASSERT_FALSE(ready.result->ok());
  EXPECT_EQ(upstream.requests().size(), 1u);
}

TEST_F(Resilience, CircuitOpensAfterConsecutiveFailuresAndAnswersFastWithoutTheBackend) {
  FakeUpstream upstream(Unavailable);
  MakeClient(upstream.base_url(), 2s, BreakerOnly(3, 10s));
  for (int i = 0; i < 3; ++i) {
    auto answer = Query();
    ASSERT_FALSE(answer.result->ok());
    EXPECT_EQ(answer.result->error().code, ErrorCode::kUpstreamError);
  }
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  for (int i = 0; i < 5; ++i) {
    auto answer = Query();
    ASSERT_FALSE(answer.result->ok());
    const Error& error = answer.result->error();
    EXPECT_EQ(error.code, ErrorCode::kCircuitOpen);
    EXPECT_EQ(error.message,
              "the backend is unavailable (3 consecutive failures); answering without asking it "
              "until a probe succeeds");
    EXPECT_EQ(error.retry_after_seconds, 10);
    EXPECT_LT(answer.elapsed, 50ms);
  }
  auto ready = Ready();
  ASSERT_FALSE(ready.result->ok());
  EXPECT_EQ(ready.result->error().code, ErrorCode::kCircuitOpen);
  EXPECT_EQ(upstream.requests().size(), 3u);  // none while open
  EXPECT_THAT(states(), ElementsAre(CircuitState::kClosed, CircuitState::kOpen));
}

TEST_F(Resilience, AnAnswerInBetweenResetsTheCount) {
  std::atomic<int> calls{0};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    return calls++ == 2 ? Ok(request) : Unavailable(request);
  });
  MakeClient(upstream.base_url(), 2s, BreakerOnly(3, 10s));
  for (int i = 0; i < 5; ++i) (void)Query();  // fail, fail, ok, fail, fail
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  EXPECT_EQ(upstream.requests().size(), 5u);
}

TEST_F(Resilience, QueriesTheBackendRefusedDoNotOpenTheCircuit) {
  FakeUpstream upstream([](const RecordedRequest&) {
    return Reply::Json(R"({"status":"error","errorType":"bad_data","error":"parse error"})", 400);
  });
  MakeClient(upstream.base_url(), 2s, BreakerOnly(2, 10s));
  for (int i = 0; i < 4; ++i) (void)Query();
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  EXPECT_EQ(upstream.requests().size(), 4u);
}

TEST_F(Resilience, ASuccessfulProbeClosesTheCircuit) {
  std::atomic<bool> failing{true};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    return failing.load() ? Unavailable(request) : Ok(request);
  });
  MakeClient(upstream.base_url(), 2s, BreakerOnly(2, 200ms));
  (void)Query();
  (void)Query();
  ASSERT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  failing = false;
  EXPECT_EQ(Query().result->error().code, ErrorCode::kCircuitOpen);  // still within 200 ms
  EXPECT_EQ(upstream.requests().size(), 2u);
  std::this_thread::sleep_for(250ms);
  auto probe = Query();
  ASSERT_TRUE(probe.result->ok()) << probe.result->error().message;
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  EXPECT_TRUE(Query().result->ok());
  EXPECT_EQ(upstream.requests().size(), 4u);
  EXPECT_THAT(states(), ElementsAre(CircuitState::kClosed, CircuitState::kOpen,
                                    CircuitState::kHalfOpen, CircuitState::kClosed));
}

TEST_F(Resilience, AFailedProbeOpensTheCircuitAgain) {
  FakeUpstream upstream(Unavailable);
  MakeClient(upstream.base_url(), 2s, BreakerOnly(2, 200ms));
  (void)Query();
  (void)Query();
  std::this_thread::sleep_for(250ms);
  auto probe = Query();
  ASSERT_FALSE(probe.result->ok());
  EXPECT_EQ(probe.result->error().code, ErrorCode::kUpstreamError);  // the probe's own failure
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  EXPECT_EQ(Query().result->error().code, ErrorCode::kCircuitOpen);
  EXPECT_EQ(upstream.requests().size(), 3u);
}

TEST_F(Resilience, TheReadinessProbeCanCloseTheCircuit) {
  std::atomic<bool> failing{true};
  FakeUpstream upstream([&](const RecordedRequest&) {
    return failing.load() ? Reply::Text("down", 503)
                          : Reply::Json(R"({"status":"success","data":{}})");
  });
  MakeClient(upstream.base_url(), 2s, BreakerOnly(1, 100ms));
  (void)Query();
  ASSERT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  failing = false;
  std::this_thread::sleep_for(150ms);
  auto ready = Ready();
  EXPECT_TRUE(ready.result->ok()) << ready.result->error().message;
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
}

TEST_F(Resilience, OnlyOneProbeAtATimeWhileHalfOpen) {
  std::atomic<bool> failing{true};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    if (failing.load()) return Unavailable(request);
    return Ok(request).WithDelay(200ms);
  });
  MakeClient(upstream.base_url(), 2s, BreakerOnly(1, 100ms));
  (void)Query();
  ASSERT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  failing = false;
  std::this_thread::sleep_for(150ms);
  std::vector<Timed<Result<Matrix>>> answers(5);
  for (auto& answer : answers) Spawn(io_, resilient_->QueryRange(query_), answer);
  io_.restart();
  io_.run();
  int ok = 0;
  int refused = 0;
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.result.has_value());
    if (answer.result->ok()) ++ok;
    if (!answer.result->ok() && answer.result->error().code == ErrorCode::kCircuitOpen) {
      ++refused;
      EXPECT_LT(answer.elapsed, 50ms);
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(refused, 4);
  EXPECT_EQ(upstream.requests().size(), 2u);
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
}

// Many threads, a backend that fails and then recovers: the breaker's state stays consistent
// (no lost probe: it always closes again) and every call completes.
TEST_F(Resilience, ConcurrentCallersFromSeveralThreads) {
  std::atomic<bool> failing{true};
  FakeUpstream upstream([&](const RecordedRequest& request) {
    return failing.load() ? Unavailable(request) : Ok(request);
  });
  ResilienceOptions options = BreakerOnly(3, 50ms);
  options.max_retries = 1;
  MakeClient(upstream.base_url(), 2s, options);
  std::vector<Timed<Result<Matrix>>> answers(200);
  for (auto& answer : answers) Spawn(io_, resilient_->QueryRange(query_), answer);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([this] { io_.run(); });
  std::this_thread::sleep_for(20ms);
  failing = false;  // some calls met the failing backend, the rest a working one
  for (auto& thread : threads) thread.join();
  for (const auto& answer : answers) ASSERT_TRUE(answer.result.has_value());
  std::this_thread::sleep_for(60ms);
  EXPECT_TRUE(Query().result->ok());
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
}

}  // namespace
}  // namespace nfmetrics::prometheus

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kQuery =
    "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&start=1795467600&end=1795471200&step=1m";

// The whole server with the breaker on: what a caller and a kubelet see.
TEST(ResilienceThroughTheServer, AnOpenCircuitIs503WithRetryAfterAndReadyzSaysSo) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Text("down", 503); });
  InProcessOptions options;
  options.upstream_timeout = 2s;
  options.upstream_retries = 1;
  options.circuit_failures = 2;
  options.circuit_open_for = 5s;
  InProcessApi api(upstream.base_url(), options);
  const std::vector<std::pair<std::string, std::string>> no_cache = {{"Cache-Control", "no-cache"}};

  // One request: an attempt and a retry, both 503: the circuit opens.
  HttpResponse failed = HttpRequest("127.0.0.1", api.port(), "GET", kQuery, "", no_cache);
  EXPECT_EQ(failed.status, 502) << failed.body;
  EXPECT_THAT(failed.body, ::testing::HasSubstr(R"("code":"upstream_error")"));
  EXPECT_EQ(upstream.requests().size(), 2u);
  EXPECT_EQ(api.circuit_state(), prometheus::CircuitState::kOpen);

  const auto started = std::chrono::steady_clock::now();
  HttpResponse fast = HttpRequest("127.0.0.1", api.port(), "GET", kQuery, "", no_cache);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(fast.status, 503) << fast.body;
  EXPECT_THAT(fast.body, ::testing::HasSubstr(R"("code":"upstream_unavailable")"));
  EXPECT_THAT(fast.body, ::testing::HasSubstr("until a probe succeeds"));
  EXPECT_EQ(fast.Header("retry-after"), "5");

  HttpResponse ready = Get("127.0.0.1", api.port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, ::testing::HasSubstr("until a probe succeeds"));
  EXPECT_EQ(upstream.requests().size(), 2u);  // neither reached the backend

  HttpResponse metrics = Get("127.0.0.1", api.port(), "/metrics");
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("\nnfmetrics_backend_circuit_state 1\n"));
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("\nnfmetrics_backend_retries_total 1\n"));
  // Each attempt that reached the engine is a backend call; the refused ones are not.
  EXPECT_THAT(
      metrics.body,
      ::testing::HasSubstr(
          R"(nfmetrics_backend_errors_total{kind="upstream_error",operation="query_range"} 2)"));
}

TEST(ResilienceThroughTheServer, MetricsShowAClosedCircuitAtStart) {
  FakeUpstream upstream([](const RecordedRequest&) { return Reply::Text("down", 503); });
  InProcessOptions options;
  options.circuit_failures = 5;
  InProcessApi api(upstream.base_url(), options);
  HttpResponse metrics = Get("127.0.0.1", api.port(), "/metrics");
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("\nnfmetrics_backend_circuit_state 0\n"));
  EXPECT_THAT(metrics.body, ::testing::HasSubstr("\nnfmetrics_backend_retries_total 0\n"));
}

}  // namespace
}  // namespace nfmetrics::testing
