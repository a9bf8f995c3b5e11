// NumaFlow's server metrics API as a drop-in: golden tests written from NumaFlow's documented
// request, expressions and answer shapes (docs/NUMAFLOW.md), with the built-in catalog.
#include "http/numaflow_api.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "http/error_response.hpp"
#include "http/handlers/numaflow.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "service/proxy_plan.hpp"

namespace nfmetrics::http {
namespace {

using service::DefaultCatalog;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TimePoint At(std::string_view rfc3339) {
  Result<TimePoint> parsed = service::ParseTimestamp(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? *parsed : TimePoint();
}

// A moment that is on no minute boundary, so alignment shows.
const TimePoint kNow = At("2026-11-23T10:07:31.250Z");

// A metrics-proxy body, written with a JSON writer so that any value can be sent.
struct Body {
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::pair<std::string, std::string>> filters;

  std::string Json() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    for (const auto& [name, value] : fields) {
      writer.Key(name.c_str());
      writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
    writer.Key("filters");
    writer.StartObject();
    for (const auto& [name, value] : filters) {
      writer.Key(name.c_str());
      writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    }
    writer.EndObject();
    writer.EndObject();
    return buffer.GetString();
  }
};

Body MonoVertexHistogram(std::string dimension = "pod") {
  return {{{"pattern_name", "mono_vertex_histogram"},
           {"metric_name", "monovtx_processing_time_bucket"},
           {"dimension", std::move(dimension)},
           {"quantile", "0.99"},
           {"duration", "1m"}},
          {{"namespace", "default"}, {"mvtx_name", "simple-mono-vertex"}}};
}

Body PodCpu(std::string pod) {
  return {{{"pattern_name", "pod_cpu_memory_utilization"},
           {"metric_name", "namespace_pod_cpu_utilization"},
           {"dimension", "pod"},
           {"duration", "1m"}},
          {{"namespace", "default"}, {"pod", std::move(pod)}}};
}

using service::ProxyQuery;

// The body as the handler decodes and the service plans it: the one range query it runs.
Result<prometheus::RangeQuery> Parse(std::string_view body, TimePoint now = kNow) {
  Result<ProxyQuery> query = DecodeProxyQuery(DefaultCatalog(), body, now);
  if (!query.ok()) return std::move(query).error();
  return service::PlanProxy(*query);
}

std::string PromqlOf(const Body& body) {
  Result<prometheus::RangeQuery> query = Parse(body.Json());
  EXPECT_TRUE(query.ok()) << body.Json() << "\n" << query.error().message;
  return query.ok() ? query->promql : "";
}

// The error for `body`, checked to be kBadRequest (unless `code` says otherwise) naming `param`.
Error ErrorOf(std::string_view body, std::string_view param,
              ErrorCode code = ErrorCode::kBadRequest) {
  Result<prometheus::RangeQuery> query = Parse(body);
  EXPECT_FALSE(query.ok()) << body << " gave " << query->promql;
  if (query.ok()) return {};
  EXPECT_EQ(query.error().code, code) << query.error().message;
  EXPECT_EQ(query.error().param, param) << query.error().message;
  return query.error();
}

Body With(Body body, std::string field, std::string value) {
  for (auto& [name, existing] : body.fields) {
    if (name == field) {
      existing = std::move(value);
      return body;
    }
  }
  body.fields.emplace_back(std::move(field), std::move(value));
  return body;
}

Body Without(Body body, std::string_view field) {
  std::erase_if(body.fields, [&](const auto& entry) { return entry.first == field; });
  return body;
}

Body WithFilter(Body body, std::string label, std::string value) {
  for (auto& [name, existing] : body.filters) {
    if (name == label) {
      existing = std::move(value);
      return body;
    }
  }
  body.filters.emplace_back(std::move(label), std::move(value));
  return body;
}

Body WithoutFilter(Body body, std::string_view label) {
  std::erase_if(body.filters, [&](const auto& entry) { return entry.first == label; });
  return body;
}

std::string Compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

std::vector<std::string> MemberNames(const rapidjson::Value& object) {
  std::vector<std::string> names;
  for (const auto& member : object.GetObject()) names.emplace_back(member.name.GetString());
  return names;
}

// --- The PromQL NumaFlow's documented requests run ----------------------------------------------

TEST(ProxyRequest, NumaFlowsDocumentedExample) {
  Result<prometheus::RangeQuery> query = Parse(R"({
    "pattern_name": "mono_vertex_histogram",
    "metric_name": "monovtx_processing_time_bucket",
    "dimension": "pod",
    "filters": {
      "namespace": "default",
      "mvtx_name": "simple-mono-vertex",
      "pod": "simple-mono-vertex-mv-0-edj2s"
    },
    "quantile": "0.99",
    "duration": "1m",
    "start_time": "2026-11-23T09:00:00Z",
    "end_time": "2026-11-23T10:00:00Z"
  })");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->promql,
            R"(histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_processing_time_bucket{)"
            R"(namespace="default",mvtx_name="simple-mono-vertex",)"
            R"(pod="simple-mono-vertex-mv-0-edj2s"}[1m]))))");
  EXPECT_EQ(query->start, At("2026-11-23T09:00:00Z"));
  EXPECT_EQ(query->end, At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(query->step, 1min);
}

TEST(ProxyRequest, MonoVertexDimensionGroupsByMvtxName) {
  EXPECT_EQ(PromqlOf(MonoVertexHistogram("mono-vertex")),
            R"(histogram_quantile(0.99, sum by(mvtx_name,le) (rate(monovtx_processing_time_bucket{)"
            R"(namespace="default",mvtx_name="simple-mono-vertex"}[1m]))))");
}

TEST(ProxyRequest, PodDimensionWithoutAPodFilter) {
  EXPECT_EQ(PromqlOf(MonoVertexHistogram("pod")),
            R"(histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_processing_time_bucket{)"
            R"(namespace="default",mvtx_name="simple-mono-vertex"}[1m]))))");
}

TEST(ProxyRequest, SinkLatencyOfAMonoVertex) {
  Body body = With(MonoVertexHistogram("pod"), "metric_name", "monovtx_sink_time_bucket");
  body = With(std::move(body), "quantile", "0.5");
  body = With(std::move(body), "duration", "5m");
  EXPECT_EQ(PromqlOf(body),
            R"(histogram_quantile(0.5, sum by(pod,le) (rate(monovtx_sink_time_bucket{)"
            R"(namespace="default",mvtx_name="simple-mono-vertex"}[5m]))))");
}

TEST(ProxyRequest, VertexHistogramByVertex) {
  Body body{{{"pattern_name", "vertex_histogram"},
             {"metric_name", "forwarder_write_processing_time_bucket"},
             {"dimension", "vertex"},
             {"quantile", "0.95"},
             {"duration", "5m"}},
            {{"namespace", "default"}, {"pipeline", "simple-pipeline"}, {"vertex", "out"}}};
  EXPECT_EQ(PromqlOf(body), R"(histogram_quantile(0.95, sum by(vertex,le) (rate()"
                            R"(forwarder_write_processing_time_bucket{namespace="default",)"
                            R"(pipeline="simple-pipeline",vertex="out"}[5m]))))");
}

TEST(ProxyRequest, MonoVertexThroughput) {
  Body body{{{"pattern_name", "mono_vertex_throughput"},
             {"metric_name", "monovtx_read_total"},
             {"dimension", "mono-vertex"},
             {"duration", "5m"}},
            {{"namespace", "default"}, {"mvtx_name", "simple-mono-vertex"}}};
  EXPECT_EQ(PromqlOf(body),
            R"(sum(rate(monovtx_read_total{namespace="default",mvtx_name="simple-mono-vertex"})"
            R"([5m])) by (mvtx_name))");
}

TEST(ProxyRequest, MonoVertexGaugeWithPeriodFilter) {
  Body body{{{"pattern_name", "mono_vertex_gauge"},
             {"metric_name", "monovtx_pending"},
             {"dimension", "mono-vertex"}},
            {{"namespace", "default"}, {"mvtx_name", "simple-mono-vertex"}, {"period", "5m"}}};
  EXPECT_EQ(PromqlOf(body),
            R"(sum(monovtx_pending{namespace="default",mvtx_name="simple-mono-vertex",)"
            R"(period="5m"}) by (mvtx_name, period))");
  EXPECT_EQ(PromqlOf(WithoutFilter(body, "period")),
            R"(sum(monovtx_pending{namespace="default",mvtx_name="simple-mono-vertex"}))"
            R"( by (mvtx_name, period))");
}

TEST(ProxyRequest, VertexGauge) {
  Body body{{{"pattern_name", "vertex_gauge"},
             {"metric_name", "vertex_pending_messages"},
             {"dimension", "vertex"}},
            {{"namespace", "default"}, {"pipeline", "simple-pipeline"}, {"vertex", "cat"}}};
  EXPECT_EQ(PromqlOf(body),
            R"(sum(max(vertex_pending_messages{namespace="default",pipeline="simple-pipeline",)"
            R"(vertex="cat"}) by (vertex, partition_name, period)) by (vertex, period))");
}

TEST(ProxyRequest, PodCpuOfAMonoVertexsPodsByWildcard) {
  // NumaFlow's UI selects a MonoVertex's pods with "<mvtx>-mv-.*": the ".*" stays a wildcard,
  // the rest is matched literally (a '-' outside a class needs no escape in RE2).
  EXPECT_EQ(PromqlOf(PodCpu("simple-mono-vertex-mv-.*")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod=~"simple-mono-vertex-mv-.*"}[1m]))");
}

TEST(ProxyRequest, OneExactPodIsAnEqualityMatcher) {
  EXPECT_EQ(PromqlOf(PodCpu("simple-mono-vertex-mv-0-edj2s")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod="simple-mono-vertex-mv-0-edj2s"}[1m]))");
}

