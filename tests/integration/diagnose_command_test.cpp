// `nfmetrics diagnose` as a user runs it: the real binary against the in-process API over the test
// backend holding the synthetic data and its incident, its output and exit code checked against
// the model and against the API's own answer to the same question.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api_checks.hpp"
#include "run_nfmetrics.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

const synth::MonoVertexModel& Checkout() {
  for (const auto& mvtx : SynthWorld().mono_vertices) {
    if (mvtx.ns == synth::kIncidentNamespace && mvtx.name == synth::kIncidentMonoVertex) {
      return mvtx;
    }
  }
  throw std::runtime_error("no incident MonoVertex");
}

// The incident's 2 hours and the hour before them, as fixed bounds so that the CLI and a direct
// API request ask the same question.
std::vector<std::string> CheckoutArgs(std::string_view output) {
  return {"diagnose",
          "--url",
          ApiUrl(),
          "--namespace",
          "default",
          "--mvtx",
          "checkout",
          "--start",
          std::to_string(DataEnd() - 3 * 3600 + 600),
          "--end",
          std::to_string(DataEnd()),
          "--output",
          std::string(output)};
}

TEST(DiagnoseCommand, AnIncidentInTheRangeExitsFourAndNamesTheSlowPod) {
  const synth::PodModel* slow = synth::IncidentPod(Checkout());
  ASSERT_NE(slow, nullptr);
  // --since counts back from now; the data ends at the minute the suite started, with the incident
  // from 2 hours before that.
  CommandResult result = RunNfmetrics({"diagnose", "--url", ApiUrl(), "--namespace", "default",
                                       "--mvtx", "checkout", "--since", "3h"});
  EXPECT_EQ(result.exit_code, 4) << result.out << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_GE(lines.size(), 2u) << result.out;
  EXPECT_EQ(lines[0].rfind("mono-vertex default/checkout, ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(", p99, compared with 1d earlier"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind("CRITICAL  pod " + slow->name + ": sink p99 ", 0), 0u) << result.out;
  // The stage shares: every stage the model's pods export, each with a share and its latencies.
  int stage_rows = 0;
  bool pod_row = false;
  for (const std::string& line : lines) {
    for (std::string_view stage : {"read ", "udf ", "sink ", "ack "}) {
      if (line.starts_with(stage) && line.find('%') != std::string::npos &&
          (line.find(" ms") != std::string::npos || line.find(" µs") != std::string::npos)) {
        ++stage_rows;
      }
    }
    if (line.starts_with(slow->name) && line.find("outlier since") != std::string::npos) {
      pod_row = true;
    }
  }
  EXPECT_EQ(stage_rows, 4) << result.out;
  EXPECT_TRUE(pod_row) << result.out;
  EXPECT_NE(result.out.find("STAGE  SHARE"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("█"), std::string::npos) << "a bar chart: " << result.out;
  EXPECT_EQ(result.err, "");
}

TEST(DiagnoseCommand, JsonIsTheApiAnswerWithTheSameFindings) {
  CommandResult result = RunNfmetrics(CheckoutArgs("json"));
  EXPECT_EQ(result.exit_code, 4) << result.err;
  rapidjson::Document printed;
  printed.Parse(result.out.c_str());
  ASSERT_FALSE(printed.HasParseError()) << result.out.substr(0, 300);
  Json api = ApiGet(fmt::format("/api/v1/diagnosis?namespace=default&mvtx=checkout&start={}&end={}",
                                DataEnd() - 3 * 3600 + 600, DataEnd()));
  ASSERT_EQ(api.status, 200) << api.body;
  ASSERT_TRUE(printed["data"]["findings"].IsArray());
  EXPECT_GE(printed["data"]["findings"].Size(), 1u);
  EXPECT_EQ(printed["data"]["findings"], api.doc["data"]["findings"]);
  EXPECT_EQ(printed["data"]["range"], api.doc["data"]["range"]);
}

TEST(DiagnoseCommand, APipelineListsItsVerticesInOrderAndExitsWithItsMostSevereFinding) {
  const synth::PipelineModel& shop = synth::DefaultPipelines().front();
  const std::string start = std::to_string(DataEnd() - 2 * 3600);
  const std::string end = std::to_string(DataEnd() - 600);
  CommandResult result =
      RunNfmetrics({"diagnose", "--url", ApiUrl(), "--namespace", "default", "--pipeline", "shop",
                    "--baseline", "none", "--start", start, "--end", end});
  Json api =
      ApiGet("/api/v1/diagnosis?namespace=default&pipeline=shop&baseline=none&start=" + start +
             "&end=" + end);
  ASSERT_EQ(api.status, 200) << api.body;
  int expected = 0;
  for (const auto& finding : api.doc["data"]["findings"].GetArray()) {
    expected =
        std::max(expected, std::string_view(finding["severity"].GetString()) == "critical" ? 4 : 3);
  }
  EXPECT_EQ(expected, 4) << "the backlog of `out` doubles after the onset: " << api.body;
  EXPECT_EQ(result.exit_code, expected) << result.out << result.err;
  std::vector<std::string> lines = Lines(result.out);
  std::vector<std::string> vertices;
  bool header = false;
  for (const std::string& line : lines) {
    if (line.starts_with("VERTEX  TYPE")) {
      header = true;
      continue;
    }
    if (header && !line.empty()) vertices.push_back(line.substr(0, line.find(' ')));
    if (header && line.ends_with("bottleneck")) {
      EXPECT_EQ(line.substr(0, line.find(' ')), api.doc["data"]["bottleneck_vertex"].GetString());
    }
  }
  std::vector<std::string> expected_order;
  for (const auto& vertex : shop.vertices) expected_order.push_back(vertex.name);
  EXPECT_EQ(vertices, expected_order) << result.out;
}

// A range the API finds nothing wrong in: payments/orders before the incident, without a
// baseline (its pods are within 2x of their median and no stage takes half the time). Its pending
// gauge swings with the time of day, by at most half its base (650 at most) over 4,800 s: at most
// 0.43 messages a second, so over 3 minutes it cannot grow by the 100 messages a backlog finding
// needs, whatever the hour the suite runs.
std::pair<std::int64_t, std::int64_t> QuietRange() {
  const std::int64_t end = IncidentOnset() - 600;
  return {end - 180, end};
}

TEST(DiagnoseCommand, NoFindingsExitsZero) {
  const std::pair<std::int64_t, std::int64_t> range = QuietRange();
  Json api = ApiGet(
      fmt::format("/api/v1/diagnosis?namespace=payments&mvtx=orders&baseline=none&start={}&end={}",
                  range.first, range.second));
  ASSERT_EQ(api.status, 200) << api.body;
  ASSERT_TRUE(api.doc["data"]["findings"].Empty()) << api.body;
  CommandResult result = RunNfmetrics(
      {"diagnose", "--url", ApiUrl(), "--namespace", "payments", "--mvtx", "orders", "--baseline",
       "none", "--start", std::to_string(range.first), "--end", std::to_string(range.second)});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_GE(lines.size(), 2u) << result.out;
  EXPECT_NE(lines[0].find("no baseline"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "no findings");
}

TEST(DiagnoseCommand, AnUnknownMonoVertexExitsOneWithTheApisMessage) {
  CommandResult result = RunNfmetrics({"diagnose", "--url", ApiUrl(), "--namespace", "default",
                                       "--mvtx", "no-such-mvtx", "--since", "3h"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("nfmetrics diagnose: not_found: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("(parameter mvtx)"), std::string::npos) << result.err;
}

TEST(DiagnoseCommand, AnUnreachableUrlExitsOne) {
  CommandResult result = RunNfmetrics({"diagnose", "--url", "http://127.0.0.1:9", "--namespace",
                                       "default", "--mvtx", "checkout", "--timeout", "5s"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("nfmetrics diagnose: "), std::string::npos) << result.err;
}

TEST(DiagnoseCommand, UsageErrorsExitTwo) {
  const std::vector<std::string> base = {"diagnose", "--url", ApiUrl(), "--namespace", "default"};
  const std::vector<std::vector<std::string>> extras = {
      {"--mvtx", "checkout", "--pipeline", "shop"},  // both
      {},                                            // neither
      {"--mvtx", "checkout", "--since", "soon"},
      {"--mvtx", "checkout", "--since", "0s"},
      {"--mvtx", "checkout", "--since", "1h", "--start", "1"},
      {"--mvtx", "checkout", "--baseline", "2d"},
      {"--mvtx", "checkout", "--output", "csv"},
      {"--mvtx", "checkout", "--no-such-flag"},
  };
  for (const auto& extra : extras) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult result = RunNfmetrics(args);
    EXPECT_EQ(result.exit_code, 2)
        << fmt::format("{}", fmt::join(extra, " ")) << ": " << result.err;
    EXPECT_EQ(result.out, "");
  }
  CommandResult no_namespace = RunNfmetrics({"diagnose", "--url", ApiUrl(), "--mvtx", "x"});
  EXPECT_EQ(no_namespace.exit_code, 2) << no_namespace.err;
  CommandResult help = RunNfmetrics({"diagnose", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("4  a critical finding"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace nfmetrics::testing
