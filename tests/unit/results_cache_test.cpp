// The results cache as a data structure: which steps it answers, which it leaves to the engine,
// what it keeps, and its memory bound.
#include "service/results_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "nfmetrics/redis/shared_cache.hpp"
#include "nfmetrics/service/byte_size.hpp"
#include "service/cached_extent.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::service {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(std::int64_t minute) { return TimePoint(minutes(minute)); }

// One series per pod with a sample every minute in [from, to], value = minute.
std::vector<prometheus::Series> Answer(std::int64_t from, std::int64_t to,
                                       std::vector<std::string> pods = {"a", "b"}) {
  std::vector<prometheus::Series> out;
  for (const std::string& pod : pods) {
    prometheus::Series series{{{"pod", pod}}, {}};
    for (std::int64_t m = from; m <= to; ++m) {
      series.samples.push_back({At(m), static_cast<double>(m)});
    }
    out.push_back(std::move(series));
  }
  return out;
}

std::vector<std::int64_t> Minutes(const prometheus::Series& series) {
  std::vector<std::int64_t> out;
  for (const auto& sample : series.samples) {
    out.push_back(std::chrono::duration_cast<minutes>(sample.timestamp.time_since_epoch()).count());
  }
  return out;
}

TEST(ResultsCache, AnUnknownQueryIsMissingWhole) {
  ResultsCache cache(1 << 20);
  auto lookup = cache.Find("q", {At(10), At(20)}, minutes(1));
  EXPECT_FALSE(lookup.covered);
  ASSERT_EQ(lookup.missing.size(), 1u);
  EXPECT_EQ(lookup.missing[0].start, At(10));
  EXPECT_EQ(lookup.missing[0].end, At(20));
}

TEST(ResultsCache, AStoredRangeIsAnsweredWhole) {
  ResultsCache cache(1 << 20);
  cache.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  auto lookup = cache.Find("q", {At(10), At(20)}, minutes(1));
  EXPECT_TRUE(lookup.covered);
  EXPECT_TRUE(lookup.missing.empty());
  ASSERT_EQ(lookup.cached.size(), 2u);
  EXPECT_EQ(Minutes(lookup.cached[0]).front(), 10);
  EXPECT_EQ(Minutes(lookup.cached[0]).back(), 20);
  // Another query is another key.
  EXPECT_FALSE(cache.Find("other", {At(10), At(20)}, minutes(1)).covered);
}

TEST(ResultsCache, ASlidingWindowMissesOnlyItsNewTail) {
  ResultsCache cache(1 << 20);
  cache.Store("q", {At(10), At(70)}, minutes(1), Answer(10, 70), At(100));
  auto lookup = cache.Find("q", {At(15), At(75)}, minutes(1));
  EXPECT_TRUE(lookup.covered);
  ASSERT_EQ(lookup.missing.size(), 1u);
  EXPECT_EQ(lookup.missing[0].start, At(71));
  EXPECT_EQ(lookup.missing[0].end, At(75));
  EXPECT_EQ(Minutes(lookup.cached[0]).front(), 15);
  EXPECT_EQ(Minutes(lookup.cached[0]).back(), 70);
}

TEST(ResultsCache, AnEarlierStartMissesTheHead) {
  ResultsCache cache(1 << 20);
  cache.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  auto lookup = cache.Find("q", {At(5), At(25)}, minutes(1));
  ASSERT_EQ(lookup.missing.size(), 2u);
  EXPECT_EQ(lookup.missing[0].start, At(5));
  EXPECT_EQ(lookup.missing[0].end, At(9));
  EXPECT_EQ(lookup.missing[1].start, At(21));
  EXPECT_EQ(lookup.missing[1].end, At(25));
}

TEST(ResultsCache, StepsNewerThanTheFreshnessHorizonAreNeverKept) {
  ResultsCache cache(1 << 20);
  cache.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(18));
  auto lookup = cache.Find("q", {At(10), At(20)}, minutes(1));
  ASSERT_EQ(lookup.missing.size(), 1u);
  EXPECT_EQ(lookup.missing[0].start, At(19));
  EXPECT_EQ(lookup.missing[0].end, At(20));
  EXPECT_EQ(Minutes(lookup.cached[0]).back(), 18);
  // A range that is all fresh is not kept at all.
  cache.Store("fresh", {At(30), At(40)}, minutes(1), Answer(30, 40), At(18));
  EXPECT_FALSE(cache.Find("fresh", {At(30), At(40)}, minutes(1)).covered);
}