TEST(ProxyRequest, OnlyDotStarIsAWildcard) {
  EXPECT_EQ(PromqlOf(PodCpu("a.b-.*")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod=~"a\\.b-.*"}[1m]))");
  EXPECT_EQ(PromqlOf(PodCpu("x|y.*")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod=~"x\\|y.*"}[1m]))");
  EXPECT_EQ(PromqlOf(PodCpu("a.*b(c)+.*")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod=~"a.*b\\(c\\)\\+.*"}[1m]))");
}

TEST(ProxyRequest, WildcardValueCannotBreakOutOfTheMatcher) {
  EXPECT_EQ(PromqlOf(PodCpu(R"(a"}.*)")),
            R"x(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)x"
            R"x(pod=~"a\"\\}.*"}[1m]))x");
}

TEST(ProxyRequest, LiteralValuesAreEscapedNotInterpreted) {
  EXPECT_EQ(
      PromqlOf(PodCpu(R"(a"})")),
      R"x(avg_over_time(namespace_pod_cpu_utilization{namespace="default",pod="a\"}"}[1m]))x");
  EXPECT_EQ(PromqlOf(PodCpu("x|y")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",pod="x|y"}[1m]))");
  EXPECT_EQ(PromqlOf(PodCpu(R"(back\slash)")),
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",)"
            R"(pod="back\\slash"}[1m]))");
  EXPECT_EQ(
      PromqlOf(WithFilter(MonoVertexHistogram(), "pod", R"(mv"} or vector(1) #)")),
      R"x(histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_processing_time_bucket{)x"
      R"x(namespace="default",mvtx_name="simple-mono-vertex",pod="mv\"} or vector(1) #"}[1m]))))x");
}

