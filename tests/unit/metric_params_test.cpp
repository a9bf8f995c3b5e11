#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "http/handlers/metrics.hpp"
#include "nfmetrics/service/promql.hpp"

namespace nfmetrics::http {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1795467630));

Result<service::MetricRequest> ParseMetric(std::string_view metric, std::string_view query,
                                           std::optional<service::PathObject> path = std::nullopt) {
  return DecodeMetricRequest(service::DefaultCatalog(), metric, path, query, kNow);
}

Result<service::MetricRequest> Parse(std::string_view query) {
  return ParseMetric("sink-latency", query);
}

std::vector<std::string> Pods(const service::MetricRequest& request) {
  const service::FilterValues* pods = request.FindFilter("pod");
  return pods ? pods->values : std::vector<std::string>{};
}

std::vector<std::string> GroupBy(const service::MetricRequest& request) {
  std::vector<std::string> names;
  for (const auto* dimension : request.group_by) names.push_back(dimension->name);
  return names;
}

// Asserts a 400 naming `param`, and returns the message.
std::string ExpectBadRequest(std::string_view query, std::string_view param) {
  auto parsed = Parse(query);
  EXPECT_FALSE(parsed.ok()) << query;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest) << query;
  EXPECT_EQ(parsed.error().param, param) << query << ": " << parsed.error().message;
  return parsed.error().message;
}

TEST(SinkLatencyParams, AppliesDefaults) {
  auto parsed = Parse("namespace=ns&mvtx=mv");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->object.ns.str(), "ns");
  EXPECT_EQ(parsed->object.mvtx->str(), "mv");
  EXPECT_EQ(parsed->end, kNow);
  EXPECT_EQ(parsed->start, kNow - hours(1));
  EXPECT_FALSE(parsed->step.has_value());
  EXPECT_FALSE(parsed->window.has_value());
  EXPECT_EQ(parsed->quantiles, std::vector<double>{0.95});
  EXPECT_TRUE(parsed->group_by.empty());
  EXPECT_TRUE(parsed->filters.empty());
  EXPECT_FALSE(parsed->summary);
  EXPECT_EQ(parsed->metric->metric_name, "monovtx_sink_time_bucket");
}

TEST(SinkLatencyParams, ReadsEveryParameter) {
  auto parsed = Parse(
      "namespace=ns&mvtx=mv&start=2026-11-23T10:00:00Z&end=1795431600.5&step=1m30s&window=10m"
      "&quantile=0.99&group_by=pod&pod=b-pod,a-pod&pod=c-pod");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795428000)));
  EXPECT_EQ(parsed->end, TimePoint(std::chrono::milliseconds(1795431600500)));
  EXPECT_EQ(parsed->step, seconds(90));
  EXPECT_EQ(parsed->window, minutes(10));
  EXPECT_EQ(parsed->quantiles, std::vector<double>{0.99});
  EXPECT_EQ(GroupBy(*parsed), std::vector<std::string>{"pod"});
  EXPECT_EQ(Pods(*parsed), (std::vector<std::string>{"a-pod", "b-pod", "c-pod"}));  // sorted
}

TEST(SinkLatencyParams, StepAcceptsSecondsAsANumber) {
  EXPECT_EQ(Parse("namespace=ns&mvtx=mv&step=60")->step, seconds(60));
  EXPECT_EQ(Parse("namespace=ns&mvtx=mv&step=0.5")->step, std::chrono::milliseconds(500));
}

TEST(SinkLatencyParams, OnlyStartGivenMeansUntilNow) {
  auto parsed = Parse("namespace=ns&mvtx=mv&start=1795460000");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->end, kNow);
}

TEST(SinkLatencyParams, OnlyEndGivenMeansTheHourBefore) {
  auto parsed = Parse("namespace=ns&mvtx=mv&end=1795460000");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795460000)) - hours(1));
}

TEST(SinkLatencyParams, DecodesPercentEncodingAndPlusAsSpace) {
  auto parsed = Parse(
      "namespace=ns&mvtx=mv&start=2026-11-23T11%3A00%3A00%2B01%3A00&end=2026-11-23T11:30:00+01:00");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->start, TimePoint(seconds(1795428000)));
  EXPECT_EQ(parsed->end, TimePoint(seconds(1795429800)));
}

