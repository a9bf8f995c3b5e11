#include "http/catalog_json.hpp"

#include <map>
#include <vector>

#include "http/json_text.hpp"
#include "nfmetrics/service/metric_params.hpp"
#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

using service::MetricSpec;
using service::ObjectKind;
using service::Placeholder;

std::string_view KindOf(const MetricSpec& metric) {
  const service::ExprTemplate& expr = metric.pattern->expr;
  if (expr.Uses(Placeholder::kQuantile)) return "quantile";
  if (expr.text().find("rate(") != std::string::npos) return "rate";
  return "value";
}

}  // namespace

std::string CatalogJson(const service::Catalog& catalog) {
  // Friendly name -> (object kind, metric) in catalog order; the first pattern defining a metric
  // for an object kind is the one served.
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::pair<ObjectKind, const MetricSpec*>>> entries;
  for (const service::Pattern& pattern : catalog.patterns()) {
    for (const MetricSpec& metric : pattern.metrics) {
      for (ObjectKind kind : pattern.objects) {
        if (catalog.Find(metric.api_name, kind) != &metric) continue;
        auto [it, inserted] = entries.try_emplace(metric.api_name);
        if (inserted) order.push_back(metric.api_name);
        it->second.emplace_back(kind, &metric);
      }
    }
  }

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  BeginSuccess(writer);
  writer.Key("metrics");
  writer.StartArray();
  for (const std::string& name : order) {
    const auto& variants = entries[name];
    const MetricSpec& first = *variants.front().second;
    writer.StartObject();
    writer.Key("name");
    WriteString(writer, name);
    writer.Key("path");
    WriteString(writer, "/api/v1/metrics/" + name);
    writer.Key("description");
    WriteString(writer, first.description);
    writer.Key("unit");
    WriteString(writer, first.ApiUnit());
    writer.Key("kind");
    WriteString(writer, KindOf(first));
    writer.Key("objects");
    writer.StartArray();
    for (const auto& [kind, metric] : variants) WriteString(writer, service::ObjectKindName(kind));
    writer.EndArray();
    writer.Key("variants");
    writer.StartArray();
    for (const auto& [kind, metric] : variants) {
      writer.StartObject();
      writer.Key("object");
      WriteString(writer, service::ObjectKindName(kind));
      writer.Key("pattern");
      WriteString(writer, metric->pattern->name);
      writer.Key("metric_name");
      WriteString(writer, metric->metric_name);
      writer.Key("display_name");
      WriteString(writer, metric->display_name);
      writer.Key("description");
      WriteString(writer, metric->description);
      writer.Key("unit");
      WriteString(writer, metric->ApiUnit());
      writer.Key("source_unit");
      WriteString(writer, metric->SourceUnitName());
      writer.Key("dimensions");
      writer.StartArray();
      for (const service::DimensionSpec* dimension : metric->DimensionsFor(kind)) {
        writer.StartObject();
        writer.Key("name");
        WriteString(writer, dimension->name);
        writer.Key("label");
        WriteString(writer, dimension->label);
        writer.EndObject();
      }
      writer.EndArray();
      writer.Key("parameters");
      writer.StartArray();
      for (const std::string& param : service::AcceptedParamNames(*metric, kind)) {
        WriteString(writer, param);
      }
      writer.EndArray();
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  EndSuccess(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ObjectListJson(const std::vector<std::pair<std::string, std::string>>& echo,
                           std::string_view key, const std::vector<std::string>& values,
                           TimePoint start, TimePoint end) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  BeginSuccess(writer);
  for (const auto& [name, value] : echo) {
    WriteString(writer, name);
    WriteString(writer, value);
  }
  WriteString(writer, key);
  writer.StartArray();
  for (const std::string& value : values) WriteString(writer, value);
  writer.EndArray();
  writer.Key("range");
  writer.StartObject();
  writer.Key("start");
  WriteString(writer, service::FormatRfc3339(start));
  writer.Key("end");
  WriteString(writer, service::FormatRfc3339(end));
  writer.EndObject();
  EndSuccess(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
