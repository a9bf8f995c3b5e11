// `nfmetrics query --follow` without a server: the points event read, the steps written as table
// rows, JSON lines and CSV rows, what each event prints, and the reconnection waits.
#include "app/follow_format.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

#include "app/query_follow.hpp"

namespace nfmetrics::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kPoints =
    R"({"series":[{"labels":{"pod":"orders-mv-0-abcde"},"quantile":0.95,)"
    R"("points":[[1795482855,0.1],[1795482870,null]]}],"range":{"start":"2026-11-24T09:14:15Z",)"
    R"("end":"2026-11-24T10:14:30Z","start_unix":1795479270,"end_unix":1795482870,"step":"15s",)"
    R"("step_seconds":15,"window":"5m"}})";

// GET's answer for a window, as a snapshot carries it.
std::string Snapshot(std::string_view points) {
  return std::string(
             R"({"status":"success","data":{"metric":"sink_latency","object":"mono-vertex",)"
             R"("namespace":"default","mvtx":"orders","unit":"seconds","range":)"
             R"({"start":"2026-11-24T09:14:00Z","end":"2026-11-24T10:14:00Z","step":"15s"},)"
             R"("series":[{"labels":{"pod":"orders-mv-0-abcde"},"quantile":0.95,"points":)") +
         std::string(points) + R"(}]},"warnings":["w1"]})";
}

QuerySeries Series(std::vector<std::pair<std::string, std::string>> labels,
                   std::optional<double> quantile, std::vector<QueryPoint> points) {
  return QuerySeries{std::move(labels), quantile, std::move(points)};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(PointsEvent, ReadsTheSeriesAndTheNewWindow) {
  Result<PointsEvent> event = ParsePointsEvent(kPoints);
  ASSERT_TRUE(event.ok()) << event.error().message;
  ASSERT_EQ(event->series.size(), 1u);
  const QuerySeries& series = event->series[0];
  ASSERT_EQ(series.labels.size(), 1u);
  EXPECT_EQ(series.labels[0].second, "orders-mv-0-abcde");
  EXPECT_EQ(series.quantile, 0.95);
  ASSERT_EQ(series.points.size(), 2u);
  EXPECT_EQ(series.points[0].timestamp, 1795482855);
  EXPECT_EQ(series.points[0].value, 0.1);
  EXPECT_FALSE(series.points[1].value.has_value());
  EXPECT_EQ(event->start_unix, 1795479270);
  EXPECT_EQ(event->end_unix, 1795482870);
}

TEST(PointsEvent, AnEmptySeriesListIsAnEvent) {
  Result<PointsEvent> event =
      ParsePointsEvent(R"({"series":[],"range":{"start_unix":1,"end_unix":2}})");
  ASSERT_TRUE(event.ok());
  EXPECT_TRUE(event->series.empty());
}

TEST(PointsEvent, RefusesWhatIsNotAPointsEvent) {
  for (std::string_view bad :
       {R"(not json)", R"([])", R"({"range":{"start_unix":1,"end_unix":2}})",
        R"({"series":[{"labels":{},"points":[[1]]}],"range":{"start_unix":1,"end_unix":2}})",
        R"({"series":[]})"}) {
    SCOPED_TRACE(bad);
    Result<PointsEvent> event = ParsePointsEvent(bad);
    ASSERT_FALSE(event.ok());
    EXPECT_EQ(event.error().code, ErrorCode::kUpstreamError);
  }
}

TEST(StepWriter, TableRowsHaveTheTimeTheSeriesAndTheScaledValueUnderAHeader) {
  std::ostringstream out;
  const std::vector<QuerySeries> known = {Series({{"pod", "orders-mv-0-abcde"}}, 0.99, {}),
                                          Series({{"pod", "orders-mv-1-fghij"}}, 0.99, {})};
  StepWriter writer(out, StepFormat::kTable, "seconds", known);
  writer.Write({Series({{"pod", "orders-mv-1-fghij"}}, 0.99,
                       {{1795482855, 0.0197}, {1795482870, std::nullopt}})});
  EXPECT_EQ(out.str(),
            "\n"
            "TIME                  SERIES                        VALUE\n"
            "2026-11-24T01:14:15Z  pod=orders-mv-1-fghij q=0.99  19.7 ms\n"
            "2026-11-24T01:14:30Z  pod=orders-mv-1-fghij q=0.99  -\n");
  EXPECT_EQ(writer.lines(), 2u);
  // No second header; the aggregate series is "(all)".
  writer.Write({Series({}, std::nullopt, {{1795482885, 1.5}})});
  EXPECT_EQ(Lines(out.str()).back(), "2026-11-24T01:14:45Z  (all)                         1.50 s");
}

TEST(StepWriter, JsonLinesCarryLabelsQuantileTimeAndValue) {
  std::ostringstream out;
  StepWriter writer(out, StepFormat::kJson, "seconds", {});
  writer.Write({Series({{"pod", "a\"b"}, {"replica", "1"}}, 0.5,
                       {{1795482855, 0.25}, {1795482870, std::nullopt}}),
                Series({{"period", "1m"}}, std::nullopt, {{1795482855.5, 12}})});
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(
      lines[0],
      R"({"labels":{"pod":"a\"b","replica":"1"},"quantile":0.5,"t":1795482855,"value":0.25})");
  EXPECT_EQ(
      lines[1],
      R"({"labels":{"pod":"a\"b","replica":"1"},"quantile":0.5,"t":1795482870,"value":null})");
  EXPECT_EQ(lines[2], R"({"labels":{"period":"1m"},"t":1795482855.5,"value":12.0})");
  for (const std::string& line : lines) {
    rapidjson::Document parsed;
    EXPECT_FALSE(parsed.Parse(line.c_str()).HasParseError()) << line;
  }
}

