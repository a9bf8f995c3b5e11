// Every catalog metric, the discovery lists and NumaFlow's drop-in API against the real backend:
// the API's numbers are the backend's own answer to the PromQL it reports, every latency quantile
// lands in the bucket the generator puts it in, and the lists hold exactly the synthetic objects.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "api_checks.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using synth::Histogram;
using synth::MonoVertexModel;
using synth::PipelineModel;
using synth::VertexModel;

// Two hours well inside the backfilled data, aligned to the minute.
std::string Range() {
  return fmt::format("start={}&end={}&step=1m", DataEnd() - 7200, DataEnd() - 600);
}

std::string ApiName(Histogram histogram, service::ObjectKind kind) {
  const service::MetricSpec* spec =
      service::DefaultCatalog().Find(fmt::format("{}_bucket", synth::MetricName(histogram)), kind);
  EXPECT_NE(spec, nullptr) << synth::MetricName(histogram);
  return spec == nullptr ? "" : spec->api_name;
}

// Every point of the pod's series for quantile q lies in the generator's bucket for its window.
template <class Model>
void ExpectInBucket(const Json& answer, const rapidjson::Value& series, const Model& model,
                    Histogram histogram, double q) {
  const std::int64_t window = WindowSeconds(answer);
  std::size_t checked = 0;
  for (const auto& point : series["points"].GetArray()) {
    ASSERT_TRUE(point[1].IsNumber());
    auto [lower, upper] = PointBucket(model, histogram, q, point[0].GetInt64(), window);
    double micros = point[1].GetDouble() * 1e6;
    EXPECT_GT(micros, lower * (1 - 1e-9));
    EXPECT_LE(micros, upper * (1 + 1e-9));
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

const rapidjson::Value* FindSeries(const Json& answer, std::string_view pod, double quantile) {
  for (const auto& series : answer.doc["data"]["series"].GetArray()) {
    const auto& labels = series["labels"];
    std::string_view label = labels.HasMember("pod") ? labels["pod"].GetString() : "";
    if (label == pod && series["quantile"].GetDouble() == quantile) return &series;
  }
  return nullptr;
}

TEST(CatalogApi, EveryMonoVertexLatencyEqualsTheBackendAndLandsInTheGeneratorsBucket) {
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    for (Histogram histogram : synth::kMonoVertexHistograms) {
      if (!synth::HasHistogram(m, histogram)) continue;
      std::string name = ApiName(histogram, service::ObjectKind::kMonoVertex);
      SCOPED_TRACE(fmt::format("{}/{} {}", m.ns, m.name, name));
      Json answer =
          ApiGet(fmt::format("/api/v1/metrics/{}?namespace={}&mvtx={}&group_by=pod&quantile=0.5,"
                             "0.99&{}",
                             name, m.ns, m.name, Range()));
      ExpectEveryQueryMatchesTheBackend(answer);
      ASSERT_EQ(answer.status, 200);
      EXPECT_STREQ(answer.doc["data"]["unit"].GetString(), "seconds");
      for (const auto& pod : m.pods) {
        if (!synth::HasHistogram(pod, histogram)) continue;
        for (double q : {0.5, 0.99}) {
          const rapidjson::Value* series = FindSeries(answer, pod.name, q);
          ASSERT_NE(series, nullptr) << pod.name << " q=" << q;
          ExpectInBucket(answer, *series, pod, histogram, q);
        }
      }
    }
  }
}

TEST(CatalogApi, EveryPipelineVertexLatencyEqualsTheBackendAndLandsInTheGeneratorsBucket) {
  for (const PipelineModel& pipeline : SynthWorld().pipelines) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (Histogram histogram : synth::kVertexHistograms) {
        if (!synth::HasHistogram(vertex, histogram)) continue;
        std::string name = ApiName(histogram, service::ObjectKind::kVertex);
        SCOPED_TRACE(fmt::format("{}/{}/{} {}", pipeline.ns, pipeline.name, vertex.name, name));
        // The NumaFlow-style path for a vertex.
        Json answer =
            ApiGet(fmt::format("/api/v1/namespaces/{}/pipelines/{}/vertices/{}/metrics/"
                               "{}?quantile=0.9&group_by=pod&{}",
                               pipeline.ns, pipeline.name, vertex.name, name, Range()));
        ExpectEveryQueryMatchesTheBackend(answer);
        ASSERT_EQ(answer.status, 200);
        for (const auto& pod : vertex.pods) {
          const rapidjson::Value* series = FindSeries(answer, pod.name, 0.9);
          ASSERT_NE(series, nullptr) << pod.name;
          ExpectInBucket(answer, *series, pod, histogram, 0.9);
        }
        // The vertex as a whole.
        Json aggregate = ApiGet(
            fmt::format("/api/v1/metrics/{}?namespace={}&pipeline={}&vertex={}&quantile=0.9&{}",
                        name, pipeline.ns, pipeline.name, vertex.name, Range()));
        ExpectEveryQueryMatchesTheBackend(aggregate);
        ASSERT_EQ(aggregate.doc["data"]["series"].Size(), 1u);
        ExpectInBucket(aggregate, aggregate.doc["data"]["series"][0], vertex, histogram, 0.9);
      }
    }
  }
  // The Sink vertex's sink latency is forwarder_write_processing_time.
  Json sink = ApiGet(fmt::format(
      "/api/v1/metrics/sink-latency?namespace=default&pipeline=shop&vertex=out&{}", Range()));
  ASSERT_EQ(sink.status, 200) << sink.body.substr(0, 500);
  EXPECT_STREQ(sink.doc["data"]["metric_name"].GetString(),
               "forwarder_write_processing_time_bucket");
}

