// A validated request for one catalog metric: every field already checked against the catalog,
// defaults applied except those that depend on planning (step, window).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/k8s_names.hpp"

namespace nfmetrics::service {

// The NumaFlow object a metric is asked for: a MonoVertex, or a vertex of a pipeline.
struct ObjectRef {
  ObjectKind kind = ObjectKind::kMonoVertex;
  Namespace ns;
  std::optional<MonoVertexName> mvtx;    // kMonoVertex
  std::optional<PipelineName> pipeline;  // kVertex
  std::optional<VertexName> vertex;      // kVertex
};

// Values for one filter label beyond the object's own (pod, mvtx_replica, period, ...): one value
// becomes `label="v"`, several one anchored alternation `label=~"a|b"`, every value escaped.
struct FilterValues {
  std::string label;
  std::vector<std::string> values;  // sorted, unique, non-empty
};

struct MetricRequest {
  const MetricSpec* metric = nullptr;  // from the catalog; never null once parsed
  ObjectRef object;
  TimePoint start;
  TimePoint end;                   // >= start
  std::optional<Duration> step;    // > 0 when set; chosen from the range when absent
  std::optional<Duration> window;  // > 0 when set; max(5m, step) when absent
  std::vector<double> quantiles;   // non-empty exactly when the metric's expression has $quantile
  std::vector<const DimensionSpec*> group_by;  // dimensions of `metric`, no duplicates
  std::vector<FilterValues> filters;           // labels the metric declares, sorted by label
  bool summary = false;

  // The values given for a filter label, or nullptr.
  const FilterValues* FindFilter(std::string_view label) const;
  bool GroupsBy(std::string_view label) const;
  // Everything an answer depends on besides the data: the metric, the object, the exact range,
  // step and window asked, quantiles, grouping, filters and summary, however the client spelled
  // them. Equal keys render equal answers.
  std::string Key() const;
};

}  // namespace nfmetrics::service
