// Writing strings into JSON safely: rapidjson escapes, this makes sure the bytes are valid UTF-8
// (user text echoed in an error message may not be).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace nfmetrics::http {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view text);

void WriteString(JsonWriter& writer, std::string_view text);

}  // namespace nfmetrics::http
