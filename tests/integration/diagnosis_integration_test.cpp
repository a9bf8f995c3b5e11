// GET /api/v1/diagnosis end to end against a real backend holding the synthetic data: its figures
// are the backend's own answers to the PromQL it reports, and where they land (which stages, which
// pod is slow, which quantile bucket) is what the generator's model says.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "api_checks.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using synth::Histogram;
using synth::MonoVertexModel;

// A window well inside the backfilled data, with room for the rate windows before it.
std::int64_t Start() { return world->data_end - 3600 * 2; }
std::int64_t End() { return world->data_end - 600; }

Json Diagnose(const std::string& query) { return ApiGet("/api/v1/diagnosis?" + query); }

std::string RangeParams() { return fmt::format("start={}&end={}", Start(), End()); }

const MonoVertexModel& Model(std::string_view ns, std::string_view name) {
  for (const MonoVertexModel& m : synth::DefaultModel()) {
    if (m.ns == ns && m.name == name) return m;
  }
  throw std::runtime_error("no such MonoVertex in the model");
}

// The backend's own answer to `promql` evaluated once, at `at`: labels -> value.
std::map<std::string, double> BackendInstant(const std::string& promql, double at) {
  Json direct = BackendQuery(promql, at, at, 15);
  std::map<std::string, double> values;
  EXPECT_EQ(direct.status, 200) << direct.body.substr(0, 300);
  if (direct.status != 200) return values;
  for (const auto& series : direct.doc["data"]["result"].GetArray()) {
    const auto& points = series["values"].GetArray();
    if (points.Empty()) continue;
    values[LabelsKey(series["metric"])] = std::strtod(points[0][1].GetString(), nullptr);
  }
  return values;
}

// True when `seconds` lies in the bucket of the model's q-quantile (µs), with 1% slack for rate
// noise at the edges.
void ExpectInBucket(double seconds, std::pair<double, double> bucket_us, const std::string& what) {
  const double us = seconds * 1e6;
  EXPECT_GE(us, bucket_us.first * 0.99) << what;
  if (std::isfinite(bucket_us.second)) {
    EXPECT_LE(us, bucket_us.second * 1.01) << what;
  }
}

std::string QueryContaining(const rapidjson::Value& data, std::string_view needle) {
  for (const auto& query : data["queries"].GetArray()) {
    std::string text = query.GetString();
    if (text.find(needle) != std::string::npos) return text;
  }
  ADD_FAILURE() << "no query contains " << needle;
  return "";
}

