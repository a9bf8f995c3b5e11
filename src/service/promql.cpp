#include "nfmetrics/service/promql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <iterator>

#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::service {

std::string EscapePromqlString(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[5];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string EscapeRegex(std::string_view literal) {
  static constexpr std::string_view kMeta = R"(\.+*?()|[]{}^$)";
  std::string out;
  out.reserve(literal.size() + 8);
  for (char c : literal) {
    if (kMeta.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string FormatNumber(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

std::string RenderMatchers(const std::vector<Matcher>& matchers) {
  std::string out;
  for (const Matcher& matcher : matchers) {
    if (!out.empty()) out += ',';
    out += matcher.label;
    out += matcher.regex ? "=~\"" : "=\"";
    out += EscapePromqlString(matcher.value);
    out += '"';
  }
  return out;
}

std::string AlternationOf(std::span<const std::string> literals) {
  std::string out;
  for (const std::string& literal : literals) {
    if (!out.empty()) out += '|';
    out += EscapeRegex(literal);
  }
  return out;
}

std::string ObjectPodPrefix(const ObjectRef& object) {
  return object.kind == ObjectKind::kMonoVertex
             ? object.mvtx->str() + "-mv-"
             : object.pipeline->str() + "-" + object.vertex->str() + "-";
}

std::string ObjectPodPattern(const ObjectRef& object) {
  return EscapeRegex(ObjectPodPrefix(object)) + "[0-9]+-[a-z0-9]{5}";
}

bool IsObjectPod(const ObjectRef& object, std::string_view pod) {
  std::string prefix = ObjectPodPrefix(object);
  if (!pod.starts_with(prefix)) return false;
  std::string_view rest = pod.substr(prefix.size());
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) {
    ++digits;
  }
  if (digits == 0 || rest.size() != digits + 6 || rest[digits] != '-') return false;
  return std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(digits) + 1, rest.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

bool SelectsObjectPodsByName(const MetricSpec& metric, ObjectKind kind) {
  std::vector<FilterSpec> filters = metric.AllFilters();
  auto declares = [&](std::string_view label) {
    return std::any_of(filters.begin(), filters.end(),
                       [&](const FilterSpec& f) { return f.name == label; });
  };
  bool by_labels = kind == ObjectKind::kMonoVertex ? declares("mvtx_name")
                                                   : declares("pipeline") && declares("vertex");
  if (by_labels) return false;
  return declares("pod") || metric.FindDimension(ObjectKindName(kind)) != nullptr;
}

std::vector<Matcher> RequestMatchers(const MetricRequest& request) {
  const ObjectRef& object = request.object;
  std::vector<FilterSpec> filters = request.metric->AllFilters();
  auto declares = [&](std::string_view label) {
    return std::any_of(filters.begin(), filters.end(),
                       [&](const FilterSpec& f) { return f.name == label; });
  };
  // A metric that cannot select the object by its own labels is narrowed by pod name instead:
  // <mvtx>-mv-<replica>-... or <pipeline>-<vertex>-<replica>-... (never the daemon pod).
  std::optional<std::string> pod_pattern;
  if (SelectsObjectPodsByName(*request.metric, object.kind) &&
      request.FindFilter("pod") == nullptr) {
    pod_pattern = ObjectPodPattern(object);
  }

  std::vector<Matcher> matchers;
  for (const FilterSpec& filter : filters) {
    const std::string& label = filter.name;
    if (label == "namespace") {
      matchers.push_back({label, false, object.ns.str()});
    } else if (label == "mvtx_name" && object.mvtx) {
      matchers.push_back({label, false, object.mvtx->str()});
    } else if (label == "pipeline" && object.pipeline) {
      matchers.push_back({label, false, object.pipeline->str()});
    } else if (label == "vertex" && object.vertex) {
      matchers.push_back({label, false, object.vertex->str()});
    } else if (const FilterValues* given = request.FindFilter(label)) {
      if (given->values.size() == 1) {
        matchers.push_back({label, false, given->values.front()});
      } else {
        // Prometheus anchors regex matchers, so this matches exactly the listed values.
        matchers.push_back({label, true, AlternationOf(given->values)});
      }
    } else if (label == "pod" && pod_pattern) {
      matchers.push_back({label, true, *pod_pattern});
    }
  }
  if (pod_pattern && !declares("pod")) matchers.push_back({"pod", true, *pod_pattern});
  return matchers;
}

std::string RenderPattern(const ExprTemplate& expr, std::string_view metric_name,
                          const std::vector<Matcher>& matchers,
                          std::span<const std::string> dimension_labels,
                          std::optional<double> quantile, std::optional<Duration> duration) {
  std::string filters = RenderMatchers(matchers);
  std::string quantile_text = quantile ? FormatNumber(*quantile) : std::string();
  std::string duration_text = duration ? FormatDuration(*duration) : std::string();
  return expr.Render({.metric_name = metric_name,
                      .filters = filters,
                      .dimensions = dimension_labels,
                      .quantile = quantile_text,
                      .duration = duration_text});
}

namespace {

// True when `expr` is one function call: name(...) with the call's ')' as the last character.
bool IsSingleCall(std::string_view expr) {
  std::size_t open = expr.find('(');
  if (open == std::string_view::npos || open == 0 || expr.back() != ')') return false;
  for (std::size_t i = 0; i < open; ++i) {
    char c = expr[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':')) return false;
  }
  int depth = 0;
  for (std::size_t i = open; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {  // skip string literals
      for (++i; i < expr.size() && expr[i] != c; ++i) {
        if (expr[i] == '\\' && c != '`') ++i;
      }
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i == expr.size() - 1;
  }
  return false;
}

std::string_view SecondsDivisor(SourceUnit unit) {
  switch (unit) {
    case SourceUnit::kNanoseconds:
      return "1e9";
    case SourceUnit::kMicroseconds:
      return "1e6";
    case SourceUnit::kMilliseconds:
      return "1e3";
    case SourceUnit::kSeconds:
    case SourceUnit::kNone:
      break;
  }
  return "";
}

}  // namespace

const ExprTemplate& EffectiveExpr(const MetricRequest& request) {
  if (request.group_by.size() == 1 && request.group_by.front()->expr) {
    return *request.group_by.front()->expr;
  }
  return request.metric->pattern->expr;
}

std::string BuildMetricQuery(const MetricRequest& request, std::optional<double> quantile,
                             Duration window) {
  const MetricSpec& metric = *request.metric;
  std::vector<std::string> labels;
  for (const DimensionSpec* dimension : request.group_by) labels.push_back(dimension->label);
  std::string query = RenderPattern(EffectiveExpr(request), metric.metric_name,
                                    RequestMatchers(request), labels, quantile, window);
  std::string_view divisor = SecondsDivisor(metric.source_unit);
  if (divisor.empty()) return query;
  if (!IsSingleCall(query)) query = "(" + query + ")";
  query += " / ";
  query += divisor;
  return query;
}

std::optional<std::string> ConfinedNamespace(const ExprTemplate& expr,
                                             const std::vector<Matcher>& matchers) {
  if (!expr.Uses(Placeholder::kFilters)) return std::nullopt;
  for (const Matcher& matcher : matchers) {
    if (matcher.label == "namespace") {
      return matcher.regex ? std::nullopt : std::optional<std::string>(matcher.value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> ConfinedNamespace(const MetricRequest& request) {
  return ConfinedNamespace(EffectiveExpr(request), RequestMatchers(request));
}

std::string MetricRequest::Key() const {
  const MetricRequest& request = *this;
  std::string key;
  auto out = std::back_inserter(key);
  const ObjectRef& object = request.object;
  // The spec itself, not a name: the catalog outlives every key, and one metric_name may serve
  // several specs (a MonoVertex and a vertex pattern).
  fmt::format_to(out, "{}\n{}\n{}\n", fmt::ptr(request.metric), static_cast<int>(object.kind),
                 object.ns.str());
  if (object.mvtx) fmt::format_to(out, "mvtx={}\n", object.mvtx->str());
  if (object.pipeline) fmt::format_to(out, "pipeline={}\n", object.pipeline->str());
  if (object.vertex) fmt::format_to(out, "vertex={}\n", object.vertex->str());
  fmt::format_to(out, "{} {} {} {}\n", request.start.time_since_epoch().count(),
                 request.end.time_since_epoch().count(), request.step ? request.step->count() : -1,
                 request.window ? request.window->count() : -1);
  // Shortest round-trip form: distinct quantiles never share a key.
  for (double q : request.quantiles) fmt::format_to(out, "q={} ", q);
  for (const DimensionSpec* dimension : request.group_by) {
    fmt::format_to(out, "by={} ", dimension->name);
  }
  for (const FilterValues& filter : request.filters) {
    // Values cannot hold a newline or NUL (label values are validated), so these separate them.
    fmt::format_to(out, "\n{}", filter.label);
    for (const std::string& value : filter.values) fmt::format_to(out, "{}{}", '\0', value);
  }
  fmt::format_to(out, "\nsummary={}", request.summary);
  return key;
}

const FilterValues* MetricRequest::FindFilter(std::string_view label) const {
  for (const FilterValues& filter : filters) {
    if (filter.label == label) return &filter;
  }
  return nullptr;
}

bool MetricRequest::GroupsBy(std::string_view label) const {
  return std::any_of(group_by.begin(), group_by.end(),
                     [&](const DimensionSpec* d) { return d->label == label; });
}

}  // namespace nfmetrics::service