TEST(ProxyRequest, ControlCharactersInFilterValuesAreRejected) {
  // A raw newline is invalid inside a PromQL string; rather than escape it, the proxy refuses.
  Error error = ErrorOf(WithFilter(MonoVertexHistogram(), "pod", "a\nb").Json(), "filters");
  EXPECT_THAT(error.message, HasSubstr("pod"));
  ErrorOf(WithFilter(MonoVertexHistogram(), "pod", std::string("a\0b", 3)).Json(), "filters");
  ErrorOf(WithFilter(MonoVertexHistogram(), "pod", std::string(254, 'a')).Json(), "filters");
}

TEST(ProxyRequest, FilterOrderIsFixedWhateverTheJsonOrder) {
  std::string expected =
      R"(histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_processing_time_bucket{)"
      R"(namespace="default",mvtx_name="simple-mono-vertex",pod="p-0"}[1m]))))";
  Body body = MonoVertexHistogram();
  body.filters = {{"pod", "p-0"}, {"mvtx_name", "simple-mono-vertex"}, {"namespace", "default"}};
  EXPECT_EQ(PromqlOf(body), expected);
  body.filters = {{"mvtx_name", "simple-mono-vertex"}, {"pod", "p-0"}, {"namespace", "default"}};
  EXPECT_EQ(PromqlOf(body), expected);
}

TEST(ProxyRequest, QuantileIsWrittenAsANumber) {
  EXPECT_THAT(PromqlOf(With(MonoVertexHistogram(), "quantile", "0.50")),
              HasSubstr("histogram_quantile(0.5, "));
  EXPECT_THAT(PromqlOf(With(MonoVertexHistogram(), "quantile", "1")),
              HasSubstr("histogram_quantile(1, "));
  EXPECT_THAT(PromqlOf(With(MonoVertexHistogram(), "quantile", "0")),
              HasSubstr("histogram_quantile(0, "));
}

TEST(ProxyRequest, NullAndEmptyFieldsCountAsAbsent) {
  Result<prometheus::RangeQuery> query = Parse(R"({
    "pattern_name": "pod_cpu_memory_utilization",
    "metric_name": "namespace_pod_cpu_utilization",
    "dimension": "",
    "filters": {"namespace": "default", "pod": "p-0"},
    "duration": "1m",
    "quantile": null,
    "start_time": "",
    "end_time": null
  })");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->promql,
            R"(avg_over_time(namespace_pod_cpu_utilization{namespace="default",pod="p-0"}[1m]))");
}

// --- The namespace a token is checked against ---------------------------------------------------

TEST(ProxyRequest, CarriesTheNamespaceItsQueryIsConfinedTo) {
  Result<ProxyQuery> query = DecodeProxyQuery(DefaultCatalog(), MonoVertexHistogram().Json(), kNow);
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->ns, "default");
  EXPECT_THAT(service::PlanProxy(*query)->promql, HasSubstr(R"(namespace="default")"));
}

TEST(ProxyRequest, AQueryWithoutANamespaceFilterIsConfinedToNone) {
  // A catalog metric that does not declare the namespace filter reads every namespace.
  Result<service::Catalog> catalog = service::LoadCatalog(R"(
patterns:
  - name: everywhere
    objects: [mono-vertex]
    expr: sum(rate($metric_name{$filters}[5m]))
    metrics:
      - metric_name: monovtx_read_total
        required_filters: [mvtx_name]
)",
                                                          "test");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  Result<ProxyQuery> query = DecodeProxyQuery(
      *catalog, R"({"metric_name":"monovtx_read_total","filters":{"mvtx_name":"orders"}})", kNow);
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->ns, std::nullopt);
}

// --- The range ----------------------------------------------------------------------------------

TEST(ProxyRange, DefaultsToTheLastThirtyMinutesAtOneMinuteAligned) {
  Result<prometheus::RangeQuery> query = Parse(MonoVertexHistogram().Json());
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->end, At("2026-11-23T10:07:00Z"));
  EXPECT_EQ(query->start, At("2026-11-23T09:37:00Z"));
  EXPECT_EQ(query->step, 1min);
}

TEST(ProxyRange, StartDefaultsToThirtyMinutesBeforeTheGivenEnd) {
  Result<prometheus::RangeQuery> query =
      Parse(With(MonoVertexHistogram(), "end_time", "2026-11-20T12:00:00Z").Json());
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->start, At("2026-11-20T11:30:00Z"));
  EXPECT_EQ(query->end, At("2026-11-20T12:00:00Z"));
}

TEST(ProxyRange, GivenTimesAreAlignedDownToTheStep) {
  Body body = With(MonoVertexHistogram(), "start_time", "2026-11-23T09:00:45+00:00");
  body = With(std::move(body), "end_time", "2026-11-23T11:59:59.999+02:00");
  Result<prometheus::RangeQuery> query = Parse(body.Json());
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->start, At("2026-11-23T09:00:00Z"));
  EXPECT_EQ(query->end, At("2026-11-23T09:59:00Z"));
}

