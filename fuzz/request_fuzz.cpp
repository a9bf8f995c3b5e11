// A whole metric request from its query string to the PromQL sent upstream. For every request
// that validates, each planned query must lex as PromQL (strings closed, only PromQL's escapes,
// brackets balanced, nothing outside the grammar's characters) and its string literals, decoded,
// must be exactly the matchers the request asked for, in order: no user byte leaves its literal.
// The first input byte picks the metric and the object kind, the rest is the query string.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/handlers/metrics.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/query_plan.hpp"

namespace {

using nfmetrics::TimePoint;

[[noreturn]] void Fail() { __builtin_trap(); }

// The literals of a PromQL text, decoded; traps on anything a PromQL lexer would refuse.
std::vector<std::string> StringLiterals(std::string_view promql) {
  static constexpr std::string_view kOutside =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:(){}[],.=~!\" +-*/^%<>@";
  std::vector<std::string> literals;
  std::vector<char> open;
  for (std::size_t i = 0; i < promql.size(); ++i) {
    const char c = promql[i];
    if (c == '"') {
      std::string literal;
      for (++i;; ++i) {
        if (i >= promql.size()) Fail();  // unterminated
        const char s = promql[i];
        if (s == '"') break;
        if (s == '\n' || s == '\r') Fail();  // Go's lexer refuses raw newlines in "..."
        if (s != '\\') {
          literal += s;
          continue;
        }
        if (++i >= promql.size()) Fail();
        switch (promql[i]) {
          case '\\':
            literal += '\\';
            break;
          case '"':
            literal += '"';
            break;
          case 'n':
            literal += '\n';
            break;
          case 'r':
            literal += '\r';
            break;
          case 't':
            literal += '\t';
            break;
          case 'x': {
            if (i + 2 >= promql.size()) Fail();
            literal +=
                static_cast<char>(std::stoi(std::string(promql.substr(i + 1, 2)), nullptr, 16));
            i += 2;
            break;
          }
          default:
            Fail();  // an escape our writer never makes
        }
      }
      literals.push_back(std::move(literal));
      continue;
    }
    if (kOutside.find(c) == std::string_view::npos) Fail();
    if (c == '(' || c == '{' || c == '[') open.push_back(c);
    if (c == ')' || c == '}' || c == ']') {
      const char want = c == ')' ? '(' : c == '}' ? '{' : '[';
      if (open.empty() || open.back() != want) Fail();
      open.pop_back();
    }
  }
  if (!open.empty()) Fail();
  return literals;
}

constexpr std::array<std::string_view, 6> kMetrics = {
    "sink-latency",        "read-throughput",    "pending",
    "pod-cpu-utilization", "processing-latency", "container-memory-utilization"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view metric = kMetrics[data[0] % kMetrics.size()];
  const std::string_view query(reinterpret_cast<const char*>(data + 1), size - 1);
  const TimePoint now{std::chrono::seconds(1795467600)};
  auto request = nfmetrics::http::DecodeMetricRequest(nfmetrics::service::DefaultCatalog(), metric,
                                                      std::nullopt, query, now);
  if (!request.ok()) return 0;
  auto plan = nfmetrics::service::PlanMetric(*request);
  if (!plan.ok()) return 0;
  const std::vector<nfmetrics::service::Matcher> matchers =
      nfmetrics::service::RequestMatchers(*request);
  for (const auto& planned : plan->queries) {
    const std::vector<std::string> literals = StringLiterals(planned.promql);
    // Every matcher's value appears, decoded, as its own literal, in the order rendered.
    std::size_t next = 0;
    for (const auto& matcher : matchers) {
      while (next < literals.size() && literals[next] != matcher.value) ++next;
      if (next == literals.size()) Fail();
      ++next;
    }
  }
  return 0;
}
