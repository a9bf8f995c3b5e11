#include "service/promql.hpp"

#include <charconv>
#include <cstdio>

#include "service/duration.hpp"

namespace nfmetrics::service {

std::string EscapePromqlString(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 8);
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[5];
          std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string EscapeRegex(std::string_view literal) {
  static constexpr std::string_view kMeta = R"(\.+*?()|[]{}^$)";
  std::string out;
  out.reserve(literal.size() + 8);
  for (char c : literal) {
    if (kMeta.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string FormatNumber(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

std::string BuildSinkLatencyQuery(const SinkLatencyQueryParts& parts) {
  // Matchers in a fixed order: namespace, mvtx_name, pod.
  std::string selector = "monovtx_sink_time_bucket{namespace=\"";
  selector += EscapePromqlString(parts.ns.str());
  selector += "\",mvtx_name=\"";
  selector += EscapePromqlString(parts.mvtx.str());
  selector += '"';
  if (parts.pods.size() == 1) {
    selector += ",pod=\"" + EscapePromqlString(parts.pods.front().str()) + '"';
  } else if (parts.pods.size() > 1) {
    std::string alternatives;
    for (const PodName& pod : parts.pods) {
      if (!alternatives.empty()) alternatives += '|';
      alternatives += EscapeRegex(pod.str());
    }
    // Prometheus anchors regex matchers, so this matches exactly the listed pods.
    selector += ",pod=~\"" + EscapePromqlString(alternatives) + '"';
  }
  selector += '}';

  std::string query = "histogram_quantile(";
  query += FormatNumber(parts.quantile);
  query += parts.group_by == GroupBy::kPod ? ", sum by (le, pod) (rate(" : ", sum by (le) (rate(";
  query += selector;
  query += '[';
  query += FormatDuration(parts.window);
  query += "]))) / 1e6";
  return query;
}

}  // namespace nfmetrics::service
