// Parameters were chosen by a numeric search so that every (pod, histogram) and every MonoVertex or
// vertex mixture keeps a CDF margin of about 0.05 around the checked quantiles at every bucket
// bound (see synth_test). The sink latencies came first; each other histogram's medians started at
// a typical fraction or multiple of the pod's sink median (read ~0.25x, ack ~0.1x, processing above
// every other step) and were moved until the margins held, every histogram of a MonoVertex or
// vertex landed in its own set of quantile buckets (so a query for the wrong metric shows), and
// the slow refunds pod stayed 8-10x its peers. Medians are rounded to two significant digits.
#include "synth/model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <stdexcept>

namespace nfmetrics::synth {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

// The integral of LoadFactor from kCounterEpoch to t, in seconds (0 before the epoch).
double LoadIntegral(TimePoint t) {
  if (t <= kCounterEpoch) return 0;
  const double seconds = Seconds(t - kCounterEpoch);
  const double period = Seconds(kLoadPeriod);
  return seconds + kLoadAmplitude * period / (2 * std::numbers::pi) *
                       (1 - std::cos(2 * std::numbers::pi * seconds / period));
}

constexpr Duration kDay = std::chrono::hours(24);

TimePoint DayStart(const Growth& growth, int day) { return growth.origin + day * kDay; }

// LoadIntegral with the growth's day levels from its origin on.
double GrownLoadIntegral(const Growth& growth, TimePoint t) {
  if (t <= growth.origin) return LoadIntegral(t);
  const int day = GrowthDay(growth, t);
  return growth.load_at_day_start[day] +
         DayLevel(growth, day) * (LoadIntegral(t) - LoadIntegral(DayStart(growth, day)));
}

bool Grows(Histogram histogram) {
  return histogram == Histogram::kMonovtxSink || histogram == Histogram::kMonovtxProcessing;
}

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

// A MonoVertex pod's sink latency and batch rate.
struct PodSpec {
  double median_us;
  double sigma;
  double batches_per_second;
};

struct LogNormal {
  double median_us;
  double sigma;
};

// One histogram of a MonoVertex or vertex: its latency on each pod, in replica order.
struct HistogramSpec {
  Histogram histogram;
  std::vector<LogNormal> pods;
  double observations_per_batch = 1;
};

// Fills each pod's histograms and takes its median_us/sigma from `sink`.
void AddHistograms(std::vector<PodModel>& pods, const std::vector<HistogramSpec>& histograms,
                   Histogram sink) {
  for (const HistogramSpec& spec : histograms) {
    if (spec.pods.size() != pods.size()) throw std::logic_error("histogram spec per pod");
    for (std::size_t i = 0; i < pods.size(); ++i) {
      pods[i].histograms[spec.histogram] =
          Latency{spec.pods[i].median_us, spec.pods[i].sigma, spec.observations_per_batch};
    }
  }
  for (PodModel& pod : pods) {
    const Latency& latency = pod.histograms.at(sink);
    pod.median_us = latency.median_us;
    pod.sigma = latency.sigma;
  }
}

std::string DaemonPod(const std::string& prefix, const std::string& key) {
  return prefix + "-daemon-" + Suffix(key + "/rs", 10) + "-" + Suffix(key + "/pod", 5);
}

MonoVertexModel MakeMonoVertex(std::string ns, std::string name, const std::vector<PodSpec>& specs,
                               std::vector<HistogramSpec> histograms, int slow_replica = -1) {
  MonoVertexModel mvtx{std::move(ns), std::move(name), {}, {}};
  HistogramSpec sink{Histogram::kMonovtxSink, {}};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const int replica = static_cast<int>(i);
    std::string key = mvtx.ns + "/" + mvtx.name + "/" + std::to_string(replica);
    PodModel pod;
    pod.name = mvtx.name + "-mv-" + std::to_string(replica) + "-" + Suffix(key, 5);
    pod.replica = replica;
    pod.batches_per_second = specs[i].batches_per_second;
    pod.slow = replica == slow_replica;
    mvtx.pods.push_back(std::move(pod));
    sink.pods.push_back({specs[i].median_us, specs[i].sigma});
  }
  histograms.push_back(std::move(sink));
  AddHistograms(mvtx.pods, histograms, Histogram::kMonovtxSink);
  mvtx.daemon_pod = DaemonPod(mvtx.name + "-mv", mvtx.ns + "/" + mvtx.name + "/daemon");
  return mvtx;
}

// `partition_name` is the inter-step buffer partition the vertex reads, named as NumaFlow names
// them (`<namespace>-<pipeline>-<vertex>-<index>`). A source reads no buffer; its metrics carry the
// vertex name instead.
VertexModel MakeVertex(const std::string& ns, const std::string& pipeline, std::string name,
                       std::string type, const std::vector<double>& batches_per_second,
                       const std::vector<HistogramSpec>& histograms) {
  VertexModel vertex{name, std::move(type), {}, {}};
  vertex.partition_name = vertex.type == "Source" ? name : ns + "-" + pipeline + "-" + name + "-0";
  for (std::size_t i = 0; i < batches_per_second.size(); ++i) {
    const std::string replica = std::to_string(i);
    PodModel pod;
    pod.name = pipeline + "-" + name + "-" + replica + "-" +
               Suffix(ns + "/" + pipeline + "/" + name + "/" + replica, 5);
    pod.replica = static_cast<int>(i);
    pod.batches_per_second = batches_per_second[i];
    vertex.pods.push_back(std::move(pod));
  }
  AddHistograms(vertex.pods, histograms, Histogram::kForwarderWrite);
  return vertex;
}

