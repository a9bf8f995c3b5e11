#include "http/capacity_json.hpp"

#include "http/json_text.hpp"
#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

void Optional(JsonWriter& writer, std::string_view key, const std::optional<double>& value) {
  WriteString(writer, key);
  if (value) {
    WriteDouble(writer, *value);
  } else {
    writer.Null();
  }
}

// "2026-11-02": the date part of the day's midnight in RFC3339.
std::string Date(TimePoint midnight) { return service::FormatRfc3339(midnight).substr(0, 10); }

void Day(JsonWriter& writer, const service::CapacityDay& day) {
  writer.StartObject();
  writer.Key("date");
  WriteString(writer, Date(day.date));
  Optional(writer, "read_rate_mean", day.read_rate_mean);
  Optional(writer, "read_rate_peak", day.read_rate_peak);
  Optional(writer, "sink_quantile_seconds", day.sink_quantile_seconds);
  Optional(writer, "processing_quantile_seconds", day.processing_quantile_seconds);
  writer.Key("pods_max");
  if (day.pods_max) {
    writer.Int64(*day.pods_max);
  } else {
    writer.Null();
  }
  writer.EndObject();
}

void Trend(JsonWriter& writer, std::string_view key, const service::Trend& trend) {
  WriteString(writer, key);
  writer.StartObject();
  Optional(writer, "slope_per_day", trend.slope_per_day);
  Optional(writer, "intercept", trend.intercept);
  Optional(writer, "r2", trend.r2);
  Optional(writer, "projected", trend.projected);
  Optional(writer, "change_percent_per_week", trend.change_percent_per_week);
  writer.Key("days_used");
  writer.Int(trend.days_used);
  writer.EndObject();
}

void Decile(JsonWriter& writer, const service::LoadDecile& decile) {
  writer.StartObject();
  writer.Key("decile");
  writer.Int(decile.decile);
  Optional(writer, "read_rate", decile.read_rate);
  Optional(writer, "sink_quantile_seconds", decile.sink_quantile_seconds);
  writer.Key("steps");
  writer.Int(decile.steps);
  writer.EndObject();
}

}  // namespace

std::string CapacityJson(const service::CapacityAnswer& capacity) {
  const service::CapacityRequest& request = capacity.request;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  BeginSuccess(writer);
  writer.Key("object");
  WriteString(writer, request.mvtx ? "mono-vertex" : "vertex");
  writer.Key("namespace");
  WriteString(writer, request.ns.str());
  if (request.mvtx) {
    writer.Key("mvtx");
    WriteString(writer, request.mvtx->str());
  } else {
    writer.Key("pipeline");
    WriteString(writer, request.pipeline->str());
    writer.Key("vertex");
    WriteString(writer, request.vertex->str());
  }
  writer.Key("quantile");
  WriteDouble(writer, request.quantile);
  writer.Key("days_requested");
  writer.Int(request.days);
  writer.Key("horizon");
  writer.Int(request.horizon);
  writer.Key("range");
  writer.StartObject();
  WriteRangeEnds(writer, capacity.start, capacity.end);
  writer.EndObject();
  writer.Key("cache");
  WriteString(writer, service::CacheOutcomeName(capacity.cache));

  writer.Key("days");
  writer.StartArray();
  for (const service::CapacityDay& day : capacity.days) Day(writer, day);
  writer.EndArray();
  writer.Key("trend");
  writer.StartObject();
  Trend(writer, "read_rate_peak", capacity.trend.read_rate_peak);
  Trend(writer, "sink_quantile_seconds", capacity.trend.sink_quantile_seconds);
  Trend(writer, "processing_quantile_seconds", capacity.trend.processing_quantile_seconds);
  writer.EndObject();
  writer.Key("load_latency");
  writer.StartArray();
  for (const service::LoadDecile& decile : capacity.load_latency) Decile(writer, decile);
  writer.EndArray();
  writer.Key("queries");
  writer.StartArray();
  for (const std::string& query : capacity.queries) WriteString(writer, query);
  writer.EndArray();
  EndSuccess(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
