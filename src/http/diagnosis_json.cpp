#include "http/diagnosis_json.hpp"

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

// "since" (RFC3339) and "since_unix", both null when unknown.
void Since(JsonWriter& writer, const std::optional<TimePoint>& since) {
  writer.Key("since");
  if (since) {
    WriteString(writer, service::FormatRfc3339(*since));
  } else {
    writer.Null();
  }
  writer.Key("since_unix");
  if (since) {
    WriteSeconds(writer, since->time_since_epoch().count());
  } else {
    writer.Null();
  }
}

void Comparison(JsonWriter& writer, std::string_view key, const service::Comparison& comparison,
                bool seconds) {
  WriteString(writer, key);
  writer.StartObject();
  Optional(writer, seconds ? "now_seconds" : "now", comparison.now);
  Optional(writer, seconds ? "baseline_seconds" : "baseline", comparison.baseline);
  Optional(writer, "ratio", comparison.ratio);
  writer.EndObject();
}

void OptionalName(JsonWriter& writer, std::string_view key, const std::optional<std::string>& v) {
  WriteString(writer, key);
  if (v) {
    WriteString(writer, *v);
  } else {
    writer.Null();
  }
}

void MonoVertex(JsonWriter& writer, const service::Diagnosis& diagnosis) {
  writer.Key("stages");
  writer.StartArray();
  for (const service::StageFigures& stage : diagnosis.stages) {
    writer.StartObject();
    writer.Key("stage");
    WriteString(writer, stage.stage);
    writer.Key("metric");
    WriteString(writer, stage.metric);
    writer.Key("batches");
    WriteDouble(writer, stage.batches);
    Optional(writer, "mean_seconds", stage.mean_seconds);
    Optional(writer, "quantile_seconds", stage.quantile_seconds);
    Optional(writer, "share", stage.share);
    writer.EndObject();
  }
  writer.EndArray();
  OptionalName(writer, "bottleneck_stage", diagnosis.bottleneck_stage);

  writer.Key("pods");
  writer.StartArray();
  for (const service::PodFigures& pod : diagnosis.pods) {
    writer.StartObject();
    writer.Key("pod");
    WriteString(writer, pod.pod);
    Optional(writer, "quantile_seconds", pod.quantile_seconds);
    Optional(writer, "ratio_to_median", pod.ratio_to_median);
    writer.Key("outlier");
    writer.Bool(pod.outlier);
    Since(writer, pod.since);
    writer.EndObject();
  }
  writer.EndArray();

  writer.Key("baseline");
  if (diagnosis.baseline) {
    writer.StartObject();
    writer.Key("offset");
    WriteString(writer, service::BaselineName(diagnosis.baseline->offset));
    Comparison(writer, "sink", diagnosis.baseline->sink, true);
    Comparison(writer, "processing", diagnosis.baseline->processing, true);
    Comparison(writer, "read_rate", diagnosis.baseline->read_rate, false);
    writer.EndObject();
  } else {
    writer.Null();
  }

  writer.Key("errors");
  writer.StartObject();
  Optional(writer, "sink_write_errors_per_second", diagnosis.sink_write_errors_per_second);
  Optional(writer, "dropped_per_second", diagnosis.dropped_per_second);
  writer.EndObject();
  Optional(writer, "read_rate", diagnosis.read_rate);
  writer.Key("pending");
  writer.StartObject();
  Optional(writer, "first", diagnosis.pending.first);
  Optional(writer, "last", diagnosis.pending.last);
  Optional(writer, "growth", diagnosis.pending.growth);
  writer.EndObject();
}

void Pipeline(JsonWriter& writer, const service::Diagnosis& diagnosis) {
  writer.Key("vertices");
  writer.StartArray();
  for (const service::VertexFigures& vertex : diagnosis.vertices) {
    writer.StartObject();
    writer.Key("vertex");
    WriteString(writer, vertex.vertex);
    writer.Key("vertex_type");
    WriteString(writer, vertex.vertex_type);
    Optional(writer, "read_rate", vertex.read_rate);
    Optional(writer, "write_rate", vertex.write_rate);
    Optional(writer, "pending", vertex.pending);
    Optional(writer, "pending_growth", vertex.pending_growth);
    Optional(writer, "pending_first", vertex.pending_first);
    Optional(writer, "pending_last", vertex.pending_last);
    Optional(writer, "processing_quantile_seconds", vertex.processing_quantile_seconds);
    if (diagnosis.request.baseline != service::Baseline::kNone) {
      Optional(writer, "baseline_processing_quantile_seconds",
               vertex.baseline_processing_quantile_seconds);
    }
    writer.Key("bottleneck");
    writer.Bool(vertex.bottleneck);
    writer.EndObject();
  }
  writer.EndArray();
  OptionalName(writer, "bottleneck_vertex", diagnosis.bottleneck_vertex);
  writer.Key("baseline");
  if (diagnosis.request.baseline != service::Baseline::kNone) {
    writer.StartObject();
    writer.Key("offset");
    WriteString(writer, service::BaselineName(diagnosis.request.baseline));
    writer.EndObject();
  } else {
    writer.Null();
  }
}

}  // namespace

std::string DiagnosisJson(const service::Diagnosis& diagnosis) {
  const service::DiagnosisRequest& request = diagnosis.request;
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  BeginSuccess(writer);
  writer.Key("object");
  WriteString(writer, request.mvtx ? "mono-vertex" : "pipeline");
  writer.Key("namespace");
  WriteString(writer, request.ns.str());
  if (request.mvtx) {
    writer.Key("mvtx");
    WriteString(writer, request.mvtx->str());
  } else {
    writer.Key("pipeline");
    WriteString(writer, request.pipeline->str());
  }
  writer.Key("quantile");
  WriteDouble(writer, request.quantile);
  writer.Key("range");
  writer.StartObject();
  WriteRangeEnds(writer, diagnosis.start, diagnosis.end);
  writer.EndObject();
  writer.Key("cache");
  WriteString(writer, service::CacheOutcomeName(diagnosis.cache));

  if (request.mvtx) {
    MonoVertex(writer, diagnosis);
  } else {
    Pipeline(writer, diagnosis);
  }

  writer.Key("findings");
  writer.StartArray();
  for (const service::Finding& finding : diagnosis.findings) {
    writer.StartObject();
    writer.Key("kind");
    WriteString(writer, service::FindingKindName(finding.kind));
    writer.Key("severity");
    WriteString(writer, service::SeverityName(finding.severity));
    writer.Key("subject");
    WriteString(writer, finding.subject);
    writer.Key("subject_kind");
    WriteString(writer, finding.subject_kind);
    writer.Key("message");
    WriteString(writer, finding.message);
    Since(writer, finding.since);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("queries");
  writer.StartArray();
  for (const std::string& query : diagnosis.queries) WriteString(writer, query);
  writer.EndArray();
  EndSuccess(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace nfmetrics::http