TEST(DiagnosisApi, MonoVertexStagesAreTheModelsAndTheBackendsOwnFigures) {
  const MonoVertexModel& m = Model("payments", "refunds");
  Json answer = Diagnose("namespace=payments&mvtx=refunds&quantile=0.9&" + RangeParams());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  EXPECT_STREQ(data["object"].GetString(), "mono-vertex");
  EXPECT_STREQ(data["namespace"].GetString(), "payments");
  EXPECT_STREQ(data["mvtx"].GetString(), "refunds");
  EXPECT_EQ(data["quantile"].GetDouble(), 0.9);
  EXPECT_FALSE(data["range"].HasMember("step"));
  const double end = data["range"]["end_unix"].GetDouble();
  const double start = data["range"]["start_unix"].GetDouble();
  EXPECT_LE(end, End());
  EXPECT_GT(end, End() - 60);

  // The stages the model's pods export, in stage order.
  const std::vector<std::pair<std::string, Histogram>> order = {
      {"read", Histogram::kMonovtxRead},
      {"transformer", Histogram::kMonovtxTransformer},
      {"udf", Histogram::kMonovtxUdf},
      {"sink", Histogram::kMonovtxSink},
      {"ack", Histogram::kMonovtxAck},
      {"fallback_sink", Histogram::kMonovtxFallbackSink},
      {"onsuccess_sink", Histogram::kMonovtxOnSuccessSink}};
  std::vector<std::string> expected;
  for (const auto& [stage, histogram] : order) {
    if (synth::HasHistogram(m, histogram)) expected.push_back(stage);
  }
  std::vector<std::string> listed;
  double shares = 0;
  double largest = 0;
  std::string bottleneck;
  const auto batches = BackendInstant(QueryContaining(data, "_count"), end);
  for (const auto& stage : data["stages"].GetArray()) {
    const std::string name = stage["stage"].GetString();
    listed.push_back(name);
    Histogram histogram = Histogram::kMonovtxSink;
    for (const auto& [s, h] : order) {
      if (s == name) histogram = h;
    }
    EXPECT_EQ(stage["metric"].GetString(), std::string(synth::MetricName(histogram)));
    // Batches: the backend's own increase of _count.
    EXPECT_EQ(stage["batches"].GetDouble(), batches.at("stage=" + name + ";")) << name;
    // The quantile lands in the model's bucket for the MonoVertex as a whole.
    ExpectInBucket(stage["quantile_seconds"].GetDouble(), synth::QuantileBucket(m, histogram, 0.9),
                   name);
    // The mean converges to the observation-weighted log-normal mean of the pods.
    double weighted = 0;
    double rate = 0;
    for (const auto& pod : m.pods) {
      weighted += synth::ObservationsPerSecond(pod, histogram) * synth::MeanUs(pod, histogram);
      rate += synth::ObservationsPerSecond(pod, histogram);
    }
    EXPECT_NEAR(stage["mean_seconds"].GetDouble() * 1e6, weighted / rate, 0.05 * weighted / rate)
        << name;
    shares += stage["share"].GetDouble();
    if (stage["share"].GetDouble() > largest) {
      largest = stage["share"].GetDouble();
      bottleneck = name;
    }
  }
  EXPECT_EQ(listed, expected);
  EXPECT_NEAR(shares, 1.0, 1e-9);
  EXPECT_EQ(data["bottleneck_stage"].GetString(), bottleneck);
  EXPECT_GT(end - start, 3600);
}

TEST(DiagnosisApi, TheSlowPodIsTheOnlyOutlierAndHasBeenSlowAllAlong) {
  const MonoVertexModel& m = Model("payments", "refunds");
  const synth::PodModel* slow = synth::SlowPod(m);
  ASSERT_NE(slow, nullptr);
  Json answer = Diagnose("namespace=payments&mvtx=refunds&" + RangeParams());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  const double end = data["range"]["end_unix"].GetDouble();
  const auto& pods = data["pods"];
  ASSERT_EQ(pods.Size(), m.pods.size());
  // Slowest first: the slow pod, an outlier since the range began (it is slow all the time).
  EXPECT_EQ(pods[0]["pod"].GetString(), slow->name);
  EXPECT_TRUE(pods[0]["outlier"].GetBool());
  EXPECT_GE(pods[0]["ratio_to_median"].GetDouble(), 2.0);
  EXPECT_EQ(pods[0]["since_unix"].GetDouble(), data["range"]["start_unix"].GetDouble());
  EXPECT_STREQ(pods[0]["since"].GetString(), data["range"]["start"].GetString());
  // Each pod's figure is the backend's own per-pod quantile, in the model's bucket.
  const auto backend = BackendInstant(QueryContaining(data, "sum by (pod, le) (increase("), end);
  double previous = INFINITY;
  for (const auto& pod : pods.GetArray()) {
    const std::string name = pod["pod"].GetString();
    const double seconds = pod["quantile_seconds"].GetDouble();
    EXPECT_EQ(seconds, backend.at("pod=" + name + ";") / 1e6) << name;
    EXPECT_LE(seconds, previous);
    previous = seconds;
    for (const auto& model_pod : m.pods) {
      if (model_pod.name == name) {
        ExpectInBucket(seconds, synth::QuantileBucket(model_pod, Histogram::kMonovtxSink, 0.99),
                       name);
      }
    }
    if (name != slow->name) {
      EXPECT_FALSE(pod["outlier"].GetBool()) << name;
      EXPECT_LT(pod["ratio_to_median"].GetDouble(), 2.0) << name;
      EXPECT_TRUE(pod["since"].IsNull()) << name;
    }
  }
  // One slow_pod finding, about that pod, with the numbers.
  int slow_findings = 0;
  for (const auto& finding : data["findings"].GetArray()) {
    if (std::string_view(finding["kind"].GetString()) != "slow_pod") continue;
    ++slow_findings;
    EXPECT_EQ(finding["subject"].GetString(), slow->name);
    EXPECT_NE(std::string(finding["message"].GetString()).find("sink p99"), std::string::npos);
    EXPECT_EQ(finding["since_unix"].GetDouble(), pods[0]["since_unix"].GetDouble());
  }
  EXPECT_EQ(slow_findings, 1);
}

