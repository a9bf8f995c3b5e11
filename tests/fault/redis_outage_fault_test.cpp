// The server with --cache-redis when Redis fails: killed and started again, or a peer that
// accepts connections and never answers. Misses cost no more than without Redis plus the Redis
// timeout (measured against the same server without Redis, requests alternating), /healthz stays
// fast, the shared cache's circuit opens, and sharing resumes by itself when Redis is back.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/url/params_view.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/exposition.hpp"
#include "support/fake_upstream.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/redis_harness.hpp"
#include "support/timed_request.hpp"

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kRedisTimeout = 20ms;         // --cache-redis-timeout's default
constexpr double kFastMs = 50;               // what /healthz may take
constexpr std::int64_t kStart = 1795467600;  // long past: every step may be cached

// An engine answering any range at once with one sample per step for one pod, after 5 ms.
Reply Answer(const RecordedRequest& request) {
  return OnePodOnEveryStep(request, "1").WithDelay(5ms);
}

// Each step is another query for every cache: a miss, here and in Redis.
std::string Target(int step_seconds) {
  return fmt::format(
      "/api/v1/metrics/sink-latency?namespace=ns&mvtx=mv&group_by=pod&start={}&end={}&step={}s",
      kStart, kStart + 3600, step_seconds);
}

// A gauge of the server's /metrics (-1: not shown).
double Gauge(const InProcessApi& api, std::string_view name) {
  HttpResponse metrics = HttpRequest("127.0.0.1", api.port(), "GET", "/metrics");
  return SampleValue(metrics.body, name).value_or(-1);
}

double RedisCircuit(const InProcessApi& api) {
  return Gauge(api, "nfmetrics_shared_cache_circuit_state");
}

// Misses asked of a server with Redis and of the same server without, one after the other.
struct Comparison {
  std::vector<double> with_redis_ms;
  std::vector<double> without_redis_ms;
  std::vector<double> health_ms;  // /healthz of the server with Redis
  int failed = 0;                 // answers that were not a 200 miss
  bool circuit_opened = false;    // seen open on /metrics

  void Ask(const InProcessApi& with_redis, const InProcessApi& without_redis, int step_seconds) {
    const std::string target = Target(step_seconds);
    // Alternate which goes first, so that neither always meets the other's leftovers.
    for (int turn = 0; turn < 2; ++turn) {
      const bool redis_turn = (turn + step_seconds) % 2 == 0;
      TimedAnswer answer = TimedGet(redis_turn ? with_redis.port() : without_redis.port(), target);
      (redis_turn ? with_redis_ms : without_redis_ms).push_back(answer.ms);
      if (answer.status != 200 || answer.x_cache != "miss") ++failed;
    }
    TimedAnswer health = TimedGet(with_redis.port(), "/healthz");
    health_ms.push_back(health.status == 200 ? health.ms : 1e9);
    if (step_seconds % 10 == 0 && RedisCircuit(with_redis) == 1) circuit_opened = true;
  }

  std::string Figures() const {
    return fmt::format(
        "misses with Redis p50 {:.1f} ms p90 {:.1f} ms max {:.1f} ms, without Redis p50 {:.1f} "
        "ms p90 {:.1f} ms ({} each); /healthz p50 {:.1f} ms p90 {:.1f} ms max {:.1f} ms",
        Percentile(with_redis_ms, 0.5), Percentile(with_redis_ms, 0.9),
        Percentile(with_redis_ms, 1), Percentile(without_redis_ms, 0.5),
        Percentile(without_redis_ms, 0.9), with_redis_ms.size(), Percentile(health_ms, 0.5),
        Percentile(health_ms, 0.9), Percentile(health_ms, 1));
  }

  // Misses answered within the Redis timeout plus what they take without Redis.
  void ExpectNoWaitOnRedis() const {
    const double timeout_ms = std::chrono::duration<double, std::milli>(kRedisTimeout).count();
    EXPECT_EQ(failed, 0);
    ASSERT_FALSE(with_redis_ms.empty());
    EXPECT_LE(Percentile(with_redis_ms, 0.5), Percentile(without_redis_ms, 0.5) + timeout_ms);
    EXPECT_LE(Percentile(with_redis_ms, 0.9), Percentile(without_redis_ms, 0.9) + timeout_ms);
    EXPECT_LT(Percentile(health_ms, 0.9), kFastMs);
  }
};

