// The metric catalog: the built-in one holds NumaFlow's defaults, lookups by friendly and metric
// name, units, and how a bad metrics-proxy configuration is reported.
#include "nfmetrics/service/catalog.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace nfmetrics::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kNumaFlowHistogram =
    "histogram_quantile($quantile, sum by($dimension,le) "
    "(rate($metric_name{$filters}[$duration])))";

const Pattern* FindPattern(const Catalog& catalog, std::string_view name) {
  for (const Pattern& pattern : catalog.patterns()) {
    if (pattern.name == name) return &pattern;
  }
  return nullptr;
}

std::vector<std::string> MetricNames(const Pattern& pattern) {
  std::vector<std::string> names;
  for (const MetricSpec& metric : pattern.metrics) names.push_back(metric.metric_name);
  return names;
}

std::vector<std::string> DimensionNames(const MetricSpec& metric) {
  std::vector<std::string> names;
  for (const DimensionSpec& dimension : metric.dimensions) names.push_back(dimension.name);
  return names;
}

// The message of the error LoadCatalog gives for `yaml`, loaded as "cfg.yaml".
std::string LoadError(std::string_view yaml) {
  Result<Catalog> loaded = LoadCatalog(yaml, "cfg.yaml");
  EXPECT_FALSE(loaded.ok()) << "loaded:\n" << yaml;
  if (loaded.ok()) return "";
  EXPECT_EQ(loaded.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(loaded.error().param, "config");
  return loaded.error().message;
}

Catalog MustLoad(std::string_view yaml) {
  Result<Catalog> loaded = LoadCatalog(yaml, "cfg.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  if (!loaded.ok()) return {};
  return std::move(loaded).value();
}

// --- The built-in catalog -----------------------------------------------------------------------

TEST(DefaultCatalog, LoadsFromItsEmbeddedYaml) {
  EXPECT_THAT(std::string(DefaultCatalogYaml()), HasSubstr("mono_vertex_histogram"));
  Result<Catalog> reloaded = LoadCatalog(DefaultCatalogYaml(), "config/metrics-proxy.yaml");
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message;
  EXPECT_EQ(reloaded->patterns().size(), DefaultCatalog().patterns().size());
  EXPECT_FALSE(DefaultCatalog().url().has_value()) << "the built-in catalog names no Prometheus";
}

TEST(DefaultCatalog, HasEveryNumaFlowDefaultPattern) {
  std::vector<std::string> names;
  for (const Pattern& pattern : DefaultCatalog().patterns()) names.push_back(pattern.name);
  EXPECT_THAT(names,
              ElementsAre("mono_vertex_histogram", "vertex_histogram", "mono_vertex_throughput",
                          "vertex_throughput", "mono_vertex_gauge", "vertex_gauge",
                          "pod_cpu_memory_utilization", "container_cpu_memory_utilization"));
}

TEST(DefaultCatalog, PatternsUseNumaFlowsExpressions) {
  const Catalog& catalog = DefaultCatalog();
  auto expr = [&](std::string_view pattern) {
    const Pattern* found = FindPattern(catalog, pattern);
    EXPECT_NE(found, nullptr) << pattern;
    // The text as configured: a YAML block scalar, so it ends in a newline.
    return found == nullptr ? std::string() : found->expr.text();
  };
  EXPECT_THAT(expr("mono_vertex_histogram"), HasSubstr(kNumaFlowHistogram));
  EXPECT_THAT(expr("vertex_histogram"), HasSubstr(kNumaFlowHistogram));
  EXPECT_THAT(expr("mono_vertex_throughput"),
              HasSubstr("sum(rate($metric_name{$filters}[$duration])) by ($dimension)"));
  EXPECT_THAT(expr("vertex_throughput"),
              HasSubstr("sum(rate($metric_name{$filters}[$duration])) by ($dimension)"));
  EXPECT_THAT(expr("mono_vertex_gauge"),
              HasSubstr("sum($metric_name{$filters}) by ($dimension, period)"));
  EXPECT_THAT(expr("vertex_gauge"),
              HasSubstr("sum(max($metric_name{$filters}) by ($dimension, partition_name, "
                        "period)) by ($dimension, period)"));
  EXPECT_THAT(expr("pod_cpu_memory_utilization"),
              HasSubstr("avg_over_time($metric_name{$filters}[$duration])"));
  EXPECT_THAT(expr("container_cpu_memory_utilization"),
              HasSubstr("avg_over_time($metric_name{$filters}[$duration])"));
}

TEST(DefaultCatalog, PatternsApplyToTheirObjects) {
  const Catalog& catalog = DefaultCatalog();
  EXPECT_THAT(FindPattern(catalog, "mono_vertex_histogram")->objects,
              ElementsAre(ObjectKind::kMonoVertex));
  EXPECT_THAT(FindPattern(catalog, "vertex_histogram")->objects, ElementsAre(ObjectKind::kVertex));
  EXPECT_THAT(FindPattern(catalog, "mono_vertex_gauge")->objects,
              ElementsAre(ObjectKind::kMonoVertex));
  EXPECT_THAT(FindPattern(catalog, "vertex_gauge")->objects, ElementsAre(ObjectKind::kVertex));
  EXPECT_THAT(FindPattern(catalog, "pod_cpu_memory_utilization")->objects,
              ElementsAre(ObjectKind::kMonoVertex, ObjectKind::kVertex));
}

TEST(DefaultCatalog, HistogramPatternsRequireQuantileAndDuration) {
  for (std::string_view name : {"mono_vertex_histogram", "vertex_histogram"}) {
    const Pattern* pattern = FindPattern(DefaultCatalog(), name);
    ASSERT_NE(pattern, nullptr) << name;
    std::vector<std::string> params;
    for (const ParamSpec& param : pattern->params) {
      params.push_back(param.name + (param.required ? " (required)" : ""));
    }
    EXPECT_THAT(params,
                ElementsAre("quantile (required)", "duration (required)", "start_time", "end_time"))
        << name;
  }
}

TEST(DefaultCatalog, MonoVertexHistogramHasNumaFlowsMetricsAndTheMissingLatencies) {
  const Pattern* pattern = FindPattern(DefaultCatalog(), "mono_vertex_histogram");
  ASSERT_NE(pattern, nullptr);
  std::vector<std::string> names = MetricNames(*pattern);
  for (std::string_view metric :
       {"monovtx_processing_time_bucket", "monovtx_sink_time_bucket", "monovtx_read_time_bucket",
        "monovtx_ack_time_bucket", "monovtx_transformer_time_bucket", "monovtx_udf_time_bucket",
        "monovtx_fallback_sink_time_bucket", "monovtx_onsuccess_sink_time_bucket",
        "monovtx_nack_time_bucket"}) {
    EXPECT_THAT(names, testing::Contains(std::string(metric)));
  }
}

TEST(DefaultCatalog, MonoVertexHistogramsFilterByNamespaceAndMonoVertexAndGroupByPod) {
  const Pattern* pattern = FindPattern(DefaultCatalog(), "mono_vertex_histogram");
  ASSERT_NE(pattern, nullptr);
  for (const MetricSpec& metric : pattern->metrics) {
    SCOPED_TRACE(metric.metric_name);
    EXPECT_THAT(metric.required_filters, ElementsAre("namespace", "mvtx_name"));
    std::vector<std::string> dimensions = DimensionNames(metric);
    EXPECT_THAT(dimensions, testing::Contains("mono-vertex"));
    EXPECT_THAT(dimensions, testing::Contains("pod"));
    const DimensionSpec* mono_vertex = metric.FindDimension("mono-vertex");
    ASSERT_NE(mono_vertex, nullptr);
    EXPECT_EQ(mono_vertex->label, "mvtx_name");
    const DimensionSpec* pod = metric.FindDimension("pod");
    ASSERT_NE(pod, nullptr);
    EXPECT_EQ(pod->label, "pod");
    ASSERT_EQ(pod->filters.size(), 1u);
    EXPECT_EQ(pod->filters[0].name, "pod");
    EXPECT_FALSE(pod->filters[0].required);
    EXPECT_EQ(metric.pattern, pattern);
  }
}

TEST(DefaultCatalog, VertexHistogramHasTheForwarderLatencies) {
  const Pattern* pattern = FindPattern(DefaultCatalog(), "vertex_histogram");
  ASSERT_NE(pattern, nullptr);
  std::vector<std::string> names = MetricNames(*pattern);
  for (std::string_view metric :
       {"forwarder_read_processing_time_bucket", "forwarder_write_processing_time_bucket",
        "forwarder_processing_time_bucket", "forwarder_udf_processing_time_bucket",
        "forwarder_ack_processing_time_bucket"}) {
    EXPECT_THAT(names, testing::Contains(std::string(metric)));
  }
  for (const MetricSpec& metric : pattern->metrics) {
    SCOPED_TRACE(metric.metric_name);
    EXPECT_THAT(metric.required_filters, ElementsAre("namespace", "pipeline", "vertex"));
    EXPECT_NE(metric.FindDimension("vertex"), nullptr);
    EXPECT_NE(metric.FindDimension("pod"), nullptr);
  }
}

TEST(DefaultCatalog, HasTheThroughputGaugeAndUtilisationMetrics) {
  const Catalog& catalog = DefaultCatalog();
  EXPECT_THAT(MetricNames(*FindPattern(catalog, "mono_vertex_throughput")),
              testing::Contains("monovtx_read_total"));
  EXPECT_THAT(MetricNames(*FindPattern(catalog, "mono_vertex_gauge")),
              testing::Contains("monovtx_pending"));
  EXPECT_THAT(MetricNames(*FindPattern(catalog, "pod_cpu_memory_utilization")),
              ElementsAre("namespace_pod_cpu_utilization", "namespace_pod_memory_utilization"));
  EXPECT_THAT(MetricNames(*FindPattern(catalog, "container_cpu_memory_utilization")),
              ElementsAre("namespace_app_container_cpu_utilization",
                          "namespace_app_container_memory_utilization"));
  const MetricSpec* pending = catalog.FindInPattern("mono_vertex_gauge", "monovtx_pending");
  ASSERT_NE(pending, nullptr);
  const DimensionSpec* mono_vertex = pending->FindDimension("mono-vertex");
  ASSERT_NE(mono_vertex, nullptr);
  ASSERT_EQ(mono_vertex->filters.size(), 1u);
  EXPECT_EQ(mono_vertex->filters[0].name, "period");
}

TEST(DefaultCatalog, EveryMetricPointsAtItsPattern) {
  for (const Pattern& pattern : DefaultCatalog().patterns()) {
    for (const MetricSpec& metric : pattern.metrics) {
      EXPECT_EQ(metric.pattern, &pattern) << metric.metric_name;
    }
  }
}

// --- Lookups ------------------------------------------------------------------------------------

TEST(CatalogFind, SinkLatencyIsTheSinkHistogramOfEachObjectKind) {
  const Catalog& catalog = DefaultCatalog();
  const MetricSpec* mono_vertex = catalog.Find("sink-latency", ObjectKind::kMonoVertex);
  ASSERT_NE(mono_vertex, nullptr);
  EXPECT_EQ(mono_vertex->metric_name, "monovtx_sink_time_bucket");
  EXPECT_EQ(mono_vertex->pattern->name, "mono_vertex_histogram");
  const MetricSpec* vertex = catalog.Find("sink-latency", ObjectKind::kVertex);
  ASSERT_NE(vertex, nullptr);
  EXPECT_EQ(vertex->metric_name, "forwarder_write_processing_time_bucket");
  EXPECT_EQ(vertex->pattern->name, "vertex_histogram");
}

TEST(CatalogFind, FindsByMetricNameWithAndWithoutBucketSuffix) {
  const Catalog& catalog = DefaultCatalog();
  const MetricSpec* sink = catalog.Find("sink-latency", ObjectKind::kMonoVertex);
  EXPECT_EQ(catalog.Find("monovtx_sink_time_bucket", ObjectKind::kMonoVertex), sink);
  EXPECT_EQ(catalog.Find("monovtx_sink_time", ObjectKind::kMonoVertex), sink);
  const MetricSpec* read = catalog.Find("monovtx_read_total", ObjectKind::kMonoVertex);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->pattern->name, "mono_vertex_throughput");
  EXPECT_EQ(catalog.Find("monovtx_read", ObjectKind::kMonoVertex), nullptr)
      << "only _bucket may be left off";
}

TEST(CatalogFind, OnlyFindsMetricsForTheAskedObjectKind) {
  const Catalog& catalog = DefaultCatalog();
  EXPECT_EQ(catalog.Find("monovtx_sink_time_bucket", ObjectKind::kVertex), nullptr);
  EXPECT_EQ(catalog.Find("forwarder_write_processing_time", ObjectKind::kMonoVertex), nullptr);
  EXPECT_NE(catalog.Find("pod-cpu-utilization", ObjectKind::kMonoVertex), nullptr);
  EXPECT_NE(catalog.Find("pod-cpu-utilization", ObjectKind::kVertex), nullptr);
}

TEST(CatalogFind, UnknownNameIsNull) {
  const Catalog& catalog = DefaultCatalog();
  EXPECT_EQ(catalog.Find("no-such-metric", ObjectKind::kMonoVertex), nullptr);
  EXPECT_EQ(catalog.Find("", ObjectKind::kMonoVertex), nullptr);
  EXPECT_EQ(catalog.Find("_bucket", ObjectKind::kMonoVertex), nullptr);
}

TEST(CatalogFind, KnowsNamesOfEitherObjectKind) {
  const Catalog& catalog = DefaultCatalog();
  EXPECT_TRUE(catalog.Knows("sink-latency"));
  EXPECT_TRUE(catalog.Knows("monovtx_nack_time"));
  EXPECT_TRUE(catalog.Knows("forwarder_write_processing_time_bucket"));
  EXPECT_FALSE(catalog.Knows("no-such-metric"));
  EXPECT_FALSE(catalog.Knows("mono_vertex_histogram")) << "a pattern is not a metric";
}

TEST(CatalogFind, FindInPatternNeedsBothNamesExactly) {
  const Catalog& catalog = DefaultCatalog();
  const MetricSpec* metric =
      catalog.FindInPattern("mono_vertex_histogram", "monovtx_processing_time_bucket");
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->metric_name, "monovtx_processing_time_bucket");
  EXPECT_EQ(catalog.FindInPattern("mono_vertex_histogram", "monovtx_processing_time"), nullptr);
  EXPECT_EQ(catalog.FindInPattern("vertex_histogram", "monovtx_processing_time_bucket"), nullptr);
  EXPECT_EQ(catalog.FindInPattern("nope", "monovtx_processing_time_bucket"), nullptr);
}