double LogNormalCdf(double median, double sigma, double x) {
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return 0.5 * std::erfc(-(std::log(x) - std::log(median)) / (sigma * std::sqrt(2.0)));
}

template <class Cdf>
std::pair<double, double> BucketOf(const std::array<double, 10>& bounds, double q, Cdf cdf) {
  double lower = 0;
  for (double le : bounds) {
    if (cdf(le) >= q) return {lower, le};
    lower = le;
  }
  return {lower, kInf};
}

// histogram_quantile's interpolation, on the model's exact CDF.
template <class Cdf>
double InterpolatedQuantile(const std::array<double, 10>& bounds, double q, Cdf cdf) {
  const auto [lower, upper] = BucketOf(bounds, q, cdf);
  if (std::isinf(upper)) return lower;
  const double below = cdf(lower);
  return lower + (upper - lower) * (q - below) / (cdf(upper) - below);
}

double MixtureCdf(const std::vector<PodModel>& pods, Histogram histogram, double le) {
  double weighted = 0;
  double total = 0;
  for (const PodModel& pod : pods) {
    if (!HasHistogram(pod, histogram)) continue;
    const double rate = ObservationsPerSecond(pod, histogram);
    weighted += rate * HistogramCdf(pod, histogram, le);
    total += rate;
  }
  return total > 0 ? weighted / total : 0;
}

bool AnyPodHas(const std::vector<PodModel>& pods, Histogram histogram) {
  return std::any_of(pods.begin(), pods.end(),
                     [&](const PodModel& pod) { return HasHistogram(pod, histogram); });
}

}  // namespace

std::string_view MetricName(Histogram histogram) {
  switch (histogram) {
    case Histogram::kMonovtxProcessing:
      return "monovtx_processing_time";
    case Histogram::kMonovtxRead:
      return "monovtx_read_time";
    case Histogram::kMonovtxTransformer:
      return "monovtx_transformer_time";
    case Histogram::kMonovtxUdf:
      return "monovtx_udf_time";
    case Histogram::kMonovtxSink:
      return "monovtx_sink_time";
    case Histogram::kMonovtxFallbackSink:
      return "monovtx_fallback_sink_time";
    case Histogram::kMonovtxOnSuccessSink:
      return "monovtx_onsuccess_sink_time";
    case Histogram::kMonovtxAck:
      return "monovtx_ack_time";
    case Histogram::kMonovtxNack:
      return "monovtx_nack_time";
    case Histogram::kForwarderRead:
      return "forwarder_read_processing_time";
    case Histogram::kForwarderUdf:
      return "forwarder_udf_processing_time";
    case Histogram::kForwarderWrite:
      return "forwarder_write_processing_time";
    case Histogram::kForwarderProcessing:
      return "forwarder_processing_time";
    case Histogram::kForwarderAck:
      return "forwarder_ack_processing_time";
  }
  return "unknown";
}

std::optional<Histogram> FindHistogram(std::string_view metric) {
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (metric.ends_with(suffix)) {
      metric.remove_suffix(suffix.size());
      break;
    }
  }
  for (Histogram h : kMonoVertexHistograms) {
    if (MetricName(h) == metric) return h;
  }
  for (Histogram h : kVertexHistograms) {
    if (MetricName(h) == metric) return h;
  }
  return std::nullopt;
}

bool IsMonoVertexHistogram(Histogram histogram) {
  return std::find(kMonoVertexHistograms.begin(), kMonoVertexHistograms.end(), histogram) !=
         kMonoVertexHistograms.end();
}

const std::array<double, 10>& BucketBoundsUs(Histogram histogram) {
  return IsMonoVertexHistogram(histogram) ? kSinkBucketsUs : kForwarderBucketsUs;
}