TEST(ProxyRange, AcceptsAStepAsADurationOrSeconds) {
  Result<prometheus::RangeQuery> thirty = Parse(With(MonoVertexHistogram(), "step", "30s").Json());
  ASSERT_TRUE(thirty.ok()) << thirty.error().message;
  EXPECT_EQ(thirty->step, 30s);
  EXPECT_EQ(thirty->end, At("2026-11-23T10:07:30Z"));
  EXPECT_EQ(thirty->start, At("2026-11-23T09:37:30Z"));

  Result<prometheus::RangeQuery> fifteen = Parse(With(MonoVertexHistogram(), "step", "15").Json());
  ASSERT_TRUE(fifteen.ok()) << fifteen.error().message;
  EXPECT_EQ(fifteen->step, 15s);
  EXPECT_EQ(fifteen->end, At("2026-11-23T10:07:30Z"));
}

TEST(ProxyRange, BadStepIsAnError) {
  ErrorOf(With(MonoVertexHistogram(), "step", "fast").Json(), "step");
  ErrorOf(With(MonoVertexHistogram(), "step", "0s").Json(), "step");
  ErrorOf(With(MonoVertexHistogram(), "step", "-15").Json(), "step");
}

TEST(ProxyRange, BadTimesAreErrorsNamingTheField) {
  // NumaFlow silently ignores a time it cannot parse; the drop-in says so.
  Error start =
      ErrorOf(With(MonoVertexHistogram(), "start_time", "yesterday").Json(), "start_time");
  EXPECT_THAT(start.message, HasSubstr("start_time"));
  Error end =
      ErrorOf(With(MonoVertexHistogram(), "end_time", "2026-13-01T00:00:00Z").Json(), "end_time");
  EXPECT_THAT(end.message, HasSubstr("end_time"));
  ErrorOf(With(MonoVertexHistogram(), "end_time", "2026-11-23 10:00:00").Json(), "end_time");
}

TEST(ProxyRange, EndBeforeStartIsAnError) {
  Body body = With(MonoVertexHistogram(), "start_time", "2026-11-23T10:00:00Z");
  body = With(std::move(body), "end_time", "2026-11-23T09:00:00Z");
  Error error = ErrorOf(body.Json(), "end_time");
  EXPECT_THAT(error.message, HasSubstr("before"));
}

TEST(ProxyRange, TooManyPointsIsAnError) {
  Body body = With(MonoVertexHistogram(), "start_time", "2026-11-01T00:00:00Z");
  body = With(std::move(body), "end_time", "2026-11-23T00:00:00Z");
  Error error = ErrorOf(With(body, "step", "1s").Json(), "step");
  EXPECT_THAT(error.message, HasSubstr("11000"));
  // 22 days at the default one-minute step is 31681 points: also too many.
  Result<prometheus::RangeQuery> query = Parse(body.Json());
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().code, ErrorCode::kBadRequest);
  EXPECT_THAT(query.error().message, HasSubstr("11000"));
  // No step was sent, so the range is what the client must change.
  EXPECT_EQ(query.error().param, "start_time");
}

// --- Errors -------------------------------------------------------------------------------------

TEST(ProxyErrors, UnknownFieldIsRejected) {
  Error error = ErrorOf(With(MonoVertexHistogram(), "foo", "bar").Json(), "foo");
  EXPECT_THAT(error.message, HasSubstr("unknown field \"foo\""));
}

TEST(ProxyErrors, NonStringFieldIsRejected) {
  std::string body = MonoVertexHistogram().Json();
  body.replace(body.find(R"("0.99")"), 6, "0.99");
  ASSERT_THAT(body, HasSubstr(R"("quantile":0.99)"));
  ErrorOf(body, "quantile");
  ErrorOf(R"({"pattern_name":["mono_vertex_histogram"]})", "pattern_name");
}

TEST(ProxyErrors, FiltersMustBeAnObjectOfStrings) {
  ErrorOf(
      R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_processing_time_bucket",)"
      R"("filters":["namespace","default"]})",
      "filters");
  ErrorOf(
      R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_processing_time_bucket",)"
      R"("filters":"namespace=default"})",
      "filters");
  Error error = ErrorOf(
      R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_processing_time_bucket",)"
      R"("filters":{"namespace":"default","mvtx_name":7}})",
      "filters");
  EXPECT_THAT(error.message, HasSubstr("mvtx_name"));
}

TEST(ProxyErrors, MissingMetricName) {
  ErrorOf(Without(MonoVertexHistogram(), "metric_name").Json(), "metric_name");
  Error error = ErrorOf(
      Without(With(MonoVertexHistogram(), "metric_name", "nope_bucket"), "pattern_name").Json(),
      "metric_name", ErrorCode::kNotFound);
  EXPECT_THAT(error.message, HasSubstr("nope_bucket"));
}

TEST(ProxyRequest, WithoutPatternNameTheMetricsPatternIsUsedAsNumaFlowDoes) {
  Result<prometheus::RangeQuery> query =
      Parse(Without(MonoVertexHistogram(), "pattern_name").Json());
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->promql,
            "histogram_quantile(0.99, sum by(pod,le) (rate(monovtx_processing_time_bucket{"
            "namespace=\"default\",mvtx_name=\"simple-mono-vertex\"}[1m])))");
}