TEST(CatalogFind, WellKnownMetricsHaveFriendlyNames) {
  const Catalog& catalog = DefaultCatalog();
  auto api_name = [&](std::string_view metric, ObjectKind kind) {
    const MetricSpec* spec = catalog.Find(metric, kind);
    EXPECT_NE(spec, nullptr) << metric;
    return spec == nullptr ? std::string() : spec->api_name;
  };
  EXPECT_EQ(api_name("monovtx_processing_time_bucket", ObjectKind::kMonoVertex),
            "processing-latency");
  EXPECT_EQ(api_name("monovtx_fallback_sink_time_bucket", ObjectKind::kMonoVertex),
            "fallback-sink-latency");
  EXPECT_EQ(api_name("monovtx_onsuccess_sink_time_bucket", ObjectKind::kMonoVertex),
            "onsuccess-sink-latency");
  EXPECT_EQ(api_name("monovtx_nack_time_bucket", ObjectKind::kMonoVertex), "nack-latency");
  EXPECT_EQ(api_name("forwarder_processing_time_bucket", ObjectKind::kVertex),
            "processing-latency");
  EXPECT_EQ(api_name("monovtx_read_total", ObjectKind::kMonoVertex), "read-throughput");
  EXPECT_EQ(api_name("monovtx_pending", ObjectKind::kMonoVertex), "pending");
}

