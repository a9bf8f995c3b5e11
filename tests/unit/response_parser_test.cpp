// What ParseQueryRangeResponse and ParseLabelValuesResponse accept from Prometheus and how they
// report everything else.
#include "prometheus/response_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>

namespace nfmetrics::prometheus {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TimePoint AtMillis(long long ms) { return TimePoint(Duration(ms)); }

TEST(ResponseParser, ParsesMatrixWithSeveralSeries) {
  auto result = ParseQueryRangeResponse(R"({"status":"success","data":{"resultType":"matrix",
      "result":[
        {"metric":{"pod":"a"},"values":[[1795467600,"0.0248"],[1795467660,"0.5"]]},
        {"metric":{"pod":"b"},"values":[[1795467600,"12"]]}]}})",
                                        200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->series.size(), 2u);
  const Series& first = result->series[0];
  ASSERT_EQ(first.samples.size(), 2u);
  EXPECT_EQ(first.labels, (Labels{{"pod", "a"}}));
  EXPECT_EQ(first.samples[0].timestamp, AtMillis(1795467600000));
  EXPECT_DOUBLE_EQ(first.samples[0].value, 0.0248);
  EXPECT_EQ(first.samples[1].timestamp, AtMillis(1795467660000));
  EXPECT_DOUBLE_EQ(first.samples[1].value, 0.5);
  EXPECT_EQ(result->series[1].labels, (Labels{{"pod", "b"}}));
  ASSERT_EQ(result->series[1].samples.size(), 1u);
  EXPECT_DOUBLE_EQ(result->series[1].samples[0].value, 12.0);
  EXPECT_TRUE(result->warnings.empty());
}

TEST(ResponseParser, ParsesSpecialFloatValues) {
  auto result = ParseQueryRangeResponse(R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{},"values":[[1,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"Inf"],[5,"-1.5e-3"]]}]}})",
                                        200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& samples = result->series.at(0).samples;
  ASSERT_EQ(samples.size(), 5u);
  EXPECT_TRUE(std::isnan(samples[0].value));
  EXPECT_TRUE(std::isinf(samples[1].value) && samples[1].value > 0);
  EXPECT_TRUE(std::isinf(samples[2].value) && samples[2].value < 0);
  EXPECT_TRUE(std::isinf(samples[3].value) && samples[3].value > 0);
  EXPECT_DOUBLE_EQ(samples[4].value, -0.0015);
}

TEST(ResponseParser, ParsesEmptyResult) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[]}})", 200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->series.empty());
}

TEST(ResponseParser, PassesWarningsThroughAndIgnoresUnknownKeys) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[],"extra":1},
          "warnings":["too many samples","partial response"],"infos":["x"],"future":{"a":[1]}})",
      200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->warnings, (std::vector<std::string>{"too many samples", "partial response"}));
}

TEST(ResponseParser, ConvertsFractionalTimestampsToMilliseconds) {
  auto result = ParseQueryRangeResponse(R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{},"values":[[1795467600.5,"1"],[1795467600.123,"2"],[0.001,"3"]]}]}})",
                                        200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& samples = result->series.at(0).samples;
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].timestamp, AtMillis(1795467600500));
  EXPECT_EQ(samples[1].timestamp, AtMillis(1795467600123));
  EXPECT_EQ(samples[2].timestamp, AtMillis(1));
}

TEST(ResponseParser, SortsLabelsByName) {
  auto result = ParseQueryRangeResponse(R"({"status":"success","data":{"resultType":"matrix",
      "result":[{"metric":{"vertex":"v","__name__":"m","pod":"p\"q"},"values":[]}]}})",
                                        200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->series.at(0).labels,
            (Labels{{"__name__", "m"}, {"pod", "p\"q"}, {"vertex", "v"}}));
}

TEST(ResponseParser, ErrorBodyCarriesPrometheusErrorText) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": parse error"})",
      400);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message,
              HasSubstr(R"(Prometheus error (bad_data): invalid parameter "query": parse error)"));
}

TEST(ResponseParser, ErrorBodyIsAnErrorEvenWithHttp200) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"})",
      200);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("query timed out in expression evaluation"));
}

TEST(ResponseParser, RejectsInvalidJson) {
  auto result = ParseQueryRangeResponse("{\"status\":\"success\",,}", 200);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("invalid response"));
}

TEST(ResponseParser, RejectsTruncatedJson) {
  const std::string full = R"({"status":"success","data":{"resultType":"matrix",)"
                           R"("result":[{"metric":{"pod":"a"},"values":[[1,"1"],[2,"2"]]}]}})";
  ASSERT_TRUE(ParseQueryRangeResponse(full, 200).ok());
  // Every proper prefix must be rejected, wherever the cut falls.
  for (std::size_t length = 0; length < full.size(); ++length) {
    auto result = ParseQueryRangeResponse(full.substr(0, length), 200);
    ASSERT_FALSE(result.ok()) << "accepted a body cut at " << length << ": "
                              << full.substr(0, length);
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  }
}

TEST(ResponseParser, RejectsTrailingContent) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[]}} {"x":1})", 200);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
}

