#include "app/capacity_format.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <string_view>
#include <vector>

#include "app/diagnose_format.hpp"
#include "app/query_format.hpp"
#include "app/text_columns.hpp"

namespace nfmetrics::app {
namespace {

std::string Value(const std::optional<double>& value, std::string_view unit) {
  return value ? FormatValue(*value, unit) : "-";
}

std::string Count(const std::optional<double>& value) {
  return value ? fmt::format("{:.0f}", *value) : "-";
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

TextRow TrendRow(std::string name, const CapacityTrend& trend, std::string_view unit) {
  return {std::move(name),
          SignedValue(trend.slope_per_day, unit),
          trend.change_percent_per_week
              ? fmt::format("{:+.1f}%", std::round(*trend.change_percent_per_week * 10) / 10 + 0.0)
              : "-",
          trend.r2 ? fmt::format("{:.3f}", *trend.r2) : "-",
          Value(trend.projected, unit),
          fmt::format("{}", trend.days_used)};
}

}  // namespace

std::string SignedValue(const std::optional<double>& value, std::string_view unit) {
  if (!value) return "-";
  std::string shown = FormatValue(*value, unit);
  // FormatValue signs negatives; a positive slope gets its "+", a zero none.
  if (*value > 0 && shown != "0" && !shown.starts_with("0 ")) return "+" + shown;
  return shown;
}

void WriteCapacity(std::ostream& out, const CapacityAnswer& answer) {
  const std::string q = QuantileLabel(answer.quantile);
  const std::string upper_q = Upper(q);
  std::string days = fmt::format("{} days", answer.days.size());
  if (!answer.days.empty()) {
    days += fmt::format(" {} to {} (UTC)", answer.days.front().date, answer.days.back().date);
  }
  out << fmt::format("{} {}, {}, {}, horizon {} days{}\n", answer.object, answer.object_name, days,
                     q, answer.horizon, answer.cache.empty() ? "" : ", cache " + answer.cache);

  std::vector<TextRow> rows = {
      {"DATE", "MEAN READ/S", "PEAK READ/S", "SINK " + upper_q, "PROCESSING " + upper_q, "PODS"}};
  for (const CapacityDay& day : answer.days) {
    rows.push_back({day.date, Value(day.read_rate_mean, ""), Value(day.read_rate_peak, ""),
                    Value(day.sink_quantile_seconds, "seconds"),
                    Value(day.processing_quantile_seconds, "seconds"), Count(day.pods_max)});
  }
  out << '\n';
  WriteColumns(out, rows, {false, true, true, true, true, true});

  rows = {{"TREND", "SLOPE/DAY", "%/WEEK", "R2", fmt::format("AT +{}D", answer.horizon), "DAYS"}};
  rows.push_back(TrendRow("peak read/s", answer.read_rate_peak, ""));
  rows.push_back(TrendRow("sink " + q, answer.sink_quantile, "seconds"));
  rows.push_back(TrendRow("processing " + q, answer.processing_quantile, "seconds"));
  out << '\n';
  WriteColumns(out, rows, {false, true, true, true, true, true});

  rows = {{"LOAD DECILE", "READ/S", "SINK " + upper_q, "STEPS"}};
  for (const CapacityDecile& decile : answer.load_latency) {
    rows.push_back({fmt::format("{}", decile.decile), Value(decile.read_rate, ""),
                    Value(decile.sink_quantile_seconds, "seconds"),
                    fmt::format("{}", decile.steps)});
  }
  out << '\n';
  WriteColumns(out, rows, {true, true, true, true});
}

}  // namespace nfmetrics::app
