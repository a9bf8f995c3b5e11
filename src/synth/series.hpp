// Every metric family and series the synthetic deployment exports, with its value at any instant.
// The OpenMetrics writer and the live exporter both render this one list, so backfilled history
// and scraped samples are the same series with the same label text.
#pragma once

#include <string>
#include <vector>

#include "core/time.hpp"
#include "synth/model.hpp"

namespace nfmetrics::synth {

enum class MetricType { kCounter, kGauge, kHistogram };

// The name both text formats use in their TYPE line: "counter", "gauge", "histogram".
const char* TypeName(MetricType type);

enum class SeriesKind { kBucket, kSum, kCount, kReadTotal, kPending };

struct Series {
  std::string name;    // sample name, e.g. monovtx_sink_time_bucket
  std::string labels;  // rendered label set including braces: {namespace="...",...}
  SeriesKind kind = SeriesKind::kCount;
  PodModel pod;              // the latency/rate model behind the value (scaled for processing time)
  std::size_t le_index = 0;  // kBucket only; kSinkBucketsUs.size() is +Inf
  double pending_base = 0;   // kPending only
  double pending_period_s = 0;
};

struct Family {
  std::string name;             // OpenMetrics family name (counters without _total)
  std::string exposition_name;  // text format 0.0.4 TYPE name (counters keep _total)
  MetricType type = MetricType::kCounter;
  std::string help;
  std::vector<Series> series;  // contiguous, in output order
};

// All families of DefaultModel(), built once.
const std::vector<Family>& AllFamilies();

// Value of a series at t; counters are exact integers, gauges are rounded to integers.
double ValueAt(const Series& series, TimePoint t);

// Sample value text, shared by both writers: integers for counts, gauges; fixed point for sums.
void AppendValue(std::string& out, const Series& series, double value);

// `le` label text, shared by both writers so the label sets match byte for byte.
std::string FormatLe(std::size_t le_index);

}  // namespace nfmetrics::synth
