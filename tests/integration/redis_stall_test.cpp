// A Redis that stalls (SIGSTOP) while the server answers misses from a real Prometheus: no serving
// thread may wait on it. Misses cost at most --cache-redis-timeout more than without Redis, their
// requests/s stay at least 0.8x those of the same server without Redis, and cache hits and
// /healthz stay under 50 ms. Each round runs the same new misses against both servers back to back
// (which goes first alternates), and the median of the rounds' ratios is compared: a machine
// whose load drifts (other builds, other tests) weighs on both halves of a round alike. The figures
// are printed (and recorded as test properties) so they can be quoted.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "support/prometheus_harness.hpp"
#include "support/redis_harness.hpp"
#include "support/timed_request.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kRedisTimeout = 20ms;  // --cache-redis-timeout's default
constexpr int kRounds = 24;
constexpr int kClients = 4;
constexpr int kMissesPerRound = 50;  // per server and round
constexpr double kFastMs = 50;       // what a hit or /healthz may take

double Median(std::vector<double> values) { return Percentile(std::move(values), 0.5); }

// The sink latency of the first synthetic MonoVertex over 100 minutes of the backfilled data, at
// the n-th of distinct quantiles near the median: each is another query for every cache (the key
// is the PromQL), all of them the same work for Prometheus.
std::string MissTarget(int n) {
  const synth::MonoVertexModel& model = SynthWorld().mono_vertices.front();
  return fmt::format(
      "/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&start={}&end={}&step=1m&"
      "quantile=0.{:05}",
      model.ns, model.name, world->data_end - 7200, world->data_end - 1200, 50000 + n);
}

struct Phase {
  double requests_per_second = 0;
  std::vector<double> miss_ms;
  int not_misses = 0;  // answers that were not a 200 miss
};

// The same misses asked of the server without Redis and of the one whose Redis is paused.
struct Round {
  Phase plain;
  Phase paused;
};