TEST(ResponseParser, RejectsWrongResultType) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}})",
      200);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(result.error().message, HasSubstr("resultType is \"vector\", expected \"matrix\""));
}

TEST(ResponseParser, RejectsMissingFields) {
  struct Case {
    const char* body;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"data":{"resultType":"matrix","result":[]}})", "no \"status\""},
      {R"({"status":"success"})", "no \"data\""},
      {R"({"status":"success","data":{"result":[]}})", "no \"resultType\""},
      {R"({"status":"success","data":{"resultType":"matrix"}})", "no \"result\""},
      {R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[]}]}})",
       "no \"metric\""},
      {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}})",
       "no \"values\""},
      {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}})",
       "expected 2"},
      {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}})",
       "not a string"},
      {R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}})",
       "is not a number"},
  };
  for (const Case& c : cases) {
    auto result = ParseQueryRangeResponse(c.body, 200);
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError) << c.body;
    EXPECT_THAT(result.error().message, HasSubstr(c.expected)) << c.body;
  }
}

TEST(ResponseParser, NonJsonErrorBodyReportsHttpStatusAndExcerpt) {
  auto result = ParseQueryRangeResponse("<html>502 Bad Gateway</html>\n", 502);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, "Prometheus answered HTTP 502: <html>502 Bad Gateway</html>");
}

TEST(ResponseParser, LongErrorBodyIsCutTo200Characters) {
  auto result = ParseQueryRangeResponse(std::string(1000, 'x'), 500);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr(std::string(200, 'x') + "..."));
  EXPECT_THAT(result.error().message, ::testing::Not(HasSubstr(std::string(201, 'x'))));
}

TEST(ResponseParser, SuccessBodyWithNon2xxStatusIsAnError) {
  auto result = ParseQueryRangeResponse(
      R"({"status":"success","data":{"resultType":"matrix","result":[]}})", 503);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("HTTP 503"));
}

TEST(ResponseParser, StatusResponseAcceptsSuccessAndRejectsErrors) {
  EXPECT_TRUE(ParseStatusResponse(
                  R"({"status":"success","data":{"resultType":"scalar","result":[1,"1"]}})", 200)
                  .ok());
  auto failed =
      ParseStatusResponse(R"({"status":"error","errorType":"unavailable","error":"x"})", 503);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message, HasSubstr("Prometheus error (unavailable): x"));
  EXPECT_FALSE(ParseStatusResponse("ok", 200).ok());
}

TEST(LabelValuesParser, ReturnsTheValuesSortedAndUnique) {
  auto result = ParseLabelValuesResponse(
      R"({"status":"success","data":["orders-mv-1","orders-mv-0","a\"b","orders-mv-0"]})", 200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, (std::vector<std::string>{"a\"b", "orders-mv-0", "orders-mv-1"}));
}

TEST(LabelValuesParser, EmptyDataIsAnEmptyList) {
  auto result = ParseLabelValuesResponse(R"({"status":"success","data":[]})", 200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->empty());
}

TEST(LabelValuesParser, IgnoresWarningsAndUnknownKeys) {
  auto result = ParseLabelValuesResponse(
      R"({"status":"success","isPartial":false,"data":["x"],"warnings":["w"],"infos":[]})", 200);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(*result, std::vector<std::string>{"x"});
}

TEST(LabelValuesParser, ErrorBodyCarriesPrometheusErrorText) {
  auto result = ParseLabelValuesResponse(
      R"({"status":"error","errorType":"bad_data","error":"invalid label name: \"jo-b\""})", 400);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, R"(Prometheus error (bad_data): invalid label name: "jo-b")");
}

TEST(LabelValuesParser, NonJsonErrorBodyReportsHttpStatus) {
  auto result = ParseLabelValuesResponse("Method Not Allowed\n", 405);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(result.error().message, "Prometheus answered HTTP 405: Method Not Allowed");
}

TEST(LabelValuesParser, RejectsMalformedAnswers) {
  struct Case {
    const char* body;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"status":"success","data":["a",)", "invalid response"},
      {R"({"status":"success"})", "no \"data\""},
      {R"({"data":["a"]})", "no \"status\""},
      {R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
       "data is not an array"},
      {R"({"status":"success","data":["a",1]})", "label value is not a string"},
      {R"({"status":"success","data":["a",null]})", "label value is not a string"},
      {R"({"status":"success","data":[["a"]]})", "label value is not a string"},
      {R"({"status":"success","data":["a"]} [])", "invalid response"},
  };
  for (const Case& c : cases) {
    auto result = ParseLabelValuesResponse(c.body, 200);
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamError) << c.body;
    EXPECT_THAT(result.error().message, HasSubstr(c.expected)) << c.body;
  }
}

TEST(LabelValuesParser, QueryRangeAnswerIsNotALabelValuesAnswerAndViceVersa) {
  EXPECT_FALSE(ParseQueryRangeResponse(R"({"status":"success","data":["a"]})", 200).ok());
  EXPECT_FALSE(ParseLabelValuesResponse(
                   R"({"status":"success","data":{"resultType":"matrix","result":[]}})", 200)
                   .ok());
}

}  // namespace
}  // namespace nfmetrics::prometheus
