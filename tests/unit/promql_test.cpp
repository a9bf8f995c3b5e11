#include "nfmetrics/service/promql.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace nfmetrics::service {
namespace {

using std::chrono::minutes;

MetricRequest MonoVertexRequest(std::string_view metric, std::vector<std::string> pods = {},
                                std::vector<std::string> group_by = {}) {
  const MetricSpec* spec = DefaultCatalog().Find(metric, ObjectKind::kMonoVertex);
  EXPECT_NE(spec, nullptr) << metric;
  MetricRequest request{.metric = spec,
                        .object = {.kind = ObjectKind::kMonoVertex, .ns = *Namespace::Parse("ns")},
                        .start = {},
                        .end = {}};
  request.object.mvtx = *MonoVertexName::Parse("mv");
  if (!pods.empty()) request.filters.push_back({"pod", std::move(pods)});
  for (const std::string& name : group_by) request.group_by.push_back(spec->FindDimension(name));
  return request;
}

MetricRequest VertexRequest(std::string_view metric, std::vector<std::string> group_by = {}) {
  const MetricSpec* spec = DefaultCatalog().Find(metric, ObjectKind::kVertex);
  EXPECT_NE(spec, nullptr) << metric;
  MetricRequest request{.metric = spec,
                        .object = {.kind = ObjectKind::kVertex, .ns = *Namespace::Parse("ns")},
                        .start = {},
                        .end = {}};
  request.object.pipeline = *PipelineName::Parse("shop");
  request.object.vertex = *VertexName::Parse("out");
  for (const std::string& name : group_by) request.group_by.push_back(spec->FindDimension(name));
  return request;
}

std::string Build(const MetricRequest& request, std::optional<double> quantile = 0.95,
                  Duration window = minutes(5)) {
  return BuildMetricQuery(request, quantile, window);
}

TEST(EscapePromqlString, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(EscapePromqlString(R"(a"b)"), R"(a\"b)");
  EXPECT_EQ(EscapePromqlString(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(EscapePromqlString(R"(\")"), R"(\\\")");
}

TEST(EscapePromqlString, NeverEmitsARawNewlineOrControlCharacter) {
  EXPECT_EQ(EscapePromqlString("a\nb"), R"(a\nb)");
  EXPECT_EQ(EscapePromqlString("a\tb\r"), R"(a\tb\r)");
  EXPECT_EQ(EscapePromqlString(std::string("a\x01z", 3)), R"(a\x01z)");
}

TEST(EscapePromqlString, KeepsAnInjectionAttemptInsideTheString) {
  std::string escaped = EscapePromqlString(R"(x"} or vector(1) #)");
  EXPECT_EQ(escaped, R"(x\"} or vector(1) #)");
  // Every quote in the output is escaped, so the string literal cannot be closed early.
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '"') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(escaped[i - 1], '\\');
    }
  }
}

TEST(EscapeRegex, EscapesEveryRe2Metacharacter) {
  EXPECT_EQ(EscapeRegex("a.b"), R"(a\.b)");
  EXPECT_EQ(EscapeRegex(R"(.+*?()|[]{}^$\)"), R"(\.\+\*\?\(\)\|\[\]\{\}\^\$\\)");
  EXPECT_EQ(EscapeRegex("plain-name-0"), "plain-name-0");
}

TEST(BuildMetricQuery, SinkLatencyAggregateGroupsByLeOnlyAndConvertsToSeconds) {
  EXPECT_EQ(Build(MonoVertexRequest("sink-latency")),
            "histogram_quantile(0.95, sum by(le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
            "mvtx_name=\"mv\"}[5m]))) / 1e6");
}

TEST(BuildMetricQuery, GroupByPodFollowsNumaFlowsTemplate) {
  EXPECT_EQ(
      Build(MonoVertexRequest("sink-latency", {}, {"pod"}), 0.5, minutes(1)),
      "histogram_quantile(0.5, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\"}[1m]))) / 1e6");
}

TEST(BuildMetricQuery, SeveralDimensionsKeepTheirOrder) {
  std::string query = Build(MonoVertexRequest("processing-latency", {}, {"mvtx_replica", "pod"}));
  EXPECT_NE(query.find("sum by(mvtx_replica,pod,le) (rate(monovtx_processing_time_bucket{"),
            std::string::npos)
      << query;
}

TEST(BuildMetricQuery, OnePodIsAnEqualityMatcherAfterTheOthers) {
  EXPECT_EQ(
      Build(MonoVertexRequest("sink-latency", {"mv-mv-0-abcde"}, {"pod"})),
      "histogram_quantile(0.95, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace=\"ns\","
      "mvtx_name=\"mv\",pod=\"mv-mv-0-abcde\"}[5m]))) / 1e6");
}

TEST(BuildMetricQuery, SeveralPodsAreOneEscapedRegexAlternation) {
  std::string query = Build(MonoVertexRequest("sink-latency", {"a.b", "c"}));
  EXPECT_NE(query.find(R"(,pod=~"a\\.b|c"})"), std::string::npos) << query;
}

TEST(BuildMetricQuery, QuantileIsWrittenInShortestForm) {
  MetricRequest request = MonoVertexRequest("sink-latency");
  EXPECT_NE(Build(request, 0.999).find("histogram_quantile(0.999, "), std::string::npos);
  EXPECT_NE(Build(request, 1).find("histogram_quantile(1, "), std::string::npos);
  EXPECT_NE(Build(request, 0).find("histogram_quantile(0, "), std::string::npos);
}

TEST(BuildMetricQuery, WindowIsAPrometheusDuration) {
  EXPECT_NE(
      Build(MonoVertexRequest("sink-latency"), 0.95, std::chrono::seconds(90)).find("[1m30s]"),
      std::string::npos);
}

TEST(BuildMetricQuery, FilterValuesAreEscapedInsideTheirStringLiteral) {
  MetricRequest request = MonoVertexRequest("sink-latency");
  request.filters.push_back({"mvtx_replica", {R"(0"} or vector(1) #)"}});
  std::string query = Build(request);
  EXPECT_NE(query.find(R"(mvtx_replica="0\"} or vector(1) #"})"), std::string::npos) << query;
}

TEST(BuildMetricQuery, AVertexIsSelectedByNamespacePipelineAndVertex) {
  EXPECT_EQ(Build(VertexRequest("sink-latency", {"pod"}), 0.99),
            "histogram_quantile(0.99, sum by(pod,le) (rate(forwarder_write_processing_time_bucket{"
            "namespace=\"ns\",pipeline=\"shop\",vertex=\"out\"}[5m]))) / 1e6");
}

TEST(BuildMetricQuery, ARateIsNotConvertedAndDropsAnEmptyDimensionList) {
  EXPECT_EQ(Build(MonoVertexRequest("read-throughput"), std::nullopt, minutes(2)),
            "sum(rate(monovtx_read_total{namespace=\"ns\",mvtx_name=\"mv\"}[2m])) by ()");
  EXPECT_EQ(Build(MonoVertexRequest("read-throughput", {}, {"pod"}), std::nullopt, minutes(2)),
            "sum(rate(monovtx_read_total{namespace=\"ns\",mvtx_name=\"mv\"}[2m])) by (pod)");
}

TEST(BuildMetricQuery, TheVertexGaugeKeepsItsFixedGroupingLabels) {
  EXPECT_EQ(Build(VertexRequest("pending"), std::nullopt),
            "sum(max(vertex_pending_messages{namespace=\"ns\",pipeline=\"shop\",vertex=\"out\"}) "
            "by (partition_name, period)) by (period)");
}

TEST(SelectsObjectPodsByName, MetricsWithoutTheObjectsLabelsButPerPod) {
  const Catalog& catalog = DefaultCatalog();
  for (ObjectKind kind : {ObjectKind::kMonoVertex, ObjectKind::kVertex}) {
    for (const char* metric : {"pod-cpu-utilization", "pod-memory-utilization",
                               "container-cpu-utilization", "container-memory-utilization"}) {
      EXPECT_TRUE(SelectsObjectPodsByName(*catalog.Find(metric, kind), kind)) << metric;
    }
    for (const char* metric : {"sink-latency", "read-throughput", "pending"}) {
      EXPECT_FALSE(SelectsObjectPodsByName(*catalog.Find(metric, kind), kind)) << metric;
    }
  }
  // Neither the object's labels, nor a pod filter, nor the object's dimension: nothing to go by.
  Result<Catalog> custom = LoadCatalog(R"(
patterns:
  - name: queue
    objects: [mono-vertex, vertex]
    expr: sum($metric_name{$filters})
    metrics:
      - metric_name: my_queue_depth
        required_filters: [namespace]
        dimensions:
          - name: mono-vertex
)",
                                       "custom.yaml");
  ASSERT_TRUE(custom.ok()) << custom.error().message;
  const MetricSpec& depth = custom->patterns()[0].metrics[0];
  EXPECT_TRUE(SelectsObjectPodsByName(depth, ObjectKind::kMonoVertex));
  EXPECT_FALSE(SelectsObjectPodsByName(depth, ObjectKind::kVertex));
}

TEST(BuildMetricQuery, AContainerMetricIsNarrowedToTheObjectsPodsByName) {
  EXPECT_EQ(Build(MonoVertexRequest("container-cpu-utilization"), std::nullopt, minutes(5)),
            "avg_over_time(namespace_app_container_cpu_utilization{namespace=\"ns\","
            "pod=~\"mv-mv-[0-9]+-[a-z0-9]{5}\"}[5m])");
  EXPECT_EQ(Build(VertexRequest("container-memory-utilization"), std::nullopt, minutes(5)),
            "avg_over_time(namespace_app_container_memory_utilization{namespace=\"ns\","
            "pod=~\"shop-out-[0-9]+-[a-z0-9]{5}\"}[5m])");
}

TEST(BuildMetricQuery, APodScopedMetricIsNarrowedToTheMonoVertexsPodsByName) {
  EXPECT_EQ(Build(MonoVertexRequest("pod-cpu-utilization"), std::nullopt, minutes(5)),
            "avg_over_time(namespace_pod_cpu_utilization{namespace=\"ns\","
            "pod=~\"mv-mv-[0-9]+-[a-z0-9]{5}\"}[5m])");
  // An explicit pod filter replaces the name pattern.
  EXPECT_EQ(Build(MonoVertexRequest("pod-cpu-utilization", {"mv-mv-0-abcde"}), std::nullopt),
            "avg_over_time(namespace_pod_cpu_utilization{namespace=\"ns\","
            "pod=\"mv-mv-0-abcde\"}[5m])");
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

TEST(IsObjectPod, OnlyTheObjectsReplicaPodsNotLookAlikesOrTheDaemon) {
  ObjectRef mvtx{.kind = ObjectKind::kMonoVertex, .ns = *Namespace::Parse("ns")};
  mvtx.mvtx = *MonoVertexName::Parse("a");
  EXPECT_TRUE(IsObjectPod(mvtx, "a-mv-0-abcde"));
  EXPECT_TRUE(IsObjectPod(mvtx, "a-mv-12-z9m4g"));
  EXPECT_FALSE(IsObjectPod(mvtx, "a-mv-1-mv-0-abcde"));  // a pod of MonoVertex "a-mv-1"
  EXPECT_FALSE(IsObjectPod(mvtx, "a-mv-daemon-7d9f-abcde"));
  EXPECT_FALSE(IsObjectPod(mvtx, "a-mv-0-abcdef"));
  EXPECT_FALSE(IsObjectPod(mvtx, "b-mv-0-abcde"));
  ObjectRef vertex{.kind = ObjectKind::kVertex, .ns = *Namespace::Parse("ns")};
  vertex.pipeline = *PipelineName::Parse("p");
  vertex.vertex = *VertexName::Parse("v");
  EXPECT_TRUE(IsObjectPod(vertex, "p-v-1-abcde"));
  EXPECT_FALSE(IsObjectPod(vertex, "p-v-1-0-abcde"));  // a pod of vertex "v-1"
  EXPECT_EQ(ObjectPodPattern(vertex), "p-v-[0-9]+-[a-z0-9]{5}");
}

TEST(ConfinedNamespace, IsTheRequestsNamespaceWhenTheQueryFiltersByIt) {
  EXPECT_EQ(ConfinedNamespace(MonoVertexRequest("sink-latency")), "ns");
  EXPECT_EQ(ConfinedNamespace(VertexRequest("sink-latency")), "ns");
  EXPECT_EQ(ConfinedNamespace(MonoVertexRequest("sink-latency", {}, {"pod"})), "ns");
}

TEST(ConfinedNamespace, IsNoneWithoutANamespaceMatcherOrWithoutFilters) {
  Result<ExprTemplate> with_filters = ExprTemplate::Parse("sum(rate($metric_name{$filters}[5m]))");
  Result<ExprTemplate> without = ExprTemplate::Parse("sum(rate($metric_name[5m]))");
  ASSERT_TRUE(with_filters.ok() && without.ok());
  const std::vector<Matcher> ns = {{"namespace", false, "payments"}, {"pod", false, "p"}};
  EXPECT_EQ(ConfinedNamespace(*with_filters, ns), "payments");
  EXPECT_EQ(ConfinedNamespace(*without, ns), std::nullopt);
  EXPECT_EQ(ConfinedNamespace(*with_filters, {{"pod", false, "p"}}), std::nullopt);
  EXPECT_EQ(ConfinedNamespace(*with_filters, {{"namespace", true, "pay.*"}}), std::nullopt);
}

}  // namespace
}  // namespace nfmetrics::service
