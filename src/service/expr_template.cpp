#include "nfmetrics/service/expr_template.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace nfmetrics::service {
namespace {

constexpr std::array<std::pair<std::string_view, Placeholder>, 5> kPlaceholders = {{
    {"metric_name", Placeholder::kMetricName},
    {"filters", Placeholder::kFilters},
    {"dimension", Placeholder::kDimension},
    {"quantile", Placeholder::kQuantile},
    {"duration", Placeholder::kDuration},
}};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The word just before `end` in `text`, skipping whitespace ("sum by (" -> "by").
std::string_view WordBefore(std::string_view text, std::size_t end) {
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1])) != 0) --end;
  std::size_t begin = end;
  while (begin > 0 && IsIdentChar(text[begin - 1])) --begin;
  return text.substr(begin, end - begin);
}

struct Open {
  char bracket;
  bool grouping;  // a `by (` or `without (` label list
};

Error ShapeError(std::string message) {
  return Error{ErrorCode::kBadRequest, std::move(message), ""};
}

}  // namespace

std::string_view PlaceholderName(Placeholder placeholder) {
  switch (placeholder) {
    case Placeholder::kMetricName:
      return "$metric_name";
    case Placeholder::kFilters:
      return "$filters";
    case Placeholder::kDimension:
      return "$dimension";
    case Placeholder::kQuantile:
      return "$quantile";
    case Placeholder::kDuration:
      return "$duration";
  }
  return "";
}

Result<ExprTemplate> ExprTemplate::Parse(std::string_view text) {
  ExprTemplate parsed;
  parsed.text_ = std::string(text);
  std::vector<Open> stack;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty())
      parsed.tokens_.push_back({false, Placeholder::kMetricName, std::move(literal)});
    literal.clear();
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'' || c == '`') {  // a string literal: copied as it is
      std::size_t close = i + 1;
      while (close < text.size() && text[close] != c) {
        if (text[close] == '\\' && c != '`') ++close;
        ++close;
      }
      if (close >= text.size()) {
        return ShapeError(fmt::format("unterminated string literal starting at offset {}", i));
      }
      literal.append(text.substr(i, close - i + 1));
      i = close;
      continue;
    }
    if (c == '(' || c == '{' || c == '[') {
      std::string_view word = WordBefore(text, i);
      stack.push_back({c, c == '(' && (word == "by" || word == "without")});
      literal += c;
      continue;
    }
    if (c == ')' || c == '}' || c == ']') {
      char want = c == ')' ? '(' : c == '}' ? '{' : '[';
      if (stack.empty() || stack.back().bracket != want) {
        return ShapeError(fmt::format("unbalanced '{}' at offset {}", c, i));
      }
      stack.pop_back();
      literal += c;
      continue;
    }
    if (c != '$') {
      literal += c;
      continue;
    }
    std::size_t end = i + 1;
    if (end >= text.size() || !IsIdentStart(text[end])) {
      return ShapeError(fmt::format("'$' at offset {} starts no placeholder", i));
    }
    while (end < text.size() && IsIdentChar(text[end])) ++end;
    std::string_view name = text.substr(i + 1, end - i - 1);
    auto known = std::find_if(kPlaceholders.begin(), kPlaceholders.end(),
                              [&](const auto& entry) { return entry.first == name; });
    if (known == kPlaceholders.end()) {
      return ShapeError(fmt::format(
          "unknown placeholder \"${}\" at offset {}; known: $metric_name, $filters, $dimension, "
          "$quantile, $duration",
          name, i));
    }
    Placeholder placeholder = known->second;
    char inside = stack.empty() ? '\0' : stack.back().bracket;
    switch (placeholder) {
      case Placeholder::kFilters:
        if (inside != '{')
          return ShapeError("$filters must be inside the braces of a selector: {$filters}");
        break;
      case Placeholder::kDuration:
        if (inside != '[') return ShapeError("$duration must be inside a range: [$duration]");
        break;
      case Placeholder::kDimension:
        if (inside != '(' || !stack.back().grouping) {
          return ShapeError(
              "$dimension must be in the label list of a by (...) or without (...) clause");
        }
        break;
      case Placeholder::kMetricName:
      case Placeholder::kQuantile:
        if (inside == '{' || inside == '[') {
          return ShapeError(
              fmt::format("{} cannot be inside {{...}} or [...]", PlaceholderName(placeholder)));
        }
        break;
    }
    flush();
    parsed.tokens_.push_back({true, placeholder, ""});
    i = end - 1;
  }
  if (!stack.empty()) {
    return ShapeError(fmt::format("unclosed '{}'", stack.back().bracket));
  }
  flush();
  if (!parsed.Uses(Placeholder::kMetricName)) {
    return ShapeError("the expression never uses $metric_name");
  }
  return parsed;
}

bool ExprTemplate::Uses(Placeholder placeholder) const {
  return std::any_of(tokens_.begin(), tokens_.end(), [&](const Token& token) {
    return token.is_placeholder && token.placeholder == placeholder;
  });
}

std::string ExprTemplate::Render(const Values& values) const {
  std::string out;
  out.reserve(text_.size() + values.filters.size() + 64);
  bool drop_leading_comma = false;
  for (const Token& token : tokens_) {
    if (!token.is_placeholder) {
      std::string_view text = token.text;
      if (drop_leading_comma) {
        std::size_t at = text.find_first_not_of(" \t\r\n");
        if (at != std::string_view::npos && text[at] == ',') {
          at = text.find_first_not_of(" \t\r\n", at + 1);
          text = at == std::string_view::npos ? std::string_view() : text.substr(at);
        }
        drop_leading_comma = false;
      }
      out.append(text);
      continue;
    }
    switch (token.placeholder) {
      case Placeholder::kMetricName:
        out.append(values.metric_name);
        break;
      case Placeholder::kFilters:
        out.append(values.filters);
        break;
      case Placeholder::kQuantile:
        out.append(values.quantile);
        break;
      case Placeholder::kDuration:
        out.append(values.duration);
        break;
      case Placeholder::kDimension:
        if (!values.dimensions.empty()) {
          for (std::size_t i = 0; i < values.dimensions.size(); ++i) {
            if (i > 0) out += ',';
            out.append(values.dimensions[i]);
          }
          break;
        }
        // Empty: remove this entry from the label list together with one adjacent comma.
        std::size_t end = out.find_last_not_of(" \t\r\n");
        if (end != std::string::npos && out[end] == ',') {
          out.erase(end);
          std::size_t keep = out.find_last_not_of(" \t\r\n");
          out.erase(keep == std::string::npos ? 0 : keep + 1);
        } else {
          drop_leading_comma = true;
        }
        break;
    }
  }
  std::size_t first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  std::size_t last = out.find_last_not_of(" \t\r\n");
  return out.substr(first, last - first + 1);
}

}  // namespace nfmetrics::service