TEST(SinkLatencyParams, DuplicatePodsCollapse) {
  auto parsed = Parse("namespace=ns&mvtx=mv&pod=a,a&pod=a");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Pods(*parsed).size(), 1u);
}

TEST(SinkLatencyParams, MissingRequiredParametersAreNamed) {
  ExpectBadRequest("mvtx=mv", "namespace");
  ExpectBadRequest("namespace=ns", "mvtx");
  ExpectBadRequest("", "namespace");
}

TEST(SinkLatencyParams, InvalidNamesAreRejected) {
  ExpectBadRequest("namespace=Bad_NS&mvtx=mv", "namespace");
  ExpectBadRequest("namespace=&mvtx=mv", "namespace");
  ExpectBadRequest("namespace=ns&mvtx=", "mvtx");
  ExpectBadRequest("namespace=ns&mvtx=mv%22%7D%20or%20vector(1)%20%23", "mvtx");
  ExpectBadRequest("namespace=ns%0A&mvtx=mv", "namespace");
}

TEST(SinkLatencyParams, SeveralQuantilesAreSortedAndDeduplicated) {
  auto parsed = Parse("namespace=ns&mvtx=mv&quantile=0.99,0.5&quantile=0.9&quantile=0.5");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->quantiles, (std::vector<double>{0.5, 0.9, 0.99}));
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=0.5,,0.9", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=0.5,2", "quantile");
  std::string many = "namespace=ns&mvtx=mv&quantile=0";
  for (int i = 1; i <= static_cast<int>(service::kMaxQuantiles); ++i)
    many += "," + std::to_string(0.01 * i);
  ExpectBadRequest(many, "quantile");
}

TEST(SinkLatencyParams, SummaryIsABoolean) {
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&summary=true")->summary);
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&summary")->summary);
  EXPECT_FALSE(Parse("namespace=ns&mvtx=mv&summary=false")->summary);
  ExpectBadRequest("namespace=ns&mvtx=mv&summary=yes", "summary");
}

TEST(SinkLatencyParams, InvalidPodsAreRejected) {
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=x%22%7D%20or%20vector(1)%20%23", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a,,b", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a.*", "pod");
  ExpectBadRequest("namespace=ns&mvtx=mv&pod=a|b", "pod");
  std::string many = "namespace=ns&mvtx=mv&pod=p0";
  for (int i = 1; i <= static_cast<int>(service::kMaxPods); ++i) many += ",p" + std::to_string(i);
  ExpectBadRequest(many, "pod");
}

TEST(SinkLatencyParams, InvalidTimesAreRejected) {
  ExpectBadRequest("namespace=ns&mvtx=mv&start=yesterday", "start");
  ExpectBadRequest("namespace=ns&mvtx=mv&end=2026-11-23", "end");
  ExpectBadRequest("namespace=ns&mvtx=mv&start=", "start");
  ExpectBadRequest("namespace=ns&mvtx=mv&start=nan", "start");
}

TEST(SinkLatencyParams, EndBeforeStartIsAnError) {
  std::string message =
      ExpectBadRequest("namespace=ns&mvtx=mv&start=1795467600&end=1795467000", "end");
  EXPECT_NE(message.find("before start"), std::string::npos);
}

TEST(SinkLatencyParams, StepMustBeAPositiveDuration) {
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0s", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=-1", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=0.0001", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=abc", "step");
  ExpectBadRequest("namespace=ns&mvtx=mv&step=inf", "step");
}

TEST(SinkLatencyParams, WindowMustBeAPositivePrometheusDuration) {
  ExpectBadRequest("namespace=ns&mvtx=mv&window=0s", "window");
  ExpectBadRequest("namespace=ns&mvtx=mv&window=5", "window");
  ExpectBadRequest("namespace=ns&mvtx=mv&window=5 m", "window");
}

TEST(SinkLatencyParams, QuantileMustBeBetweenZeroAndOne) {
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=1.5", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=-0.1", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=nan", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=p95", "quantile");
  ExpectBadRequest("namespace=ns&mvtx=mv&quantile=", "quantile");
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&quantile=0").ok());
  EXPECT_TRUE(Parse("namespace=ns&mvtx=mv&quantile=1").ok());
}

