// The sink-latency API end to end against a real backend (Prometheus or VictoriaMetrics, see
// world.hpp) holding the synthetic data: the API's numbers must be the backend's own numbers,
// filters must select exactly what was asked, and the quantiles must land where the generator's
// distributions put them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "api_checks.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using synth::MonoVertexModel;

Json Api(const std::string& query) { return ApiGet("/api/v1/metrics/sink-latency?" + query); }

// A window well inside the backfilled data, with room for the 5m rate window before it.
std::string Range() {
  return fmt::format("start={}&end={}&step=1m", world->data_end - 3600 * 2, world->data_end - 600);
}

const MonoVertexModel& FirstModel() { return SynthWorld().mono_vertices.front(); }

std::map<std::string, const rapidjson::Value*> SeriesByPod(const rapidjson::Value& data) {
  std::map<std::string, const rapidjson::Value*> out;
  for (const auto& series : data["series"].GetArray()) {
    const auto& labels = series["labels"];
    std::string pod = labels.HasMember("pod") ? labels["pod"].GetString() : "";
    out[pod] = &series;
  }
  return out;
}

std::set<std::string> PodNames(const MonoVertexModel& m) {
  std::set<std::string> pods;
  for (const auto& pod : m.pods) pods.insert(pod.name);
  return pods;
}

std::set<std::string> PodsIn(const Json& answer) {
  std::set<std::string> pods;
  for (const auto& series : answer.doc["data"]["series"].GetArray())
    pods.insert(series["labels"]["pod"].GetString());
  return pods;
}

std::string Select(const MonoVertexModel& m) { return "namespace=" + m.ns + "&mvtx=" + m.name; }

TEST(SinkLatencyApi, AggregateEqualsTheBackendsOwnAnswer) {
  Json answer = Api(Select(FirstModel()) + "&" + Range());
  ExpectEveryQueryMatchesTheBackend(answer);
  const auto& data = answer.doc["data"];
  ASSERT_EQ(data["series"].Size(), 1u);
  EXPECT_EQ(data["series"][0]["labels"].MemberCount(), 0u);
  EXPECT_EQ(data["group_by"].Size(), 0u);
  EXPECT_EQ(
      std::string(data["query"].GetString()).rfind("histogram_quantile(0.95, sum by(le) (rate(", 0),
      0u);
}

TEST(SinkLatencyApi, AggregateEqualsThePinnedQueryInMicrosecondsDividedByAMillion) {
  const MonoVertexModel& m = FirstModel();
  Json answer = Api(Select(m) + "&" + Range());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& range = answer.doc["data"]["range"];
  std::string pinned = fmt::format(
      "histogram_quantile(0.95, sum by (le) "
      "(rate(monovtx_sink_time_bucket{{namespace=\"{}\",mvtx_name=\"{}\"}}[5m])))",
      m.ns, m.name);
  Json direct =
      BackendQuery(pinned, range["start_unix"].GetDouble(), range["end_unix"].GetDouble(), 60);
  ASSERT_EQ(direct.doc["data"]["result"].Size(), 1u);
  const auto& values = direct.doc["data"]["result"][0]["values"];
  const auto& points = answer.doc["data"]["series"][0]["points"];
  ASSERT_EQ(points.Size(), values.Size());
  for (rapidjson::SizeType i = 0; i < values.Size(); ++i) {
    double micros = std::strtod(values[i][1].GetString(), nullptr);
    ASSERT_TRUE(points[i][1].IsNumber());
    EXPECT_NEAR(points[i][1].GetDouble(), micros / 1e6, 1e-12 * std::abs(micros));
  }
}

TEST(SinkLatencyApi, PerPodEqualsTheBackendAndListsEveryPodButNotTheDaemon) {
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    SCOPED_TRACE(m.ns + "/" + m.name);
    Json answer = Api(Select(m) + "&group_by=pod&" + Range());
    ExpectEveryQueryMatchesTheBackend(answer);
    EXPECT_EQ(PodsIn(answer), PodNames(m));
    EXPECT_EQ(PodsIn(answer).count(m.daemon_pod), 0u);
  }
}

