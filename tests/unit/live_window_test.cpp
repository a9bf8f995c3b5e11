// A live stream's request, its sliding window, when it refreshes, and the steps a client lacks.
#include "nfmetrics/service/live_window.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nfmetrics::service {
namespace {

using namespace std::chrono_literals;

TimePoint At(double seconds) {
  return TimePoint(Duration(static_cast<std::int64_t>(seconds * 1000)));
}

Result<StreamRequest> Parse(Params params) {
  return ParseStreamRequest(DefaultCatalog(),
                            {.metric = "sink-latency", .path = std::nullopt, .params = params},
                            At(1'800'000'000));
}

Params Object(Params more = {}) {
  Params params = {{"namespace", "default"}, {"mvtx", "orders"}};
  params.insert(params.end(), more.begin(), more.end());
  return params;
}

TEST(ParseStreamRequest, TakesGetsParametersButStartAndEnd) {
  for (const char* name : {"start", "end"}) {
    Result<StreamRequest> parsed = Parse(Object({{name, "1800000000"}}));
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.error().param, name);
    EXPECT_NE(parsed.error().message.find("range"), std::string::npos);
  }
  Result<StreamRequest> unknown = Parse(Object({{"foo", "1"}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().param, "foo");
  EXPECT_NE(unknown.error().message.find("range, fresh, step"), std::string::npos)
      << unknown.error().message;
  EXPECT_EQ(unknown.error().message.find("start"), std::string::npos) << unknown.error().message;
  Result<StreamRequest> parsed = Parse(Object({{"quantile", "0.5,0.99"}, {"group_by", "pod"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->metric.quantiles, (std::vector<double>{0.5, 0.99}));
  EXPECT_EQ(parsed->metric.group_by.size(), 1u);
}

TEST(ParseStreamRequest, RangeDefaultsToAnHourAtMostADayAndSetsTheStep) {
  Result<StreamRequest> plain = Parse(Object());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->range, 1h);
  EXPECT_EQ(plain->step, 15s);  // as GET chooses for an hour
  EXPECT_EQ(plain->metric.step, 15s);
  EXPECT_FALSE(plain->fresh);

  Result<StreamRequest> day = Parse(Object({{"range", "24h"}, {"fresh", "true"}}));
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->range, 24h);
  EXPECT_EQ(day->step, 5min);
  EXPECT_TRUE(day->fresh);

  Result<StreamRequest> chosen = Parse(Object({{"range", "10m"}, {"step", "1s"}}));
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->step, 1s);

  for (const char* bad : {"25h", "0s", "-1m", "soon", ""}) {
    Result<StreamRequest> parsed = Parse(Object({{"range", bad}}));
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().param, "range") << bad;
  }
  Result<StreamRequest> twice = Parse(Object({{"range", "1h"}, {"range", "2h"}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().param, "range");
  Result<StreamRequest> fresh = Parse(Object({{"fresh", "maybe"}}));
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.error().param, "fresh");
}

TEST(StreamKey, EqualForOneQueryHoweverSpelledAndApartOtherwise) {
  auto key = [](Params params) {
    Result<StreamRequest> parsed = Parse(Object(params));
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? StreamKey(*parsed) : std::string();
  };
  EXPECT_EQ(key({{"pod", "b,a"}}), key({{"pod", "a"}, {"pod", "b"}}));
  EXPECT_EQ(key({}), key({{"range", "1h"}, {"step", "15s"}, {"quantile", "0.95"}}));
  EXPECT_NE(key({}), key({{"range", "2h"}}));
  EXPECT_NE(key({}), key({{"fresh", "1"}}));
  EXPECT_NE(key({}), key({{"step", "30s"}}));
  EXPECT_NE(key({}), key({{"group_by", "pod"}}));
}

TEST(StreamWindow, EndsAtTheLastFinalStepOrNowWhenFresh) {
  Result<StreamRequest> stream = Parse(Object());  // 1h at 15s
  ASSERT_TRUE(stream.ok());
  const TimePoint now = At(1'800'000'007.5);
  MetricRequest window = StreamWindow(*stream, now, 1min);
  // now - 1m = ...947.5, floored to 15 s.
  EXPECT_EQ(window.end, At(1'799'999'940));
  EXPECT_EQ(window.start, At(1'799'996'340));
  EXPECT_EQ(LastFinalStep(*stream, now, 1min), window.end);

  stream->fresh = true;
  MetricRequest fresh = StreamWindow(*stream, now, 1min);
  EXPECT_EQ(fresh.end, At(1'800'000'000));
  EXPECT_EQ(fresh.start, At(1'799'996'400));
}

TEST(NextRefresh, OncePerStepAfterTheStepIsDueAndScraped) {
  Result<StreamRequest> stream = Parse(Object({{"step", "10s"}}));
  ASSERT_TRUE(stream.ok());
  // Step 1'800'000'000 is final at +60 s, scraped at +62 s; a refresh then waits for the next.
  EXPECT_EQ(NextRefresh(*stream, At(1'800'000'062), 1min, 2s), At(1'800'000'072));
  EXPECT_EQ(NextRefresh(*stream, At(1'800'000'062.3), 1min, 2s), At(1'800'000'072));
  EXPECT_EQ(NextRefresh(*stream, At(1'800'000'061.9), 1min, 2s), At(1'800'000'062));
  stream->fresh = true;
  EXPECT_EQ(NextRefresh(*stream, At(1'800'000'002.5), 1min, 2s), At(1'800'000'012));
}

MetricSeries Series(std::string pod, std::vector<std::pair<double, double>> points) {
  MetricSeries series{.labels = {{"pod", pod}}, .quantile = 0.95, .points = {}};
  for (auto [t, v] : points) series.points.push_back({At(t), v});
  return series;
}

TEST(StepsAfter, TheNewStepsOfKnownSeriesAndEveryStepOfNewOnes) {
  MetricResult previous;
  previous.series = {Series("a", {{10, 1}, {20, 2}})};
  MetricResult current;
  current.series = {Series("a", {{20, 2}, {30, 3}, {40, 4}}),
                    Series("b", {{20, 5}, {30, 6}, {40, 7}}), Series("c", {{20, 8}})};
  std::vector<MetricSeries> steps = StepsAfter(current, &previous, At(20));
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].labels, (Labels{{"pod", "a"}}));
  ASSERT_EQ(steps[0].points.size(), 2u);
  EXPECT_EQ(steps[0].points[0].time, At(30));
  EXPECT_EQ(steps[1].points.size(), 3u) << "a series seen for the first time comes whole";
  EXPECT_EQ(steps[2].points.size(), 1u);

  // A resumed client: every series counts as known; one without a later step is left out.
  std::vector<MetricSeries> resumed = StepsAfter(current, nullptr, At(30));
  ASSERT_EQ(resumed.size(), 2u);
  EXPECT_EQ(resumed[0].points.size(), 1u);
  EXPECT_EQ(resumed[1].points.size(), 1u);
  EXPECT_EQ(resumed[1].points[0].value, 7);
}

}  // namespace
}  // namespace nfmetrics::service
