#include "app/answer_fields.hpp"

#include <fmt/format.h>

namespace nfmetrics::app {

Error MalformedAnswer(std::string_view what, std::string_view why) {
  return Error{ErrorCode::kUpstreamError,
               fmt::format("the server's answer is not a {} answer: {}", what, why),
               {}};
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