// `targets` asked by kClients clients at once, each taking the next one not yet asked.
Phase RunMisses(unsigned short port, const std::vector<std::string>& targets) {
  Phase phase;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  const auto start = SteadyClock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (std::size_t i = next++; i < targets.size(); i = next++) {
        TimedAnswer timed = TimedGet(port, targets[i]);
        std::lock_guard lock(mutex);
        phase.miss_ms.push_back(timed.ms);
        if (timed.status != 200 || timed.x_cache != "miss") ++phase.not_misses;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  phase.requests_per_second = static_cast<double>(targets.size()) / seconds;
  return phase;
}

// While it lives, asks /healthz and `hit_target` (a whole cache hit) one after the other, every
// 10 ms, and keeps how long each took. It runs beside the misses of both servers, so that both
// carry the same load.
class FastPathProbe {
 public:
  FastPathProbe(unsigned short port, std::string hit_target)
      : thread_([this, port, hit_target = std::move(hit_target)] {
          while (!stop_) {
            TimedAnswer health = TimedGet(port, "/healthz");
            TimedAnswer hit = TimedGet(port, hit_target);
            {
              std::lock_guard lock(mutex_);
              health_ms_.push_back(health.status == 200 ? health.ms : 1e9);
              hit_ms_.push_back(hit.status == 200 && hit.x_cache == "hit" ? hit.ms : 1e9);
            }
            std::this_thread::sleep_for(10ms);
          }
        }) {}
  ~FastPathProbe() {
    stop_ = true;
    thread_.join();
  }
  std::vector<double> health_ms() {
    std::lock_guard lock(mutex_);
    return health_ms_;
  }
  std::vector<double> hit_ms() {
    std::lock_guard lock(mutex_);
    return hit_ms_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<double> health_ms_;  // guarded by mutex_; 1e9 for a failed request
  std::vector<double> hit_ms_;     // guarded by mutex_; 1e9 for a failed request or not a hit
  std::thread thread_;
};

TEST(RedisStall, APausedRedisCostsMissesAtMostItsTimeoutAndNothingElseWaits) {
  if (dynamic_cast<PrometheusHarness*>(world->backend.get()) == nullptr) {
    GTEST_SKIP() << "measured against a real Prometheus, as the issue's figures were";
  }
  auto redis = RedisHarness::Start();
  InProcessOptions without_redis;
  without_redis.threads = 2;
  InProcessOptions with_redis = without_redis;
  with_redis.cache_redis = redis->url();
  with_redis.cache_redis_timeout = kRedisTimeout;
  InProcessApi plain(BackendUrl(), without_redis);
  InProcessApi shared(BackendUrl(), with_redis);
  InProcessApi peer(BackendUrl(), with_redis);

  // Sharing works before the stall: the server is connected and using Redis.
  int query = kRounds * kMissesPerRound;  // after every query the rounds ask
  auto next_target = [&query] { return MissTarget(query++); };
  ASSERT_GE(SecondsUntilShared(shared.port(), peer.port(), next_target, 10s), 0)
      << "Redis never shared anything";
  // A whole hit, rendered and kept by each server itself.
  const std::string hit_target = next_target();
  for (const InProcessApi* api : {&plain, &shared}) {
    ASSERT_EQ(TimedGet(api->port(), hit_target).status, 200);
    ASSERT_EQ(TimedGet(api->port(), hit_target).x_cache, "hit");
  }

  redis->Pause();
  std::vector<Round> rounds;
  std::vector<double> health_ms;  // with Redis paused
  std::vector<double> hit_ms;     // with Redis paused
  for (int round = 0; round < kRounds; ++round) {
    // The same new queries for both servers: neither has seen them, and Prometheus caches nothing.
    std::vector<std::string> targets;
    for (int i = 0; i < kMissesPerRound; ++i) {
      targets.push_back(MissTarget(round * kMissesPerRound + i));
    }
    Round& pair = rounds.emplace_back();
    for (int turn = 0; turn < 2; ++turn) {
      const bool paused_turn = (round + turn) % 2 == 1;
      const InProcessApi& api = paused_turn ? shared : plain;
      FastPathProbe probe(api.port(), hit_target);
      (paused_turn ? pair.paused : pair.plain) = RunMisses(api.port(), targets);
      if (paused_turn) {
        std::vector<double> health = probe.health_ms();
        std::vector<double> hit = probe.hit_ms();
        health_ms.insert(health_ms.end(), health.begin(), health.end());
        hit_ms.insert(hit_ms.end(), hit.begin(), hit.end());
      }
    }
  }
  redis->Resume();
  // Sharing comes back by itself once Redis answers again.
  const double resumed_after = SecondsUntilShared(shared.port(), peer.port(), next_target, 15s);

  // By round: the ratio of requests/s, and what Redis added to the misses' p50 and p90.
  std::vector<double> ratios;
  std::vector<double> added_p50;
  std::vector<double> added_p90;
  std::vector<double> rps_plain;
  std::vector<double> rps_paused;
  std::vector<double> ms_plain;
  std::vector<double> ms_paused;
  int not_misses = 0;
  for (const Round& round : rounds) {
    ratios.push_back(round.paused.requests_per_second / round.plain.requests_per_second);
    added_p50.push_back(Percentile(round.paused.miss_ms, 0.5) -
                        Percentile(round.plain.miss_ms, 0.5));
    added_p90.push_back(Percentile(round.paused.miss_ms, 0.9) -
                        Percentile(round.plain.miss_ms, 0.9));
    rps_plain.push_back(round.plain.requests_per_second);
    rps_paused.push_back(round.paused.requests_per_second);
    ms_plain.insert(ms_plain.end(), round.plain.miss_ms.begin(), round.plain.miss_ms.end());
    ms_paused.insert(ms_paused.end(), round.paused.miss_ms.begin(), round.paused.miss_ms.end());
    not_misses += round.plain.not_misses + round.paused.not_misses;
  }
  const std::string figures = fmt::format(
      "misses/s without Redis {:.1f}, with Redis paused {:.1f} (medians of {} rounds of {} misses "
      "each, {} clients), ratio by round {:.2f}, median {:.2f}x; miss latency without Redis p50 "
      "{:.1f} ms p90 {:.1f} ms, with Redis paused p50 {:.1f} ms p90 {:.1f} ms max {:.1f} ms "
      "(median added by round: p50 {:.1f} ms, p90 {:.1f} ms); with Redis paused: /healthz p50 "
      "{:.1f} ms p90 {:.1f} ms p99 {:.1f} ms max {:.1f} ms ({} asked), hit p50 {:.1f} ms p90 "
      "{:.1f} ms p99 {:.1f} ms max {:.1f} ms; sharing back {:.2f} s after SIGCONT",
      Median(rps_plain), Median(rps_paused), kRounds, kMissesPerRound, kClients,
      fmt::join(ratios, " "), Median(ratios), Percentile(ms_plain, 0.5), Percentile(ms_plain, 0.9),
      Percentile(ms_paused, 0.5), Percentile(ms_paused, 0.9), Percentile(ms_paused, 1),
      Median(added_p50), Median(added_p90), Percentile(health_ms, 0.5), Percentile(health_ms, 0.9),
      Percentile(health_ms, 0.99), Percentile(health_ms, 1), health_ms.size(),
      Percentile(hit_ms, 0.5), Percentile(hit_ms, 0.9), Percentile(hit_ms, 0.99),
      Percentile(hit_ms, 1), resumed_after);
  std::printf("redis stall: %s\n", figures.c_str());
  ::testing::Test::RecordProperty("figures", figures);

  EXPECT_EQ(not_misses, 0) << "every request of the rounds must be a 200 miss";
  EXPECT_GE(Median(ratios), 0.8);
  const double timeout_ms = std::chrono::duration<double, std::milli>(kRedisTimeout).count();
  EXPECT_LE(Median(added_p50), timeout_ms);
  EXPECT_LE(Median(added_p90), timeout_ms);
  ASSERT_FALSE(health_ms.empty());
  ASSERT_FALSE(hit_ms.empty());
  // Under 50 ms, but for a request or two of hundreds that a machine shared with other builds
  // leaves unscheduled for a moment (the issue measured /healthz at 2-2.4 s p90).
  EXPECT_LT(Percentile(health_ms, 0.99), kFastMs);
  EXPECT_LT(Percentile(hit_ms, 0.99), kFastMs);
  EXPECT_GE(resumed_after, 0) << "sharing did not come back within 15 s of SIGCONT";
}

}  // namespace
}  // namespace nfmetrics::testing