TEST(ProxyRequest, TheBodyNumaFlowsUiSendsIsAccepted) {
  // The UI sends display_name too, and keeps a pod filter after switching back to the
  // mono-vertex dimension.
  Result<prometheus::RangeQuery> query = Parse(
      R"({"metric_name":"monovtx_processing_time_bucket","pattern_name":"mono_vertex_histogram",)"
      R"("display_name":"MonoVertex Processing Time Latency","dimension":"mono-vertex",)"
      R"("quantile":"0.99","duration":"1m","start_time":"2026-11-23T21:00:00Z",)"
      R"("end_time":"2026-11-23T22:00:00Z","filters":{"namespace":"default",)"
      R"("mvtx_name":"simple","pod":"simple-mv-0-abcde"}})");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->promql,
            "histogram_quantile(0.99, sum by(mvtx_name,le) (rate(monovtx_processing_time_bucket{"
            "namespace=\"default\",mvtx_name=\"simple\",pod=\"simple-mv-0-abcde\"}[1m])))");
}

// The object's names follow the same rule as on every other endpoint: Kubernetes names, never
// wildcards (".*" there would read every namespace), and the message names the filter.
TEST(ProxyRequest, TheObjectsOwnLabelsAreKubernetesNames) {
  for (const auto& [label, value] :
       std::vector<std::pair<std::string, std::string>>{{"namespace", ".*"},
                                                        {"mvtx_name", "a.*"},
                                                        {"mvtx_name", R"(x"} or vector(1) #)"},
                                                        {"namespace", "Default"},
                                                        {"mvtx_name", std::string(254, 'a')}}) {
    Error error = ErrorOf(WithFilter(MonoVertexHistogram(), label, value).Json(), "filters");
    EXPECT_THAT(error.message, HasSubstr("filters." + label)) << value;
    EXPECT_THAT(NumaflowErrorJson(error), HasSubstr("filters." + label)) << value;
  }
  Body vertex = MonoVertexHistogram();
  vertex.fields = {{"pattern_name", "vertex_histogram"},
                   {"metric_name", "forwarder_processing_time_bucket"},
                   {"dimension", "vertex"},
                   {"quantile", "0.99"},
                   {"duration", "1m"}};
  vertex.filters = {{"namespace", "default"}, {"pipeline", "shop"}, {"vertex", "in.put"}};
  Error error = ErrorOf(vertex.Json(), "filters");
  EXPECT_THAT(error.message, HasSubstr("filters.vertex"));
  vertex.filters = {{"namespace", "default"}, {"pipeline", "Shop"}, {"vertex", "in"}};
  error = ErrorOf(vertex.Json(), "filters");
  EXPECT_THAT(error.message, HasSubstr("filters.pipeline"));
}

TEST(ProxyErrors, UnknownPatternIsNotFound) {
  Error error = ErrorOf(With(MonoVertexHistogram(), "pattern_name", "nope").Json(), "pattern_name",
                        ErrorCode::kNotFound);
  EXPECT_THAT(error.message, HasSubstr("nope"));
}

TEST(ProxyErrors, UnknownMetricInPatternIsNotFound) {
  Error error = ErrorOf(
      With(MonoVertexHistogram(), "metric_name", "forwarder_write_processing_time_bucket").Json(),
      "metric_name", ErrorCode::kNotFound);
  EXPECT_THAT(error.message, HasSubstr("forwarder_write_processing_time_bucket"));
  ErrorOf(With(MonoVertexHistogram(), "metric_name", "monovtx_processing_time").Json(),
          "metric_name", ErrorCode::kNotFound);
}

TEST(ProxyErrors, UnknownDimension) {
  Error error = ErrorOf(MonoVertexHistogram("node").Json(), "dimension");
  EXPECT_THAT(error.message, HasSubstr("node"));
  EXPECT_THAT(error.message, HasSubstr("mono-vertex"));
}

TEST(ProxyErrors, MissingDimensionWhenTheExpressionGroupsByIt) {
  ErrorOf(Without(MonoVertexHistogram(), "dimension").Json(), "dimension");
}

TEST(ProxyErrors, UnknownFilter) {
  Error error = ErrorOf(WithFilter(MonoVertexHistogram(), "node", "n1").Json(), "filters");
  EXPECT_THAT(error.message, HasSubstr("\"node\""));
}

TEST(ProxyErrors, MissingRequiredFilter) {
  Error error = ErrorOf(WithoutFilter(MonoVertexHistogram(), "mvtx_name").Json(), "filters");
  EXPECT_THAT(error.message, HasSubstr("mvtx_name"));
  ErrorOf(WithFilter(MonoVertexHistogram(), "namespace", "").Json(), "filters");
  ErrorOf(
      R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_processing_time_bucket",)"
      R"("dimension":"pod","quantile":"0.99","duration":"1m"})",
      "filters");
}

TEST(ProxyErrors, MissingQuantileOrDuration) {
  ErrorOf(Without(MonoVertexHistogram(), "quantile").Json(), "quantile");
  ErrorOf(Without(MonoVertexHistogram(), "duration").Json(), "duration");
  ErrorOf(Without(PodCpu("p-0"), "duration").Json(), "duration");
}

TEST(ProxyErrors, BadQuantile) {
  for (std::string bad : {"1.5", "abc", "-0.1", "0.5x", " 0.5", "nan", "inf", "1e400"}) {
    Error error = ErrorOf(With(MonoVertexHistogram(), "quantile", bad).Json(), "quantile");
    EXPECT_THAT(error.message, HasSubstr("quantile")) << bad;
  }
}

TEST(ProxyErrors, BadDuration) {
  for (std::string bad : {"1 minute", "0s", "-1m", "5", "m"}) {
    Error error = ErrorOf(With(MonoVertexHistogram(), "duration", bad).Json(), "duration");
    EXPECT_THAT(error.message, HasSubstr("duration")) << bad;
  }
}

TEST(ProxyErrors, InvalidJson) {
  Result<prometheus::RangeQuery> query = Parse(R"({"pattern_name": )");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().code, ErrorCode::kBadRequest);
  EXPECT_THAT(query.error().message, HasSubstr("JSON"));
  EXPECT_FALSE(Parse("").ok());
}

