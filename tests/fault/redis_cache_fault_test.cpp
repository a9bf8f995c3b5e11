// redis::RedisCache against a real Redis that works, stalls (SIGSTOP) or comes back: reads never
// wait past their deadline and a late reply goes to no one else, consecutive failures open the
// cache's own circuit and then nothing waits, the background brings it back, pending writes stay
// within their bounds, and Close leaves the executor nothing to run.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nfmetrics/redis/redis_cache.hpp"
#include "support/redis_harness.hpp"

namespace nfmetrics::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::RedisHarness;

constexpr auto kTimeout = 20ms;  // RedisCacheOptions' read_timeout, --cache-redis-timeout's default

// A RedisCache on its own io_context thread, as serve runs it, with what it reported.
class CacheUnderTest {
 public:
  CacheUnderTest(const std::string& url, RedisCacheOptions options = {}) {
    options.url = url;
    options.on_read = [this](ReadOutcome outcome) {
      std::lock_guard lock(mutex_);
      ++reads_[outcome];
    };
    options.on_write = [this](WriteOutcome outcome) {
      std::lock_guard lock(mutex_);
      ++writes_[outcome];
    };
    options.on_circuit_state = [this](CircuitState state) {
      std::lock_guard lock(mutex_);
      states_.push_back(state);
    };
    auto cache = MakeRedisCache(io_.get_executor(), std::move(options));
    if (!cache.ok()) throw std::runtime_error(cache.error().message);
    cache_ = std::move(cache).value();
    thread_ = std::thread([this] {
      io_.run();
      ran_out_.set_value();
    });
  }
  ~CacheUnderTest() {
    cache_->Close();
    work_.reset();
    if (ran_out_future_.wait_for(5s) != std::future_status::ready) io_.stop();
    thread_.join();
  }

  // Whether io_context::run returns, now that nothing but the cache could keep it busy.
  bool RunsOutOfWorkWithin(Clock::duration patience) {
    work_.reset();
    return ran_out_future_.wait_for(patience) == std::future_status::ready;
  }

  // A read from a coroutine on the cache's executor, as a request makes it; and how long it took.
  std::optional<std::string> Get(const std::string& key, Clock::duration* took = nullptr) {
    const auto start = Clock::now();
    std::future<std::optional<std::string>> value =
        asio::co_spawn(io_, cache_->Get(key), asio::use_future);
    std::optional<std::string> result = value.get();
    if (took != nullptr) *took = Clock::now() - start;
    return result;
  }
  void Set(const std::string& key, const std::string& value) { cache_->Set(key, value); }

  int reads(ReadOutcome outcome) {
    std::lock_guard lock(mutex_);
    return reads_[outcome];
  }
  int writes(WriteOutcome outcome) {
    std::lock_guard lock(mutex_);
    return writes_[outcome];
  }
  std::vector<CircuitState> states() {
    std::lock_guard lock(mutex_);
    return states_;
  }
  RedisCache& cache() { return *cache_; }
  asio::io_context& io() { return io_; }

