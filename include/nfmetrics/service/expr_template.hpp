// A NumaFlow metrics-proxy expression template ("histogram_quantile($quantile, sum by($dimension,
// le) (rate($metric_name{$filters}[$duration])))"), parsed once into tokens and rendered with
// values that were validated and escaped by the caller. Parsing into tokens, rather than replacing
// strings, means `$dim` can never match inside `$dimension` and a substituted value is never
// scanned for placeholders again.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::service {

enum class Placeholder { kMetricName, kFilters, kDimension, kQuantile, kDuration };

// "$metric_name", "$filters", ... as written in a template.
std::string_view PlaceholderName(Placeholder placeholder);

class ExprTemplate {
 public:
  // Checks the shape as well as the placeholders: brackets balance, quotes close, $metric_name
  // appears, $filters sits inside {...}, $duration inside [...], $dimension inside the label list
  // of a `by (...)` or `without (...)` clause. The error message says what is wrong and where;
  // the error has no param (the caller names the configuration key).
  static Result<ExprTemplate> Parse(std::string_view text);

  struct Values {
    std::string_view metric_name;             // a valid metric name
    std::string_view filters;                 // rendered matchers, without braces
    std::span<const std::string> dimensions;  // label names; empty drops $dimension from its list
    std::string_view quantile;                // a number
    std::string_view duration;                // a Prometheus duration
  };

  // The expression with every placeholder replaced, surrounding whitespace trimmed. An empty
  // dimension list removes `$dimension` and its adjacent comma, so `sum by($dimension,le)` becomes
  // `sum by(le)` and `by ($dimension)` becomes `by ()`.
  std::string Render(const Values& values) const;

  bool Uses(Placeholder placeholder) const;
  const std::string& text() const { return text_; }

 private:
  struct Token {
    bool is_placeholder = false;
    Placeholder placeholder = Placeholder::kMetricName;
    std::string text;  // literal text when !is_placeholder
  };

  std::string text_;
  std::vector<Token> tokens_;
};

}  // namespace nfmetrics::service
