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
