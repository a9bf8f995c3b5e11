#include "app/follow_format.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "app/answer_fields.hpp"
#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::app {
namespace {

namespace dom = simdjson::dom;

Error Malformed(std::string_view why) { return MalformedAnswer("stream's points", why); }

std::string StepTime(double unix_seconds) {
  return service::FormatRfc3339(
      TimePoint(std::chrono::milliseconds(std::llround(unix_seconds * 1000))));
}

std::string JsonLine(const QuerySeries& series, const QueryPoint& point) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("labels");
  writer.StartObject();
  for (const auto& [name, value] : series.labels) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  writer.EndObject();
  if (series.quantile) {
    writer.Key("quantile");
    writer.Double(*series.quantile);
  }
  writer.Key("t");
  if (point.timestamp == std::floor(point.timestamp) && std::fabs(point.timestamp) < 1e15) {
    writer.Int64(static_cast<std::int64_t>(point.timestamp));
  } else {
    writer.Double(point.timestamp);
  }
  writer.Key("value");
  if (point.value && std::isfinite(*point.value)) {
    writer.Double(*point.value);
  } else {
    writer.Null();  // JSON has no NaN nor infinity; the API writes them as null too
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + '\n';
}

}  // namespace

Result<PointsEvent> ParsePointsEvent(std::string_view data) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(data.data(), data.size()).get(root)) {
    return Malformed(simdjson::error_message(error));
  }
  dom::object object;
  dom::array series;
  if (root.get_object().get(object) || object["series"].get_array().get(series)) {
    return Malformed("no \"series\" array");
  }
  PointsEvent event;
  for (dom::element element : series) {
    dom::object json;
    if (element.get_object().get(json)) return Malformed("a series is not an object");
    QuerySeries parsed;
    if (std::string problem = ParseSeries(json, parsed); !problem.empty()) {
      return Malformed(problem);
    }
    event.series.push_back(std::move(parsed));
  }
  dom::object range;
  if (object["range"].get_object().get(range) ||
      range["start_unix"].get_int64().get(event.start_unix) ||
      range["end_unix"].get_int64().get(event.end_unix)) {
    return Malformed("no \"range\" with \"start_unix\" and \"end_unix\"");
  }
  return event;
}

StepWriter::StepWriter(std::ostream& out, StepFormat format, std::string unit,
                       const std::vector<QuerySeries>& known)
    : out_(out), format_(format), unit_(std::move(unit)), name_width_(DisplayWidth("SERIES")) {
  for (const QuerySeries& series : known) {
    name_width_ = std::max(name_width_, DisplayWidth(SeriesName(series)));
  }
}

void StepWriter::Write(const std::vector<QuerySeries>& series, std::optional<double> after) {
  std::string text;
  for (const QuerySeries& one : series) {
    if (format_ == StepFormat::kTable) {
      name_width_ = std::max(name_width_, DisplayWidth(SeriesName(one)));
    }
    for (const QueryPoint& point : one.points) {
      if (after && point.timestamp <= *after) continue;
      if (format_ == StepFormat::kTable && lines_ == 0) {
        text += '\n' + TableRow("TIME", "SERIES", "VALUE");
      }
      text += Line(one, point);
      ++lines_;
    }
  }
  out_ << text << std::flush;
}

std::string StepWriter::Line(const QuerySeries& series, const QueryPoint& point) const {
  switch (format_) {
    case StepFormat::kJson:
      return JsonLine(series, point);
    case StepFormat::kCsv:
      return CsvRow(series, point);
    case StepFormat::kTable:
      break;
  }
  return TableRow(StepTime(point.timestamp), SeriesName(series),
                  point.value ? FormatValue(*point.value, unit_) : "-");
}

std::string StepWriter::TableRow(std::string_view time, std::string_view name,
                                 std::string_view value) const {
  constexpr std::size_t kTimeWidth = std::string_view("2026-11-24T10:10:15Z").size();
  const std::size_t shown = DisplayWidth(name);
  return fmt::format("{:<{}}  {}{}  {}\n", time, kTimeWidth, name,
                     std::string(name_width_ > shown ? name_width_ - shown : 0, ' '), value);
}

}  // namespace nfmetrics::app
