#include "nfmetrics/service/proxy_request.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "nfmetrics/service/k8s_names.hpp"
#include "nfmetrics/service/value_rules.hpp"
#include "service/proxy_plan.hpp"

namespace nfmetrics::service {
namespace {

// NumaFlow's answers carry no `param`: a message names its field itself.
template <class T>
Result<T> Named(Result<T> result, std::string_view field) {
  if (result.ok()) return result;
  Error error = std::move(result).error();
  if (error.message.find(field) == std::string::npos) {
    error.message = fmt::format("{}: {}", field, error.message);
  }
  error.param = field;
  return error;
}

// A filter's value by the rule for its label: the object's own labels are Kubernetes names (a
// value that is none matches no NumaFlow object, and ".*" there would read every namespace), any
// other label takes any label value.
Status CheckFilterValue(const std::string& label, const std::string& value) {
  const std::string field = "filters." + label;
  auto check = [&](auto parsed) -> Status {
    if (parsed.ok()) return Ok();
    Error error = Named(std::move(parsed), field).error();
    error.param = "filters";
    return error;
  };
  if (label == "namespace") return check(ParseName<Namespace>(value, field));
  if (label == "mvtx_name") return check(ParseName<MonoVertexName>(value, field));
  if (label == "pipeline") return check(ParseName<PipelineName>(value, field));
  if (label == "vertex") return check(ParseName<VertexName>(value, field));
  return check(CheckLabelValue(value, field));
}

// A value NumaFlow would paste into the query: ".*" wildcards become an anchored regex with
// everything but the ".*" escaped; anything else is a literal. (The object's labels hold names,
// which have no ".*".)
Matcher FilterMatcher(const std::string& label, const std::string& value) {
  if (value.find(".*") == std::string::npos) return {label, false, value};
  std::string pattern;
  std::size_t at = 0;
  while (true) {
    std::size_t wildcard = value.find(".*", at);
    pattern += EscapeRegex(value.substr(at, wildcard - at));
    if (wildcard == std::string::npos) break;
    pattern += ".*";
    at = wildcard + 2;
  }
  return {label, true, pattern};
}

const MetricSpec* FindMetric(const Catalog& catalog, const ProxyRequest& request, Error& error) {
  const std::string& metric_name = *request.metric_name;
  if (request.pattern_name) {
    const MetricSpec* metric = catalog.FindInPattern(*request.pattern_name, metric_name);
    if (metric != nullptr) return metric;
    bool pattern_known =
        std::any_of(catalog.patterns().begin(), catalog.patterns().end(),
                    [&](const Pattern& p) { return p.name == *request.pattern_name; });
    error = pattern_known ? Error{ErrorCode::kNotFound,
                                  fmt::format("pattern \"{}\" has no metric \"{}\"",
                                              *request.pattern_name, metric_name),
                                  "metric_name"}
                          : Error{ErrorCode::kNotFound,
                                  fmt::format("unknown pattern_name \"{}\"", *request.pattern_name),
                                  "pattern_name"};
    return nullptr;
  }
  // Without a pattern, as NumaFlow's server does: the metric, preferring a pattern whose metric
  // declares the dimension asked for.
  const MetricSpec* first = nullptr;
  for (const Pattern& pattern : catalog.patterns()) {
    for (const MetricSpec& candidate : pattern.metrics) {
      if (candidate.metric_name != metric_name) continue;
      if (first == nullptr) first = &candidate;
      if (!request.dimension || candidate.FindDimension(*request.dimension) != nullptr) {
        return &candidate;
      }
    }
  }
  if (first == nullptr) {
    error = Error{ErrorCode::kNotFound, fmt::format("no pattern has metric \"{}\"", metric_name),
                  "metric_name"};
  }
  return first;
}

}  // namespace

Result<ProxyQuery> ParseProxyRequest(const Catalog& catalog, const ProxyRequest& request,
                                     TimePoint now) {
  if (!request.metric_name) return BadRequest("metric_name", "missing required field metric_name");
  Error not_found;
  const MetricSpec* metric = FindMetric(catalog, request, not_found);
  if (metric == nullptr) return not_found;
  const Pattern& pattern = *metric->pattern;
  ProxyQuery query{.metric = metric};

  // The dimension: required when the expression groups by it.
  const DimensionSpec* dimension = nullptr;
  if (request.dimension) {
    dimension = metric->FindDimension(*request.dimension);
    if (dimension == nullptr) {
      std::vector<std::string> known;
      for (const auto& d : metric->dimensions) known.push_back(d.name);
      return BadRequest(
          "dimension",
          fmt::format("metric \"{}\" has no dimension \"{}\"; it has: {}", metric->metric_name,
                      *request.dimension, fmt::join(known, ", ")));
    }
    query.labels.push_back(dimension->label);
  }
  query.expr = dimension != nullptr && dimension->expr ? &*dimension->expr : &pattern.expr;
  if (dimension == nullptr && query.expr->Uses(Placeholder::kDimension)) {
    return BadRequest("dimension", "missing required field dimension");
  }

  // Filters: any the metric declares, in its fixed order (required filters, then dimension
  // filters). NumaFlow's UI keeps a pod filter when the dimension changes, so a filter of another
  // dimension is accepted too. Required: the metric's, and the chosen dimension's.
  std::vector<FilterSpec> allowed = metric->AllFilters();
  if (dimension != nullptr) {
    for (FilterSpec& filter : allowed) {
      for (const FilterSpec& own : dimension->filters) {
        if (own.name == filter.name && own.required) filter.required = true;
      }
    }
  }
  for (const auto& filter : request.filters) {
    const std::string& label = filter.first;
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const FilterSpec& a) { return a.name == label; })) {
      std::vector<std::string> names;
      names.reserve(allowed.size());
      for (const FilterSpec& a : allowed) names.push_back(a.name);
      return BadRequest("filters",
                        fmt::format("filter \"{}\" is not accepted by metric \"{}\"; accepted: {}",
                                    label, metric->metric_name, fmt::join(names, ", ")));
    }
  }
  for (const FilterSpec& filter : allowed) {
    auto it = request.filters.find(filter.name);
    if (it == request.filters.end() || it->second.empty()) {
      if (filter.required) {
        return BadRequest("filters", fmt::format("missing required filter \"{}\"", filter.name));
      }
      continue;
    }
    if (Status valid = CheckFilterValue(filter.name, it->second); !valid.ok()) {
      return std::move(valid).error();
    }
    query.matchers.push_back(FilterMatcher(filter.name, it->second));
  }

  // Parameters.
  auto required = [&](std::string_view name) {
    const ParamSpec* param = pattern.FindParam(name);
    return param != nullptr && param->required;
  };
  if (request.quantile) {
    Result<double> quantile = Named(ParseQuantile(*request.quantile, "quantile"), "quantile");
    if (!quantile.ok()) return std::move(quantile).error();
    query.quantile = *quantile;
  } else if (required("quantile") || query.expr->Uses(Placeholder::kQuantile)) {
    return BadRequest("quantile", "missing required field quantile");
  }
  if (request.duration) {
    Result<Duration> duration = Named(ParseWindow(*request.duration, "duration"), "duration");
    if (!duration.ok()) return std::move(duration).error();
    query.duration = *duration;
  } else if (required("duration") || query.expr->Uses(Placeholder::kDuration)) {
    return BadRequest("duration", "missing required field duration");
  }

  // The range: validated, unlike NumaFlow's, which silently ignores a time it cannot parse.
  const TimeRangeRules rules{.default_range = kProxyDefaultRange,
                             .names = {.start = "start_time", .end = "end_time", .step = "step"}};
  Result<TimeRange> range = ParseTimeRange(
      {.start = request.start_time, .end = request.end_time, .step = request.step}, now, rules);
  if (!range.ok()) {
    const std::string field = range.error().param;
    return Named(std::move(range), field).error();
  }
  query.range = *range;
  query.ns = ConfinedNamespace(*query.expr, query.matchers);
  return query;
}

Result<prometheus::RangeQuery> PlanProxy(const ProxyQuery& query, const QueryLimits& limits) {
  Result<PlannedRange> range =
      PlanRange(query.range, limits, kProxyDefaultStep,
                {.start = "start_time", .end = "end_time", .step = "step"});
  if (!range.ok()) return std::move(range).error();
  std::string promql = RenderPattern(*query.expr, query.metric->metric_name, query.matchers,
                                     query.labels, query.quantile, query.duration);
  return prometheus::RangeQuery{std::move(promql), range->start, range->end, range->step};
}

}  // namespace nfmetrics::service
