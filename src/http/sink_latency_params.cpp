#include "http/sink_latency_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "service/duration.hpp"
#include "service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

using service::SinkLatencyRequest;

constexpr std::array<std::string_view, 9> kKnownParams = {
    "namespace", "mvtx", "start", "end", "step", "window", "quantile", "group_by", "pod"};
constexpr Duration kDefaultRange = std::chrono::hours(1);

struct RawParams {
  std::optional<std::string> ns, mvtx, start, end, step, window, quantile, group_by;
  std::vector<std::string> pods;
};

std::optional<std::string>* SingleValued(RawParams& raw, std::string_view key) {
  if (key == "namespace") return &raw.ns;
  if (key == "mvtx") return &raw.mvtx;
  if (key == "start") return &raw.start;
  if (key == "end") return &raw.end;
  if (key == "step") return &raw.step;
  if (key == "window") return &raw.window;
  if (key == "quantile") return &raw.quantile;
  if (key == "group_by") return &raw.group_by;
  return nullptr;
}

// Clients (curl, browsers) send characters such as '|', '"' or a space unencoded; RFC 3986
// forbids them in a query but Prometheus accepts them, and so do we. Only a broken percent-escape
// is an error, reported against the parameter it appears in.
Result<std::string> NormalizeQuery(std::string_view query) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?";
  static constexpr std::string_view kHex = "0123456789ABCDEFabcdef";
  std::string out;
  out.reserve(query.size());
  for (std::size_t i = 0; i < query.size(); ++i) {
    auto c = static_cast<unsigned char>(query[i]);
    if (c == '%') {
      if (i + 2 >= query.size() || kHex.find(query[i + 1]) == std::string_view::npos ||
          kHex.find(query[i + 2]) == std::string_view::npos) {
        std::size_t begin = query.rfind('&', i);
        begin = begin == std::string_view::npos ? 0 : begin + 1;
        std::string_view key = query.substr(begin, query.find('=', begin) - begin);
        if (key.size() > 64 || key.find('%') != std::string_view::npos) key = "";
        return BadRequest(std::string(key), "invalid percent-encoding in the query string");
      }
      out += query.substr(i, 3);
      i += 2;
    } else if (std::isalnum(c) != 0 ||
               kAllowed.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(c));
    }
  }
  return out;
}

Result<RawParams> Collect(std::string_view raw_query) {
  RawParams raw;
  Result<std::string> normalized = NormalizeQuery(raw_query);
  if (!normalized.ok()) return std::move(normalized).error();
  std::string_view query = *normalized;
  if (!boost::urls::parse_query(query)) {
    return BadRequest("", "the query string is not valid");
  }
  // params_view decodes '+' as a space, as HTML forms and Prometheus do.
  for (const boost::urls::param& p : boost::urls::params_view(query)) {
    if (p.key.empty() && !p.has_value) continue;  // "a=1&&b=2"
    if (std::find(kKnownParams.begin(), kKnownParams.end(), p.key) == kKnownParams.end()) {
      return BadRequest(p.key, fmt::format("unknown parameter \"{}\"; accepted: namespace, mvtx, "
                                           "start, end, step, window, quantile, group_by, pod",
                                           p.key));
    }
    if (p.key == "pod") {
      raw.pods.push_back(p.value);
      continue;
    }
    std::optional<std::string>* slot = SingleValued(raw, p.key);
    if (slot->has_value()) {
      return BadRequest(p.key, fmt::format("parameter \"{}\" is given more than once", p.key));
    }
    *slot = p.value;
  }
  return raw;
}

// Adds the parameter name to an error produced by a value parser.
template <class T>
Result<T> ForParam(Result<T> result, std::string_view param) {
  if (result.ok()) return result;
  Error error = std::move(result).error();
  error.param = param;
  return error;
}

Result<double> ParseQuantile(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value < 0 || value > 1) {
    return BadRequest(
        "quantile",
        fmt::format("invalid quantile \"{}\": expected a number from 0 to 1, e.g. 0.95", text));
  }
  return value + 0.0;  // -0 becomes 0
}

