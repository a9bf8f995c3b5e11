// GET /api/v1/capacity end to end against a real backend (the one under test) holding the
// benchmark's fleet, bench/fleet, growing over whole UTC days up to now: every per-day figure is
// the backend's own answer to the PromQL the answer reports, and the read rate's trend has the
// slope of the same least-squares line through the generator's model of those days.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_checks.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "support/backend.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr int kPods = 2;
constexpr int kDays = 9;  // asked of the API; the data has one more day before them
constexpr Duration kDay = hours(24);

std::int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The backend's own range query answer: its one series' finite values by unix second.
std::map<std::int64_t, double> DirectOn(unsigned short port, const std::string& promql,
                                        std::int64_t start, std::int64_t end, std::int64_t step) {
  std::map<std::int64_t, double> values;
  const Json direct = ParseAnswer(Get(
      "127.0.0.1", port,
      fmt::format("/api/v1/query_range?query={}&start={}&end={}&step={}",
                  boost::urls::encode(promql, boost::urls::unreserved_chars), start, end, step)));
  EXPECT_EQ(direct.status, 200) << direct.body.substr(0, 300);
  if (direct.status != 200) return values;
  const auto& result = direct.doc["data"]["result"];
  EXPECT_LE(result.Size(), 1U) << promql;
  for (const auto& series : result.GetArray()) {
    for (const auto& point : series["values"].GetArray()) {
      const double value = std::strtod(point[1].GetString(), nullptr);
      if (std::isfinite(value)) values.emplace(std::llround(point[0].GetDouble()), value);
    }
  }
  return values;
}

void ExpectRelativelyEqual(double api, double direct, const std::string& what) {
  EXPECT_NEAR(api, direct, 1e-9 * std::max(std::abs(direct), 1e-300)) << what;
}

// Each of data.days' five figures is the backend's answer, at the end of that day, to the per-day
// query data.queries has for it (asked at step 1d over the answer's range), or null where the
// backend has no finite value. Returns how many figures had a value.
int ExpectDaysAreTheBackendsAnswers(const rapidjson::Value& data, unsigned short backend_port) {
  const std::int64_t first = data["range"]["start_unix"].GetInt64();
  const std::int64_t today = data["range"]["end_unix"].GetInt64();
  const auto days = static_cast<unsigned>((today - first) / 86400);
  EXPECT_EQ(days, static_cast<unsigned>(data["days_requested"].GetInt()));
  EXPECT_EQ(data["queries"].Size(), 7U);
  EXPECT_EQ(data["days"].Size(), days);
  if (data["queries"].Size() != 7U || data["days"].Size() != days) return 0;
  const char* fields[] = {"read_rate_mean", "read_rate_peak", "sink_quantile_seconds",
                          "processing_quantile_seconds", "pods_max"};
  int valued = 0;
  for (unsigned q = 0; q < 5; ++q) {
    const std::string promql = data["queries"][q].GetString();
    const std::map<std::int64_t, double> direct =
        DirectOn(backend_port, promql, first + 86400, today, 86400);
    for (unsigned i = 0; i < days; ++i) {
      const auto& day = data["days"][i];
      const std::int64_t day_start = first + i * 86400;
      EXPECT_EQ(day["date"].GetString(),
                service::FormatRfc3339(TimePoint(std::chrono::seconds(day_start))).substr(0, 10));
      const std::string what = fmt::format("{} on day {} ({})", fields[q], i, promql);
      const auto it = direct.find(day_start + 86400);  // the value at t is the day before t's
      const rapidjson::Value& value = day[fields[q]];
      if (it == direct.end()) {
        EXPECT_TRUE(value.IsNull()) << what;
        continue;
      }
      ++valued;
      if (q == 4) {
        EXPECT_TRUE(value.IsInt64()) << what;
        if (value.IsInt64()) EXPECT_EQ(value.GetInt64(), std::llround(it->second)) << what;
      } else {
        EXPECT_TRUE(value.IsNumber()) << what;
        if (value.IsNumber()) ExpectRelativelyEqual(value.GetDouble(), it->second, what);
      }
    }
  }
  return valued;
}