TEST(DiagnosisApi, PipelineVerticesInOrderWithTheBackendsFigures) {
  const synth::PipelineModel& shop = synth::DefaultPipelines().front();
  Json answer = Diagnose("namespace=default&pipeline=shop&baseline=none&" + RangeParams());
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  EXPECT_STREQ(data["object"].GetString(), "pipeline");
  EXPECT_TRUE(data["baseline"].IsNull());
  const double end = data["range"]["end_unix"].GetDouble();
  const auto& vertices = data["vertices"];
  ASSERT_EQ(vertices.Size(), shop.vertices.size());
  const auto quantiles =
      BackendInstant(QueryContaining(data, "forwarder_processing_time_bucket"), end);
  int bottlenecks = 0;
  for (rapidjson::SizeType i = 0; i < vertices.Size(); ++i) {
    const auto& vertex = vertices[i];
    const synth::VertexModel& model = shop.vertices[i];  // in, enrich, out: the model's order
    EXPECT_EQ(vertex["vertex"].GetString(), model.name);
    EXPECT_EQ(vertex["vertex_type"].GetString(), model.type);
    EXPECT_EQ(vertex["processing_quantile_seconds"].GetDouble(),
              quantiles.at("vertex=" + model.name + ";") / 1e6);
    ExpectInBucket(vertex["processing_quantile_seconds"].GetDouble(),
                   synth::QuantileBucket(model, Histogram::kForwarderProcessing, 0.99), model.name);
    EXPECT_GT(vertex["read_rate"].GetDouble(), 0);
    EXPECT_GT(vertex["write_rate"].GetDouble(), 0);
    EXPECT_TRUE(vertex["pending"].IsNumber());
    EXPECT_TRUE(vertex["pending_growth"].IsNumber());
    if (vertex["bottleneck"].GetBool()) {
      ++bottlenecks;
      EXPECT_EQ(data["bottleneck_vertex"].GetString(), model.name);
    }
  }
  EXPECT_EQ(bottlenecks, 1);
}

TEST(DiagnosisApi, ARepeatedDiagnosisOfAPastRangeIsServedFromTheCache) {
  const std::string query = "namespace=default&mvtx=orders&" + RangeParams();
  Json first = Diagnose(query);
  ASSERT_EQ(first.status, 200) << first.body;
  Json second = Diagnose(query);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_STREQ(second.doc["data"]["cache"].GetString(), "hit");
  EXPECT_EQ(first.doc["data"]["pods"], second.doc["data"]["pods"]);
  EXPECT_EQ(first.doc["data"]["stages"], second.doc["data"]["stages"]);
}

TEST(DiagnosisApi, TwoDiagnosesOfTheSameRangeAgreeWhateverTheCacheHolds) {
  // A range ending at the data's end: its last steps are fresh, so the second answer is part
  // cache, part backend.
  const std::string query = fmt::format("namespace=default&mvtx=checkout&start={}&end={}",
                                        world->data_end - 3 * 3600 + 600, world->data_end);
  Json first = Diagnose(query);
  ASSERT_EQ(first.status, 200) << first.body;
  Json second = Diagnose(query);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(first.doc["data"]["pods"], second.doc["data"]["pods"]) << first.body << "\n"
                                                                   << second.body;
  EXPECT_EQ(first.doc["data"]["findings"], second.doc["data"]["findings"]);
}