TEST(CatalogApi, ThroughputAndPendingEqualTheBackend) {
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  for (const char* metric : {"read-throughput", "pending"}) {
    SCOPED_TRACE(metric);
    Json aggregate = ApiGet(
        fmt::format("/api/v1/metrics/{}?namespace={}&mvtx={}&{}", metric, m.ns, m.name, Range()));
    ExpectEveryQueryMatchesTheBackend(aggregate);
    Json per_pod =
        ApiGet(fmt::format("/api/v1/metrics/{}?namespace={}&mvtx={}&group_by=mono-vertex&{}",
                           metric, m.ns, m.name, Range()));
    ExpectEveryQueryMatchesTheBackend(per_pod);
    for (const auto& series : per_pod.doc["data"]["series"].GetArray()) {
      EXPECT_STREQ(series["labels"]["mvtx_name"].GetString(), m.name.c_str());
    }
  }
  Json by_pod =
      ApiGet(fmt::format("/api/v1/metrics/read-throughput?namespace={}&mvtx={}&"
                         "group_by=pod&{}",
                         m.ns, m.name, Range()));
  ExpectEveryQueryMatchesTheBackend(by_pod);
  EXPECT_EQ(by_pod.doc["data"]["series"].Size(), m.pods.size());
  // One period of the daemon's pending gauge.
  Json period = ApiGet(fmt::format("/api/v1/metrics/pending?namespace={}&mvtx={}&period=5m&{}",
                                   m.ns, m.name, Range()));
  ExpectEveryQueryMatchesTheBackend(period);
  ASSERT_EQ(period.doc["data"]["series"].Size(), 1u);
  EXPECT_STREQ(period.doc["data"]["series"][0]["labels"]["period"].GetString(), "5m");

  const PipelineModel& pipeline = SynthWorld().pipelines.front();
  for (const char* metric : {"read-throughput", "pending"}) {
    Json vertex =
        ApiGet(fmt::format("/api/v1/metrics/{}?namespace={}&pipeline={}&vertex={}&{}", metric,
                           pipeline.ns, pipeline.name, pipeline.vertices.back().name, Range()));
    ExpectEveryQueryMatchesTheBackend(vertex);
  }
}

