#include "nfmetrics/service/timestamp.hpp"

#include <date/date.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

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
                 std::string("time \"").append(text).append("\" is out of range (1970 to 9999)"),
                 ""};
  }
  return TimePoint(Duration(std::llround(seconds * 1000)));
}

// Reads exactly `digits` decimal digits at text[pos].
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t digits, int& value) {
  if (pos + digits > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// RFC3339 date-time, strictly: YYYY-MM-DD"T"HH:MM:SS[.fraction]("Z" | ("+"|"-")HH:MM).
// Fields are checked against the calendar with date.h; arithmetic is done in milliseconds so
// that no year up to 9999 can overflow.
Result<TimePoint> ParseRfc3339(std::string_view original) {
  std::string text(original);
  for (char& c : text) {
    if (c == 't') c = 'T';
    if (c == 'z') c = 'Z';
  }
  // A '+' offset may arrive as ' ' when a client forgot to percent-encode it in a query string.
  if (text.size() > 6 && text[text.size() - 6] == ' ' && text[text.size() - 3] == ':') {
    text[text.size() - 6] = '+';
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day) ||
      text[10] != 'T' || !ReadDigits(text, 11, 2, hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return Invalid(original);
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (text[pos] == '.') {
    std::size_t digits = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
    }
    if (digits == 0) return Invalid(original);
    for (std::size_t d = digits; d < 3; ++d) millis *= 10;  // ".5" is 500 ms; beyond ms is dropped
  }
  int offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z' && pos + 1 == text.size()) {
    offset_minutes = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') &&
             text[pos + 3] == ':') {
    int offset_hours = 0, offset_mins = 0;
    if (!ReadDigits(text, pos + 1, 2, offset_hours) || !ReadDigits(text, pos + 4, 2, offset_mins) ||
        offset_hours > 23 || offset_mins > 59) {
      return Invalid(original);
    }
    offset_minutes = (offset_hours * 60 + offset_mins) * (text[pos] == '-' ? -1 : 1);
  } else {
    return Invalid(original);
  }
  date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                           date::day(static_cast<unsigned>(day))};
  // Second 60 (a leap second) is refused, as Prometheus refuses it.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return Invalid(original);
  std::int64_t days = date::sys_days(ymd).time_since_epoch().count();
  std::int64_t total =
      (((days * 24 + hour) * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
  if (total < 0 || total > static_cast<std::int64_t>(kMaxUnixSeconds) * 1000) {
    return Error{
        ErrorCode::kBadRequest,
        std::string("time \"").append(original).append("\" is out of range (1970 to 9999)"), ""};
  }
  return TimePoint(Duration(total));
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
