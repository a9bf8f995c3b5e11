// NumaFlow's UI, chart for chart: its Metrics tab replayed against nfmetrics in front of the
// backend under test with the synthetic data, once with the built-in catalog and once with
// NumaFlow's own default configuration (tests/data/numaflow-default-config.yaml, as `serve
// --config` loads it).
//
// The replay does what NUMAFLOW.md ("What NumaFlow's UI sends and reads") says the UI does:
// discovery for `mono-vertex` and `vertex`, reading only what the UI reads; then, for every
// MonoVertex and every pipeline vertex of the synthetic model, every metric discovery lists and
// every dimension it offers, one POST /api/v1/metrics-proxy built as the UI builds it: the object's
// own dimension when listed (else the first), quantile "0.99" only where the pattern declares it,
// the durations 1m, 5m and 15m, the last hour of the data in the browser's offset (+05:30 and
// +00:00, whole seconds), and only the filters discovery marks required (a pod chart's pod as
// "<mvtx>-mv-.*" or "<pipeline>-<vertex>-.*"); picking a pod or a period adds it. Every answer
// must be a Prometheus matrix, never `data: null`; where the synthetic model has series for the
// chart's metric and filters, it must hold at least one series with a finite value.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api_checks.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "synth/model.hpp"
#include "synth/series.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

// --- What the UI reads from discovery -----------------------------------------------------------

struct UiFilter {
  std::string name;
  bool required = false;
};

struct UiDimension {
  std::string name;
  std::vector<UiFilter> filters;
};

struct UiMetric {
  std::string pattern_name;
  std::string metric_name;
  std::string display_name;
  std::string metric_description;
  std::vector<UiDimension> dimensions;
  std::vector<UiFilter> params;  // of dimensions[0] only, as the UI reads them

  bool Declares(std::string_view param) const {
    return std::any_of(params.begin(), params.end(),
                       [&](const UiFilter& p) { return p.name == param; });
  }
  bool AnyDimensionFilters(std::string_view label) const {
    for (const UiDimension& dimension : dimensions) {
      for (const UiFilter& filter : dimension.filters) {
        if (filter.name == label) return true;
      }
    }
    return false;
  }
  // The dimension the UI charts first: the object's own when listed, else the first.
  const UiDimension& DefaultDimension(std::string_view object) const {
    for (const UiDimension& dimension : dimensions) {
      if (dimension.name == object) return dimension;
    }
    return dimensions.front();
  }
};

std::vector<UiFilter> ReadNameRequired(const rapidjson::Value& list) {
  std::vector<UiFilter> out;
  EXPECT_TRUE(list.IsArray());
  if (!list.IsArray()) return out;
  for (const auto& item : list.GetArray()) {
    EXPECT_TRUE(item.IsObject() && item.HasMember("Name") && item["Name"].IsString() &&
                item.HasMember("Required") && item["Required"].IsBool());
    if (!item.IsObject() || !item.HasMember("Name") || !item.HasMember("Required")) continue;
    out.push_back({item["Name"].GetString(), item["Required"].GetBool()});
  }
  return out;
}

// GET /api/v1/metrics-discovery/object/{object}, read as the UI reads it.
std::vector<UiMetric> Discover(unsigned short port, std::string_view object) {
  Json answer = ParseAnswer(
      Get("127.0.0.1", port, fmt::format("/api/v1/metrics-discovery/object/{}", object)));
  EXPECT_EQ(answer.status, 200) << answer.body.substr(0, 300);
  std::vector<UiMetric> metrics;
  if (!answer.doc.IsObject() || !answer.doc.HasMember("data") || !answer.doc["data"].IsArray()) {
    ADD_FAILURE() << "discovery without a data array: " << answer.body.substr(0, 300);
    return metrics;
  }
  for (const auto& entry : answer.doc["data"].GetArray()) {
    UiMetric metric;
    for (auto [key, slot] : {std::pair{"pattern_name", &metric.pattern_name},
                             std::pair{"metric_name", &metric.metric_name},
                             std::pair{"display_name", &metric.display_name},
                             std::pair{"metric_description", &metric.metric_description}}) {
      EXPECT_TRUE(entry.HasMember(key) && entry[key].IsString()) << key;
      if (entry.HasMember(key) && entry[key].IsString()) *slot = entry[key].GetString();
    }
    EXPECT_TRUE(entry.HasMember("dimensions") && entry["dimensions"].IsArray());
    for (const auto& dimension : entry["dimensions"].GetArray()) {
      EXPECT_TRUE(dimension["name"].IsString());
      metric.dimensions.push_back(
          {dimension["name"].GetString(), ReadNameRequired(dimension["filters"])});
    }
    EXPECT_FALSE(metric.dimensions.empty()) << metric.metric_name;
    if (metric.dimensions.empty()) continue;
    metric.params = ReadNameRequired(entry["dimensions"][0]["params"]);
    metrics.push_back(std::move(metric));
  }
  return metrics;
}