TEST(ProxyErrors, NonObjectJson) {
  for (std::string_view body : {R"([1, 2])", R"("mono_vertex_histogram")", "null", "42"}) {
    Result<prometheus::RangeQuery> query = Parse(body);
    ASSERT_FALSE(query.ok()) << body;
    EXPECT_EQ(query.error().code, ErrorCode::kBadRequest) << body;
    EXPECT_THAT(query.error().message, HasSubstr("object")) << body;
  }
}

// --- Answers ------------------------------------------------------------------------------------

TimePoint Millis(std::int64_t ms) { return TimePoint(Duration(ms)); }

TEST(ProxyDataJson, HasNumaFlowsShapeWithPrometheusValueText) {
  prometheus::Matrix matrix;
  matrix.series.push_back({{{"mvtx_name", "mv"}, {"pod", "mv-mv-0-abcde"}},
                           {{Millis(1795467600000), 0.25},
                            {Millis(1795467600500), 1e-7},
                            {Millis(1795467660123), 3.0}}});
  matrix.series.push_back({{},
                           {{Millis(1795467720000), std::numeric_limits<double>::quiet_NaN()},
                            {Millis(1795467780000), std::numeric_limits<double>::infinity()},
                            {Millis(1795467840000), -std::numeric_limits<double>::infinity()}}});
  matrix.warnings.push_back("not part of NumaFlow's shape");
  EXPECT_EQ(ProxyDataJson(matrix.series),
            R"({"data":[)"
            R"({"metric":{"mvtx_name":"mv","pod":"mv-mv-0-abcde"},"values":[)"
            R"([1795467600,"0.25"],[1795467600.5,"0.0000001"],[1795467660.123,"3"]]},)"
            R"({"metric":{},"values":[[1795467720,"NaN"],[1795467780,"+Inf"],[1795467840,"-Inf"]]})"
            R"(]})");
}

TEST(ProxyDataJson, FormatsValuesLikePrometheus) {
  auto text = [](double value) {
    prometheus::Matrix matrix;
    matrix.series.push_back({{}, {{Millis(1000), value}}});
    rapidjson::Document doc;
    doc.Parse(ProxyDataJson(matrix.series).c_str());
    return std::string(doc["data"][0]["values"][0][1].GetString());
  };
  EXPECT_EQ(text(0.25), "0.25");
  EXPECT_EQ(text(1e-7), "0.0000001");
  EXPECT_EQ(text(3), "3");
  EXPECT_EQ(text(0), "0");
  EXPECT_EQ(text(-0.5), "-0.5");
  EXPECT_EQ(text(123456.789), "123456.789");
  EXPECT_EQ(text(1e21), "1000000000000000000000");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
}

TEST(ProxyDataJson, EmptyMatrixIsAnEmptyList) { EXPECT_EQ(ProxyDataJson({}), R"({"data":[]})"); }

TEST(ProxyDataJson, LabelValuesAreJsonEscaped) {
  prometheus::Matrix matrix;
  matrix.series.push_back({{{"pod", "a\"b\\c\n"}}, {{Millis(0), 1.0}}});
  std::string json = ProxyDataJson(matrix.series);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_STREQ(doc["data"][0]["metric"]["pod"].GetString(), "a\"b\\c\n");
  EXPECT_EQ(doc["data"][0]["values"][0][0].GetInt64(), 0);
}

TEST(NumaflowErrorJson, HasNumaFlowsShape) {
  EXPECT_EQ(NumaflowErrorJson(BadRequest("quantile", R"(invalid quantile "1.5")")),
            R"({"errMsg":"invalid quantile \"1.5\"","data":null})");
  EXPECT_EQ(NumaflowErrorJson(Error{ErrorCode::kUpstreamTimeout, "timeout", ""}),
            R"({"errMsg":"timeout","data":null})");
}

// --- Discovery ----------------------------------------------------------------------------------

rapidjson::Document DiscoveryOf(std::string_view object) {
  Result<std::string> json = DiscoveryJson(DefaultCatalog(), object);
  rapidjson::Document doc;
  EXPECT_TRUE(json.ok()) << json.error().message;
  if (!json.ok()) return doc;
  doc.Parse(json->c_str());
  EXPECT_FALSE(doc.HasParseError()) << *json;
  return doc;
}

TEST(DiscoveryJson, MonoVertexEntryInNumaFlowsShape) {
  rapidjson::Document doc = DiscoveryOf("mono-vertex");
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(MemberNames(doc), std::vector<std::string>{"data"});
  ASSERT_TRUE(doc["data"].IsArray());
  ASSERT_GT(doc["data"].Size(), 0u);
  EXPECT_EQ(
      Compact(doc["data"][0]),
      R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_processing_time_bucket",)"
      R"("metric_description":"Total time taken to process a batch of messages, from read to ack",)"
      R"("display_name":"MonoVertex Processing Time Latency","unit":"µs","dimensions":[)"
      R"({"name":"mono-vertex",)"
      R"("filters":[{"Name":"namespace","Required":true},{"Name":"mvtx_name","Required":true}],)"
      R"("params":[{"Name":"quantile","Required":true},{"Name":"duration","Required":true},)"
      R"({"Name":"start_time","Required":false},{"Name":"end_time","Required":false}]},)"
      R"({"name":"pod",)"
      R"("filters":[{"Name":"namespace","Required":true},{"Name":"mvtx_name","Required":true},)"
      R"({"Name":"pod","Required":false}],)"
      R"("params":[{"Name":"quantile","Required":true},{"Name":"duration","Required":true},)"
      R"({"Name":"start_time","Required":false},{"Name":"end_time","Required":false}]},)"
      R"({"name":"mvtx_replica",)"
      R"("filters":[{"Name":"namespace","Required":true},{"Name":"mvtx_name","Required":true},)"
      R"({"Name":"mvtx_replica","Required":false}],)"
      R"("params":[{"Name":"quantile","Required":true},{"Name":"duration","Required":true},)"
      R"({"Name":"start_time","Required":false},{"Name":"end_time","Required":false}]}]})");
}

