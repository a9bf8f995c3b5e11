#include "nfmetrics/service/catalog.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <set>

#include "service/yaml_loader.hpp"

namespace nfmetrics::service {
namespace {

// Friendly names of NumaFlow's well-known metrics. A name may cover one metric per object kind.
struct KnownMetric {
  std::string_view metric_name;
  std::string_view api_name;
};
constexpr KnownMetric kKnownMetrics[] = {
    {"monovtx_sink_time_bucket", "sink-latency"},
    {"monovtx_processing_time_bucket", "processing-latency"},
    {"monovtx_read_time_bucket", "read-latency"},
    {"monovtx_ack_time_bucket", "ack-latency"},
    {"monovtx_nack_time_bucket", "nack-latency"},
    {"monovtx_transformer_time_bucket", "transformer-latency"},
    {"monovtx_udf_time_bucket", "udf-latency"},
    {"monovtx_fallback_sink_time_bucket", "fallback-sink-latency"},
    {"monovtx_onsuccess_sink_time_bucket", "onsuccess-sink-latency"},
    {"forwarder_write_processing_time_bucket", "sink-latency"},
    {"forwarder_processing_time_bucket", "processing-latency"},
    {"forwarder_read_processing_time_bucket", "read-latency"},
    {"forwarder_ack_processing_time_bucket", "ack-latency"},
    {"forwarder_udf_processing_time_bucket", "udf-latency"},
    {"monovtx_read_total", "read-throughput"},
    {"forwarder_data_read_total", "read-throughput"},
    {"monovtx_sink_write_total", "write-throughput"},
    {"forwarder_write_total", "write-throughput"},
    {"forwarder_udf_read_total", "udf-read-throughput"},
    {"forwarder_udf_write_total", "udf-write-throughput"},
    {"monovtx_udf_error_total", "udf-error-rate"},
    {"monovtx_udf_drop_total", "udf-drop-rate"},
    {"monovtx_pending", "pending"},
    {"vertex_pending_messages", "pending"},
    {"namespace_pod_cpu_utilization", "pod-cpu-utilization"},
    {"namespace_pod_memory_utilization", "pod-memory-utilization"},
    {"namespace_app_container_cpu_utilization", "container-cpu-utilization"},
    {"namespace_app_container_memory_utilization", "container-memory-utilization"},
};

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)) != 0);
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  return IsMetricName(name) && name.find(':') == std::string_view::npos;
}

std::optional<SourceUnit> ParseTimeUnit(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, SourceUnit>, 13> kUnits = {{
      {"ns", SourceUnit::kNanoseconds},
      {"nanoseconds", SourceUnit::kNanoseconds},
      {"µs", SourceUnit::kMicroseconds},
      {"μs", SourceUnit::kMicroseconds},
      {"us", SourceUnit::kMicroseconds},
      {"mu-s", SourceUnit::kMicroseconds},
      {"microseconds", SourceUnit::kMicroseconds},
      {"ms", SourceUnit::kMilliseconds},
      {"milliseconds", SourceUnit::kMilliseconds},
      {"s", SourceUnit::kSeconds},
      {"sec", SourceUnit::kSeconds},
      {"seconds", SourceUnit::kSeconds},
      {"second", SourceUnit::kSeconds},
  }};
  for (const auto& [name, value] : kUnits) {
    if (name == unit) return value;
  }
  return std::nullopt;
}

// Reads one YAML document into the catalog, remembering the key path for error messages.
class Loader : public YamlLoader {
 public:
  explicit Loader(std::string_view source) : YamlLoader(source, "config") {}