TEST(CatalogApi, NumaFlowStylePathAnswersExactlyLikeTheQueryParameters) {
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  std::string query = fmt::format("quantile=0.9&group_by=pod&{}", Range());
  HttpResponse by_params =
      Get("127.0.0.1", ApiPort(),
          fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&{}", m.ns, m.name, query));
  HttpResponse by_path =
      Get("127.0.0.1", ApiPort(),
          fmt::format("/api/v1/namespaces/{}/mono-vertices/{}/metrics/sink-latency?{}", m.ns,
                      m.name, query));
  EXPECT_EQ(by_params.status, 200);
  EXPECT_EQ(WithoutCache(by_path.body), WithoutCache(by_params.body));
}

TEST(CatalogApi, SummaryFindsTheDeliberatelySlowPod) {
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    const synth::PodModel* slow = synth::SlowPod(m);
    if (slow == nullptr) continue;
    for (const char* metric : {"sink-latency", "processing-latency"}) {
      SCOPED_TRACE(fmt::format("{}/{} {}", m.ns, m.name, metric));
      Json answer = ApiGet(fmt::format(
          "/api/v1/metrics/{}?namespace={}&mvtx={}&group_by=pod&summary=true&quantile=0.5,0.95&{}",
          metric, m.ns, m.name, Range()));
      ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
      std::size_t outliers = 0;
      for (const auto& series : answer.doc["data"]["series"].GetArray()) {
        std::string pod = series["labels"]["pod"].GetString();
        const auto& summary = series["summary"];
        EXPECT_EQ(summary["outlier"].GetBool(), pod == slow->name) << pod;
        outliers += summary["outlier"].GetBool() ? 1 : 0;
        // The summary is the series' own numbers.
        double min = INFINITY, max = -INFINITY, sum = 0, last = NAN;
        std::size_t n = 0;
        for (const auto& point : series["points"].GetArray()) {
          if (point[1].IsNull()) continue;
          double v = point[1].GetDouble();
          min = std::min(min, v);
          max = std::max(max, v);
          sum += v;
          last = v;
          ++n;
        }
        ASSERT_GT(n, 0u);
        EXPECT_DOUBLE_EQ(summary["min"].GetDouble(), min);
        EXPECT_DOUBLE_EQ(summary["max"].GetDouble(), max);
        EXPECT_DOUBLE_EQ(summary["last"].GetDouble(), last);
        EXPECT_NEAR(summary["mean"].GetDouble(), sum / static_cast<double>(n), 1e-12 * max);
      }
      EXPECT_EQ(outliers, 2u) << "one slow pod per quantile";
    }
  }
}

TEST(CatalogApi, PointsWithoutDataAreNullOnEveryStepOnEitherBackend) {
  // Half an hour before the history starts: Prometheus has no points there and VictoriaMetrics
  // neither; the API answers one point per step anyway, null until data exists.
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  std::int64_t data_start = DataEnd() - 3 * 3600;
  std::int64_t start = data_start - 1800;
  std::int64_t end = data_start + 1800;
  Json answer = ApiGet(
      fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&start={}&end={}&"
                  "step=1m",
                  m.ns, m.name, start, end));
  ExpectEveryQueryMatchesTheBackend(answer);
  ASSERT_EQ(answer.doc["data"]["series"].Size(), m.pods.size());
  for (const auto& series : answer.doc["data"]["series"].GetArray()) {
    const auto& points = series["points"];
    ASSERT_EQ(points.Size(), 61u);
    for (rapidjson::SizeType i = 0; i <= 30; ++i) {
      EXPECT_TRUE(points[i][1].IsNull()) << "point " << i << " is before the data";
    }
    EXPECT_TRUE(points[60][1].IsNumber());
  }
}

