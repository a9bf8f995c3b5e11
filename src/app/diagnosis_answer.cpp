#include "app/diagnosis_answer.hpp"

#include <fmt/format.h>
#include <simdjson.h>

namespace nfmetrics::app {
namespace {

namespace dom = simdjson::dom;

Error Malformed(std::string_view why) {
  return Error{ErrorCode::kUpstreamError,
               fmt::format("the server's answer is not a diagnosis answer: {}", why),
               {}};
}

// "" when the key is absent, null or not a string.
std::string String(dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value)) return {};
  return std::string(value);
}

// nullopt when the key is absent, null or not a number.
std::optional<double> Number(dom::object object, std::string_view key) {
  double value = 0;
  if (object[key].get_double().get(value)) return std::nullopt;
  return value;
}

bool Bool(dom::object object, std::string_view key) {
  bool value = false;
  if (object[key].get_bool().get(value)) return false;
  return value;
}

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
  dom::element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    return Malformed(simdjson::error_message(error));
  }
  dom::object object;
  dom::object data;
  if (root.get_object().get(object) || String(object, "status") != "success" ||
      object["data"].get_object().get(data)) {
    return Malformed("no \"status\":\"success\" with \"data\"");
  }
  DiagnosisAnswer answer;
  answer.object = String(data, "object");
  const bool mono_vertex = answer.object == "mono-vertex";
  if (!mono_vertex && answer.object != "pipeline") return Malformed("no known \"object\"");
  answer.object_name = fmt::format("{}/{}", String(data, "namespace"),
                                   String(data, mono_vertex ? "mvtx" : "pipeline"));
  answer.quantile = Number(data, "quantile").value_or(0);
  dom::object range;
  if (!data["range"].get_object().get(range)) {
    answer.range_start = String(range, "start");
    answer.range_end = String(range, "end");
  }
  dom::object baseline;
  if (!data["baseline"].get_object().get(baseline)) answer.baseline = String(baseline, "offset");

  bool ok = EachObject(data, "stages", mono_vertex, [&answer](dom::object stage) {
    answer.stages.push_back({String(stage, "stage"), Number(stage, "mean_seconds"),
                             Number(stage, "quantile_seconds"), Number(stage, "share")});
  });
  ok = ok && EachObject(data, "pods", mono_vertex, [&answer](dom::object pod) {
         answer.pods.push_back({String(pod, "pod"), Number(pod, "quantile_seconds"),
                                Number(pod, "ratio_to_median"), Bool(pod, "outlier"),
                                String(pod, "since")});
       });
  ok = ok && EachObject(data, "vertices", !mono_vertex, [&answer](dom::object vertex) {
         answer.vertices.push_back({String(vertex, "vertex"), String(vertex, "vertex_type"),
                                    Number(vertex, "read_rate"), Number(vertex, "write_rate"),
                                    Number(vertex, "pending"), Number(vertex, "pending_growth"),
                                    Number(vertex, "processing_quantile_seconds"),
                                    Bool(vertex, "bottleneck")});
       });
  ok = ok && EachObject(data, "findings", true, [&answer](dom::object finding) {
         answer.findings.push_back({String(finding, "kind"), String(finding, "severity"),
                                    String(finding, "subject"), String(finding, "subject_kind"),
                                    String(finding, "message"), String(finding, "since")});
       });
  if (!ok) {
    return Malformed(mono_vertex ? "no \"stages\", \"pods\" and \"findings\" arrays of objects"
                                 : "no \"vertices\" and \"findings\" arrays of objects");
  }
  answer.bottleneck_stage = String(data, "bottleneck_stage");
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