TEST(ApiNameFor, OtherMetricsUseTheirNameWithDashes) {
  EXPECT_EQ(ApiNameFor("monovtx_sink_time_bucket"), "sink-latency");
  EXPECT_EQ(ApiNameFor("my_custom_time_bucket"), "my-custom-time");
  EXPECT_EQ(ApiNameFor("my_errors_total"), "my-errors-total");
  EXPECT_EQ(ApiNameFor("job:rate5m:sum"), "job-rate5m-sum");
}

// --- Units --------------------------------------------------------------------------------------

TEST(CatalogUnits, MicrosecondHistogramsAreServedInSeconds) {
  const MetricSpec* sink = DefaultCatalog().Find("sink-latency", ObjectKind::kMonoVertex);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->unit, "µs");
  EXPECT_EQ(sink->source_unit, SourceUnit::kMicroseconds);
  EXPECT_EQ(sink->ApiUnit(), "seconds");
  const MetricSpec* vertex = DefaultCatalog().Find("sink-latency", ObjectKind::kVertex);
  ASSERT_NE(vertex, nullptr);
  EXPECT_EQ(vertex->ApiUnit(), "seconds");
}

TEST(CatalogUnits, OtherUnitsPassThrough) {
  const Catalog& catalog = DefaultCatalog();
  const MetricSpec* read = catalog.Find("monovtx_read_total", ObjectKind::kMonoVertex);
  ASSERT_NE(read, nullptr);
  EXPECT_EQ(read->source_unit, SourceUnit::kNone);
  EXPECT_EQ(read->ApiUnit(), "messages/s");
  const MetricSpec* cpu = catalog.Find("namespace_pod_cpu_utilization", ObjectKind::kMonoVertex);
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->ApiUnit(), "%");
}

TEST(CatalogUnits, TimeUnitsAreRecognisedInTheirCommonSpellings) {
  auto source_unit = [](std::string_view unit) {
    Catalog catalog = MustLoad(fmt::format(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{{$filters}})
    metrics:
      - metric_name: m_total
        unit: "{}"
)",
                                           unit));
    return catalog.patterns().empty() ? SourceUnit::kNone
                                      : catalog.patterns()[0].metrics[0].source_unit;
  };
  EXPECT_EQ(source_unit("µs"), SourceUnit::kMicroseconds);  // U+00B5 MICRO SIGN
  EXPECT_EQ(source_unit("μs"), SourceUnit::kMicroseconds);  // U+03BC GREEK SMALL LETTER MU
  EXPECT_EQ(source_unit("us"), SourceUnit::kMicroseconds);
  EXPECT_EQ(source_unit("ms"), SourceUnit::kMilliseconds);
  EXPECT_EQ(source_unit("ns"), SourceUnit::kNanoseconds);
  EXPECT_EQ(source_unit("seconds"), SourceUnit::kSeconds);
  EXPECT_EQ(source_unit("bytes"), SourceUnit::kNone);
}