TEST(ResultsCache, AnswersAreIdenticalWithTheCacheOnAndOff) {
  // The shared API caches; this one asks the backend every time.
  InProcessApi uncached(BackendUrl(), std::chrono::seconds(10), nullptr, 0);
  const MonoVertexModel& m = SynthWorld().mono_vertices.back();
  std::int64_t end = DataEnd() - 600;
  std::vector<std::string> targets = {
      fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&quantile=0.5,"
                  "0.99&start={}&end={}&step=1m",
                  m.ns, m.name, end - 7200, end),
      // The same window slid forward: a partial hit.
      fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&quantile=0.5,"
                  "0.99&start={}&end={}&step=1m",
                  m.ns, m.name, end - 6600, end + 300),
      fmt::format(
          "/api/v1/metrics/read-throughput?namespace={}&mvtx={}&group_by=pod&start={}&end={}", m.ns,
          m.name, end - 3600, end),
      fmt::format("/api/v1/namespaces/default/pipelines/shop/vertices/out/metrics/"
                  "processing-latency?summary=true&start={}&end={}&step=30s",
                  end - 3600, end),
  };
  std::vector<std::string> seen;
  for (const std::string& target : targets) {
    for (int round = 0; round < 2; ++round) {
      HttpResponse cached = Get("127.0.0.1", ApiPort(), target);
      HttpResponse direct = Get("127.0.0.1", uncached.port(), target);
      ASSERT_EQ(cached.status, 200) << cached.body.substr(0, 300);
      EXPECT_EQ(direct.Header("x-cache"), "bypass");
      EXPECT_EQ(WithoutCache(cached.body), WithoutCache(direct.body)) << target;
      seen.push_back(cached.Header("x-cache"));
    }
  }
  EXPECT_EQ(seen[1], "hit");
  EXPECT_EQ(seen[2], "partial");
}

std::vector<std::string> Strings(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const auto& value : array.GetArray()) out.emplace_back(value.GetString());
  return out;
}

TEST(DiscoveryApi, ListsWhatTheBackendHasSeen) {
  std::string range = fmt::format("start={}&end={}", DataEnd() - 7200, DataEnd() - 600);
  for (const char* ns : {"default", "payments"}) {
    std::set<std::string> want;
    for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
      if (m.ns == ns) want.insert(m.name);
    }
    Json answer = ApiGet(fmt::format("/api/v1/namespaces/{}/mono-vertices?{}", ns, range));
    ASSERT_EQ(answer.status, 200) << answer.body;
    auto got = Strings(answer.doc["data"]["mono_vertices"]);
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want) << ns;
  }
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    Json answer =
        ApiGet(fmt::format("/api/v1/namespaces/{}/mono-vertices/{}/pods?{}", m.ns, m.name, range));
    ASSERT_EQ(answer.status, 200) << answer.body;
    std::set<std::string> want;
    for (const auto& pod : m.pods) want.insert(pod.name);
    auto got = Strings(answer.doc["data"]["pods"]);
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want) << m.ns << "/" << m.name;
  }
  const PipelineModel& pipeline = SynthWorld().pipelines.front();
  Json pipelines = ApiGet(fmt::format("/api/v1/namespaces/{}/pipelines?{}", pipeline.ns, range));
  ASSERT_EQ(pipelines.status, 200) << pipelines.body;
  EXPECT_EQ(Strings(pipelines.doc["data"]["pipelines"]), std::vector<std::string>{pipeline.name});
  Json vertices = ApiGet(fmt::format("/api/v1/namespaces/{}/pipelines/{}/vertices?{}", pipeline.ns,
                                     pipeline.name, range));
  ASSERT_EQ(vertices.status, 200) << vertices.body;
  std::set<std::string> want_vertices;
  for (const VertexModel& vertex : pipeline.vertices) {
    want_vertices.insert(vertex.name);
    Json pods = ApiGet(fmt::format("/api/v1/namespaces/{}/pipelines/{}/vertices/{}/pods?{}",
                                   pipeline.ns, pipeline.name, vertex.name, range));
    ASSERT_EQ(pods.status, 200) << pods.body;
    std::set<std::string> want_pods;
    for (const auto& pod : vertex.pods) want_pods.insert(pod.name);
    auto got = Strings(pods.doc["data"]["pods"]);
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want_pods) << vertex.name;
  }
  auto got = Strings(vertices.doc["data"]["vertices"]);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want_vertices);
  // A namespace with nothing in it is an empty list, not an error.
  Json empty = ApiGet(fmt::format("/api/v1/namespaces/nothing-here/mono-vertices?{}", range));
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.doc["data"]["mono_vertices"].Size(), 0u);
}

