// `nfmetrics diagnose`'s pure half: the API's answer read, findings mapped to an exit code, the
// request target built from the flags, and the text written for a person, on hand-made answers.
#include "app/diagnose_format.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "app/diagnose_command.hpp"
#include "app/diagnosis_answer.hpp"
#include "app/query_format.hpp"

namespace nfmetrics::app {
namespace {

constexpr std::string_view kMonoVertexAnswer = R"json({"status":"success","data":{
  "object":"mono-vertex","namespace":"default","mvtx":"checkout","quantile":0.99,
  "range":{"start":"2026-11-24T12:00:00Z","end":"2026-11-24T15:00:00Z",
           "start_unix":1795521600,"end_unix":1795532400},
  "cache":"miss",
  "stages":[
    {"stage":"read","metric":"monovtx_read_time","batches":100,"mean_seconds":0.001,
     "quantile_seconds":0.004,"share":0.1},
    {"stage":"udf","metric":"monovtx_udf_time","batches":100,"mean_seconds":0.0062,
     "quantile_seconds":0.0215,"share":0.62},
    {"stage":"sink","metric":"monovtx_sink_time","batches":100,"mean_seconds":0.0028,
     "quantile_seconds":null,"share":0.28}],
  "bottleneck_stage":"udf",
  "pods":[
    {"pod":"checkout-mv-2-abcde","quantile_seconds":0.122,"ratio_to_median":6.1,"outlier":true,
     "since":"2026-11-24T14:05:00Z","since_unix":1795528700},
    {"pod":"checkout-mv-0-fghij","quantile_seconds":0.02,"ratio_to_median":1.0,"outlier":false,
     "since":null,"since_unix":null}],
  "baseline":{"offset":"1d","sink":{"now_seconds":0.1,"baseline_seconds":0.02,"ratio":5},
              "processing":{"now_seconds":null,"baseline_seconds":null,"ratio":null},
              "read_rate":{"now":10,"baseline":10,"ratio":1}},
  "errors":{"sink_write_errors_per_second":0,"dropped_per_second":0.01},
  "read_rate":10,"pending":{"first":1,"last":2,"growth":1},
  "findings":[
    {"kind":"slow_pod","severity":"critical","subject":"checkout-mv-2-abcde","subject_kind":"pod",
     "message":"pod checkout-mv-2-abcde: sink p99 122 ms, 6.1x the median of 2 pods, since 14:05Z",
     "since":"2026-11-24T14:05:00Z","since_unix":1795528700},
    {"kind":"bottleneck_stage","severity":"warning","subject":"udf","subject_kind":"stage",
     "message":"stage udf takes 62% of a batch's time in its stages (mean 6.20 ms per batch)",
     "since":null,"since_unix":null}],
  "queries":["q"]},"warnings":[]})json";

constexpr std::string_view kPipelineAnswer = R"({"status":"success","data":{
  "object":"pipeline","namespace":"default","pipeline":"shop","quantile":0.999,
  "range":{"start":"2026-11-24T12:00:00Z","end":"2026-11-24T15:00:00Z"},"cache":"hit",
  "baseline":null,
  "vertices":[
    {"vertex":"in","vertex_type":"Source","read_rate":100,"write_rate":100,"pending":0.3,
     "pending_growth":-0.2,"processing_quantile_seconds":0.0012,"bottleneck":false},
    {"vertex":"out","vertex_type":"Sink","read_rate":99.5,"write_rate":99.5,"pending":1234,
     "pending_growth":-12.4,"processing_quantile_seconds":0.25,"bottleneck":true}],
  "bottleneck_vertex":"out","findings":[],"queries":[]},"warnings":[]})";

std::string Text(std::string_view body) {
  Result<DiagnosisAnswer> answer = ParseDiagnosisAnswer(body);
  EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
  if (!answer.ok()) return {};
  std::ostringstream out;
  WriteDiagnosis(out, *answer);
  return out.str();
}

TEST(DiagnoseAnswerParser, ReadsAMonoVertexAnswer) {
  Result<DiagnosisAnswer> answer = ParseDiagnosisAnswer(kMonoVertexAnswer);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->object_name, "default/checkout");
  EXPECT_EQ(answer->baseline, "1d");
  ASSERT_EQ(answer->stages.size(), 3u);
  EXPECT_FALSE(answer->stages[2].quantile_seconds);
  EXPECT_EQ(answer->bottleneck_stage, "udf");
  ASSERT_EQ(answer->pods.size(), 2u);
  EXPECT_TRUE(answer->pods[0].outlier);
  EXPECT_EQ(answer->pods[1].since, "");
  ASSERT_EQ(answer->findings.size(), 2u);
  EXPECT_EQ(answer->findings[0].severity, "critical");
  EXPECT_EQ(answer->findings[1].subject, "udf");
}

TEST(DiagnoseAnswerParser, RefusesWhatIsNotADiagnosis) {
  EXPECT_FALSE(ParseDiagnosisAnswer("not json").ok());
  EXPECT_FALSE(ParseDiagnosisAnswer(R"({"status":"error","error":{"code":"x"}})").ok());
  EXPECT_FALSE(ParseDiagnosisAnswer(R"({"status":"success","data":{"object":"vertex"}})").ok());
  // A metrics answer is not a diagnosis: no stages, pods or findings.
  EXPECT_FALSE(
      ParseDiagnosisAnswer(R"({"status":"success","data":{"object":"mono-vertex","series":[]}})")
          .ok());
}

