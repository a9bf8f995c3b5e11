#include "service/timestamp.hpp"

#include <date/date.h>

#include <charconv>
#include <cmath>
#include <sstream>

namespace nfmetrics::service {
namespace {

// 9999-12-31T23:59:59Z: beyond it RFC3339 cannot express the instant.
constexpr double kMaxUnixSeconds = 253402300799.0;

Error Invalid(std::string_view text) {
  return Error{ErrorCode::kBadRequest,
               std::string("invalid time \"")
                   .append(text)
                   .append("\": expected unix seconds (e.g. 1795467600 or 1795467600.5) or RFC3339 "
                           "(e.g. 2026-11-23T10:00:00Z or 2026-11-23T11:00:00.5+01:00)"),
               ""};
}

Result<TimePoint> ParseUnixSeconds(std::string_view text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(seconds)) {
    return Invalid(text);
  }
  if (seconds < 0 || seconds > kMaxUnixSeconds) {
    return Error{ErrorCode::kBadRequest,
                 std::string("time \"").append(text).append("\" is out of range (1970 to 9999)"), ""};
  }
  return TimePoint(Duration(std::llround(seconds * 1000)));
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  // RFC3339 allows lower-case t and z; a '+' offset may arrive as ' ' when a client forgot to
  // percent-encode it in a query string, so read a space before "HH:MM" at the end as '+'.
  std::string normalized(text);
  for (char& c : normalized) {
    if (c == 't') c = 'T';
    if (c == 'z') c = 'Z';
  }
  if (normalized.size() > 6 && normalized[normalized.size() - 6] == ' ' &&
      normalized[normalized.size() - 3] == ':') {
    normalized[normalized.size() - 6] = '+';
  }
  if (normalized.size() < 20 || normalized[10] != 'T') return Invalid(text);

  std::istringstream in(normalized);
  date::sys_time<std::chrono::nanoseconds> parsed;
  if (normalized.back() == 'Z') {
    in >> date::parse("%FT%TZ", parsed);
  } else {
    in >> date::parse("%FT%T%Ez", parsed);
  }
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return Invalid(text);
  auto millis = std::chrono::round<Duration>(parsed);
  if (millis.time_since_epoch().count() < 0 ||
      millis.time_since_epoch().count() > static_cast<std::int64_t>(kMaxUnixSeconds) * 1000) {
    return Error{ErrorCode::kBadRequest,
                 std::string("time \"").append(text).append("\" is out of range (1970 to 9999)"), ""};
  }
  return TimePoint(millis);
}

}  // namespace

Result<TimePoint> ParseTimestamp(std::string_view text) {
  if (text.empty()) return Invalid(text);
  if (text.find('-') != std::string_view::npos && text.size() >= 10 && text[4] == '-') {
    return ParseRfc3339(text);
  }
  return ParseUnixSeconds(text);
}

std::string FormatRfc3339(TimePoint time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto millis = (time - seconds).count();
  std::string out = date::format("%FT%T", seconds);
  if (millis != 0) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(millis));
    out += buffer;
  }
  out += 'Z';
  return out;
}

}  // namespace nfmetrics::service
