// Reading the fields of an nfmetrics API answer in the terminal clients (`nfmetrics query`,
// `nfmetrics diagnose`): a missing or mistyped field reads as empty, and an answer that is not what
// the client asked for is one kUpstreamError.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::app {

// kUpstreamError: "the server's answer is not a <what> answer: <why>".
Error MalformedAnswer(std::string_view what, std::string_view why);

// A {"status":"success","data":{...}} answer: its top-level object and its data, which live in
// `parser`.
struct SuccessAnswer {
  simdjson::dom::object top;
  simdjson::dom::object data;
};
// kUpstreamError (MalformedAnswer(what, ...)) when `body` is not JSON or not such an answer.
Result<SuccessAnswer> ParseSuccess(simdjson::dom::parser& parser, std::string_view body,
                                   std::string_view what);

// "" when the key is absent, null or not a string.
std::string StringField(simdjson::dom::object object, std::string_view key);
// nullopt when the key is absent, null or not a number.
std::optional<double> NumberField(simdjson::dom::object object, std::string_view key);
// false when the key is absent, null or not a boolean.
bool BoolField(simdjson::dom::object object, std::string_view key);

}  // namespace nfmetrics::app
