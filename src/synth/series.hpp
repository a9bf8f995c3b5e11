// Every metric family and series the synthetic deployment exports, with its value at any instant.
// The OpenMetrics writer and the live exporter both render this one list, so backfilled history
// and scraped samples are the same series with the same label text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "synth/model.hpp"

namespace nfmetrics::synth {

enum class MetricType { kCounter, kGauge, kHistogram };

// The name both text formats use in their TYPE line: "counter", "gauge", "histogram".
const char* TypeName(MetricType type);

// kSinkWriteErrors: SinkWriteErrors(pod); kVertexPending: VertexPending(vertex, period).
enum class SeriesKind {
  kBucket,
  kSum,
  kCount,
  kMessages,
  kGauge,
  kSinkWriteErrors,
  kVertexPending
};

// A gauge swinging around `base` by `amplitude` (a fraction of base) with `period_s`, as a function
// of absolute time, rounded to `decimals`.
struct Wave {
  double base = 0;
  double amplitude = 0.5;
  double period_s = 3600;
  int decimals = 0;
};

struct Series {
  std::string name;    // sample name, e.g. monovtx_sink_time_bucket
  std::string labels;  // rendered label set including braces: {namespace="...",...}
  SeriesKind kind = SeriesKind::kCount;
  const PodModel* pod = nullptr;  // kBucket, kSum, kCount, kMessages: the model behind the value
  Histogram histogram = Histogram::kMonovtxSink;  // kBucket, kSum, kCount
  std::size_t le_index = 0;  // kBucket only; BucketBoundsUs(histogram).size() is +Inf
  double lag_s = 0;          // kMessages: messages of the batches done lag_s seconds earlier
  double share = 1;          // kMessages: the fraction of those messages counted (errors, drops)
  Wave wave;                 // kGauge only
  const VertexModel* vertex = nullptr;  // kVertexPending
  std::string_view period;              // kVertexPending: a kPendingPeriods name
};

struct Family {
  std::string name;             // OpenMetrics family name (counters without _total)
  std::string exposition_name;  // text format 0.0.4 TYPE name (counters keep _total)
  MetricType type = MetricType::kCounter;
  std::string help;
  std::vector<Series> series;  // contiguous, in output order
};

// Every family of `world`, in output order. The series point into `world`'s pods: keep it alive
// and in place while they are used.
std::vector<Family> BuildFamilies(const World& world);

// BuildFamilies(DefaultWorld()) (no incident), built once.
const std::vector<Family>& AllFamilies();

// Value of a series at t; counters are exact integers, gauges are rounded to their decimals.
double ValueAt(const Series& series, TimePoint t);

// Sample value text, shared by both writers: integers for counts, fixed point for sums and
// fractional gauges.
void AppendValue(std::string& out, const Series& series, double value);

// `le` label text of bucket le_index of `histogram` (its size is "+Inf"), shared by both writers
// so the label sets match byte for byte.
std::string FormatLe(Histogram histogram, std::size_t le_index);

}  // namespace nfmetrics::synth