// A backend of its own with the fleet, and the API in front of it, shared by the suite.
class CapacityApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    const TimePoint end{std::chrono::floor<minutes>(now.time_since_epoch())};
    today_ = std::chrono::floor<std::chrono::days>(end);
    // One day before the asked ones, so that the first day's windows look back into data too.
    data_ = SyntheticData{
        .start = today_ - (kDays + 1) * kDay,
        .end = end,
        .interval = std::chrono::seconds(60),
        .fleet_pods = kPods,
        .families = {"monovtx_read_total", "monovtx_sink_time", "monovtx_processing_time"}};
    world_ = std::make_unique<synth::World>(data_.World());
    backend_ = StartBackend(*ParseBackendKind(BackendName()), data_);
    api_ = std::make_unique<InProcessApi>(backend_->url());
  }
  static void TearDownTestSuite() {
    api_.reset();
    backend_.reset();
    world_.reset();
  }

  static Json Capacity(const std::string& query) {
    return ParseAnswer(Get("127.0.0.1", api_->port(), "/api/v1/capacity?" + query));
  }
  static std::map<std::int64_t, double> Direct(const std::string& promql, std::int64_t start,
                                               std::int64_t end, std::int64_t step) {
    return DirectOn(backend_->port(), promql, start, end, step);
  }
  static const synth::MonoVertexModel& Fleet() { return world_->mono_vertices.front(); }
  // True, with a note, when UTC midnight passed since the data was made: the window moved.
  static bool MovedPastMidnight(const rapidjson::Value& data) {
    return data["range"]["end_unix"].GetInt64() != UnixSeconds(today_);
  }

  static inline TimePoint today_;
  static inline SyntheticData data_;
  static inline std::unique_ptr<synth::World> world_;
  static inline std::unique_ptr<Backend> backend_;
  static inline std::unique_ptr<InProcessApi> api_;
};

// The ordinary least-squares slope of values[i] against i.
double OlsSlope(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  double mean_x = 0;
  double mean_y = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    mean_x += static_cast<double>(i) / n;
    mean_y += values[i] / n;
  }
  double sxy = 0;
  double sxx = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    sxy += (static_cast<double>(i) - mean_x) * (values[i] - mean_y);
    sxx += (static_cast<double>(i) - mean_x) * (static_cast<double>(i) - mean_x);
  }
  return sxy / sxx;
}

TEST_F(CapacityApi, EveryDayIsTheBackendsOwnAnswerToItsQuery) {
  const Json answer = Capacity(fmt::format("namespace=bench&mvtx=fleet&days={}", kDays));
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  const auto& data = answer.doc["data"];
  if (MovedPastMidnight(data)) GTEST_SKIP() << "UTC midnight passed since the data was made";
  EXPECT_STREQ(data["object"].GetString(), "mono-vertex");
  EXPECT_EQ(data["days_requested"].GetInt(), kDays);
  EXPECT_EQ(data["range"]["start_unix"].GetInt64(), UnixSeconds(today_ - kDays * kDay));
  // Every figure of every day has a value: the fleet runs all day.
  EXPECT_EQ(ExpectDaysAreTheBackendsAnswers(data, backend_->port()), 5 * kDays);
  for (const auto& day : data["days"].GetArray()) {
    if (day["pods_max"].IsInt64()) EXPECT_EQ(day["pods_max"].GetInt64(), kPods);
  }
}

// A pipeline vertex, on the suite's shared data (default/shop, a few hours now, a day and a week
// earlier): the forwarder families' queries are the backend's own answers too, on the days those
// hours fall in.
TEST(CapacityVertex, DaysAreTheBackendsOwnAnswersToTheForwarderQueries) {
  const Json answer = ApiGet("/api/v1/capacity?namespace=default&pipeline=shop&vertex=out&days=8");
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  const auto& data = answer.doc["data"];
  EXPECT_STREQ(data["object"].GetString(), "vertex");
  EXPECT_STREQ(data["pipeline"].GetString(), "shop");
  EXPECT_STREQ(data["vertex"].GetString(), "out");
  EXPECT_THAT(std::string(data["queries"][0].GetString()),
              ::testing::HasSubstr("forwarder_data_read_total{namespace=\"default\","
                                   "pipeline=\"shop\",vertex=\"out\"}"));
  EXPECT_GT(ExpectDaysAreTheBackendsAnswers(data, BackendPort()), 0);
  ASSERT_EQ(data["load_latency"].Size(), 10U);
}