  // Polls with reads of an absent key until one reaches Redis (a miss, not skipped): the
  // connection answered its PING.
  bool WaitUntilServing(Clock::duration patience = 10s) {
    const auto deadline = Clock::now() + patience;
    while (Clock::now() < deadline) {
      const int misses = reads(ReadOutcome::kMiss);
      Get("nfmetrics-test:absent");
      if (reads(ReadOutcome::kMiss) > misses) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // Polls until `count` writes have been answered OK.
  bool WaitForStored(int count, Clock::duration patience = 5s) {
    const auto deadline = Clock::now() + patience;
    while (Clock::now() < deadline) {
      if (writes(WriteOutcome::kStored) >= count) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<RedisCache> cache_;
  std::mutex mutex_;
  std::map<ReadOutcome, int> reads_;    // guarded by mutex_
  std::map<WriteOutcome, int> writes_;  // guarded by mutex_
  std::vector<CircuitState> states_;    // guarded by mutex_
  std::promise<void> ran_out_;
  std::future<void> ran_out_future_ = ran_out_.get_future();
  std::thread thread_;
};

TEST(RedisCache, WhatOneCacheStoresAnotherReads) {
  auto redis = RedisHarness::Start();
  CacheUnderTest first(redis->url());
  CacheUnderTest second(redis->url());
  ASSERT_TRUE(first.WaitUntilServing());
  ASSERT_TRUE(second.WaitUntilServing());
  first.Set("nfmetrics-test:k", std::string("bytes\0with a zero", 17));
  ASSERT_TRUE(first.WaitForStored(1));
  EXPECT_EQ(second.Get("nfmetrics-test:k"), std::string("bytes\0with a zero", 17));
  EXPECT_EQ(second.reads(ReadOutcome::kHit), 1);
  EXPECT_EQ(second.Get("nfmetrics-test:other"), std::nullopt);
  EXPECT_EQ(second.reads(ReadOutcome::kTimeout), 0);
  EXPECT_EQ(first.cache().circuit_state(), CircuitState::kClosed);
}

// A read that Redis answers too late is a miss at its deadline; the late reply is its own, and
// the next read gets the next reply, not that one.
TEST(RedisCache, AReadPastItsDeadlineIsAMissAndItsLateReplyGoesToNoOtherRead) {
  ASSERT_EQ(RedisCacheOptions().read_timeout, kTimeout);
  auto redis = RedisHarness::Start();
  CacheUnderTest cache(redis->url());
  ASSERT_TRUE(cache.WaitUntilServing());
  cache.Set("nfmetrics-test:first", "one");
  cache.Set("nfmetrics-test:second", "two");
  ASSERT_TRUE(cache.WaitForStored(2));

  redis->Pause();
  Clock::duration took{};
  EXPECT_EQ(cache.Get("nfmetrics-test:first", &took), std::nullopt);
  EXPECT_GE(took, kTimeout);
  EXPECT_LT(took, kTimeout + 500ms);
  EXPECT_EQ(cache.reads(ReadOutcome::kTimeout), 1);
  redis->Resume();
  // One timeout does not open the circuit (three do): the connection is kept, and Redis now
  // answers the late GET first.
  EXPECT_EQ(cache.Get("nfmetrics-test:second"), "two");
  EXPECT_EQ(cache.Get("nfmetrics-test:first"), "one");
  EXPECT_EQ(cache.cache().circuit_state(), CircuitState::kClosed);
}

TEST(RedisCache, ConsecutiveTimeoutsOpenItsCircuitThenNothingWaitsAndTheBackgroundBringsItBack) {
  auto redis = RedisHarness::Start();
  CacheUnderTest cache(redis->url());
  ASSERT_TRUE(cache.WaitUntilServing());
  cache.Set("nfmetrics-test:k", "v");
  ASSERT_TRUE(cache.WaitForStored(1));

  redis->Pause();
  for (int i = 0; i < 3; ++i) {
    Clock::duration took{};
    EXPECT_EQ(cache.Get("nfmetrics-test:k", &took), std::nullopt);
    EXPECT_GE(took, kTimeout);
  }
  EXPECT_EQ(cache.cache().circuit_state(), CircuitState::kOpen);
  // Open: reads are misses without asking, writes are not sent. However long Redis stalls and
  // however many requests come, none waits: only the three reads above timed out.
  const int skipped_reads = cache.reads(ReadOutcome::kSkipped);
  const int skipped_writes = cache.writes(WriteOutcome::kSkipped);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(cache.Get("nfmetrics-test:k"), std::nullopt);
    cache.Set("nfmetrics-test:k", "new");
  }
  EXPECT_EQ(cache.reads(ReadOutcome::kSkipped) - skipped_reads, 50);
  EXPECT_EQ(cache.writes(WriteOutcome::kSkipped) - skipped_writes, 50);
  std::this_thread::sleep_for(2500ms);  // background probes meet the stalled Redis meanwhile
  EXPECT_EQ(cache.reads(ReadOutcome::kTimeout), 3);

  redis->Resume();
  // A background probe closes the circuit; reads reach Redis again.
  const auto resumed = Clock::now();
  ASSERT_TRUE(cache.WaitUntilServing(10s)) << "the circuit never closed again";
  std::printf("circuit closed %.2f s after SIGCONT\n",
              std::chrono::duration<double>(Clock::now() - resumed).count());
  EXPECT_EQ(cache.Get("nfmetrics-test:k"), "v");
  EXPECT_EQ(cache.cache().circuit_state(), CircuitState::kClosed);
  std::vector<CircuitState> states = cache.states();
  ASSERT_GE(states.size(), 3u);
  EXPECT_EQ(states.front(), CircuitState::kClosed);  // reported at start
  EXPECT_EQ(states[1], CircuitState::kOpen);
  EXPECT_EQ(states.back(), CircuitState::kClosed);
}

// Writes waiting for a stalled Redis are bounded in number and in bytes; the rest are dropped,
// and what was kept is written once Redis answers again.
TEST(RedisCache, WritesWaitingForAStalledRedisAreBoundedInCountAndBytes) {
  auto redis = RedisHarness::Start();
  CacheUnderTest by_count(redis->url(), {.max_pending_writes = 4});
  CacheUnderTest by_bytes(redis->url(), {.max_pending_write_bytes = 2500});
  ASSERT_TRUE(by_count.WaitUntilServing());
  ASSERT_TRUE(by_bytes.WaitUntilServing());

  redis->Pause();
  for (int i = 0; i < 10; ++i) {
    by_count.Set("nfmetrics-test:count:" + std::to_string(i), "v");
    // Key and value count: 1000 + the key's 20-odd bytes each, so two fit in 2500.
    by_bytes.Set("nfmetrics-test:bytes:" + std::to_string(i), std::string(1000, 'x'));
  }
  EXPECT_EQ(by_count.writes(WriteOutcome::kDropped), 6);
  EXPECT_EQ(by_bytes.writes(WriteOutcome::kDropped), 8);

  redis->Resume();
  EXPECT_TRUE(by_count.WaitForStored(4));
  EXPECT_TRUE(by_bytes.WaitForStored(2));
  // Room again once they are answered.
  by_count.Set("nfmetrics-test:count:after", "v");
  EXPECT_TRUE(by_count.WaitForStored(5));
  EXPECT_EQ(by_count.writes(WriteOutcome::kDropped), 6);
}

// The cache holds no work on its executor once closed, so that io_context::run returns, and a
// read still waiting then returns at once.
TEST(RedisCache, CloseEndsTheConnectionAndTheBackgroundWork) {
  auto redis = RedisHarness::Start();
  CacheUnderTest cache(redis->url(), {.read_timeout = 10s});
  ASSERT_TRUE(cache.WaitUntilServing());
  redis->Pause();
  std::future<std::optional<std::string>> read =
      asio::co_spawn(cache.io(), cache.cache().Get("nfmetrics-test:k"), asio::use_future);
  const auto closed = Clock::now();
  cache.cache().Close();
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(read.get(), std::nullopt);
  EXPECT_TRUE(cache.RunsOutOfWorkWithin(5s));
  EXPECT_LT(Clock::now() - closed, 2s);
}

}  // namespace
}  // namespace nfmetrics::redis
