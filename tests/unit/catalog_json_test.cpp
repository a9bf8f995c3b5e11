// GET /api/v1/metrics: the built-in catalog as the API lists it, one entry per friendly name.
#include "http/catalog_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

namespace nfmetrics::http {
namespace {

using service::DefaultCatalog;
using ::testing::Contains;
using ::testing::ElementsAre;

std::vector<std::string> Strings(const rapidjson::Value& array) {
  std::vector<std::string> out;
  for (const auto& item : array.GetArray()) out.emplace_back(item.GetString());
  return out;
}

class CatalogJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json_ = CatalogJson(DefaultCatalog());
    doc_.Parse(json_.c_str());
    ASSERT_FALSE(doc_.HasParseError()) << json_;
    ASSERT_TRUE(doc_.IsObject());
  }

  const rapidjson::Value& Metrics() const { return doc_["data"]["metrics"]; }

  const rapidjson::Value* Entry(std::string_view name) const {
    for (const auto& entry : Metrics().GetArray()) {
      if (std::string_view(entry["name"].GetString()) == name) return &entry;
    }
    return nullptr;
  }

  const rapidjson::Value* Variant(std::string_view name, std::string_view object) const {
    const rapidjson::Value* entry = Entry(name);
    if (entry == nullptr) return nullptr;
    for (const auto& variant : (*entry)["variants"].GetArray()) {
      if (std::string_view(variant["object"].GetString()) == object) return &variant;
    }
    return nullptr;
  }

  std::string json_;
  rapidjson::Document doc_;
};

TEST_F(CatalogJsonTest, IsASuccessWithNoWarnings) {
  EXPECT_STREQ(doc_["status"].GetString(), "success");
  ASSERT_TRUE(doc_["warnings"].IsArray());
  EXPECT_EQ(doc_["warnings"].Size(), 0u);
  ASSERT_TRUE(Metrics().IsArray());
}

TEST_F(CatalogJsonTest, ListsEachFriendlyNameOnce) {
  std::set<std::string> seen;
  for (const auto& entry : Metrics().GetArray()) {
    EXPECT_TRUE(seen.insert(entry["name"].GetString()).second) << entry["name"].GetString();
  }
  for (std::string_view name :
       {"sink-latency", "processing-latency", "read-latency", "ack-latency", "nack-latency",
        "transformer-latency", "udf-latency", "fallback-sink-latency", "onsuccess-sink-latency",
        "read-throughput", "pending", "pod-cpu-utilization", "pod-memory-utilization",
        "container-cpu-utilization", "container-memory-utilization"}) {
    EXPECT_TRUE(seen.count(std::string(name)) == 1) << name;
  }
}

TEST_F(CatalogJsonTest, SinkLatencyCoversBothObjectKindsInSeconds) {
  const rapidjson::Value* sink = Entry("sink-latency");
  ASSERT_NE(sink, nullptr) << json_;
  EXPECT_STREQ((*sink)["path"].GetString(), "/api/v1/metrics/sink-latency");
  EXPECT_STREQ((*sink)["unit"].GetString(), "seconds");
  EXPECT_STREQ((*sink)["kind"].GetString(), "quantile");
  EXPECT_STREQ((*sink)["description"].GetString(),
               "Time taken to write a batch of messages to the sink");
  EXPECT_THAT(Strings((*sink)["objects"]), ElementsAre("mono-vertex", "vertex"));
  ASSERT_EQ((*sink)["variants"].Size(), 2u);
}

TEST_F(CatalogJsonTest, SinkLatencyMonoVertexVariant) {
  const rapidjson::Value* variant = Variant("sink-latency", "mono-vertex");
  ASSERT_NE(variant, nullptr);
  EXPECT_STREQ((*variant)["pattern"].GetString(), "mono_vertex_histogram");
  EXPECT_STREQ((*variant)["metric_name"].GetString(), "monovtx_sink_time_bucket");
  EXPECT_STREQ((*variant)["display_name"].GetString(), "MonoVertex Sink Write Time Latency");
  EXPECT_STREQ((*variant)["unit"].GetString(), "seconds");
  EXPECT_STREQ((*variant)["source_unit"].GetString(), "µs");
  std::vector<std::string> dimensions;
  for (const auto& dimension : (*variant)["dimensions"].GetArray()) {
    dimensions.push_back(std::string(dimension["name"].GetString()) + "=" +
                         dimension["label"].GetString());
  }
  EXPECT_THAT(dimensions,
              ElementsAre("mono-vertex=mvtx_name", "pod=pod", "mvtx_replica=mvtx_replica"));
  EXPECT_THAT(Strings((*variant)["parameters"]),
              ElementsAre("namespace", "mvtx", "start", "end", "step", "window", "summary",
                          "quantile", "group_by", "pod", "mvtx_replica"));
}

