#include "http/sink_latency_json.hpp"

#include "http/json_text.hpp"
#include "service/duration.hpp"
#include "service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

// Whole seconds as a JSON integer, otherwise seconds with the milliseconds as a fraction.
void WriteSeconds(JsonWriter& writer, std::int64_t millis) {
  if (millis % 1000 == 0) {
    writer.Int64(millis / 1000);
  } else {
    writer.Double(static_cast<double>(millis) / 1000.0);
  }
}

}  // namespace

std::string SinkLatencyJson(const service::SinkLatencyRequest& request,
                            const service::SinkLatencyResult& result) {
  const service::QueryPlan& plan = result.plan;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("status");
  writer.String("success");
  writer.Key("data");
  writer.StartObject();
  writer.Key("metric");
  writer.String("sink_latency");
  writer.Key("namespace");
  WriteString(writer, request.ns.str());
  writer.Key("mvtx");
  WriteString(writer, request.mvtx.str());
  writer.Key("unit");
  writer.String("seconds");
  writer.Key("quantile");
  writer.Double(request.quantile);
  writer.Key("group_by");
  writer.StartArray();
  if (request.group_by == service::GroupBy::kPod) writer.String("pod");
  writer.EndArray();
  writer.Key("query");
  WriteString(writer, plan.promql);

  writer.Key("range");
  writer.StartObject();
  writer.Key("start");
  WriteString(writer, service::FormatRfc3339(plan.start));
  writer.Key("end");
  WriteString(writer, service::FormatRfc3339(plan.end));
  writer.Key("start_unix");
  WriteSeconds(writer, plan.start.time_since_epoch().count());
  writer.Key("end_unix");
  WriteSeconds(writer, plan.end.time_since_epoch().count());
  writer.Key("step");
  WriteString(writer, service::FormatDuration(plan.step));
  writer.Key("step_seconds");
  WriteSeconds(writer, plan.step.count());
  writer.Key("window");
  WriteString(writer, service::FormatDuration(plan.window));
  writer.EndObject();

  writer.Key("series");
  writer.StartArray();
  for (const service::LatencySeries& series : result.series) {
    writer.StartObject();
    writer.Key("labels");
    writer.StartObject();
    for (const auto& [name, value] : series.labels) {
      writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      WriteString(writer, value);
    }
    writer.EndObject();
    writer.Key("points");
    writer.StartArray();
    for (const service::Point& point : series.points) {
      writer.StartArray();
      WriteSeconds(writer, point.time.time_since_epoch().count());
      if (point.seconds) {
        writer.Double(*point.seconds);
      } else {
        writer.Null();
      }
      writer.EndArray();
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();  // data

  writer.Key("warnings");
  writer.StartArray();
  for (const std::string& warning : result.warnings) WriteString(writer, warning);
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
