#include "service/timestamp.hpp"

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
  for (const char* bad : {"", "now", "yesterday", "1e", "12abc", "2026-11-23", "2026-11-23T10:00:00",
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
