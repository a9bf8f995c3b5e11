// The rules for the values a request carries, one copy for every endpoint family (the metrics API,
// the NumaFlow-style paths, the listings, metrics-proxy): object names are Kubernetes names, a
// quantile is a number from 0 to 1, a label value is at most 253 bytes without control characters,
// durations and steps are positive. Every error is kBadRequest naming `param`, the parameter as the
// caller's endpoint calls it ("mvtx", "filters", "quantile"), with a message that names it too.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/k8s_names.hpp"

namespace nfmetrics::service {

// Named parameters as a client gave them (a query string, decoded), in order; a name may repeat.
using Params = std::vector<std::pair<std::string, std::string>>;

// The longest label value a request may give: the longest Kubernetes name.
inline constexpr std::size_t kMaxLabelValueBytes = 253;

// `text` as a validated name (Namespace, MonoVertexName, PipelineName, VertexName, PodName).
template <class Name>
Result<Name> ParseName(std::string_view text, std::string_view param) {
  Result<Name> name = Name::Parse(text);
  if (name.ok()) return name;
  Error error = std::move(name).error();
  error.param = param;
  return error;
}

// Parameters that each take one value, by name (views into the Params they came from).
using SingleParams = std::map<std::string_view, std::string_view>;

// `params` by name, each at most once and each one of `accepted`. Errors: kBadRequest naming the
// parameter that is not accepted ("unknown parameter ...; accepted: a, b") or given twice.
Result<SingleParams> CollectParams(const Params& params,
                                   std::span<const std::string_view> accepted);

// The value given for `name`, or nullopt.
std::optional<std::string_view> ParamOf(const SingleParams& params, std::string_view name);

// A number from 0 to 1 ("0.99"); -0 reads as 0.
Result<double> ParseQuantile(std::string_view text, std::string_view param);

// Any text but control characters, at most kMaxLabelValueBytes. Escaping makes any value safe in
// PromQL; this keeps answers sensible.
Status CheckLabelValue(std::string_view value, std::string_view param);

// A Prometheus duration ("5m", "1h30m") greater than zero: a rate window.
Result<Duration> ParseWindow(std::string_view text, std::string_view param);

// A duration or a number of seconds ("1m", "60", "0.5") greater than zero: a step.
Result<Duration> ParseStep(std::string_view text, std::string_view param);

// true, 1 or an empty value (a bare "?summary"); false or 0.
Result<bool> ParseFlag(std::string_view text, std::string_view param);

// Repeated and comma-separated values as one list: ["a,b", "c"] -> [a, b, c]. An empty item is an
// error; `what` names an item in its message ("pod name").
Result<std::vector<std::string>> SplitValues(const std::vector<std::string>& raw,
                                             std::string_view param, std::string_view what);

}  // namespace nfmetrics::service
