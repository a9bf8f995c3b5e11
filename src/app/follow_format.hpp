// The pure half of `nfmetrics query --follow`: a stream's `points` event read into a struct, and
// the steps that arrive written one line per (series, step) as a table row, a JSON line or a CSV
// row. No I/O but the ostream given, so it is unit-tested without a server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/query_format.hpp"
#include "nfmetrics/core/result.hpp"

namespace nfmetrics::app {

// The data of a `points` event: {"series":[...],"range":{"start_unix","end_unix",...}}.
struct PointsEvent {
  std::vector<QuerySeries> series;  // only the steps the event brings
  std::int64_t start_unix = 0;      // the window once they are added
  std::int64_t end_unix = 0;
};
// Fails (kUpstreamError) when `data` is not of that shape.
Result<PointsEvent> ParsePointsEvent(std::string_view data);

enum class StepFormat { kTable, kJson, kCsv };

// Writes steps as they arrive, each line whole and flushed so that a pipe sees it at once.
//   table: "TIME  SERIES  VALUE", after a header line of those names: the step's time in RFC3339,
//          the series named as in the snapshot's table, the value scaled as there ("-" for null);
//   json:  {"labels":{...},"quantile":q,"t":unix,"value":v}, "quantile" only for quantile series,
//          "t" in unix seconds, "value" in the API's unit or null;
//   csv:   the rows of `--output csv` (series,quantile,timestamp,value).
class StepWriter {
 public:
  // `unit` is the snapshot's ("seconds", "messages/s", ...), for the table's values. The table's
  // series column is as wide as the widest name of `known` (the snapshot's series), and widens for
  // a longer one arriving later.
  StepWriter(std::ostream& out, StepFormat format, std::string unit,
             const std::vector<QuerySeries>& known);

  // A line per point of every series, or only of those after `after` (unix seconds). The table's
  // header comes before the first line it writes, after a blank line that sets it apart from the
  // snapshot's table.
  void Write(const std::vector<QuerySeries>& series, std::optional<double> after = std::nullopt);

  std::size_t lines() const { return lines_; }

 private:
  std::string Line(const QuerySeries& series, const QueryPoint& point) const;
  std::string TableRow(std::string_view time, std::string_view name, std::string_view value) const;

  std::ostream& out_;
  StepFormat format_;
  std::string unit_;
  std::size_t name_width_ = 0;
  std::size_t lines_ = 0;
};

}  // namespace nfmetrics::app
