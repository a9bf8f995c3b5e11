// ExprTemplate: what a NumaFlow metrics-proxy expression may contain, how each mistake is
// reported, and exactly what a template renders to.
#include "nfmetrics/service/expr_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nfmetrics::service {
namespace {

using ::testing::HasSubstr;

// NumaFlow's default histogram, throughput and gauge expressions.
constexpr std::string_view kHistogram =
    "histogram_quantile($quantile, sum by($dimension,le) "
    "(rate($metric_name{$filters}[$duration])))";
constexpr std::string_view kThroughput =
    "sum(rate($metric_name{$filters}[$duration])) by ($dimension)";
constexpr std::string_view kMonoVertexGauge = "sum($metric_name{$filters}) by ($dimension, period)";
constexpr std::string_view kVertexGauge =
    "sum(max($metric_name{$filters}) by ($dimension, partition_name, period)) by ($dimension, "
    "period)";

ExprTemplate MustParse(std::string_view text) {
  Result<ExprTemplate> parsed = ExprTemplate::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
  if (!parsed.ok()) return *ExprTemplate::Parse("$metric_name");
  return std::move(parsed).value();
}

std::string ParseError(std::string_view text) {
  Result<ExprTemplate> parsed = ExprTemplate::Parse(text);
  EXPECT_FALSE(parsed.ok()) << text << " parsed";
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(parsed.error().param, "") << "the caller names the configuration key";
  return parsed.error().message;
}

std::string Render(std::string_view text, std::vector<std::string> dimensions,
                   std::string_view filters = R"(a="b")") {
  return MustParse(text).Render({.metric_name = "m",
                                 .filters = filters,
                                 .dimensions = dimensions,
                                 .quantile = "0.99",
                                 .duration = "1m"});
}

// --- Parsing ------------------------------------------------------------------------------------

TEST(ExprTemplateParse, RecognisesEveryPlaceholder) {
  ExprTemplate expr = MustParse(kHistogram);
  EXPECT_TRUE(expr.Uses(Placeholder::kMetricName));
  EXPECT_TRUE(expr.Uses(Placeholder::kFilters));
  EXPECT_TRUE(expr.Uses(Placeholder::kDimension));
  EXPECT_TRUE(expr.Uses(Placeholder::kQuantile));
  EXPECT_TRUE(expr.Uses(Placeholder::kDuration));
  EXPECT_EQ(expr.text(), kHistogram);
}

TEST(ExprTemplateParse, ReportsOnlyThePlaceholdersUsed) {
  ExprTemplate expr = MustParse("avg_over_time($metric_name{$filters}[$duration])");
  EXPECT_TRUE(expr.Uses(Placeholder::kMetricName));
  EXPECT_TRUE(expr.Uses(Placeholder::kFilters));
  EXPECT_TRUE(expr.Uses(Placeholder::kDuration));
  EXPECT_FALSE(expr.Uses(Placeholder::kDimension));
  EXPECT_FALSE(expr.Uses(Placeholder::kQuantile));
}

TEST(ExprTemplateParse, NamesPlaceholdersAsWritten) {
  EXPECT_EQ(PlaceholderName(Placeholder::kMetricName), "$metric_name");
  EXPECT_EQ(PlaceholderName(Placeholder::kFilters), "$filters");
  EXPECT_EQ(PlaceholderName(Placeholder::kDimension), "$dimension");
  EXPECT_EQ(PlaceholderName(Placeholder::kQuantile), "$quantile");
  EXPECT_EQ(PlaceholderName(Placeholder::kDuration), "$duration");
}

TEST(ExprTemplateParse, ShortPrefixOfAPlaceholderIsNotThatPlaceholder) {
  // `$dim` must not be read as the start of `$dimension`, nor `$dimension` as `$dim` + "ension".
  EXPECT_THAT(ParseError("sum by($dim) ($metric_name)"),
              HasSubstr("unknown placeholder \"$dim\" at offset 7"));
  EXPECT_THAT(ParseError("sum by($dimensions) ($metric_name)"),
              HasSubstr("unknown placeholder \"$dimensions\""));
  EXPECT_TRUE(MustParse("sum by($dimension) ($metric_name)").Uses(Placeholder::kDimension));
}

TEST(ExprTemplateParse, UnknownPlaceholderErrorNamesItAndItsOffset) {
  std::string message = ParseError("rate($metric_name{$filter}[1m])");
  EXPECT_THAT(message, HasSubstr("unknown placeholder \"$filter\" at offset 18"));
  EXPECT_THAT(message, HasSubstr("$metric_name, $filters, $dimension, $quantile, $duration"));
}

TEST(ExprTemplateParse, DollarWithoutANameIsAnError) {
  EXPECT_THAT(ParseError("$metric_name + $"), HasSubstr("'$' at offset 15 starts no placeholder"));
  EXPECT_THAT(ParseError("$metric_name * $1"), HasSubstr("'$' at offset 15 starts no placeholder"));
  EXPECT_THAT(ParseError("$ metric_name"), HasSubstr("'$' at offset 0"));
}

TEST(ExprTemplateParse, UnbalancedClosingBracketIsAnError) {
  EXPECT_THAT(ParseError("sum($metric_name))"), HasSubstr("unbalanced ')' at offset 17"));
  EXPECT_THAT(ParseError("sum($metric_name]"), HasSubstr("unbalanced ']' at offset 16"));
  EXPECT_THAT(ParseError("$metric_name}"), HasSubstr("unbalanced '}' at offset 12"));
}

TEST(ExprTemplateParse, UnclosedBracketIsAnError) {
  EXPECT_THAT(ParseError("sum($metric_name"), HasSubstr("unclosed '('"));
  EXPECT_THAT(ParseError("rate($metric_name{$filters}[$duration)"), HasSubstr("unbalanced ')'"));
  EXPECT_THAT(ParseError("$metric_name{$filters"), HasSubstr("unclosed '{'"));
  EXPECT_THAT(ParseError("rate($metric_name[5m)"), HasSubstr("unbalanced ')' at offset 20"));
}

TEST(ExprTemplateParse, UnterminatedStringIsAnError) {
  EXPECT_THAT(ParseError(R"($metric_name{job="api})"),
              HasSubstr("unterminated string literal starting at offset 17"));
  EXPECT_THAT(ParseError(R"($metric_name{job='api\'})"), HasSubstr("unterminated string literal"));
  EXPECT_THAT(ParseError("label_replace($metric_name, `a)"),
              HasSubstr("unterminated string literal starting at offset 28"));
}

