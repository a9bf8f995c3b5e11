#include "http/compression.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/http_client.hpp"

namespace nfmetrics::http {
namespace {

TEST(AcceptsGzip, ReadsTheCodingsAndTheirWeights) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("br;q=1.0, GZIP;q=0.8"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.0, identity"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
}

TEST(AcceptsGzip, AnExplicitGzipEntryOverridesTheWildcard) {
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("x-gzip;q=0, *;q=1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.5, *;q=0"));
  EXPECT_TRUE(AcceptsGzip("*;q=0.1, br"));
  EXPECT_FALSE(AcceptsGzip("*;q=0, br"));
}

TEST(AcceptsGzip, FindsQAmongOtherParameters) {
  EXPECT_FALSE(AcceptsGzip("gzip;x=1;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; level=9 ; Q=0"));
  EXPECT_TRUE(AcceptsGzip("gzip;x=1;q=0.2"));
  EXPECT_TRUE(AcceptsGzip("gzip;x=1"));
}

TEST(AcceptsGzip, ParsesQValuesAsRfc9110Defines) {
  for (const char* zero : {"gzip;q=0", "gzip;q=0.", "gzip;q=0.0", "gzip;q=0.000", "gzip ; q = 0",
                           "gzip;\tq=0.00 ", "gzip;q=0, *"}) {
    EXPECT_FALSE(AcceptsGzip(zero)) << zero;
  }
  for (const char* nonzero : {"gzip;q=0.001", "gzip;q=1", "gzip;q=1.000", "gzip ; q = 0.5"}) {
    EXPECT_TRUE(AcceptsGzip(nonzero)) << nonzero;
  }
  // Not qvalues: the entry is ignored, as if absent.
  for (const char* malformed : {"gzip;q=", "gzip;q=abc", "gzip;q=0.0001", "gzip;q=2", "gzip;q=1.5",
                                "gzip;q=-1", "gzip;q=0x1"}) {
    EXPECT_FALSE(AcceptsGzip(malformed)) << malformed;
  }
}

TEST(Gzip, RoundTripsThroughAnIndependentInflate) {
  std::string json = R"({"status":"success","data":{"series":[)";
  for (int i = 0; i < 500; ++i) json += "[1795467600," + std::to_string(0.0248 + i * 1e-6) + "],";
  json += "[0,null]]}}";
  auto compressed = Gzip(json);
  ASSERT_TRUE(compressed.has_value());
  EXPECT_LT(compressed->size(), json.size() / 3);
  EXPECT_EQ(testing::Gunzip(*compressed), json);
  EXPECT_EQ(testing::Gunzip(*Gzip("")), "");
}

}  // namespace
}  // namespace nfmetrics::http
