#include "service/promql.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace nfmetrics::service {
namespace {

using std::chrono::minutes;

std::vector<PodName> Pods(std::initializer_list<const char*> names) {
  std::vector<PodName> pods;
  for (const char* name : names) pods.push_back(*PodName::Parse(name));
  return pods;
}

std::string Build(const std::vector<PodName>& pods, GroupBy group_by, double quantile = 0.95,
                  Duration window = minutes(5)) {
  static const Namespace ns = *Namespace::Parse("ns");
  static const MonoVertexName mvtx = *MonoVertexName::Parse("mv");
  return BuildSinkLatencyQuery({.ns = ns,
                                .mvtx = mvtx,
                                .pods = pods,
                                .group_by = group_by,
                                .quantile = quantile,
                                .window = window});
}

TEST(EscapePromqlString, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(EscapePromqlString(R"(a"b)"), R"(a\"b)");
  EXPECT_EQ(EscapePromqlString(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(EscapePromqlString(R"(\")"), R"(\\\")");
}

TEST(EscapePromqlString, NeverEmitsARawNewlineOrControlCharacter) {
  EXPECT_EQ(EscapePromqlString("a\nb"), R"(a\nb)");
  EXPECT_EQ(EscapePromqlString("a\tb\r"), R"(a\tb\r)");
  EXPECT_EQ(EscapePromqlString(std::string("a\x01z", 3)), R"(a\x01z)");
}

TEST(EscapePromqlString, KeepsAnInjectionAttemptInsideTheString) {
  std::string escaped = EscapePromqlString(R"(x"} or vector(1) #)");
  EXPECT_EQ(escaped, R"(x\"} or vector(1) #)");
  // Every quote in the output is escaped, so the string literal cannot be closed early.
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '"') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(escaped[i - 1], '\\');
    }
  }
}

TEST(EscapeRegex, EscapesEveryRe2Metacharacter) {
  EXPECT_EQ(EscapeRegex("a.b"), R"(a\.b)");
  EXPECT_EQ(EscapeRegex(R"(.+*?()|[]{}^$\)"), R"(\.\+\*\?\(\)\|\[\]\{\}\^\$\\)");
  EXPECT_EQ(EscapeRegex("plain-name-0"), "plain-name-0");
}

TEST(BuildSinkLatencyQuery, AggregateUsesSumByLe) {
  EXPECT_EQ(Build({}, GroupBy::kNone),
            "histogram_quantile(0.95, sum by (le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
            "mvtx_name=\"mv\"}[5m]))) / 1e6");
}

TEST(BuildSinkLatencyQuery, GroupByPodUsesSumByLePod) {
  EXPECT_EQ(
      Build({}, GroupBy::kPod, 0.5, minutes(1)),
      "histogram_quantile(0.5, sum by (le, pod) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\"}[1m]))) / 1e6");
}

TEST(BuildSinkLatencyQuery, OnePodIsAnEqualityMatcherAfterTheOthers) {
  EXPECT_EQ(
      Build(Pods({"mv-mv-0-abcde"}), GroupBy::kPod),
      "histogram_quantile(0.95, sum by (le, pod) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\",pod=\"mv-mv-0-abcde\"}[5m]))) / 1e6");
}

TEST(BuildSinkLatencyQuery, SeveralPodsAreOneEscapedRegexAlternation) {
  std::string query = Build(Pods({"a.b", "c"}), GroupBy::kNone);
  EXPECT_NE(query.find(R"(,pod=~"a\\.b|c"})"), std::string::npos) << query;
}

TEST(BuildSinkLatencyQuery, QuantileIsWrittenInShortestForm) {
  EXPECT_NE(Build({}, GroupBy::kNone, 0.999).find("histogram_quantile(0.999, "), std::string::npos);
  EXPECT_NE(Build({}, GroupBy::kNone, 1).find("histogram_quantile(1, "), std::string::npos);
  EXPECT_NE(Build({}, GroupBy::kNone, 0).find("histogram_quantile(0, "), std::string::npos);
}

TEST(BuildSinkLatencyQuery, WindowIsAPrometheusDuration) {
  EXPECT_NE(Build({}, GroupBy::kNone, 0.95, std::chrono::seconds(90)).find("[1m30s]"),
            std::string::npos);
}

}  // namespace
}  // namespace nfmetrics::service