// --- The objects of the synthetic model, as the UI names them -----------------------------------

struct UiObject {
  std::string kind;  // "mono-vertex" or "vertex"
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string vertex;
  std::string pod_regex;  // the UI's pod selection for the pod charts
  std::string first_pod;  // what picking a pod in the UI's pod list gives (never the daemon)

  std::string Describe() const {
    return kind == "mono-vertex" ? fmt::format("{}/{}", ns, mvtx)
                                 : fmt::format("{}/{}/{}", ns, pipeline, vertex);
  }
};

std::vector<UiObject> ModelObjects() {
  std::vector<UiObject> objects;
  for (const synth::MonoVertexModel& m : SynthWorld().mono_vertices) {
    objects.push_back({.kind = "mono-vertex",
                       .ns = m.ns,
                       .mvtx = m.name,
                       .pod_regex = m.name + "-mv-.*",
                       .first_pod = m.pods.front().name});
  }
  for (const synth::PipelineModel& pipeline : SynthWorld().pipelines) {
    for (const synth::VertexModel& vertex : pipeline.vertices) {
      objects.push_back({.kind = "vertex",
                         .ns = pipeline.ns,
                         .pipeline = pipeline.name,
                         .vertex = vertex.name,
                         .pod_regex = pipeline.name + "-" + vertex.name + "-.*",
                         .first_pod = vertex.pods.front().name});
    }
  }
  return objects;
}

// --- Whether the synthetic data has series for a chart ------------------------------------------

struct ModelSeries {
  std::string name;
  std::map<std::string, std::string> labels;
};

const std::vector<ModelSeries>& AllModelSeries() {
  static const auto* all = [] {
    auto* out = new std::vector<ModelSeries>;
    const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)")re");
    for (const synth::Family& family : synth::BuildFamilies(SynthWorld())) {
      for (const synth::Series& series : family.series) {
        ModelSeries parsed{series.name, {}};
        for (auto it = std::sregex_iterator(series.labels.begin(), series.labels.end(), label);
             it != std::sregex_iterator(); ++it) {
          parsed.labels[(*it)[1]] = (*it)[2];
        }
        out->push_back(std::move(parsed));
      }
    }
    return out;
  }();
  return *all;
}

// True when the model exports `metric_name` with labels matching every filter the UI sent (a value
// with ".*" as NumaFlow's UI means it: a wildcard).
bool ModelHasSeries(const std::string& metric_name,
                    const std::map<std::string, std::string>& filters) {
  // Every filter as an anchored regex: ".*" a wildcard, everything else literal.
  std::vector<std::pair<std::string, std::regex>> matchers;
  for (const auto& [label, value] : filters) {
    std::string pattern;
    for (std::size_t at = 0; at < value.size(); ++at) {
      if (value.compare(at, 2, ".*") == 0) {
        pattern += ".*";
        ++at;
      } else {
        if (std::string_view(R"(\^$.|?*+()[]{})").find(value[at]) != std::string_view::npos) {
          pattern += '\\';
        }
        pattern += value[at];
      }
    }
    matchers.emplace_back(label, std::regex(pattern));
  }
  for (const ModelSeries& series : AllModelSeries()) {
    if (series.name != metric_name) continue;
    bool all = true;
    for (const auto& [label, matcher] : matchers) {
      auto it = series.labels.find(label);
      all = all && std::regex_match(it == series.labels.end() ? "" : it->second, matcher);
    }
    if (all) return true;
  }
  return false;
}

