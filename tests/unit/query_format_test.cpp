// `nfmetrics query`'s formatting: statistics, sparklines, unit scaling, CSV and the table.
#include "app/query_format.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/api_client.hpp"

namespace nfmetrics::app {
namespace {

// The eight levels, lowest first.
const std::vector<std::string> kBlocks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

// The sparkline split into its columns (each a block or a space).
std::vector<std::string> Columns(const std::string& line) {
  std::vector<std::string> columns;
  for (std::size_t i = 0; i < line.size();) {
    const std::size_t length = line[i] == ' ' ? 1 : 3;
    columns.push_back(line.substr(i, length));
    i += length;
  }
  return columns;
}

QuerySeries MakeSeries(std::vector<std::optional<double>> values,
                       std::vector<std::pair<std::string, std::string>> labels = {},
                       std::optional<double> quantile = std::nullopt) {
  QuerySeries series;
  series.labels = std::move(labels);
  series.quantile = quantile;
  double t = 1795479255;
  for (const auto& value : values) series.points.push_back({t += 15, value});
  return series;
}

TEST(QuerySparkline, MapsTheSmallestToTheLowestBlockAndTheLargestToTheHighest) {
  std::vector<std::optional<double>> values;
  for (int i = 0; i < 8; ++i) values.push_back(10.0 + i * 2);
  EXPECT_EQ(Columns(Sparkline(values, 40)), kBlocks);
}

TEST(QuerySparkline, ShowsNullsAsSpaces) {
  EXPECT_EQ(Columns(Sparkline({1.0, std::nullopt, 3.0}, 40)),
            (std::vector<std::string>{"▁", " ", "█"}));
  EXPECT_EQ(Sparkline({std::nullopt, std::nullopt}, 40), "  ");
}

TEST(QuerySparkline, IsFlatAtTheBottomForAConstantSeries) {
  EXPECT_EQ(Sparkline({5.0, 5.0, 5.0}, 40), "▁▁▁");
}

TEST(QuerySparkline, IsFlatWhenTheSpreadIsBelowTheTablesPrecision) {
  EXPECT_EQ(Sparkline({0.0231, 0.02310001, 0.0231}, 40), "▁▁▁");
  EXPECT_EQ(Sparkline({0.0231, 0.0232, 0.0231}, 40), "▁█▁");  // 0.4%: shown
}

TEST(QuerySparkline, ResamplesToTheWidthByAveragingEachColumn) {
  // 100 values in 10 columns: column i averages values 10i..10i+9.
  std::vector<std::optional<double>> values;
  for (int i = 0; i < 100; ++i) values.push_back(i < 50 ? 0.0 : 7.0);
  values[95] = std::nullopt;  // a null inside a column is skipped, not counted as zero
  auto columns = Columns(Sparkline(values, 10));
  ASSERT_EQ(columns.size(), 10u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(columns[i], "▁") << i;
  for (int i = 5; i < 10; ++i) EXPECT_EQ(columns[i], "█") << i;
  // A column whose values are all null is a space.
  std::vector<std::optional<double>> gap(100, 1.0);
  for (int i = 30; i < 40; ++i) gap[i] = std::nullopt;
  EXPECT_EQ(Columns(Sparkline(gap, 10))[3], " ");
}

TEST(QueryStats, SkipNullsForLatestMinMeanAndMax) {
  SeriesStats stats = ComputeStats(MakeSeries({std::nullopt, 4.0, 1.0, 7.0, std::nullopt}));
  EXPECT_EQ(stats.latest, 7.0);  // the last non-null, not the trailing null
  EXPECT_EQ(stats.min, 1.0);
  EXPECT_EQ(stats.max, 7.0);
  EXPECT_EQ(stats.mean, 4.0);
  EXPECT_EQ(stats.values, 3u);
}

TEST(QueryStats, AreEmptyForAnAllNullSeries) {
  SeriesStats stats = ComputeStats(MakeSeries({std::nullopt, std::nullopt}));
  EXPECT_FALSE(stats.latest || stats.min || stats.mean || stats.max);
  EXPECT_EQ(stats.values, 0u);
}

TEST(QueryFormatValue, ScalesSecondsByMagnitude) {
  EXPECT_EQ(FormatValue(1.5, "seconds"), "1.50 s");
  EXPECT_EQ(FormatValue(0.0123, "seconds"), "12.3 ms");
  EXPECT_EQ(FormatValue(0.109016, "seconds"), "109 ms");
  EXPECT_EQ(FormatValue(0.00085, "seconds"), "850 µs");
  EXPECT_EQ(FormatValue(0.0000012, "seconds"), "1.20 µs");
  EXPECT_EQ(FormatValue(0, "seconds"), "0 s");
}

// Rounded to three significant digits before the unit and the decimals are chosen.
TEST(QueryFormatValue, RoundsBeforeChoosingTheUnitAndPrecision) {
  EXPECT_EQ(FormatValue(0.9996, "seconds"), "1.00 s");
  EXPECT_EQ(FormatValue(0.99951, "seconds"), "1.00 s");
  EXPECT_EQ(FormatValue(0.9994, "seconds"), "999 ms");
  EXPECT_EQ(FormatValue(0.00099996, "seconds"), "1.00 ms");
  EXPECT_EQ(FormatValue(0.00099949, "seconds"), "999 µs");
  EXPECT_EQ(FormatValue(0.09996, "seconds"), "100 ms");
  EXPECT_EQ(FormatValue(0.009996, "seconds"), "10.0 ms");
  EXPECT_EQ(FormatValue(0.0999, "seconds"), "99.9 ms");
  EXPECT_EQ(FormatValue(-0.9996, "seconds"), "-1.00 s");
  EXPECT_EQ(FormatValue(99.96, ""), "100");
  EXPECT_EQ(FormatValue(9.996, ""), "10.0");
  EXPECT_EQ(FormatValue(0.99996, ""), "1.00");
  EXPECT_EQ(FormatValue(99.96, "%"), "100%");
  EXPECT_EQ(FormatValue(99.94, "%"), "99.9%");
  EXPECT_EQ(FormatValue(999.96, "messages/s"), "1000 messages/s");
  EXPECT_EQ(FormatValue(12.345, ""), "12.3");
  EXPECT_EQ(FormatValue(1.005, "seconds"), "1.00 s");
  EXPECT_EQ(FormatValue(250, "seconds"), "250 s");
}

TEST(QueryTokenWarning, OnlyForATokenOverHttpToAHostOffTheMachine) {
  EXPECT_TRUE(TokenGoesInTheClear("http://nfmetrics.example:8080", "t"));
  EXPECT_TRUE(TokenGoesInTheClear("HTTP://10.0.0.5", "t"));
  EXPECT_TRUE(TokenGoesInTheClear("http://[2001:db8::1]:8080", "t"));
  EXPECT_TRUE(TokenGoesInTheClear("http://127.example.com", "t"));
  EXPECT_TRUE(TokenGoesInTheClear("http://localhost.example.com", "t"));
  EXPECT_FALSE(TokenGoesInTheClear("http://nfmetrics.example:8080", ""));
  EXPECT_FALSE(TokenGoesInTheClear("https://nfmetrics.example", "t"));
  for (const char* url : {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:8080",
                          "http://LOCALHOST", "http://[::1]:8080", "http://[::1]"}) {
    EXPECT_FALSE(TokenGoesInTheClear(url, "t")) << url;
  }
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
}

TEST(QueryFormatValue, KeepsOtherUnitsAsTheApiGivesThem) {
  EXPECT_EQ(FormatValue(20568.14, "messages/s"), "20568 messages/s");
  EXPECT_EQ(FormatValue(42.04, "%"), "42.0%");
  EXPECT_EQ(FormatValue(3, ""), "3.00");
}

TEST(QueryCsv, QuotesFieldsPerRfc4180) {
  EXPECT_EQ(CsvField("pod=a"), "pod=a");
  EXPECT_EQ(CsvField("pod=a,replica=0"), "\"pod=a,replica=0\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(QueryCsv, WritesOneRowPerPointWithEmptyNulls) {
  QueryAnswer answer;
  answer.series.push_back(
      MakeSeries({0.5, std::nullopt}, {{"pod", "p-0"}, {"replica", "0"}}, 0.99));
  std::ostringstream out;
  WriteCsv(out, answer);
  EXPECT_EQ(out.str(),
            "series,quantile,timestamp,value\n"
            "\"pod=p-0,replica=0\",0.99,1795479270,0.5\n"
            "\"pod=p-0,replica=0\",0.99,1795479285,\n");
}

TEST(QuerySeriesName, NamesLabelsQuantileAndTheAggregate) {
  EXPECT_EQ(SeriesName(MakeSeries({}, {{"pod", "orders-mv-0-abcde"}}, 0.99)),
            "pod=orders-mv-0-abcde q=0.99");
  EXPECT_EQ(SeriesName(MakeSeries({})), "(all)");
  EXPECT_EQ(SeriesName(MakeSeries({}, {}, 0.5), false), "(all)");
}

TEST(QueryTable, AlignsColumnsWithAHeaderAndOneRowPerSeries) {
  QueryAnswer answer;
  answer.object = "mono-vertex";
  answer.object_name = "default/orders";
  answer.unit = "seconds";
  answer.range_start = "2026-11-24T00:00:00Z";
  answer.range_end = "2026-11-24T01:00:00Z";
  answer.step = "15s";
  answer.series.push_back(MakeSeries({0.1, 0.2}, {{"pod", "orders-mv-0-abcde"}}, 0.5));
  answer.series.push_back(MakeSeries({std::nullopt, 0.002}, {{"pod", "orders-mv-1-fghij"}}, 0.5));
  std::ostringstream out;
  WriteTable(out, answer, {"sink-latency", 40});
  std::istringstream lines(out.str());
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 4u) << out.str();
  EXPECT_EQ(rows[0],
            "sink-latency of mono-vertex default/orders, 2026-11-24T00:00:00Z to "
            "2026-11-24T01:00:00Z, step 15s");
  EXPECT_EQ(rows[1].rfind("SERIES", 0), 0u);
  EXPECT_EQ(rows[2].rfind("pod=orders-mv-0-abcde q=0.5  ", 0), 0u) << rows[2];
  EXPECT_NE(rows[2].find("200 ms"), std::string::npos);
  EXPECT_NE(rows[2].find("2/2"), std::string::npos);
  EXPECT_NE(rows[3].find("1/2"), std::string::npos);
  // Two spaces after POINTS, a space for the null first point, then the single value: flat.
  EXPECT_TRUE(rows[3].ends_with("1/2   ▁")) << rows[3];
  EXPECT_TRUE(rows[2].ends_with("2/2  ▁█")) << rows[2];
  // Right-aligned numbers: every column starts at the same display column in every row, so the
  // position of "POINTS"'s end matches the end of each row's points cell.
  const std::size_t header_end = DisplayWidth(rows[1].substr(0, rows[1].find("POINTS") + 6));
  EXPECT_EQ(DisplayWidth(rows[2].substr(0, rows[2].find("2/2") + 3)), header_end);
  EXPECT_EQ(DisplayWidth(rows[3].substr(0, rows[3].find("1/2") + 3)), header_end);
}

TEST(QueryTable, SaysNoSeriesForAnEmptyAnswer) {
  std::ostringstream out;
  WriteTable(out, QueryAnswer{}, {"sink-latency", 40});
  EXPECT_NE(out.str().find("\nno series\n"), std::string::npos) << out.str();
}

TEST(QueryAnswerParser, ReadsSeriesNullsUnitAndWarnings) {
  const std::string body = R"({"status":"success","data":{"metric":"sink_latency",
    "object":"mono-vertex","namespace":"default","mvtx":"orders","unit":"seconds",
    "range":{"start":"A","end":"B","step":"15s"},
    "series":[{"labels":{"pod":"p-0"},"quantile":0.99,"points":[[1,0.5],[2,null]]}]},
    "warnings":["careful"]})";
  Result<QueryAnswer> answer = ParseQueryAnswer(body);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->object_name, "default/orders");
  EXPECT_EQ(answer->unit, "seconds");
  EXPECT_EQ(answer->step, "15s");
  ASSERT_EQ(answer->series.size(), 1u);
  EXPECT_EQ(answer->series[0].quantile, 0.99);
  ASSERT_EQ(answer->series[0].points.size(), 2u);
  EXPECT_EQ(answer->series[0].points[0].value, 0.5);
  EXPECT_FALSE(answer->series[0].points[1].value);
  EXPECT_EQ(answer->warnings, std::vector<std::string>{"careful"});
  EXPECT_FALSE(ParseQueryAnswer("{\"status\":\"error\"}").ok());
  EXPECT_FALSE(ParseQueryAnswer("not json").ok());
}

TEST(QueryAnswerParser, ReadsAnErrorAnswer) {
  auto error = ParseApiError(
      R"({"status":"error","error":{"code":"bad_request","message":"no","param":"quantile"}})");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "bad_request");
  EXPECT_EQ(error->message, "no");
  EXPECT_EQ(error->param, "quantile");
  EXPECT_FALSE(ParseApiError("<html>"));
}

}  // namespace
}  // namespace nfmetrics::app
