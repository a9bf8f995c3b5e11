// `nfmetrics query --follow` as a user runs it: the real binary against the API's stream (the
// in-process API, or a child `nfmetrics serve` with TLS and tokens) over the test backend. After
// the snapshot, a step newer than the snapshot's window must be printed, as a JSON line or a table
// row, and SIGTERM or SIGINT must end the command with 0.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "live_world.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "run_nfmetrics.hpp"
#include "support/cli_process.hpp"
#include "support/harness_common.hpp"
#include "support/tls_fixtures.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using std::chrono::seconds;

// A short step, and fresh=true so that a step is sent at once rather than a minute later.
constexpr int kStepSeconds = 5;
// The first new step comes at the next step boundary plus the server's 2 s; the rest is margin.
constexpr seconds kNewStepWithin(30);

std::vector<std::string> FollowArgs(std::string url, std::string output) {
  return {"query",        "sink-latency",   "--url",
          std::move(url), "--namespace",    "default",
          "--mvtx",       "orders",         "--group-by",
          "pod",          "--quantile",     "0.99",
          "--follow",     "--fresh",        "--range",
          "5m",           "--step",         fmt::format("{}s", kStepSeconds),
          "--output",     std::move(output)};
}

std::string LiveApiUrl() {
  return fmt::format("http://127.0.0.1:{}", LiveWorld::Get().api().port());
}

std::vector<std::string> CompleteLines(const std::string& text) {
  std::vector<std::string> lines = Lines(text);
  if (!text.empty() && text.back() != '\n' && !lines.empty()) lines.pop_back();
  return lines;
}

TEST(QueryFollowCommand, JsonPrintsTheSnapshotThenEachNewStepAsALine) {
  auto follow = CliProcess::Start(FollowArgs(LiveApiUrl(), "json"));
  ASSERT_TRUE(follow->WaitForOut([](const std::string& out) { return !CompleteLines(out).empty(); },
                                 seconds(30)))
      << follow->Err();
  rapidjson::Document snapshot;
  const std::string first = CompleteLines(follow->Out())[0];
  ASSERT_FALSE(snapshot.Parse(first.c_str()).HasParseError()) << first.substr(0, 300);
  ASSERT_STREQ(snapshot["status"].GetString(), "success") << first.substr(0, 300);
  const rapidjson::Value& data = snapshot["data"];
  const std::int64_t snapshot_end = data["range"]["end_unix"].GetInt64();
  std::set<std::string> pods;
  for (const auto& series : data["series"].GetArray()) {
    pods.insert(series["labels"]["pod"].GetString());
  }
  ASSERT_GE(pods.size(), 2u) << first.substr(0, 300);

  // A line for a step after the snapshot's window.
  auto is_new_step = [snapshot_end](const std::string& line) {
    rapidjson::Document step;
    return !step.Parse(line.c_str()).HasParseError() && step.IsObject() && step.HasMember("t") &&
           step["t"].GetDouble() > static_cast<double>(snapshot_end);
  };
  ASSERT_TRUE(follow->WaitForOut(
      [&](const std::string& out) {
        std::vector<std::string> lines = CompleteLines(out);
        return std::any_of(lines.begin() + 1, lines.end(), is_new_step);
      },
      kNewStepWithin))
      << "no step after " << snapshot_end << "\nstdout:\n"
      << follow->Out().substr(first.size()) << "\nstderr:\n"
      << follow->Err();
  std::vector<std::string> lines = CompleteLines(follow->Out());
  std::size_t new_values = 0;  // the live exporter's samples: new steps have values
  for (std::size_t i = 1; i < lines.size(); ++i) {
    rapidjson::Document step;
    ASSERT_FALSE(step.Parse(lines[i].c_str()).HasParseError()) << lines[i];
    EXPECT_EQ(step["quantile"].GetDouble(), 0.99) << lines[i];
    EXPECT_EQ(pods.count(step["labels"]["pod"].GetString()), 1u) << lines[i];
    EXPECT_EQ(static_cast<std::int64_t>(step["t"].GetDouble()) % kStepSeconds, 0) << lines[i];
    EXPECT_TRUE(step["value"].IsNumber() || step["value"].IsNull()) << lines[i];
    if (is_new_step(lines[i]) && step["value"].IsNumber()) ++new_values;
  }
  EXPECT_GT(new_values, 0u) << follow->Out().substr(first.size());
  follow->Signal(SIGTERM);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
  EXPECT_EQ(follow->Err(), "");
}

