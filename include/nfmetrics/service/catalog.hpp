// The metric catalog: NumaFlow's metrics-proxy configuration (patterns of PromQL templates and the
// metrics each applies to), loaded and checked once at start-up, then read-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/service/expr_template.hpp"

namespace nfmetrics::service {

// The kinds of NumaFlow object a pattern applies to ("objects" in the configuration).
enum class ObjectKind { kMonoVertex, kVertex };

std::string_view ObjectKindName(ObjectKind kind);  // "mono-vertex", "vertex"
std::optional<ObjectKind> ParseObjectKind(std::string_view name);

// What a metric's values measure before the API converts them. Time units are converted to
// seconds by the API; anything else is reported as the configuration names it.
enum class SourceUnit { kNone, kNanoseconds, kMicroseconds, kMilliseconds, kSeconds };

struct FilterSpec {
  std::string name;  // a label name
  bool required = false;
};

struct ParamSpec {
  std::string name;  // quantile, duration, start_time, end_time
  bool required = false;
};

struct DimensionSpec {
  std::string name;   // as configured: "mono-vertex", "pod", "vertex", ...
  std::string label;  // the label it groups by: "mono-vertex" is mvtx_name, others are themselves
  std::optional<ExprTemplate> expr;  // replaces the pattern's expression for this dimension
  std::vector<FilterSpec> filters;
};

struct Pattern;

struct MetricSpec {
  std::string metric_name;  // e.g. monovtx_sink_time_bucket
  std::string display_name;
  std::string description;
  std::string unit;  // as configured ("" when absent)
  std::vector<std::string> required_filters;
  std::vector<DimensionSpec> dimensions;

  // Derived at load time.
  std::string api_name;  // the friendly name served at /api/v1/metrics/{api_name}
  SourceUnit source_unit = SourceUnit::kNone;
  const Pattern* pattern = nullptr;

  const DimensionSpec* FindDimension(std::string_view name) const;
  // The dimensions the metric offers on one object kind, in declaration order, as NumaFlow's
  // discovery lists them: when the metric's pattern applies to both kinds, the other kind's own
  // dimension is left out (`vertex` on a MonoVertex, `mono-vertex` on a vertex).
  std::vector<const DimensionSpec*> DimensionsFor(ObjectKind kind) const;
  // The API's unit: "seconds" for time units, otherwise the configured unit.
  std::string ApiUnit() const;
  // The unit of the stored values: as configured, or "µs" where it was inferred for a NumaFlow
  // latency histogram (`*_time_bucket`) configured without one.
  std::string SourceUnitName() const;
  // Every filter label the metric accepts, in the fixed order matchers are emitted: required
  // filters as declared, then dimension filters as declared, without duplicates.
  std::vector<FilterSpec> AllFilters() const;
};

struct Pattern {
  std::string name;
  std::vector<ObjectKind> objects;
  std::string title;
  std::string description;
  ExprTemplate expr;
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;

  bool AppliesTo(ObjectKind kind) const;
  const ParamSpec* FindParam(std::string_view name) const;
};

class Catalog {
 public:
  Catalog() = default;
  Catalog(const Catalog&) = delete;  // metrics point at their pattern
  Catalog& operator=(const Catalog&) = delete;
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;

  const std::optional<std::string>& url() const { return url_; }
  const std::vector<Pattern>& patterns() const { return patterns_; }
  // False when the file had no `patterns` key at all (it then only sets the url, and the
  // built-in catalog applies); an explicit empty list is an empty catalog.
  bool has_patterns() const { return has_patterns_; }

  // A metric by friendly name or by metric_name (with or without `_bucket`), for one object kind.
  const MetricSpec* Find(std::string_view name, ObjectKind kind) const;
  // True when `name` names a metric for some object kind.
  bool Knows(std::string_view name) const;
  // NumaFlow's lookup: a pattern by name, then a metric in it by metric_name.
  const MetricSpec* FindInPattern(std::string_view pattern_name,
                                  std::string_view metric_name) const;

 private:
  friend Result<Catalog> LoadCatalog(std::string_view, std::string_view);
  std::optional<std::string> url_;
  std::vector<Pattern> patterns_;
  bool has_patterns_ = false;
};

// Parses NumaFlow's `numaflow-server-metrics-proxy-config` YAML. `source` names the file in error
// messages, which read "<source>: <key path>: <reason>", e.g.
// "config.yaml: patterns[0].expr: unknown placeholder \"$dim\" at offset 22; known: ...".
// Errors have code kBadRequest and param "config".
Result<Catalog> LoadCatalog(std::string_view yaml_text, std::string_view source);
Result<Catalog> LoadCatalogFile(const std::string& path);

// The built-in catalog: NumaFlow's default patterns and metrics, plus the MonoVertex latencies its
// default omits (nack, fallback sink, on-success sink). Its YAML is config/metrics-proxy.yaml.
const Catalog& DefaultCatalog();
std::string_view DefaultCatalogYaml();

// The friendly API name NumaFlow's well-known metrics are served under (monovtx_sink_time_bucket
// and forwarder_write_processing_time_bucket are both "sink-latency"); other metrics use their
// metric_name without `_bucket`, with '-' for '_'.
std::string ApiNameFor(std::string_view metric_name);

}  // namespace nfmetrics::service
