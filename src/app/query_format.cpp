#include "app/query_format.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "app/answer_fields.hpp"

namespace nfmetrics::app {
namespace {

namespace dom = simdjson::dom;

Error Malformed(std::string_view why) { return MalformedAnswer("metrics", why); }

// Three significant digits, or the whole integer part when it is longer.
// The value at three significant digits, as a decimal rounding would print it, so that the unit
// and the number of decimals are chosen for what is shown (0.9996 is 1.00, not 0.9996 -> "1.000").
// Values of 1000 and more keep their integer digits: the table shows them whole.
double RoundToThreeDigits(double value) {
  if (value == 0 || !std::isfinite(value) || std::fabs(value) >= 1000) return value;
  return std::strtod(fmt::format("{:.2e}", value).c_str(), nullptr);
}

std::string ThreeDigits(double value) {
  value = RoundToThreeDigits(value);
  const double magnitude = std::fabs(value);
  if (magnitude >= 100 || value == 0) return fmt::format("{:.0f}", value);
  if (magnitude >= 10) return fmt::format("{:.1f}", value);
  if (magnitude >= 1) return fmt::format("{:.2f}", value);
  return fmt::format("{:.3g}", value);
}

// Pads with spaces to `width` display columns, on the left for numbers.
std::string Pad(std::string_view text, std::size_t width, bool right_align) {
  const std::size_t shown = DisplayWidth(text);
  std::string padding(width > shown ? width - shown : 0, ' ');
  return right_align ? padding + std::string(text) : std::string(text) + padding;
}

std::string ValueCell(const std::optional<double>& value, std::string_view unit) {
  return value ? FormatValue(*value, unit) : "-";
}

}  // namespace

std::string ParseSeries(dom::object json, QuerySeries& out) {
  dom::object labels;
  if (json["labels"].get_object().get(labels)) return "series without labels";
  for (auto [key, value] : labels) {
    std::string_view text;
    if (value.get_string().get(text)) return "a label value is not a string";
    out.labels.emplace_back(std::string(key), std::string(text));
  }
  double quantile = 0;
  if (!json["quantile"].get_double().get(quantile)) out.quantile = quantile;
  dom::array points;
  if (json["points"].get_array().get(points)) return "series without points";
  for (dom::element point : points) {
    dom::array pair;
    if (point.get_array().get(pair) || pair.size() != 2) return "a point is not [time, value]";
    QueryPoint parsed;
    if (pair.at(0).get_double().get(parsed.timestamp)) return "a point's time is not a number";
    dom::element value = pair.at(1).value_unsafe();
    if (!value.is_null()) {
      double number = 0;
      if (value.get_double().get(number)) return "a point's value is not a number or null";
      parsed.value = number;
    }
    out.points.push_back(parsed);
  }
  return {};
}

Result<QueryAnswer> ParseQueryAnswer(std::string_view body) {
  dom::parser parser;
  Result<SuccessAnswer> parsed = ParseSuccess(parser, body, "metrics");
  if (!parsed.ok()) return std::move(parsed).error();
  const dom::object object = parsed->top;
  const dom::object data = parsed->data;
  QueryAnswer answer;
  answer.object = StringField(data, "object");
  answer.unit = StringField(data, "unit");
  answer.query = StringField(data, "query");
  const std::string ns = StringField(data, "namespace");
  const std::string mvtx = StringField(data, "mvtx");
  answer.object_name = mvtx.empty() ? fmt::format("{}/{}/{}", ns, StringField(data, "pipeline"),
                                                  StringField(data, "vertex"))
                                    : fmt::format("{}/{}", ns, mvtx);
  dom::object range;
  if (!data["range"].get_object().get(range)) {
    answer.range_start = StringField(range, "start");
    answer.range_end = StringField(range, "end");
    answer.step = StringField(range, "step");
  }
  dom::array series;
  if (data["series"].get_array().get(series)) return Malformed("no \"series\" array");
  for (dom::element element : series) {
    dom::object object;
    if (element.get_object().get(object)) return Malformed("a series is not an object");
    QuerySeries parsed;
    if (std::string problem = ParseSeries(object, parsed); !problem.empty()) {
      return Malformed(problem);
    }
    answer.series.push_back(std::move(parsed));
  }
  dom::array warnings;
  if (!object["warnings"].get_array().get(warnings)) {
    for (dom::element warning : warnings) {
      std::string_view text;
      if (!warning.get_string().get(text)) answer.warnings.emplace_back(text);
    }
  }
  return answer;
}

SeriesStats ComputeStats(const QuerySeries& series) {
  SeriesStats stats;
  double sum = 0;
  for (const QueryPoint& point : series.points) {
    if (!point.value) continue;
    const double value = *point.value;
    stats.latest = value;
    stats.min = stats.min ? std::min(*stats.min, value) : value;
    stats.max = stats.max ? std::max(*stats.max, value) : value;
    sum += value;
    ++stats.values;
  }
  if (stats.values > 0) stats.mean = sum / static_cast<double>(stats.values);
  return stats;
}

std::string Sparkline(const std::vector<std::optional<double>>& values, std::size_t width) {
  // A spread the table's three significant digits cannot show is noise: drawing it from ▁ to █
  // would make a steady series look erratic.
  constexpr double kFlatBelow = 1e-3;
  static constexpr std::array<std::string_view, 8> kLevels = {"▁", "▂", "▃", "▄",
                                                              "▅", "▆", "▇", "█"};
  if (width == 0 || values.empty()) return {};
  const std::size_t columns = std::min(width, values.size());
  std::vector<std::optional<double>> shown(columns);
  for (std::size_t column = 0; column < columns; ++column) {
    // The values whose index falls in this column's share of [0, size).
    const std::size_t begin = column * values.size() / columns;
    const std::size_t end = (column + 1) * values.size() / columns;
    double sum = 0;
    std::size_t count = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (values[i]) {
        sum += *values[i];
        ++count;
      }
    }
    if (count > 0) shown[column] = sum / static_cast<double>(count);
  }
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  for (const auto& value : shown) {
    if (!value) continue;
    low = std::min(low, *value);
    high = std::max(high, *value);
  }
  std::string line;
  for (const auto& value : shown) {
    if (!value) {
      line += ' ';
      continue;
    }
    std::size_t level = 0;
    if (high - low > kFlatBelow * std::max(std::fabs(high), std::fabs(low))) {
      level = static_cast<std::size_t>(std::lround((*value - low) / (high - low) * 7.0));
    }
    line += kLevels[std::min<std::size_t>(level, 7)];
  }
  return line;
}