const std::vector<MonoVertexModel>& DefaultModel() {
  using H = Histogram;
  // Sink medians in µs. Comments give the bucket index of the sink p50/p90/p95/p99 (0 = le 100,
  // 2 = le 3510.647, 3 = le 20800.838, 4 = le 123246.459, 5 = le 730244.107).
  static const std::vector<MonoVertexModel> model = {
      // Pods [2,3,3,3] [3,3,3,3] [4,4,4,4]; mixture [3,4,4,4]. Has a fallback sink, written for
      // one batch in ten.
      MakeMonoVertex(
          "default", "orders", {{2400, 0.37, 45}, {6400, 0.20, 35}, {45000, 0.20, 45}},
          {{H::kMonovtxProcessing, {{4300, 0.26}, {23000, 0.14}, {150000, 0.14}}},
           {H::kMonovtxRead, {{460, 0.26}, {1100, 0.14}, {6900, 0.14}}},
           {H::kMonovtxAck, {{90, 0.26}, {210, 0.14}, {1300, 0.14}}},
           {H::kMonovtxFallbackSink, {{3300, 0.26}, {18000, 0.14}, {130000, 0.14}}, 0.1}}),
      // `orders` is a prefix of this name. Pods [1,2,2,2] [2,3,3,3] [4,4,4,4]; mixture [2,4,4,4].
      // Has a map UDF.
      MakeMonoVertex("default", "orders-sink",
                     {{550, 0.21, 25}, {3125, 0.20, 50}, {23000, 0.20, 25}},
                     {{H::kMonovtxProcessing, {{850, 0.17}, {4800, 0.16}, {32000, 0.16}}},
                      {H::kMonovtxRead, {{130, 0.17}, {750, 0.16}, {5500, 0.16}}},
                      {H::kMonovtxAck, {{81, 0.21}, {500, 0.20}, {3700, 0.20}}},
                      {H::kMonovtxUdf, {{610, 0.21}, {3100, 0.20}, {23000, 0.20}}}}),
      // Pods [2,2,2,2] [3,3,3,3] [4,4,4,4] [3,3,3,3]; mixture [3,4,4,4]. Has a source
      // transformer and nacks one batch in twenty.
      MakeMonoVertex(
          "default", "clicks",
          {{1125, 0.23, 50}, {7500, 0.21, 35}, {37500, 0.21, 35}, {3800, 0.22, 20}},
          {{H::kMonovtxProcessing, {{3200, 0.21}, {19000, 0.19}, {130000, 0.19}, {17000, 0.20}}},
           {H::kMonovtxRead, {{150, 0.16}, {1000, 0.15}, {5900, 0.15}, {750, 0.15}}},
           {H::kMonovtxAck, {{120, 0.18}, {810, 0.17}, {4500, 0.17}, {570, 0.18}}},
           {H::kMonovtxTransformer, {{610, 0.21}, {3600, 0.19}, {22000, 0.19}, {2900, 0.20}}},
           {H::kMonovtxNack, {{120, 0.18}, {640, 0.17}, {4600, 0.17}, {510, 0.18}}, 0.05}}),
      // The incident's MonoVertex (see DefaultWorld(TimePoint)): its map UDF dominates the
      // processing time (UDF mean ~5x the sink's), peers within 1.5x of each other. Sink pods
      // [3,3,3,3] [3,3,3,3] [2,3,3,3] [3,3,3,3]; mixture [3,3,3,3]. After the onset replica 2's
      // sink is 9x slower ([4,4,4,4]; mixture [3,4,4,4]) and its processing 49 ms.
      MakeMonoVertex(
          "default", "checkout",
          {{3900, 0.19, 30}, {4200, 0.18, 30}, {3100, 0.15, 30}, {3900, 0.17, 30}},
          {{H::kMonovtxProcessing, {{27000, 0.16}, {28000, 0.14}, {24000, 0.12}, {27000, 0.14}}},
           {H::kMonovtxRead, {{640, 0.15}, {680, 0.15}, {650, 0.19}, {530, 0.20}}},
           {H::kMonovtxAck, {{660, 0.17}, {550, 0.15}, {620, 0.21}, {710, 0.18}}},
           {H::kMonovtxUdf, {{19000, 0.19}, {20000, 0.17}, {19000, 0.21}, {20000, 0.14}}}}),
      // Same name as default/orders but slower, so a namespace leak changes every answer.
      // Pods [3,4,4,4] [4,5,5,5] [5,5,5,5]; mixture [4,5,5,5]. Has a map UDF and an on-success
      // sink.
      MakeMonoVertex("payments", "orders",
                     {{14250, 0.44, 45}, {85500, 0.42, 20}, {300000, 0.20, 45}},
                     {{H::kMonovtxProcessing, {{25000, 0.31}, {160000, 0.29}, {360000, 0.14}}},
                      {H::kMonovtxRead, {{2600, 0.31}, {16000, 0.29}, {44000, 0.14}}},
                      {H::kMonovtxAck, {{470, 0.31}, {2800, 0.29}, {20000, 0.14}}},
                      {H::kMonovtxUdf, {{2700, 0.31}, {16000, 0.29}, {120000, 0.14}}},
                      {H::kMonovtxOnSuccessSink, {{22000, 0.31}, {92000, 0.29}, {290000, 0.14}}}}),
      // Replica 1 is ~10x slower than its three peers in every histogram (8-10x the median, and
      // at least 3x the peers' median in every histogram_quantile and mean); the peers are within
      // 1.5x of each other. Pods [3,3,3,3] [4,4,4,4] [3,3,3,3] [3,3,3,3]; mixture [3,4,4,4]. Has a
      // source transformer.
      MakeMonoVertex(
          "payments", "refunds",
          {{4000, 0.20, 30}, {46000, 0.18, 20}, {4600, 0.21, 30}, {5290, 0.20, 30}},
          {{H::kMonovtxProcessing, {{17000, 0.20}, {150000, 0.18}, {17000, 0.21}, {17000, 0.20}}},
           {H::kMonovtxRead, {{870, 0.14}, {7000, 0.13}, {800, 0.15}, {1000, 0.14}}},
           {H::kMonovtxAck, {{520, 0.18}, {5400, 0.16}, {540, 0.19}, {560, 0.18}}},
           {H::kMonovtxTransformer, {{2900, 0.20}, {26000, 0.18}, {3000, 0.21}, {3000, 0.20}}}},
          /*slow_replica=*/1),
  };
  return model;
}

