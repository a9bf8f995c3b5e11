// Building PromQL text safely: every user-supplied value is escaped here, and nowhere else.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/metric_request.hpp"

namespace nfmetrics::service {

// Contents of a PromQL double-quoted string (without the quotes): escapes \ and ", and writes
// control characters as \n, \t, \r or \xHH so that no raw newline reaches the query.
std::string EscapePromqlString(std::string_view value);

// An RE2 pattern matching `literal` exactly: every metacharacter is backslash-escaped.
std::string EscapeRegex(std::string_view literal);

// Shortest text that reads back as the same double ("0.95", "1", "0.999").
std::string FormatNumber(double value);

// One label matcher; `value` is unescaped (a literal for =, an RE2 pattern for =~).
struct Matcher {
  std::string label;
  bool regex = false;
  std::string value;
};

// `label="value",label=~"pattern"`: the text that replaces $filters.
std::string RenderMatchers(const std::vector<Matcher>& matchers);

// One anchored alternation matching exactly the given literals: "a\\.b|c".
std::string AlternationOf(std::span<const std::string> literals);

// Replica pods of an object are named <mvtx>-mv-<replica>-<5 chars> or
// <pipeline>-<vertex>-<replica>-<5 chars>; the daemon pod is not one of them.
std::string ObjectPodPrefix(const ObjectRef& object);   // "<mvtx>-mv-" or "<pipeline>-<vertex>-"
std::string ObjectPodPattern(const ObjectRef& object);  // an RE2 pattern matching exactly those
bool IsObjectPod(const ObjectRef& object, std::string_view pod);

// Whether a request for `metric` on an object of `kind` is narrowed to the object's pods by name:
// the metric has no filter on the object's own labels (mvtx_name, or pipeline and vertex) but its
// series are per pod: it declares a `pod` filter (the pod utilisations), or it offers the object
// kind's own dimension without a label to select it by (the container utilisations of NumaFlow's
// default configuration, whose only filters are namespace and container).
bool SelectsObjectPodsByName(const MetricSpec& metric, ObjectKind kind);

// The matchers a request selects with, in the metric's fixed filter order: its required filters
// as declared, then its dimension filters as declared. The object supplies namespace, mvtx_name,
// pipeline and vertex; a metric that SelectsObjectPodsByName gets a `pod` matcher for the object's
// pods unless the request names pods (after the other filters when the metric declares no `pod`).
std::vector<Matcher> RequestMatchers(const MetricRequest& request);

// The expression a request runs from: the single group-by dimension's own `expr` when it has one,
// else the pattern's.
const ExprTemplate& EffectiveExpr(const MetricRequest& request);

// The one namespace a query rendered from `expr` with `matchers` reads: the value of a literal
// `namespace` matcher, when the expression fills its selectors from $filters. nullopt when it is
// not confined to one namespace (no such matcher, a regex one, or no $filters). What a token's
// namespaces are checked against: the query as it will run, not the raw request.
std::optional<std::string> ConfinedNamespace(const ExprTemplate& expr,
                                             const std::vector<Matcher>& matchers);
std::optional<std::string> ConfinedNamespace(const MetricRequest& request);

// The expression a request runs: the dimension's own expression when it has one, else the
// pattern's. In API units: a time-valued metric is divided to seconds ("... / 1e6" for µs).
std::string BuildMetricQuery(const MetricRequest& request, std::optional<double> quantile,
                             Duration window);

// The pattern expression with its placeholders filled, as NumaFlow's metrics proxy runs it (no
// unit conversion).
std::string RenderPattern(const ExprTemplate& expr, std::string_view metric_name,
                          const std::vector<Matcher>& matchers,
                          std::span<const std::string> dimension_labels,
                          std::optional<double> quantile, std::optional<Duration> duration);

}  // namespace nfmetrics::service