TEST(ExprTemplateParse, BracketsInsideStringsDoNotCount) {
  ExprTemplate expr = MustParse(R"x(sum($metric_name{job="a}b)",$filters}))x");
  EXPECT_TRUE(expr.Uses(Placeholder::kFilters));
}

TEST(ExprTemplateParse, FiltersOutsideBracesIsAnError) {
  EXPECT_THAT(ParseError("sum($metric_name) + $filters"),
              HasSubstr("$filters must be inside the braces"));
  EXPECT_THAT(ParseError("rate($metric_name[$filters])"),
              HasSubstr("$filters must be inside the braces"));
  EXPECT_THAT(ParseError("sum($filters, $metric_name)"),
              HasSubstr("$filters must be inside the braces"));
}

TEST(ExprTemplateParse, DurationOutsideBracketsIsAnError) {
  EXPECT_THAT(ParseError("sum($metric_name) offset $duration"),
              HasSubstr("$duration must be inside a range"));
  EXPECT_THAT(ParseError("$metric_name{$duration}"), HasSubstr("$duration must be inside a range"));
  EXPECT_TRUE(MustParse("rate($metric_name[$duration:30s])").Uses(Placeholder::kDuration));
}

TEST(ExprTemplateParse, DimensionOutsideAGroupingListIsAnError) {
  EXPECT_THAT(ParseError("sum($dimension, $metric_name)"),
              HasSubstr("$dimension must be in the label list of a by (...) or without (...)"));
  EXPECT_THAT(ParseError("$metric_name{$dimension}"), HasSubstr("$dimension must be in"));
  EXPECT_THAT(ParseError("sum by(le) (count($dimension))"), HasSubstr("$dimension must be in"));
  EXPECT_THAT(ParseError("sum($metric_name) + $dimension"), HasSubstr("$dimension must be in"));
  EXPECT_THAT(ParseError("standby($dimension) ($metric_name)"), HasSubstr("$dimension must be in"));
}

TEST(ExprTemplateParse, DimensionMayBeInByOrWithoutLists) {
  EXPECT_TRUE(MustParse("sum by ($dimension) ($metric_name)").Uses(Placeholder::kDimension));
  EXPECT_TRUE(MustParse("sum($metric_name) by ($dimension)").Uses(Placeholder::kDimension));
  EXPECT_TRUE(MustParse("sum without($dimension) ($metric_name)").Uses(Placeholder::kDimension));
  EXPECT_TRUE(MustParse("sum by\n  ($dimension) ($metric_name)").Uses(Placeholder::kDimension));
}

TEST(ExprTemplateParse, MetricNameAndQuantileMayNotBeInsideSelectorsOrRanges) {
  EXPECT_THAT(ParseError(R"(up{job="$metric_name"} or $metric_name{$quantile})"),
              HasSubstr("$quantile cannot be inside"));
  EXPECT_THAT(ParseError("rate(x[$metric_name])"), HasSubstr("$metric_name cannot be inside"));
}

TEST(ExprTemplateParse, ExpressionWithoutMetricNameIsAnError) {
  EXPECT_THAT(ParseError("sum(rate(up{$filters}[$duration]))"),
              HasSubstr("never uses $metric_name"));
  EXPECT_THAT(ParseError(""), HasSubstr("never uses $metric_name"));
}

