// Builds the series list once; values are pure functions of the model and the instant.
#include "synth/series.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <numbers>

namespace nfmetrics::synth {
namespace {

constexpr double kProcessingSlowdown = 1.25;  // end-to-end includes read and ack
constexpr double kMessagesPerBatch = 10;

std::string PodLabels(const MonoVertexModel& mvtx, const PodModel& pod) {
  return fmt::format(R"(namespace="{}",pod="{}",mvtx_name="{}",mvtx_replica="{}")", mvtx.ns,
                     pod.name, mvtx.name, pod.replica);
}

void AddHistogram(Family& family, const std::string& base, double slowdown) {
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (PodModel pod : mvtx.pods) {
      pod.median_us *= slowdown;
      const std::string labels = PodLabels(mvtx, pod);
      for (std::size_t i = 0; i <= kSinkBucketsUs.size(); ++i) {
        family.series.push_back(Series{base + "_bucket",
                                       fmt::format("{{{},le=\"{}\"}}", labels, FormatLe(i)),
                                       SeriesKind::kBucket, pod, i});
      }
      family.series.push_back(Series{base + "_sum", "{" + labels + "}", SeriesKind::kSum, pod});
      family.series.push_back(Series{base + "_count", "{" + labels + "}", SeriesKind::kCount, pod});
    }
  }
}

std::vector<Family> BuildFamilies() {
  std::vector<Family> families;

  Family sink{"monovtx_sink_time",
              "monovtx_sink_time",
              MetricType::kHistogram,
              "Time taken to write a batch to the sink (µs).",
              {}};
  AddHistogram(sink, "monovtx_sink_time", 1.0);
  families.push_back(std::move(sink));

  Family processing{"monovtx_processing_time",
                    "monovtx_processing_time",
                    MetricType::kHistogram,
                    "Time taken to process a batch end to end (µs).",
                    {}};
  AddHistogram(processing, "monovtx_processing_time", kProcessingSlowdown);
  families.push_back(std::move(processing));

  Family read{"monovtx_read",
              "monovtx_read_total",
              MetricType::kCounter,
              "Total number of messages read from the source.",
              {}};
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const PodModel& pod : mvtx.pods) {
      read.series.push_back(Series{"monovtx_read_total", "{" + PodLabels(mvtx, pod) + "}",
                                   SeriesKind::kReadTotal, pod});
    }
  }
  families.push_back(std::move(read));

  Family pending{"monovtx_pending",
                 "monovtx_pending",
                 MetricType::kGauge,
                 "Pending messages of the MonoVertex source, averaged over a period.",
                 {}};
  static constexpr struct {
    const char* name;
    double seconds;
  } kPeriods[] = {{"1m", 60}, {"5m", 300}, {"15m", 900}, {"default", 120}};
  double base = 150;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const auto& period : kPeriods) {
      Series series{"monovtx_pending",
                    fmt::format(R"({{namespace="{}",pod="{}",mvtx_name="{}",period="{}"}})",
                                mvtx.ns, mvtx.daemon_pod, mvtx.name, period.name),
                    SeriesKind::kPending};
      series.pending_base = base;
      series.pending_period_s = 3600 + 10 * period.seconds;  // slow swings, distinct per period
      pending.series.push_back(std::move(series));
    }
    base += 100;
  }
  families.push_back(std::move(pending));
  return families;
}

}  // namespace

const std::vector<Family>& AllFamilies() {
  static const std::vector<Family> families = BuildFamilies();
  return families;
}

std::string FormatLe(std::size_t le_index) {
  if (le_index >= kSinkBucketsUs.size()) return "+Inf";
  return fmt::format("{}", kSinkBucketsUs[le_index]);
}

void AppendValue(std::string& out, const Series& series, double value) {
  if (series.kind == SeriesKind::kSum) {
    fmt::format_to(std::back_inserter(out), "{:.3f}", value);
  } else {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(value));
  }
}

double ValueAt(const Series& series, TimePoint t) {
  switch (series.kind) {
    case SeriesKind::kBucket:
      return static_cast<double>(SinkBucketCount(series.pod, series.le_index, t));
    case SeriesKind::kSum:
      return SinkSum(series.pod, t);
    case SeriesKind::kCount:
      return static_cast<double>(SinkCount(series.pod, t));
    case SeriesKind::kReadTotal:
      return std::floor(Batches(series.pod, t) * kMessagesPerBatch);
    case SeriesKind::kPending: {
      const double seconds = static_cast<double>(t.time_since_epoch().count()) / 1000.0;
      const double phase = 2 * std::numbers::pi * seconds / series.pending_period_s;
      return std::round(series.pending_base * (1 + 0.5 * std::sin(phase)));
    }
  }
  return 0;
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "unknown";
}

}  // namespace nfmetrics::synth
