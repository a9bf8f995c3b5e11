// One pass over the body with simdjson on-demand. Prometheus writes "status" first, so an error
// answer is recognised before its (absent) data; unknown keys such as "infos" are skipped.
#include "prometheus/response_parser.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace nfmetrics::prometheus {
namespace {

namespace ondemand = simdjson::ondemand;

constexpr std::size_t kBodyExcerptChars = 200;

// What the envelope said, gathered in one pass. `problem` describes the first thing that made the
// body unusable (invalid JSON, wrong shape); parsing stops there.
struct Envelope {
  std::optional<std::string> status;
  std::string error_type;
  std::string error_text;
  std::vector<std::string> warnings;
  bool has_data = false;  // "data" was present and read without a problem
  std::string problem;
};

// Reads the "data" member of a success answer into the caller's result; returns the problem, or
// "" when the data is usable.
using DataReader = std::function<std::string(ondemand::value)>;

std::string Describe(simdjson::error_code error) { return simdjson::error_message(error); }

// Prometheus formats sample values with Go's strconv.FormatFloat: special values are spelled
// NaN, +Inf and -Inf, which std::from_chars does not accept in that form.
std::optional<double> ParseSampleValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

// [<unix seconds as a number>, "<value as a string>"]
std::string ParseSample(ondemand::value json, Sample& out) {
  ondemand::array pair;
  if (auto error = json.get_array().get(pair)) return "sample is not an array: " + Describe(error);
  int index = 0;
  for (auto element : pair) {
    ondemand::value item;
    if (auto error = element.get(item)) return "bad sample: " + Describe(error);
    if (index == 0) {
      // Whole seconds, as Prometheus sends on any step of whole seconds, skip the double path.
      std::int64_t whole = 0;
      if (item.get_int64().get(whole) == simdjson::SUCCESS && std::abs(whole) < 9'200'000'000'000) {
        out.timestamp = TimePoint(Duration(whole * 1000));
        ++index;
        continue;
      }
      double seconds = 0;
      if (auto error = item.get_double().get(seconds)) {
        return "sample timestamp is not a number: " + Describe(error);
      }
      // Prometheus's own limits are about +-292 million years; anything past that cannot be a
      // millisecond count and would overflow.
      if (!std::isfinite(seconds) || std::abs(seconds) > 9.2e15) {
        return "sample timestamp is out of range";
      }
      out.timestamp = TimePoint(Duration(std::llround(seconds * 1000)));
    } else if (index == 1) {
      // The common case, a number in a string, without copying it out; NaN and +-Inf fall back.
      if (item.get_double_in_string().get(out.value) == simdjson::SUCCESS) {
        ++index;
        continue;
      }
      std::string_view text;
      if (auto error = item.get_string().get(text)) {
        return "sample value is not a string: " + Describe(error);
      }
      std::optional<double> value = ParseSampleValue(text);
      if (!value) return fmt::format("sample value \"{}\" is not a number", text);
      out.value = *value;
    }
    ++index;
  }
  if (index != 2) return fmt::format("sample has {} elements, expected 2", index);
  return {};
}

std::string ParseLabels(ondemand::value json, Labels& out) {
  ondemand::object object;
  if (auto error = json.get_object().get(object))
    return "metric is not an object: " + Describe(error);
  for (auto field : object) {
    std::string_view name;
    std::string_view value;
    if (auto error = field.unescaped_key().get(name)) return "bad label name: " + Describe(error);
    std::string name_copy(name);  // the next string read reuses simdjson's buffer position
    if (auto error = field.value().get_string().get(value)) {
      return fmt::format("label {} is not a string: {}", name_copy, Describe(error));
    }
    out.emplace_back(std::move(name_copy), std::string(value));
  }
  std::sort(out.begin(), out.end());
  return {};
}

std::string ParseSeries(ondemand::value json, Series& out) {
  ondemand::object object;
  if (auto error = json.get_object().get(object))
    return "series is not an object: " + Describe(error);
  bool has_metric = false;
  bool has_values = false;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return "bad series key: " + Describe(error);
    ondemand::value value;
    if (auto error = field.value().get(value)) return "bad series: " + Describe(error);
    if (key == "metric") {
      has_metric = true;
      if (auto problem = ParseLabels(value, out.labels); !problem.empty()) return problem;
    } else if (key == "values") {
      has_values = true;
      ondemand::array samples;
      if (auto error = value.get_array().get(samples)) {
        return "values is not an array: " + Describe(error);
      }
      for (auto element : samples) {
        ondemand::value sample_json;
        if (auto error = element.get(sample_json)) return "bad values: " + Describe(error);
        Sample sample{};
        if (auto problem = ParseSample(sample_json, sample); !problem.empty()) return problem;
        out.samples.push_back(sample);
      }
    }
  }
  if (!has_metric) return "series has no \"metric\"";
  if (!has_values) return "series has no \"values\"";
  return {};
}