// --- Building and checking one chart's request ---------------------------------------------------

// "2026-08-22T19:18:03+05:30": the instant in the browser's offset, whole seconds.
std::string BrowserTime(std::int64_t unix_seconds, int offset_minutes) {
  std::time_t local = unix_seconds + offset_minutes * 60;
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  int offset = std::abs(offset_minutes);
  return fmt::format("{}{}{:02}:{:02}", buffer, offset_minutes < 0 ? '-' : '+', offset / 60,
                     offset % 60);
}

struct Chart {
  const UiObject* object;
  const UiMetric* metric;
  std::string dimension;
  std::optional<std::string> quantile;
  std::optional<std::string> duration;
  int offset_minutes = 0;
  std::map<std::string, std::string> filters;

  std::string Body(std::int64_t start, std::int64_t end) const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    auto field = [&](const char* key, const std::string& value) {
      writer.Key(key);
      writer.String(value.c_str());
    };
    field("metric_name", metric->metric_name);
    field("pattern_name", metric->pattern_name);
    field("dimension", dimension);
    if (quantile) field("quantile", *quantile);
    if (duration) field("duration", *duration);
    field("start_time", BrowserTime(start, offset_minutes));
    field("end_time", BrowserTime(end, offset_minutes));
    writer.Key("filters");
    writer.StartObject();
    for (const auto& [label, value] : filters) field(label.c_str(), value);
    writer.EndObject();
    writer.EndObject();
    return buffer.GetString();
  }
};

// The filters the UI sends for a dimension: only the ones discovery marks required.
std::optional<std::map<std::string, std::string>> RequiredFilters(const UiObject& object,
                                                                  const UiDimension& dimension) {
  std::map<std::string, std::string> filters;
  for (const UiFilter& filter : dimension.filters) {
    if (!filter.required) continue;
    if (filter.name == "namespace") {
      filters[filter.name] = object.ns;
    } else if (filter.name == "mvtx_name" && object.kind == "mono-vertex") {
      filters[filter.name] = object.mvtx;
    } else if (filter.name == "pipeline" && object.kind == "vertex") {
      filters[filter.name] = object.pipeline;
    } else if (filter.name == "vertex" && object.kind == "vertex") {
      filters[filter.name] = object.vertex;
    } else if (filter.name == "pod") {
      filters[filter.name] = object.pod_regex;
    } else {
      ADD_FAILURE() << "discovery requires a filter the UI cannot fill: " << filter.name;
      return std::nullopt;
    }
  }
  return filters;
}

struct Tally {
  std::size_t requests = 0;
  std::size_t charts_with_data = 0;
  std::size_t expected_empty = 0;
  std::set<std::string> metrics_with_data;  // "<kind> <metric_name>" with data on its default chart
};

// Labels NumaFlow's UI names a chart's lines by.
bool NamesALine(const rapidjson::Value& metric) {
  for (const char* label : {"mvtx_name", "vertex", "pod", "period", "container"}) {
    if (metric.HasMember(label)) return true;
  }
  return false;
}

