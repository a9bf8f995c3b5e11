// Split-by-interval: where a long range query is cut (SplitRange), and what MetricsService asks of
// the engine for it: one query per UTC day at most --split-parallelism at once, the parts joined
// into the unsplit answer, finished days asked once, a window slid by a day asking for the new day
// and the fresh tail alone. The engine here is a fake that answers any range from a formula; the
// integration tests compare split and unsplit answers of Prometheus and VictoriaMetrics.
#include "service/range_split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <mutex>
#include <random>

#include "nfmetrics/service/metrics_service.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::service {
namespace {

namespace asio = boost::asio;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(std::int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }
constexpr std::int64_t kMidnight = 1795392000;  // 2026-11-23T00:00:00Z

TEST(SplitRange, LeavesARangeNoLongerThanTheIntervalWhole) {
  const StepRange range{At(kMidnight + 3600), At(kMidnight + 3600 + 86400)};
  const auto parts = SplitRange(range, minutes(5), hours(24));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].start, range.start);
  EXPECT_EQ(parts[0].end, range.end);
  EXPECT_EQ(SplitRange({At(kMidnight), At(kMidnight + 10 * 86400)}, minutes(5), {}).size(), 1u)
      << "a zero interval never splits";
}

TEST(SplitRange, CutsAtUtcMidnightsKeepingTheStepGrid) {
  // 10:00 on day 0 to 10:00 on day 2, hourly.
  const auto parts = SplitRange({At(kMidnight + 10 * 3600), At(kMidnight + 2 * 86400 + 10 * 3600)},
                                hours(1), hours(24));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].start, At(kMidnight + 10 * 3600));
  EXPECT_EQ(parts[0].end, At(kMidnight + 23 * 3600));
  EXPECT_EQ(parts[1].start, At(kMidnight + 86400));
  EXPECT_EQ(parts[1].end, At(kMidnight + 86400 + 23 * 3600));
  EXPECT_EQ(parts[2].start, At(kMidnight + 2 * 86400));
  EXPECT_EQ(parts[2].end, At(kMidnight + 2 * 86400 + 10 * 3600));
}

// Every step of the grid lands in exactly one part, in order, each part within one interval,
// for steps and starts that do not divide a day.
TEST(SplitRange, EveryStepIsInExactlyOnePartWithinOneInterval) {
  std::mt19937 random(17);
  const std::vector<seconds> steps = {seconds(13),           minutes(7), minutes(25),
                                      hours(1) + minutes(7), hours(5),   hours(30)};
  for (const seconds step : steps) {
    for (int trial = 0; trial < 20; ++trial) {
      const TimePoint start = At(kMidnight + static_cast<std::int64_t>(random() % 86400));
      const auto length = seconds(86400 + random() % (5 * 86400));
      const TimePoint end = start + ((length / step) * step);
      std::vector<TimePoint> grid;
      for (TimePoint t = start; t <= end; t += step) grid.push_back(t);
      std::vector<TimePoint> covered;
      for (const StepRange& part : SplitRange({start, end}, step, hours(24))) {
        EXPECT_EQ(IntervalStart(part.start, hours(24)), IntervalStart(part.end, hours(24)));
        for (TimePoint t = part.start; t <= part.end; t += step) covered.push_back(t);
      }
      ASSERT_EQ(covered, grid) << "step " << step.count() << "s from "
                               << start.time_since_epoch().count();
    }
  }
}

TEST(SplitRange, SkipsIntervalsWithoutAStep) {
  const auto parts = SplitRange({At(kMidnight), At(kMidnight + 6 * 86400)}, hours(48), hours(24));
  ASSERT_EQ(parts.size(), 4u);  // days 0, 2, 4 and 6
  for (std::size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(parts[i].start, At(kMidnight + static_cast<std::int64_t>(i) * 2 * 86400));
    EXPECT_EQ(parts[i].end, parts[i].start);
  }
}

