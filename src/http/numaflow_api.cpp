#include "http/numaflow_api.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "http/json_text.hpp"
#include "service/duration.hpp"
#include "service/promql.hpp"
#include "service/query_plan.hpp"
#include "service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

using service::Matcher;
using service::MetricSpec;

// NumaFlow's request fields (its UI also sends display_name, which selects nothing), plus step.
constexpr std::array<std::string_view, 10> kFields = {
    "pattern_name", "metric_name", "display_name", "dimension", "filters",
    "duration",     "quantile",    "start_time",   "end_time",  "step"};

template <class T>
Result<T> ForField(Result<T> result, std::string_view field) {
  if (result.ok()) return result;
  Error error = std::move(result).error();
  error.param = field;
  error.message = fmt::format("{}: {}", field, error.message);
  return error;
}

// A value NumaFlow would paste into the query: "*.x" style wildcards become an anchored regex
// with everything but the ".*" escaped; anything else is a literal.
Matcher FilterMatcher(const std::string& label, const std::string& value) {
  // The object's own labels are always literal: ".*" there would read every namespace.
  bool object_label =
      label == "namespace" || label == "mvtx_name" || label == "pipeline" || label == "vertex";
  if (object_label || value.find(".*") == std::string::npos) return {label, false, value};
  std::string pattern;
  std::size_t at = 0;
  while (true) {
    std::size_t wildcard = value.find(".*", at);
    pattern += service::EscapeRegex(value.substr(at, wildcard - at));
    if (wildcard == std::string::npos) break;
    pattern += ".*";
    at = wildcard + 2;
  }
  return {label, true, pattern};
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[400];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buffer, end) : fmt::format("{}", value);
}

}  // namespace