std::string ParseData(ondemand::value json, Matrix& out) {
  ondemand::object object;
  if (auto error = json.get_object().get(object))
    return "data is not an object: " + Describe(error);
  std::optional<std::string> result_type;
  bool has_result = false;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return "bad data key: " + Describe(error);
    if (key == "resultType") {
      std::string_view type;
      if (auto error = field.value().get_string().get(type)) {
        return "resultType is not a string: " + Describe(error);
      }
      if (type != "matrix") return fmt::format("resultType is \"{}\", expected \"matrix\"", type);
      result_type = std::string(type);
    } else if (key == "result") {
      has_result = true;
      ondemand::array result;
      if (auto error = field.value().get_array().get(result)) {
        return "result is not an array: " + Describe(error);
      }
      for (auto element : result) {
        ondemand::value series_json;
        if (auto error = element.get(series_json)) return "bad result: " + Describe(error);
        Series series;
        if (auto problem = ParseSeries(series_json, series); !problem.empty()) return problem;
        out.series.push_back(std::move(series));
      }
    }
  }
  if (!result_type) return "data has no \"resultType\"";
  if (!has_result) return "data has no \"result\"";
  return {};
}

// ["value", ...]: the data of a label-values answer.
std::string ParseStringList(ondemand::value json, std::vector<std::string>& out) {
  ondemand::array array;
  if (auto error = json.get_array().get(array)) return "data is not an array: " + Describe(error);
  for (auto element : array) {
    std::string_view text;
    if (auto error = element.get_string().get(text)) {
      return "label value is not a string: " + Describe(error);
    }
    out.emplace_back(text);
  }
  return {};
}

std::string ParseWarnings(ondemand::value json, std::vector<std::string>& out) {
  ondemand::array array;
  if (auto error = json.get_array().get(array))
    return "warnings is not an array: " + Describe(error);
  for (auto element : array) {
    std::string_view text;
    if (auto error = element.get_string().get(text)) {
      return "warning is not a string: " + Describe(error);
    }
    out.emplace_back(text);
  }
  return {};
}

// Fills everything up to the first problem. Without a reader the data is skipped unread.
std::string ParseEnvelopeFields(ondemand::document& document, const DataReader& read_data,
                                Envelope& out) {
  ondemand::object object;
  if (auto error = document.get_object().get(object))
    return "not a JSON object: " + Describe(error);
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return "bad JSON: " + Describe(error);
    ondemand::value value;
    if (auto error = field.value().get(value)) return "bad JSON: " + Describe(error);
    if (key == "status") {
      std::string_view status;
      if (auto error = value.get_string().get(status)) {
        return "status is not a string: " + Describe(error);
      }
      out.status = std::string(status);
    } else if (key == "errorType" || key == "error") {
      std::string_view text;
      if (auto error = value.get_string().get(text)) {
        return fmt::format("{} is not a string: {}", key, Describe(error));
      }
      (key == "error" ? out.error_text : out.error_type) = std::string(text);
    } else if (key == "warnings") {
      if (auto problem = ParseWarnings(value, out.warnings); !problem.empty()) return problem;
    } else if (key == "data" && read_data && out.status != "error") {
      if (auto problem = read_data(value); !problem.empty()) return problem;
      out.has_data = true;
    }
    // Anything else ("infos", unknown additions) is skipped by on-demand when we move on.
  }
  // The object was closed; anything after it means the body is not one JSON document.
  if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return "trailing content after the JSON object";
  }
  return {};
}