TEST(QueryFollowCommand, TablePrintsARowPerSeriesAndStepUnderTheSnapshot) {
  auto follow = CliProcess::Start(FollowArgs(LiveApiUrl(), "table"));
  // The snapshot's table, then "TIME  SERIES  VALUE" and the first row.
  auto header_at = [](const std::vector<std::string>& lines) {
    return std::find_if(lines.begin(), lines.end(),
                        [](const std::string& line) { return line.starts_with("TIME  "); });
  };
  ASSERT_TRUE(follow->WaitForOut(
      [&](const std::string& out) {
        std::vector<std::string> lines = CompleteLines(out);
        auto header = header_at(lines);
        return header != lines.end() && header + 1 != lines.end();
      },
      kNewStepWithin))
      << follow->Out() << follow->Err();
  std::vector<std::string> lines = CompleteLines(follow->Out());
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[0].find("sink-latency of mono-vertex default/orders"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("SERIES", 0), 0u) << lines[1];
  const auto header = header_at(lines);
  std::set<std::string> names;  // the snapshot's series
  for (auto line = lines.begin() + 2; line != header && !line->empty(); ++line) {
    names.insert(line->substr(0, line->find("  ")));
  }
  ASSERT_GE(names.size(), 2u) << follow->Out();
  EXPECT_TRUE((header - 1)->empty()) << "a blank line before the steps";
  for (auto row = header + 1; row != lines.end(); ++row) {
    // 2026-11-24T10:10:30Z  pod=orders-mv-0-z9m4g q=0.99  19.7 ms
    ASSERT_GT(row->size(), 22u) << *row;
    EXPECT_EQ((*row)[10], 'T') << *row;
    EXPECT_EQ(row->substr(19, 3), "Z  ") << *row;
    const std::string rest = row->substr(22);
    EXPECT_EQ(names.count(rest.substr(0, rest.find("  "))), 1u) << *row;
  }
  follow->Signal(SIGINT);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
}

TEST(QueryFollowCommand, FollowsAnHttpsServerWithTheCaFileAndToken) {
  const std::string secret = "follow-test-secret-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";
  ScratchDir dir("nfmetrics-follow-tls");
  const TestPki pki = WriteTestPki(dir.path());
  const auto tokens = dir.path() / "tokens.yaml";
  std::ofstream(tokens) << "tokens:\n  - name: follow-cli\n    sha256: \""
                        << service::Sha256Hex(secret) << "\"\n    namespaces: [default]\n";
  const unsigned short port = FreeLoopbackPort();
  LoopbackCredentials tls{.tls = true, .ca_file = pki.ca_cert};
  auto serve = StartServe(
      port,
      {"--tls-cert", pki.server_cert.string(), "--tls-key", pki.server_key.string(),
       "--auth-tokens", tokens.string()},
      [&] {
        auto answer = SecuredLoopbackGet(port, "/healthz", tls);
        return answer && answer->status == 200;
      },
      LiveWorld::Get().backend().url());
  std::vector<std::string> args = FollowArgs(fmt::format("https://127.0.0.1:{}", port), "csv");
  args.insert(args.end(), {"--ca-file", pki.ca_cert.string()});

  CommandResult refused = RunNfmetrics(args);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_EQ(refused.err.rfind("nfmetrics query: unauthorized: ", 0), 0u) << refused.err;

  auto follow = CliProcess::Start(args, {"NFMETRICS_TOKEN=" + secret});
  EXPECT_TRUE(follow->WaitForOut(
      [](const std::string& out) {
        return out.starts_with("series,quantile,timestamp,value\npod=orders-mv-");
      },
      seconds(30)))
      << follow->Out() << follow->Err();
  follow->Signal(SIGTERM);
  EXPECT_EQ(follow->Wait(seconds(5)), 0) << follow->Err();
  EXPECT_EQ(serve->Stop(), 0) << serve->LogTail();
}

}  // namespace
}  // namespace nfmetrics::testing
