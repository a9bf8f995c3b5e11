#include "nfmetrics/service/metric_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::service {
namespace {

// Labels the object itself supplies; never accepted as filter parameters.
bool IsObjectLabel(std::string_view label) {
  return label == "namespace" || label == "mvtx_name" || label == "pipeline" || label == "vertex";
}

bool UsesAnywhere(const MetricSpec& metric, Placeholder placeholder) {
  if (metric.pattern->expr.Uses(placeholder)) return true;
  return std::any_of(metric.dimensions.begin(), metric.dimensions.end(),
                     [&](const DimensionSpec& d) { return d.expr && d.expr->Uses(placeholder); });
}

// What a request for `metric` on `kind` may carry, in the order the error message lists them.
// Views into string literals and the catalog, which outlives every request.
struct Accepted {
  std::vector<std::string_view> single;  // at most once
  std::vector<std::string_view> multi;   // repeatable and/or comma-separated

  bool Single(std::string_view key) const {
    return std::find(single.begin(), single.end(), key) != single.end();
  }
  bool Multi(std::string_view key) const {
    return std::find(multi.begin(), multi.end(), key) != multi.end();
  }
  std::string List() const {  // "namespace, mvtx, start, ..."
    if (multi.empty()) return fmt::format("{}", fmt::join(single, ", "));
    return fmt::format("{}, {}", fmt::join(single, ", "), fmt::join(multi, ", "));
  }
};

// live: a stream's parameters, whose window is `range` and `fresh` instead of `start` and `end`
// (ParseStreamRequest takes those two before the rest is parsed here).
Accepted AcceptedParams(const MetricSpec& metric, ObjectKind kind, bool live = false) {
  Accepted accepted;
  accepted.single.reserve(8);
  accepted.single.emplace_back("namespace");
  if (kind == ObjectKind::kMonoVertex) {
    accepted.single.emplace_back("mvtx");
  } else {
    accepted.single.emplace_back("pipeline");
    accepted.single.emplace_back("vertex");
  }
  if (live) {
    for (const char* name : {"range", "fresh"}) accepted.single.emplace_back(name);
  } else {
    for (const char* name : {"start", "end"}) accepted.single.emplace_back(name);
  }
  accepted.single.emplace_back("step");
  if (UsesAnywhere(metric, Placeholder::kDuration)) accepted.single.emplace_back("window");
  accepted.single.emplace_back("summary");
  if (UsesAnywhere(metric, Placeholder::kQuantile)) accepted.multi.emplace_back("quantile");
  if (UsesAnywhere(metric, Placeholder::kDimension) && !metric.dimensions.empty()) {
    accepted.multi.emplace_back("group_by");
  }
  // Filters in the fixed matcher order, without the object's own labels or repeats.
  auto add_filter = [&](std::string_view label) {
    if (!IsObjectLabel(label) && !accepted.Multi(label)) accepted.multi.push_back(label);
  };
  for (const std::string& label : metric.required_filters) add_filter(label);
  for (const DimensionSpec& dimension : metric.dimensions) {
    for (const FilterSpec& filter : dimension.filters) add_filter(filter.name);
  }
  return accepted;
}

std::string Describe(ObjectKind kind) {
  return kind == ObjectKind::kMonoVertex ? "a MonoVertex (namespace and mvtx)"
                                         : "a pipeline vertex (namespace, pipeline and vertex)";
}

}  // namespace

std::vector<std::string> AcceptedParamNames(const MetricSpec& metric, ObjectKind kind) {
  Accepted accepted = AcceptedParams(metric, kind);
  std::vector<std::string> all(accepted.single.begin(), accepted.single.end());
  all.insert(all.end(), accepted.multi.begin(), accepted.multi.end());
  return all;
}

