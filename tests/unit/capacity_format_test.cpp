// `nfmetrics capacity`'s pure half: the API's answer read, the request target built from the flags,
// and the tables written for a person, on answers of CONTRACT-17's shape built here.
#include "app/capacity_format.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/capacity_answer.hpp"
#include "app/capacity_command.hpp"

namespace nfmetrics::app {
namespace {

// Three days (the middle one without data), the trends of the first and last, 10 deciles (the
// last empty).
std::string MonoVertexAnswer() {
  std::string deciles;
  for (int k = 1; k <= 10; ++k) {
    if (!deciles.empty()) deciles += ',';
    deciles += k == 10 ? R"({"decile":10,"read_rate":null,"sink_quantile_seconds":null,"steps":0})"
                       : fmt::format(R"({{"decile":{},"read_rate":{},"sink_quantile_seconds":{},)"
                                     R"("steps":86}})",
                                     k, 10 * k, 0.001 * k);
  }
  return fmt::format(R"json({{"status":"success","data":{{
  "object":"mono-vertex","namespace":"bench","mvtx":"fleet","quantile":0.99,
  "days_requested":3,"horizon":30,
  "range":{{"start":"2026-11-30T00:00:00Z","end":"2026-12-03T00:00:00Z",
           "start_unix":1795996800,"end_unix":1796256000}},
  "cache":"miss",
  "days":[
    {{"date":"2026-11-30","read_rate_mean":100,"read_rate_peak":150.5,
     "sink_quantile_seconds":0.0123,"processing_quantile_seconds":0.0045,"pods_max":3}},
    {{"date":"2026-12-01","read_rate_mean":null,"read_rate_peak":null,
     "sink_quantile_seconds":null,"processing_quantile_seconds":null,"pods_max":null}},
    {{"date":"2026-12-02","read_rate_mean":104,"read_rate_peak":156.5,
     "sink_quantile_seconds":0.0125,"processing_quantile_seconds":0.0044,"pods_max":3}}],
  "trend":{{
    "read_rate_peak":{{"slope_per_day":3,"intercept":150.5,"r2":1,"projected":252.5,
                      "change_percent_per_week":13.953488372093023,"days_used":2}},
    "sink_quantile_seconds":{{"slope_per_day":0.0001,"intercept":0.0123,"r2":null,
                             "projected":0.0155,"change_percent_per_week":5.69,"days_used":2}},
    "processing_quantile_seconds":{{"slope_per_day":-0.00005,"intercept":0.0045,"r2":1,
                                   "projected":0.0029,"change_percent_per_week":-7.777,
                                   "days_used":2}}}},
  "load_latency":[{}],
  "queries":["q1","q2","q3","q4","q5","q6","q7"]}},"warnings":["a warning"]}})json",
                     deciles);
}

std::string VertexAnswer() {
  return R"({"status":"success","data":{"object":"vertex","namespace":"default",
  "pipeline":"shop","vertex":"out","quantile":0.5,"days_requested":2,"horizon":0,
  "range":{"start":"2026-12-01T00:00:00Z","end":"2026-12-03T00:00:00Z"},"cache":"hit",
  "days":[{"date":"2026-12-01","read_rate_mean":null,"read_rate_peak":null,
           "sink_quantile_seconds":null,"processing_quantile_seconds":null,"pods_max":null},
          {"date":"2026-12-02","read_rate_mean":5,"read_rate_peak":6,
           "sink_quantile_seconds":1.5,"processing_quantile_seconds":0.0000025,"pods_max":1}],
  "trend":{"read_rate_peak":{"slope_per_day":null,"intercept":null,"r2":null,"projected":null,
                             "change_percent_per_week":null,"days_used":1},
           "sink_quantile_seconds":{"slope_per_day":null,"intercept":null,"r2":null,
                                    "projected":null,"change_percent_per_week":null,"days_used":1},
           "processing_quantile_seconds":{"slope_per_day":null,"intercept":null,"r2":null,
                                          "projected":null,"change_percent_per_week":null,
                                          "days_used":1}},
  "load_latency":[],"queries":[]},"warnings":[]})";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Text(const std::string& body) {
  Result<CapacityAnswer> answer = ParseCapacityAnswer(body);
  EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
  if (!answer.ok()) return {};
  std::ostringstream out;
  WriteCapacity(out, *answer);
  return out.str();
}

