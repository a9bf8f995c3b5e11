// Parameters were chosen by a numeric search so that every pod and every MonoVertex mixture keeps
// a CDF margin of about 0.05 around the checked quantiles at every bucket bound (see synth_test).
#include "synth/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nfmetrics::synth {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Kubernetes-style random suffix, but derived from the key so every run names pods the same way.
std::string Suffix(const std::string& key, std::size_t length) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // what k8s uses
  std::uint64_t hash = 14695981039346656037ULL;                       // FNV-1a
  for (char c : key) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  std::string out;
  for (std::size_t i = 0; i < length; ++i) {
    hash = hash * 6364136223846793005ULL + 1442695040888963407ULL;  // LCG step per character
    out.push_back(kAlphabet[(hash >> 33) % (sizeof(kAlphabet) - 1)]);
  }
  return out;
}

struct PodSpec {
  double median_us;
  double sigma;
  double batches_per_second;
};

MonoVertexModel MakeMonoVertex(std::string ns, std::string name,
                               const std::vector<PodSpec>& specs) {
  MonoVertexModel mvtx{std::move(ns), std::move(name), {}, {}};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const int replica = static_cast<int>(i);
    std::string key = mvtx.ns + "/" + mvtx.name + "/" + std::to_string(replica);
    mvtx.pods.push_back(
        PodModel{mvtx.name + "-mv-" + std::to_string(replica) + "-" + Suffix(key, 5), replica,
                 specs[i].median_us, specs[i].sigma, specs[i].batches_per_second});
  }
  std::string key = mvtx.ns + "/" + mvtx.name + "/daemon";
  mvtx.daemon_pod =
      mvtx.name + "-mv-daemon-" + Suffix(key + "/rs", 10) + "-" + Suffix(key + "/pod", 5);
  return mvtx;
}

double LogNormalCdf(double median, double sigma, double x) {
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return 0.5 * std::erfc(-(std::log(x) - std::log(median)) / (sigma * std::sqrt(2.0)));
}

template <class Cdf>
std::pair<double, double> BucketOf(double q, Cdf cdf) {
  double lower = 0;
  for (double le : kSinkBucketsUs) {
    if (cdf(le) >= q) return {lower, le};
    lower = le;
  }
  return {lower, kInf};
}

}  // namespace

const std::vector<MonoVertexModel>& DefaultModel() {
  // Medians in µs. Comments give the bucket index of p50/p90/p95/p99 (0 = le 100, 2 = le 3510.647,
  // 3 = le 20800.838, 4 = le 123246.459, 5 = le 730244.107).
  static const std::vector<MonoVertexModel> model = {
      // Pods [2,3,3,3] [3,3,3,3] [4,4,4,4]; mixture [3,4,4,4].
      MakeMonoVertex("default", "orders", {{2400, 0.37, 45}, {6400, 0.20, 35}, {45000, 0.20, 45}}),
      // `orders` is a prefix of this name. Pods [1,2,2,2] [2,3,3,3] [4,4,4,4]; mixture [2,4,4,4].
      MakeMonoVertex("default", "orders-sink",
                     {{550, 0.21, 25}, {3125, 0.20, 50}, {23000, 0.20, 25}}),
      // Pods [2,2,2,2] [3,3,3,3] [4,4,4,4] [3,3,3,3]; mixture [3,4,4,4].
      MakeMonoVertex("default", "clicks",
                     {{1125, 0.23, 50}, {7500, 0.21, 35}, {37500, 0.21, 35}, {3800, 0.22, 20}}),
      // Same name as default/orders but slower, so a namespace leak changes every answer.
      // Pods [3,4,4,4] [4,5,5,5] [5,5,5,5]; mixture [4,5,5,5].
      MakeMonoVertex("payments", "orders",
                     {{14250, 0.44, 45}, {85500, 0.42, 20}, {300000, 0.20, 45}}),
  };
  return model;
}

double SinkCdf(const PodModel& pod, double le) {
  return LogNormalCdf(pod.median_us, pod.sigma, le);
}

double SinkCdf(const MonoVertexModel& mvtx, double le) {
  double weighted = 0;
  double total = 0;
  for (const PodModel& pod : mvtx.pods) {
    weighted += pod.batches_per_second * SinkCdf(pod, le);
    total += pod.batches_per_second;
  }
  return total > 0 ? weighted / total : 0;
}

double SinkMeanUs(const PodModel& pod) {
  return pod.median_us * std::exp(pod.sigma * pod.sigma / 2);
}

std::pair<double, double> QuantileBucket(const PodModel& pod, double q) {
  return BucketOf(q, [&](double le) { return SinkCdf(pod, le); });
}

std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, double q) {
  return BucketOf(q, [&](double le) { return SinkCdf(mvtx, le); });
}

bool IsUnambiguousBound(double cdf, double q) {
  if (cdf < q) return q - cdf >= kQuantileMargin;
  return cdf - q >= std::min(kQuantileMargin, 0.9 * (1 - q));
}

double Batches(const PodModel& pod, TimePoint t) {
  if (t <= kCounterEpoch) return 0;
  const double seconds = static_cast<double>((t - kCounterEpoch).count()) / 1000.0;
  return pod.batches_per_second * seconds;
}

std::uint64_t SinkBucketCount(const PodModel& pod, std::size_t le_index, TimePoint t) {
  const double le = le_index < kSinkBucketsUs.size() ? kSinkBucketsUs[le_index] : kInf;
  return static_cast<std::uint64_t>(std::floor(Batches(pod, t) * SinkCdf(pod, le)));
}

std::uint64_t SinkCount(const PodModel& pod, TimePoint t) {
  return static_cast<std::uint64_t>(std::floor(Batches(pod, t)));
}

double SinkSum(const PodModel& pod, TimePoint t) { return Batches(pod, t) * SinkMeanUs(pod); }

}  // namespace nfmetrics::synth