Result<ProxyQuery> ParseProxyRequest(const service::Catalog& catalog, std::string_view body,
                                     TimePoint now, const service::QueryLimits& limits) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    std::string_view reason = rapidjson::GetParseError_En(doc.GetParseError());
    if (reason.ends_with('.')) reason.remove_suffix(1);
    return BadRequest("", fmt::format("the body is not valid JSON: {} (at offset {})", reason,
                                      doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return BadRequest("", "the body must be a JSON object");

  std::map<std::string, std::string, std::less<>> fields;
  std::map<std::string, std::string> filters;
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
        filters[label] = std::string(filter.value.GetString(), filter.value.GetStringLength());
      }
      continue;
    }
    if (member.value.IsNull()) continue;
    if (!member.value.IsString()) {
      return BadRequest(name, fmt::format("{} must be a string", name));
    }
    std::string value(member.value.GetString(), member.value.GetStringLength());
    if (!value.empty()) fields[name] = std::move(value);
  }
  auto field = [&](std::string_view name) -> const std::string* {
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  };

  const std::string* metric_name = field("metric_name");
  if (!metric_name) return BadRequest("metric_name", "missing required field metric_name");
  const std::string* dimension_name = field("dimension");
  const MetricSpec* metric = nullptr;
  if (const std::string* pattern_name = field("pattern_name")) {
    metric = catalog.FindInPattern(*pattern_name, *metric_name);
    if (metric == nullptr) {
      bool pattern_known =
          std::any_of(catalog.patterns().begin(), catalog.patterns().end(),
                      [&](const service::Pattern& p) { return p.name == *pattern_name; });
      if (!pattern_known) {
        return Error{ErrorCode::kNotFound,
                     fmt::format("unknown pattern_name \"{}\"", *pattern_name), "pattern_name"};
      }
      return Error{ErrorCode::kNotFound,
                   fmt::format("pattern \"{}\" has no metric \"{}\"", *pattern_name, *metric_name),
                   "metric_name"};
    }
  } else {
    // Without a pattern, as NumaFlow's server does: the metric, preferring a pattern whose metric
    // declares the dimension asked for.
    const MetricSpec* first = nullptr;
    for (const service::Pattern& pattern : catalog.patterns()) {
      for (const MetricSpec& candidate : pattern.metrics) {
        if (candidate.metric_name != *metric_name) continue;
        if (first == nullptr) first = &candidate;
        if (metric == nullptr &&
            (dimension_name == nullptr || candidate.FindDimension(*dimension_name) != nullptr)) {
          metric = &candidate;
        }
      }
    }
    if (metric == nullptr) metric = first;
    if (metric == nullptr) {
      return Error{ErrorCode::kNotFound, fmt::format("no pattern has metric \"{}\"", *metric_name),
                   "metric_name"};
    }
  }
  const service::Pattern& pattern = *metric->pattern;

  // The dimension: required when the expression groups by it.
  const service::DimensionSpec* dimension = nullptr;
  if (const std::string* name = dimension_name) {
    dimension = metric->FindDimension(*name);
    if (dimension == nullptr) {
      std::vector<std::string> known;
      for (const auto& d : metric->dimensions) known.push_back(d.name);
      return BadRequest("dimension",
                        fmt::format("metric \"{}\" has no dimension \"{}\"; it has: {}",
                                    *metric_name, *name, fmt::join(known, ", ")));
    }
  }
  const service::ExprTemplate& expr =
      dimension != nullptr && dimension->expr ? *dimension->expr : pattern.expr;
  if (dimension == nullptr && expr.Uses(service::Placeholder::kDimension)) {
    return BadRequest("dimension", "missing required field dimension");
  }

  // Filters: any the metric declares, in its fixed order (required filters, then dimension
  // filters). NumaFlow's UI keeps a pod filter when the dimension changes, so a filter of another
  // dimension is accepted too. Required: the metric's, and the chosen dimension's.
  std::vector<service::FilterSpec> allowed = metric->AllFilters();
  if (dimension != nullptr) {
    for (service::FilterSpec& filter : allowed) {
      for (const service::FilterSpec& own : dimension->filters) {
        if (own.name == filter.name && own.required) filter.required = true;
      }
    }
  }
  for (const auto& filter : filters) {
    const std::string& label = filter.first;
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const auto& a) { return a.name == label; })) {
      std::vector<std::string> names;
      names.reserve(allowed.size());
      for (const auto& a : allowed) names.push_back(a.name);
      return BadRequest("filters",
                        fmt::format("filter \"{}\" is not accepted by metric \"{}\"; accepted: {}",
                                    label, *metric_name, fmt::join(names, ", ")));
    }
  }
  std::vector<Matcher> matchers;
  for (const service::FilterSpec& filter : allowed) {
    auto it = filters.find(filter.name);
    if (it == filters.end() || it->second.empty()) {
      if (filter.required) {
        return BadRequest("filters", fmt::format("missing required filter \"{}\"", filter.name));
      }
      continue;
    }
    const std::string& value = it->second;
    bool control = std::any_of(value.begin(), value.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (value.size() > 253 || control) {
      return BadRequest("filters", fmt::format("filters.{}: the value must be at most 253 bytes "
                                               "without control characters",
                                               filter.name));
    }
    matchers.push_back(FilterMatcher(filter.name, value));
  }

  // Parameters.
  auto required = [&](std::string_view name) {
    const service::ParamSpec* param = pattern.FindParam(name);
    return param != nullptr && param->required;
  };
  std::optional<double> quantile;
  if (const std::string* text = field("quantile")) {
    double value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value) ||
        value < 0 || value > 1) {
      return BadRequest(
          "quantile", fmt::format("invalid quantile \"{}\": expected a number from 0 to 1", *text));
    }
    quantile = value + 0.0;
  } else if (required("quantile") || expr.Uses(service::Placeholder::kQuantile)) {
    return BadRequest("quantile", "missing required field quantile");
  }
  std::optional<Duration> duration;
  if (const std::string* text = field("duration")) {
    auto parsed = ForField(service::ParseDuration(*text), "duration");
    if (!parsed.ok()) return std::move(parsed).error();
    if (parsed->count() <= 0) return BadRequest("duration", "duration must be greater than 0");
    duration = *parsed;
  } else if (required("duration") || expr.Uses(service::Placeholder::kDuration)) {
    return BadRequest("duration", "missing required field duration");
  }

  // The range: validated, unlike NumaFlow's, which silently ignores a time it cannot parse.
  TimePoint end_time = now;
  if (const std::string* text = field("end_time")) {
    auto parsed = ForField(service::ParseTimestamp(*text), "end_time");
    if (!parsed.ok()) return std::move(parsed).error();
    end_time = *parsed;
  }
  TimePoint start_time = end_time - kProxyDefaultRange;
  if (const std::string* text = field("start_time")) {
    auto parsed = ForField(service::ParseTimestamp(*text), "start_time");
    if (!parsed.ok()) return std::move(parsed).error();
    start_time = *parsed;
  }
  if (end_time < start_time) {
    return BadRequest("end_time", fmt::format("end_time ({}) is before start_time ({})",
                                              service::FormatRfc3339(end_time),
                                              service::FormatRfc3339(start_time)));
  }
  Duration step = kProxyDefaultStep;
  if (const std::string* text = field("step")) {
    auto parsed = ForField(service::ParseDurationOrSeconds(*text), "step");
    if (!parsed.ok()) return std::move(parsed).error();
    if (parsed->count() <= 0) return BadRequest("step", "step must be greater than 0");
    step = *parsed;
  }
  auto range = service::PlanRange(start_time, end_time, step, limits);
  if (!range.ok()) {
    Error error = std::move(range).error();
    // Without a `step` field the fixed default step cannot be at fault: the range is.
    if (error.param == "start" || (error.param == "step" && field("step") == nullptr)) {
      error.param = "start_time";
    }
    return error;
  }

  std::vector<std::string> labels;
  if (dimension != nullptr) labels.push_back(dimension->label);
  std::string promql =
      service::RenderPattern(expr, metric->metric_name, matchers, labels, quantile, duration);
  return ProxyQuery{
      .range = prometheus::RangeQuery{std::move(promql), range->start, range->end, range->step},
      .ns = service::ConfinedNamespace(expr, matchers)};
}

std::string ProxyDataJson(const prometheus::Matrix& matrix) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("data");
  writer.StartArray();
  for (const prometheus::Series& series : matrix.series) {
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
    for (const prometheus::Sample& sample : series.samples) {
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

std::string ProxyErrorJson(const Error& error) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("errMsg");
  WriteString(writer, error.message);
  writer.Key("data");
  writer.Null();
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
    for (const MetricSpec& metric : pattern.metrics) {
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
