#include "nfmetrics/service/value_rules.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "nfmetrics/service/duration.hpp"

namespace nfmetrics::service {
namespace {

Result<Duration> Positive(Result<Duration> parsed, std::string_view param) {
  if (!parsed.ok()) {
    Error error = std::move(parsed).error();
    error.param = param;
    return error;
  }
  if (parsed->count() <= 0) {
    return BadRequest(std::string(param),
                      fmt::format("{} must be greater than 0 (resolution: 1ms)", param));
  }
  return parsed;
}

}  // namespace

Result<SingleParams> CollectParams(const Params& params,
                                   std::span<const std::string_view> accepted) {
  SingleParams given;
  for (const auto& [key, value] : params) {
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
      return BadRequest(key, fmt::format("unknown parameter \"{}\"; accepted: {}", key,
                                         fmt::join(accepted, ", ")));
    }
    if (!given.emplace(key, value).second) {
      return BadRequest(key, fmt::format("parameter \"{}\" is given more than once", key));
    }
  }
  return given;
}

std::optional<std::string_view> ParamOf(const SingleParams& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return it->second;
}

Result<double> ParseQuantile(std::string_view text, std::string_view param) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value < 0 || value > 1) {
    return BadRequest(
        std::string(param),
        fmt::format("invalid {} \"{}\": expected a number from 0 to 1, e.g. 0.95", param, text));
  }
  return value + 0.0;  // -0 becomes 0
}

Status CheckLabelValue(std::string_view value, std::string_view param) {
  if (value.size() > kMaxLabelValueBytes) {
    return BadRequest(std::string(param),
                      fmt::format("{} value is longer than {} bytes", param, kMaxLabelValueBytes));
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return BadRequest(std::string(param),
                        fmt::format("{} value contains a control character", param));
    }
  }
  return Ok();
}

Result<Duration> ParseWindow(std::string_view text, std::string_view param) {
  return Positive(ParseDuration(text), param);
}

Result<Duration> ParseStep(std::string_view text, std::string_view param) {
  return Positive(ParseDurationOrSeconds(text), param);
}

Result<bool> ParseFlag(std::string_view text, std::string_view param) {
  if (text == "true" || text == "1" || text.empty()) return true;
  if (text == "false" || text == "0") return false;
  return BadRequest(std::string(param),
                    fmt::format("invalid {} \"{}\": use true or false", param, text));
}

Result<std::vector<std::string>> SplitValues(const std::vector<std::string>& raw,
                                             std::string_view param, std::string_view what) {
  std::vector<std::string> out;
  for (const std::string& value : raw) {
    std::string_view rest = value;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (item.empty()) {
        return BadRequest(std::string(param),
                          fmt::format("empty {}: give one or more, comma-separated or as "
                                      "repeated {} parameters",
                                      what, param));
      }
      out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return out;
}

}  // namespace nfmetrics::service