TEST(DiagnosisApi, BadInputIsAClearErrorNamingTheParameter) {
  struct Case {
    std::string query;
    int status;
    std::string param;
  };
  const Case cases[] = {
      {"mvtx=orders", 400, "namespace"},
      {"namespace=default", 400, "mvtx"},
      {"namespace=default&mvtx=orders&pipeline=shop", 400, "pipeline"},
      {"namespace=default&mvtx=x%22%7D%20or%20vector(1)%20%23", 400, "mvtx"},
      {"namespace=default&mvtx=orders&step=1m", 400, "step"},
      {"namespace=default&mvtx=orders&baseline=2d", 400, "baseline"},
      {"namespace=default&mvtx=orders&quantile=2", 400, "quantile"},
      {"namespace=default&mvtx=no-such-mvtx&" + RangeParams(), 404, "mvtx"},
      {"namespace=default&pipeline=no-such-pipeline&" + RangeParams(), 404, "pipeline"},
  };
  for (const Case& c : cases) {
    Json answer = Diagnose(c.query);
    EXPECT_EQ(answer.status, c.status) << c.query << ": " << answer.body;
    ASSERT_TRUE(answer.doc.IsObject()) << c.query;
    EXPECT_STREQ(answer.doc["status"].GetString(), "error") << c.query;
    ASSERT_TRUE(answer.doc["error"].HasMember("param")) << c.query << ": " << answer.body;
    EXPECT_EQ(answer.doc["error"]["param"].GetString(), c.param) << c.query;
  }
}

// --- the incident (synth/model.hpp): default/checkout's replica 2 writes to its sink 9x slower
// from the onset, its pods burst sink write errors 75-90 minutes after it, and default/shop's
// `out` backlog grows from it; the data a day and a week earlier has none of it.

TimePoint AtUnix(double seconds) {
  return TimePoint(std::chrono::milliseconds(std::llround(seconds * 1000)));
}

const MonoVertexModel& Checkout() {
  for (const MonoVertexModel& m : SynthWorld().mono_vertices) {
    if (m.ns == synth::kIncidentNamespace && m.name == synth::kIncidentMonoVertex) return m;
  }
  throw std::runtime_error("no incident MonoVertex in the world");
}

// The contract's rule: pending grew by at least 50% and at least 100 messages.
bool BacklogGrew(double first, double last) {
  return last - first >= 100 && last - first >= 0.5 * first;
}

TEST(DiagnosisIncident, TheSlowPodIsFoundAloneWithItsOnset) {
  const MonoVertexModel& m = Checkout();
  const synth::PodModel* incident = synth::IncidentPod(m);
  ASSERT_NE(incident, nullptr);
  const std::int64_t onset = IncidentOnset();
  // From 50 minutes before the onset (the data begins an hour before it) to just before the end.
  Json answer = Diagnose(fmt::format("namespace={}&mvtx={}&start={}&end={}", m.ns, m.name,
                                     onset - 3000, world->data_end - 300));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  const auto& pods = data["pods"];
  ASSERT_EQ(pods.Size(), m.pods.size());
  EXPECT_EQ(pods[0]["pod"].GetString(), incident->name);
  EXPECT_TRUE(pods[0]["outlier"].GetBool());
  for (rapidjson::SizeType i = 1; i < pods.Size(); ++i) {
    EXPECT_FALSE(pods[i]["outlier"].GetBool()) << pods[i]["pod"].GetString();
    EXPECT_TRUE(pods[i]["since"].IsNull()) << pods[i]["pod"].GetString();
  }
  // `since` lies within one window plus one step of the onset (the per-step series' window is
  // max(5m, step), as the metrics API chooses them for this range).
  Json steps =
      ApiGet(fmt::format("/api/v1/metrics/sink-latency?namespace={}&mvtx={}&start={}&end={}", m.ns,
                         m.name, onset - 3000, world->data_end - 300));
  ASSERT_EQ(steps.status, 200) << steps.body;
  const double step = steps.doc["data"]["range"]["step_seconds"].GetDouble();
  const double window = std::max(300.0, step);
  const double since = pods[0]["since_unix"].GetDouble();
  EXPECT_GE(since, static_cast<double>(onset) - step);
  EXPECT_LE(since, static_cast<double>(onset) + window + step);

  std::map<std::string, const rapidjson::Value*> findings;
  int slow_pods = 0;
  for (const auto& finding : data["findings"].GetArray()) {
    findings[finding["kind"].GetString()] = &finding;
    if (std::string_view(finding["kind"].GetString()) == "slow_pod") ++slow_pods;
  }
  EXPECT_EQ(slow_pods, 1);
  ASSERT_TRUE(findings.count("slow_pod"));
  EXPECT_EQ((*findings["slow_pod"])["subject"].GetString(), incident->name);
  EXPECT_EQ((*findings["slow_pod"])["since_unix"].GetDouble(), since);
  // The most severe finding comes first: the slow pod, at several times its peers, is critical.
  EXPECT_STREQ(data["findings"][0]["severity"].GetString(), "critical");
}

