#include "nfmetrics/service/timestamp.hpp"

#include <gtest/gtest.h>

namespace nfmetrics::service {
namespace {

TimePoint At(std::int64_t millis) { return TimePoint(Duration(millis)); }

TEST(ParseTimestamp, ReadsUnixSeconds) {
  EXPECT_EQ(*ParseTimestamp("1795467600"), At(1795467600000));
  EXPECT_EQ(*ParseTimestamp("1795467600.25"), At(1795467600250));
  EXPECT_EQ(*ParseTimestamp("0"), At(0));
}

TEST(ParseTimestamp, ReadsRfc3339WithZuluOffsetAndFraction) {
  EXPECT_EQ(*ParseTimestamp("2026-11-23T10:00:00Z"), At(1795428000000));
  EXPECT_EQ(*ParseTimestamp("2026-11-23T10:00:00.5Z"), At(1795428000500));
  EXPECT_EQ(*ParseTimestamp("2026-11-23T11:00:00+01:00"), At(1795428000000));
  EXPECT_EQ(*ParseTimestamp("2026-11-23T05:30:00.250-04:30"), At(1795428000250));
  EXPECT_EQ(*ParseTimestamp("2026-11-23t10:00:00z"), At(1795428000000));
  EXPECT_EQ(*ParseTimestamp("2026-11-23T10:00:00.123456789Z"), At(1795428000123));
}

TEST(ParseTimestamp, ReadsAPlusOffsetThatArrivedAsASpace) {
  EXPECT_EQ(*ParseTimestamp("2026-11-23T11:00:00 01:00"), At(1795428000000));
}

TEST(ParseTimestamp, RejectsMalformedText) {
  for (const char* bad :
       {"", "now", "yesterday", "1e", "12abc", "2026-11-23", "2026-11-23T10:00:00",
        "2026-13-01T00:00:00Z", "2026-11-23T25:00:00Z", "2026-11-23T10:00:00+0100",
        "2026-11-23T10:00:00Zjunk", "nan", "inf", "-inf"}) {
    auto parsed = ParseTimestamp(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
    }
  }
}

TEST(ParseTimestamp, RejectsTimesOutsideRfc3339Range) {
  EXPECT_FALSE(ParseTimestamp("-1").ok());
  EXPECT_FALSE(ParseTimestamp("1e12").ok());
}

TEST(FormatRfc3339, WritesUtcWithMillisOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339(At(1795428000000)), "2026-11-23T10:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(1795428000250)), "2026-11-23T10:00:00.250Z");
  EXPECT_EQ(*ParseTimestamp(FormatRfc3339(At(1795428000250))), At(1795428000250));
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

TEST(ParseTimestamp, FarFutureAndPastYearsNeverWrapAround) {
  EXPECT_EQ(*ParseTimestamp("2600-01-01T00:00:00Z"), At(19880899200000));
  EXPECT_EQ(*ParseTimestamp("9999-12-31T23:59:59Z"), At(253402300799000));
  EXPECT_EQ(*ParseTimestamp("9999-12-31T23:59:59Z"), *ParseTimestamp("253402300799"));
  EXPECT_FALSE(ParseTimestamp("1000-01-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("1969-12-31T23:59:59Z").ok());
}

TEST(ParseTimestamp, IsStrictAboutRfc3339Fields) {
  for (const char* bad :
       {"2026-11-23T21:00:00+99:99", "2026-11-23T21:00:00+01", "2026-11-23T1:00:00.50Z",
        "2026-11-23T21:00:00.Z", "2026-11-23T23:59:60Z", "2026-02-30T00:00:00Z",
        "2026-11-23T21:00:00+24:00", "2026-11-23T21:60:00Z"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(ParseTimestamp, AcceptsLongFractionsAndExtremeOffsets) {
  EXPECT_EQ(*ParseTimestamp("2026-11-23T10:00:00.1234567891Z"), At(1795428000123));
  EXPECT_EQ(*ParseTimestamp("2026-11-24T00:00:00+14:00"), At(1795428000000));
}

}  // namespace
}  // namespace nfmetrics::service
