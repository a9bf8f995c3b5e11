// Split-by-interval against the real engine (Prometheus or VictoriaMetrics, world.hpp): a long
// range asked as one query per interval, the parts joined, must be the unsplit answer, to 1e-9
// relative, at every step and for every series; for ranges and steps that do not divide the
// interval, and again when the finished parts come from the cache. The world's data is 3 hours
// (and the same 3 hours 1 and 7 days earlier), so the hourly split cuts through data, and the daily
// one joins the three windows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "api_checks.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

Json Get(const InProcessApi& api, const std::string& target) {
  return ParseAnswer(testing::Get("127.0.0.1", api.port(), target));
}

class SplitAgainstEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    unsplit_ = new InProcessApi(BackendUrl(), InProcessOptions{.split_interval = Duration::zero()});
    hourly_ = new InProcessApi(BackendUrl(), InProcessOptions{.split_interval = 1h});
    daily_ = new InProcessApi(BackendUrl(), InProcessOptions{.split_parallelism = 2});
  }
  static void TearDownTestSuite() {
    delete unsplit_;
    delete hourly_;
    delete daily_;
  }

  // The answers of `split` (asked twice: parts and then cached parts) and of the unsplit API to
  // `target` are the same series with the same points; returns how many non-null points compared.
  static std::size_t ExpectSameAsUnsplit(const InProcessApi& split, const std::string& target) {
    const Json whole = Get(*unsplit_, target);
    EXPECT_EQ(whole.status, 200) << whole.body.substr(0, 300);
    std::size_t compared = 0;
    for (int round = 0; round < 2; ++round) {
      const Json parts = Get(split, target);
      EXPECT_EQ(parts.status, 200) << parts.body.substr(0, 300);
      if (parts.status != 200 || whole.status != 200) return 0;
      compared = CompareSeries(parts.doc["data"]["series"], whole.doc["data"]["series"], target);
    }
    return compared;
  }

  static std::size_t CompareSeries(const rapidjson::Value& split, const rapidjson::Value& whole,
                                   const std::string& target) {
    std::size_t compared = 0;
    EXPECT_EQ(split.Size(), whole.Size()) << target;
    for (rapidjson::SizeType i = 0; i < std::min(split.Size(), whole.Size()); ++i) {
      EXPECT_EQ(LabelsKey(split[i]["labels"]), LabelsKey(whole[i]["labels"])) << target;
      const auto& a = split[i]["points"];
      const auto& b = whole[i]["points"];
      EXPECT_EQ(a.Size(), b.Size()) << target;
      for (rapidjson::SizeType j = 0; j < std::min(a.Size(), b.Size()); ++j) {
        EXPECT_EQ(a[j][0].GetInt64(), b[j][0].GetInt64()) << target;
        EXPECT_EQ(a[j][1].IsNull(), b[j][1].IsNull()) << target << " at " << a[j][0].GetInt64();
        if (a[j][1].IsNull() || b[j][1].IsNull()) continue;
        const double x = a[j][1].GetDouble();
        const double y = b[j][1].GetDouble();
        EXPECT_LE(std::abs(x - y), 1e-9 * std::max(std::abs(y), 1e-300))
            << target << " at " << a[j][0].GetInt64() << ": " << x << " vs " << y;
        ++compared;
      }
    }
    return compared;
  }

  static std::string Target(std::string_view metric, std::int64_t start, std::int64_t end,
                            std::string_view step, std::string_view extra = "") {
    return fmt::format(
        "/api/v1/metrics/{}?namespace=default&mvtx=checkout&group_by=pod&start={}&end={}&step={}{}",
        metric, start, end, step, extra);
  }

  static InProcessApi* unsplit_;
  static InProcessApi* hourly_;
  static InProcessApi* daily_;
};

InProcessApi* SplitAgainstEngine::unsplit_ = nullptr;
InProcessApi* SplitAgainstEngine::hourly_ = nullptr;
InProcessApi* SplitAgainstEngine::daily_ = nullptr;

TEST_F(SplitAgainstEngine, HourlyPartsOfThreeHoursEqualTheWholeAtStepsThatDoNotDivideAnHour) {
  const std::int64_t end = DataEnd();
  for (const char* step : {"13s", "1m", "7m", "25m"}) {
    const std::string target =
        Target("sink-latency", end - 3 * 3600 + 7 * 60 + 11, end, step, "&quantile=0.5,0.99");
    EXPECT_GT(ExpectSameAsUnsplit(*hourly_, target), 20u) << target;
    const std::string rates = Target("read-throughput", end - 3 * 3600 + 300, end, step);
    EXPECT_GT(ExpectSameAsUnsplit(*hourly_, rates), 20u) << rates;
  }
}

TEST_F(SplitAgainstEngine, DailyPartsOfAWeekEqualTheWholeAcrossTheBaselineWindows) {
  const std::int64_t end = DataEnd();
  // Eight days at 37 minutes (311 steps, the three windows of data among them), and a day and
  // three hours at 5 minutes, which crosses a UTC midnight between the 1d-earlier window and now.
  const std::string week = Target("sink-latency", end - 8 * 86400 + 1234, end, "37m");
  EXPECT_GT(ExpectSameAsUnsplit(*daily_, week), 5u) << week;
  const std::string day = Target("processing-latency", end - 86400 - 3 * 3600, end, "5m");
  EXPECT_GT(ExpectSameAsUnsplit(*daily_, day), 40u) << day;
  const std::string rates = Target("read-throughput", end - 7 * 86400 - 3 * 3600, end, "1h7m");
  EXPECT_GT(ExpectSameAsUnsplit(*daily_, rates), 5u) << rates;
}

TEST_F(SplitAgainstEngine, TheSplitAnswerIsTheEnginesOwnUnsplitAnswer) {
  const std::int64_t end = DataEnd();
  // ExpectEveryQueryMatchesTheBackend asks the engine the whole range in one query.
  const Json answer = Get(*hourly_, Target("sink-latency", end - 3 * 3600 + 600, end, "2m"));
  ExpectEveryQueryMatchesTheBackend(answer);
}

}  // namespace
}  // namespace nfmetrics::testing