TEST(StepWriter, CsvRowsAreThoseOfOutputCsv) {
  std::ostringstream out;
  StepWriter writer(out, StepFormat::kCsv, "seconds", {});
  const QuerySeries series = Series({{"pod", "p,1"}}, 0.99, {{1795482855, 0.5}, {1795482870, {}}});
  writer.Write({series});
  std::ostringstream csv;
  WriteCsv(csv, QueryAnswer{.series = {series}});
  EXPECT_EQ("series,quantile,timestamp,value\n" + out.str(), csv.str());
  EXPECT_EQ(out.str(), "\"pod=p,1\",0.99,1795482855,0.5\n\"pod=p,1\",0.99,1795482870,\n");
}

TEST(StepWriter, WritesOnlyTheStepsAfterAGivenTime) {
  std::ostringstream out;
  StepWriter writer(out, StepFormat::kCsv, "", {});
  writer.Write({Series({}, std::nullopt, {{100, 1}, {115, 2}, {130, 3}})}, 115);
  EXPECT_EQ(out.str(), "(all),,130,3\n");
}

FollowSettings Settings(std::string output) {
  return FollowSettings{.target = "/api/v1/metrics/sink-latency/stream",
                        .metric = "sink-latency",
                        .output = std::move(output),
                        .width = 10,
                        .connection = {}};
}

SseEvent Event(std::string type, std::string id, std::string data) {
  return SseEvent{std::move(type), std::move(data), std::move(id)};
}

TEST(FollowPrinter, PrintsTheSnapshotAsQueryDoesThenEachStep) {
  const FollowSettings settings = Settings("table");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  EXPECT_FALSE(printer.started());
  EXPECT_EQ(printer.OnEvent(
                Event("snapshot", "1795482840", Snapshot("[[1795482825,0.1],[1795482840,0.2]]"))),
            std::nullopt);
  EXPECT_TRUE(printer.started());
  std::ostringstream table;
  WriteTable(table, *ParseQueryAnswer(Snapshot("[[1795482825,0.1],[1795482840,0.2]]")),
             TableOptions{"sink-latency", 10});
  EXPECT_EQ(out.str(), table.str());
  EXPECT_EQ(err.str(), "nfmetrics query: warning: w1\n");

  printer.OnEvent(Event("points", "1795482870", std::string(kPoints)));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[lines.size() - 3].rfind("TIME  ", 0), 0u) << out.str();
  EXPECT_EQ(lines[lines.size() - 2], "2026-11-24T01:14:15Z  pod=orders-mv-0-abcde q=0.95  100 ms");
  EXPECT_EQ(lines.back(), "2026-11-24T01:14:30Z  pod=orders-mv-0-abcde q=0.95  -");
}

