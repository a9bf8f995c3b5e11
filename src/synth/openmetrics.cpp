// Streams series by series in 1 MiB chunks: 3 h at 15 s for all ~2000 series is ~220 MB of text,
// 7 h ~520 MB; each baseline window adds as much again.
#include "synth/openmetrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "synth/series.hpp"

namespace nfmetrics::synth {
namespace {

void AppendTimestamp(std::string& out, TimePoint t) {
  const long long ms = t.time_since_epoch().count();
  fmt::format_to(std::back_inserter(out), "{}.{:03}", ms / 1000, ms % 1000);
}

}  // namespace

void WriteOpenMetrics(std::ostream& out, TimePoint start, TimePoint end, Duration interval) {
  WriteOpenMetrics(out, AllFamilies(), start, end, interval);
}

void WriteOpenMetrics(std::ostream& out, const std::vector<Family>& families, TimePoint start,
                      TimePoint end, Duration interval) {
  WriteOpenMetrics(out, families, std::vector<TimeWindow>{{start, end}}, interval);
}

TimeWindow DaysWindow(TimePoint end, int days) {
  if (days < 1 || days > 90) throw std::invalid_argument("days must be 1..90");
  const TimePoint midnight = std::chrono::floor<std::chrono::days>(end);
  return {midnight - std::chrono::days(days), end};
}

std::vector<TimeWindow> WithBaselineWindows(TimePoint start, TimePoint end,
                                            std::span<const int> baseline_days) {
  std::vector<TimeWindow> windows = {{start, end}};
  for (int days : baseline_days) {
    if (days <= 0) throw std::invalid_argument("baseline days must be positive");
    const Duration back = std::chrono::days(days);
    windows.push_back({start - back, end - back});
  }
  std::sort(windows.begin(), windows.end(),
            [](const TimeWindow& a, const TimeWindow& b) { return a.start < b.start; });
  return windows;
}

void WriteOpenMetrics(std::ostream& out, const std::vector<Family>& families,
                      const std::vector<TimeWindow>& windows, Duration interval) {
  if (interval <= Duration::zero()) throw std::invalid_argument("interval must be positive");
  std::vector<TimePoint> times;
  for (const TimeWindow& window : windows) {
    if (window.start.time_since_epoch().count() < 0) {
      throw std::invalid_argument("start before 1970");
    }
    for (TimePoint t = window.start; t <= window.end; t += interval) times.push_back(t);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());

  std::string buffer;
  buffer.reserve(1 << 20);
  for (const Family& family : families) {
    fmt::format_to(std::back_inserter(buffer), "# HELP {} {}\n# TYPE {} {}\n", family.name,
                   family.help, family.name, TypeName(family.type));
    for (const Series& series : family.series) {
      for (TimePoint t : times) {
        buffer += series.name;
        buffer += series.labels;
        buffer += ' ';
        AppendValue(buffer, series, ValueAt(series, t));
        buffer += ' ';
        AppendTimestamp(buffer, t);
        buffer += '\n';
      }
      if (buffer.size() >= (1 << 20)) {
        out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        buffer.clear();
      }
    }
  }
  buffer += "# EOF\n";
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
}

}  // namespace nfmetrics::synth
