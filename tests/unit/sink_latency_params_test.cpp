#include "http/sink_latency_params.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace nfmetrics::http {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1795467630));

Result<service::SinkLatencyRequest> Parse(std::string_view query) {
  return ParseSinkLatencyParams(query, kNow);
}

// Asserts a 400 naming `param`, and returns the message.
std::string ExpectBadRequest(std::string_view query, std::string_view param) {
  auto parsed = Parse(query);
  EXPECT_FALSE(parsed.ok()) << query;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest) << query;
  EXPECT_EQ(parsed.error().param, param) << query << ": " << parsed.error().message;
  return parsed.error().message;
}

TEST(SinkLatencyParams, AppliesDefaults) {
  auto parsed = Parse("namespace=ns&mvtx=mv");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ns.str(), "ns");
  EXPECT_EQ(parsed->mvtx.str(), "mv");
  EXPECT_EQ(parsed->end, kNow);
  EXPECT_EQ(parsed->start, kNow - hours(1));
  EXPECT_FALSE(parsed->step.has_value());
  EXPECT_FALSE(parsed->window.has_value());
  EXPECT_DOUBLE_EQ(parsed->quantile, 0.95);
  EXPECT_EQ(parsed->group_by, service::GroupBy::kNone);
  EXPECT_TRUE(parsed->pods.empty());
}

TEST(SinkLatencyParams, ReadsEveryParameter) {
  auto parsed = Parse(
      "namespace=ns&mvtx=mv&start=2026-11-23T10:00:00Z&end=1795431600.5&step=1m30s&window=10m"
      "&quantile=0.99&group_by=pod&pod=b-pod,a-pod&pod=c-pod");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795428000)));
  EXPECT_EQ(parsed->end, TimePoint(std::chrono::milliseconds(1795431600500)));
  EXPECT_EQ(parsed->step, seconds(90));
  EXPECT_EQ(parsed->window, minutes(10));
  EXPECT_DOUBLE_EQ(parsed->quantile, 0.99);
  EXPECT_EQ(parsed->group_by, service::GroupBy::kPod);
  ASSERT_EQ(parsed->pods.size(), 3u);
  EXPECT_EQ(parsed->pods[0].str(), "a-pod");  // sorted
  EXPECT_EQ(parsed->pods[2].str(), "c-pod");
}

TEST(SinkLatencyParams, StepAcceptsSecondsAsANumber) {
  EXPECT_EQ(Parse("namespace=ns&mvtx=mv&step=60")->step, seconds(60));
  EXPECT_EQ(Parse("namespace=ns&mvtx=mv&step=0.5")->step, std::chrono::milliseconds(500));
}

TEST(SinkLatencyParams, OnlyStartGivenMeansUntilNow) {
  auto parsed = Parse("namespace=ns&mvtx=mv&start=1795460000");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->end, kNow);
}

TEST(SinkLatencyParams, OnlyEndGivenMeansTheHourBefore) {
  auto parsed = Parse("namespace=ns&mvtx=mv&end=1795460000");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795460000)) - hours(1));
}

TEST(SinkLatencyParams, DecodesPercentEncodingAndPlusAsSpace) {
  auto parsed = Parse(
      "namespace=ns&mvtx=mv&start=2026-11-23T11%3A00%3A00%2B01%3A00&end=2026-11-23T11:30:00+01:00");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795428000)));
  EXPECT_EQ(parsed->end, TimePoint(seconds(1795429800)));
}

TEST(SinkLatencyParams, DuplicatePodsCollapse) {
  auto parsed = Parse("namespace=ns&mvtx=mv&pod=a,a&pod=a");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->pods.size(), 1u);
}

TEST(SinkLatencyParams, MissingRequiredParametersAreNamed) {
  ExpectBadRequest("mvtx=mv", "namespace");
  ExpectBadRequest("namespace=ns", "mvtx");
  ExpectBadRequest("", "namespace");
}

TEST(SinkLatencyParams, InvalidNamesAreRejected) {
  ExpectBadRequest("namespace=Bad_NS&mvtx=mv", "namespace");
  ExpectBadRequest("namespace=&mvtx=mv", "namespace");
  ExpectBadRequest("namespace=ns&mvtx=", "mvtx");
  ExpectBadRequest("namespace=ns&mvtx=mv%22%7D%20or%20vector(1)%20%23", "mvtx");
  ExpectBadRequest("namespace=ns%0A&mvtx=mv", "namespace");
}