TEST(ResultsCache, AdjacentAnswersJoinOneExtentAndDisjointOnesReplaceIt) {
  ResultsCache cache(1 << 20);
  cache.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  cache.Store("q", {At(21), At(30)}, minutes(1), Answer(21, 30, {"a", "c"}), At(100));
  auto lookup = cache.Find("q", {At(10), At(30)}, minutes(1));
  EXPECT_TRUE(lookup.missing.empty());
  ASSERT_EQ(lookup.cached.size(), 3u);  // a (10..30), b (10..20), c (21..30)
  EXPECT_EQ(Minutes(lookup.cached[0]).size(), 21u);
  EXPECT_EQ(Minutes(lookup.cached[1]).back(), 20);
  EXPECT_EQ(Minutes(lookup.cached[2]).front(), 21);

  cache.Store("q", {At(50), At(60)}, minutes(1), Answer(50, 60), At(100));
  EXPECT_FALSE(cache.Find("q", {At(10), At(30)}, minutes(1)).covered);
  EXPECT_TRUE(cache.Find("q", {At(50), At(60)}, minutes(1)).missing.empty());
}

TEST(ResultsCache, StaysWithinItsBytesUnderTenThousandDistinctQueries) {
  const std::size_t budget = 2 << 20;
  ResultsCache cache(budget);
  for (int i = 0; i < 10000; ++i) {
    cache.Store("query-" + std::to_string(i), {At(0), At(60)}, minutes(1), Answer(0, 60), At(1000));
    ASSERT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.entries(), 100u);
  EXPECT_LT(cache.entries(), 10000u);
  // The most recent queries are the ones kept.
  EXPECT_TRUE(cache.Find("query-9999", {At(0), At(60)}, minutes(1)).covered);
  EXPECT_FALSE(cache.Find("query-0", {At(0), At(60)}, minutes(1)).covered);
}

TEST(ResultsCache, UsingAnEntryKeepsItFromEviction) {
  // Room for about two entries.
  ResultsCache probe(1 << 20);
  probe.Store("x", {At(0), At(60)}, minutes(1), Answer(0, 60), At(1000));
  ResultsCache cache(probe.bytes() * 2 + probe.bytes() / 2);
  cache.Store("first", {At(0), At(60)}, minutes(1), Answer(0, 60), At(1000));
  cache.Store("second", {At(0), At(60)}, minutes(1), Answer(0, 60), At(1000));
  EXPECT_TRUE(cache.Find("first", {At(0), At(60)}, minutes(1)).covered);  // now most recent
  cache.Store("third", {At(0), At(60)}, minutes(1), Answer(0, 60), At(1000));
  EXPECT_TRUE(cache.Find("first", {At(0), At(60)}, minutes(1)).covered);
  EXPECT_FALSE(cache.Find("second", {At(0), At(60)}, minutes(1)).covered);
}