TEST(SinkLatencyParams, GroupByAcceptsTheMetricsDimensions) {
  std::string message = ExpectBadRequest("namespace=ns&mvtx=mv&group_by=vertex", "group_by");
  EXPECT_NE(message.find("pod, mvtx_replica"), std::string::npos) << message;
  ExpectBadRequest("namespace=ns&mvtx=mv&group_by=", "group_by");
  ExpectBadRequest("namespace=ns&mvtx=mv&group_by=pod,", "group_by");
  auto parsed = Parse("namespace=ns&mvtx=mv&group_by=pod,mvtx_replica&group_by=pod");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(GroupBy(*parsed), (std::vector<std::string>{"pod", "mvtx_replica"}));
  // A dimension may be named by its label: mvtx_name is the mono-vertex dimension.
  parsed = Parse("namespace=ns&mvtx=mv&group_by=mvtx_name");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(GroupBy(*parsed), std::vector<std::string>{"mono-vertex"});
}

TEST(SinkLatencyParams, UnknownParametersAreNamed) {
  std::string message = ExpectBadRequest("namespace=ns&mvtx=mv&stpe=1m", "stpe");
  EXPECT_NE(message.find("unknown parameter"), std::string::npos);
  ExpectBadRequest("namespace=ns&mvtx=mv&Namespace=ns", "Namespace");
}

TEST(SinkLatencyParams, RepeatedSingleValuedParametersAreNamed) {
  for (const char* param : {"namespace", "mvtx", "start", "end", "step", "window", "summary"}) {
    std::string query = std::string("namespace=ns&mvtx=mv&") + param + "=x&" + param + "=y";
    std::string message = ExpectBadRequest(query, param);
    EXPECT_NE(message.find("more than once"), std::string::npos) << param;
  }
}

TEST(SinkLatencyParams, BrokenPercentEncodingIsABadRequest) {
  auto parsed = Parse("namespace=ns&mvtx=mv%zz");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(SinkLatencyParams, ToleratesUnencodedCharactersLikePrometheusDoes) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv&end=2026-11-23T11:00:00 01:00");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->end, TimePoint(seconds(1795428000)));
}

TEST(SinkLatencyParams, BrokenPercentEscapeNamesItsParameter) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv%z");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().param, "mvtx");
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(SinkLatencyParams, FutureStartWithoutEndBlamesStart) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv&start=1900000000");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().param, "start");
}

TEST(SinkLatencyParams, DefaultStartNeverPrecedesTheEpoch) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv&end=60");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->start, TimePoint());
}

TEST(SinkLatencyParams, NegativeZeroQuantileIsZero) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv&quantile=-0");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(std::signbit(parsed->quantiles.front()));
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

// Asserts a 400 naming `param` for `metric`.
std::string ExpectMetricBadRequest(std::string_view metric, std::string_view query,
                                   std::string_view param) {
  auto parsed = ParseMetric(metric, query);
  EXPECT_FALSE(parsed.ok()) << metric << "?" << query;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest) << query;
  EXPECT_EQ(parsed.error().param, param) << query << ": " << parsed.error().message;
  return parsed.error().message;
}

TEST(MetricParams, UnknownMetricIsNotFoundNamingIt) {
  auto parsed = ParseMetric("sink-latencies", "namespace=ns&mvtx=mv");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(parsed.error().param, "metric");
  EXPECT_NE(parsed.error().message.find("\"sink-latencies\""), std::string::npos);
}

TEST(MetricParams, FriendlyAndMetricNamesSelectTheSameMetric) {
  for (const char* name :
       {"processing-latency", "monovtx_processing_time_bucket", "monovtx_processing_time"}) {
    auto parsed = ParseMetric(name, "namespace=ns&mvtx=mv");
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.error().message;
    EXPECT_EQ(parsed->metric->metric_name, "monovtx_processing_time_bucket");
  }
}