TEST(DiagnoseExitCode, IsTheMostSevereFinding) {
  const DiagnosisFinding warning{.severity = "warning"};
  const DiagnosisFinding critical{.severity = "critical"};
  EXPECT_EQ(DiagnoseExitCode({}), 0);
  EXPECT_EQ(DiagnoseExitCode({warning}), 3);
  EXPECT_EQ(DiagnoseExitCode({warning, warning}), 3);
  EXPECT_EQ(DiagnoseExitCode({critical}), 4);
  EXPECT_EQ(DiagnoseExitCode({warning, critical}), 4);
  EXPECT_EQ(DiagnoseExitCode({DiagnosisFinding{.severity = "unheard-of"}}), 3);
}

TEST(DiagnoseTarget, SinceIsStartAndEndCountedBackFromNow) {
  DiagnoseOptions options{.ns = "default", .mvtx = "checkout", .since = "3h"};
  EXPECT_EQ(BuildDiagnosisTarget(options, 1'000'000),
            "/api/v1/diagnosis?namespace=default&mvtx=checkout&start=989200&end=1000000");
  options = {.ns = "default",
             .pipeline = "shop",
             .start = "10",
             .end = "20",
             .quantile = "0.9",
             .baseline = "none"};
  EXPECT_EQ(BuildDiagnosisTarget(options, 1'000'000),
            "/api/v1/diagnosis?namespace=default&pipeline=shop&start=10&end=20&quantile=0.9"
            "&baseline=none");
}

TEST(DiagnoseTarget, OneOfMvtxAndPipelineAndAPositiveSince) {
  EXPECT_THROW(BuildDiagnosisTarget({.ns = "default"}, 0), UsageError);
  EXPECT_THROW(BuildDiagnosisTarget({.ns = "default", .mvtx = "a", .pipeline = "b"}, 0),
               UsageError);
  EXPECT_THROW(BuildDiagnosisTarget({.ns = "default", .mvtx = "a", .since = "soon"}, 0),
               UsageError);
  EXPECT_THROW(BuildDiagnosisTarget({.ns = "default", .mvtx = "a", .since = "0s"}, 0), UsageError);
}

TEST(DiagnoseFormat, QuantileLabelsShortTimesAndFindingLines) {
  EXPECT_EQ(QuantileLabel(0.99), "p99");
  EXPECT_EQ(QuantileLabel(0.999), "p99.9");
  EXPECT_EQ(QuantileLabel(0.5), "p50");
  EXPECT_EQ(ShortTime("2026-11-24T14:05:00Z", "2026-11-24T15:00:00Z"), "14:05Z");
  EXPECT_EQ(ShortTime("2026-11-23T23:05:00Z", "2026-11-24T01:00:00Z"), "2026-11-23T23:05:00Z");
  EXPECT_EQ(FindingLine({.severity = "critical", .message = "m"}), "CRITICAL  m");
  EXPECT_EQ(FindingLine({.severity = "warning", .message = "m"}), "WARNING   m");
}

TEST(DiagnoseFormat, ShareBarsAreEighthsOfTheWidthPaddedToIt) {
  EXPECT_EQ(ShareBar(1.0, 4), "████");
  EXPECT_EQ(ShareBar(0.5, 4), "██  ");
  EXPECT_EQ(ShareBar(0.62, 20), "████████████▍       ");  // 12.4 columns: 12 and 3/8
  EXPECT_EQ(ShareBar(0, 3), "   ");
  EXPECT_EQ(ShareBar(1.5, 2), "██");
  EXPECT_EQ(ShareBar(-1, 2), "  ");
  EXPECT_EQ(DisplayWidth(ShareBar(0.37, 20)), 20u);
}

TEST(DiagnoseFormat, AMonoVertexIsFindingsThenStageSharesThenPods) {
  EXPECT_EQ(Text(kMonoVertexAnswer),
            "mono-vertex default/checkout, 2026-11-24T12:00:00Z to 2026-11-24T15:00:00Z, p99, "
            "compared with 1d earlier\n"
            "CRITICAL  pod checkout-mv-2-abcde: sink p99 122 ms, 6.1x the median of 2 pods, "
            "since 14:05Z\n"
            "WARNING   stage udf takes 62% of a batch's time in its stages (mean 6.20 ms per "
            "batch)\n"
            "\n"
            "STAGE  SHARE                           MEAN      P99\n"
            "read   10.0%  ██                    1.00 ms  4.00 ms\n"
            "udf    62.0%  ████████████▍         6.20 ms  21.5 ms  bottleneck\n"
            "sink   28.0%  █████▋                2.80 ms        -\n"
            "\n"
            "POD                      P99  RATIO\n"
            "checkout-mv-2-abcde   122 ms   6.1x  outlier since 14:05Z\n"
            "checkout-mv-0-fghij  20.0 ms   1.0x\n");
}

TEST(DiagnoseFormat, APipelineIsItsVerticesInOrderWithTheBottleneckMarked) {
  EXPECT_EQ(Text(kPipelineAnswer),
            "pipeline default/shop, 2026-11-24T12:00:00Z to 2026-11-24T15:00:00Z, p99.9, no "
            "baseline\n"
            "no findings\n"
            "\n"
            "VERTEX  TYPE    READ/S  WRITE/S  PENDING  GROWTH    P99.9\n"
            "in      Source     100      100        0      +0  1.20 ms\n"
            "out     Sink      99.5     99.5     1234     -12   250 ms  bottleneck\n");
}

}  // namespace
}  // namespace nfmetrics::app
