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
//   default/checkout     4 pods  processing read ack sink udf; the UDF dominates (mean ~5x the
//   sink) payments/orders      3 pods  processing read ack sink udf onsuccess_sink payments/refunds
//   4 pods  processing read ack sink transformer; replica 1 is the slow pod
// Pipelines (DefaultPipelines(), pods `<pipeline>-<vertex>-<replica>-<5 chars>`, daemon
// `<pipeline>-daemon-...`):
//   default/shop  in (Source), enrich (MapUDF), out (Sink), 2 pods each; forwarder read, write,
//                 processing and ack everywhere, forwarder udf on enrich
// Every (pod, histogram) has its own log-normal latency; every pod and every mixture keeps a CDF
// margin around kCheckedQuantiles at every bucket bound, so each checked quantile has one bucket.
//
// The story over time (all of it a pure function of absolute time, so a backfill and a live
// exporter agree, and a window a day or a week earlier is the same deployment without incident):
// - A daily load cycle: every pod's batch rate is batches_per_second * LoadFactor(t), with
//   LoadFactor(t) = 1 + kLoadAmplitude * sin(2 pi (t - kCounterEpoch) / 1 day). Counters integrate
//   it in closed form. All pods scale together, so quantiles of mixtures do not move; rates do
//   (MeanLoad, BatchesBetween, MessagesReadPerSecond).
// - An incident, only in DefaultWorld(onset): from `onset` on,
//   * replica kIncidentReplica of default/checkout (IncidentPod) writes to its sink
//     kIncidentSlowdown (9x) slower: monovtx_sink_time's median x9, and monovtx_processing_time's
//     median grows by the added sink time (PodModel::slowdown);
//   * every default/checkout pod fails kSinkErrorsPerSecond sink writes per second in
//     [onset + kSinkErrorBurstStart, onset + kSinkErrorBurstEnd) (75 to 90 minutes after onset),
//     monovtx_sink_write_errors_total (PodModel::sink_errors); 0 growth otherwise, everywhere;
//   * vertex_pending_messages of default/shop vertex `out` (every period) grows by
//     kBacklogPerSecond (5/s) on top of its wave (VertexModel::backlog; VertexPending()).
//   Before onset nothing of it shows. monovtx_dropped_total is kDroppedShare (0.1%) of the reads of
//   every MonoVertex pod, always.
// - Window-aware expectations: HistogramCdf/QuantileBucket/ExpectedQuantileUs/MeanUs with (from,
//   to] are what increase()/rate() over that window converge to: the observation-weighted mixture
//   of the latencies in force over the window (weights are the load-cycle integral). Without a
//   window they describe the steady state, before any incident. Mixtures of a window that straddles
//   an onset are not guaranteed unambiguous; the pure pre- and post-onset ones are.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
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
// From `onset` on, `histograms` replace the pod's own latencies for those histograms.
struct Slowdown {
  TimePoint onset;
  std::map<Histogram, Latency> histograms;
};

// monovtx_sink_write_errors_total grows by errors_per_second in [start, end), and only then.
struct ErrorBurst {
  TimePoint start;
  TimePoint end;
  double errors_per_second = 0;
};

struct Growth;  // the fleet's growth over days (see FleetWorld(pods, origin, days))

// With growth, a pod's histogram counters at the start of each modelled day: observations at most
// each bucket bound (index 10: all of them) and their latency sum in µs, counted from
// kCounterEpoch. They make every sample O(1) however many days precede it.
struct GrownCounters {
  std::array<double, 11> at_most{};
  double sum = 0;
};

struct PodModel {
  std::string name;
  int replica = 0;
  double median_us = 0;
  double sigma = 0;
  double batches_per_second = 0;  // at LoadFactor 1 (see LoadFactor)
  bool slow = false;              // the deliberate latency outlier among its peers, all the time
  std::map<Histogram, Latency> histograms;  // every histogram this pod exports (steady state)
  std::optional<Slowdown> slowdown;         // the incident's latencies, from its onset on
  std::optional<ErrorBurst> sink_errors;    // the incident's burst of sink write errors
  std::shared_ptr<const Growth> growth;     // set by FleetWorld(pods, origin, days) only
  std::map<Histogram, std::vector<GrownCounters>> grown;  // with growth: per day start 0..days
};

