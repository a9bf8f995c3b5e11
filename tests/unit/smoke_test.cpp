#include <gtest/gtest.h>

#include "core/result.hpp"

TEST(Result, HoldsValueOrError) {
  nfmetrics::Result<int> ok = 3;
  EXPECT_TRUE(ok.ok());
  nfmetrics::Result<int> bad = nfmetrics::BadRequest("step", "must be > 0");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "step");
}