// A TCP peer on loopback that accepts every connection and never sends a byte: a hung Redis, or
// something else on its port.
class SilentPeer {
 public:
  SilentPeer() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SilentPeer() {
    asio::post(io_, [this] {
      acceptor_.close();
      connections_.clear();
    });
    thread_.join();
  }
  std::string url() const {
    return fmt::format("redis://127.0.0.1:{}", acceptor_.local_endpoint().port());
  }
  int accepted() const { return accepted_; }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      connections_.push_back(std::move(socket));  // held open, never read or written
      ++accepted_;
      Accept();
    });
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<asio::ip::tcp::socket> connections_;  // on the io_ thread
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST(RedisOutage, APeerThatNeverAnswersCostsMissesNothingAndOpensTheCircuit) {
  FakeUpstream upstream(Answer);
  SilentPeer peer;
  InProcessOptions options;
  options.cache_redis = peer.url();
  options.cache_redis_timeout = kRedisTimeout;
  InProcessApi silent(upstream.base_url(), options);
  InProcessApi plain(upstream.base_url(), InProcessOptions{});

  Comparison comparison;
  const auto start = SteadyClock::now();
  int step = 60;
  // Until the circuit has been open for a while, and at least 200 misses each.
  while ((!comparison.circuit_opened || comparison.with_redis_ms.size() < 200) &&
         SteadyClock::now() - start < 20s) {
    comparison.Ask(silent, plain, step++);
  }
  const std::string figures = comparison.Figures();
  std::printf("silent Redis: %s; %d connections tried\n", figures.c_str(), peer.accepted());
  ::testing::Test::RecordProperty("figures", figures);

  EXPECT_GT(peer.accepted(), 0) << "Redis was never even tried";
  EXPECT_TRUE(comparison.circuit_opened) << "the shared cache's circuit never opened";
  EXPECT_EQ(Gauge(silent, "nfmetrics_shared_cache_up"), 0) << "a peer that never answered is used";
  comparison.ExpectNoWaitOnRedis();
}

TEST(RedisOutage, AKilledRedisCostsMissesNothingAndSharingResumesByItselfOnceItIsBack) {
  FakeUpstream upstream(Answer);
  auto redis = RedisHarness::Start();
  InProcessOptions options;
  options.cache_redis = redis->url();
  options.cache_redis_timeout = kRedisTimeout;
  InProcessApi first(upstream.base_url(), options);
  InProcessApi second(upstream.base_url(), options);
  InProcessApi plain(upstream.base_url(), InProcessOptions{});
  int step = 60;
  auto next_target = [&step] { return Target(step++); };
  ASSERT_GE(SecondsUntilShared(first.port(), second.port(), next_target, 10s), 0)
      << "Redis never shared anything";

  ASSERT_EQ(Gauge(first, "nfmetrics_shared_cache_up"), 1);
  redis->Kill();
  Comparison down;
  const auto killed = SteadyClock::now();
  while (SteadyClock::now() - killed < 3s) down.Ask(first, plain, step++);
  redis->Restart();  // on the same port, empty
  // The requests go on meanwhile; none waits for the reconnects, and sharing comes back.
  Comparison back;
  const auto restarted = SteadyClock::now();
  while (SteadyClock::now() - restarted < 3s) back.Ask(first, plain, step++);
  const bool resumed = SecondsUntilShared(first.port(), second.port(), next_target, 15s) >= 0;
  const double shared_again =
      resumed ? std::chrono::duration<double>(SteadyClock::now() - restarted).count() : -1;
  const std::string figures = fmt::format(
      "while down: {}; after the restart: {}; shared again "
      "{:.2f} s after the restart",
      down.Figures(), back.Figures(), shared_again);
  std::printf("killed Redis: %s\n", figures.c_str());
  ::testing::Test::RecordProperty("figures", figures);

  EXPECT_TRUE(down.circuit_opened) << "the shared cache's circuit never opened";
  EXPECT_EQ(Gauge(first, "nfmetrics_shared_cache_up"), 1);
  down.ExpectNoWaitOnRedis();
  back.ExpectNoWaitOnRedis();
  EXPECT_TRUE(resumed) << "sharing did not resume within 18 s of the restart";
  EXPECT_EQ(RedisCircuit(first), 0);
}

}  // namespace
}  // namespace nfmetrics::testing