struct MonoVertexModel {
  std::string ns;
  std::string name;
  std::vector<PodModel> pods;
  std::string daemon_pod;
  std::optional<TimePoint> incident_onset;  // set when one of its pods has a slowdown
};

// Two namespaces; `orders` exists in both, and `orders-sink` has `orders` as a prefix;
// payments/refunds has one pod ~10x slower than its three peers in every histogram. No incident
// (see DefaultWorld(TimePoint)).
const std::vector<MonoVertexModel>& DefaultModel();

struct VertexModel {
  std::string name;            // `vertex` label
  std::string type;            // `vertex_type` label: Source, MapUDF or Sink
  std::string partition_name;  // the buffer partition it reads (see DefaultPipelines)
  std::vector<PodModel> pods;
  double pending_base = 0;  // vertex_pending_messages swings around it (see VertexPending)
  // vertex_pending_messages grows by per_second from onset on, on top of the swing.
  struct Backlog {
    TimePoint onset;
    double per_second = 0;
  };
  std::optional<Backlog> backlog;
};

struct PipelineModel {
  std::string ns;
  std::string name;
  std::vector<VertexModel> vertices;
  std::string daemon_pod;                   // exports vertex_pending_messages
  std::optional<TimePoint> incident_onset;  // set when one of its vertices has a backlog
};

// default/shop: in (Source) -> enrich (MapUDF) -> out (Sink), 2 replicas each. No incident.
const std::vector<PipelineModel>& DefaultPipelines();

// A deployment to synthesise: MonoVertices and pipelines.
struct World {
  std::vector<MonoVertexModel> mono_vertices;
  std::vector<PipelineModel> pipelines;
  std::optional<TimePoint> incident_onset;  // DefaultWorld(onset): the onset; otherwise none
};

// DefaultModel() and DefaultPipelines(), without incident: the steady state.
const World& DefaultWorld();

// The incident and its parameters (see the header comment).
inline constexpr std::string_view kIncidentNamespace = "default";
inline constexpr std::string_view kIncidentMonoVertex = "checkout";
inline constexpr int kIncidentReplica = 2;
inline constexpr double kIncidentSlowdown = 9;  // the sink median's factor from onset on
inline constexpr Duration kSinkErrorBurstStart = std::chrono::minutes(75);  // after onset
inline constexpr Duration kSinkErrorBurstEnd = std::chrono::minutes(90);
inline constexpr double kSinkErrorsPerSecond = 15;  // per default/checkout pod, in the burst
inline constexpr std::string_view kBacklogPipeline = "shop";
inline constexpr std::string_view kBacklogVertex = "out";
inline constexpr double kBacklogPerSecond = 5;
// monovtx_dropped_total: this share of the messages read, every MonoVertex pod, all the time.
inline constexpr double kDroppedShare = 0.001;
inline constexpr double kMessagesPerBatch = 10;

// The default deployment with the incident starting at `incident_onset`: the slow sink of
// default/checkout's replica 2, the sink write errors of default/checkout's pods, the backlog of
// default/shop's `out`. Everything before the onset is DefaultWorld()'s.
World DefaultWorld(TimePoint incident_onset);

// The benchmark's deployment: one MonoVertex bench/fleet with `pods` replicas (processing, read,
// ack and sink histograms; sink medians spread from 2 to 24 ms so per-pod quantiles differ), no
// pipelines. Throws std::invalid_argument unless 1 <= pods <= 1000.
World FleetWorld(int pods);