TEST(CapacityAnswerParser, ReadsDaysTrendsAndDeciles) {
  Result<CapacityAnswer> answer = ParseCapacityAnswer(MonoVertexAnswer());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->object, "mono-vertex");
  EXPECT_EQ(answer->object_name, "bench/fleet");
  EXPECT_EQ(answer->quantile, 0.99);
  EXPECT_EQ(answer->days_requested, 3);
  EXPECT_EQ(answer->horizon, 30);
  EXPECT_EQ(answer->cache, "miss");
  ASSERT_EQ(answer->days.size(), 3u);
  EXPECT_EQ(answer->days[0].date, "2026-11-30");
  EXPECT_EQ(answer->days[0].read_rate_peak, 150.5);
  EXPECT_EQ(answer->days[0].pods_max, 3);
  EXPECT_FALSE(answer->days[1].read_rate_mean);
  EXPECT_FALSE(answer->days[1].pods_max);
  EXPECT_EQ(answer->read_rate_peak.slope_per_day, 3);
  EXPECT_EQ(answer->read_rate_peak.days_used, 2);
  EXPECT_FALSE(answer->sink_quantile.r2);
  EXPECT_EQ(answer->processing_quantile.slope_per_day, -0.00005);
  ASSERT_EQ(answer->load_latency.size(), 10u);
  EXPECT_EQ(answer->load_latency[0].decile, 1);
  EXPECT_EQ(answer->load_latency[9].steps, 0);
  EXPECT_FALSE(answer->load_latency[9].read_rate);
  EXPECT_EQ(answer->warnings, std::vector<std::string>{"a warning"});
}

TEST(CapacityAnswerParser, NamesAVertexByNamespacePipelineAndVertex) {
  Result<CapacityAnswer> answer = ParseCapacityAnswer(VertexAnswer());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->object_name, "default/shop/out");
  EXPECT_TRUE(answer->load_latency.empty());
}

TEST(CapacityAnswerParser, KeepsTheDataObjectAsJson) {
  Result<CapacityAnswer> answer = ParseCapacityAnswer(VertexAnswer());
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_TRUE(answer->data_json.starts_with(R"({"object":"vertex","namespace":"default",)"))
      << answer->data_json;
  EXPECT_TRUE(answer->data_json.ends_with(R"("load_latency":[],"queries":[]})"))
      << answer->data_json;
  EXPECT_EQ(answer->data_json.find("warnings"), std::string::npos) << "data only";
  EXPECT_EQ(answer->data_json.find('\n'), std::string::npos);
}

TEST(CapacityAnswerParser, RefusesWhatIsNotACapacityAnswer) {
  EXPECT_FALSE(ParseCapacityAnswer("not json").ok());
  EXPECT_FALSE(ParseCapacityAnswer(R"({"status":"error","error":{"code":"x"}})").ok());
  EXPECT_FALSE(ParseCapacityAnswer(R"({"status":"success","data":{"object":"pipeline"}})").ok());
  // A diagnosis is not a capacity answer: no days, trend or deciles.
  EXPECT_FALSE(
      ParseCapacityAnswer(R"({"status":"success","data":{"object":"mono-vertex","findings":[]}})")
          .ok());
  EXPECT_FALSE(ParseCapacityAnswer(R"({"status":"success","data":{"object":"vertex",)"
                                   R"("days":[1],"trend":{},"load_latency":[]}})")
                   .ok());
}

