#include "nfmetrics/service/duration.hpp"

#include <gtest/gtest.h>

namespace nfmetrics::service {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, ReadsPrometheusUnits) {
  EXPECT_EQ(*ParseDuration("15s"), seconds(15));
  EXPECT_EQ(*ParseDuration("1m30s"), seconds(90));
  EXPECT_EQ(*ParseDuration("2h"), hours(2));
  EXPECT_EQ(*ParseDuration("1d"), hours(24));
  EXPECT_EQ(*ParseDuration("1w"), hours(24 * 7));
  EXPECT_EQ(*ParseDuration("1y"), hours(24 * 365));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1h2m3s4ms"), hours(1) + minutes(2) + seconds(3) + milliseconds(4));
  EXPECT_EQ(*ParseDuration("0s"), milliseconds(0));
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad : {"", "15", "s", "1.5m", "-1m", "1x", "1s1m", "1m1m", "1 m", "m1", "1h ",
                          "ms", "-0w", "1m-0s", "+1m"}) {
    auto parsed = ParseDuration(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
    }
  }
}

TEST(ParseDuration, RejectsAbsurdlyLargeValues) {
  EXPECT_FALSE(ParseDuration("99999999999999999999s").ok());
  EXPECT_FALSE(ParseDuration("1000y").ok());
}

TEST(ParseDurationOrSeconds, AcceptsPlainSeconds) {
  EXPECT_EQ(*ParseDurationOrSeconds("60"), seconds(60));
  EXPECT_EQ(*ParseDurationOrSeconds("1.5"), milliseconds(1500));
  EXPECT_EQ(*ParseDurationOrSeconds("1m"), minutes(1));
  EXPECT_EQ(*ParseDurationOrSeconds("-5"), seconds(-5));  // the caller rejects <= 0
}

TEST(ParseDurationOrSeconds, RejectsNonFiniteNumbers) {
  EXPECT_FALSE(ParseDurationOrSeconds("inf").ok());
  EXPECT_FALSE(ParseDurationOrSeconds("nan").ok());
  EXPECT_FALSE(ParseDurationOrSeconds("1e300").ok());
  EXPECT_FALSE(ParseDurationOrSeconds("").ok());
}

TEST(FormatDuration, PrintsCanonicalPrometheusForm) {
  EXPECT_EQ(FormatDuration(seconds(15)), "15s");
  EXPECT_EQ(FormatDuration(seconds(90)), "1m30s");
  EXPECT_EQ(FormatDuration(minutes(5)), "5m");
  EXPECT_EQ(FormatDuration(hours(24)), "1d");
  EXPECT_EQ(FormatDuration(hours(24 * 7)), "1w");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (Duration d : {Duration(milliseconds(1)), Duration(seconds(61)), Duration(hours(25)),
                     Duration(hours(24 * 400) + milliseconds(7))}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d);
  }
}

}  // namespace
}  // namespace nfmetrics::service