// Growth of the fleet over days (`synth openmetrics --fleet-pods N --days D`). UTC day d of the
// growth (day 0 starts at `origin`, a UTC midnight) runs at the load level
//   DayLevel(d) = (1 + kFleetGrowthPerDay * d) * (kWeekendLoad on Saturday and Sunday, else 1),
// on top of the daily cycle: a pod's batch rate is batches_per_second * DayLevel(d) *
// LoadFactor(t), so a whole day's mean read rate is exactly DayLevel(d) times the steady one. The
// growth is linear (2% of day 0's load per day, not compounded), so a least-squares line over the
// same weekdays has slope kFleetGrowthPerDay * day 0's value. Sink and processing latency grow with
// load: their medians on day d are the steady ones times DayLevel(d)^kLatencyLoadExponent (sigma
// unchanged; read and ack latency do not grow). Levels change at UTC midnight and hold within a
// day. Before `origin` the fleet is the steady one (level 1); from the end of the last modelled day
// on, the last day's level holds.
inline constexpr double kFleetGrowthPerDay = 0.02;
inline constexpr double kWeekendLoad = 0.7;
inline constexpr double kLatencyLoadExponent = 0.5;

struct Growth {
  TimePoint origin;  // a UTC midnight: the start of day 0
  int days = 0;      // days 0 .. days - 1 are modelled
  // The integral of the grown load (DayLevel * LoadFactor, seconds) from kCounterEpoch to the
  // start of day d, d = 0 .. days.
  std::vector<double> load_at_day_start;
};

// Throws std::invalid_argument unless origin is a UTC midnight after kCounterEpoch and
// 1 <= days <= 1000.
std::shared_ptr<const Growth> MakeGrowth(TimePoint origin, int days);
// True on Saturdays and Sundays (UTC) of t.
bool IsWeekend(TimePoint t);
// DayLevel(d) as above, for any d >= 0 (the formula, not clamped to the modelled days).
double DayLevel(const Growth& growth, int day);
// The growth day t falls in (t on a midnight starts that day), clamped to 0 .. days - 1;
// -1 before origin.
int GrowthDay(const Growth& growth, TimePoint t);
// The load level in force at t: 1 before origin, DayLevel(GrowthDay(t)) from origin on.
double LoadLevel(const Growth& growth, TimePoint t);

// FleetWorld(pods) growing from `origin` over `days` days (see Growth).
World FleetWorld(int pods, TimePoint origin, int days);

// The slow pod of mvtx (slow all the time), nullptr when it has none.
const PodModel* SlowPod(const MonoVertexModel& mvtx);
// The pod of mvtx that slows down at the incident's onset, nullptr when it has none.
const PodModel* IncidentPod(const MonoVertexModel& mvtx);

// Counters are functions of absolute time counted from this instant (2024-01-01T00:00:00Z), so a
// live exporter continues exactly where a backfill ended. Before it every counter is 0.
inline constexpr TimePoint kCounterEpoch{Duration{1704067200000}};

// The daily load cycle: LoadFactor(t) = 1 + kLoadAmplitude * sin(2 pi (t - kCounterEpoch) /
// kLoadPeriod), multiplying every pod's batch rate (peak at 06:00 UTC, trough at 18:00 UTC).
inline constexpr double kLoadAmplitude = 0.25;
inline constexpr Duration kLoadPeriod = std::chrono::hours(24);
double LoadFactor(TimePoint t);
// The mean of LoadFactor over [from, to] (LoadFactor(from) when they are equal).
double MeanLoad(TimePoint from, TimePoint to);

// Quantiles the model guarantees to be unambiguous, and by how much (see QuantileBucket).
inline constexpr std::array<double, 4> kCheckedQuantiles = {0.5, 0.9, 0.95, 0.99};
inline constexpr double kQuantileMargin = 0.02;

// The periods of the daemons' pending gauges (`period` label), and the seconds each averages.
struct PendingPeriod {
  std::string_view name;
  double seconds;
};
inline constexpr std::array<PendingPeriod, 4> kPendingPeriods = {
    {{"1m", 60}, {"5m", 300}, {"15m", 900}, {"default", 120}}};

// vertex_pending_messages{vertex, period} at t, exactly as exported: a swing around pending_base
// (half of it up and down, with a period of 3000 s + 10 x the period's seconds), plus the backlog
// grown since its onset, rounded to a whole message. Throws std::invalid_argument for an unknown
// period.
double VertexPending(const VertexModel& vertex, std::string_view period, TimePoint t);

