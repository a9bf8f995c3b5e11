#include "http/numaflow_api.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "http/json_text.hpp"

namespace nfmetrics::http {
namespace {

// NumaFlow's request fields (its UI also sends display_name, which selects nothing), plus step.
constexpr std::array<std::string_view, 10> kFields = {
    "pattern_name", "metric_name", "display_name", "dimension", "filters",
    "duration",     "quantile",    "start_time",   "end_time",  "step"};

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[400];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buffer, end) : fmt::format("{}", value);
}

}  // namespace

Result<service::ProxyRequest> DecodeProxyBody(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    std::string_view reason = rapidjson::GetParseError_En(doc.GetParseError());
    if (reason.ends_with('.')) reason.remove_suffix(1);
    return BadRequest("", fmt::format("the body is not valid JSON: {} (at offset {})", reason,
                                      doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return BadRequest("", "the body must be a JSON object");

  service::ProxyRequest request;
  const std::array<std::pair<std::string_view, std::optional<std::string>*>, 8> slots = {{
      {"pattern_name", &request.pattern_name},
      {"metric_name", &request.metric_name},
      {"dimension", &request.dimension},
      {"duration", &request.duration},
      {"quantile", &request.quantile},
      {"start_time", &request.start_time},
      {"end_time", &request.end_time},
      {"step", &request.step},
  }};
  for (const auto& member : doc.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (std::find(kFields.begin(), kFields.end(), name) == kFields.end()) {
      return BadRequest(
          name, fmt::format("unknown field \"{}\"; accepted: {}", name, fmt::join(kFields, ", ")));
    }
    if (name == "filters") {
      if (member.value.IsNull()) continue;
      if (!member.value.IsObject()) {
        return BadRequest("filters", "filters must be an object of label names to values");
      }
      for (const auto& filter : member.value.GetObject()) {
        std::string label(filter.name.GetString(), filter.name.GetStringLength());
        if (!filter.value.IsString()) {
          return BadRequest("filters", fmt::format("filters.{} must be a string", label));
        }
        request.filters[label] =
            std::string(filter.value.GetString(), filter.value.GetStringLength());
      }
      continue;
    }
    if (member.value.IsNull()) continue;
    if (!member.value.IsString()) {
      return BadRequest(name, fmt::format("{} must be a string", name));
    }
    std::string value(member.value.GetString(), member.value.GetStringLength());
    auto slot = std::find_if(slots.begin(), slots.end(),
                             [&](const auto& entry) { return entry.first == name; });
    if (slot != slots.end() && !value.empty()) *slot->second = std::move(value);
  }
  return request;
}

std::string ProxyDataJson(const std::vector<Series>& all) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("data");
  writer.StartArray();
  for (const Series& series : all) {
    writer.StartObject();
    writer.Key("metric");
    writer.StartObject();
    for (const auto& [label, value] : series.labels) {
      WriteString(writer, label);
      WriteString(writer, value);
    }
    writer.EndObject();
    writer.Key("values");
    writer.StartArray();
    for (const Sample& sample : series.samples) {
      writer.StartArray();
      WriteSeconds(writer, sample.timestamp.time_since_epoch().count());
      WriteString(writer, FormatSampleValue(sample.value));
      writer.EndArray();
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::string> DiscoveryJson(const service::Catalog& catalog, std::string_view object) {
  std::optional<service::ObjectKind> kind = service::ParseObjectKind(object);
  if (!kind) {
    return BadRequest("object",
                      fmt::format("unknown object \"{}\"; use mono-vertex or vertex", object));
  }
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  auto name_required = [&](std::string_view name, bool is_required) {
    writer.StartObject();
    writer.Key("Name");
    WriteString(writer, name);
    writer.Key("Required");
    writer.Bool(is_required);
    writer.EndObject();
  };
  writer.StartObject();
  writer.Key("data");
  writer.StartArray();
  for (const service::Pattern& pattern : catalog.patterns()) {
    if (!pattern.AppliesTo(*kind)) continue;
    for (const service::MetricSpec& metric : pattern.metrics) {
      writer.StartObject();
      writer.Key("pattern_name");
      WriteString(writer, pattern.name);
      writer.Key("metric_name");
      WriteString(writer, metric.metric_name);
      writer.Key("metric_description");
      WriteString(writer, metric.description);
      writer.Key("display_name");
      WriteString(writer, metric.display_name);
      writer.Key("unit");
      WriteString(writer, metric.unit);
      writer.Key("dimensions");
      writer.StartArray();
      for (const service::DimensionSpec* dimension : metric.DimensionsFor(*kind)) {
        writer.StartObject();
        writer.Key("name");
        WriteString(writer, dimension->name);
        writer.Key("filters");
        writer.StartArray();
        for (const std::string& label : metric.required_filters) name_required(label, true);
        for (const service::FilterSpec& filter : dimension->filters) {
          if (std::find(metric.required_filters.begin(), metric.required_filters.end(),
                        filter.name) == metric.required_filters.end()) {
            name_required(filter.name, filter.required);
          }
        }
        writer.EndArray();
        writer.Key("params");
        writer.StartArray();
        for (const service::ParamSpec& param : pattern.params) {
          name_required(param.name, param.required);
        }
        writer.EndArray();
        writer.EndObject();
      }
      writer.EndArray();
      writer.EndObject();
    }
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
