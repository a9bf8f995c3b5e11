// The deterministic synthetic NumaFlow deployment behind `nfmetrics synth` and the test harness.
// Tests derive their expectations (which latency bucket a quantile must land in) from this model,
// so the data Prometheus holds and the answers the tests expect come from one source of truth.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace nfmetrics::synth {

// NumaFlow's MonoVertex histogram bounds (le, µs); the +Inf bucket follows implicitly.
inline constexpr std::array<double, 10> kSinkBucketsUs = {
    100,        592.507,     3510.647,     20800.838,     123246.459,
    730244.107, 4326748.711, 25636296.458, 151896895.334, 900000000};

// One replica of a MonoVertex. Sink latency is log-normal with the given median and sigma (of ln
// µs).
struct PodModel {
  std::string name;
  int replica = 0;
  double median_us = 0;
  double sigma = 0;
  double batches_per_second = 0;
};

struct MonoVertexModel {
  std::string ns;
  std::string name;
  std::vector<PodModel> pods;
  std::string daemon_pod;
};

// Two namespaces; `orders` exists in both, and `orders-sink` has `orders` as a prefix.
const std::vector<MonoVertexModel>& DefaultModel();

// Counters are functions of absolute time counted from this instant (2024-01-01T00:00:00Z), so a
// live exporter continues exactly where a backfill ended. Before it every counter is 0.
inline constexpr TimePoint kCounterEpoch{Duration{1704067200000}};

// Quantiles the model guarantees to be unambiguous, and by how much (see QuantileBucket).
inline constexpr std::array<double, 4> kCheckedQuantiles = {0.5, 0.9, 0.95, 0.99};
inline constexpr double kQuantileMargin = 0.02;

// Probability that one sink write of `pod` takes at most le µs (le may be +inf).
double SinkCdf(const PodModel& pod, double le);
// Same for the MonoVertex as a whole: the pods' mixture weighted by their batch rates.
double SinkCdf(const MonoVertexModel& mvtx, double le);
// Mean sink latency in µs (the log-normal mean), what `_sum / _count` converges to.
double SinkMeanUs(const PodModel& pod);

// (lower, upper] bucket bounds in µs holding the q-quantile of one pod's latency distribution
// (lower = 0 for the first bucket, upper = +inf for the last).
std::pair<double, double> QuantileBucket(const PodModel& pod, double q);
// Same for the MonoVertex as a whole (mixture of its pods weighted by their batch rates).
std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, double q);

// True when cdf is far enough from q that rate noise cannot move the q-quantile across this bound:
// at least kQuantileMargin below q, or above q by min(kQuantileMargin, 90% of the way to 1).
bool IsUnambiguousBound(double cdf, double q);

// Cumulative number of sink batch writes of `pod` at t (not floored).
double Batches(const PodModel& pod, TimePoint t);
// Counter values exported at t: `_bucket{le=kSinkBucketsUs[le_index]}` (le_index 10 = +Inf),
// `_count` and `_sum` of monovtx_sink_time.
std::uint64_t SinkBucketCount(const PodModel& pod, std::size_t le_index, TimePoint t);
std::uint64_t SinkCount(const PodModel& pod, TimePoint t);
double SinkSum(const PodModel& pod, TimePoint t);

}  // namespace nfmetrics::synth