TEST(MetricParams, PipelineAndVertexSelectAPipelineVertex) {
  auto parsed = ParseMetric("sink-latency", "namespace=ns&pipeline=shop&vertex=out&group_by=pod");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->object.kind, service::ObjectKind::kVertex);
  EXPECT_EQ(parsed->object.pipeline->str(), "shop");
  EXPECT_EQ(parsed->object.vertex->str(), "out");
  EXPECT_EQ(parsed->metric->metric_name, "forwarder_write_processing_time_bucket");
  ExpectMetricBadRequest("sink-latency", "namespace=ns&pipeline=shop", "vertex");
  ExpectMetricBadRequest("sink-latency", "namespace=ns&vertex=out", "pipeline");
  ExpectMetricBadRequest("sink-latency", "namespace=ns&pipeline=shop&vertex=Out", "vertex");
  ExpectMetricBadRequest("sink-latency", "namespace=ns&pipeline=shop&vertex=out&mvtx=mv", "mvtx");
  // partition_name is a vertex dimension, not a MonoVertex one.
  EXPECT_TRUE(ParseMetric("sink-latency",
                          "namespace=ns&pipeline=p&vertex=v&group_by=partition_name&"
                          "partition_name=default-p-v-0")
                  .ok());
  ExpectMetricBadRequest("sink-latency", "namespace=ns&mvtx=mv&group_by=partition_name",
                         "group_by");
}

TEST(MetricParams, AnObjectKindTheMetricDoesNotApplyToIsABadRequest) {
  std::string message =
      ExpectMetricBadRequest("transformer-latency", "namespace=ns&pipeline=p&vertex=v", "vertex");
  EXPECT_NE(message.find("does not apply"), std::string::npos) << message;
  ExpectMetricBadRequest("forwarder_udf_processing_time", "namespace=ns&mvtx=mv", "mvtx");
}

TEST(MetricParams, ParametersTheMetricDoesNotTakeAreNamed) {
  // A gauge has no quantile and no rate window.
  std::string message =
      ExpectMetricBadRequest("pending", "namespace=ns&mvtx=mv&quantile=0.5", "quantile");
  EXPECT_NE(message.find("accepted:"), std::string::npos);
  ExpectMetricBadRequest("pending", "namespace=ns&mvtx=mv&window=5m", "window");
  auto parsed = ParseMetric("pending", "namespace=ns&mvtx=mv&period=5m");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->quantiles.empty());
  ASSERT_NE(parsed->FindFilter("period"), nullptr);
  EXPECT_EQ(parsed->FindFilter("period")->values, std::vector<std::string>{"5m"});
  // A throughput has a window but no quantile.
  EXPECT_TRUE(ParseMetric("read-throughput", "namespace=ns&mvtx=mv&window=2m").ok());
  ExpectMetricBadRequest("read-throughput", "namespace=ns&mvtx=mv&quantile=0.5", "quantile");
}

TEST(MetricParams, FilterValuesRejectControlCharactersAndOverlongValues) {
  ExpectMetricBadRequest("sink-latency", "namespace=ns&mvtx=mv&mvtx_replica=a%0Ab", "mvtx_replica");
  ExpectMetricBadRequest(
      "sink-latency", "namespace=ns&mvtx=mv&mvtx_replica=" + std::string(254, 'x'), "mvtx_replica");
  auto parsed = ParseMetric("sink-latency", "namespace=ns&mvtx=mv&mvtx_replica=1,0");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->FindFilter("mvtx_replica")->values, (std::vector<std::string>{"0", "1"}));
}

TEST(MetricParams, ThePathCanNameTheObject) {
  service::PathObject path{.kind = service::ObjectKind::kMonoVertex, .ns = "ns", .mvtx = "mv"};
  auto parsed = ParseMetric("sink-latency", "group_by=pod", path);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->object.mvtx->str(), "mv");
  auto repeated = ParseMetric("sink-latency", "mvtx=other", path);
  ASSERT_FALSE(repeated.ok());
  EXPECT_EQ(repeated.error().param, "mvtx");
  path.mvtx = "Bad";
  auto bad = ParseMetric("sink-latency", "", path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "mvtx");

  service::PathObject vertex{
      .kind = service::ObjectKind::kVertex, .ns = "ns", .pipeline = "shop", .vertex = "out"};
  parsed = ParseMetric("read-latency", "", vertex);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->metric->metric_name, "forwarder_read_processing_time_bucket");
}

