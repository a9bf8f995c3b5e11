// `nfmetrics query` as a user runs it: the real binary against the in-process API (or a child
// `nfmetrics serve`) over the test backend, its output checked against what the API and the
// backend say for the same question.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_checks.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "run_nfmetrics.hpp"
#include "support/child_process.hpp"
#include "support/harness_common.hpp"
#include "support/http_client.hpp"
#include "support/tls_fixtures.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

// A fixed range inside the synthetic data, so the CLI and a direct API request ask the same.
struct Question {
  std::int64_t start = DataEnd() - 7200;
  std::int64_t end = DataEnd() - 600;
  std::string step = "1m";

  std::vector<std::string> Args(std::string_view output) const {
    return {"query",       "sink-latency",
            "--url",       ApiUrl(),
            "--namespace", "default",
            "--mvtx",      "orders",
            "--group-by",  "pod",
            "--quantile",  "0.5,0.99",
            "--start",     std::to_string(start),
            "--end",       std::to_string(end),
            "--step",      step,
            "--output",    std::string(output)};
  }
  std::string ApiTarget() const {
    return fmt::format(
        "/api/v1/metrics/sink-latency?namespace=default&mvtx=orders&group_by=pod&quantile=0.5,0.99"
        "&start={}&end={}&step={}",
        start, end, step);
  }
};

// The pods of default/orders with sink-latency data in the range, as the backend has them.
std::set<std::string> BackendPods(const Question& question) {
  Json answer = BackendQuery(
      R"(count by (pod) (monovtx_sink_time_bucket{namespace="default",mvtx_name="orders"}))",
      static_cast<double>(question.start), static_cast<double>(question.end), 60);
  std::set<std::string> pods;
  if (answer.status != 200) {
    ADD_FAILURE() << answer.body;
    return pods;
  }
  for (const auto& series : answer.doc["data"]["result"].GetArray()) {
    pods.insert(series["metric"]["pod"].GetString());
  }
  return pods;
}

