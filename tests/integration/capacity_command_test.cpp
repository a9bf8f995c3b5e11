// `nfmetrics capacity` as a user runs it: the real binary against the in-process API over the test
// backend holding the synthetic data, its tables and exit codes checked against the API's own
// answer to the same question. The data (the 3 hours before the suite's start, and the same hours
// 1 and 7 days earlier) gives yesterday values, whatever the hour the suite runs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "api_checks.hpp"
#include "run_nfmetrics.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

std::vector<std::string> Args(std::vector<std::string> extra) {
  std::vector<std::string> args = {"capacity", "--url", ApiUrl(), "--namespace", "default"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The lines of `text` after the one starting with `header`, up to the next blank line.
std::vector<std::string> Section(const std::string& text, std::string_view header) {
  std::vector<std::string> rows;
  bool in = false;
  for (const std::string& line : Lines(text)) {
    if (!in) {
      in = line.starts_with(header);
      continue;
    }
    if (line.empty()) break;
    rows.push_back(line);
  }
  return rows;
}

std::string Text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

// Equal JSON, numbers to 1e-9 relative: Prometheus sums a MonoVertex's series in no fixed order,
// so two evaluations of the same query may differ in the last bit.
bool Same(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    const double x = a.GetDouble();
    const double y = b.GetDouble();
    return std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.IsArray() && b.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!Same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.IsObject() && b.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (const auto& member : a.GetObject()) {
      if (!b.HasMember(member.name) || !Same(member.value, b[member.name])) return false;
    }
    return true;
  }
  return a == b;
}

TEST(CapacityCommand, JsonIsTheApisData) {
  CommandResult result =
      RunNfmetrics(Args({"--mvtx", "checkout", "--days", "3", "--horizon", "7", "-o", "json"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  rapidjson::Document printed;
  printed.Parse(result.out.c_str());
  ASSERT_FALSE(printed.HasParseError()) << result.out.substr(0, 300);
  ASSERT_TRUE(printed.IsObject());
  EXPECT_FALSE(printed.HasMember("status")) << "the answer's data, not the envelope";
  Json api = ApiGet("/api/v1/capacity?namespace=default&mvtx=checkout&days=3&horizon=7");
  ASSERT_EQ(api.status, 200) << api.body;
  const auto& data = api.doc["data"];
  // Everything but `cache`: the second ask of the same days may be answered from it.
  for (const char* key : {"object", "namespace", "mvtx", "quantile", "days_requested", "horizon",
                          "range", "days", "trend", "load_latency", "queries"}) {
    ASSERT_TRUE(printed.HasMember(key)) << key;
    EXPECT_TRUE(Same(printed[key], data[key])) << key << ": " << Text(printed[key]) << "\n"
                                               << Text(data[key]);
  }
  EXPECT_EQ(printed["days"].Size(), 3u);
  EXPECT_EQ(printed["load_latency"].Size(), 10u);
}

TEST(CapacityCommand, TheTablesHaveEachDayTheThreeTrendsAndTheTenDeciles) {
  CommandResult result = RunNfmetrics(Args({"--mvtx", "checkout", "--days", "4"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json api = ApiGet("/api/v1/capacity?namespace=default&mvtx=checkout&days=4");
  ASSERT_EQ(api.status, 200) << api.body;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines[0].starts_with("mono-vertex default/checkout, 4 days ")) << lines[0];
  EXPECT_NE(lines[0].find(", p99, horizon 30 days"), std::string::npos) << lines[0];

  std::vector<std::string> days = Section(result.out, "DATE ");
  ASSERT_EQ(days.size(), 4u) << result.out;
  for (rapidjson::SizeType i = 0; i < 4; ++i) {
    const auto& day = api.doc["data"]["days"][i];
    EXPECT_TRUE(days[i].starts_with(day["date"].GetString())) << days[i];
    // A day without a peak shows "-" in its place; one with a peak, a number.
    const bool has_peak = day["read_rate_peak"].IsNumber();
    std::regex cells(R"(^\S+\s+(\S+)\s+(\S+)\s)");
    std::smatch match;
    ASSERT_TRUE(std::regex_search(days[i], match, cells)) << days[i];
    EXPECT_EQ(match[2] == "-", !has_peak) << days[i];
  }
  std::vector<std::string> trends = Section(result.out, "TREND ");
  ASSERT_EQ(trends.size(), 3u) << result.out;
  EXPECT_TRUE(trends[0].starts_with("peak read/s ")) << trends[0];
  EXPECT_TRUE(trends[1].starts_with("sink p99 ")) << trends[1];
  EXPECT_TRUE(trends[2].starts_with("processing p99 ")) << trends[2];
  EXPECT_NE(result.out.find("AT +30D"), std::string::npos) << result.out;
  std::vector<std::string> deciles = Section(result.out, "LOAD DECILE ");
  ASSERT_EQ(deciles.size(), 10u) << result.out;
  for (int k = 1; k <= 10; ++k) {
    EXPECT_TRUE(deciles[k - 1].starts_with(fmt::format("{:>11}  ", k))) << deciles[k - 1];
  }
}

TEST(CapacityCommand, APipelineVertexIsNamedByPipelineAndVertex) {
  CommandResult result = RunNfmetrics(
      Args({"--pipeline", "shop", "--vertex", "out", "--days", "2", "--quantile", "0.5"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines[0].starts_with("vertex default/shop/out, 2 days ")) << lines[0];
  EXPECT_NE(lines[0].find(", p50, "), std::string::npos) << lines[0];
  EXPECT_EQ(Section(result.out, "DATE ").size(), 2u) << result.out;
}

TEST(CapacityCommand, AnUnknownMonoVertexExitsOneWithTheApisMessage) {
  CommandResult result = RunNfmetrics(Args({"--mvtx", "no-such-mvtx", "--days", "2"}));
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_TRUE(result.err.starts_with("nfmetrics capacity: not_found: ")) << result.err;
  EXPECT_NE(result.err.find("(parameter mvtx)"), std::string::npos) << result.err;
}

TEST(CapacityCommand, ValuesTheApiRefusesExitOneNamingTheParameter) {
  for (const auto& [flag, value, param] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--days", "1", "days"},
           {"--days", "91", "days"},
           {"--horizon", "366", "horizon"},
           {"--quantile", "2", "quantile"}}) {
    CommandResult result = RunNfmetrics(Args({"--mvtx", "checkout", flag, value}));
    EXPECT_EQ(result.exit_code, 1) << flag << " " << value << ": " << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_TRUE(result.err.starts_with("nfmetrics capacity: bad_request: ")) << result.err;
    EXPECT_NE(result.err.find("(parameter " + param + ")"), std::string::npos) << result.err;
  }
}

TEST(CapacityCommand, AnUnreachableUrlExitsOne) {
  CommandResult result = RunNfmetrics({"capacity", "--url", "http://127.0.0.1:9", "--namespace",
                                       "default", "--mvtx", "checkout", "--timeout", "5s"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("nfmetrics capacity: "), std::string::npos) << result.err;
}

TEST(CapacityCommand, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> extras = {
      {"--mvtx", "checkout", "--pipeline", "shop", "--vertex", "out"},  // both
      {"--mvtx", "checkout", "--vertex", "out"},
      {},  // neither
      {"--pipeline", "shop"},
      {"--vertex", "out"},
      {"--mvtx", "checkout", "--output", "csv"},
      {"--mvtx", "checkout", "--since", "1h"},
      {"--mvtx", "checkout", "--timeout", "soon"},
  };
  for (const auto& extra : extras) {
    CommandResult result = RunNfmetrics(Args(extra));
    EXPECT_EQ(result.exit_code, 2)
        << fmt::format("{}", fmt::join(extra, " ")) << ": " << result.err;
    EXPECT_EQ(result.out, "");
  }
  CommandResult no_namespace = RunNfmetrics({"capacity", "--url", ApiUrl(), "--mvtx", "x"});
  EXPECT_EQ(no_namespace.exit_code, 2) << no_namespace.err;
  CommandResult help = RunNfmetrics({"capacity", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--horizon"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace nfmetrics::testing