TEST(DiscoveryApi, ListsEveryNamespaceWithMonoVerticesOrPipelines) {
  std::set<std::string> namespaces;
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) namespaces.insert(m.ns);
  for (const PipelineModel& pipeline : SynthWorld().pipelines) namespaces.insert(pipeline.ns);
  const std::vector<std::string> want(namespaces.begin(), namespaces.end());  // sorted
  ASSERT_GE(want.size(), 2u) << "the synthetic data should span several namespaces";

  Json answer =
      ApiGet(fmt::format("/api/v1/namespaces?start={}&end={}", DataEnd() - 7200, DataEnd() - 600));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(Strings(answer.doc["data"]["namespaces"]), want);
  // Every namespace listed has something in the lists below it.
  for (const std::string& ns : want) {
    Json mono = ApiGet(fmt::format("/api/v1/namespaces/{}/mono-vertices?start={}&end={}", ns,
                                   DataEnd() - 7200, DataEnd() - 600));
    Json pipelines = ApiGet(fmt::format("/api/v1/namespaces/{}/pipelines?start={}&end={}", ns,
                                        DataEnd() - 7200, DataEnd() - 600));
    ASSERT_EQ(mono.status, 200) << mono.body;
    ASSERT_EQ(pipelines.status, 200) << pipelines.body;
    EXPECT_GT(mono.doc["data"]["mono_vertices"].Size() + pipelines.doc["data"]["pipelines"].Size(),
              0u)
        << ns;
  }
  // Long before the data there is nothing: an empty list, not an error.
  Json before = ApiGet(fmt::format("/api/v1/namespaces?start={}&end={}", DataEnd() - 30 * 86400,
                                   DataEnd() - 29 * 86400));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.doc["data"]["namespaces"].Size(), 0u) << before.body;
}

Json Proxy(const std::string& body) {
  return ParseAnswer(HttpRequest("127.0.0.1", ApiPort(), "POST", "/api/v1/metrics-proxy", body,
                                 {{"content-type", "application/json"}}));
}