const std::vector<PipelineModel>& DefaultPipelines() {
  using H = Histogram;
  static const std::vector<PipelineModel> pipelines = [] {
    PipelineModel shop{"default", "shop", {}, {}};
    shop.vertices = {
        MakeVertex(shop.ns, shop.name, "in", "Source", {40, 35},
                   {{H::kForwarderRead, {{570, 0.20}, {840, 0.18}}},
                    {H::kForwarderWrite, {{910, 0.17}, {3500, 0.15}}},
                    {H::kForwarderProcessing, {{4300, 0.17}, {6500, 0.15}}},
                    {H::kForwarderAck, {{490, 0.23}, {680, 0.20}}}}),
        MakeVertex(shop.ns, shop.name, "enrich", "MapUDF", {40, 35},
                   {{H::kForwarderRead, {{680, 0.20}, {3400, 0.22}}},
                    {H::kForwarderUdf, {{4100, 0.20}, {21000, 0.22}}},
                    {H::kForwarderWrite, {{1000, 0.15}, {4300, 0.17}}},
                    {H::kForwarderProcessing, {{4700, 0.18}, {24000, 0.19}}},
                    {H::kForwarderAck, {{540, 0.15}, {880, 0.17}}}}),
        // forwarder_write_processing_time of a Sink vertex is its sink latency.
        MakeVertex(shop.ns, shop.name, "out", "Sink", {40, 35},
                   {{H::kForwarderRead, {{5000, 0.18}, {21000, 0.20}}},
                    {H::kForwarderWrite, {{20000, 0.15}, {36000, 0.17}}},
                    {H::kForwarderProcessing, {{40000, 0.15}, {150000, 0.17}}},
                    {H::kForwarderAck, {{3600, 0.18}, {21000, 0.20}}}}),
    };
    double pending_base = 120;  // spreads the vertices' pending gauges apart
    for (VertexModel& vertex : shop.vertices) {
      vertex.pending_base = pending_base;
      pending_base += 80;
    }
    shop.daemon_pod = DaemonPod(shop.name, shop.ns + "/" + shop.name + "/daemon");
    return std::vector<PipelineModel>{std::move(shop)};
  }();
  return pipelines;
}

const World& DefaultWorld() {
  static const World world{DefaultModel(), DefaultPipelines(), std::nullopt};
  return world;
}

World DefaultWorld(TimePoint incident_onset) {
  using H = Histogram;
  World world{DefaultModel(), DefaultPipelines(), incident_onset};
  for (MonoVertexModel& mvtx : world.mono_vertices) {
    if (mvtx.ns != kIncidentNamespace || mvtx.name != kIncidentMonoVertex) continue;
    mvtx.incident_onset = incident_onset;
    for (PodModel& pod : mvtx.pods) {
      pod.sink_errors = ErrorBurst{incident_onset + kSinkErrorBurstStart,
                                   incident_onset + kSinkErrorBurstEnd, kSinkErrorsPerSecond};
      if (pod.replica != kIncidentReplica) continue;
      // The sink is 9x slower; processing waits for it, so it grows by the added sink time.
      const Latency& sink = pod.histograms.at(H::kMonovtxSink);
      const Latency& processing = pod.histograms.at(H::kMonovtxProcessing);
      const double added_us =
          (kIncidentSlowdown - 1) * sink.median_us * std::exp(sink.sigma * sink.sigma / 2);
      // Rounded to two significant digits like every other median (49 ms).
      const double slow_processing = std::round((processing.median_us + added_us) / 1000) * 1000;
      pod.slowdown =
          Slowdown{incident_onset,
                   {{H::kMonovtxSink, {sink.median_us * kIncidentSlowdown, sink.sigma, 1}},
                    {H::kMonovtxProcessing, {slow_processing, processing.sigma, 1}}}};
    }
  }
  for (PipelineModel& pipeline : world.pipelines) {
    for (VertexModel& vertex : pipeline.vertices) {
      if (pipeline.ns != kIncidentNamespace || pipeline.name != kBacklogPipeline ||
          vertex.name != kBacklogVertex) {
        continue;
      }
      pipeline.incident_onset = incident_onset;
      vertex.backlog = VertexModel::Backlog{incident_onset, kBacklogPerSecond};
    }
  }
  return world;
}

World FleetWorld(int pods) {
  using H = Histogram;
  if (pods < 1 || pods > 1000) throw std::invalid_argument("fleet pods must be 1..1000");
  std::vector<PodSpec> specs;
  std::vector<HistogramSpec> histograms = {
      {H::kMonovtxProcessing, {}}, {H::kMonovtxRead, {}}, {H::kMonovtxAck, {}}};
  for (int i = 0; i < pods; ++i) {
    // Twelve distinct speeds, 2 ms to 24 ms, so pods land in different buckets.
    const double sink_us = 2000.0 * (1 + i % 12);
    specs.push_back({sink_us, 0.25, 20.0 + i % 7});
    histograms[0].pods.push_back({sink_us * 1.6, 0.22});
    histograms[1].pods.push_back({sink_us * 0.2, 0.20});
    histograms[2].pods.push_back({sink_us * 0.1, 0.20});
  }
  return World{{MakeMonoVertex("bench", "fleet", specs, std::move(histograms))}, {}};
}