Result<std::vector<service::PodName>> ParsePods(const std::vector<std::string>& values) {
  std::vector<service::PodName> pods;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (true) {
      std::size_t comma = rest.find(',');
      std::string_view name = rest.substr(0, comma);
      if (name.empty()) {
        return BadRequest("pod",
                          "empty pod name: give one or more pod names, comma-separated or "
                          "as repeated pod parameters");
      }
      auto pod = ForParam(service::PodName::Parse(name), "pod");
      if (!pod.ok()) return std::move(pod).error();
      pods.push_back(std::move(pod).value());
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  std::sort(pods.begin(), pods.end());
  pods.erase(std::unique(pods.begin(), pods.end()), pods.end());
  if (pods.size() > kMaxPods) {
    return BadRequest(
        "pod", fmt::format("too many pods ({}); at most {} per request", pods.size(), kMaxPods));
  }
  return pods;
}

Result<Duration> ParsePositive(Result<Duration> parsed, std::string_view param) {
  if (!parsed.ok()) return ForParam(std::move(parsed), param);
  if (parsed->count() <= 0) {
    return BadRequest(std::string(param),
                      fmt::format("{} must be greater than 0 (resolution: 1ms)", param));
  }
  return parsed;
}

}  // namespace

Result<SinkLatencyRequest> ParseSinkLatencyParams(std::string_view query, TimePoint now) {
  Result<RawParams> collected = Collect(query);
  if (!collected.ok()) return std::move(collected).error();
  RawParams& raw = *collected;

  if (!raw.ns) return BadRequest("namespace", "missing required parameter \"namespace\"");
  if (!raw.mvtx)
    return BadRequest("mvtx", "missing required parameter \"mvtx\" (the MonoVertex name)");
  auto ns = ForParam(service::Namespace::Parse(*raw.ns), "namespace");
  if (!ns.ok()) return std::move(ns).error();
  auto mvtx = ForParam(service::MonoVertexName::Parse(*raw.mvtx), "mvtx");
  if (!mvtx.ok()) return std::move(mvtx).error();

  SinkLatencyRequest request{
      .ns = std::move(ns).value(), .mvtx = std::move(mvtx).value(), .start = {}, .end = {}};

  if (raw.end) {
    auto end = ForParam(service::ParseTimestamp(*raw.end), "end");
    if (!end.ok()) return std::move(end).error();
    request.end = *end;
  } else {
    request.end = now;
  }
  if (raw.start) {
    auto start = ForParam(service::ParseTimestamp(*raw.start), "start");
    if (!start.ok()) return std::move(start).error();
    request.start = *start;
  } else {
    request.start = std::max(TimePoint(), request.end - kDefaultRange);  // not before 1970
  }
  if (request.end < request.start) {
    if (!raw.end) {
      return BadRequest(
          "start",
          fmt::format("start ({}) is in the future: end defaults to now ({})",
                      service::FormatRfc3339(request.start), service::FormatRfc3339(request.end)));
    }
    return BadRequest(
        "end", fmt::format("end ({}) is before start ({})", service::FormatRfc3339(request.end),
                           service::FormatRfc3339(request.start)));
  }

  if (raw.step) {
    auto step = ParsePositive(service::ParseDurationOrSeconds(*raw.step), "step");
    if (!step.ok()) return std::move(step).error();
    request.step = *step;
  }
  if (raw.window) {
    auto window = ParsePositive(service::ParseDuration(*raw.window), "window");
    if (!window.ok()) return std::move(window).error();
    request.window = *window;
  }
  if (raw.quantile) {
    auto quantile = ParseQuantile(*raw.quantile);
    if (!quantile.ok()) return std::move(quantile).error();
    request.quantile = *quantile;
  }
  if (raw.group_by) {
    if (*raw.group_by != "pod") {
      return BadRequest("group_by",
                        fmt::format("unsupported group_by \"{}\": use group_by=pod for a "
                                    "series per pod, or omit it for one aggregate series",
                                    *raw.group_by));
    }
    request.group_by = service::GroupBy::kPod;
  }
  auto pods = ParsePods(raw.pods);
  if (!pods.ok()) return std::move(pods).error();
  request.pods = std::move(pods).value();
  return request;
}

}  // namespace nfmetrics::http