// --- Loading a user configuration ---------------------------------------------------------------

TEST(LoadCatalog, MinimalConfigWithACustomMetric) {
  Catalog catalog = MustLoad(R"(url: http://prometheus:9090
patterns:
  - name: my_latency
    objects: [mono-vertex]
    expr: histogram_quantile($quantile, sum by($dimension,le) (rate($metric_name{$filters}[$duration])))
    params:
      - name: quantile
        required: true
      - name: duration
        required: true
    metrics:
      - metric_name: my_custom_time_bucket
        required_filters: [namespace, mvtx_name]
        dimensions:
          - name: pod
            filters:
              - name: pod
)");
  ASSERT_TRUE(catalog.url().has_value());
  EXPECT_EQ(*catalog.url(), "http://prometheus:9090");
  ASSERT_EQ(catalog.patterns().size(), 1u);
  const MetricSpec* metric = catalog.Find("my-custom-time", ObjectKind::kMonoVertex);
  ASSERT_NE(metric, nullptr);
  EXPECT_EQ(metric->metric_name, "my_custom_time_bucket");
  EXPECT_EQ(metric->api_name, "my-custom-time");
  EXPECT_EQ(metric->display_name, "my_custom_time_bucket") << "defaults to the metric name";
  EXPECT_EQ(metric->source_unit, SourceUnit::kMicroseconds)
      << "NumaFlow's _time_bucket histograms are in µs when no unit is given";
  EXPECT_EQ(metric->ApiUnit(), "seconds");
  EXPECT_EQ(metric->pattern, &catalog.patterns()[0]);
  EXPECT_EQ(catalog.Find("my_custom_time", ObjectKind::kMonoVertex), metric);
  EXPECT_EQ(catalog.Find("my-custom-time", ObjectKind::kVertex), nullptr);
  EXPECT_EQ(catalog.Find("sink-latency", ObjectKind::kMonoVertex), nullptr)
      << "a user configuration replaces the built-in catalog";
  ASSERT_EQ(metric->AllFilters().size(), 3u);
  EXPECT_EQ(metric->AllFilters()[2].name, "pod");
  EXPECT_FALSE(metric->AllFilters()[2].required);
}

TEST(LoadCatalog, MetricsStillPointAtTheirPatternAfterTheCatalogMoves) {
  Catalog first = MustLoad(R"(patterns:
  - name: a
    objects: [vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: a_total}]
  - name: b
    objects: [vertex]
    expr: max($metric_name{$filters})
    metrics: [{metric_name: b_total}]
)");
  Catalog moved = std::move(first);
  ASSERT_EQ(moved.patterns().size(), 2u);
  EXPECT_EQ(moved.patterns()[1].metrics[0].pattern, &moved.patterns()[1]);
  EXPECT_EQ(moved.Find("b_total", ObjectKind::kVertex)->pattern->name, "b");
}

TEST(LoadCatalog, AcceptsTheLegacySingleObjectKey) {
  Catalog catalog = MustLoad(R"(patterns:
  - name: p
    object: mono-vertex
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
)");
  ASSERT_EQ(catalog.patterns().size(), 1u);
  EXPECT_THAT(catalog.patterns()[0].objects, ElementsAre(ObjectKind::kMonoVertex));
  EXPECT_NE(catalog.Find("m_total", ObjectKind::kMonoVertex), nullptr);
}

TEST(LoadCatalog, AcceptsASingleObjectStringUnderObjects) {
  Catalog catalog = MustLoad(R"(patterns:
  - name: p
    objects: vertex
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
)");
  ASSERT_EQ(catalog.patterns().size(), 1u);
  EXPECT_THAT(catalog.patterns()[0].objects, ElementsAre(ObjectKind::kVertex));
}

TEST(LoadCatalog, ToleratesUnknownNestedKeys) {
  Catalog catalog = MustLoad(R"(patterns:
  - name: p
    objects: [mono-vertex]
    future_key: 1
    expr: sum($metric_name{$filters}) by ($dimension)
    params:
      - name: start_time
        required: false
        hint: x
    metrics:
      - metric_name: m_total
        colour: blue
        dimensions:
          - name: pod
            weight: 3
            filters:
              - name: pod
                required: false
                default: abc
)");
  ASSERT_EQ(catalog.patterns().size(), 1u);
  ASSERT_EQ(catalog.patterns()[0].metrics.size(), 1u);
  EXPECT_NE(catalog.patterns()[0].metrics[0].FindDimension("pod"), nullptr);
}

TEST(LoadCatalog, DimensionMayHaveItsOwnExpression) {
  Catalog catalog = MustLoad(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: pod
            expr: max($metric_name{$filters}) by ($dimension)
          - name: mono-vertex
)");
  const MetricSpec& metric = catalog.patterns().at(0).metrics.at(0);
  ASSERT_NE(metric.FindDimension("pod"), nullptr);
  ASSERT_TRUE(metric.FindDimension("pod")->expr.has_value());
  EXPECT_EQ(metric.FindDimension("pod")->expr->text(),
            "max($metric_name{$filters}) by ($dimension)");
  EXPECT_FALSE(metric.FindDimension("mono-vertex")->expr.has_value());
  EXPECT_EQ(metric.FindDimension("mono-vertex")->label, "mvtx_name");
}

TEST(LoadCatalog, EmptyConfigHasNoPatterns) {
  Catalog catalog = MustLoad("patterns: []\n");
  EXPECT_TRUE(catalog.patterns().empty());
  EXPECT_EQ(catalog.Find("sink-latency", ObjectKind::kMonoVertex), nullptr);
}

// --- Configuration errors: "<source>: <key path>: <reason>" -------------------------------------

TEST(LoadCatalogErrors, UnknownPlaceholderInThePatternExpression) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum by($dim) ($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].expr: "));
  EXPECT_THAT(message, HasSubstr("unknown placeholder \"$dim\" at offset 7"));
}