Result<MetricRequest> ParseMetricRequest(const Catalog& catalog, const MetricParams& input,
                                         TimePoint now) {
  const std::string_view metric = input.metric;
  const std::optional<PathObject>& path = input.path;
  const Params& given = input.params;

  // The object kind: from the path, else a MonoVertex unless pipeline or vertex is given.
  ObjectKind kind = ObjectKind::kMonoVertex;
  if (path) {
    kind = path->kind;
  } else if (std::any_of(given.begin(), given.end(), [](const auto& p) {
               return p.first == "pipeline" || p.first == "vertex";
             })) {
    kind = ObjectKind::kVertex;
  }

  const MetricSpec* spec = catalog.Find(metric, kind);
  if (spec == nullptr) {
    if (catalog.Knows(metric)) {
      ObjectKind other =
          kind == ObjectKind::kMonoVertex ? ObjectKind::kVertex : ObjectKind::kMonoVertex;
      return BadRequest(kind == ObjectKind::kMonoVertex ? "mvtx" : "vertex",
                        fmt::format("metric \"{}\" does not apply to {}; ask for it on {}", metric,
                                    Describe(kind), Describe(other)));
    }
    return Error{
        ErrorCode::kNotFound,
        fmt::format("unknown metric \"{}\"; GET /api/v1/metrics lists the catalog", metric),
        "metric"};
  }
  Accepted accepted = AcceptedParams(*spec, kind, input.live);

  std::map<std::string, std::string> single;
  std::map<std::string, std::vector<std::string>> multi;
  for (const auto& [key, value] : given) {
    if (path && (key == "namespace" || key == "mvtx" || key == "pipeline" || key == "vertex")) {
      return BadRequest(key, fmt::format("\"{}\" is given by the path; do not repeat it in the "
                                         "query string",
                                         key));
    }
    if (accepted.Multi(key)) {
      multi[key].push_back(value);
      continue;
    }
    if (!accepted.Single(key)) {
      if (key == "mvtx" || key == "pipeline" || key == "vertex") {
        return BadRequest(key, fmt::format("\"{}\" does not name {}: a MonoVertex takes "
                                           "namespace and mvtx, a pipeline vertex namespace, "
                                           "pipeline and vertex",
                                           key, Describe(kind)));
      }
      return BadRequest(key, fmt::format("unknown parameter \"{}\" for metric \"{}\"; accepted: {}",
                                         key, metric, accepted.List()));
    }
    if (!single.emplace(key, value).second) {
      return BadRequest(key, fmt::format("parameter \"{}\" is given more than once", key));
    }
  }
  auto get = [&](const char* key) -> const std::string* {
    auto it = single.find(key);
    return it == single.end() ? nullptr : &it->second;
  };

  // The object.
  if (!path && !get("namespace")) {
    return BadRequest("namespace", "missing required parameter \"namespace\"");
  }
  auto ns = ParseName<Namespace>(path ? path->ns : *get("namespace"), "namespace");
  if (!ns.ok()) return std::move(ns).error();
  MetricRequest request{.metric = spec,
                        .object = {.kind = kind, .ns = std::move(ns).value()},
                        .start = {},
                        .end = {}};
  if (kind == ObjectKind::kMonoVertex) {
    if (!path && !get("mvtx")) {
      return BadRequest("mvtx", "missing required parameter \"mvtx\" (the MonoVertex name)");
    }
    auto mvtx = ParseName<MonoVertexName>(path ? path->mvtx : *get("mvtx"), "mvtx");
    if (!mvtx.ok()) return std::move(mvtx).error();
    request.object.mvtx = std::move(mvtx).value();
  } else {
    if (!path && !get("pipeline")) {
      return BadRequest("pipeline", "missing required parameter \"pipeline\" (the pipeline name)");
    }
    if (!path && !get("vertex")) {
      return BadRequest("vertex", "missing required parameter \"vertex\" (the vertex name)");
    }
    auto pipeline = ParseName<PipelineName>(path ? path->pipeline : *get("pipeline"), "pipeline");
    if (!pipeline.ok()) return std::move(pipeline).error();
    request.object.pipeline = std::move(pipeline).value();
    auto vertex = ParseName<VertexName>(path ? path->vertex : *get("vertex"), "vertex");
    if (!vertex.ok()) return std::move(vertex).error();
    request.object.vertex = std::move(vertex).value();
  }

  // The time range: the last hour unless start or end say otherwise.
  auto raw = [&](const char* key) -> std::optional<std::string_view> {
    const std::string* value = get(key);
    return value != nullptr ? std::optional<std::string_view>(*value) : std::nullopt;
  };
  Result<TimeRange> range =
      ParseTimeRange({.start = raw("start"), .end = raw("end"), .step = raw("step")}, now);
  if (!range.ok()) return std::move(range).error();
  request.start = range->start;
  request.end = range->end;
  request.step = range->step;
  if (const std::string* window = get("window")) {
    auto parsed_window = ParseWindow(*window, "window");
    if (!parsed_window.ok()) return std::move(parsed_window).error();
    request.window = *parsed_window;
  }
  if (const std::string* summary = get("summary")) {
    auto parsed_summary = ParseFlag(*summary, "summary");
    if (!parsed_summary.ok()) return std::move(parsed_summary).error();
    request.summary = *parsed_summary;
  }

  // Quantiles: ascending, without duplicates; 0.95 when none is given.
  if (UsesAnywhere(*spec, Placeholder::kQuantile)) {
    if (auto it = multi.find("quantile"); it != multi.end()) {
      auto texts = SplitValues(it->second, "quantile", "quantile");
      if (!texts.ok()) return std::move(texts).error();
      for (const std::string& text : *texts) {
        auto quantile = ParseQuantile(text, "quantile");
        if (!quantile.ok()) return std::move(quantile).error();
        request.quantiles.push_back(*quantile);
      }
      std::sort(request.quantiles.begin(), request.quantiles.end());
      request.quantiles.erase(std::unique(request.quantiles.begin(), request.quantiles.end()),
                              request.quantiles.end());
      if (request.quantiles.size() > kMaxQuantiles) {
        return BadRequest("quantile", fmt::format("too many quantiles ({}); at most {}",
                                                  request.quantiles.size(), kMaxQuantiles));
      }
    } else {
      request.quantiles.push_back(0.95);
    }
  }

  // Group-by dimensions, by dimension name or by label (mvtx_name for mono-vertex).
  if (auto it = multi.find("group_by"); it != multi.end()) {
    auto names = SplitValues(it->second, "group_by", "group_by dimension");
    if (!names.ok()) return std::move(names).error();
    std::vector<std::string> known;
    for (const DimensionSpec& d : spec->dimensions) known.push_back(d.name);
    for (const std::string& name : *names) {
      const DimensionSpec* dimension = spec->FindDimension(name);
      if (dimension == nullptr) {
        for (const DimensionSpec& d : spec->dimensions) {
          if (d.label == name) dimension = &d;
        }
      }
      if (dimension == nullptr) {
        return BadRequest("group_by",
                          fmt::format("unsupported group_by \"{}\" for metric \"{}\": use {}, or "
                                      "omit it for one aggregate series",
                                      name, metric, fmt::join(known, ", ")));
      }
      if (std::find(request.group_by.begin(), request.group_by.end(), dimension) ==
          request.group_by.end()) {
        request.group_by.push_back(dimension);
      }
    }
    if (request.group_by.size() > 1) {
      for (const DimensionSpec* dimension : request.group_by) {
        if (dimension->expr) {
          return BadRequest("group_by",
                            fmt::format("dimension \"{}\" has its own expression and cannot be "
                                        "combined with other dimensions",
                                        dimension->name));
        }
      }
    }
  }

  // Filters beyond the object's own labels.
  for (auto& [label, raw] : multi) {
    if (label == "quantile" || label == "group_by") continue;
    auto values = SplitValues(raw, label, label == "pod" ? "pod name" : label + " value");
    if (!values.ok()) return std::move(values).error();
    for (const std::string& value : *values) {
      if (label == "pod") {
        auto pod = ParseName<PodName>(value, "pod");
        if (!pod.ok()) return std::move(pod).error();
      } else if (Status ok = CheckLabelValue(value, label); !ok.ok()) {
        return std::move(ok).error();
      }
    }
    std::sort(values->begin(), values->end());
    values->erase(std::unique(values->begin(), values->end()), values->end());
    if (values->size() > kMaxFilterValues) {
      return BadRequest(
          label, fmt::format("too many {} values ({}); at most {} per request",
                             label == "pod" ? "pod" : label, values->size(), kMaxFilterValues));
    }
    request.filters.push_back({label, std::move(values).value()});
  }
  std::sort(request.filters.begin(), request.filters.end(),
            [](const auto& a, const auto& b) { return a.label < b.label; });

  // Required filters the object does not supply must be given. A pod-scoped metric without the
  // object's own labels is narrowed by pod name (see RequestMatchers).
  std::vector<Matcher> matchers = RequestMatchers(request);
  auto selected = [&](std::string_view label) {
    return std::any_of(matchers.begin(), matchers.end(),
                       [&](const Matcher& m) { return m.label == label; });
  };
  for (const std::string& label : spec->required_filters) {
    if (!selected(label)) {
      if (IsObjectLabel(label)) {
        return BadRequest(kind == ObjectKind::kMonoVertex ? "mvtx" : "vertex",
                          fmt::format("metric \"{}\" needs a \"{}\" filter, which {} does not "
                                      "supply",
                                      metric, label, Describe(kind)));
      }
      return BadRequest(label, fmt::format("missing required parameter \"{}\"", label));
    }
  }
  for (const DimensionSpec* dimension : request.group_by) {
    for (const FilterSpec& filter : dimension->filters) {
      if (filter.required && !selected(filter.name)) {
        return BadRequest(filter.name, fmt::format("group_by {} needs the \"{}\" parameter",
                                                   dimension->name, filter.name));
      }
    }
  }
  // A metric selected by pod name only: the pods asked for must be the object's own.
  bool by_pod_name = kind == ObjectKind::kMonoVertex
                         ? !selected("mvtx_name")
                         : !(selected("pipeline") && selected("vertex"));
  if (const FilterValues* pods = request.FindFilter("pod"); pods && by_pod_name) {
    for (const std::string& pod : pods->values) {
      if (!IsObjectPod(request.object, pod)) {
        return BadRequest("pod", fmt::format("pod \"{}\" is not a pod of {} (its pods are named "
                                             "{}<replica>-<5 characters>)",
                                             pod, Describe(kind), ObjectPodPrefix(request.object)));
      }
    }
  }
  if (!selected("mvtx_name") && !selected("pod") && kind == ObjectKind::kMonoVertex) {
    return BadRequest("mvtx",
                      fmt::format("metric \"{}\" has neither an mvtx_name nor a pod filter, "
                                  "so it cannot be narrowed to one MonoVertex",
                                  metric));
  }
  if (kind == ObjectKind::kVertex && !(selected("pipeline") && selected("vertex")) &&
      !selected("pod")) {
    return BadRequest("vertex", fmt::format("metric \"{}\" has neither pipeline and vertex nor a "
                                            "pod filter, so it cannot be narrowed to one vertex",
                                            metric));
  }
  return request;
}

}  // namespace nfmetrics::service