TEST(SinkLatencyApi, SinglePodFilterReturnsExactlyThatPod) {
  const MonoVertexModel& m = FirstModel();
  const std::string& pod = m.pods[1].name;
  Json answer = Api(Select(m) + "&group_by=pod&pod=" + pod + "&" + Range());
  ExpectEveryQueryMatchesTheBackend(answer);
  EXPECT_EQ(PodsIn(answer), std::set<std::string>{pod});
  EXPECT_NE(std::string(answer.doc["data"]["query"].GetString()).find(",pod=\"" + pod + "\"}"),
            std::string::npos);
}

TEST(SinkLatencyApi, SeveralPodsReturnExactlyThosePods) {
  const MonoVertexModel& m = FirstModel();
  ASSERT_GE(m.pods.size(), 3u);
  std::set<std::string> wanted = {m.pods[0].name, m.pods[2].name};
  Json answer = Api(Select(m) + "&group_by=pod&pod=" + m.pods[0].name + "&pod=" + m.pods[2].name +
                    "&" + Range());
  ExpectEveryQueryMatchesTheBackend(answer);
  EXPECT_EQ(PodsIn(answer), wanted);

  // Comma-separated is the same request.
  Json comma =
      Api(Select(m) + "&group_by=pod&pod=" + m.pods[2].name + "," + m.pods[0].name + "&" + Range());
  EXPECT_EQ(WithoutCache(comma.body), WithoutCache(answer.body));
}

TEST(SinkLatencyApi, AggregateOverAPodFilterEqualsTheBackend) {
  const MonoVertexModel& m = FirstModel();
  Json answer = Api(Select(m) + "&pod=" + m.pods[0].name + "," + m.pods[1].name + "&" + Range());
  ExpectEveryQueryMatchesTheBackend(answer);
  ASSERT_EQ(answer.doc["data"]["series"].Size(), 1u);
}

TEST(SinkLatencyApi, AnotherNamespaceOrAPrefixNamedMonoVertexNeverLeaksIn) {
  std::map<std::string, std::set<std::string>> namespaces_by_name;
  for (const MonoVertexModel& m : SynthWorld().mono_vertices)
    namespaces_by_name[m.name].insert(m.ns);
  bool saw_shared_name = false;
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    saw_shared_name |= namespaces_by_name[m.name].size() > 1;
    Json answer = Api(Select(m) + "&group_by=pod&" + Range());
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(PodsIn(answer), PodNames(m)) << m.ns << "/" << m.name;
  }
  EXPECT_TRUE(saw_shared_name) << "the model should have one MonoVertex name in two namespaces";
}

TEST(SinkLatencyApi, PodOfAnotherMonoVertexGivesNoSeries) {
  const auto& models = SynthWorld().mono_vertices;
  ASSERT_GE(models.size(), 2u);
  Json answer =
      Api(Select(models[0]) + "&group_by=pod&pod=" + models[1].pods[0].name + "&" + Range());
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.doc["data"]["series"].Size(), 0u);
  EXPECT_GE(answer.doc["warnings"].Size(), 1u);
}

TEST(SinkLatencyApi, QuantilesLandInTheGeneratorsBucket) {
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    for (double q : synth::kCheckedQuantiles) {
      SCOPED_TRACE(fmt::format("{}/{} q={}", m.ns, m.name, q));
      Json answer =
          Api(Select(m) + "&group_by=pod&quantile=" + fmt::format("{}", q) + "&" + Range());
      ASSERT_EQ(answer.status, 200) << answer.body;
      auto by_pod = SeriesByPod(answer.doc["data"]);
      const std::int64_t window = WindowSeconds(answer);
      for (const auto& pod : m.pods) {
        ASSERT_TRUE(by_pod.count(pod.name)) << pod.name;
        std::size_t checked = 0;
        for (const auto& point : (*by_pod[pod.name])["points"].GetArray()) {
          ASSERT_TRUE(point[1].IsNumber()) << pod.name;
          auto [lower, upper] =
              PointBucket(pod, synth::Histogram::kMonovtxSink, q, point[0].GetInt64(), window);
          double micros = point[1].GetDouble() * 1e6;
          EXPECT_GT(micros, lower * (1 - 1e-9)) << pod.name;
          EXPECT_LE(micros, upper * (1 + 1e-9)) << pod.name;
          ++checked;
        }
        EXPECT_GT(checked, 100u);
      }
      // And the MonoVertex as a whole: the rate-weighted mixture of its pods.
      Json aggregate = Api(Select(m) + "&quantile=" + fmt::format("{}", q) + "&" + Range());
      ASSERT_EQ(aggregate.doc["data"]["series"].Size(), 1u);
      for (const auto& point : aggregate.doc["data"]["series"][0]["points"].GetArray()) {
        ASSERT_TRUE(point[1].IsNumber());
        auto [lower, upper] =
            PointBucket(m, synth::Histogram::kMonovtxSink, q, point[0].GetInt64(), window);
        double micros = point[1].GetDouble() * 1e6;
        EXPECT_GT(micros, lower * (1 - 1e-9));
        EXPECT_LE(micros, upper * (1 + 1e-9));
      }
    }
  }
}