// Sends one chart's request and checks the answer as the UI reads it. Returns whether it had data.
bool ReplayChart(unsigned short port, const Chart& chart, std::int64_t start, std::int64_t end,
                 Tally& tally) {
  const std::string body = chart.Body(start, end);
  SCOPED_TRACE(body);
  HttpResponse response = HttpRequest("127.0.0.1", port, "POST", "/api/v1/metrics-proxy", body,
                                      {{"content-type", "application/json"}});
  ++tally.requests;
  rapidjson::Document doc;
  doc.Parse(response.body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << response.body.substr(0, 300);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("data")) {
    ADD_FAILURE() << "not NumaFlow's answer: " << response.body.substr(0, 300);
    return false;
  }
  const rapidjson::Value& data = doc["data"];
  if (!data.IsArray()) {
    ADD_FAILURE() << "data is not a matrix (the chart shows errMsg): "
                  << response.body.substr(0, 300);
    return false;
  }
  EXPECT_EQ(response.status, 200);

  std::size_t finite = 0;
  for (const auto& series : data.GetArray()) {
    EXPECT_TRUE(series.IsObject() && series.HasMember("metric") && series["metric"].IsObject());
    EXPECT_TRUE(series.HasMember("values") && series["values"].IsArray());
    if (!series.HasMember("values") || !series["values"].IsArray()) continue;
    const std::string& dimension = chart.dimension;
    if (dimension == "mono-vertex" || dimension == "vertex" || dimension == "pod" ||
        dimension == "container") {
      EXPECT_TRUE(NamesALine(series["metric"])) << "a line the UI cannot name";
    }
    for (const auto& point : series["values"].GetArray()) {
      const bool pair =
          point.IsArray() && point.Size() == 2 && point[0].IsNumber() && point[1].IsString();
      EXPECT_TRUE(pair) << "not [unix_seconds, \"value\"]";
      if (!pair) continue;
      const double t = point[0].GetDouble();
      EXPECT_GE(t, static_cast<double>(start - 60));
      EXPECT_LE(t, static_cast<double>(end));
      // What parseFloat reads: a number, or NaN/Inf that the UI skips.
      const char* text = point[1].GetString();
      char* parsed_end = nullptr;
      const double value = std::strtod(text, &parsed_end);
      EXPECT_TRUE(parsed_end != text && *parsed_end == '\0') << text;
      if (std::isfinite(value)) ++finite;
    }
  }

  std::map<std::string, std::string> model_filters = chart.filters;
  const bool expected = ModelHasSeries(chart.metric->metric_name, model_filters);
  if (expected) {
    EXPECT_GT(data.Size(), 0u) << "no series for " << chart.object->Describe();
    EXPECT_GT(finite, 0u) << "no finite value for " << chart.object->Describe();
  } else {
    EXPECT_EQ(data.Size(), 0u) << "series the model does not have";
    ++tally.expected_empty;
  }
  if (finite > 0) ++tally.charts_with_data;
  return finite > 0;
}

// Every chart the UI draws for one object: every metric, every dimension, the durations and both
// offsets; then a picked pod and a picked period on the default chart.
void ReplayObject(unsigned short port, const UiObject& object, const std::vector<UiMetric>& metrics,
                  std::int64_t start, std::int64_t end, Tally& tally) {
  SCOPED_TRACE(object.Describe());
  for (const UiMetric& metric : metrics) {
    SCOPED_TRACE(metric.pattern_name + " " + metric.metric_name);
    const UiDimension& first = metric.DefaultDimension(object.kind);
    std::vector<const UiDimension*> dimensions = {&first};
    for (const UiDimension& dimension : metric.dimensions) {
      if (&dimension != &first) dimensions.push_back(&dimension);
    }
    // The UI sends a duration with every chart; a pattern that declares none ignores it, so it is
    // also sent without.
    std::vector<std::optional<std::string>> durations = {"1m", "5m", "15m"};
    if (!metric.Declares("duration")) durations = {std::string("1m"), std::nullopt};
    std::optional<std::string> quantile;
    if (metric.Declares("quantile")) quantile = "0.99";

    for (const UiDimension* dimension : dimensions) {
      auto filters = RequiredFilters(object, *dimension);
      if (!filters) continue;
      for (const auto& duration : durations) {
        for (int offset : {330, 0}) {
          Chart chart{&object, &metric, dimension->name, quantile, duration, offset, *filters};
          bool data = ReplayChart(port, chart, start, end, tally);
          if (data && dimension == &first && duration == durations.front() && offset == 330) {
            tally.metrics_with_data.insert(object.kind + " " + metric.metric_name);
          }
        }
      }
    }
    // Picking one pod of the object (the UI's list hides the daemon pod), and one period.
    auto filters = RequiredFilters(object, first);
    if (!filters) continue;
    if (metric.AnyDimensionFilters("pod")) {
      Chart pod{&object, &metric, first.name, quantile, durations.front(), 330, *filters};
      pod.filters["pod"] = object.first_pod;
      ReplayChart(port, pod, start, end, tally);
    }
    if (metric.AnyDimensionFilters("period")) {
      Chart period{&object, &metric, first.name, quantile, durations.front(), 0, *filters};
      period.filters["period"] = "5m";
      ReplayChart(port, period, start, end, tally);
    }
  }
}

