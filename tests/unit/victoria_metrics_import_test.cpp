// The VictoriaMetrics harness imports the OpenMetrics text Prometheus backfills; its line
// conversion must keep every sample and turn seconds into milliseconds exactly.
#include <gtest/gtest.h>

#include <string>

#include "support/victoria_metrics_harness.hpp"

namespace nfmetrics::testing {
namespace {

std::string Convert(std::string_view line) {
  std::string out;
  EXPECT_TRUE(AppendAsPrometheusText(line, out)) << line;
  return out;
}

TEST(VictoriaMetricsImport, TurnsSecondsWithMillisecondsIntoMilliseconds) {
  EXPECT_EQ(Convert(R"(m_bucket{pod="p-0",le="592.507"} 17 1795467600.000)"),
            "m_bucket{pod=\"p-0\",le=\"592.507\"} 17 1795467600000\n");
  EXPECT_EQ(Convert("m_sum{a=\"b c\"} 12.345 1795467600.5"),
            "m_sum{a=\"b c\"} 12.345 1795467600500\n");
  EXPECT_EQ(Convert("m 1 1795467600"), "m 1 1795467600000\n");
  EXPECT_EQ(Convert("m 1 0.001"), "m 1 1\n");
  EXPECT_EQ(Convert("m 1 1.0009"), "m 1 1000\n");
}

TEST(VictoriaMetricsImport, SkipsCommentsAndEmptyLines) {
  EXPECT_EQ(Convert("# HELP m Time taken (µs)."), "");
  EXPECT_EQ(Convert("# TYPE m histogram"), "");
  EXPECT_EQ(Convert("# EOF"), "");
  EXPECT_EQ(Convert(""), "");
}

TEST(VictoriaMetricsImport, RejectsLinesItCannotConvert) {
  std::string out;
  EXPECT_FALSE(AppendAsPrometheusText("m 1", out));
  EXPECT_FALSE(AppendAsPrometheusText("m 1 17x", out));
  EXPECT_FALSE(AppendAsPrometheusText("m 1 1.5e3", out));
  EXPECT_FALSE(AppendAsPrometheusText("m", out));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace nfmetrics::testing
