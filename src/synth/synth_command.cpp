// `nfmetrics synth openmetrics|exporter`: flag parsing only; the work is in openmetrics.cpp and
// exporter.cpp. Durations and times are read the way the API reads them (service/).
#include "synth/synth_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/duration.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "synth/exporter.hpp"
#include "synth/model.hpp"
#include "synth/openmetrics.hpp"
#include "synth/series.hpp"

namespace nfmetrics::synth {
namespace {

struct OpenMetricsFlags {
  std::string start;
  std::string end;
  std::string duration = "7h";
  std::string interval = "15s";
  std::string out;
  int fleet_pods = 0;                 // 0: the default deployment
  int days = 0;                       // 0: no growth; the window is --start/--end/--duration
  std::string incident_at;            // empty: end - kDefaultIncidentLead
  std::vector<int> baseline_days;     // also write [start, end] this many days earlier
  std::vector<std::string> families;  // empty: every family
};

struct ExporterFlags {
  std::string listen = "127.0.0.1:9091";
  int fleet_pods = 0;       // 0: the default deployment
  std::string incident_at;  // empty: kDefaultIncidentLead before the exporter starts
};

// Where the incident starts unless --incident-at says: two hours before the end of the history
// (or the exporter's start), so the last hour shows it and the hour before the onset does not.
constexpr Duration kDefaultIncidentLead = std::chrono::hours(2);

// The deployment to write or serve: the benchmark's fleet, or the default one with its incident.
World MakeWorld(int fleet_pods, TimePoint incident_onset) {
  return fleet_pods > 0 ? FleetWorld(fleet_pods) : DefaultWorld(incident_onset);
}

Duration RequireDuration(const std::string& flag, const std::string& text) {
  const Result<Duration> parsed = service::ParseDuration(text);
  if (!parsed.ok() || *parsed <= Duration::zero()) {
    throw CLI::ValidationError(
        flag, fmt::format("'{}' is not a positive duration like 15s, 90m, 7h or 1h30m", text));
  }
  return *parsed;
}

// The families named in `names` (OpenMetrics or exposition names: monovtx_read or
// monovtx_read_total), in output order; all of them when `names` is empty.
std::vector<Family> KeepFamilies(std::vector<Family> families,
                                 const std::vector<std::string>& names) {
  if (names.empty()) return families;
  auto named = [&names](const Family& family) {
    return std::find_if(names.begin(), names.end(), [&family](const std::string& name) {
             return name == family.name || name == family.exposition_name;
           }) != names.end();
  };
  for (const std::string& name : names) {
    const bool known = std::any_of(families.begin(), families.end(), [&name](const Family& family) {
      return name == family.name || name == family.exposition_name;
    });
    if (!known) {
      std::vector<std::string> all;
      for (const Family& family : families) all.push_back(family.name);
      throw CLI::ValidationError("--families",
                                 fmt::format("this deployment has no family '{}'; it has: {}", name,
                                             fmt::join(all, ", ")));
    }
  }
  std::erase_if(families, [&named](const Family& family) { return !named(family); });
  return families;
}

TimePoint RequireTime(const std::string& flag, const std::string& text) {
  const Result<TimePoint> parsed = service::ParseTimestamp(text);
  if (!parsed.ok()) throw CLI::ValidationError(flag, parsed.error().message);
  return *parsed;
}

void RunOpenMetrics(const OpenMetricsFlags& flags, bool duration_given) {
  const TimePoint now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const Duration duration = RequireDuration("--duration", flags.duration);
  const Duration interval = RequireDuration("--interval", flags.interval);
  const bool start_given = !flags.start.empty();
  const bool end_given = !flags.end.empty();
  if (flags.days > 0) {
    if (flags.fleet_pods == 0) throw CLI::ValidationError("--days", "--days needs --fleet-pods");
    if (start_given || duration_given || !flags.baseline_days.empty()) {
      throw CLI::ValidationError("--days",
                                 "--days sets the window: give no --start, --duration or "
                                 "--baseline-days with it");
    }
  }
  if (start_given && end_given && duration_given) {
    throw CLI::ValidationError("--duration", "give at most two of --start, --end, --duration");
  }
  TimePoint start;
  TimePoint end;
  if (flags.days > 0) {
    const TimeWindow window =
        DaysWindow(end_given ? RequireTime("--end", flags.end) : now, flags.days);
    start = window.start;
    end = window.end;
  } else if (start_given && !end_given && duration_given) {
    start = RequireTime("--start", flags.start);
    end = start + duration;
  } else {
    end = end_given ? RequireTime("--end", flags.end) : now;
    start = start_given ? RequireTime("--start", flags.start) : end - duration;
  }
  if (start >= end) throw CLI::ValidationError("--start", "start must be before end");
  const long long points = (end - start) / interval + 1;
  if (points > 1'000'000) {
    throw CLI::ValidationError(
        "--interval",
        fmt::format("{} samples per series is too many; use a longer --interval", points));
  }

  const TimePoint onset = flags.incident_at.empty()
                              ? end - kDefaultIncidentLead
                              : RequireTime("--incident-at", flags.incident_at);
  std::vector<TimeWindow> windows;
  try {
    windows = WithBaselineWindows(start, end, flags.baseline_days);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--baseline-days", e.what());
  }
  if (windows.front().start.time_since_epoch().count() < 0) {
    throw CLI::ValidationError("--baseline-days", "the earliest window starts before 1970");
  }
  // The growth covers the whole days and today's partial one (see DaysWindow).
  const World world = flags.days > 0 ? FleetWorld(flags.fleet_pods, start, flags.days + 1)
                                     : MakeWorld(flags.fleet_pods, onset);
  const std::vector<Family> families = KeepFamilies(BuildFamilies(world), flags.families);
  std::size_t series = 0;
  for (const Family& family : families) series += family.series.size();
  if (flags.out.empty()) {
    std::ios::sync_with_stdio(false);
    WriteOpenMetrics(std::cout, families, windows, interval);
    if (!std::cout) {
      fmt::print(stderr, "nfmetrics synth openmetrics: writing to stdout failed\n");
      throw CLI::RuntimeError(1);
    }
  } else {
    std::ofstream file(flags.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      fmt::print(stderr, "nfmetrics synth openmetrics: cannot open {} for writing\n", flags.out);
      throw CLI::RuntimeError(1);
    }
    WriteOpenMetrics(file, families, windows, interval);
    file.close();
    if (!file) {
      fmt::print(stderr, "nfmetrics synth openmetrics: writing {} failed\n", flags.out);
      throw CLI::RuntimeError(1);
    }
  }
  fmt::print(stderr,
             "synth: {} series x {} samples in {} window(s), {} .. {} (unix s), every {} ms, "
             "{}, to {}\n",
             series, points, windows.size(), start.time_since_epoch().count() / 1000,
             end.time_since_epoch().count() / 1000, interval.count(),
             flags.days > 0 ? fmt::format("growing {}%/day over {} day(s)",
                                          kFleetGrowthPerDay * 100, flags.days + 1)
             : flags.fleet_pods > 0
                 ? std::string("no incident")
                 : fmt::format("incident at {}", onset.time_since_epoch().count() / 1000),
             flags.out.empty() ? "stdout" : flags.out);
}

void RunExporterCommand(const ExporterFlags& flags) {
  const std::size_t colon = flags.listen.rfind(':');
  unsigned port = 0;
  const char* port_begin = flags.listen.data() + colon + 1;
  const char* port_end = flags.listen.data() + flags.listen.size();
  if (colon == std::string::npos || colon == 0 ||
      std::from_chars(port_begin, port_end, port).ptr != port_end || port == 0 || port > 65535) {
    throw CLI::ValidationError(
        "--listen", fmt::format("'{}' is not HOST:PORT (e.g. 127.0.0.1:9091)", flags.listen));
  }
  std::string host = flags.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const TimePoint now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const TimePoint onset = flags.incident_at.empty()
                              ? now - kDefaultIncidentLead
                              : RequireTime("--incident-at", flags.incident_at);
  const World world = MakeWorld(flags.fleet_pods, onset);
  const std::vector<Family> families = BuildFamilies(world);
  try {
    RunExporter(host, static_cast<unsigned short>(port), &families);
  } catch (const std::exception& e) {
    fmt::print(stderr, "nfmetrics synth exporter: cannot serve on {}: {}\n", flags.listen,
               e.what());
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void RegisterSynthCommand(CLI::App& app) {
  CLI::App* synth = app.add_subcommand(
      "synth",
      "Synthetic NumaFlow metrics (6 MonoVertices in namespaces default and payments, and the\n"
      "pipeline default/shop; an incident from --incident-at on):\n"
      "  openmetrics  history as OpenMetrics text for `promtool tsdb create-blocks-from "
      "openmetrics`\n"
      "  exporter     the same series live on /metrics, continuing the history without a reset");
  synth->require_subcommand(1);

  auto om_flags = std::make_shared<OpenMetricsFlags>();
  CLI::App* om = synth->add_subcommand(
      "openmetrics", "Write samples for [start, end] every interval as OpenMetrics text");
  om->add_option("--start", om_flags->start,
                 "First sample, unix seconds or RFC3339 (default: end - duration)");
  om->add_option("--end", om_flags->end, "Last sample, unix seconds or RFC3339 (default: now)");
  CLI::Option* duration =
      om->add_option("--duration", om_flags->duration, "Length of history, e.g. 7h, 90m, 1h30m")
          ->capture_default_str();
  om->add_option("--interval", om_flags->interval, "Time between samples, e.g. 15s")
      ->capture_default_str();
  om->add_option("--out", om_flags->out, "Output file (default: stdout)");
  om->add_option("--fleet-pods", om_flags->fleet_pods,
                 "Instead of the default deployment, the benchmark's: one MonoVertex bench/fleet "
                 "with this many pods")
      ->check(CLI::Range(1, 1000));
  om->add_option("--days", om_flags->days,
                 "With --fleet-pods: the D whole UTC days before today's UTC midnight plus today "
                 "up to --end (default: now), i.e. [midnight(end) - D days, end]; the fleet's load "
                 "grows by 2% of day 0's per day (linear), weekends run at 70%, and sink and "
                 "processing latency grow with the square root of the load (docs/testing.md). "
                 "Excludes --start, --duration and --baseline-days")
      ->check(CLI::Range(1, 90));
  om->add_option("--incident-at", om_flags->incident_at,
                 "When the incident starts (default/checkout's slow sink and sink errors, "
                 "default/shop's backlog), unix seconds or RFC3339 (default: end - 2h)");
  om->add_option("--baseline-days", om_flags->baseline_days,
                 "Also write the same window this many days earlier, e.g. 1,7 (for `offset 1d` "
                 "and `offset 7d` queries; default: none)")
      ->delimiter(',')
      ->check(CLI::Range(1, 365));
  om->add_option("--families", om_flags->families,
                 "Write only these families, e.g. monovtx_read_total,monovtx_sink_time (default: "
                 "all); a fleet of hundreds of pods over weeks fits on disk with only the ones "
                 "its queries read")
      ->delimiter(',');
  om->callback([om_flags, duration] { RunOpenMetrics(*om_flags, duration->count() > 0); });

  auto ex_flags = std::make_shared<ExporterFlags>();
  CLI::App* ex = synth->add_subcommand(
      "exporter", "Serve the current values on GET /metrics until SIGINT/SIGTERM");
  ex->add_option("--listen", ex_flags->listen, "HOST:PORT to listen on")->capture_default_str();
  ex->add_option("--fleet-pods", ex_flags->fleet_pods,
                 "Instead of the default deployment, the benchmark's (see openmetrics)")
      ->check(CLI::Range(1, 1000));
  ex->add_option("--incident-at", ex_flags->incident_at,
                 "When the incident starts, unix seconds or RFC3339 (default: 2h before the "
                 "exporter starts); give the history's --incident-at so both tell one story");
  ex->callback([ex_flags] { RunExporterCommand(*ex_flags); });
}

}  // namespace nfmetrics::synth