// --- The catalogs
// ----------------------------------------------------------------------------------

enum class CatalogKind { kBuiltIn, kNumaFlowDefault };

std::string CatalogName(const ::testing::TestParamInfo<CatalogKind>& info) {
  return info.param == CatalogKind::kBuiltIn ? "BuiltInCatalog" : "NumaFlowDefaultConfig";
}

const service::Catalog& NumaFlowDefaultCatalog() {
  static const auto* catalog = [] {
    Result<service::Catalog> loaded =
        service::LoadCatalogFile(NFMETRICS_SOURCE_DIR "/tests/data/numaflow-default-config.yaml");
    if (!loaded.ok()) throw std::runtime_error(loaded.error().message);
    return new service::Catalog(std::move(loaded).value());
  }();
  return *catalog;
}

// NumaFlow's default metrics per object kind: what its UI charts.
std::set<std::string> NumaFlowDefaultMetrics(std::string_view object) {
  std::set<std::string> names;
  auto kind = service::ParseObjectKind(object);
  for (const service::Pattern& pattern : NumaFlowDefaultCatalog().patterns()) {
    if (!pattern.AppliesTo(*kind)) continue;
    for (const service::MetricSpec& metric : pattern.metrics) names.insert(metric.metric_name);
  }
  return names;
}

class NumaFlowUiReplay : public ::testing::TestWithParam<CatalogKind> {
 protected:
  void SetUp() override {
    if (GetParam() == CatalogKind::kNumaFlowDefault) {
      api_ = std::make_unique<InProcessApi>(BackendUrl(),
                                            InProcessOptions{.catalog = &NumaFlowDefaultCatalog()});
    }
  }
  unsigned short port() const { return api_ ? api_->port() : ApiPort(); }

 private:
  std::unique_ptr<InProcessApi> api_;  // the NumaFlow catalog's; the world's serves the built-in
};

// Discovery lists every metric of NumaFlow's default for the object kind, only that kind's own
// dimension among mono-vertex and vertex, and (with NumaFlow's catalog) exactly its dimensions.
TEST_P(NumaFlowUiReplay, DiscoveryListsNumaFlowsChartsWithTheAskedKindsDimensions) {
  for (const char* object : {"mono-vertex", "vertex"}) {
    SCOPED_TRACE(object);
    const std::string other = std::string_view(object) == "vertex" ? "mono-vertex" : "vertex";
    std::vector<UiMetric> metrics = Discover(port(), object);
    std::set<std::string> listed;
    for (const UiMetric& metric : metrics) {
      listed.insert(metric.metric_name);
      EXPECT_FALSE(metric.display_name.empty()) << metric.metric_name;
      for (const UiDimension& dimension : metric.dimensions) {
        EXPECT_NE(dimension.name, other) << metric.metric_name;
      }
    }
    for (const std::string& metric : NumaFlowDefaultMetrics(object)) {
      EXPECT_TRUE(listed.contains(metric)) << metric;
    }
    if (GetParam() != CatalogKind::kNumaFlowDefault) continue;
    EXPECT_EQ(listed, NumaFlowDefaultMetrics(object));
    for (const UiMetric& metric : metrics) {
      std::vector<std::string> names;
      for (const UiDimension& dimension : metric.dimensions) names.push_back(dimension.name);
      std::vector<std::string> want = {object, "pod"};
      if (metric.pattern_name == "mono_vertex_gauge") want = {"pod", "mono-vertex"};
      if (metric.pattern_name == "vertex_gauge") want = {"vertex"};
      if (metric.pattern_name.ends_with("utilization")) want = {object};
      EXPECT_EQ(names, want) << metric.metric_name;
    }
  }
}