TEST(FollowPrinter, JsonPrintsTheSnapshotAsReceivedThenOneLinePerStep) {
  const FollowSettings settings = Settings("json");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  const std::string snapshot = Snapshot("[[1795482840,0.2]]");
  printer.OnEvent(Event("snapshot", "1795482840", snapshot));
  printer.OnEvent(Event("points", "1795482870", std::string(kPoints)));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u) << out.str();
  EXPECT_EQ(lines[0], snapshot);
  EXPECT_EQ(lines[1],
            R"({"labels":{"pod":"orders-mv-0-abcde"},"quantile":0.95,"t":1795482855,"value":0.1})");
}

TEST(FollowPrinter, ErrorEventsGoToStderrAndFollowingContinues) {
  const FollowSettings settings = Settings("csv");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  printer.OnEvent(Event("snapshot", "1795482840", Snapshot("[]")));
  const std::string before = out.str();
  EXPECT_EQ(printer.OnEvent(Event(
                "error", "1795482840",
                R"({"status":"error","error":{"code":"upstream_unavailable","message":"down"}})")),
            std::nullopt);
  EXPECT_NE(err.str().find("nfmetrics query: upstream_unavailable: down\n"), std::string::npos)
      << err.str();
  EXPECT_EQ(out.str(), before);
  printer.OnEvent(Event("points", "1795482870", std::string(kPoints)));
  EXPECT_EQ(out.str().substr(before.size()),
            "pod=orders-mv-0-abcde,0.95,1795482855,0.1\npod=orders-mv-0-abcde,0.95,1795482870,\n");
}

TEST(FollowPrinter, AFreshStepSentAgainIsPrintedAgain) {
  const FollowSettings settings = Settings("csv");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  printer.OnEvent(Event("snapshot", "100", Snapshot("[[100,1]]")));
  const std::string points =
      R"({"series":[{"labels":{"pod":"orders-mv-0-abcde"},"quantile":0.95,"points":[[115,2]]}],)"
      R"("range":{"start_unix":15,"end_unix":115}})";
  const std::string again =
      R"({"series":[{"labels":{"pod":"orders-mv-0-abcde"},"quantile":0.95,"points":[[115,3],[130,4]]}],)"
      R"("range":{"start_unix":30,"end_unix":130}})";
  printer.OnEvent(Event("points", "115", points));
  printer.OnEvent(Event("points", "130", again));
  std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 5u) << out.str();
  EXPECT_EQ(lines[2], "pod=orders-mv-0-abcde,0.95,115,2");
  EXPECT_EQ(lines[3], "pod=orders-mv-0-abcde,0.95,115,3");
  EXPECT_EQ(lines[4], "pod=orders-mv-0-abcde,0.95,130,4");
}

TEST(FollowPrinter, ASnapshotAfterAResumePrintsOnlyTheStepsNotSeen) {
  const FollowSettings settings = Settings("csv");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  printer.OnEvent(Event("snapshot", "115", Snapshot("[[100,1],[115,2]]")));
  const std::size_t printed = out.str().size();
  printer.OnEvent(Event("snapshot", "145", Snapshot("[[115,2],[130,3],[145,4]]")));
  EXPECT_EQ(out.str().substr(printed),
            "pod=orders-mv-0-abcde,0.95,130,3\npod=orders-mv-0-abcde,0.95,145,4\n");
}

TEST(FollowPrinter, AFirstSnapshotThatIsNoAnswerExitsOne) {
  const FollowSettings settings = Settings("table");
  std::ostringstream out;
  std::ostringstream err;
  FollowPrinter printer(settings, out, err);
  EXPECT_EQ(printer.OnEvent(Event("snapshot", "1", R"({"status":"error"})")), kExitApiError);
  EXPECT_NE(err.str().find("is not a metrics answer"), std::string::npos) << err.str();
  // Points before any snapshot, and events of other types, print nothing.
  printer.OnEvent(Event("points", "2", std::string(kPoints)));
  printer.OnEvent(Event("message", "2", "hello"));
  EXPECT_EQ(out.str(), "");
}

TEST(ReconnectBackoff, WaitsHalfASecondDoublingToEightThenGivesUp) {
  ReconnectBackoff backoff;
  std::vector<Duration> waits;
  while (std::optional<Duration> wait = backoff.Next()) waits.push_back(*wait);
  EXPECT_EQ(waits, (std::vector<Duration>{milliseconds(500), seconds(1), seconds(2), seconds(4),
                                          seconds(8)}));
  EXPECT_EQ(backoff.Next(), std::nullopt);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), milliseconds(500));
}

}  // namespace
}  // namespace nfmetrics::app