TEST(LoadCatalogErrors, BadDimensionExpression) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
        dimensions:
          - name: pod
            expr: sum($metric_name{$filters}
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[0].expr: "));
  EXPECT_THAT(message, HasSubstr("unclosed '('"));
}

TEST(LoadCatalogErrors, MissingPatternName) {
  std::string message = LoadError(R"(patterns:
  - objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].name: missing required key"));
}

TEST(LoadCatalogErrors, MissingExpr) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].expr: missing required key"));
}

TEST(LoadCatalogErrors, MissingObjects) {
  std::string message = LoadError(R"(patterns:
  - name: p
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].objects: missing required key"));
}

TEST(LoadCatalogErrors, EmptyObjects) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: []
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].objects: must name at least one"));
}

TEST(LoadCatalogErrors, MissingMetrics) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics: missing required key"));
}

TEST(LoadCatalogErrors, EmptyMetrics) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: []
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics: must list at least one metric"));
}

TEST(LoadCatalogErrors, MissingMetricNameInTheSecondPattern) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
  - name: q
    objects: [vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - display_name: Nameless
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[1].metrics[0].metric_name: missing required key"));
}

TEST(LoadCatalogErrors, InvalidMetricName) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: "m-total"}]
)");
  EXPECT_THAT(
      message,
      HasSubstr("cfg.yaml: patterns[0].metrics[0].metric_name: \"m-total\" is not a metric name"));
}

TEST(LoadCatalogErrors, BadObjectKind) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex, pipeline]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].objects: unknown object kind \"pipeline\""));
}

TEST(LoadCatalogErrors, BadLegacyObjectKindNamesTheLegacyKey) {
  std::string message = LoadError(R"(patterns:
  - name: p
    object: monovertex
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].object: unknown object kind \"monovertex\""));
}

TEST(LoadCatalogErrors, QuantileUsedWithoutAQuantileParam) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: histogram_quantile($quantile, sum by(le) (rate($metric_name{$filters}[$duration])))
    params:
      - name: duration
        required: true
    metrics: [{metric_name: m_bucket}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].expr: "));
  EXPECT_THAT(message,
              HasSubstr("uses $quantile but the pattern's params do not declare \"quantile\""));
}

TEST(LoadCatalogErrors, DurationUsedWithoutADurationParam) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum(rate($metric_name{$filters}[$duration]))
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].expr: uses $duration"));
}

TEST(LoadCatalogErrors, DimensionExpressionUsingAnUndeclaredParam) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
      - metric_name: n_total
        dimensions:
          - name: mono-vertex
          - name: pod
            expr: sum(rate($metric_name{$filters}[$duration])) by ($dimension)
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].metrics[1].dimensions[1].expr: uses $duration"));
}

TEST(LoadCatalogErrors, UnknownParam) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    params:
      - name: start_time
      - name: step
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].params[1].name: unknown parameter \"step\""));
}

TEST(LoadCatalogErrors, NonBooleanRequired) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    params:
      - name: start_time
        required: maybe
    metrics: [{metric_name: m_total}]
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].params[0].required: must be true or false"));
}

TEST(LoadCatalogErrors, DuplicatePattern) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: m_total}]
  - name: p
    objects: [vertex]
    expr: sum($metric_name{$filters})
    metrics: [{metric_name: n_total}]
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[1].name: pattern \"p\" is defined twice"));
}

TEST(LoadCatalogErrors, DuplicateMetricInAPattern) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
      - metric_name: n_total
      - metric_name: m_total
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics[2].metric_name: metric "
                                 "\"m_total\" is listed twice in this pattern"));
}

TEST(LoadCatalogErrors, DuplicateDimension) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: pod
          - name: mono-vertex
          - name: pod
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[2].name: dimension "
                                 "\"pod\" is declared twice"));
}

TEST(LoadCatalogErrors, MissingDimensionFilterName) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: mono-vertex
          - name: pod
            filters:
              - required: false
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[1].filters[0].name: "
                                 "missing required key"));
}

TEST(LoadCatalogErrors, InvalidDimensionFilterName) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: mono-vertex
          - name: pod
            filters:
              - name: "pod name"
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[1].filters[0].name: "
                                 "\"pod name\" is not a label name"));
}

TEST(LoadCatalogErrors, InvalidDimensionName) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: mono-vertex
          - name: my-pod
)");
  EXPECT_THAT(message,
              HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[1].name: \"my-pod\""));
}

TEST(LoadCatalogErrors, InvalidRequiredFilter) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
        required_filters: [namespace, "mvtx name"]
)");
  EXPECT_THAT(
      message,
      HasSubstr("cfg.yaml: patterns[0].metrics[0].required_filters[1]: must be a label name"));
}

TEST(LoadCatalogErrors, InvalidYamlNamesTheLine) {
  std::string message = LoadError("patterns:\n  - name: a\n     bad: 1\n");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: line 3: "));
}

TEST(LoadCatalogErrors, TabIndentationNamesTheLine) {
  std::string message = LoadError("patterns:\n  - name: a\n\tobjects: x\n");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: line 3: "));
}

TEST(LoadCatalogErrors, UnknownTopLevelKey) {
  std::string message = LoadError(R"(url: http://prometheus:9090
pattern:
  - name: p
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: pattern: unknown key"));
}

TEST(LoadCatalogErrors, TopLevelMustBeAMap) {
  EXPECT_THAT(LoadError("- a\n- b\n"), HasSubstr("cfg.yaml: "));
  EXPECT_THAT(LoadError("- a\n- b\n"), HasSubstr("must be a map"));
  EXPECT_THAT(LoadError(""), HasSubstr("must be a map"));
}

TEST(LoadCatalogErrors, UrlMustBeAString) {
  EXPECT_THAT(LoadError("url: [a, b]\npatterns: []\n"),
              HasSubstr("cfg.yaml: url: must be a string"));
}

TEST(LoadCatalogErrors, PatternsMustBeAList) {
  std::string message = LoadError("patterns: mono_vertex_histogram\n");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns: must be a list"));
}

TEST(LoadCatalogErrors, MetricsMustBeAList) {
  std::string message = LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics: m_total
)");
  EXPECT_THAT(message, HasSubstr("cfg.yaml: patterns[0].metrics: must be a list"));
}

