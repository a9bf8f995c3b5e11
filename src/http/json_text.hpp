// Writing strings into JSON safely: rapidjson escapes, this makes sure the bytes are valid UTF-8
// (user text echoed in an error message may not be).
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics::http {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Replaces every invalid UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view text);

void WriteString(JsonWriter& writer, std::string_view text);

// Whole seconds as a JSON integer, otherwise seconds with the milliseconds as a fraction.
void WriteSeconds(JsonWriter& writer, std::int64_t millis);

// A finite double in its shortest round-trip form (fmt's Dragonbox, several times faster than
// rapidjson's Grisu); a non-finite one, which JSON cannot hold, as null.
void WriteDouble(JsonWriter& writer, double value);

// A range's ends as the API writes them, inside an object the caller opened: "start" and "end"
// (RFC3339), "start_unix" and "end_unix" (seconds).
void WriteRangeEnds(JsonWriter& writer, TimePoint start, TimePoint end);

// The API's success envelope: BeginSuccess writes {"status":"success","data":{ and EndSuccess
// closes data, adds "warnings":[...] and closes the document.
void BeginSuccess(JsonWriter& writer);
void EndSuccess(JsonWriter& writer, const std::vector<std::string>& warnings = {});

}  // namespace nfmetrics::http