  // Unknown keys below the top level are reported but tolerated: NumaFlow's own server ignores
  // them, and a ConfigMap written for a newer NumaFlow should still load.
  void WarnUnknownKeys(const YAML::Node& node, const std::string& path,
                       std::initializer_list<std::string_view> known) const {
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        spdlog::warn("{}: {}.{}: unknown key, ignored", source(), path, key);
      }
    }
  }

  Result<bool> Bool(const YAML::Node& parent, std::string_view key, const std::string& path) const {
    YAML::Node node = parent[std::string(key)];
    if (!node || node.IsNull()) return false;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      return Fail(fmt::format("{}.{}", path, key), "must be true or false");
    }
    return value;
  }

  Result<std::vector<FilterSpec>> Filters(const YAML::Node& parent, const std::string& path) const {
    auto list = Sequence(parent, "filters", path, false);
    if (!list.ok()) return std::move(list).error();
    std::vector<FilterSpec> filters;
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string at = fmt::format("{}.filters[{}]", path, i);
      const YAML::Node& item = (*list)[i];
      if (!item.IsMap()) return Fail(at, "must be a map with name and required");
      WarnUnknownKeys(item, at, {"name", "required"});
      auto name = String(item, "name", at, true);
      if (!name.ok()) return std::move(name).error();
      if (!IsLabelName(*name))
        return Fail(at + ".name", fmt::format("\"{}\" is not a label name", *name));
      auto required = Bool(item, "required", at);
      if (!required.ok()) return std::move(required).error();
      filters.push_back({std::move(name).value(), *required});
    }
    return filters;
  }

  Result<DimensionSpec> Dimension(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) return Fail(path, "must be a map with name, expr and filters");
    WarnUnknownKeys(node, path, {"name", "expr", "filters"});
    DimensionSpec dimension;
    auto name = String(node, "name", path, true);
    if (!name.ok()) return std::move(name).error();
    dimension.name = std::move(name).value();
    dimension.label = dimension.name == "mono-vertex" ? "mvtx_name" : dimension.name;
    if (!IsLabelName(dimension.label)) {
      return Fail(path + ".name",
                  fmt::format("\"{}\" is neither mono-vertex nor a label name", dimension.name));
    }
    auto expr = String(node, "expr", path, false);
    if (!expr.ok()) return std::move(expr).error();
    if (!expr->empty()) {
      auto parsed = ExprTemplate::Parse(*expr);
      if (!parsed.ok()) return Fail(path + ".expr", parsed.error().message);
      dimension.expr = std::move(parsed).value();
    }
    auto filters = Filters(node, path);
    if (!filters.ok()) return std::move(filters).error();
    dimension.filters = std::move(filters).value();
    return dimension;
  }

  Result<MetricSpec> Metric(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) return Fail(path, "must be a map");
    WarnUnknownKeys(node, path,
                    {"metric_name", "display_name", "metric_description", "unit",
                     "required_filters", "dimensions"});
    MetricSpec metric;
    auto name = String(node, "metric_name", path, true);
    if (!name.ok()) return std::move(name).error();
    if (!IsMetricName(*name)) {
      return Fail(path + ".metric_name", fmt::format("\"{}\" is not a metric name", *name));
    }
    metric.metric_name = std::move(name).value();
    for (auto [key, slot] :
         {std::pair{"display_name", &metric.display_name},
          std::pair{"metric_description", &metric.description}, std::pair{"unit", &metric.unit}}) {
      auto value = String(node, key, path, false);
      if (!value.ok()) return std::move(value).error();
      *slot = std::move(value).value();
    }
    auto required = Sequence(node, "required_filters", path, false);
    if (!required.ok()) return std::move(required).error();
    for (std::size_t i = 0; i < required->size(); ++i) {
      std::string at = fmt::format("{}.required_filters[{}]", path, i);
      const YAML::Node& item = (*required)[i];
      if (!item.IsScalar() || !IsLabelName(item.Scalar())) return Fail(at, "must be a label name");
      metric.required_filters.push_back(item.Scalar());
    }
    auto dimensions = Sequence(node, "dimensions", path, false);
    if (!dimensions.ok()) return std::move(dimensions).error();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < dimensions->size(); ++i) {
      std::string at = fmt::format("{}.dimensions[{}]", path, i);
      auto dimension = Dimension((*dimensions)[i], at);
      if (!dimension.ok()) return std::move(dimension).error();
      if (!seen.insert(dimension->name).second) {
        return Fail(at + ".name",
                    fmt::format("dimension \"{}\" is declared twice", dimension->name));
      }
      metric.dimensions.push_back(std::move(dimension).value());
    }
    if (metric.display_name.empty()) metric.display_name = metric.metric_name;
    metric.api_name = ApiNameFor(metric.metric_name);
    if (auto unit = ParseTimeUnit(metric.unit)) {
      metric.source_unit = *unit;
    } else if (metric.unit.empty() && metric.metric_name.ends_with("_time_bucket")) {
      // NumaFlow's latency histograms are in microseconds; older configurations omit the unit.
      metric.source_unit = SourceUnit::kMicroseconds;
    }
    return metric;
  }

  Result<Pattern> LoadPattern(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) return Fail(path, "must be a map");
    WarnUnknownKeys(
        node, path,
        {"name", "object", "objects", "title", "description", "expr", "params", "metrics"});
    Pattern pattern;
    auto name = String(node, "name", path, true);
    if (!name.ok()) return std::move(name).error();
    pattern.name = std::move(name).value();
    for (auto [key, slot] :
         {std::pair{"title", &pattern.title}, std::pair{"description", &pattern.description}}) {
      auto value = String(node, key, path, false);
      if (!value.ok()) return std::move(value).error();
      *slot = std::move(value).value();
    }

    // `objects` (a list) is today's key; early NumaFlow versions used `object` (one string).
    // (yaml-cpp: assigning one node to another writes through, so choose before binding.)
    const bool legacy = !node["objects"] && node["object"];
    YAML::Node objects = legacy ? node["object"] : node["objects"];
    std::string objects_path = path + (legacy ? ".object" : ".objects");
    if (!objects || objects.IsNull()) return Fail(path + ".objects", "missing required key");
    std::vector<std::string> object_names;
    if (objects.IsScalar()) {
      object_names.push_back(objects.Scalar());
    } else if (objects.IsSequence()) {
      for (const auto& item : objects) {
        if (!item.IsScalar()) return Fail(objects_path, "must be a list of object kinds");
        object_names.push_back(item.Scalar());
      }
    } else {
      return Fail(objects_path, "must be a list of object kinds");
    }
    for (const std::string& object : object_names) {
      auto kind = ParseObjectKind(object);
      if (!kind) {
        return Fail(objects_path,
                    fmt::format("unknown object kind \"{}\"; use mono-vertex or vertex", object));
      }
      pattern.objects.push_back(*kind);
    }
    if (pattern.objects.empty()) return Fail(objects_path, "must name at least one object kind");

    auto expr = String(node, "expr", path, true);
    if (!expr.ok()) return std::move(expr).error();
    auto parsed = ExprTemplate::Parse(*expr);
    if (!parsed.ok()) return Fail(path + ".expr", parsed.error().message);
    pattern.expr = std::move(parsed).value();

    auto params = Sequence(node, "params", path, false);
    if (!params.ok()) return std::move(params).error();
    for (std::size_t i = 0; i < params->size(); ++i) {
      std::string at = fmt::format("{}.params[{}]", path, i);
      const YAML::Node& item = (*params)[i];
      if (!item.IsMap()) return Fail(at, "must be a map with name and required");
      WarnUnknownKeys(item, at, {"name", "required"});
      auto param_name = String(item, "name", at, true);
      if (!param_name.ok()) return std::move(param_name).error();
      static constexpr std::array<std::string_view, 4> kParams = {"quantile", "duration",
                                                                  "start_time", "end_time"};
      if (std::find(kParams.begin(), kParams.end(), *param_name) == kParams.end()) {
        return Fail(at + ".name",
                    fmt::format("unknown parameter \"{}\"; known: quantile, duration, "
                                "start_time, end_time",
                                *param_name));
      }
      auto required = Bool(item, "required", at);
      if (!required.ok()) return std::move(required).error();
      pattern.params.push_back({std::move(param_name).value(), *required});
    }
    if (auto error = CheckParams(pattern, path)) return *error;

    auto metrics = Sequence(node, "metrics", path, true);
    if (!metrics.ok()) return std::move(metrics).error();
    if (metrics->size() == 0) return Fail(path + ".metrics", "must list at least one metric");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < metrics->size(); ++i) {
      std::string at = fmt::format("{}.metrics[{}]", path, i);
      auto metric = Metric((*metrics)[i], at);
      if (!metric.ok()) return std::move(metric).error();
      if (!seen.insert(metric->metric_name).second) {
        return Fail(
            at + ".metric_name",
            fmt::format("metric \"{}\" is listed twice in this pattern", metric->metric_name));
      }
      for (std::size_t d = 0; d < metric->dimensions.size(); ++d) {
        const auto& expr_override = metric->dimensions[d].expr;
        if (expr_override) {
          if (auto error = CheckParams(pattern, *expr_override,
                                       fmt::format("{}.dimensions[{}].expr", at, d))) {
            return *error;
          }
        }
      }
      pattern.metrics.push_back(std::move(metric).value());
    }
    return pattern;
  }

  // $quantile and $duration need a value: the pattern must declare the parameter that gives it.
  std::optional<Error> CheckParams(const Pattern& pattern, const ExprTemplate& expr,
                                   const std::string& path) const {
    for (auto [placeholder, param] : {std::pair{Placeholder::kQuantile, "quantile"},
                                      std::pair{Placeholder::kDuration, "duration"}}) {
      if (expr.Uses(placeholder) && pattern.FindParam(param) == nullptr) {
        return Fail(path, fmt::format("uses {} but the pattern's params do not declare \"{}\"",
                                      PlaceholderName(placeholder), param));
      }
    }
    return std::nullopt;
  }
  std::optional<Error> CheckParams(const Pattern& pattern, const std::string& path) const {
    return CheckParams(pattern, pattern.expr, path + ".expr");
  }

 private:
  std::string source_;
};

}  // namespace