// The built-in catalog's discovery holds NumaFlow's: every (metric, dimension, filter) of the
// default configuration's answer, with the same Required.
TEST(NumaFlowUiDiscovery, TheBuiltInCatalogsAnswerHoldsNumaFlowsDefault) {
  InProcessApi numaflow(BackendUrl(), InProcessOptions{.catalog = &NumaFlowDefaultCatalog()});
  for (const char* object : {"mono-vertex", "vertex"}) {
    SCOPED_TRACE(object);
    std::vector<UiMetric> built_in = Discover(ApiPort(), object);
    for (const UiMetric& want : Discover(numaflow.port(), object)) {
      auto got = std::find_if(built_in.begin(), built_in.end(), [&](const UiMetric& m) {
        return m.pattern_name == want.pattern_name && m.metric_name == want.metric_name;
      });
      ASSERT_NE(got, built_in.end()) << want.metric_name;
      for (const UiFilter& param : want.params) {
        EXPECT_TRUE(std::any_of(got->params.begin(), got->params.end(),
                                [&](const UiFilter& p) {
                                  return p.name == param.name && p.required == param.required;
                                }))
            << want.metric_name << " param " << param.name;
      }
      for (const UiDimension& dimension : want.dimensions) {
        auto same = std::find_if(got->dimensions.begin(), got->dimensions.end(),
                                 [&](const UiDimension& d) { return d.name == dimension.name; });
        ASSERT_NE(same, got->dimensions.end()) << want.metric_name << " " << dimension.name;
        for (const UiFilter& filter : dimension.filters) {
          EXPECT_TRUE(std::any_of(same->filters.begin(), same->filters.end(),
                                  [&](const UiFilter& f) {
                                    return f.name == filter.name && f.required == filter.required;
                                  }))
              << want.metric_name << " " << dimension.name << " " << filter.name;
        }
        // What the UI sends is the same: the required filters are exactly NumaFlow's.
        std::set<std::string> want_required, got_required;
        for (const UiFilter& f : dimension.filters) {
          if (f.required) want_required.insert(f.name);
        }
        for (const UiFilter& f : same->filters) {
          if (f.required) got_required.insert(f.name);
        }
        EXPECT_EQ(got_required, want_required) << want.metric_name << " " << dimension.name;
      }
    }
  }
}

TEST_P(NumaFlowUiReplay, EveryChartOfEveryObjectGetsAMatrixWithData) {
  // "The last hour" of the browser is the last hour of the data: its clock a few seconds past the
  // last sample's minute, never on a step.
  const std::int64_t end = DataEnd() - 7;
  const std::int64_t start = end - 3600;
  std::map<std::string, std::vector<UiMetric>> discovered;
  for (const char* object : {"mono-vertex", "vertex"})
    discovered[object] = Discover(port(), object);

  Tally tally;
  for (const UiObject& object : ModelObjects()) {
    ReplayObject(port(), object, discovered[object.kind], start, end, tally);
  }
  // Every metric discovery offers is charted with data on some object of the model.
  for (const auto& [object, metrics] : discovered) {
    for (const UiMetric& metric : metrics) {
      EXPECT_TRUE(tally.metrics_with_data.contains(object + " " + metric.metric_name))
          << object << " " << metric.metric_name << ": no object's default chart had data";
    }
  }
  std::printf(
      "[ replay  ] %s on %.*s: %zu requests, %zu charts with data, %zu empty as the model "
      "says, %zu of %zu discovered metrics charted with data\n",
      GetParam() == CatalogKind::kBuiltIn ? "built-in catalog" : "NumaFlow's default",
      static_cast<int>(BackendName().size()), BackendName().data(), tally.requests,
      tally.charts_with_data, tally.expected_empty, tally.metrics_with_data.size(),
      discovered["mono-vertex"].size() + discovered["vertex"].size());
  EXPECT_GT(tally.charts_with_data, tally.requests / 2);
}

INSTANTIATE_TEST_SUITE_P(Catalogs, NumaFlowUiReplay,
                         ::testing::Values(CatalogKind::kBuiltIn, CatalogKind::kNumaFlowDefault),
                         CatalogName);

}  // namespace
}  // namespace nfmetrics::testing