// Every entry has exactly NumaFlow's keys, and the entries are the catalog's metrics for `kind`.
void ExpectDiscoveryCoversCatalog(std::string_view object, service::ObjectKind kind) {
  rapidjson::Document doc = DiscoveryOf(object);
  ASSERT_TRUE(doc.IsObject() && doc["data"].IsArray());
  std::vector<std::pair<std::string, std::string>> expected;
  for (const service::Pattern& pattern : DefaultCatalog().patterns()) {
    if (!pattern.AppliesTo(kind)) continue;
    for (const service::MetricSpec& metric : pattern.metrics) {
      expected.emplace_back(pattern.name, metric.metric_name);
    }
  }
  std::vector<std::pair<std::string, std::string>> listed;
  for (const auto& entry : doc["data"].GetArray()) {
    EXPECT_EQ(MemberNames(entry),
              (std::vector<std::string>{"pattern_name", "metric_name", "metric_description",
                                        "display_name", "unit", "dimensions"}));
    listed.emplace_back(entry["pattern_name"].GetString(), entry["metric_name"].GetString());
    for (const auto& dimension : entry["dimensions"].GetArray()) {
      EXPECT_EQ(MemberNames(dimension), (std::vector<std::string>{"name", "filters", "params"}));
      for (const char* list : {"filters", "params"}) {
        for (const auto& item : dimension[list].GetArray()) {
          EXPECT_EQ(MemberNames(item), (std::vector<std::string>{"Name", "Required"}));
          EXPECT_TRUE(item["Name"].IsString());
          EXPECT_TRUE(item["Required"].IsBool());
        }
      }
    }
  }
  EXPECT_EQ(listed, expected);
}

TEST(DiscoveryJson, MonoVertexListsEveryMonoVertexMetric) {
  ExpectDiscoveryCoversCatalog("mono-vertex", service::ObjectKind::kMonoVertex);
  rapidjson::Document doc = DiscoveryOf("mono-vertex");
  std::vector<std::string> metrics;
  for (const auto& entry : doc["data"].GetArray())
    metrics.emplace_back(entry["metric_name"].GetString());
  for (std::string_view metric :
       {"monovtx_processing_time_bucket", "monovtx_sink_time_bucket", "monovtx_read_time_bucket",
        "monovtx_ack_time_bucket", "monovtx_transformer_time_bucket", "monovtx_udf_time_bucket",
        "monovtx_nack_time_bucket", "monovtx_fallback_sink_time_bucket",
        "monovtx_onsuccess_sink_time_bucket", "monovtx_read_total", "monovtx_pending",
        "namespace_pod_cpu_utilization", "namespace_pod_memory_utilization"}) {
    EXPECT_THAT(metrics, testing::Contains(std::string(metric)));
  }
  EXPECT_THAT(metrics, testing::Not(testing::Contains("forwarder_write_processing_time_bucket")));
}

TEST(DiscoveryJson, VertexListsEveryVertexMetric) {
  ExpectDiscoveryCoversCatalog("vertex", service::ObjectKind::kVertex);
  rapidjson::Document doc = DiscoveryOf("vertex");
  const rapidjson::Value* sink = nullptr;
  for (const auto& entry : doc["data"].GetArray()) {
    if (std::string_view(entry["metric_name"].GetString()) ==
        "forwarder_write_processing_time_bucket") {
      sink = &entry;
    }
    EXPECT_STRNE(entry["pattern_name"].GetString(), "mono_vertex_histogram");
  }
  ASSERT_NE(sink, nullptr);
  EXPECT_STREQ((*sink)["pattern_name"].GetString(), "vertex_histogram");
  const rapidjson::Value& vertex = (*sink)["dimensions"][0];
  EXPECT_STREQ(vertex["name"].GetString(), "vertex");
  EXPECT_EQ(Compact(vertex["filters"]),
            R"([{"Name":"namespace","Required":true},{"Name":"pipeline","Required":true},)"
            R"({"Name":"vertex","Required":true}])");
}