TEST(CapacityFormat, WritesTheHeaderTheDaysTheTrendsAndTheDeciles) {
  const std::vector<std::string> lines = Lines(Text(MonoVertexAnswer()));
  const std::string header =
      "mono-vertex bench/fleet, 3 days 2026-11-30 to 2026-12-02 (UTC), p99, horizon 30 days, "
      "cache miss";
  const std::vector<std::string> expected = {
      header,
      "",
      "DATE        MEAN READ/S  PEAK READ/S  SINK P99  PROCESSING P99  PODS",
      "2026-11-30          100          150   12.3 ms         4.50 ms     3",
      "2026-12-01            -            -         -               -     -",
      "2026-12-02          104          156   12.5 ms         4.40 ms     3",
      "",
      "TREND           SLOPE/DAY  %/WEEK     R2  AT +30D  DAYS",
      "peak read/s         +3.00  +14.0%  1.000      252     2",
      "sink p99          +100 µs   +5.7%      -  15.5 ms     2",
      "processing p99   -50.0 µs   -7.8%  1.000  2.90 ms     2",
      "",
      "LOAD DECILE  READ/S  SINK P99  STEPS",
      "          1    10.0   1.00 ms     86",
      "          2    20.0   2.00 ms     86",
      "          3    30.0   3.00 ms     86",
      "          4    40.0   4.00 ms     86",
      "          5    50.0   5.00 ms     86",
      "          6    60.0   6.00 ms     86",
      "          7    70.0   7.00 ms     86",
      "          8    80.0   8.00 ms     86",
      "          9    90.0   9.00 ms     86",
      "         10       -         -      0",
  };
  EXPECT_EQ(lines, expected);
}

TEST(CapacityFormat, ShowsTrendsWithoutEnoughDaysAsDashes) {
  const std::vector<std::string> lines = Lines(Text(VertexAnswer()));
  ASSERT_GE(lines.size(), 10u);
  EXPECT_EQ(lines[0],
            "vertex default/shop/out, 2 days 2026-12-01 to 2026-12-02 (UTC), p50, "
            "horizon 0 days, cache hit");
  EXPECT_EQ(lines[2], "DATE        MEAN READ/S  PEAK READ/S  SINK P50  PROCESSING P50  PODS");
  EXPECT_EQ(lines[4], "2026-12-02         5.00         6.00    1.50 s         2.50 µs     1");
  EXPECT_EQ(lines[6], "TREND           SLOPE/DAY  %/WEEK  R2  AT +0D  DAYS");
  EXPECT_EQ(lines[7], "peak read/s             -       -   -       -     1");
  EXPECT_EQ(lines[9], "processing p50          -       -   -       -     1");
  EXPECT_EQ(lines.back(), "LOAD DECILE  READ/S  SINK P50  STEPS") << "no deciles, the header";
}

TEST(CapacityFormat, SignsSlopes) {
  EXPECT_EQ(SignedValue(2.5, ""), "+2.50");
  EXPECT_EQ(SignedValue(-2.5, ""), "-2.50");
  EXPECT_EQ(SignedValue(0.0, ""), "0");
  EXPECT_EQ(SignedValue(0.002, "seconds"), "+2.00 ms");
  EXPECT_EQ(SignedValue(0.0, "seconds"), "0 s");
  EXPECT_EQ(SignedValue(std::nullopt, "seconds"), "-");
}

TEST(CapacityTarget, NamesTheObjectAndPassesTheOptionalFlags) {
  CapacityOptions options{.ns = "bench", .mvtx = "fleet"};
  EXPECT_EQ(BuildCapacityTarget(options), "/api/v1/capacity?namespace=bench&mvtx=fleet");
  options = {.ns = "default",
             .pipeline = "shop",
             .vertex = "out",
             .days = "7",
             .quantile = "0.9",
             .horizon = "14"};
  EXPECT_EQ(BuildCapacityTarget(options),
            "/api/v1/capacity?namespace=default&pipeline=shop&vertex=out&days=7&quantile=0.9"
            "&horizon=14");
}

TEST(CapacityTarget, RefusesFlagsThatNameNoOneObject) {
  EXPECT_THROW(BuildCapacityTarget({.ns = "default"}), UsageError);
  EXPECT_THROW(BuildCapacityTarget({.ns = "default", .mvtx = "a", .pipeline = "p", .vertex = "v"}),
               UsageError);
  EXPECT_THROW(BuildCapacityTarget({.ns = "default", .pipeline = "shop"}), UsageError);
  EXPECT_THROW(BuildCapacityTarget({.ns = "default", .vertex = "out"}), UsageError);
}

}  // namespace
}  // namespace nfmetrics::app
