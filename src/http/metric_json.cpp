#include "http/metric_json.hpp"

#include <algorithm>

#include "http/json_text.hpp"
#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::http {
namespace {

void WriteOptional(JsonWriter& writer, const std::optional<double>& value) {
  if (value) {
    WriteDouble(writer, *value);
  } else {
    writer.Null();
  }
}

void WriteSummary(JsonWriter& writer, const service::SeriesSummary& summary, bool per_pod) {
  writer.StartObject();
  writer.Key("last");
  WriteOptional(writer, summary.last);
  writer.Key("min");
  WriteOptional(writer, summary.min);
  writer.Key("mean");
  WriteOptional(writer, summary.mean);
  writer.Key("max");
  WriteOptional(writer, summary.max);
  if (per_pod) {
    writer.Key("outlier");
    writer.Bool(summary.outlier);
  }
  writer.EndObject();
}

// "range": the aligned range queried, its step, and the window for metrics that have one.
void WriteRange(JsonWriter& writer, const service::QueryPlan& plan) {
  writer.Key("range");
  writer.StartObject();
  WriteRangeEnds(writer, plan.start, plan.end);
  writer.Key("step");
  WriteString(writer, service::FormatDuration(plan.step));
  writer.Key("step_seconds");
  WriteSeconds(writer, plan.step.count());
  if (plan.window) {
    writer.Key("window");
    WriteString(writer, service::FormatDuration(*plan.window));
  }
  writer.EndObject();
}

// A series' "labels", and its "quantile" for quantile metrics.
void WriteSeriesId(JsonWriter& writer, const service::MetricSeries& series) {
  writer.Key("labels");
  writer.StartObject();
  for (const auto& [label, value] : series.labels) {
    writer.Key(label.data(), static_cast<rapidjson::SizeType>(label.size()));
    WriteString(writer, value);
  }
  writer.EndObject();
  if (series.quantile) {
    writer.Key("quantile");
    WriteDouble(writer, *series.quantile);
  }
}

// "points": [[unix seconds, value or null], ...].
void WritePoints(JsonWriter& writer, const std::vector<service::Point>& points) {
  writer.Key("points");
  writer.StartArray();
  for (const service::Point& point : points) {
    writer.StartArray();
    WriteSeconds(writer, point.time.time_since_epoch().count());
    WriteOptional(writer, point.value);
    writer.EndArray();
  }
  writer.EndArray();
}

}  // namespace

std::string MetricJson(const service::MetricRequest& request, const service::MetricResult& result) {
  const service::QueryPlan& plan = result.plan;
  const service::MetricSpec& metric = *request.metric;
  const service::ObjectRef& object = request.object;
  // Sized up front: growing a buffer of many points copies it over and over.
  std::size_t estimate = 1024;
  for (const service::MetricSeries& series : result.series) {
    estimate += 256 + 32 * series.points.size();
  }
  rapidjson::StringBuffer buffer(nullptr, estimate);
  JsonWriter writer(buffer);
  BeginSuccess(writer);
  writer.Key("metric");
  std::string name = metric.api_name;
  std::replace(name.begin(), name.end(), '-', '_');
  WriteString(writer, name);
  writer.Key("metric_name");
  WriteString(writer, metric.metric_name);
  writer.Key("object");
  WriteString(writer, service::ObjectKindName(object.kind));
  writer.Key("namespace");
  WriteString(writer, object.ns.str());
  if (object.mvtx) {
    writer.Key("mvtx");
    WriteString(writer, object.mvtx->str());
  }
  if (object.pipeline) {
    writer.Key("pipeline");
    WriteString(writer, object.pipeline->str());
  }
  if (object.vertex) {
    writer.Key("vertex");
    WriteString(writer, object.vertex->str());
  }
  writer.Key("unit");
  WriteString(writer, metric.ApiUnit());
  if (!request.quantiles.empty()) {
    if (request.quantiles.size() == 1) {
      writer.Key("quantile");
      WriteDouble(writer, request.quantiles.front());
    }
    writer.Key("quantiles");
    writer.StartArray();
    for (double quantile : request.quantiles) WriteDouble(writer, quantile);
    writer.EndArray();
  }
  writer.Key("group_by");
  writer.StartArray();
  for (const service::DimensionSpec* dimension : request.group_by) {
    WriteString(writer, dimension->name);
  }
  writer.EndArray();
  if (!request.filters.empty()) {
    writer.Key("filters");
    writer.StartObject();
    for (const service::FilterValues& filter : request.filters) {
      writer.Key(filter.label.data(), static_cast<rapidjson::SizeType>(filter.label.size()));
      writer.StartArray();
      for (const std::string& value : filter.values) WriteString(writer, value);
      writer.EndArray();
    }
    writer.EndObject();
  }
  writer.Key("cache");
  WriteString(writer, service::CacheOutcomeName(result.cache));
  writer.Key("query");
  WriteString(writer, plan.queries.front().promql);
  writer.Key("queries");
  writer.StartArray();
  for (const service::PlannedQuery& query : plan.queries) {
    writer.StartObject();
    if (query.quantile) {
      writer.Key("quantile");
      WriteDouble(writer, *query.quantile);
    }
    writer.Key("query");
    WriteString(writer, query.promql);
    writer.EndObject();
  }
  writer.EndArray();

  WriteRange(writer, plan);

  writer.Key("series");
  writer.StartArray();
  for (const service::MetricSeries& series : result.series) {
    writer.StartObject();
    WriteSeriesId(writer, series);
    if (series.summary) {
      writer.Key("summary");
      // Pods are compared with their peers only where series are per pod.
      bool per_pod = std::any_of(series.labels.begin(), series.labels.end(),
                                 [](const auto& label) { return label.first == "pod"; });
      WriteSummary(writer, *series.summary, per_pod);
    }
    WritePoints(writer, series.points);
    writer.EndObject();
  }
  writer.EndArray();
  EndSuccess(writer, result.warnings);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string PointsJson(const service::QueryPlan& plan,
                       const std::vector<service::MetricSeries>& series) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("series");
  writer.StartArray();
  for (const service::MetricSeries& one : series) {
    writer.StartObject();
    WriteSeriesId(writer, one);
    WritePoints(writer, one.points);
    writer.EndObject();
  }
  writer.EndArray();
  WriteRange(writer, plan);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