TEST(QueryCommand, TablePrintsOneRowPerPodAndQuantile) {
  Question question;
  CommandResult result = RunNfmetrics(question.Args("table"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> pods = BackendPods(question);
  ASSERT_GE(pods.size(), 2u);
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_GE(lines.size(), 2u) << result.out;
  EXPECT_NE(lines[0].find("sink-latency of mono-vertex default/orders"), std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[1].rfind("SERIES", 0), 0u) << lines[1];
  std::set<std::string> expected;
  for (const std::string& pod : pods) {
    expected.insert(fmt::format("pod={} q=0.5", pod));
    expected.insert(fmt::format("pod={} q=0.99", pod));
  }
  std::set<std::string> rows;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    // The name is the first cell, up to the two spaces before LATEST.
    rows.insert(lines[i].substr(0, lines[i].find("  ")));
    EXPECT_TRUE(std::regex_search(lines[i], std::regex("[0-9] (µs|ms|s) ")))
        << "latencies scaled to a time unit: " << lines[i];
    EXPECT_TRUE(lines[i].find("█") != std::string::npos || lines[i].find("▁") != std::string::npos)
        << "a sparkline: " << lines[i];
  }
  EXPECT_EQ(lines.size() - 2, expected.size()) << result.out;
  EXPECT_EQ(rows, expected) << result.out;
}

TEST(QueryCommand, JsonIsTheApiAnswer) {
  Question question;
  CommandResult result = RunNfmetrics(question.Args("json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  HttpResponse direct = Get("127.0.0.1", ApiPort(), question.ApiTarget());
  ASSERT_EQ(direct.status, 200) << direct.body;
  std::string printed = result.out;
  ASSERT_FALSE(printed.empty());
  printed.pop_back();  // the newline the CLI adds after the body
  rapidjson::Document parsed;
  EXPECT_FALSE(parsed.Parse(printed.c_str()).HasParseError()) << printed.substr(0, 300);
  EXPECT_EQ(WithoutCache(printed), WithoutCache(direct.body));
}

TEST(QueryCommand, CsvHasOneRowPerSeriesAndPoint) {
  Question question;
  CommandResult result = RunNfmetrics(question.Args("csv"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json api = ApiGet(question.ApiTarget());
  ASSERT_EQ(api.status, 200) << api.body;
  const auto& series = api.doc["data"]["series"].GetArray();
  ASSERT_GT(series.Size(), 0u);
  std::size_t points = 0;
  std::size_t nulls = 0;
  for (const auto& s : series) {
    points += s["points"].Size();
    for (const auto& point : s["points"].GetArray()) nulls += point[1].IsNull() ? 1 : 0;
  }
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "series,quantile,timestamp,value");
  EXPECT_EQ(lines.size() - 1, points) << series.Size() << " series";
  std::size_t empty_values = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("pod=orders-mv-", 0), 0u) << lines[i];
    empty_values += lines[i].back() == ',' ? 1 : 0;
  }
  EXPECT_EQ(empty_values, nulls);
}

TEST(QueryCommand, AnApiErrorExitsOneWithTheCodeMessageAndParameter) {
  CommandResult result = RunNfmetrics({"query", "sink-latency", "--url", ApiUrl(), "--namespace",
                                       "default", "--mvtx", "orders", "--quantile", "1.5"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_EQ(result.err.rfind("nfmetrics query: bad_request: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("(parameter quantile)"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(QueryCommand, AnUnreachableUrlExitsOne) {
  const std::string url = fmt::format("http://127.0.0.1:{}", FreeLoopbackPort());
  CommandResult result = RunNfmetrics(
      {"query", "sink-latency", "--url", url, "--namespace", "default", "--mvtx", "orders"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("cannot reach nfmetrics at " + url), std::string::npos) << result.err;
}

TEST(QueryCommand, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"query", "sink-latency", "--url", ApiUrl(), "--mvtx", "orders"},  // no --namespace
      {"query", "sink-latency", "--url", ApiUrl(), "--namespace", "default", "--mvtx", "orders",
       "--output", "xml"},
      {"query", "sink-latency", "--url", ApiUrl(), "--namespace", "default", "--mvtx", "orders",
       "--since", "2h", "--start", "1795479255"},
      {"query", "sink-latency", "--url", ApiUrl(), "--namespace", "default"},  // no object
      {"query", "sink-latency", "--url", ApiUrl(), "--namespace", "default", "--mvtx", "orders",
       "--since", "soon"},
      {"query", "--url", ApiUrl(), "--namespace", "default", "--mvtx", "orders"},  // no METRIC
  };
  for (const auto& args : cases) {
    CommandResult result = RunNfmetrics(args);
    EXPECT_EQ(result.exit_code, 2) << fmt::format("{}", fmt::join(args, " ")) << "\n" << result.err;
    EXPECT_FALSE(result.err.empty());
  }
  CommandResult help = RunNfmetrics({"query", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--quantile"), std::string::npos) << help.out;
}

TEST(QueryCommand, AnUnknownMonoVertexIsNoSeriesAndExitsZero) {
  CommandResult result = RunNfmetrics({"query", "sink-latency", "--url", ApiUrl(), "--namespace",
                                       "default", "--mvtx", "no-such-mvtx"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\nno series\n"), std::string::npos) << result.out;
  EXPECT_NE(result.err.find("warning: no sink latency data"), std::string::npos) << result.err;
}

TEST(QueryCommand, SendsTheTokenToAServerWithAuthTokens) {
  const std::string secret = "query-test-secret-0c3f1e2d4b5a69788796a5b4c3d2e1f0";
  ScratchDir dir("nfmetrics-query-tokens");
  const auto tokens = dir.path() / "tokens.yaml";
  std::ofstream(tokens) << "tokens:\n  - name: query-cli\n    sha256: \""
                        << service::Sha256Hex(secret) << "\"\n    namespaces: [default]\n";
  const unsigned short port = FreeLoopbackPort();
  auto serve = StartServe(port, {"--auth-tokens", tokens.string()},
                          [&] { return Get("127.0.0.1", port, "/healthz").status == 200; });
  const std::vector<std::string> args = {
      "query",       "sink-latency", "--url",  fmt::format("http://127.0.0.1:{}", port),
      "--namespace", "default",      "--mvtx", "orders"};
  CommandResult without = RunNfmetrics(args);
  EXPECT_EQ(without.exit_code, 1) << without.out;
  EXPECT_EQ(without.err.rfind("nfmetrics query: unauthorized: ", 0), 0u) << without.err;

  std::vector<std::string> with_flag = args;
  with_flag.insert(with_flag.end(), {"--token", secret});
  CommandResult with = RunNfmetrics(with_flag);
  EXPECT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(with.err.find("unencrypted"), std::string::npos) << with.err;  // loopback
  EXPECT_NE(with.out.find("(all) q=0.95"), std::string::npos) << with.out;

  CommandResult from_env = RunNfmetrics(args, {"NFMETRICS_TOKEN=" + secret});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(serve->Stop(), 0) << serve->LogTail();
}

TEST(QueryCommand, WarnsWhenTheTokenWouldLeaveTheMachineUnencrypted) {
  // 192.0.2.1 (TEST-NET-1) answers nothing: the deadline, or an unreachable network, ends it.
  const auto started = std::chrono::steady_clock::now();
  CommandResult result =
      RunNfmetrics({"query", "sink-latency", "--url", "http://192.0.2.1:9", "--namespace",
                    "default", "--mvtx", "orders", "--token", "secret-0123", "--timeout", "300ms"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("nfmetrics query: warning: the token is sent unencrypted"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("secret-0123"), std::string::npos) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  // Without a token there is nothing to warn about.
  CommandResult anonymous =
      RunNfmetrics({"query", "sink-latency", "--url", "http://192.0.2.1:9", "--namespace",
                    "default", "--mvtx", "orders", "--timeout", "300ms"});
  EXPECT_EQ(anonymous.err.find("unencrypted"), std::string::npos) << anonymous.err;
}

TEST(QueryCommand, QueriesAnHttpsServerVerifiedWithTheCaFile) {
  ScratchDir dir("nfmetrics-query-tls");
  const TestPki pki = WriteTestPki(dir.path());
  const unsigned short port = FreeLoopbackPort();
  LoopbackCredentials tls{.tls = true, .ca_file = pki.ca_cert};
  auto serve = StartServe(
      port, {"--tls-cert", pki.server_cert.string(), "--tls-key", pki.server_key.string()}, [&] {
        auto answer = SecuredLoopbackGet(port, "/healthz", tls);
        return answer && answer->status == 200;
      });
  const std::string url = fmt::format("https://127.0.0.1:{}", port);
  const std::vector<std::string> args = {"query",       "sink-latency", "--url",  url,
                                         "--namespace", "default",      "--mvtx", "orders"};
  std::vector<std::string> with_ca = args;
  with_ca.insert(with_ca.end(), {"--ca-file", pki.ca_cert.string()});
  CommandResult verified = RunNfmetrics(with_ca);
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("(all) q=0.95"), std::string::npos) << verified.out;

  std::vector<std::string> wrong_ca = args;
  wrong_ca.insert(wrong_ca.end(), {"--ca-file", pki.other_ca_cert.string()});
  CommandResult refused = RunNfmetrics(wrong_ca);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("certificate verification failed"), std::string::npos) << refused.err;
  EXPECT_EQ(serve->Stop(), 0) << serve->LogTail();
}

TEST(QueryCommand, TakesTheUrlFromTheEnvironment) {
  CommandResult result = RunNfmetrics({"query", "sink-latency", "--namespace", "default", "--mvtx",
                                       "orders", "--since", "30m", "--output", "csv"},
                                      {"NFMETRICS_URL=" + ApiUrl()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GT(Lines(result.out).size(), 1u) << result.out;
}

}  // namespace
}  // namespace nfmetrics::testing