TEST(SinkLatencyParams, InvalidPodsAreRejected) {
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=x%22%7D%20or%20vector(1)%20%23", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a,,b", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a.*", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a|b", "pod");
  std::string many = "namespace=ns&mvtx=mv&pod=p0";
  for (int i = 1; i <= static_cast<int>(kMaxPods); ++i) many += ",p" + std::to_string(i);
  ExpectBadRequest(many, "pod");
}

TEST(SinkLatencyParams, InvalidTimesAreRejected) {
  ExpectBadRequest("namespace=ns&mvtx=mv&start=yesterday", "start");
  ExpectBadRequest("namespace=ns&mvtx=mv&end=2026-11-23", "end");
  ExpectBadRequest("namespace=ns&mvtx=mv&start=", "start");
  ExpectBadRequest("namespace=ns&mvtx=mv&start=nan", "start");
}

TEST(SinkLatencyParams, EndBeforeStartIsAnError) {
  std::string message =
      ExpectBadRequest("namespace=ns&mvtx=mv&start=1795467600&end=1795467000", "end");
  EXPECT_NE(message.find("before start"), std::string::npos);
}

TEST(SinkLatencyParams, StepMustBeAPositiveDuration) {
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0s", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=-1", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0.0001", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=abc", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=inf", "step");
}

TEST(SinkLatencyParams, WindowMustBeAPositivePrometheusDuration) {
  ExpectBadRequest("namespace=ns&mvtx=mv&window=0s", "window");
  ExpectBadRequest("namespace=ns&mvtx=mv&window=5", "window");
  ExpectBadRequest("namespace=ns&mvtx=mv&window=5 m", "window");
}

TEST(SinkLatencyParams, QuantileMustBeBetweenZeroAndOne) {
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=1.5", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=-0.1", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=nan", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=p95", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=", "quantile");
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&quantile=0").ok());
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&quantile=1").ok());
}

TEST(SinkLatencyParams, GroupByAcceptsOnlyPod) {
  ExpectBadRequest("namespace=ns&mvtx=mv&group_by=vertex", "group_by");
  ExpectBadRequest("namespace=ns&mvtx=mv&group_by=", "group_by");
  ExpectBadRequest("namespace=ns&mvtx=mv&group_by=pod,pod", "group_by");
}

TEST(SinkLatencyParams, UnknownParametersAreNamed) {
  std::string message = ExpectBadRequest("namespace=ns&mvtx=mv&stpe=1m", "stpe");
  EXPECT_NE(message.find("unknown parameter"), std::string::npos);
  ExpectBadRequest("namespace=ns&mvtx=mv&Namespace=ns", "Namespace");
}

TEST(SinkLatencyParams, RepeatedSingleValuedParametersAreNamed) {
  for (const char* param :
       {"namespace", "mvtx", "start", "end", "step", "window", "quantile", "group_by"}) {
    std::string query = std::string("namespace=ns&mvtx=mv&") + param + "=x&" + param + "=y";
    std::string message = ExpectBadRequest(query, param);
    EXPECT_NE(message.find("more than once"), std::string::npos) << param;
  }
}

TEST(SinkLatencyParams, BrokenPercentEncodingIsABadRequest) {
  auto parsed = Parse("namespace=ns&mvtx=mv%zz");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(SinkLatencyParams, ToleratesUnencodedCharactersLikePrometheusDoes) {
  auto parsed = ParseSinkLatencyParams("namespace=ns&mvtx=mv&end=2026-11-23T11:00:00 01:00", kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->end, TimePoint(seconds(1795428000)));
}

TEST(SinkLatencyParams, BrokenPercentEscapeNamesItsParameter) {
  auto parsed = ParseSinkLatencyParams("namespace=ns&mvtx=mv%z", kNow);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().param, "mvtx");
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(SinkLatencyParams, FutureStartWithoutEndBlamesStart) {
  auto parsed = ParseSinkLatencyParams("namespace=ns&mvtx=mv&start=1900000000", kNow);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().param, "start");
}

TEST(SinkLatencyParams, DefaultStartNeverPrecedesTheEpoch) {
  auto parsed = ParseSinkLatencyParams("namespace=ns&mvtx=mv&end=60", kNow);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->start, TimePoint());
}

TEST(SinkLatencyParams, NegativeZeroQuantileIsZero) {
  auto parsed = ParseSinkLatencyParams("namespace=ns&mvtx=mv&quantile=-0", kNow);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(std::signbit(parsed->quantile));
}

}  // namespace
}  // namespace nfmetrics::http
