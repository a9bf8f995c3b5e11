#include "http/json_text.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <cmath>

#include "nfmetrics/service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid.
std::size_t ValidSequenceLength(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned min_next = 0x80, max_next = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_next = 0xA0;
    if (lead == 0xED) max_next = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_next = 0x90;
    if (lead == 0xF4) max_next = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < min_next || byte(i + 1) > max_next) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = ValidSequenceLength(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

void WriteString(JsonWriter& writer, std::string_view text) {
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return;
  }
  std::string valid = ValidUtf8(text);
  writer.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void WriteSeconds(JsonWriter& writer, std::int64_t millis) {
  if (millis % 1000 == 0) {
    writer.Int64(millis / 1000);
  } else {
    WriteDouble(writer, static_cast<double>(millis) / 1000.0);
  }
}

void WriteDouble(JsonWriter& writer, double value) {
  if (!std::isfinite(value)) {
    writer.Null();
    return;
  }
  std::array<char, 32> text;  // the longest shortest form is 24 characters
  char* end = fmt::format_to(text.data(), FMT_COMPILE("{}"), value);
  writer.RawValue(text.data(), static_cast<std::size_t>(end - text.data()), rapidjson::kNumberType);
}

void BeginSuccess(JsonWriter& writer) {
  writer.StartObject();
  writer.Key("status");
  writer.String("success");
  writer.Key("data");
  writer.StartObject();
}

void EndSuccess(JsonWriter& writer, const std::vector<std::string>& warnings) {
  writer.EndObject();  // data
  writer.Key("warnings");
  writer.StartArray();
  for (const std::string& warning : warnings) WriteString(writer, warning);
  writer.EndArray();
  writer.EndObject();
}

void WriteRangeEnds(JsonWriter& writer, TimePoint start, TimePoint end) {
  writer.Key("start");
  WriteString(writer, service::FormatRfc3339(start));
  writer.Key("end");
  WriteString(writer, service::FormatRfc3339(end));
  writer.Key("start_unix");
  WriteSeconds(writer, start.time_since_epoch().count());
  writer.Key("end_unix");
  WriteSeconds(writer, end.time_since_epoch().count());
}

}  // namespace nfmetrics::http