TEST_F(CatalogJsonTest, SinkLatencyVertexVariant) {
  const rapidjson::Value* variant = Variant("sink-latency", "vertex");
  ASSERT_NE(variant, nullptr);
  EXPECT_STREQ((*variant)["pattern"].GetString(), "vertex_histogram");
  EXPECT_STREQ((*variant)["metric_name"].GetString(), "forwarder_write_processing_time_bucket");
  EXPECT_STREQ((*variant)["unit"].GetString(), "seconds");
  std::vector<std::string> dimensions;
  for (const auto& dimension : (*variant)["dimensions"].GetArray()) {
    dimensions.emplace_back(dimension["name"].GetString());
  }
  EXPECT_THAT(dimensions, ElementsAre("vertex", "pod", "replica", "partition_name"));
  std::vector<std::string> parameters = Strings((*variant)["parameters"]);
  EXPECT_THAT(parameters,
              ElementsAre("namespace", "pipeline", "vertex", "start", "end", "step", "window",
                          "summary", "quantile", "group_by", "pod", "replica", "partition_name"));
}

TEST_F(CatalogJsonTest, MonoVertexOnlyLatenciesHaveOneVariant) {
  for (std::string_view name :
       {"nack-latency", "fallback-sink-latency", "onsuccess-sink-latency", "transformer-latency"}) {
    const rapidjson::Value* entry = Entry(name);
    ASSERT_NE(entry, nullptr) << name;
    EXPECT_THAT(Strings((*entry)["objects"]), ElementsAre("mono-vertex")) << name;
    EXPECT_STREQ((*entry)["unit"].GetString(), "seconds") << name;
  }
}

TEST_F(CatalogJsonTest, KindsAndUnitsOfNonLatencyMetrics) {
  const rapidjson::Value* throughput = Entry("read-throughput");
  ASSERT_NE(throughput, nullptr);
  EXPECT_STREQ((*throughput)["kind"].GetString(), "rate");
  EXPECT_STREQ((*throughput)["unit"].GetString(), "messages/s");
  EXPECT_THAT(Strings((*throughput)["objects"]), ElementsAre("mono-vertex", "vertex"));

  const rapidjson::Value* pending = Entry("pending");
  ASSERT_NE(pending, nullptr);
  EXPECT_STREQ((*pending)["kind"].GetString(), "value");
  EXPECT_STREQ((*pending)["unit"].GetString(), "messages");

  const rapidjson::Value* cpu = Entry("pod-cpu-utilization");
  ASSERT_NE(cpu, nullptr);
  EXPECT_STREQ((*cpu)["unit"].GetString(), "%");
  EXPECT_THAT(Strings((*cpu)["objects"]), ElementsAre("mono-vertex", "vertex"));
  const rapidjson::Value* mono_vertex = Variant("pod-cpu-utilization", "mono-vertex");
  ASSERT_NE(mono_vertex, nullptr);
  EXPECT_THAT(Strings((*mono_vertex)["parameters"]), Contains("window"));
  EXPECT_THAT(Strings((*mono_vertex)["parameters"]), testing::Not(Contains("quantile")));
}

TEST_F(CatalogJsonTest, EveryVariantHasTheSameKeys) {
  for (const auto& entry : Metrics().GetArray()) {
    std::vector<std::string> keys;
    for (const auto& member : entry.GetObject()) keys.emplace_back(member.name.GetString());
    EXPECT_THAT(keys,
                ElementsAre("name", "path", "description", "unit", "kind", "objects", "variants"));
    for (const auto& variant : entry["variants"].GetArray()) {
      std::vector<std::string> variant_keys;
      for (const auto& member : variant.GetObject()) {
        variant_keys.emplace_back(member.name.GetString());
      }
      EXPECT_THAT(variant_keys,
                  ElementsAre("object", "pattern", "metric_name", "display_name", "description",
                              "unit", "source_unit", "dimensions", "parameters"));
    }
  }
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(CatalogJsonSourceUnit, AnInferredMicrosecondUnitIsListed) {
  // A NumaFlow latency histogram configured without `unit` is taken to be in microseconds; the
  // listing says so instead of an empty source unit.
  auto catalog = service::LoadCatalog(R"(
patterns:
  - name: p
    objects: [mono-vertex]
    expr: histogram_quantile($quantile, sum by($dimension,le) (rate($metric_name{$filters}[$duration])))
    params: [{name: quantile, required: true}, {name: duration, required: true}]
    metrics:
      - metric_name: monovtx_read_time_bucket
        required_filters: [namespace, mvtx_name]
)",
                                      "cfg.yaml");
  ASSERT_TRUE(catalog.ok()) << catalog.error().message;
  rapidjson::Document doc;
  std::string json = CatalogJson(*catalog);
  doc.Parse(json.c_str());
  const auto& variant = doc["data"]["metrics"][0]["variants"][0];
  EXPECT_STREQ(variant["source_unit"].GetString(), "µs");
  EXPECT_STREQ(variant["unit"].GetString(), "seconds");
}

}  // namespace
}  // namespace nfmetrics::http
