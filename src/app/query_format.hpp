// The pure half of `nfmetrics query`: the API's answer read into a struct, per-series statistics,
// sparklines, unit scaling, and the table and CSV writers. No I/O but the ostream given, so every
// piece is unit-tested without a server.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::app {

struct QueryPoint {
  double timestamp = 0;         // unix seconds
  std::optional<double> value;  // null: no value at this step
};

struct QuerySeries {
  std::vector<std::pair<std::string, std::string>> labels;  // in the answer's order
  std::optional<double> quantile;
  std::vector<QueryPoint> points;
};

// What `GET /api/v1/metrics/{metric}` answered (docs/api.md, "The answer"), the parts we show.
struct QueryAnswer {
  std::string object;       // mono-vertex or vertex
  std::string object_name;  // "default/orders" or "default/pipeline/vertex"
  std::string unit;
  std::string query;        // the first PromQL sent
  std::string range_start;  // RFC3339, as the API wrote it
  std::string range_end;
  std::string step;
  std::vector<QuerySeries> series;
  std::vector<std::string> warnings;
};

// Fails (kUpstreamError) when the body is not a success answer of that shape.
Result<QueryAnswer> ParseQueryAnswer(std::string_view body);

// One element of an answer's "series" ({"labels":{...},"quantile":q,"points":[[t,v],...]}) into
// `out`; "" when it has that shape, else what is wrong with it.
std::string ParseSeries(simdjson::dom::object json, QuerySeries& out);

// Over the non-null points; all empty when there is none.
struct SeriesStats {
  std::optional<double> latest;  // the last non-null value
  std::optional<double> min;
  std::optional<double> mean;
  std::optional<double> max;
  std::size_t values = 0;  // non-null points
};
SeriesStats ComputeStats(const QuerySeries& series);

// One character per column from ▁ (the smallest value shown) to █ (the largest), a space for a
// null. More values than `width` are resampled: each column shows the mean of the non-null values
// that fall in it (a space when all of them are null). A flat series is all ▁, and so is one whose
// spread is under 0.1% of its magnitude (invisible in the table's three digits). Fewer values
// than `width` give one column each.
std::string Sparkline(const std::vector<std::optional<double>>& values, std::size_t width);

// A value for reading: unit "seconds" in µs, ms or s chosen by magnitude ("850 µs", "12.3 ms",
// "1.50 s"), "%" appended directly ("42.0%"), any other unit after a space ("1234 messages/s"),
// always three significant digits or the whole integer part.
std::string FormatValue(double value, std::string_view unit);

// "pod=orders-mv-0-abcde", several labels comma-separated, "(all)" for the aggregate; quantile
// series get " q=0.99" appended when `with_quantile`.
std::string SeriesName(const QuerySeries& series, bool with_quantile = true);

// RFC 4180: quoted (with doubled quotes) when the field has a comma, a quote, CR or LF.
std::string CsvField(std::string_view field);

// Display width in terminal columns: one per code point (µ and the sparkline blocks are one).
std::size_t DisplayWidth(std::string_view text);

struct TableOptions {
  std::string metric;  // as the user named it, for the header line
  std::size_t sparkline_width = 40;
};

// A header line naming the metric, object, range and step, then one row per series: SERIES,
// LATEST, MIN, MEAN, MAX, POINTS (non-null / total) and the sparkline; or "no series".
void WriteTable(std::ostream& out, const QueryAnswer& answer, const TableOptions& options);

// Header `series,quantile,timestamp,value`, one row per point: the series name without quantile,
// the quantile ("" for metrics without), unix seconds, the value in the API's unit at full
// precision ("" for null). Lines end with \n.
void WriteCsv(std::ostream& out, const QueryAnswer& answer);
// One of those rows, with its \n.
std::string CsvRow(const QuerySeries& series, const QueryPoint& point);

}  // namespace nfmetrics::app