TEST(LoadCatalogErrors, DimensionsAndFiltersMustBeLists) {
  EXPECT_THAT(LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions: pod
)"),
              HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions: must be a list"));
  EXPECT_THAT(LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: m_total
        dimensions:
          - name: pod
            filters: {name: pod}
)"),
              HasSubstr("cfg.yaml: patterns[0].metrics[0].dimensions[0].filters: must be a list"));
  EXPECT_THAT(LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    params: {name: duration}
    metrics: [{metric_name: m_total}]
)"),
              HasSubstr("cfg.yaml: patterns[0].params: must be a list"));
  EXPECT_THAT(LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: m_total
        required_filters: namespace
)"),
              HasSubstr("cfg.yaml: patterns[0].metrics[0].required_filters: must be a list"));
}

TEST(LoadCatalogErrors, PatternMustBeAMap) {
  EXPECT_THAT(LoadError("patterns:\n  - just a string\n"),
              HasSubstr("cfg.yaml: patterns[0]: must be a map"));
}

TEST(LoadCatalogErrors, ExprMustBeAString) {
  EXPECT_THAT(LoadError(R"(patterns:
  - name: p
    objects: [mono-vertex]
    expr: [sum]
    metrics: [{metric_name: m_total}]
)"),
              HasSubstr("cfg.yaml: patterns[0].expr: must be a string"));
}

TEST(LoadCatalogFile, UnreadableFileIsAnError) {
  Result<Catalog> loaded = LoadCatalogFile("/nonexistent/metrics-proxy.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().param, "config");
  EXPECT_THAT(loaded.error().message, HasSubstr("/nonexistent/metrics-proxy.yaml"));
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

// NumaFlow's UI formats latencies and splits pending messages by period by matching these display
// names exactly; the built-in catalog must use them.
TEST(DefaultCatalogDisplayNames, AreTheOnesNumaFlowsUiMatchesOn) {
  const std::pair<const char*, const char*> expected[] = {
      {"monovtx_processing_time_bucket", "MonoVertex Processing Time Latency"},
      {"monovtx_sink_time_bucket", "MonoVertex Sink Write Time Latency"},
      {"monovtx_read_time_bucket", "MonoVertex Read Time Latency"},
      {"monovtx_ack_time_bucket", "MonoVertex Ack Time Latency"},
      {"monovtx_transformer_time_bucket", "MonoVertex Transformer Processing Time Latency"},
      {"monovtx_fallback_sink_time_bucket", "MonoVertex Fallback Sink Write Time Latency"},
      {"monovtx_read_total", "MonoVertex Read Processing Rate"},
      {"monovtx_pending", "MonoVertex Pending Messages"},
      {"forwarder_processing_time_bucket", "Vertex Processing Time Latency"},
      {"forwarder_write_processing_time_bucket", "Vertex Write Processing Time Latency"},
      {"forwarder_read_processing_time_bucket", "Vertex Read Processing Time Latency"},
      {"forwarder_udf_processing_time_bucket", "UDF Processing Time Latency"},
      {"forwarder_data_read_total", "Vertex Read Processing Rate"},
      {"vertex_pending_messages", "Vertex Pending Messages"},
      {"namespace_pod_cpu_utilization", "Pod CPU Utilization"},
      {"namespace_app_container_memory_utilization", "Container Memory Utilization"},
  };
  for (const auto& [metric_name, display_name] : expected) {
    const MetricSpec* metric = DefaultCatalog().Find(metric_name, ObjectKind::kMonoVertex);
    if (metric == nullptr) metric = DefaultCatalog().Find(metric_name, ObjectKind::kVertex);
    ASSERT_NE(metric, nullptr) << metric_name;
    EXPECT_EQ(metric->display_name, display_name) << metric_name;
  }
}

}  // namespace
}  // namespace nfmetrics::service

// --- NumaFlow's default configuration
// -------------------------------------------------------------