TEST(ResultsCache, ZeroBytesKeepsNothing) {
  ResultsCache cache(0);
  cache.Store("q", {At(0), At(10)}, minutes(1), Answer(0, 10), At(100));
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(MergeSeries, JoinsByLabelsInTimeOrderOncePerTimestamp) {
  auto merged = MergeSeries(Answer(5, 10, {"b"}), Answer(0, 6, {"b", "a"}));
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].labels[0].second, "a");
  EXPECT_EQ(Minutes(merged[1]), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST(CacheOutcome, CombinesToPartialWhenQueriesDiffer) {
  EXPECT_EQ(Combine(CacheOutcome::kHit, CacheOutcome::kHit), CacheOutcome::kHit);
  EXPECT_EQ(Combine(CacheOutcome::kHit, CacheOutcome::kMiss), CacheOutcome::kPartial);
  EXPECT_EQ(CacheOutcomeName(CacheOutcome::kBypass), "bypass");
}

TEST(ParseByteSize, ReadsBytesAndBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("1048576"), 1048576u);
  EXPECT_EQ(*ParseByteSize("256MiB"), 256u << 20);
  EXPECT_EQ(*ParseByteSize("1GiB"), std::size_t{1} << 30);
  EXPECT_EQ(*ParseByteSize("500MB"), 500000000u);
  EXPECT_EQ(*ParseByteSize("2KiB"), 2048u);
  for (const char* bad : {"", "MiB", "-1", "1.5GiB", "1 GiB", "1TiB", "99999999999999999999GiB"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

class MapCache : public redis::SharedCache {
 public:
  boost::asio::awaitable<std::optional<std::string>> Get(std::string key) override {
    ++gets;
    auto it = values.find(key);
    co_return it == values.end() ? std::nullopt : std::optional(it->second);
  }
  void Set(std::string key, std::string value, redis::Lifetime lifetime) override {
    lifetimes[key] = lifetime;
    values[key] = std::move(value);
  }
  std::map<std::string, redis::Lifetime> lifetimes;
  std::map<std::string, std::string> values;
  int gets = 0;
};

TEST(SharedResultsCache, WhatOneReplicaKeepsTheOtherFinds) {
  MapCache shared;
  ResultsCache first(1 << 20, &shared);
  ResultsCache second(1 << 20, &shared);
  first.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  boost::asio::io_context io;
  auto lookup = testing::RunToEnd(io, second.FindShared("q", {At(15), At(25)}, minutes(1)));
  EXPECT_TRUE(lookup.covered);
  ASSERT_EQ(lookup.missing.size(), 1u);
  EXPECT_EQ(lookup.missing[0].start, At(21));
  EXPECT_EQ(Minutes(lookup.cached[0]).front(), 15);
  EXPECT_EQ(second.entries(), 1u);  // now kept locally too
  // From now on the local extent answers, without asking the shared cache.
  const int gets = shared.gets;
  EXPECT_TRUE(
      testing::RunToEnd(io, second.FindShared("q", {At(15), At(20)}, minutes(1))).missing.empty());
  EXPECT_EQ(shared.gets, gets);
}

TEST(SharedResultsCache, AFinishedIntervalIsSharedForLongerThanAWindow) {
  MapCache shared;
  ResultsCache cache(1 << 20, &shared);
  cache.Store("window", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  cache.Store("part, still fresh", {At(10), At(20)}, minutes(1), Answer(10, 20), At(15), true);
  cache.Store("part, finished", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100), true);
  EXPECT_EQ(shared.lifetimes["nfmetrics:v1:window"], redis::Lifetime::kWindow);
  EXPECT_EQ(shared.lifetimes["nfmetrics:v1:part, still fresh"], redis::Lifetime::kWindow);
  EXPECT_EQ(shared.lifetimes["nfmetrics:v1:part, finished"], redis::Lifetime::kFinished);
}

TEST(SharedResultsCache, FindAloneNeverAsksTheSharedCache) {
  MapCache shared;
  ResultsCache first(1 << 20, &shared);
  ResultsCache second(1 << 20, &shared);
  first.Store("q", {At(10), At(20)}, minutes(1), Answer(10, 20), At(100));
  EXPECT_FALSE(second.Find("q", {At(10), At(20)}, minutes(1)).covered);
  EXPECT_EQ(shared.gets, 0);
}

TEST(SharedResultsCache, WhatIsNotAnExtentIsAMiss) {
  MapCache shared;
  ResultsCache cache(1 << 20, &shared);
  shared.values["nfmetrics:v1:q"] = "not an extent";
  boost::asio::io_context io;
  auto lookup = testing::RunToEnd(io, cache.FindShared("q", {At(10), At(20)}, minutes(1)));
  EXPECT_FALSE(lookup.covered);
  ASSERT_EQ(lookup.missing.size(), 1u);
  EXPECT_EQ(cache.entries(), 0u);
}

TEST(ExtentEncoding, RoundTripsLabelsTimesAndEveryDouble) {
  CachedExtent extent{At(1), At(3), Answer(1, 3)};
  extent.series[0].samples[1].value = std::numeric_limits<double>::quiet_NaN();
  extent.series[1].samples[2].value = -std::numeric_limits<double>::infinity();
  extent.series[1].labels.emplace_back("quote", "a\"b\n\xff");
  std::string bytes = EncodeExtent(extent);
  auto decoded = DecodeExtent(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->start, At(1));
  EXPECT_EQ(decoded->end, At(3));
  ASSERT_EQ(decoded->series.size(), 2u);
  EXPECT_EQ(decoded->series[1].labels, extent.series[1].labels);
  EXPECT_TRUE(std::isnan(decoded->series[0].samples[1].value));
  EXPECT_EQ(decoded->series[1].samples[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(decoded->series[0].samples[2].value, 3);
  // Anything else is not an extent.
  EXPECT_FALSE(DecodeExtent("").has_value());
  EXPECT_FALSE(DecodeExtent(bytes.substr(0, bytes.size() - 1)).has_value());
  EXPECT_FALSE(DecodeExtent(bytes + "x").has_value());
  EXPECT_FALSE(DecodeExtent(std::string(64, '\xff')).has_value());
}

}  // namespace
}  // namespace nfmetrics::service