TEST(ExprTemplateParse, PlaceholdersInsideStringLiteralsAreLiteralText) {
  ExprTemplate expr = MustParse(
      R"(label_replace($metric_name, "dst", "$1 $filters", "src", '$dimension') + `$unknown`)");
  EXPECT_FALSE(expr.Uses(Placeholder::kFilters));
  EXPECT_FALSE(expr.Uses(Placeholder::kDimension));
  EXPECT_EQ(
      expr.Render(
          {.metric_name = "m", .filters = "X", .dimensions = {}, .quantile = "", .duration = ""}),
      R"(label_replace(m, "dst", "$1 $filters", "src", '$dimension') + `$unknown`)");
}

TEST(ExprTemplateParse, EscapedQuoteDoesNotEndAString) {
  ExprTemplate expr = MustParse(R"(label_replace($metric_name, "d", "a\"$filters", "s", ""))");
  EXPECT_FALSE(expr.Uses(Placeholder::kFilters));
}

// --- Rendering ----------------------------------------------------------------------------------

TEST(ExprTemplateRender, NumaFlowHistogramByPod) {
  EXPECT_EQ(Render(kHistogram, {"pod"}),
            R"(histogram_quantile(0.99, sum by(pod,le) (rate(m{a="b"}[1m]))))");
}

TEST(ExprTemplateRender, NumaFlowHistogramWithoutDimensionGroupsByLeOnly) {
  EXPECT_EQ(Render(kHistogram, {}), R"(histogram_quantile(0.99, sum by(le) (rate(m{a="b"}[1m]))))");
}

TEST(ExprTemplateRender, SeveralDimensionsAreJoinedWithCommas) {
  EXPECT_EQ(Render(kHistogram, {"pod", "mvtx_replica"}),
            R"(histogram_quantile(0.99, sum by(pod,mvtx_replica,le) (rate(m{a="b"}[1m]))))");
  EXPECT_EQ(Render(kThroughput, {"mvtx_name", "pod"}),
            R"(sum(rate(m{a="b"}[1m])) by (mvtx_name,pod))");
}

TEST(ExprTemplateRender, EmptyDimensionBeforeACommaDropsTheComma) {
  EXPECT_EQ(Render(kMonoVertexGauge, {}), R"(sum(m{a="b"}) by (period))");
  EXPECT_EQ(Render(kMonoVertexGauge, {"mvtx_name"}), R"(sum(m{a="b"}) by (mvtx_name, period))");
  EXPECT_EQ(Render(kVertexGauge, {}),
            R"(sum(max(m{a="b"}) by (partition_name, period)) by (period))");
  EXPECT_EQ(Render("sum by ($dimension , le) ($metric_name)", {}), "sum by (le) (m)");
}

TEST(ExprTemplateRender, EmptyDimensionAfterACommaDropsTheComma) {
  EXPECT_EQ(Render("sum by(le,$dimension) ($metric_name)", {}), "sum by(le) (m)");
  EXPECT_EQ(Render("sum by(le, $dimension) ($metric_name)", {}), "sum by(le) (m)");
  EXPECT_EQ(Render("sum by(le, $dimension) ($metric_name)", {"pod"}), "sum by(le, pod) (m)");
}

TEST(ExprTemplateRender, EmptyDimensionAloneLeavesAnEmptyList) {
  EXPECT_EQ(Render(kThroughput, {}), R"(sum(rate(m{a="b"}[1m])) by ())");
}

TEST(ExprTemplateRender, EmptyFiltersLeaveEmptyBraces) {
  EXPECT_EQ(Render(kThroughput, {"pod"}, ""), "sum(rate(m{}[1m])) by (pod)");
}

TEST(ExprTemplateRender, SubstitutedValuesAreNeverScannedForPlaceholders) {
  ExprTemplate expr = MustParse(kHistogram);
  std::vector<std::string> dimensions = {"$quantile"};
  EXPECT_EQ(expr.Render({.metric_name = "$duration",
                         .filters = R"(pod="$filters",x="$metric_name")",
                         .dimensions = dimensions,
                         .quantile = "$dimension",
                         .duration = "$filters"}),
            R"(histogram_quantile($dimension, sum by($quantile,le) )"
            R"((rate($duration{pod="$filters",x="$metric_name"}[$filters]))))");
}

TEST(ExprTemplateRender, SurroundingWhitespaceIsTrimmed) {
  // NumaFlow's configuration writes expressions as YAML block scalars, which end in a newline.
  EXPECT_EQ(
      Render("\n  \t sum by($dimension,le) (rate($metric_name{$filters}[$duration]))\n\n", {"pod"}),
      R"(sum by(pod,le) (rate(m{a="b"}[1m])))");
  EXPECT_EQ(Render("  $metric_name  ", {}), "m");
}

TEST(ExprTemplateRender, InnerWhitespaceIsKept) {
  EXPECT_EQ(Render("sum  by ( $dimension )  ( $metric_name )", {"pod"}), "sum  by ( pod )  ( m )");
}

}  // namespace
}  // namespace nfmetrics::service
