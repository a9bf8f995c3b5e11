#include "app/diagnosis_answer.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "app/answer_fields.hpp"

namespace nfmetrics::app {
namespace {

namespace dom = simdjson::dom;

Error Malformed(std::string_view why) { return MalformedAnswer("diagnosis", why); }

// Calls `read` with each object of the array `key`; false when there is no such array or an
// element is not an object. An absent array is fine when `required` is false.
template <class Read>
bool EachObject(dom::object data, std::string_view key, bool required, Read read) {
  dom::array array;
  if (data[key].get_array().get(array)) return !required;
  for (dom::element element : array) {
    dom::object object;
    if (element.get_object().get(object)) return false;
    read(object);
  }
  return true;
}

}  // namespace

Result<DiagnosisAnswer> ParseDiagnosisAnswer(std::string_view body) {
  dom::parser parser;
  Result<SuccessAnswer> parsed = ParseSuccess(parser, body, "diagnosis");
  if (!parsed.ok()) return std::move(parsed).error();
  const dom::object object = parsed->top;
  const dom::object data = parsed->data;
  DiagnosisAnswer answer;
  answer.object = StringField(data, "object");
  const bool mono_vertex = answer.object == "mono-vertex";
  if (!mono_vertex && answer.object != "pipeline") return Malformed("no known \"object\"");
  answer.object_name = fmt::format("{}/{}", StringField(data, "namespace"),
                                   StringField(data, mono_vertex ? "mvtx" : "pipeline"));
  answer.quantile = NumberField(data, "quantile").value_or(0);
  dom::object range;
  if (!data["range"].get_object().get(range)) {
    answer.range_start = StringField(range, "start");
    answer.range_end = StringField(range, "end");
  }
  dom::object baseline;
  if (!data["baseline"].get_object().get(baseline))
    answer.baseline = StringField(baseline, "offset");

  bool ok = EachObject(data, "stages", mono_vertex, [&answer](dom::object stage) {
    answer.stages.push_back({StringField(stage, "stage"), NumberField(stage, "mean_seconds"),
                             NumberField(stage, "quantile_seconds"), NumberField(stage, "share")});
  });
  ok = ok && EachObject(data, "pods", mono_vertex, [&answer](dom::object pod) {
         answer.pods.push_back({StringField(pod, "pod"), NumberField(pod, "quantile_seconds"),
                                NumberField(pod, "ratio_to_median"), BoolField(pod, "outlier"),
                                StringField(pod, "since")});
       });
  ok = ok && EachObject(data, "vertices", !mono_vertex, [&answer](dom::object vertex) {
         answer.vertices.push_back(
             {StringField(vertex, "vertex"), StringField(vertex, "vertex_type"),
              NumberField(vertex, "read_rate"), NumberField(vertex, "write_rate"),
              NumberField(vertex, "pending"), NumberField(vertex, "pending_growth"),
              NumberField(vertex, "processing_quantile_seconds"), BoolField(vertex, "bottleneck")});
       });
  ok = ok && EachObject(data, "findings", true, [&answer](dom::object finding) {
         answer.findings.push_back(
             {StringField(finding, "kind"), StringField(finding, "severity"),
              StringField(finding, "subject"), StringField(finding, "subject_kind"),
              StringField(finding, "message"), StringField(finding, "since")});
       });
  if (!ok) {
    return Malformed(mono_vertex ? "no \"stages\", \"pods\" and \"findings\" arrays of objects"
                                 : "no \"vertices\" and \"findings\" arrays of objects");
  }
  answer.bottleneck_stage = StringField(data, "bottleneck_stage");
  return answer;
}

int DiagnoseExitCode(const std::vector<DiagnosisFinding>& findings) {
  int code = kDiagnoseExitNoFindings;
  for (const DiagnosisFinding& finding : findings) {
    if (finding.severity == "critical") return kDiagnoseExitCritical;
    code = kDiagnoseExitWarning;
  }
  return code;
}

}  // namespace nfmetrics::app