TEST(MetricParams, APodScopedMetricNeedsNoPodForAMonoVertex) {
  auto parsed = ParseMetric("pod-cpu-utilization", "namespace=ns&mvtx=mv");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  // A pod filter narrows within the object's pods, and cannot reach another object's.
  EXPECT_TRUE(ParseMetric("pod-cpu-utilization", "namespace=ns&mvtx=mv&pod=mv-mv-0-abcde").ok());
  std::string message = ExpectMetricBadRequest("pod-cpu-utilization",
                                               "namespace=ns&mvtx=mv&pod=other-mv-0-abcde", "pod");
  EXPECT_NE(message.find("mv-mv-"), std::string::npos) << message;
  ExpectMetricBadRequest("pod-cpu-utilization",
                         "namespace=ns&pipeline=shop&vertex=out&pod=shop-in-0-abcde", "pod");
  // An unknown parameter lists exactly what is accepted, without a dangling separator.
  message = ExpectMetricBadRequest("pending", "namespace=ns&mvtx=mv&foo=1", "foo");
  EXPECT_EQ(message.find(", ;"), std::string::npos) << message;
  EXPECT_FALSE(message.ends_with(", ")) << message;
  ExpectMetricBadRequest("pod-cpu-utilization", "namespace=ns&mvtx=mv&group_by=pod", "group_by");
}

std::string MatchersOf(const service::MetricRequest& request) {
  return service::RenderMatchers(service::RequestMatchers(request));
}

// NumaFlow's UI asks for every container of a namespace (its metrics-proxy requires only the
// namespace); nfmetrics' own metrics API still asks for the object, and reads only its pods.
TEST(MetricParams, ContainerUtilisationStillAsksForTheObject) {
  for (const char* metric : {"container-cpu-utilization", "container-memory-utilization"}) {
    SCOPED_TRACE(metric);
    ExpectMetricBadRequest(metric, "namespace=ns", "mvtx");
    ExpectMetricBadRequest(metric, "mvtx=mv", "namespace");
    ExpectMetricBadRequest(metric, "namespace=ns&pipeline=shop", "vertex");
    auto mono_vertex = ParseMetric(metric, "namespace=ns&mvtx=mv");
    ASSERT_TRUE(mono_vertex.ok()) << mono_vertex.error().message;
    EXPECT_EQ(MatchersOf(*mono_vertex), R"(namespace="ns",pod=~"mv-mv-[0-9]+-[a-z0-9]{5}")");
    auto vertex = ParseMetric(metric, "namespace=ns&pipeline=shop&vertex=out");
    ASSERT_TRUE(vertex.ok()) << vertex.error().message;
    EXPECT_EQ(MatchersOf(*vertex), R"(namespace="ns",pod=~"shop-out-[0-9]+-[a-z0-9]{5}")");
    // Pods and containers narrow it further, within the object's pods only.
    auto one_pod = ParseMetric(metric, "namespace=ns&mvtx=mv&pod=mv-mv-1-abcde&container=udf");
    ASSERT_TRUE(one_pod.ok()) << one_pod.error().message;
    EXPECT_EQ(MatchersOf(*one_pod), R"(namespace="ns",pod="mv-mv-1-abcde",container="udf")");
    ExpectMetricBadRequest(metric, "namespace=ns&mvtx=mv&pod=other-mv-0-abcde", "pod");
  }
}

// The same with NumaFlow's own default configuration (`serve --config`), whose container metrics
// declare no pod filter: the object's pods are still selected by name.
TEST(MetricParams, ContainerUtilisationOfNumaFlowsDefaultConfigIsNarrowedToTheObjectsPods) {
  Result<service::Catalog> numaflow =
      service::LoadCatalogFile(NFMETRICS_SOURCE_DIR "/tests/data/numaflow-default-config.yaml");
  ASSERT_TRUE(numaflow.ok()) << numaflow.error().message;
  auto parse = [&](std::string_view query) {
    return DecodeMetricRequest(*numaflow, "container-memory-utilization", std::nullopt, query,
                               kNow);
  };
  auto mono_vertex = parse("namespace=ns&mvtx=mv");
  ASSERT_TRUE(mono_vertex.ok()) << mono_vertex.error().message;
  EXPECT_EQ(MatchersOf(*mono_vertex), R"(namespace="ns",pod=~"mv-mv-[0-9]+-[a-z0-9]{5}")");
  auto vertex = parse("namespace=ns&pipeline=shop&vertex=in&container=numa");
  ASSERT_TRUE(vertex.ok()) << vertex.error().message;
  EXPECT_EQ(MatchersOf(*vertex),
            R"(namespace="ns",container="numa",pod=~"shop-in-[0-9]+-[a-z0-9]{5}")");
  auto missing = parse("namespace=ns");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().param, "mvtx");
}

}  // namespace
}  // namespace nfmetrics::http