TEST_F(CapacityApi, ReadRateTrendsHaveTheSlopeOfTheModelsDays) {
  const Json answer = Capacity(fmt::format("namespace=bench&mvtx=fleet&days={}", kDays));
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  const auto& data = answer.doc["data"];
  if (MovedPastMidnight(data)) GTEST_SKIP() << "UTC midnight passed since the data was made";
  const TimePoint first = today_ - kDays * kDay;
  // The model's day: its mean read rate, and its largest rate over the day's 288 five-minute
  // windows (what max_over_time of the 5m rate at 5m steps converges to).
  std::vector<double> model_mean;
  std::vector<double> model_peak;
  std::vector<double> api_mean;
  for (int d = 0; d < kDays; ++d) {
    const TimePoint start = first + d * kDay;
    model_mean.push_back(synth::MessagesReadPerSecond(Fleet(), start, start + kDay));
    double peak = 0;
    for (int k = 1; k <= 288; ++k) {
      const TimePoint to = start + k * minutes(5);
      peak = std::max(peak, synth::MessagesReadPerSecond(Fleet(), to - minutes(5), to));
    }
    model_peak.push_back(peak);
    const auto& mean = data["days"][static_cast<unsigned>(d)]["read_rate_mean"];
    ASSERT_TRUE(mean.IsNumber()) << "day " << d;
    api_mean.push_back(mean.GetDouble());
  }
  const double model_peak_slope = OlsSlope(model_peak);
  const double model_mean_slope = OlsSlope(model_mean);
  const auto& peak_trend = data["trend"]["read_rate_peak"];
  ASSERT_TRUE(peak_trend["slope_per_day"].IsNumber()) << answer.body.substr(0, 500);
  EXPECT_EQ(peak_trend["days_used"].GetInt(), kDays);
  std::printf("read rate slope per day: peak %.6g (model %.6g), mean %.6g (model %.6g)\n",
              peak_trend["slope_per_day"].GetDouble(), model_peak_slope, OlsSlope(api_mean),
              model_mean_slope);
  EXPECT_NEAR(peak_trend["slope_per_day"].GetDouble(), model_peak_slope,
              0.05 * std::abs(model_peak_slope));
  EXPECT_NEAR(OlsSlope(api_mean), model_mean_slope, 0.05 * std::abs(model_mean_slope));
  // The model's growth is there to be found: not a flat line the 5% would trivially hold for.
  EXPECT_GT(std::abs(model_mean_slope), 0.005 * model_mean.front());
  for (const char* latency : {"sink_quantile_seconds", "processing_quantile_seconds"}) {
    EXPECT_EQ(data["trend"][latency]["days_used"].GetInt(), kDays) << latency;
  }
}

TEST_F(CapacityApi, DecilesAscendInLoadAndCoverEveryStep) {
  const Json answer = Capacity(fmt::format("namespace=bench&mvtx=fleet&days={}", kDays));
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  const auto& data = answer.doc["data"];
  if (MovedPastMidnight(data)) GTEST_SKIP() << "UTC midnight passed since the data was made";
  const std::int64_t today = UnixSeconds(today_);
  const std::int64_t first = today - kDays * 86400;
  const std::size_t steps = Direct(data["queries"][5].GetString(), first + 300, today, 300).size();
  EXPECT_EQ(steps, static_cast<std::size_t>(kDays) * 288);
  const auto& deciles = data["load_latency"];
  ASSERT_EQ(deciles.Size(), 10U);
  double previous = -1;
  std::size_t total = 0;
  for (unsigned k = 0; k < 10; ++k) {
    const auto& decile = deciles[k];
    EXPECT_EQ(decile["decile"].GetInt(), static_cast<int>(k) + 1);
    EXPECT_EQ(static_cast<std::size_t>(decile["steps"].GetInt()),
              (k + 1) * steps / 10 - k * steps / 10);
    total += static_cast<std::size_t>(decile["steps"].GetInt());
    ASSERT_TRUE(decile["read_rate"].IsNumber()) << k;
    EXPECT_GT(decile["read_rate"].GetDouble(), previous) << k;
    previous = decile["read_rate"].GetDouble();
    EXPECT_TRUE(decile["sink_quantile_seconds"].IsNumber()) << k;
  }
  EXPECT_EQ(total, steps);
}

TEST_F(CapacityApi, ErrorsNameTheirParameter) {
  struct Case {
    std::string query;
    int status;
    std::string param;
  };
  const Case cases[] = {
      {"namespace=bench&mvtx=fleet&step=1d", 400, "step"},
      {"namespace=bench&mvtx=fleet&days=1", 400, "days"},
      {"namespace=bench&mvtx=fleet&days=91", 400, "days"},
      {"namespace=bench&mvtx=fleet&horizon=366", 400, "horizon"},
      {"namespace=bench&mvtx=fleet&quantile=2", 400, "quantile"},
      {"namespace=bench&mvtx=fleet&pipeline=p", 400, "pipeline"},
      {"namespace=bench&pipeline=p", 400, "vertex"},
      {"namespace=bench&vertex=v", 400, "pipeline"},
      {"namespace=bench&mvtx=fleet&mvtx=fleet", 400, "mvtx"},
      {"mvtx=fleet", 400, "namespace"},
      {"namespace=bench&mvtx=nope&days=2", 404, "mvtx"},
      {"namespace=bench&pipeline=nope&vertex=out&days=2", 404, "vertex"},
  };
  for (const Case& c : cases) {
    const Json answer = Capacity(c.query);
    EXPECT_EQ(answer.status, c.status) << c.query << ": " << answer.body.substr(0, 300);
    ASSERT_TRUE(answer.doc.IsObject() && answer.doc.HasMember("error") &&
                answer.doc["error"].HasMember("param"))
        << c.query << ": " << answer.body;
    EXPECT_STREQ(answer.doc["status"].GetString(), "error") << c.query;
    EXPECT_STREQ(answer.doc["error"]["code"].GetString(),
                 c.status == 404 ? "not_found" : "bad_request")
        << c.query;
    EXPECT_EQ(answer.doc["error"]["param"].GetString(), c.param) << c.query << ": " << answer.body;
  }
}

}  // namespace
}  // namespace nfmetrics::testing