std::shared_ptr<const Growth> MakeGrowth(TimePoint origin, int days) {
  if (days < 1 || days > 1000) throw std::invalid_argument("growth days must be 1..1000");
  if (origin <= kCounterEpoch || origin.time_since_epoch() % kDay != Duration::zero()) {
    throw std::invalid_argument("growth origin must be a UTC midnight after 2024-01-01");
  }
  auto growth = std::make_shared<Growth>();
  growth->origin = origin;
  growth->days = days;
  growth->load_at_day_start.push_back(LoadIntegral(origin));
  for (int day = 0; day < days; ++day) {
    const double whole_day =
        LoadIntegral(DayStart(*growth, day + 1)) - LoadIntegral(DayStart(*growth, day));
    growth->load_at_day_start.push_back(growth->load_at_day_start.back() +
                                        DayLevel(*growth, day) * whole_day);
  }
  return growth;
}

bool IsWeekend(TimePoint t) {
  // 1970-01-01 was a Thursday: day 2 after it (mod 7) is Saturday, day 3 Sunday.
  const auto days = std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
  const auto weekday = ((days % 7) + 7) % 7;
  return weekday == 2 || weekday == 3;
}

double DayLevel(const Growth& growth, int day) {
  const double trend = 1 + kFleetGrowthPerDay * day;
  return IsWeekend(DayStart(growth, day)) ? trend * kWeekendLoad : trend;
}

int GrowthDay(const Growth& growth, TimePoint t) {
  if (t < growth.origin) return -1;
  const auto day = static_cast<int>((t - growth.origin) / kDay);
  return std::min(day, growth.days - 1);
}

double LoadLevel(const Growth& growth, TimePoint t) {
  const int day = GrowthDay(growth, t);
  return day < 0 ? 1 : DayLevel(growth, day);
}

namespace {

// The latency of `histogram` on growth day `day` (-1: before the origin, the steady one).
Latency LatencyOnDay(const PodModel& pod, Histogram histogram, int day) {
  Latency latency = LatencyOf(pod, histogram);
  if (day >= 0 && Grows(histogram)) {
    latency.median_us *= std::pow(DayLevel(*pod.growth, day), kLatencyLoadExponent);
  }
  return latency;
}

}  // namespace

World FleetWorld(int pods, TimePoint origin, int days) {
  World world = FleetWorld(pods);
  const std::shared_ptr<const Growth> growth = MakeGrowth(origin, days);
  for (MonoVertexModel& mvtx : world.mono_vertices) {
    for (PodModel& pod : mvtx.pods) {
      pod.growth = growth;
      for (const auto& [histogram, steady] : pod.histograms) {
        std::vector<GrownCounters>& table = pod.grown[histogram];
        const auto& bounds = BucketBoundsUs(histogram);
        GrownCounters at_day;  // before the origin: the steady latency throughout
        const double before = ObservationsBetween(pod, histogram, kCounterEpoch, origin);
        for (std::size_t i = 0; i < bounds.size(); ++i) {
          at_day.at_most[i] = before * LogNormalCdf(steady.median_us, steady.sigma, bounds[i]);
        }
        at_day.at_most[bounds.size()] = before;
        at_day.sum = before * steady.median_us * std::exp(steady.sigma * steady.sigma / 2);
        table.push_back(at_day);
        for (int day = 0; day < days; ++day) {
          const Latency latency = LatencyOnDay(pod, histogram, day);
          const double observations = ObservationsBetween(pod, histogram, DayStart(*growth, day),
                                                          DayStart(*growth, day + 1));
          for (std::size_t i = 0; i < bounds.size(); ++i) {
            at_day.at_most[i] +=
                observations * LogNormalCdf(latency.median_us, latency.sigma, bounds[i]);
          }
          at_day.at_most[bounds.size()] += observations;
          at_day.sum +=
              observations * latency.median_us * std::exp(latency.sigma * latency.sigma / 2);
          table.push_back(at_day);
        }
      }
    }
  }
  return world;
}

const PodModel* SlowPod(const MonoVertexModel& mvtx) {
  for (const PodModel& pod : mvtx.pods) {
    if (pod.slow) return &pod;
  }
  return nullptr;
}

const PodModel* IncidentPod(const MonoVertexModel& mvtx) {
  for (const PodModel& pod : mvtx.pods) {
    if (pod.slowdown) return &pod;
  }
  return nullptr;
}

double LoadFactor(TimePoint t) {
  const double seconds = Seconds(t - kCounterEpoch);
  return 1 + kLoadAmplitude * std::sin(2 * std::numbers::pi * seconds / Seconds(kLoadPeriod));
}

double MeanLoad(TimePoint from, TimePoint to) {
  if (to <= from) return LoadFactor(from);
  return (LoadIntegral(to) - LoadIntegral(from)) / Seconds(to - from);
}

