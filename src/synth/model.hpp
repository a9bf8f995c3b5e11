// The deterministic synthetic NumaFlow deployment behind `nfmetrics synth` and the test harness.
// Tests derive their expectations (which latency bucket a quantile must land in, what
// histogram_quantile converges to) from this model, so the data Prometheus holds and the answers
// the tests expect come from one source of truth.
//
// MonoVertices (DefaultModel(), pods `<mvtx>-mv-<replica>-<5 chars>`, daemon
// `<mvtx>-mv-daemon-...`):
//   default/orders       3 pods  processing read ack sink fallback_sink
//   default/orders-sink  3 pods  processing read ack sink udf
//   default/clicks       4 pods  processing read ack sink transformer nack
//   payments/orders      3 pods  processing read ack sink udf onsuccess_sink
//   payments/refunds     4 pods  processing read ack sink transformer; replica 1 is the slow pod
// Pipelines (DefaultPipelines(), pods `<pipeline>-<vertex>-<replica>-<5 chars>`, daemon
// `<pipeline>-daemon-...`):
//   default/shop  in (Source), enrich (MapUDF), out (Sink), 2 pods each; forwarder read, write,
//                 processing and ack everywhere, forwarder udf on enrich
// Every (pod, histogram) has its own log-normal latency; every pod and every mixture keeps a CDF
// margin around kCheckedQuantiles at every bucket bound, so each checked quantile has one bucket.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics::synth {

// NumaFlow's MonoVertex histogram bounds (le, µs): exponential from 100 µs to 15 min in 10 steps.
// The +Inf bucket follows implicitly. Every monovtx_*_time histogram uses them.
inline constexpr std::array<double, 10> kSinkBucketsUs = {
    100,        592.507,     3510.647,     20800.838,     123246.459,
    730244.107, 4326748.711, 25636296.458, 151896895.334, 900000000};

// Pipeline forwarder histogram bounds (le, µs): exponential from 100 µs to 1.2e9 µs (20 min) in 10
// steps, 100 * (1.2e7)^(i/9) rounded to 3 decimals. Every forwarder_*_time histogram uses them.
inline constexpr std::array<double, 10> kForwarderBucketsUs = {
    100,        611.752,     3742.41,      22894.285,     140056.341,
    856798.051, 5241482.788, 32064897.653, 196157786.445, 1200000000};

// The latency histograms the synthetic deployment exports, each in µs.
enum class Histogram {
  // MonoVertex pods: labels namespace, pod, mvtx_name, mvtx_replica; bounds kSinkBucketsUs.
  kMonovtxProcessing,
  kMonovtxRead,
  kMonovtxTransformer,
  kMonovtxUdf,
  kMonovtxSink,
  kMonovtxFallbackSink,
  kMonovtxOnSuccessSink,
  kMonovtxAck,
  kMonovtxNack,
  // Pipeline vertex pods: labels namespace, pod, pipeline, vertex, vertex_type, replica,
  // partition_name; bounds kForwarderBucketsUs.
  kForwarderRead,
  kForwarderUdf,
  kForwarderWrite,
  kForwarderProcessing,
  kForwarderAck,
};

inline constexpr std::array<Histogram, 9> kMonoVertexHistograms = {
    Histogram::kMonovtxProcessing,    Histogram::kMonovtxRead, Histogram::kMonovtxTransformer,
    Histogram::kMonovtxUdf,           Histogram::kMonovtxSink, Histogram::kMonovtxFallbackSink,
    Histogram::kMonovtxOnSuccessSink, Histogram::kMonovtxAck,  Histogram::kMonovtxNack};
inline constexpr std::array<Histogram, 5> kVertexHistograms = {
    Histogram::kForwarderRead, Histogram::kForwarderUdf, Histogram::kForwarderWrite,
    Histogram::kForwarderProcessing, Histogram::kForwarderAck};

// NumaFlow's family name, e.g. "monovtx_sink_time" (samples add _bucket, _sum, _count).
std::string_view MetricName(Histogram histogram);
// The histogram called `metric`, with or without the _bucket/_sum/_count suffix; nullopt when the
// synthetic deployment has no such histogram.
std::optional<Histogram> FindHistogram(std::string_view metric);
// kSinkBucketsUs for monovtx_* histograms, kForwarderBucketsUs for forwarder_* ones.
const std::array<double, 10>& BucketBoundsUs(Histogram histogram);
bool IsMonoVertexHistogram(Histogram histogram);

// One histogram of one pod: log-normal latency (median and sigma of ln µs), observed
// `observations_per_batch` times per batch (1 for most; less for nack and fallback sink).
struct Latency {
  double median_us = 0;
  double sigma = 0;
  double observations_per_batch = 1;
};

// One replica of a MonoVertex or of a pipeline vertex. median_us and sigma are its sink latency
// (monovtx_sink_time for a MonoVertex pod, forwarder_write_processing_time for a vertex pod), the
// same values as in `histograms`.
struct PodModel {
  std::string name;
  int replica = 0;
  double median_us = 0;
  double sigma = 0;
  double batches_per_second = 0;
  bool slow = false;                        // the deliberate latency outlier among its peers
  std::map<Histogram, Latency> histograms;  // every histogram this pod exports
};

struct MonoVertexModel {
  std::string ns;
  std::string name;
  std::vector<PodModel> pods;
  std::string daemon_pod;
};