TEST(SplitRange, PartsOfDifferentIntervalsHaveDifferentCacheKeys) {
  const prometheus::RangeQuery query{"up", At(kMidnight), At(kMidnight + 3600), minutes(1)};
  EXPECT_NE(PartQueryKey(query, At(kMidnight), hours(24)),
            PartQueryKey(query, At(kMidnight - 86400), hours(24)));
  EXPECT_NE(PartQueryKey(query, At(kMidnight), hours(24)),
            PartQueryKey(query, At(kMidnight), hours(1)));
  EXPECT_NE(PartQueryKey(query, At(kMidnight), hours(24)), WholeQueryKey(query));
}

// An engine answering every step of any range with value(t) for one series, after a short wait,
// recording what it was asked and how many queries it had in flight at most.
class FormulaEngine final : public prometheus::Client {
 public:
  static double Value(TimePoint t) {
    return std::sin(static_cast<double>(t.time_since_epoch().count()) / 7.7e6) + 2;
  }

  asio::awaitable<Result<prometheus::Matrix>> QueryRange(
      const prometheus::RangeQuery& query) override {
    {
      std::lock_guard lock(mutex_);
      asked_.push_back(query);
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
    co_await timer.async_wait(asio::use_awaitable);
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      if (fail_from_ && query.end >= *fail_from_) {
        co_return Error{ErrorCode::kUpstreamError, "engine failure", ""};
      }
    }
    prometheus::Series series{{}, {}};
    for (TimePoint t = query.start; t <= query.end; t += query.step) {
      series.samples.push_back({t, Value(t)});
    }
    co_return prometheus::Matrix{{std::move(series)}, {}};
  }
  asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const prometheus::LabelValuesQuery&) override {
    co_return std::vector<std::string>{};
  }
  asio::awaitable<Status> CheckReady() override { co_return Ok(); }

  std::vector<prometheus::RangeQuery> TakeAsked() {
    std::lock_guard lock(mutex_);
    return std::exchange(asked_, {});
  }
  int max_in_flight() const { return max_in_flight_; }
  void FailFrom(TimePoint t) { fail_from_ = t; }

 private:
  std::mutex mutex_;
  std::vector<prometheus::RangeQuery> asked_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  std::optional<TimePoint> fail_from_;
};

class SplitService : public ::testing::Test {
 protected:
  std::unique_ptr<MetricsService> Service(Duration split_interval, std::size_t parallelism = 4) {
    return std::make_unique<MetricsService>(
        engine_, MetricsServiceOptions{.cache_freshness = minutes(1),
                                       .clock = [this] { return now_; },
                                       .split_interval = split_interval,
                                       .split_parallelism = parallelism,
                                       .on_split = [this](std::size_t parts) { splits_ += parts; },
                                       .on_split_part =
                                           [this](CacheOutcome outcome) {
                                             cached_parts_ += outcome == CacheOutcome::kHit;
                                           }});
  }

  // The MonoVertex's read rate over [start, end] at `step`, one series without labels.
  Result<MetricResult> Ask(MetricsService& service, TimePoint start, TimePoint end, Duration step,
                           bool bypass = false) {
    MetricRequest request{
        .metric = DefaultCatalog().Find("read-throughput", ObjectKind::kMonoVertex),
        .object = {.kind = ObjectKind::kMonoVertex, .ns = *Namespace::Parse("ns")},
        .start = start,
        .end = end,
        .step = step};
    request.object.mvtx = *MonoVertexName::Parse("mv");
    return testing::RunToEnd(io_, service.Query(request, bypass));
  }

  static std::vector<Point> Points(const Result<MetricResult>& answer) {
    return answer->series.empty() ? std::vector<Point>{} : answer->series.front().points;
  }

  asio::io_context io_;
  FormulaEngine engine_;
  TimePoint now_ = At(kMidnight + 30 * 86400 + 7200);  // 02:00 on day 30
  std::size_t splits_ = 0;
  std::size_t cached_parts_ = 0;
};