TEST(DiagnosisIncident, WhereTheTimeGoesTheErrorsAndTheRegressionAgainstADayEarlier) {
  const MonoVertexModel& m = Checkout();
  const std::int64_t onset = IncidentOnset();
  // The last hour of the incident, which holds the error burst (75-90 minutes after the onset).
  const std::int64_t end = onset + 7200 - 300;
  Json answer = Diagnose(fmt::format("namespace={}&mvtx={}&start={}&end={}&baseline=1d", m.ns,
                                     m.name, end - 3600, end));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  const TimePoint from = AtUnix(data["range"]["start_unix"].GetDouble());
  const TimePoint to = AtUnix(data["range"]["end_unix"].GetDouble());
  const TimePoint day = from - std::chrono::hours(24);
  const TimePoint day_end = to - std::chrono::hours(24);

  // The UDF dominates: the bottleneck stage, with the share the model's means give it.
  EXPECT_STREQ(data["bottleneck_stage"].GetString(), "udf");
  double total = 0;
  for (const auto& stage : data["stages"].GetArray()) {
    const auto histogram = *synth::FindHistogram(stage["metric"].GetString());
    total += synth::MeanUs(m, histogram, from, to);
  }
  for (const auto& stage : data["stages"].GetArray()) {
    const auto histogram = *synth::FindHistogram(stage["metric"].GetString());
    EXPECT_NEAR(stage["share"].GetDouble(), synth::MeanUs(m, histogram, from, to) / total, 0.03)
        << stage["stage"].GetString();
  }

  // Errors and reads are the model's rates over the range.
  const double errors = synth::SinkWriteErrorsPerSecond(m, from, to);
  ASSERT_GT(errors, 0);
  EXPECT_NEAR(data["errors"]["sink_write_errors_per_second"].GetDouble(), errors, 0.03 * errors);
  const double dropped = synth::DroppedPerSecond(m, from, to);
  EXPECT_NEAR(data["errors"]["dropped_per_second"].GetDouble(), dropped, 0.05 * dropped);

  // A day earlier there was no incident: the sink quantile is the steady state's, and the ratio is
  // what the model's two windows give; the read rate is the same (the load cycle is daily).
  const auto& baseline = data["baseline"];
  EXPECT_STREQ(baseline["offset"].GetString(), "1d");
  ExpectInBucket(baseline["sink"]["baseline_seconds"].GetDouble(),
                 synth::QuantileBucket(m, Histogram::kMonovtxSink, 0.99, day, day_end), "then");
  ExpectInBucket(baseline["sink"]["now_seconds"].GetDouble(),
                 synth::QuantileBucket(m, Histogram::kMonovtxSink, 0.99, from, to), "now");
  const double model_ratio =
      synth::ExpectedQuantileUs(m, Histogram::kMonovtxSink, 0.99, from, to) /
      synth::ExpectedQuantileUs(m, Histogram::kMonovtxSink, 0.99, day, day_end);
  ASSERT_GE(model_ratio, 1.5);
  EXPECT_GE(baseline["sink"]["ratio"].GetDouble(), 1.5);
  const double reads = synth::MessagesReadPerSecond(m, from, to);
  EXPECT_NEAR(baseline["read_rate"]["now"].GetDouble(), reads, 0.03 * reads);
  EXPECT_NEAR(baseline["read_rate"]["ratio"].GetDouble(), 1.0, 0.05);

  std::set<std::string> kinds;
  for (const auto& finding : data["findings"].GetArray()) kinds.insert(finding["kind"].GetString());
  EXPECT_TRUE(kinds.count("slow_pod"));
  EXPECT_TRUE(kinds.count("bottleneck_stage"));
  EXPECT_TRUE(kinds.count("sink_errors"));
  EXPECT_TRUE(kinds.count("latency_regression"));
  EXPECT_FALSE(kinds.count("throughput_drop"));
  // The daemon's pending swings with the time of day: a finding exactly when the rule holds.
  const double first = data["pending"]["first"].GetDouble();
  const double last = data["pending"]["last"].GetDouble();
  EXPECT_EQ(kinds.count("backlog_growing") == 1, BacklogGrew(first, last)) << first << " " << last;
}

