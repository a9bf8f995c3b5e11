// prometheus::Client::LabelValues against the real backend: the request shape the fault tests pin
// is one that Prometheus and VictoriaMetrics both accept, and the values are the synthetic data's.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <set>
#include <string>
#include <vector>

#include "nfmetrics/prometheus/beast_client.hpp"
#include "support/run_to_end.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class LabelValues : public ::testing::Test {
 protected:
  // The query is a parameter, so it outlives the client's coroutine.
  Result<std::vector<std::string>> Ask(prometheus::LabelValuesQuery query) {
    auto client =
        prometheus::MakeBeastClient(io_.get_executor(), {.transport = {.base_url = BackendUrl()}});
    EXPECT_TRUE(client.ok());
    return RunToEnd(io_, (*client)->LabelValues(query));
  }

  // The whole synthetic history.
  static prometheus::LabelValuesQuery Over(std::string label, std::vector<std::string> matchers) {
    const TimePoint end{std::chrono::seconds(DataEnd())};
    return {std::move(label), std::move(matchers), end - std::chrono::hours(3), end};
  }

  static std::string SinkSeries(const synth::MonoVertexModel& m) {
    return fmt::format(R"(monovtx_sink_time_count{{namespace="{}",mvtx_name="{}"}})", m.ns, m.name);
  }

  asio::io_context io_;
};

std::vector<std::string> PodNames(const synth::MonoVertexModel& m) {
  std::set<std::string> pods;
  for (const auto& pod : m.pods) pods.insert(pod.name);
  return {pods.begin(), pods.end()};
}

TEST_F(LabelValues, PodsOfOneMonoVertexAreExactlyItsPods) {
  for (const synth::MonoVertexModel& m : SynthWorld().mono_vertices) {
    SCOPED_TRACE(m.ns + "/" + m.name);
    auto pods = Ask(Over("pod", {SinkSeries(m)}));
    ASSERT_TRUE(pods.ok()) << pods.error().message;
    EXPECT_EQ(*pods, PodNames(m));
  }
}

TEST_F(LabelValues, SeveralMatchersGiveTheUnionSorted) {
  const auto& models = SynthWorld().mono_vertices;
  ASSERT_GE(models.size(), 2u);
  auto pods = Ask(Over("pod", {SinkSeries(models[0]), SinkSeries(models[1])}));
  ASSERT_TRUE(pods.ok()) << pods.error().message;
  std::set<std::string> expected;
  for (const auto& m : {models[0], models[1]}) {
    for (const auto& pod : m.pods) expected.insert(pod.name);
  }
  EXPECT_EQ(*pods, std::vector<std::string>(expected.begin(), expected.end()));
}

TEST_F(LabelValues, WithoutMatchersEveryMonoVertexNameIsListedOnce) {
  auto names = Ask(Over("mvtx_name", {}));
  ASSERT_TRUE(names.ok()) << names.error().message;
  std::set<std::string> expected;
  for (const auto& m : SynthWorld().mono_vertices) expected.insert(m.name);
  EXPECT_EQ(*names, std::vector<std::string>(expected.begin(), expected.end()));
}

TEST_F(LabelValues, AMatcherThatSelectsNothingGivesNoValues) {
  auto pods = Ask(Over("pod", {R"(monovtx_sink_time_count{mvtx_name="no-such-mvtx"})"}));
  ASSERT_TRUE(pods.ok()) << pods.error().message;
  EXPECT_THAT(*pods, IsEmpty());
}

// Both engines reject the selector; their texts differ (Prometheus: "parse error: unexpected end
// of input inside braces", VictoriaMetrics: "cannot parse matches[]=..."), the code does not.
TEST_F(LabelValues, AnInvalidMatcherIsTheBackendsErrorAsUpstreamError) {
  auto pods = Ask(Over("pod", {"monovtx_sink_time_count{"}));
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.error().code, ErrorCode::kUpstreamError);
  EXPECT_THAT(pods.error().message, HasSubstr("Prometheus error ("));
}

}  // namespace
}  // namespace nfmetrics::testing
