#include "nfmetrics/service/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace nfmetrics::service {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Largest first: the order in which Prometheus requires them and prints them.
constexpr std::array<Unit, 7> kUnits = {{
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

// Durations beyond this are never useful here and would overflow arithmetic downstream.
constexpr std::int64_t kMaxMillis = 100LL * 365 * 24 * 3600 * 1000;

Error Invalid(std::string_view text, std::string_view why) {
  return Error{ErrorCode::kBadRequest,
               std::string("invalid duration \"").append(text).append("\": ").append(why), ""};
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  std::int64_t total = 0;
  std::size_t pos = 0;
  std::size_t next_unit = 0;  // units must appear largest first, each at most once
  while (pos < text.size()) {
    std::int64_t number = 0;
    // Digits only: from_chars would also take a sign, and "-0w" is not a duration.
    const bool digit = text[pos] >= '0' && text[pos] <= '9';
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), number);
    if (!digit || ec != std::errc() || end == text.data() + pos || number < 0) {
      return Invalid(text, "expected a whole number followed by a unit (ms, s, m, h, d, w, y)");
    }
    pos = static_cast<std::size_t>(end - text.data());
    std::size_t unit_index = kUnits.size();
    // "ms" must be tried before "m".
    if (text.substr(pos, 2) == "ms") {
      unit_index = 6;
    } else if (pos < text.size()) {
      for (std::size_t i = 0; i < 6; ++i) {
        if (text.substr(pos, 1) == kUnits[i].suffix) unit_index = i;
      }
    }
    if (unit_index == kUnits.size())
      return Invalid(text, "missing or unknown unit (ms, s, m, h, d, w, y)");
    if (unit_index < next_unit)
      return Invalid(text, "units must go from largest to smallest, each once");
    next_unit = unit_index + 1;
    pos += kUnits[unit_index].suffix.size();
    if (number > kMaxMillis / kUnits[unit_index].millis) return Invalid(text, "too large");
    total += number * kUnits[unit_index].millis;
    if (total > kMaxMillis) return Invalid(text, "too large");
  }
  return Duration(total);
}

Result<Duration> ParseDurationOrSeconds(std::string_view text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
    if (!std::isfinite(seconds)) return Invalid(text, "not a finite number");
    if (seconds * 1000 > static_cast<double>(kMaxMillis) ||
        seconds * 1000 < -static_cast<double>(kMaxMillis)) {
      return Invalid(text, "too large");
    }
    return Duration(std::llround(seconds * 1000));
  }
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    return Invalid(text, "expected a duration such as 15s or 1m30s, or a number of seconds");
  }
  return ParseDuration(text);
}

std::string FormatDuration(Duration duration) {
  std::int64_t millis = duration.count();
  if (millis == 0) return "0s";
  std::string out;
  if (millis < 0) {
    out.push_back('-');
    millis = -millis;
  }
  for (const Unit& unit : kUnits) {
    if (millis >= unit.millis) {
      out += std::to_string(millis / unit.millis);
      out += unit.suffix;
      millis %= unit.millis;
    }
  }
  return out;
}

}  // namespace nfmetrics::service