// Two namespaces; `orders` exists in both, and `orders-sink` has `orders` as a prefix;
// payments/refunds has one pod ~10x slower than its three peers in every histogram.
const std::vector<MonoVertexModel>& DefaultModel();

struct VertexModel {
  std::string name;            // `vertex` label
  std::string type;            // `vertex_type` label: Source, MapUDF or Sink
  std::string partition_name;  // the buffer partition it reads (see DefaultPipelines)
  std::vector<PodModel> pods;
};

struct PipelineModel {
  std::string ns;
  std::string name;
  std::vector<VertexModel> vertices;
  std::string daemon_pod;  // exports vertex_pending_messages
};

// default/shop: in (Source) -> enrich (MapUDF) -> out (Sink), 2 replicas each.
const std::vector<PipelineModel>& DefaultPipelines();

// A deployment to synthesise: MonoVertices and pipelines.
struct World {
  std::vector<MonoVertexModel> mono_vertices;
  std::vector<PipelineModel> pipelines;
};

// DefaultModel() and DefaultPipelines().
const World& DefaultWorld();

// The benchmark's deployment: one MonoVertex bench/fleet with `pods` replicas (processing, read,
// ack and sink histograms; sink medians spread from 2 to 24 ms so per-pod quantiles differ), no
// pipelines. Throws std::invalid_argument unless 1 <= pods <= 1000.
World FleetWorld(int pods);

// The slow pod of mvtx, nullptr when it has none.
const PodModel* SlowPod(const MonoVertexModel& mvtx);

// Counters are functions of absolute time counted from this instant (2024-01-01T00:00:00Z), so a
// live exporter continues exactly where a backfill ended. Before it every counter is 0.
inline constexpr TimePoint kCounterEpoch{Duration{1704067200000}};

// Quantiles the model guarantees to be unambiguous, and by how much (see QuantileBucket).
inline constexpr std::array<double, 4> kCheckedQuantiles = {0.5, 0.9, 0.95, 0.99};
inline constexpr double kQuantileMargin = 0.02;

// True when the pod (any pod of the MonoVertex or vertex) exports `histogram`.
bool HasHistogram(const PodModel& pod, Histogram histogram);
bool HasHistogram(const MonoVertexModel& mvtx, Histogram histogram);
bool HasHistogram(const VertexModel& vertex, Histogram histogram);
// The pod's parameters for `histogram`; throws std::out_of_range when it does not export it.
const Latency& LatencyOf(const PodModel& pod, Histogram histogram);
// Observations of `histogram` per second on this pod.
double ObservationsPerSecond(const PodModel& pod, Histogram histogram);

// Probability that one observation of `histogram` on `pod` is at most le µs (le may be +inf).
double HistogramCdf(const PodModel& pod, Histogram histogram, double le);
// Same for a MonoVertex or vertex as a whole: the mixture of its pods that export `histogram`,
// weighted by their observation rates.
double HistogramCdf(const MonoVertexModel& mvtx, Histogram histogram, double le);
double HistogramCdf(const VertexModel& vertex, Histogram histogram, double le);
// Mean latency in µs (the log-normal mean), what `_sum / _count` converges to.
double MeanUs(const PodModel& pod, Histogram histogram);

// (lower, upper] bucket bounds in µs holding the q-quantile (lower = 0 for the first bucket,
// upper = +inf for the last).
std::pair<double, double> QuantileBucket(const PodModel& pod, Histogram histogram, double q);
std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, Histogram histogram,
                                         double q);
std::pair<double, double> QuantileBucket(const VertexModel& vertex, Histogram histogram, double q);

// What histogram_quantile(q, rate(..._bucket)) converges to: linear interpolation inside
// QuantileBucket (from 0 in the first bucket; the highest finite bound in the +Inf bucket).
double ExpectedQuantileUs(const PodModel& pod, Histogram histogram, double q);
double ExpectedQuantileUs(const MonoVertexModel& mvtx, Histogram histogram, double q);
double ExpectedQuantileUs(const VertexModel& vertex, Histogram histogram, double q);

// Sink-latency shorthands (Histogram::kMonovtxSink), kept for the sink-latency tests.
double SinkCdf(const PodModel& pod, double le);
double SinkCdf(const MonoVertexModel& mvtx, double le);
double SinkMeanUs(const PodModel& pod);
std::pair<double, double> QuantileBucket(const PodModel& pod, double q);
std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, double q);

// True when cdf is far enough from q that rate noise cannot move the q-quantile across this bound:
// at least kQuantileMargin below q, or above q by min(kQuantileMargin, 90% of the way to 1).
bool IsUnambiguousBound(double cdf, double q);

// Cumulative number of batches of `pod` at t (not floored).
double Batches(const PodModel& pod, TimePoint t);
// Counter values of `histogram` exported at t: `_bucket{le=BucketBoundsUs(histogram)[le_index]}`
// (le_index 10 = +Inf), `_count` and `_sum`.
std::uint64_t HistogramBucketCount(const PodModel& pod, Histogram histogram, std::size_t le_index,
                                   TimePoint t);
std::uint64_t HistogramCount(const PodModel& pod, Histogram histogram, TimePoint t);
double HistogramSum(const PodModel& pod, Histogram histogram, TimePoint t);
// The same for monovtx_sink_time.
std::uint64_t SinkBucketCount(const PodModel& pod, std::size_t le_index, TimePoint t);
std::uint64_t SinkCount(const PodModel& pod, TimePoint t);
double SinkSum(const PodModel& pod, TimePoint t);

}  // namespace nfmetrics::synth
