#include "app/answer_fields.hpp"

#include <fmt/format.h>

namespace nfmetrics::app {

Error MalformedAnswer(std::string_view what, std::string_view why) {
  return Error{ErrorCode::kUpstreamError,
               fmt::format("the server's answer is not a {} answer: {}", what, why),
               {}};
}

Result<SuccessAnswer> ParseSuccess(simdjson::dom::parser& parser, std::string_view body,
                                   std::string_view what) {
  simdjson::dom::element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    return MalformedAnswer(what, simdjson::error_message(error));
  }
  SuccessAnswer answer;
  if (root.get_object().get(answer.top) || StringField(answer.top, "status") != "success" ||
      answer.top["data"].get_object().get(answer.data)) {
    return MalformedAnswer(what, "no \"status\":\"success\" with \"data\"");
  }
  return answer;
}

std::string StringField(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value)) return {};
  return std::string(value);
}

std::optional<double> NumberField(simdjson::dom::object object, std::string_view key) {
  double value = 0;
  if (object[key].get_double().get(value)) return std::nullopt;
  return value;
}

bool BoolField(simdjson::dom::object object, std::string_view key) {
  bool value = false;
  if (object[key].get_bool().get(value)) return false;
  return value;
}

}  // namespace nfmetrics::app