std::string Rfc3339(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The drop-in's data is the backend's own matrix for NumaFlow's query, value text included.
void ExpectProxyEqualsBackend(const std::string& body, const std::string& promql,
                              std::int64_t start, std::int64_t end) {
  Json answer = Proxy(body);
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  Json direct = BackendQuery(promql, static_cast<double>(start), static_cast<double>(end), 60);
  ASSERT_EQ(direct.status, 200) << direct.body.substr(0, 500);
  const auto& want = direct.doc["data"]["result"];
  const auto& got = answer.doc["data"];
  ASSERT_TRUE(got.IsArray());
  ASSERT_EQ(got.Size(), want.Size());
  ASSERT_GT(got.Size(), 0u);
  std::map<std::string, const rapidjson::Value*> by_labels;
  for (const auto& series : got.GetArray()) by_labels[LabelsKey(series["metric"])] = &series;
  for (const auto& series : want.GetArray()) {
    std::string key = LabelsKey(series["metric"]);
    ASSERT_TRUE(by_labels.count(key)) << key;
    const auto& values = (*by_labels[key])["values"];
    ASSERT_EQ(values.Size(), series["values"].Size()) << key;
    for (rapidjson::SizeType i = 0; i < values.Size(); ++i) {
      EXPECT_EQ(values[i][0].GetDouble(), series["values"][i][0].GetDouble());
      EXPECT_DOUBLE_EQ(std::strtod(values[i][1].GetString(), nullptr),
                       std::strtod(series["values"][i][1].GetString(), nullptr))
          << key << " point " << i;
    }
  }
}

TEST(NumaflowDropIn, MetricsProxyAnswersWithTheBackendsMatrixForNumaFlowsQuery) {
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  std::int64_t end = DataEnd() - 600;
  std::int64_t start = end - 3600;
  std::string body = fmt::format(
      R"({{"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",
          "dimension":"pod","quantile":"0.99","duration":"5m",
          "filters":{{"namespace":"{}","mvtx_name":"{}"}},
          "start_time":"{}","end_time":"{}"}})",
      m.ns, m.name, Rfc3339(start), Rfc3339(end));
  ExpectProxyEqualsBackend(
      body,
      fmt::format("histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_sink_time_bucket{{"
                  "namespace=\"{}\",mvtx_name=\"{}\"}}[5m])))",
                  m.ns, m.name),
      start, end);

  // The UI's pod selection for CPU-style patterns: ".*" stays a wildcard, the rest is escaped.
  std::string wildcard = fmt::format(
      R"({{"pattern_name":"mono_vertex_throughput","metric_name":"monovtx_read_total",
          "dimension":"pod","duration":"5m",
          "filters":{{"namespace":"{}","mvtx_name":"{}","pod":"{}-mv-.*"}},
          "start_time":"{}","end_time":"{}"}})",
      m.ns, m.name, m.name, Rfc3339(start), Rfc3339(end));
  ExpectProxyEqualsBackend(
      wildcard,
      fmt::format("sum(rate(monovtx_read_total{{namespace=\"{}\",mvtx_name=\"{}\",pod=~\"{}-mv-"
                  ".*\"}}[5m])) by (pod)",
                  m.ns, m.name, m.name),
      start, end);
}

// An object name must be a Kubernetes name on every endpoint: metrics-proxy refuses the injection
// attempt, naming the filter, as GET /api/v1/metrics refuses it naming `mvtx`.
TEST(NumaflowDropIn, AnInjectionAttemptInAnObjectNameIsRefusedNamingTheFilter) {
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  std::int64_t end = DataEnd() - 600;
  std::string body = fmt::format(
      R"({{"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",
          "dimension":"mono-vertex","quantile":"0.5","duration":"5m",
          "filters":{{"namespace":"{}","mvtx_name":"{}\"}} or vector(1) #"}},
          "start_time":"{}","end_time":"{}"}})",
      m.ns, m.name, Rfc3339(end - 3600), Rfc3339(end));
  Json answer = Proxy(body);
  ASSERT_EQ(answer.status, 400) << answer.body.substr(0, 500);
  EXPECT_TRUE(answer.doc["data"].IsNull()) << answer.body.substr(0, 500);
  EXPECT_NE(std::string(answer.doc["errMsg"].GetString()).find("filters.mvtx_name"),
            std::string::npos)
      << answer.body.substr(0, 500);
}

// Any other label takes any value, escaped: the same attempt in a pod filter matches nothing.
TEST(NumaflowDropIn, AnInjectionAttemptInALabelValueMatchesNothing) {
  const MonoVertexModel& m = SynthWorld().mono_vertices.front();
  std::int64_t end = DataEnd() - 600;
  std::string body = fmt::format(
      R"({{"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",
          "dimension":"pod","quantile":"0.5","duration":"5m",
          "filters":{{"namespace":"{}","mvtx_name":"{}","pod":"x\"}} or vector(1) #"}},
          "start_time":"{}","end_time":"{}"}})",
      m.ns, m.name, Rfc3339(end - 3600), Rfc3339(end));
  Json answer = Proxy(body);
  ASSERT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  EXPECT_EQ(answer.doc["data"].Size(), 0u) << answer.body.substr(0, 500);
}

}  // namespace
}  // namespace nfmetrics::testing