std::string_view ObjectKindName(ObjectKind kind) {
  return kind == ObjectKind::kMonoVertex ? "mono-vertex" : "vertex";
}

std::optional<ObjectKind> ParseObjectKind(std::string_view name) {
  if (name == "mono-vertex") return ObjectKind::kMonoVertex;
  if (name == "vertex") return ObjectKind::kVertex;
  return std::nullopt;
}

const DimensionSpec* MetricSpec::FindDimension(std::string_view name) const {
  for (const DimensionSpec& dimension : dimensions) {
    if (dimension.name == name) return &dimension;
  }
  return nullptr;
}

std::vector<const DimensionSpec*> MetricSpec::DimensionsFor(ObjectKind kind) const {
  const bool both_kinds = pattern != nullptr && pattern->AppliesTo(ObjectKind::kMonoVertex) &&
                          pattern->AppliesTo(ObjectKind::kVertex);
  const ObjectKind other =
      kind == ObjectKind::kMonoVertex ? ObjectKind::kVertex : ObjectKind::kMonoVertex;
  std::vector<const DimensionSpec*> out;
  out.reserve(dimensions.size());
  for (const DimensionSpec& dimension : dimensions) {
    if (both_kinds && dimension.name == ObjectKindName(other)) continue;
    out.push_back(&dimension);
  }
  return out;
}