TEST_F(SplitService, AsksOneQueryPerDayAndJoinsThemIntoTheUnsplitAnswer) {
  auto split = Service(hours(24));
  const TimePoint start = At(kMidnight + 20 * 86400 + 3 * 3600 + 420);
  const TimePoint end = start + minutes(7) * 1000;  // ~4.9 days at 7m
  Result<MetricResult> answer = Ask(*split, start, end, minutes(7));
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  const auto asked = engine_.TakeAsked();
  ASSERT_EQ(asked.size(), 5u);  // days 20 (from 03:07) to 24 (to 23:47)
  for (const auto& part : asked) {
    EXPECT_EQ(IntervalStart(part.start, hours(24)), IntervalStart(part.end, hours(24)));
  }
  EXPECT_EQ(splits_, 5u);

  auto unsplit = Service(Duration::zero());
  Result<MetricResult> whole = Ask(*unsplit, start, end, minutes(7));
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(engine_.TakeAsked().size(), 1u);
  const std::vector<Point> joined = Points(answer);
  const std::vector<Point> expected = Points(whole);
  ASSERT_EQ(joined.size(), 1001u);
  ASSERT_EQ(expected.size(), joined.size());
  for (std::size_t i = 0; i < joined.size(); ++i) {
    EXPECT_EQ(joined[i].time, expected[i].time);
    EXPECT_EQ(joined[i].value, expected[i].value);
    EXPECT_EQ(joined[i].value, FormulaEngine::Value(joined[i].time));
  }
}

TEST_F(SplitService, AsksAtMostSplitParallelismPartsAtOnce) {
  auto service = Service(hours(24), 3);
  ASSERT_TRUE(Ask(*service, At(kMidnight), At(kMidnight + 12 * 86400), hours(1)).ok());
  EXPECT_EQ(engine_.TakeAsked().size(), 13u);
  EXPECT_EQ(engine_.max_in_flight(), 3);
}

TEST_F(SplitService, AFinishedDayIsAskedOnceAndASlideAsksTheNewDayAndTheFreshTail) {
  auto service = Service(hours(24));
  // Thirty whole days ending at 01:00 on day 30, then the same window an hour later... and a day
  // later: only what was not seen, or is still fresh, is asked.
  const TimePoint end = AlignToStep(now_, minutes(5));
  ASSERT_TRUE(Ask(*service, end - days(30), end, minutes(5)).ok());
  EXPECT_EQ(engine_.TakeAsked().size(), 31u);
  EXPECT_EQ(cached_parts_, 0u);

  ASSERT_TRUE(Ask(*service, end - days(30), end, minutes(5)).ok());
  auto asked = engine_.TakeAsked();
  ASSERT_EQ(asked.size(), 1u) << "only today's fresh tail";
  EXPECT_GE(asked[0].start, now_ - minutes(1) - minutes(5));
  EXPECT_EQ(cached_parts_, 30u);

  now_ += days(1);
  cached_parts_ = 0;
  const TimePoint slid = end + days(1);
  Result<MetricResult> answer = Ask(*service, slid - days(30), slid, minutes(5));
  ASSERT_TRUE(answer.ok());
  asked = engine_.TakeAsked();
  // Yesterday's rest (from its old fresh tail on) and today's steps; the 29 days before: cached.
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].end, AlignToStep(At(kMidnight + 31 * 86400) - seconds(1), minutes(5)));
  EXPECT_EQ(asked[1].start, At(kMidnight + 31 * 86400));
  EXPECT_EQ(cached_parts_, 29u);
  const std::vector<Point> points = Points(answer);
  ASSERT_EQ(points.size(), 30u * 288 + 1);
  for (const Point& point : points) ASSERT_EQ(point.value, FormulaEngine::Value(point.time));
}

TEST_F(SplitService, BypassAsksEveryPartOfTheEngine) {
  auto service = Service(hours(24));
  ASSERT_TRUE(Ask(*service, At(kMidnight), At(kMidnight + 3 * 86400), hours(1)).ok());
  engine_.TakeAsked();
  Result<MetricResult> answer =
      Ask(*service, At(kMidnight), At(kMidnight + 3 * 86400), hours(1), true);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->cache, CacheOutcome::kBypass);
  EXPECT_EQ(engine_.TakeAsked().size(), 4u);
}

TEST_F(SplitService, APartThatFailsFailsTheQueryAndNothingIsCachedOfIt) {
  auto service = Service(hours(24), 1);
  engine_.FailFrom(At(kMidnight + 2 * 86400));
  Result<MetricResult> answer = Ask(*service, At(kMidnight), At(kMidnight + 5 * 86400), hours(1));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(engine_.TakeAsked().size(), 3u) << "parts after the failure are not started";
}

}  // namespace
}  // namespace nfmetrics::service