double VertexPending(const VertexModel& vertex, std::string_view period, TimePoint t) {
  const auto it = std::find_if(kPendingPeriods.begin(), kPendingPeriods.end(),
                               [&](const PendingPeriod& p) { return p.name == period; });
  if (it == kPendingPeriods.end()) {
    throw std::invalid_argument("no pending period " + std::string(period));
  }
  const double seconds = Seconds(t.time_since_epoch());
  const double phase = 2 * std::numbers::pi * seconds / (3000 + 10 * it->seconds);
  double value = vertex.pending_base * (1 + 0.5 * std::sin(phase));
  if (vertex.backlog && t > vertex.backlog->onset) {
    value += vertex.backlog->per_second * Seconds(t - vertex.backlog->onset);
  }
  return std::round(value);
}

bool HasHistogram(const PodModel& pod, Histogram histogram) {
  return pod.histograms.contains(histogram);
}

bool HasHistogram(const MonoVertexModel& mvtx, Histogram histogram) {
  return AnyPodHas(mvtx.pods, histogram);
}

bool HasHistogram(const VertexModel& vertex, Histogram histogram) {
  return AnyPodHas(vertex.pods, histogram);
}

const Latency& LatencyOf(const PodModel& pod, Histogram histogram, TimePoint t) {
  if (pod.slowdown && t > pod.slowdown->onset) {
    const auto it = pod.slowdown->histograms.find(histogram);
    if (it != pod.slowdown->histograms.end()) return it->second;
  }
  return LatencyOf(pod, histogram);
}

Latency LatencyAt(const PodModel& pod, Histogram histogram, TimePoint t) {
  if (!pod.growth) return LatencyOf(pod, histogram, t);
  return LatencyOnDay(pod, histogram, GrowthDay(*pod.growth, t));
}

const Latency& LatencyOf(const PodModel& pod, Histogram histogram) {
  const auto it = pod.histograms.find(histogram);
  if (it == pod.histograms.end()) {
    throw std::out_of_range(pod.name + " exports no " + std::string(MetricName(histogram)));
  }
  return it->second;
}

double ObservationsPerSecond(const PodModel& pod, Histogram histogram) {
  return pod.batches_per_second * LatencyOf(pod, histogram).observations_per_batch;
}

double HistogramCdf(const PodModel& pod, Histogram histogram, double le) {
  const Latency& latency = LatencyOf(pod, histogram);
  return LogNormalCdf(latency.median_us, latency.sigma, le);
}

double HistogramCdf(const MonoVertexModel& mvtx, Histogram histogram, double le) {
  return MixtureCdf(mvtx.pods, histogram, le);
}

double HistogramCdf(const VertexModel& vertex, Histogram histogram, double le) {
  return MixtureCdf(vertex.pods, histogram, le);
}

double MeanUs(const PodModel& pod, Histogram histogram) {
  const Latency& latency = LatencyOf(pod, histogram);
  return latency.median_us * std::exp(latency.sigma * latency.sigma / 2);
}

std::pair<double, double> QuantileBucket(const PodModel& pod, Histogram histogram, double q) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(pod, histogram, le); });
}

std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, Histogram histogram,
                                         double q) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(mvtx, histogram, le); });
}

std::pair<double, double> QuantileBucket(const VertexModel& vertex, Histogram histogram, double q) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(vertex, histogram, le); });
}

double ExpectedQuantileUs(const PodModel& pod, Histogram histogram, double q) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q,
                              [&](double le) { return HistogramCdf(pod, histogram, le); });
}

double ExpectedQuantileUs(const MonoVertexModel& mvtx, Histogram histogram, double q) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q,
                              [&](double le) { return HistogramCdf(mvtx, histogram, le); });
}

double ExpectedQuantileUs(const VertexModel& vertex, Histogram histogram, double q) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q,
                              [&](double le) { return HistogramCdf(vertex, histogram, le); });
}

double SinkCdf(const PodModel& pod, double le) {
  return HistogramCdf(pod, Histogram::kMonovtxSink, le);
}

double SinkCdf(const MonoVertexModel& mvtx, double le) {
  return HistogramCdf(mvtx, Histogram::kMonovtxSink, le);
}

double SinkMeanUs(const PodModel& pod) { return MeanUs(pod, Histogram::kMonovtxSink); }

std::pair<double, double> QuantileBucket(const PodModel& pod, double q) {
  return QuantileBucket(pod, Histogram::kMonovtxSink, q);
}

std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, double q) {
  return QuantileBucket(mvtx, Histogram::kMonovtxSink, q);
}

bool IsUnambiguousBound(double cdf, double q) {
  if (cdf < q) return q - cdf >= kQuantileMargin;
  return cdf - q >= std::min(kQuantileMargin, 0.9 * (1 - q));
}

double Batches(const PodModel& pod, TimePoint t) {
  if (t <= kCounterEpoch) return 0;
  if (pod.growth) return pod.batches_per_second * GrownLoadIntegral(*pod.growth, t);
  return pod.batches_per_second * LoadIntegral(t);
}

double BatchesBetween(const PodModel& pod, TimePoint from, TimePoint to) {
  return Batches(pod, to) - Batches(pod, from);
}

double ObservationsBetween(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to) {
  return BatchesBetween(pod, from, to) * LatencyOf(pod, histogram).observations_per_batch;
}