std::string FormatValue(double value, std::string_view unit) {
  if (unit == "seconds") {
    const double magnitude = std::fabs(RoundToThreeDigits(value));
    if (value == 0) return "0 s";
    if (magnitude >= 1) return ThreeDigits(value) + " s";
    if (magnitude >= 1e-3) return ThreeDigits(value * 1e3) + " ms";
    return ThreeDigits(value * 1e6) + " µs";
  }
  if (unit == "%") return ThreeDigits(value) + "%";
  if (unit.empty()) return ThreeDigits(value);
  return ThreeDigits(value) + " " + std::string(unit);
}

std::string SeriesName(const QuerySeries& series, bool with_quantile) {
  std::string name;
  for (const auto& [label, value] : series.labels) {
    if (!name.empty()) name += ',';
    name += label + "=" + value;
  }
  if (name.empty()) name = "(all)";
  if (with_quantile && series.quantile) name += fmt::format(" q={}", *series.quantile);
  return name;
}

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::size_t DisplayWidth(std::string_view text) {
  // UTF-8 continuation bytes (10xxxxxx) do not start a code point.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void WriteTable(std::ostream& out, const QueryAnswer& answer, const TableOptions& options) {
  out << fmt::format("{} of {} {}, {} to {}, step {}\n", options.metric, answer.object,
                     answer.object_name, answer.range_start, answer.range_end, answer.step);
  if (answer.series.empty()) {
    out << "no series\n";
    return;
  }
  using Row = std::array<std::string, 7>;
  std::vector<Row> rows = {{"SERIES", "LATEST", "MIN", "MEAN", "MAX", "POINTS", "TREND"}};
  for (const QuerySeries& series : answer.series) {
    const SeriesStats stats = ComputeStats(series);
    std::vector<std::optional<double>> values;
    values.reserve(series.points.size());
    for (const QueryPoint& point : series.points) values.push_back(point.value);
    rows.push_back({SeriesName(series), ValueCell(stats.latest, answer.unit),
                    ValueCell(stats.min, answer.unit), ValueCell(stats.mean, answer.unit),
                    ValueCell(stats.max, answer.unit),
                    fmt::format("{}/{}", stats.values, series.points.size()),
                    Sparkline(values, options.sparkline_width)});
  }
  std::array<std::size_t, 7> widths{};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  for (const Row& row : rows) {
    std::string line = Pad(row[0], widths[0], false);
    for (std::size_t i = 1; i + 1 < row.size(); ++i) line += "  " + Pad(row[i], widths[i], true);
    line += "  " + row.back();  // the last column is not padded: no trailing spaces
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

void WriteCsv(std::ostream& out, const QueryAnswer& answer) {
  out << "series,quantile,timestamp,value\n";
  for (const QuerySeries& series : answer.series) {
    for (const QueryPoint& point : series.points) out << CsvRow(series, point);
  }
}

std::string CsvRow(const QuerySeries& series, const QueryPoint& point) {
  return fmt::format("{},{},{},{}\n", CsvField(SeriesName(series, false)),
                     series.quantile ? fmt::format("{}", *series.quantile) : "", point.timestamp,
                     point.value ? fmt::format("{}", *point.value) : "");
}

}  // namespace nfmetrics::app