Envelope ParseEnvelope(std::string_view body, const DataReader& read_data) {
  // simdjson reads SIMDJSON_PADDING bytes past the end; the body has no such slack.
  thread_local ondemand::parser parser;
  Envelope envelope;
  simdjson::padded_string padded(body);
  ondemand::document document;
  if (auto error = parser.iterate(padded).get(document)) {
    envelope.problem = "invalid JSON: " + Describe(error);
    return envelope;
  }
  envelope.problem = ParseEnvelopeFields(document, read_data, envelope);
  return envelope;
}

std::string Excerpt(std::string_view body) {
  std::string_view excerpt = body.substr(0, kBodyExcerptChars);
  while (!excerpt.empty() && std::isspace(static_cast<unsigned char>(excerpt.back()))) {
    excerpt.remove_suffix(1);
  }
  std::string text(excerpt);
  if (body.size() > kBodyExcerptChars) text += "...";
  return text;
}

Error UpstreamError(std::string message) {
  return Error{ErrorCode::kUpstreamError, std::move(message), {}};
}

// The checks shared by every endpoint, in the order that gives the most useful message.
std::optional<Error> FindEnvelopeError(const Envelope& envelope, std::string_view body,
                                       unsigned http_status) {
  if (envelope.status == "error") {
    std::string text = envelope.error_text.empty() ? "no error text" : envelope.error_text;
    if (envelope.error_type.empty()) return UpstreamError("Prometheus error: " + text);
    return UpstreamError(fmt::format("Prometheus error ({}): {}", envelope.error_type, text));
  }
  if (http_status < 200 || http_status > 299) {
    return UpstreamError(
        fmt::format("Prometheus answered HTTP {}: {}", http_status, Excerpt(body)));
  }
  if (!envelope.problem.empty()) {
    return UpstreamError("Prometheus answered an invalid response: " + envelope.problem);
  }
  if (!envelope.status) {
    return UpstreamError("Prometheus answered an invalid response: no \"status\"");
  }
  if (*envelope.status != "success") {
    return UpstreamError(
        fmt::format("Prometheus answered an invalid response: status is \"{}\"", *envelope.status));
  }
  return std::nullopt;
}

// As FindEnvelopeError, remembering a non-2xx status so that callers can tell a 503 from a 400.
std::optional<Error> CheckEnvelope(const Envelope& envelope, std::string_view body,
                                   unsigned http_status) {
  std::optional<Error> error = FindEnvelopeError(envelope, body, http_status);
  if (error && (http_status < 200 || http_status > 299)) error->upstream_status = http_status;
  return error;
}

}  // namespace

Result<Matrix> ParseQueryRangeResponse(std::string_view body, unsigned http_status) {
  Matrix matrix;
  Envelope envelope =
      ParseEnvelope(body, [&matrix](ondemand::value data) { return ParseData(data, matrix); });
  if (auto error = CheckEnvelope(envelope, body, http_status)) return std::move(*error);
  if (!envelope.has_data) {
    return UpstreamError("Prometheus answered an invalid response: no \"data\"");
  }
  matrix.warnings = std::move(envelope.warnings);
  return matrix;
}

Result<std::vector<std::string>> ParseLabelValuesResponse(std::string_view body,
                                                          unsigned http_status) {
  std::vector<std::string> values;
  Envelope envelope = ParseEnvelope(
      body, [&values](ondemand::value data) { return ParseStringList(data, values); });
  if (auto error = CheckEnvelope(envelope, body, http_status)) return std::move(*error);
  if (!envelope.has_data) {
    return UpstreamError("Prometheus answered an invalid response: no \"data\"");
  }
  // Prometheus sorts already; a proxy merging several engines (Thanos, vmselect) need not.
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

Status ParseStatusResponse(std::string_view body, unsigned http_status) {
  Envelope envelope = ParseEnvelope(body, /*read_data=*/nullptr);
  if (auto error = CheckEnvelope(envelope, body, http_status)) return std::move(*error);
  return Ok();
}

}  // namespace nfmetrics::prometheus