std::string MetricSpec::ApiUnit() const {
  return source_unit == SourceUnit::kNone ? unit : "seconds";
}

std::string MetricSpec::SourceUnitName() const {
  if (!unit.empty() || source_unit != SourceUnit::kMicroseconds) return unit;
  return "µs";
}

std::vector<FilterSpec> MetricSpec::AllFilters() const {
  std::vector<FilterSpec> out;
  auto add = [&](const FilterSpec& filter) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const FilterSpec& f) { return f.name == filter.name; });
    if (it == out.end()) out.push_back(filter);
  };
  for (const std::string& name : required_filters) add({name, true});
  for (const DimensionSpec& dimension : dimensions) {
    for (const FilterSpec& filter : dimension.filters) add({filter.name, false});
  }
  return out;
}

bool Pattern::AppliesTo(ObjectKind kind) const {
  return std::find(objects.begin(), objects.end(), kind) != objects.end();
}

const ParamSpec* Pattern::FindParam(std::string_view name) const {
  for (const ParamSpec& param : params) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

const MetricSpec* Catalog::Find(std::string_view name, ObjectKind kind) const {
  // Friendly names first, then metric names; the first pattern that defines a metric wins.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Pattern& pattern : patterns_) {
      if (!pattern.AppliesTo(kind)) continue;
      for (const MetricSpec& metric : pattern.metrics) {
        bool match = pass == 0 ? metric.api_name == name
                               : metric.metric_name == name ||
                                     (metric.metric_name.ends_with("_bucket") &&
                                      metric.metric_name == fmt::format("{}_bucket", name));
        if (match) return &metric;
      }
    }
  }
  return nullptr;
}