TEST(SinkLatencyApi, UnknownMonoVertexIsAnEmptySuccessWithAWarning) {
  Json answer = Api("namespace=" + FirstModel().ns + "&mvtx=no-such-mvtx&" + Range());
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.doc["data"]["series"].Size(), 0u);
  ASSERT_EQ(answer.doc["warnings"].Size(), 1u);
  EXPECT_NE(std::string(answer.doc["warnings"][0].GetString()).find("no-such-mvtx"),
            std::string::npos);
}

TEST(SinkLatencyApi, RangeIsAlignedToStepAndReported) {
  std::int64_t start = world->data_end - 3600 - 17;
  std::int64_t end = world->data_end - 600 - 29;
  Json answer = Api(Select(FirstModel()) + fmt::format("&start={}&end={}&step=1m", start, end));
  ASSERT_EQ(answer.status, 200);
  const auto& range = answer.doc["data"]["range"];
  EXPECT_EQ(range["start_unix"].GetInt64(), start - start % 60);
  EXPECT_EQ(range["end_unix"].GetInt64(), end - end % 60);
  const auto& points = answer.doc["data"]["series"][0]["points"];
  EXPECT_EQ(points[0][0].GetInt64(), start - start % 60);
  EXPECT_EQ(points[points.Size() - 1][0].GetInt64(), end - end % 60);
}

TEST(SinkLatencyApi, DefaultRangeIsTheLastHourAtFifteenSeconds) {
  Json answer = Api(Select(FirstModel()));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& range = answer.doc["data"]["range"];
  EXPECT_STREQ(range["step"].GetString(), "15s");
  EXPECT_STREQ(range["window"].GetString(), "5m");
  EXPECT_NEAR(range["end_unix"].GetDouble() - range["start_unix"].GetDouble(), 3600, 15);
}

TEST(SinkLatencyApi, ReadyzIsOkWhileTheBackendAnswers) {
  HttpResponse ready = Get("127.0.0.1", world->api->port(), "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

TEST(SinkLatencyApi, TwoHundredSimultaneousRequestsAreAllAnsweredCorrectly) {
  // Expected answers, asked one at a time.
  const auto& models = SynthWorld().mono_vertices;
  std::vector<std::string> queries;
  for (const MonoVertexModel& m : models) {
    queries.push_back(Select(m) + "&group_by=pod&" + Range());
    queries.push_back(Select(m) + "&quantile=0.5&" + Range());
  }
  std::vector<std::string> expected;
  for (const auto& q : queries) {
    Json answer = Api(q);
    ASSERT_EQ(answer.status, 200);
    expected.push_back(answer.body);
  }
  constexpr int kRequests = 200;
  std::vector<std::string> bodies(kRequests);
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kRequests) std::this_thread::yield();  // start together
      try {
        HttpResponse response =
            HttpRequest("127.0.0.1", world->api->port(), "GET",
                        "/api/v1/metrics/sink-latency?" + queries[i % queries.size()], "", {},
                        std::chrono::seconds(60));
        statuses[i] = response.status;
        bodies[i] = std::move(response.body);
      } catch (const std::exception& e) {
        bodies[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(statuses[i], 200) << i << ": " << bodies[i].substr(0, 300);
    EXPECT_EQ(bodies[i], expected[i % queries.size()]) << i;
  }
}

}  // namespace
}  // namespace nfmetrics::testing