namespace {

// The latencies in force over (from, to] and how many observations each had, in time order.
struct Phase {
  double observations;
  Latency latency;
};

// With growth: one phase per growth day (and one before the origin) that (from, to] touches.
std::vector<Phase> GrownPhases(const PodModel& pod, Histogram histogram, TimePoint from,
                               TimePoint to) {
  std::vector<Phase> phases;
  const Growth& growth = *pod.growth;
  TimePoint start = from;
  while (start < to) {
    const int day = GrowthDay(growth, start);
    TimePoint end = to;
    if (day < 0) {
      end = std::min(to, growth.origin);
    } else if (day < growth.days - 1) {
      end = std::min(to, DayStart(growth, day + 1));
    }
    phases.push_back(
        {ObservationsBetween(pod, histogram, start, end), LatencyOnDay(pod, histogram, day)});
    start = end;
  }
  return phases;
}

std::vector<Phase> Phases(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to) {
  if (to <= from) return {};
  if (pod.growth) return GrownPhases(pod, histogram, from, to);
  const Latency& steady = LatencyOf(pod, histogram);
  const Latency& late = pod.slowdown ? LatencyOf(pod, histogram, to) : steady;
  if (&late == &steady || to <= pod.slowdown->onset || from >= pod.slowdown->onset) {
    return {{ObservationsBetween(pod, histogram, from, to), LatencyOf(pod, histogram, to)}};
  }
  const TimePoint onset = pod.slowdown->onset;
  return {{ObservationsBetween(pod, histogram, from, onset), steady},
          {ObservationsBetween(pod, histogram, onset, to), late}};
}

// With growth, the counters of `histogram` at t from the day-start table: observations at most
// bucket le_index (its size: all of them) and, with le_index = npos, their latency sum.
double GrownCounter(const PodModel& pod, Histogram histogram, std::size_t le_index, bool sum,
                    TimePoint t) {
  const Growth& growth = *pod.growth;
  const int day = std::max(GrowthDay(growth, t), 0);
  const TimePoint day_start = t <= growth.origin ? kCounterEpoch : DayStart(growth, day);
  const GrownCounters base = t <= growth.origin ? GrownCounters{} : pod.grown.at(histogram)[day];
  const double partial = ObservationsBetween(pod, histogram, day_start, t);
  const Latency latency = LatencyOnDay(pod, histogram, t <= growth.origin ? -1 : day);
  const auto& bounds = BucketBoundsUs(histogram);
  if (sum) {
    return base.sum + partial * latency.median_us * std::exp(latency.sigma * latency.sigma / 2);
  }
  if (le_index >= bounds.size()) return base.at_most[bounds.size()] + partial;
  return base.at_most[le_index] +
         partial * LogNormalCdf(latency.median_us, latency.sigma, bounds[le_index]);
}

double LatencyMean(const Latency& latency) {
  return latency.median_us * std::exp(latency.sigma * latency.sigma / 2);
}

// Observations at most le in (from, to], and their latency sum in µs.
double ObservationsAtMost(const PodModel& pod, Histogram histogram, double le, TimePoint from,
                          TimePoint to) {
  double count = 0;
  for (const Phase& phase : Phases(pod, histogram, from, to)) {
    count += phase.observations * LogNormalCdf(phase.latency.median_us, phase.latency.sigma, le);
  }
  return count;
}

double LatencySum(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to) {
  double sum = 0;
  for (const Phase& phase : Phases(pod, histogram, from, to)) {
    sum += phase.observations * LatencyMean(phase.latency);
  }
  return sum;
}

double WindowMixtureCdf(const std::vector<PodModel>& pods, Histogram histogram, double le,
                        TimePoint from, TimePoint to) {
  double at_most = 0;
  double total = 0;
  for (const PodModel& pod : pods) {
    if (!HasHistogram(pod, histogram)) continue;
    at_most += ObservationsAtMost(pod, histogram, le, from, to);
    total += ObservationsBetween(pod, histogram, from, to);
  }
  return total > 0 ? at_most / total : 0;
}

}  // namespace

double HistogramCdf(const PodModel& pod, Histogram histogram, double le, TimePoint from,
                    TimePoint to) {
  const double total = ObservationsBetween(pod, histogram, from, to);
  return total > 0 ? ObservationsAtMost(pod, histogram, le, from, to) / total : 0;
}

double HistogramCdf(const MonoVertexModel& mvtx, Histogram histogram, double le, TimePoint from,
                    TimePoint to) {
  return WindowMixtureCdf(mvtx.pods, histogram, le, from, to);
}

double HistogramCdf(const VertexModel& vertex, Histogram histogram, double le, TimePoint from,
                    TimePoint to) {
  return WindowMixtureCdf(vertex.pods, histogram, le, from, to);
}

double MeanUs(const PodModel& pod, Histogram histogram, TimePoint from, TimePoint to) {
  return LatencySum(pod, histogram, from, to) / ObservationsBetween(pod, histogram, from, to);
}

double MeanUs(const MonoVertexModel& mvtx, Histogram histogram, TimePoint from, TimePoint to) {
  double sum = 0;
  double count = 0;
  for (const PodModel& pod : mvtx.pods) {
    if (!HasHistogram(pod, histogram)) continue;
    sum += LatencySum(pod, histogram, from, to);
    count += ObservationsBetween(pod, histogram, from, to);
  }
  return sum / count;
}