TEST(DiagnosisIncident, APipelinesGrowingBacklogIsItsBottleneck) {
  const synth::PipelineModel* shop = nullptr;
  for (const auto& pipeline : SynthWorld().pipelines) {
    if (pipeline.name == synth::kBacklogPipeline) shop = &pipeline;
  }
  ASSERT_NE(shop, nullptr);
  const std::int64_t onset = IncidentOnset();
  Json answer = Diagnose(fmt::format("namespace={}&pipeline={}&start={}&end={}", shop->ns,
                                     shop->name, onset + 600, world->data_end - 300));
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto& data = answer.doc["data"];
  const TimePoint from = AtUnix(data["range"]["start_unix"].GetDouble());
  const TimePoint to = AtUnix(data["range"]["end_unix"].GetDouble());
  EXPECT_STREQ(data["bottleneck_vertex"].GetString(), std::string(synth::kBacklogVertex).c_str());
  for (const auto& vertex : data["vertices"].GetArray()) {
    const std::string name = vertex["vertex"].GetString();
    const synth::VertexModel* model = nullptr;
    for (const auto& v : shop->vertices) {
      if (v.name == name) model = &v;
    }
    ASSERT_NE(model, nullptr) << name;
    // The gauge's exact values at the range's ends, give or take one 15 s sample.
    const double growth =
        synth::VertexPending(*model, "default", to) - synth::VertexPending(*model, "default", from);
    EXPECT_NEAR(vertex["pending_growth"].GetDouble(), growth, 100 + 0.01 * std::abs(growth))
        << name;
    EXPECT_EQ(vertex["bottleneck"].GetBool(), name == synth::kBacklogVertex) << name;
  }
  // A backlog_growing finding for exactly the vertices whose pending grew by the rule: `out`, and
  // any other whose daily swing happens to rise that much over this range.
  std::set<std::string> grew;
  for (const auto& vertex : data["vertices"].GetArray()) {
    if (BacklogGrew(vertex["pending_first"].GetDouble(), vertex["pending_last"].GetDouble())) {
      grew.insert(vertex["vertex"].GetString());
    }
  }
  EXPECT_TRUE(grew.count(std::string(synth::kBacklogVertex)));
  std::set<std::string> found;
  for (const auto& finding : data["findings"].GetArray()) {
    if (std::string_view(finding["kind"].GetString()) == "backlog_growing") {
      found.insert(finding["subject"].GetString());
    }
  }
  EXPECT_EQ(found, grew);
}

}  // namespace
}  // namespace nfmetrics::testing