bool Catalog::Knows(std::string_view name) const {
  return Find(name, ObjectKind::kMonoVertex) != nullptr ||
         Find(name, ObjectKind::kVertex) != nullptr;
}

const MetricSpec* Catalog::FindInPattern(std::string_view pattern_name,
                                         std::string_view metric_name) const {
  for (const Pattern& pattern : patterns_) {
    if (pattern.name != pattern_name) continue;
    for (const MetricSpec& metric : pattern.metrics) {
      if (metric.metric_name == metric_name) return &metric;
    }
  }
  return nullptr;
}

std::string ApiNameFor(std::string_view metric_name) {
  for (const KnownMetric& known : kKnownMetrics) {
    if (known.metric_name == metric_name) return std::string(known.api_name);
  }
  std::string name(metric_name);
  if (name.ends_with("_bucket")) name.resize(name.size() - 7);
  std::replace(name.begin(), name.end(), '_', '-');
  std::replace(name.begin(), name.end(), ':', '-');
  return name;
}

Result<Catalog> LoadCatalog(std::string_view yaml_text, std::string_view source) {
  Loader loader(source);
  Result<YAML::Node> document = loader.LoadMap(yaml_text, "url and patterns");
  if (!document.ok()) return std::move(document).error();
  const YAML::Node& root = *document;
  Catalog catalog;
  for (const auto& entry : root) {
    std::string key = entry.first.Scalar();
    if (key != "url" && key != "patterns") {
      return loader.Fail(key, "unknown key; the configuration has url and patterns");
    }
  }
  try {
    if (root["url"] && !root["url"].IsNull()) {
      if (!root["url"].IsScalar()) return loader.Fail("url", "must be a string");
      catalog.url_ = root["url"].Scalar();
    }
    catalog.has_patterns_ = root["patterns"].IsDefined();
    auto patterns = loader.Sequence(root, "patterns", "", false);
    if (!patterns.ok()) return std::move(patterns).error();
    std::set<std::string> seen;
    catalog.patterns_.reserve(patterns->size());
    for (std::size_t i = 0; i < patterns->size(); ++i) {
      std::string path = fmt::format("patterns[{}]", i);
      auto pattern = loader.LoadPattern((*patterns)[i], path);
      if (!pattern.ok()) return std::move(pattern).error();
      if (!seen.insert(pattern->name).second) {
        return loader.Fail(path + ".name",
                           fmt::format("pattern \"{}\" is defined twice", pattern->name));
      }
      catalog.patterns_.push_back(std::move(pattern).value());
    }
  } catch (const YAML::Exception& e) {
    return loader.Fail(e);
  }
  for (Pattern& pattern : catalog.patterns_) {
    for (MetricSpec& metric : pattern.metrics) metric.pattern = &pattern;
  }
  return catalog;
}

Result<Catalog> LoadCatalogFile(const std::string& path) {
  Result<std::string> text = ReadConfigFile(path, "config");
  if (!text.ok()) return std::move(text).error();
  return LoadCatalog(*text, path);
}

const Catalog& DefaultCatalog() {
  static const Catalog catalog = [] {
    Result<Catalog> loaded = LoadCatalog(DefaultCatalogYaml(), "config/metrics-proxy.yaml");
    if (!loaded.ok()) {
      spdlog::critical("the built-in catalog does not load: {}", loaded.error().message);
      std::abort();
    }
    return std::move(loaded).value();
  }();
  return catalog;
}

}  // namespace nfmetrics::service