// True when the pod (any pod of the MonoVertex or vertex) exports `histogram`.
bool HasHistogram(const PodModel& pod, Histogram histogram);
bool HasHistogram(const MonoVertexModel& mvtx, Histogram histogram);
bool HasHistogram(const VertexModel& vertex, Histogram histogram);
// The pod's parameters for `histogram` in its steady state, or those in force at t (after a
// slowdown's onset, the slowdown's); throws std::out_of_range when it does not export it.
const Latency& LatencyOf(const PodModel& pod, Histogram histogram);
const Latency& LatencyOf(const PodModel& pod, Histogram histogram, TimePoint t);
// The parameters in force at t, growth included (LatencyOf(pod, histogram, t) without growth).
Latency LatencyAt(const PodModel& pod, Histogram histogram, TimePoint t);
// Observations of `histogram` per second on this pod at LoadFactor 1.
double ObservationsPerSecond(const PodModel& pod, Histogram histogram);
// Observations of `histogram` in (from, to] (not floored): what increase(_count) converges to.
double ObservationsBetween(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to);

// Probability that one observation of `histogram` on `pod` is at most le µs (le may be +inf).
double HistogramCdf(const PodModel& pod, Histogram histogram, double le);
// Same for a MonoVertex or vertex as a whole: the mixture of its pods that export `histogram`,
// weighted by their observation rates.
double HistogramCdf(const MonoVertexModel& mvtx, Histogram histogram, double le);
double HistogramCdf(const VertexModel& vertex, Histogram histogram, double le);
// Mean latency in µs (the log-normal mean), what `_sum / _count` converges to.
double MeanUs(const PodModel& pod, Histogram histogram);

// Window-aware versions: what increase()/rate() over (from, to] converge to (see the header).
double HistogramCdf(const PodModel& pod, Histogram histogram, double le, TimePoint from,
                    TimePoint to);
double HistogramCdf(const MonoVertexModel& mvtx, Histogram histogram, double le, TimePoint from,
                    TimePoint to);
double HistogramCdf(const VertexModel& vertex, Histogram histogram, double le, TimePoint from,
                    TimePoint to);
// increase(_sum) / increase(_count) over (from, to]; for a MonoVertex, of the sums over its pods.
double MeanUs(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to);
double MeanUs(const MonoVertexModel& mvtx, Histogram histogram, TimePoint from, TimePoint to);
std::pair<double, double> QuantileBucket(const PodModel& pod, Histogram histogram, double q,
                                         TimePoint from, TimePoint to);
std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, Histogram histogram, double q,
                                         TimePoint from, TimePoint to);
std::pair<double, double> QuantileBucket(const VertexModel& vertex, Histogram histogram, double q,
                                         TimePoint from, TimePoint to);
double ExpectedQuantileUs(const PodModel& pod, Histogram histogram, double q, TimePoint from,
                          TimePoint to);
double ExpectedQuantileUs(const MonoVertexModel& mvtx, Histogram histogram, double q,
                          TimePoint from, TimePoint to);
double ExpectedQuantileUs(const VertexModel& vertex, Histogram histogram, double q, TimePoint from,
                          TimePoint to);

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

// Cumulative number of batches of `pod` at t (not floored): the load cycle (times the growth's
// day levels, when the pod has growth) integrated from kCounterEpoch.
double Batches(const PodModel& pod, TimePoint t);
// Batches in (from, to] (not floored).
double BatchesBetween(const PodModel& pod, TimePoint from, TimePoint to);
// Per second over (from, to], what rate() converges to: messages read (monovtx_read_total,
// forwarder_data_read_total), sink write errors (monovtx_sink_write_errors_total), messages dropped
// (monovtx_dropped_total). The MonoVertex versions sum its pods.
double MessagesReadPerSecond(const PodModel& pod, TimePoint from, TimePoint to);
double MessagesReadPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to);
double SinkWriteErrorsPerSecond(const PodModel& pod, TimePoint from, TimePoint to);
double SinkWriteErrorsPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to);
double DroppedPerSecond(const PodModel& pod, TimePoint from, TimePoint to);
double DroppedPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to);
// monovtx_sink_write_errors_total at t (not floored; the exporters floor it).
double SinkWriteErrors(const PodModel& pod, TimePoint t);
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