namespace nfmetrics::service {
namespace {

// NumaFlow's default metrics-proxy configuration as NUMAFLOW.md ("Its default config") describes
// it: what tests/data/numaflow-default-config.yaml must hold exactly, and what the built-in
// catalog must hold at least.
struct DefaultFilter {
  std::string_view name;
  bool required;
};
struct DefaultDimension {
  std::string_view name;
  std::vector<DefaultFilter> filters;
};
struct DefaultPattern {
  std::string_view name;
  std::vector<ObjectKind> objects;
  std::string_view expr;
  std::vector<DefaultFilter> params;
  std::vector<std::string_view> metrics;
  std::vector<std::string_view> required_filters;
  std::vector<DefaultDimension> dimensions;  // every metric of the pattern has these
};

const std::vector<DefaultPattern>& NumaFlowDefault() {
  static const auto* patterns = new std::vector<DefaultPattern>{
      {"mono_vertex_histogram",
       {ObjectKind::kMonoVertex},
       "histogram_quantile($quantile, sum by($dimension,le) "
       "(rate($metric_name{$filters}[$duration])))",
       {{"quantile", true}, {"duration", true}},
       {"monovtx_processing_time_bucket", "monovtx_sink_time_bucket", "monovtx_read_time_bucket",
        "monovtx_ack_time_bucket", "monovtx_transformer_time_bucket", "monovtx_udf_time_bucket"},
       {"namespace", "mvtx_name"},
       {{"mono-vertex", {}}, {"pod", {{"pod", false}}}}},
      {"vertex_histogram",
       {ObjectKind::kVertex},
       "histogram_quantile($quantile, sum by($dimension,le) "
       "(rate($metric_name{$filters}[$duration])))",
       {{"quantile", true}, {"duration", true}},
       {"forwarder_write_processing_time_bucket", "forwarder_read_processing_time_bucket",
        "forwarder_ack_processing_time_bucket", "forwarder_processing_time_bucket",
        "forwarder_udf_processing_time_bucket"},
       {"namespace", "pipeline", "vertex"},
       {{"vertex", {}}, {"pod", {{"pod", false}}}}},
      {"mono_vertex_throughput",
       {ObjectKind::kMonoVertex},
       "sum(rate($metric_name{$filters}[$duration])) by ($dimension)",
       {{"duration", true}},
       {"monovtx_read_total", "monovtx_sink_write_total", "monovtx_udf_error_total",
        "monovtx_udf_drop_total"},
       {"namespace", "mvtx_name"},
       {{"mono-vertex", {}}, {"pod", {{"pod", false}}}}},
      {"vertex_throughput",
       {ObjectKind::kVertex},
       "sum(rate($metric_name{$filters}[$duration])) by ($dimension)",
       {{"duration", true}},
       {"forwarder_data_read_total", "forwarder_write_total", "forwarder_udf_read_total",
        "forwarder_udf_write_total"},
       {"namespace", "pipeline", "vertex"},
       {{"vertex", {}}, {"pod", {{"pod", false}}}}},
      {"mono_vertex_gauge",
       {ObjectKind::kMonoVertex},
       "sum($metric_name{$filters}) by ($dimension, period)",
       {},
       {"monovtx_pending"},
       {"namespace", "mvtx_name"},
       {{"pod", {{"pod", false}, {"period", false}}}, {"mono-vertex", {{"period", false}}}}},
      {"vertex_gauge",
       {ObjectKind::kVertex},
       "sum(max($metric_name{$filters}) by ($dimension,partition_name,period)) by ($dimension, "
       "period)",
       {},
       {"vertex_pending_messages"},
       {"namespace", "pipeline", "vertex"},
       {{"vertex", {{"period", false}}}}},
      {"pod_cpu_memory_utilization",
       {ObjectKind::kMonoVertex, ObjectKind::kVertex},
       "avg_over_time($metric_name{$filters}[$duration])",
       {{"duration", true}},
       {"namespace_pod_cpu_utilization", "namespace_pod_memory_utilization"},
       {"namespace", "pod"},
       {{"mono-vertex", {{"pod", false}}}, {"vertex", {{"pod", false}}}}},
      {"container_cpu_memory_utilization",
       {ObjectKind::kMonoVertex, ObjectKind::kVertex},
       "avg_over_time($metric_name{$filters}[$duration])",
       {{"duration", true}},
       {"namespace_app_container_cpu_utilization", "namespace_app_container_memory_utilization"},
       {"namespace"},
       {{"mono-vertex", {{"container", false}}}, {"vertex", {{"container", false}}}}},
  };
  return *patterns;
}

// PromQL text without whitespace: `by ($dimension, period)` and `by($dimension,period)` are one.
std::string WithoutSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}

Catalog LoadFixture() {
  Result<Catalog> loaded =
      LoadCatalogFile(NFMETRICS_SOURCE_DIR "/tests/data/numaflow-default-config.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  return loaded.ok() ? std::move(loaded).value() : Catalog();
}

TEST(NumaFlowDefaultFixture, HoldsExactlyNumaFlowsEightDefaultPatterns) {
  const Catalog fixture = LoadFixture();
  EXPECT_FALSE(fixture.url().has_value());
  ASSERT_EQ(fixture.patterns().size(), NumaFlowDefault().size());
  for (std::size_t i = 0; i < NumaFlowDefault().size(); ++i) {
    const DefaultPattern& want = NumaFlowDefault()[i];
    const Pattern& got = fixture.patterns()[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.objects, want.objects);
    EXPECT_EQ(WithoutSpaces(got.expr.text()), WithoutSpaces(want.expr));
    ASSERT_EQ(got.params.size(), want.params.size());
    for (std::size_t p = 0; p < want.params.size(); ++p) {
      EXPECT_EQ(got.params[p].name, want.params[p].name);
      EXPECT_EQ(got.params[p].required, want.params[p].required);
    }
    ASSERT_EQ(got.metrics.size(), want.metrics.size());
    for (std::size_t m = 0; m < want.metrics.size(); ++m) {
      const MetricSpec& metric = got.metrics[m];
      SCOPED_TRACE(metric.metric_name);
      EXPECT_EQ(metric.metric_name, want.metrics[m]);
      EXPECT_EQ(metric.unit, "");
      EXPECT_EQ(std::vector<std::string_view>(metric.required_filters.begin(),
                                              metric.required_filters.end()),
                want.required_filters);
      ASSERT_EQ(metric.dimensions.size(), want.dimensions.size());
      for (std::size_t d = 0; d < want.dimensions.size(); ++d) {
        const DimensionSpec& dimension = metric.dimensions[d];
        EXPECT_EQ(dimension.name, want.dimensions[d].name);
        EXPECT_FALSE(dimension.expr.has_value());
        ASSERT_EQ(dimension.filters.size(), want.dimensions[d].filters.size()) << dimension.name;
        for (std::size_t f = 0; f < dimension.filters.size(); ++f) {
          EXPECT_EQ(dimension.filters[f].name, want.dimensions[d].filters[f].name);
          EXPECT_EQ(dimension.filters[f].required, want.dimensions[d].filters[f].required);
        }
      }
    }
  }
}

// Every pattern and metric of NumaFlow's default, with the same pattern_name, objects, expression,
// params, required filters, and dimensions with their filters; the built-in may add metrics,
// dimensions, optional filters and optional params.
TEST(DefaultCatalog, IsASupersetOfNumaFlowsDefaultConfig) {
  const Catalog& built_in = DefaultCatalog();
  std::size_t metrics = 0;
  for (const DefaultPattern& want : NumaFlowDefault()) {
    SCOPED_TRACE(want.name);
    const Pattern* pattern = FindPattern(built_in, want.name);
    ASSERT_NE(pattern, nullptr);
    EXPECT_EQ(pattern->objects, want.objects);
    EXPECT_EQ(WithoutSpaces(pattern->expr.text()), WithoutSpaces(want.expr));
    for (const DefaultFilter& param : want.params) {
      const ParamSpec* got = pattern->FindParam(param.name);
      ASSERT_NE(got, nullptr) << param.name;
      EXPECT_EQ(got->required, param.required) << param.name;
    }
    for (const ParamSpec& param : pattern->params) {
      bool numaflows = std::any_of(want.params.begin(), want.params.end(),
                                   [&](const DefaultFilter& p) { return p.name == param.name; });
      EXPECT_TRUE(numaflows || !param.required)
          << "an extra param must be optional: " << param.name;
    }
    for (std::string_view metric_name : want.metrics) {
      SCOPED_TRACE(metric_name);
      const MetricSpec* metric = built_in.FindInPattern(want.name, metric_name);
      ASSERT_NE(metric, nullptr);
      ++metrics;
      EXPECT_EQ(std::vector<std::string_view>(metric->required_filters.begin(),
                                              metric->required_filters.end()),
                want.required_filters);
      for (const DefaultDimension& dimension : want.dimensions) {
        const DimensionSpec* got = metric->FindDimension(dimension.name);
        ASSERT_NE(got, nullptr) << dimension.name;
        EXPECT_FALSE(got->expr.has_value()) << dimension.name;
        for (const DefaultFilter& filter : dimension.filters) {
          auto it = std::find_if(got->filters.begin(), got->filters.end(),
                                 [&](const FilterSpec& f) { return f.name == filter.name; });
          ASSERT_NE(it, got->filters.end()) << dimension.name << " " << filter.name;
          EXPECT_EQ(it->required, filter.required) << dimension.name << " " << filter.name;
        }
      }
      // What the built-in adds is optional: a dimension filter NumaFlow's does not have is not
      // required unless the metric already requires that label.
      for (const DimensionSpec& dimension : metric->dimensions) {
        for (const FilterSpec& filter : dimension.filters) {
          bool required_anyway =
              std::find(want.required_filters.begin(), want.required_filters.end(), filter.name) !=
              want.required_filters.end();
          EXPECT_TRUE(!filter.required || required_anyway) << dimension.name << " " << filter.name;
        }
      }
    }
  }
  // 29 charts in NumaFlow's UI: the four utilisations are charted for both object kinds.
  EXPECT_EQ(metrics, 25u);
}

TEST(DefaultCatalog, NumaFlowsThroughputCountersHaveFriendlyNames) {
  const Catalog& catalog = DefaultCatalog();
  const std::pair<std::string_view, ObjectKind> write[] = {
      {"monovtx_sink_write_total", ObjectKind::kMonoVertex},
      {"forwarder_write_total", ObjectKind::kVertex}};
  for (const auto& [metric_name, kind] : write) {
    const MetricSpec* metric = catalog.Find("write-throughput", kind);
    ASSERT_NE(metric, nullptr) << metric_name;
    EXPECT_EQ(metric->metric_name, metric_name);
    EXPECT_EQ(metric->ApiUnit(), "messages/s");
  }
  for (const auto& [api_name, metric_name, kind] :
       {std::tuple{"udf-read-throughput", "forwarder_udf_read_total", ObjectKind::kVertex},
        std::tuple{"udf-write-throughput", "forwarder_udf_write_total", ObjectKind::kVertex},
        std::tuple{"udf-error-rate", "monovtx_udf_error_total", ObjectKind::kMonoVertex},
        std::tuple{"udf-drop-rate", "monovtx_udf_drop_total", ObjectKind::kMonoVertex}}) {
    const MetricSpec* metric = catalog.Find(api_name, kind);
    ASSERT_NE(metric, nullptr) << api_name;
    EXPECT_EQ(metric->metric_name, metric_name);
    EXPECT_EQ(ApiNameFor(metric_name), api_name);
  }
}

// --- Dimensions per object kind
// -------------------------------------------------------------------

std::vector<std::string> NamesFor(const MetricSpec& metric, ObjectKind kind) {
  std::vector<std::string> names;
  for (const DimensionSpec* dimension : metric.DimensionsFor(kind)) {
    names.push_back(dimension->name);
  }
  return names;
}

TEST(DimensionsFor, AMetricOfBothKindsDropsTheOtherKindsDimension) {
  const Catalog& catalog = DefaultCatalog();
  const MetricSpec* pod_cpu =
      catalog.FindInPattern("pod_cpu_memory_utilization", "namespace_pod_cpu_utilization");
  ASSERT_NE(pod_cpu, nullptr);
  EXPECT_THAT(NamesFor(*pod_cpu, ObjectKind::kMonoVertex), ElementsAre("mono-vertex", "pod"));
  EXPECT_THAT(NamesFor(*pod_cpu, ObjectKind::kVertex), ElementsAre("vertex", "pod"));
  const MetricSpec* container = catalog.FindInPattern("container_cpu_memory_utilization",
                                                      "namespace_app_container_memory_utilization");
  ASSERT_NE(container, nullptr);
  EXPECT_THAT(NamesFor(*container, ObjectKind::kMonoVertex),
              ElementsAre("mono-vertex", "container"));
  EXPECT_THAT(NamesFor(*container, ObjectKind::kVertex), ElementsAre("vertex", "container"));
  // NumaFlow's own default: only the object's dimension is left.
  const Catalog fixture = LoadFixture();
  const MetricSpec* numaflow_container = fixture.FindInPattern(
      "container_cpu_memory_utilization", "namespace_app_container_cpu_utilization");
  ASSERT_NE(numaflow_container, nullptr);
  EXPECT_THAT(NamesFor(*numaflow_container, ObjectKind::kMonoVertex), ElementsAre("mono-vertex"));
  EXPECT_THAT(NamesFor(*numaflow_container, ObjectKind::kVertex), ElementsAre("vertex"));
}

TEST(DimensionsFor, AMetricOfOneKindKeepsEveryDimension) {
  const MetricSpec* sink = DefaultCatalog().Find("sink-latency", ObjectKind::kMonoVertex);
  ASSERT_NE(sink, nullptr);
  EXPECT_THAT(NamesFor(*sink, ObjectKind::kMonoVertex),
              ElementsAre("mono-vertex", "pod", "mvtx_replica"));
  // Only a pattern of both kinds loses a dimension: one of one kind keeps even a `vertex` one.
  Catalog catalog = MustLoad(R"(
patterns:
  - name: odd
    objects: [mono-vertex]
    expr: sum($metric_name{$filters}) by ($dimension)
    metrics:
      - metric_name: my_gauge
        dimensions:
          - name: mono-vertex
          - name: vertex
)");
  const MetricSpec* odd = catalog.FindInPattern("odd", "my_gauge");
  ASSERT_NE(odd, nullptr);
  EXPECT_THAT(NamesFor(*odd, ObjectKind::kMonoVertex), ElementsAre("mono-vertex", "vertex"));
}

}  // namespace
}  // namespace nfmetrics::service