TEST(DiscoveryJson, UnknownObjectIsAnError) {
  for (std::string_view object : {"pipeline", "", "Mono-Vertex", "monovertex"}) {
    Result<std::string> json = DiscoveryJson(DefaultCatalog(), object);
    ASSERT_FALSE(json.ok()) << object;
    EXPECT_EQ(json.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(json.error().param, "object");
  }
}

// NumaFlow's discovery: for a metric declared for both object kinds, the other kind's dimension is
// left out (`vertex` when asked about a MonoVertex, `mono-vertex` when asked about a vertex).
TEST(DiscoveryJson, AMetricOfBothKindsListsOnlyTheAskedKindsDimension) {
  for (auto [object, other] :
       {std::pair{"mono-vertex", "vertex"}, std::pair{"vertex", "mono-vertex"}}) {
    SCOPED_TRACE(object);
    rapidjson::Document doc = DiscoveryOf(object);
    std::size_t both_kinds = 0;
    for (const auto& entry : doc["data"].GetArray()) {
      std::vector<std::string> names;
      for (const auto& dimension : entry["dimensions"].GetArray()) {
        names.emplace_back(dimension["name"].GetString());
      }
      EXPECT_THAT(names, testing::Not(testing::Contains(std::string(other))))
          << entry["metric_name"].GetString();
      std::string_view pattern = entry["pattern_name"].GetString();
      if (pattern == "pod_cpu_memory_utilization") {
        EXPECT_EQ(names, (std::vector<std::string>{object, "pod"}));
        ++both_kinds;
      } else if (pattern == "container_cpu_memory_utilization") {
        EXPECT_EQ(names, (std::vector<std::string>{object, "container"}));
        ++both_kinds;
      }
    }
    EXPECT_EQ(both_kinds, 4u);
  }
  // The container charts require only the namespace, in every dimension.
  rapidjson::Document doc = DiscoveryOf("vertex");
  for (const auto& entry : doc["data"].GetArray()) {
    if (std::string_view(entry["pattern_name"].GetString()) != "container_cpu_memory_utilization") {
      continue;
    }
    EXPECT_EQ(Compact(entry["dimensions"][0]),
              R"({"name":"vertex","filters":[{"Name":"namespace","Required":true},)"
              R"({"Name":"pod","Required":false},{"Name":"container","Required":false}],)"
              R"("params":[{"Name":"duration","Required":true},)"
              R"({"Name":"start_time","Required":false},{"Name":"end_time","Required":false}]})");
  }
}

// --- What NumaFlow's UI sends for the charts its default configuration lists -------------------

using Filters = std::vector<std::pair<std::string, std::string>>;

Body Throughput(std::string pattern, std::string metric, std::string dimension, Filters filters) {
  return {{{"pattern_name", std::move(pattern)},
           {"metric_name", std::move(metric)},
           {"dimension", std::move(dimension)},
           {"duration", "1m"}},
          std::move(filters)};
}

TEST(ProxyRequest, NumaFlowsThroughputCountersOfBothObjectKinds) {
  for (const char* metric :
       {"monovtx_sink_write_total", "monovtx_udf_error_total", "monovtx_udf_drop_total"}) {
    EXPECT_EQ(PromqlOf(Throughput("mono_vertex_throughput", metric, "mono-vertex",
                                  {{"namespace", "default"}, {"mvtx_name", "simple-mono-vertex"}})),
              fmt::format("sum(rate({}{{namespace=\"default\",mvtx_name=\"simple-mono-vertex\"}}"
                          "[1m])) by (mvtx_name)",
                          metric));
  }
  for (const char* metric :
       {"forwarder_write_total", "forwarder_udf_read_total", "forwarder_udf_write_total"}) {
    EXPECT_EQ(PromqlOf(Throughput(
                  "vertex_throughput", metric, "vertex",
                  {{"namespace", "default"}, {"pipeline", "simple-pipeline"}, {"vertex", "cat"}})),
              fmt::format("sum(rate({}{{namespace=\"default\",pipeline=\"simple-pipeline\","
                          "vertex=\"cat\"}}[1m])) by (vertex)",
                          metric));
  }
}

// NumaFlow's UI sends only the namespace for the container charts, and NumaFlow answers for every
// container of the namespace.
TEST(ProxyRequest, ContainerUtilisationWithOnlyTheNamespace) {
  for (const char* dimension : {"mono-vertex", "vertex", "container"}) {
    Body body{{{"pattern_name", "container_cpu_memory_utilization"},
               {"metric_name", "namespace_app_container_cpu_utilization"},
               {"dimension", dimension},
               {"duration", "1m"}},
              {{"namespace", "default"}}};
    EXPECT_EQ(PromqlOf(body),
              R"(avg_over_time(namespace_app_container_cpu_utilization{namespace="default"}[1m]))")
        << dimension;
  }
  // Picking a pod narrows it, as for the pod charts.
  Body picked{{{"pattern_name", "container_cpu_memory_utilization"},
               {"metric_name", "namespace_app_container_memory_utilization"},
               {"dimension", "mono-vertex"},
               {"duration", "5m"}},
              {{"namespace", "default"}, {"pod", "simple-mono-vertex-mv-.*"}}};
  EXPECT_EQ(PromqlOf(picked),
            R"(avg_over_time(namespace_app_container_memory_utilization{namespace="default",)"
            R"(pod=~"simple-mono-vertex-mv-.*"}[5m]))");
}

TEST(ProxyRequest, PodUtilisationOnTheObjectsOwnDimensionAsNumaFlowsUiSendsIt) {
  Body body{{{"pattern_name", "pod_cpu_memory_utilization"},
             {"metric_name", "namespace_pod_memory_utilization"},
             {"dimension", "vertex"},
             {"duration", "15m"}},
            {{"namespace", "default"}, {"pod", "simple-pipeline-cat-.*"}}};
  EXPECT_EQ(PromqlOf(body), R"(avg_over_time(namespace_pod_memory_utilization{namespace="default",)"
                            R"(pod=~"simple-pipeline-cat-.*"}[15m]))");
}

TEST(ProxyRequest, MonoVertexPendingByPod) {
  Body body{{{"pattern_name", "mono_vertex_gauge"},
             {"metric_name", "monovtx_pending"},
             {"dimension", "pod"}},
            {{"namespace", "default"}, {"mvtx_name", "simple-mono-vertex"}, {"period", "5m"}}};
  EXPECT_EQ(PromqlOf(body),
            R"(sum(monovtx_pending{namespace="default",mvtx_name="simple-mono-vertex",)"
            R"(period="5m"}) by (pod, period))");
}

}  // namespace
}  // namespace nfmetrics::http
