// The pieces of the Redis cache that need no Redis: the bound on pending writes, a reply awaited
// with a deadline, the URL, and what the cache does before it has a connection that answers.
#include "nfmetrics/redis/redis_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "redis/pending_reply.hpp"
#include "redis/write_budget.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WriteBudget, TakesWritesWhileTheirCountAndBytesFit) {
  WriteBudget budget(3, 100);
  EXPECT_TRUE(budget.TryAcquire(40));
  EXPECT_TRUE(budget.TryAcquire(60));
  EXPECT_FALSE(budget.TryAcquire(1));  // bytes used up
  EXPECT_EQ(budget.writes(), 2u);
  EXPECT_EQ(budget.bytes(), 100u);
  budget.Release(60);
  EXPECT_TRUE(budget.TryAcquire(10));
  EXPECT_TRUE(budget.TryAcquire(10));
  EXPECT_FALSE(budget.TryAcquire(0));  // count used up
  EXPECT_EQ(budget.writes(), 3u);
  EXPECT_EQ(budget.bytes(), 60u);
}

TEST(WriteBudget, AWriteLargerThanTheWholeBudgetNeverFits) {
  WriteBudget budget(10, 100);
  EXPECT_FALSE(budget.TryAcquire(101));
  EXPECT_EQ(budget.writes(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
}

TEST(WriteBudget, ThreadsTogetherNeverExceedIt) {
  WriteBudget budget(8, 8000);
  std::atomic<bool> exceeded{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (!budget.TryAcquire(1000)) continue;
        if (budget.writes() > 8 || budget.bytes() > 8000) exceeded = true;
        budget.Release(1000);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(exceeded.load());
  EXPECT_EQ(budget.writes(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
}

// PendingReply on a strand of `io`, as the cache uses it.
class PendingReplyTest : public ::testing::Test {
 protected:
  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> strand_ = asio::make_strand(io_);
};

TEST_F(PendingReplyTest, AReplyBeforeTheDeadlineIsReturnedAtOnce) {
  auto pending = std::make_shared<PendingReply>(strand_);
  asio::post(strand_, [pending] { pending->Resolve({Reply::Kind::kString, "value"}); });
  const auto start = Clock::now();
  std::optional<Reply> reply = testing::RunToEnd(
      io_, asio::co_spawn(strand_, pending->Wait(start + 10s), asio::use_awaitable));
  EXPECT_LT(Clock::now() - start, 1s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->kind, Reply::Kind::kString);
  EXPECT_EQ(reply->text, "value");
}

TEST_F(PendingReplyTest, NoReplyByTheDeadlineIsNulloptAtTheDeadline) {
  auto pending = std::make_shared<PendingReply>(strand_);
  const auto start = Clock::now();
  std::optional<Reply> reply = testing::RunToEnd(
      io_, asio::co_spawn(strand_, pending->Wait(start + 30ms), asio::use_awaitable));
  const auto waited = Clock::now() - start;
  EXPECT_FALSE(reply.has_value());
  EXPECT_GE(waited, 30ms);
  EXPECT_LT(waited, 1s);
}

TEST_F(PendingReplyTest, AReplyAfterTheDeadlineChangesNothingAndFindsItAlive) {
  auto pending = std::make_shared<PendingReply>(strand_);
  std::weak_ptr<PendingReply> alive = pending;
  std::optional<Reply> reply = testing::RunToEnd(
      io_, asio::co_spawn(strand_, pending->Wait(Clock::now() + 10ms), asio::use_awaitable));
  EXPECT_FALSE(reply.has_value());
  // The waiter is gone; only the reply's callback still holds it, as hiredis's privdata does.
  std::shared_ptr<PendingReply> callback = std::move(pending);
  asio::post(strand_, [callback] { callback->Resolve({Reply::Kind::kString, "late"}); });
  io_.restart();
  io_.run();
  EXPECT_FALSE(alive.expired());
  callback.reset();
  EXPECT_TRUE(alive.expired());
}

TEST_F(PendingReplyTest, TheFirstReplyCounts) {
  auto pending = std::make_shared<PendingReply>(strand_);
  asio::post(strand_, [pending] {
    pending->Resolve({Reply::Kind::kNil, ""});
    pending->Resolve({Reply::Kind::kString, "second"});
  });
  std::optional<Reply> reply = testing::RunToEnd(
      io_, asio::co_spawn(strand_, pending->Wait(Clock::now() + 10s), asio::use_awaitable));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->kind, Reply::Kind::kNil);
}

TEST(MakeRedisCache, TakesOnlyRedisUrlsWithAPort) {
  asio::io_context io;  // never run: nothing connects
  EXPECT_TRUE(MakeRedisCache(io.get_executor(), {.url = "redis://127.0.0.1:6379"}).ok());
  EXPECT_TRUE(MakeRedisCache(io.get_executor(), {.url = "redis://cache.internal:6380/"}).ok());
  for (const char* bad : {"", "127.0.0.1:6379", "redis://host", "redis://:6379", "redis://h:0",
                          "redis://h:99999", "http://h:6379"}) {
    auto cache = MakeRedisCache(io.get_executor(), {.url = bad});
    ASSERT_FALSE(cache.ok()) << bad;
    EXPECT_EQ(cache.error().param, "cache-redis");
  }
}

// Before a connection has answered its PING (here: never, the executor does not run), nothing
// waits on Redis: a read is a miss at once, a write is not even queued.
TEST(RedisCache, WithoutAConnectionThatAnswersReadsMissAtOnceAndWritesAreSkipped) {
  asio::io_context io;
  std::vector<ReadOutcome> reads;
  std::vector<WriteOutcome> writes;
  auto cache = MakeRedisCache(
      io.get_executor(), {.url = "redis://127.0.0.1:6379",
                          .read_timeout = 10s,
                          .on_read = [&](ReadOutcome outcome) { reads.push_back(outcome); },
                          .on_write = [&](WriteOutcome outcome) { writes.push_back(outcome); }});
  ASSERT_TRUE(cache.ok());
  asio::io_context caller;
  const auto start = Clock::now();
  std::optional<std::string> value = testing::RunToEnd(caller, (*cache)->Get("key"));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_FALSE(value.has_value());
  (*cache)->Set("key", "value");
  EXPECT_EQ(reads, std::vector<ReadOutcome>{ReadOutcome::kSkipped});
  EXPECT_EQ(writes, std::vector<WriteOutcome>{WriteOutcome::kSkipped});
  EXPECT_EQ((*cache)->circuit_state(), CircuitState::kClosed);
}

TEST(RedisCacheOutcomes, AreNamedForTheirMetricLabels) {
  EXPECT_EQ(ReadOutcomeName(ReadOutcome::kHit), "hit");
  EXPECT_EQ(ReadOutcomeName(ReadOutcome::kTimeout), "timeout");
  EXPECT_EQ(ReadOutcomeName(ReadOutcome::kSkipped), "skipped");
  EXPECT_EQ(WriteOutcomeName(WriteOutcome::kStored), "stored");
  EXPECT_EQ(WriteOutcomeName(WriteOutcome::kDropped), "dropped");
}

}  // namespace
}  // namespace nfmetrics::redis