std::pair<double, double> QuantileBucket(const PodModel& pod, Histogram histogram, double q,
                                         TimePoint from, TimePoint to) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(pod, histogram, le, from, to); });
}

std::pair<double, double> QuantileBucket(const MonoVertexModel& mvtx, Histogram histogram, double q,
                                         TimePoint from, TimePoint to) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(mvtx, histogram, le, from, to); });
}

std::pair<double, double> QuantileBucket(const VertexModel& vertex, Histogram histogram, double q,
                                         TimePoint from, TimePoint to) {
  return BucketOf(BucketBoundsUs(histogram), q,
                  [&](double le) { return HistogramCdf(vertex, histogram, le, from, to); });
}

double ExpectedQuantileUs(const PodModel& pod, Histogram histogram, double q, TimePoint from,
                          TimePoint to) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q, [&](double le) {
    return HistogramCdf(pod, histogram, le, from, to);
  });
}

double ExpectedQuantileUs(const MonoVertexModel& mvtx, Histogram histogram, double q,
                          TimePoint from, TimePoint to) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q, [&](double le) {
    return HistogramCdf(mvtx, histogram, le, from, to);
  });
}

double ExpectedQuantileUs(const VertexModel& vertex, Histogram histogram, double q, TimePoint from,
                          TimePoint to) {
  return InterpolatedQuantile(BucketBoundsUs(histogram), q, [&](double le) {
    return HistogramCdf(vertex, histogram, le, from, to);
  });
}

double MessagesReadPerSecond(const PodModel& pod, TimePoint from, TimePoint to) {
  return BatchesBetween(pod, from, to) * kMessagesPerBatch / Seconds(to - from);
}

double SinkWriteErrors(const PodModel& pod, TimePoint t) {
  if (!pod.sink_errors || t <= pod.sink_errors->start) return 0;
  const TimePoint until = std::min(t, pod.sink_errors->end);
  return pod.sink_errors->errors_per_second * Seconds(until - pod.sink_errors->start);
}

double SinkWriteErrorsPerSecond(const PodModel& pod, TimePoint from, TimePoint to) {
  return (SinkWriteErrors(pod, to) - SinkWriteErrors(pod, from)) / Seconds(to - from);
}

double DroppedPerSecond(const PodModel& pod, TimePoint from, TimePoint to) {
  return MessagesReadPerSecond(pod, from, to) * kDroppedShare;
}

namespace {

template <class PerPod>
double SumOverPods(const MonoVertexModel& mvtx, PerPod per_pod) {
  double sum = 0;
  for (const PodModel& pod : mvtx.pods) sum += per_pod(pod);
  return sum;
}

}  // namespace

double MessagesReadPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to) {
  return SumOverPods(mvtx,
                     [&](const PodModel& pod) { return MessagesReadPerSecond(pod, from, to); });
}

double SinkWriteErrorsPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to) {
  return SumOverPods(mvtx,
                     [&](const PodModel& pod) { return SinkWriteErrorsPerSecond(pod, from, to); });
}

double DroppedPerSecond(const MonoVertexModel& mvtx, TimePoint from, TimePoint to) {
  return SumOverPods(mvtx, [&](const PodModel& pod) { return DroppedPerSecond(pod, from, to); });
}

std::uint64_t HistogramBucketCount(const PodModel& pod, Histogram histogram, std::size_t le_index,
                                   TimePoint t) {
  if (pod.growth) {
    return static_cast<std::uint64_t>(std::floor(GrownCounter(pod, histogram, le_index, false, t)));
  }
  const auto& bounds = BucketBoundsUs(histogram);
  // +Inf is the count itself, not a sum of phases that could round differently.
  if (le_index >= bounds.size()) return HistogramCount(pod, histogram, t);
  return static_cast<std::uint64_t>(
      std::floor(ObservationsAtMost(pod, histogram, bounds[le_index], kCounterEpoch, t)));
}

std::uint64_t HistogramCount(const PodModel& pod, Histogram histogram, TimePoint t) {
  if (pod.growth) {
    return static_cast<std::uint64_t>(
        std::floor(GrownCounter(pod, histogram, BucketBoundsUs(histogram).size(), false, t)));
  }
  return static_cast<std::uint64_t>(
      std::floor(ObservationsBetween(pod, histogram, kCounterEpoch, t)));
}

double HistogramSum(const PodModel& pod, Histogram histogram, TimePoint t) {
  if (pod.growth) return GrownCounter(pod, histogram, 0, true, t);
  return LatencySum(pod, histogram, kCounterEpoch, t);
}

std::uint64_t SinkBucketCount(const PodModel& pod, std::size_t le_index, TimePoint t) {
  return HistogramBucketCount(pod, Histogram::kMonovtxSink, le_index, t);
}

std::uint64_t SinkCount(const PodModel& pod, TimePoint t) {
  return HistogramCount(pod, Histogram::kMonovtxSink, t);
}

double SinkSum(const PodModel& pod, TimePoint t) {
  return HistogramSum(pod, Histogram::kMonovtxSink, t);
}

}  // namespace nfmetrics::synth
