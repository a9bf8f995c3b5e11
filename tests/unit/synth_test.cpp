// Specifies the synthetic NumaFlow data: a model whose quantile buckets are unambiguous, and
// OpenMetrics/exposition text that promtool and Prometheus accept and that agree with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "synth/exporter.hpp"
#include "synth/model.hpp"
#include "synth/openmetrics.hpp"

namespace nfmetrics::synth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::array<Histogram, kMonoVertexHistograms.size() + kVertexHistograms.size()>
    kAllHistograms = [] {
      std::array<Histogram, kMonoVertexHistograms.size() + kVertexHistograms.size()> all{};
      std::size_t i = 0;
      for (Histogram h : kMonoVertexHistograms) all[i++] = h;
      for (Histogram h : kVertexHistograms) all[i++] = h;
      return all;
    }();
const TimePoint kT0 = kCounterEpoch + std::chrono::days(700) + Duration{123};

struct Sample {
  std::string name;    // e.g. monovtx_sink_time_bucket
  std::string labels;  // {...} as written
  std::string series;  // name + labels
  double value = 0;
  std::optional<double> timestamp;
};

// Splits "name{labels} value [timestamp]". Label values in the model never contain spaces or '}'.
Sample ParseSample(const std::string& line) {
  Sample sample;
  const std::size_t brace = line.find('{');
  const std::size_t close = line.find('}');
  EXPECT_NE(brace, std::string::npos) << line;
  EXPECT_NE(close, std::string::npos) << line;
  sample.name = line.substr(0, brace);
  sample.labels = line.substr(brace, close - brace + 1);
  sample.series = line.substr(0, close + 1);
  std::istringstream rest(line.substr(close + 1));
  rest >> sample.value;
  double ts = 0;
  if (rest >> ts) sample.timestamp = ts;
  std::string extra;
  EXPECT_FALSE(rest >> extra) << "trailing text in: " << line;
  return sample;
}

std::string Label(const std::string& labels, const std::string& key) {
  const std::string needle = key + "=\"";
  std::size_t pos = labels.find(needle);
  if (pos != std::string::npos && pos > 0 && labels[pos - 1] != '{' && labels[pos - 1] != ',') {
    pos = labels.find("," + needle);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos) return {};
  pos += needle.size();
  return labels.substr(pos, labels.find('"', pos) - pos);
}

std::string WithoutLe(const std::string& series) {
  return std::regex_replace(series, std::regex(R"(,le="[^"]*")"), "");
}

void Lines(const std::string& text, std::vector<std::string>& lines) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
}

std::string OpenMetrics(TimePoint start, TimePoint end, Duration interval) {
  std::ostringstream out;
  WriteOpenMetrics(out, start, end, interval);
  return out.str();
}

TEST(SynthModel, IsUnambiguousBoundNeedsTheMarginOnBothSides) {
  EXPECT_TRUE(IsUnambiguousBound(0.47, 0.5));
  EXPECT_FALSE(IsUnambiguousBound(0.49, 0.5));
  EXPECT_FALSE(IsUnambiguousBound(0.51, 0.5));
  EXPECT_TRUE(IsUnambiguousBound(0.53, 0.5));
  EXPECT_FALSE(IsUnambiguousBound(0.98, 0.99));
  EXPECT_FALSE(IsUnambiguousBound(0.995, 0.99));  // above q but not saturated
  EXPECT_TRUE(IsUnambiguousBound(0.9995, 0.99));
  EXPECT_TRUE(IsUnambiguousBound(0.96, 0.99));
}

// Every bucket bound of every histogram of every pod, MonoVertex and vertex.
template <class Group>
void ExpectUnambiguous(const Group& group, const std::string& what) {
  for (Histogram histogram : kAllHistograms) {
    if (!HasHistogram(group, histogram)) continue;
    for (double q : kCheckedQuantiles) {
      for (double le : BucketBoundsUs(histogram)) {
        const double cdf = HistogramCdf(group, histogram, le);
        EXPECT_TRUE(IsUnambiguousBound(cdf, q))
            << what << " " << MetricName(histogram) << " q=" << q << " le=" << le << " cdf=" << cdf;
        for (const PodModel& pod : group.pods) {
          if (!HasHistogram(pod, histogram)) continue;
          const double pod_cdf = HistogramCdf(pod, histogram, le);
          EXPECT_TRUE(IsUnambiguousBound(pod_cdf, q))
              << pod.name << " " << MetricName(histogram) << " q=" << q << " le=" << le
              << " cdf=" << pod_cdf;
        }
      }
    }
  }
}

TEST(SynthModel, CheckedQuantilesAreUnambiguousForEveryPodAndMixture) {
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (double q : kCheckedQuantiles) {
      for (double le : kSinkBucketsUs) {
        EXPECT_TRUE(IsUnambiguousBound(SinkCdf(mvtx, le), q))
            << mvtx.ns << "/" << mvtx.name << " q=" << q << " le=" << le
            << " cdf=" << SinkCdf(mvtx, le);
        for (const PodModel& pod : mvtx.pods) {
          EXPECT_TRUE(IsUnambiguousBound(SinkCdf(pod, le), q))
              << pod.name << " q=" << q << " le=" << le << " cdf=" << SinkCdf(pod, le);
        }
      }
    }
  }
}

TEST(SynthModel, CheckedQuantilesAreUnambiguousForEveryHistogram) {
  for (const MonoVertexModel& mvtx : DefaultModel())
    ExpectUnambiguous(mvtx, mvtx.ns + "/" + mvtx.name);
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) {
      ExpectUnambiguous(vertex, pipeline.ns + "/" + pipeline.name + "/" + vertex.name);
    }
  }
}

TEST(SynthModel, QuantileBucketHoldsTheQuantile) {
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (double q : kCheckedQuantiles) {
      const auto [lower, upper] = QuantileBucket(mvtx, q);
      EXPECT_LT(SinkCdf(mvtx, lower), q) << mvtx.name;
      EXPECT_GE(SinkCdf(mvtx, upper), q) << mvtx.name;
      EXPECT_LT(upper, kInf);
    }
  }
  const PodModel& fast = DefaultModel()[0].pods[0];  // default/orders, median 2.4 ms
  EXPECT_EQ(QuantileBucket(fast, 0.5), std::make_pair(592.507, 3510.647));
  EXPECT_EQ(QuantileBucket(fast, 0.99), std::make_pair(3510.647, 20800.838));
  EXPECT_EQ(QuantileBucket(DefaultModel()[0], 0.5), std::make_pair(3510.647, 20800.838));
}

// QuantileBucket and ExpectedQuantileUs of one pod or group against its own CDF.
template <class Group>
void ExpectQuantileInBucket(const Group& group, Histogram histogram, double q,
                            const std::string& what) {
  const auto [lower, upper] = QuantileBucket(group, histogram, q);
  EXPECT_LT(HistogramCdf(group, histogram, lower), q) << what;
  EXPECT_GE(HistogramCdf(group, histogram, upper), q) << what;
  EXPECT_LT(upper, kInf) << what;
  const double expected = ExpectedQuantileUs(group, histogram, q);
  EXPECT_GT(expected, lower) << what;
  EXPECT_LE(expected, upper) << what;
}

TEST(SynthModel, QuantileBucketAndExpectedQuantileHoldTheQuantileOfEveryHistogram) {
  std::size_t checked = 0;
  auto check = [&](const auto& group, const std::string& what) {
    for (Histogram histogram : kAllHistograms) {
      if (!HasHistogram(group, histogram)) continue;
      for (double q : kCheckedQuantiles) {
        const std::string where =
            what + " " + std::string(MetricName(histogram)) + " q=" + std::to_string(q);
        ExpectQuantileInBucket(group, histogram, q, where);
        for (const PodModel& pod : group.pods) {
          if (HasHistogram(pod, histogram))
            ExpectQuantileInBucket(pod, histogram, q, pod.name + where);
        }
        ++checked;
      }
    }
  };
  for (const MonoVertexModel& mvtx : DefaultModel()) check(mvtx, mvtx.ns + "/" + mvtx.name);
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) check(vertex, vertex.name);
  }
  EXPECT_GT(checked, 100u);
  // The sink shorthands are the generic functions for monovtx_sink_time.
  const MonoVertexModel& orders = DefaultModel()[0];
  EXPECT_EQ(QuantileBucket(orders, Histogram::kMonovtxSink, 0.9), QuantileBucket(orders, 0.9));
  EXPECT_EQ(SinkCdf(orders.pods[1], 5000),
            HistogramCdf(orders.pods[1], Histogram::kMonovtxSink, 5000));
}

TEST(SynthModel, ExpectedQuantileInterpolatesLikeHistogramQuantile) {
  const PodModel& fast = DefaultModel()[0].pods[0];  // sink p50 in (592.507, 3510.647]
  const double below = SinkCdf(fast, 592.507);
  const double at_upper = SinkCdf(fast, 3510.647);
  EXPECT_DOUBLE_EQ(ExpectedQuantileUs(fast, Histogram::kMonovtxSink, 0.5),
                   592.507 + (3510.647 - 592.507) * (0.5 - below) / (at_upper - below));
}

// Every histogram of a MonoVertex or vertex lands in its own buckets, so a query for the wrong
// metric gives a different answer.
template <class Group>
void ExpectDistinctBuckets(const Group& group, const std::string& what) {
  std::map<std::vector<std::pair<double, double>>, Histogram> seen;
  for (Histogram histogram : kAllHistograms) {
    if (!HasHistogram(group, histogram)) continue;
    std::vector<std::pair<double, double>> buckets;
    for (double q : kCheckedQuantiles) {
      buckets.push_back(QuantileBucket(group, histogram, q));
      for (const PodModel& pod : group.pods) buckets.push_back(QuantileBucket(pod, histogram, q));
    }
    const auto [it, inserted] = seen.emplace(buckets, histogram);
    EXPECT_TRUE(inserted) << what << ": " << MetricName(histogram) << " has the buckets of "
                          << MetricName(it->second);
  }
}

TEST(SynthModel, EveryHistogramOfAMonoVertexOrVertexHasItsOwnBuckets) {
  for (const MonoVertexModel& mvtx : DefaultModel()) ExpectDistinctBuckets(mvtx, mvtx.name);
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) ExpectDistinctBuckets(vertex, vertex.name);
  }
}

TEST(SynthModel, PodsOfOneMonoVertexHaveDifferentLatencies) {
  const World world = DefaultWorld(kT0);
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    ASSERT_GE(mvtx.pods.size(), 3u) << mvtx.name;
    std::set<std::pair<double, double>> p50_buckets;
    for (const PodModel& pod : mvtx.pods) p50_buckets.insert(QuantileBucket(pod, 0.5));
    // The peers of a slow pod, or of one that slows down in the incident, are alike on purpose;
    // the slow pod stands apart (see below).
    const bool has_outlier = SlowPod(mvtx) != nullptr || IncidentPod(mvtx) != nullptr;
    EXPECT_GE(p50_buckets.size(), has_outlier ? 2u : 3u) << mvtx.ns << "/" << mvtx.name;
  }
}

const MonoVertexModel& Mvtx(std::string_view ns, std::string_view name) {
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    if (mvtx.ns == ns && mvtx.name == name) return mvtx;
  }
  throw std::runtime_error("no such MonoVertex");
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// What an outlier detector sees: the slow pod is far above the median of its peers in every
// histogram, by its mean and by every checked quantile as histogram_quantile computes it, and the
// peers are close to each other.
TEST(SynthModel, RefundsHasOneSlowPodTenTimesItsPeersInEveryHistogram) {
  const MonoVertexModel& refunds = Mvtx("payments", "refunds");
  ASSERT_EQ(refunds.pods.size(), 4u);
  const PodModel* slow = SlowPod(refunds);
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(std::count_if(refunds.pods.begin(), refunds.pods.end(),
                          [](const PodModel& pod) { return pod.slow; }),
            1);
  std::size_t histograms = 0;
  for (Histogram histogram : kMonoVertexHistograms) {
    if (!HasHistogram(refunds, histogram)) continue;
    ++histograms;
    SCOPED_TRACE(MetricName(histogram));
    ASSERT_TRUE(HasHistogram(*slow, histogram));
    auto figures = [&](auto figure) {
      std::vector<double> peers;
      for (const PodModel& pod : refunds.pods) {
        if (!pod.slow) peers.push_back(figure(pod));
      }
      const double peer_median = Median(peers);
      EXPECT_GT(figure(*slow), 3 * peer_median);
      const auto [low, high] = std::minmax_element(peers.begin(), peers.end());
      EXPECT_LE(*high / *low, 1.5);
      return figure(*slow) / peer_median;
    };
    const double median_ratio =
        figures([&](const PodModel& pod) { return LatencyOf(pod, histogram).median_us; });
    EXPECT_GE(median_ratio, 8);
    EXPECT_LE(median_ratio, 12.5);
    figures([&](const PodModel& pod) { return MeanUs(pod, histogram); });
    for (double q : kCheckedQuantiles) {
      SCOPED_TRACE(q);
      figures([&](const PodModel& pod) { return ExpectedQuantileUs(pod, histogram, q); });
    }
  }
  EXPECT_GE(histograms, 5u);
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    if (&mvtx != &refunds) {
      EXPECT_EQ(SlowPod(mvtx), nullptr) << mvtx.name;
    }
  }
}

TEST(SynthModel, MonoVerticesExportTheHistogramsNumaflowHas) {
  using H = Histogram;
  std::map<H, int> mvtx_count;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (H histogram : kMonoVertexHistograms) {
      if (HasHistogram(mvtx, histogram)) ++mvtx_count[histogram];
    }
    for (const PodModel& pod : mvtx.pods) {
      for (H always : {H::kMonovtxProcessing, H::kMonovtxRead, H::kMonovtxAck, H::kMonovtxSink}) {
        EXPECT_TRUE(HasHistogram(pod, always)) << pod.name << " " << MetricName(always);
      }
      for (const auto& [histogram, latency] : pod.histograms) {
        EXPECT_TRUE(IsMonoVertexHistogram(histogram)) << pod.name;
        EXPECT_TRUE(HasHistogram(mvtx, histogram));
        // A MonoVertex's pods export the same histograms.
        for (const PodModel& peer : mvtx.pods) EXPECT_TRUE(HasHistogram(peer, histogram));
      }
      EXPECT_EQ(pod.median_us, LatencyOf(pod, H::kMonovtxSink).median_us);
      EXPECT_EQ(pod.sigma, LatencyOf(pod, H::kMonovtxSink).sigma);
    }
  }
  const int total = static_cast<int>(DefaultModel().size());
  EXPECT_EQ(mvtx_count[H::kMonovtxSink], total);
  for (H some : {H::kMonovtxTransformer, H::kMonovtxUdf}) {
    EXPECT_GE(mvtx_count[some], 1) << MetricName(some);
    EXPECT_LT(mvtx_count[some], total) << MetricName(some);
  }
  for (H rare : {H::kMonovtxNack, H::kMonovtxFallbackSink, H::kMonovtxOnSuccessSink}) {
    EXPECT_GE(mvtx_count[rare], 1) << MetricName(rare);
  }
  EXPECT_TRUE(HasHistogram(Mvtx("default", "orders"), H::kMonovtxFallbackSink));
  EXPECT_FALSE(HasHistogram(Mvtx("default", "orders"), H::kMonovtxUdf));
  // Fallback writes happen for some batches only: fewer observations than sink writes.
  const PodModel& orders0 = Mvtx("default", "orders").pods[0];
  EXPECT_LT(ObservationsPerSecond(orders0, H::kMonovtxFallbackSink),
            ObservationsPerSecond(orders0, H::kMonovtxSink));
  EXPECT_THROW(LatencyOf(orders0, H::kMonovtxUdf), std::out_of_range);
}

TEST(SynthModel, ShopPipelineHasASourceAMapUdfAndASink) {
  using H = Histogram;
  ASSERT_EQ(DefaultPipelines().size(), 1u);
  const PipelineModel& shop = DefaultPipelines()[0];
  EXPECT_EQ(shop.ns, "default");
  EXPECT_EQ(shop.name, "shop");
  ASSERT_EQ(shop.vertices.size(), 3u);
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"in", "Source", "in"},
      {"enrich", "MapUDF", "default-shop-enrich-0"},
      {"out", "Sink", "default-shop-out-0"}};
  std::set<std::string> names;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const VertexModel& vertex = shop.vertices[i];
    EXPECT_EQ(std::tie(vertex.name, vertex.type, vertex.partition_name), expected[i]);
    ASSERT_EQ(vertex.pods.size(), 2u);
    for (const PodModel& pod : vertex.pods) {
      EXPECT_TRUE(std::regex_match(
          pod.name, std::regex("shop-" + vertex.name + "-" + std::to_string(pod.replica) +
                               "-[bcdfghjklmnpqrstvwxz2456789]{5}")))
          << pod.name;
      EXPECT_TRUE(names.insert(pod.name).second) << pod.name;
      for (H always :
           {H::kForwarderRead, H::kForwarderWrite, H::kForwarderProcessing, H::kForwarderAck}) {
        EXPECT_TRUE(HasHistogram(pod, always)) << pod.name << " " << MetricName(always);
      }
      EXPECT_EQ(HasHistogram(pod, H::kForwarderUdf), vertex.type == "MapUDF") << pod.name;
      for (const auto& [histogram, latency] : pod.histograms) {
        EXPECT_FALSE(IsMonoVertexHistogram(histogram)) << pod.name;
      }
      EXPECT_EQ(pod.median_us, LatencyOf(pod, H::kForwarderWrite).median_us);
    }
    // Two replicas with different latencies, so a per-pod answer shows which is which.
    int different = 0;
    for (Histogram histogram : kVertexHistograms) {
      if (!HasHistogram(vertex, histogram)) continue;
      for (double q : kCheckedQuantiles) {
        different += QuantileBucket(vertex.pods[0], histogram, q) !=
                     QuantileBucket(vertex.pods[1], histogram, q);
      }
    }
    EXPECT_GE(different, 4) << vertex.name;
  }
  EXPECT_TRUE(std::regex_match(shop.daemon_pod, std::regex("shop-daemon-[a-z0-9]{10}-[a-z0-9]{5}")))
      << shop.daemon_pod;
}

TEST(SynthModel, HistogramNamesAndBucketBounds) {
  for (Histogram histogram : kAllHistograms) {
    const std::string name(MetricName(histogram));
    EXPECT_EQ(FindHistogram(name), histogram) << name;
    EXPECT_EQ(FindHistogram(name + "_bucket"), histogram) << name;
    EXPECT_EQ(FindHistogram(name + "_count"), histogram) << name;
    EXPECT_EQ(IsMonoVertexHistogram(histogram), name.starts_with("monovtx_")) << name;
    EXPECT_EQ(&BucketBoundsUs(histogram),
              IsMonoVertexHistogram(histogram) ? &kSinkBucketsUs : &kForwarderBucketsUs);
  }
  EXPECT_EQ(FindHistogram("monovtx_sink_time_bucket"), Histogram::kMonovtxSink);
  EXPECT_EQ(FindHistogram("forwarder_write_processing_time"), Histogram::kForwarderWrite);
  EXPECT_EQ(FindHistogram("monovtx_sink_time_total"), std::nullopt);
  EXPECT_EQ(FindHistogram("forwarder_data_read_total"), std::nullopt);
  // Both are NumaFlow's exponential ranges from 100 µs in 10 steps, rounded to 3 decimals.
  for (const auto& [bounds, top] :
       {std::pair{&kSinkBucketsUs, 9e8}, std::pair{&kForwarderBucketsUs, 1.2e9}}) {
    for (std::size_t i = 0; i < bounds->size(); ++i) {
      const double exact = 100 * std::pow(top / 100, static_cast<double>(i) / 9);
      EXPECT_NEAR((*bounds)[i], exact, 0.0005 + 1e-12 * exact) << i;
    }
  }
}

TEST(SynthModel, HasTwoNamespacesASharedNameAndAPrefixName) {
  std::set<std::string> namespaces;
  std::map<std::string, int> name_count;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    namespaces.insert(mvtx.ns);
    ++name_count[mvtx.name];
  }
  EXPECT_EQ(namespaces.size(), 2u);
  EXPECT_EQ(name_count["orders"], 2);
  EXPECT_GE(name_count["orders-sink"], 1);
  // Same name, different namespaces: the answers must differ so a namespace leak shows.
  EXPECT_NE(QuantileBucket(Mvtx("default", "orders"), 0.5),
            QuantileBucket(Mvtx("payments", "orders"), 0.5));
}

TEST(SynthModel, PodNamesFollowNumaflowPatternAndAreUnique) {
  std::set<std::string> names;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const PodModel& pod : mvtx.pods) {
      const std::regex pattern(mvtx.name + "-mv-" + std::to_string(pod.replica) + "-[a-z0-9]{5}");
      EXPECT_TRUE(std::regex_match(pod.name, pattern)) << pod.name;
      EXPECT_TRUE(names.insert(mvtx.ns + "/" + pod.name).second) << pod.name;
    }
    EXPECT_TRUE(std::regex_match(mvtx.daemon_pod,
                                 std::regex(mvtx.name + "-mv-daemon-[a-z0-9]+-[a-z0-9]{5}")))
        << mvtx.daemon_pod;
  }
  EXPECT_NE(Mvtx("default", "orders").pods[0].name, Mvtx("payments", "orders").pods[0].name);
}

TEST(SynthModel, CountersGrowAtTheBatchRateFromAbsoluteTime) {
  const PodModel& pod = DefaultModel()[1].pods[1];
  EXPECT_EQ(SinkCount(pod, kCounterEpoch - seconds(5)), 0u);
  const std::uint64_t before = SinkCount(pod, kT0);
  const std::uint64_t after = SinkCount(pod, kT0 + minutes(1));
  EXPECT_NEAR(static_cast<double>(after - before), BatchesBetween(pod, kT0, kT0 + minutes(1)), 1.0);
  EXPECT_NEAR(BatchesBetween(pod, kT0, kT0 + minutes(1)),
              60 * pod.batches_per_second * MeanLoad(kT0, kT0 + minutes(1)), 1e-6);
  EXPECT_EQ(SinkBucketCount(pod, kSinkBucketsUs.size(), kT0), before);
  EXPECT_NEAR(SinkSum(pod, kT0) / static_cast<double>(before), SinkMeanUs(pod), 1e-6);
}

// Checks the structure promtool needs and the invariants of Prometheus counters and histograms.
TEST(SynthOpenMetrics, IsWellFormedAndMonotone) {
  const TimePoint start = kT0;
  const TimePoint end = kT0 + minutes(30);
  std::vector<std::string> lines;
  Lines(OpenMetrics(start, end, seconds(15)), lines);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "# EOF");

  std::set<std::string> families_seen;
  std::string family;
  std::string family_type;
  std::set<std::string> series_done;
  std::set<std::string> gauges;
  std::string current_series;
  std::map<std::string, std::vector<std::pair<double, double>>> samples;  // series -> (ts, value)
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    ASSERT_NE(line, "# EOF") << "EOF before the end, line " << i;
    if (line.starts_with("# HELP ")) continue;
    if (line.starts_with("# TYPE ")) {
      std::istringstream in(line.substr(7));
      in >> family >> family_type;
      EXPECT_TRUE(families_seen.insert(family).second) << "family split: " << family;
      continue;
    }
    const Sample sample = ParseSample(line);
    ASSERT_TRUE(sample.name.starts_with(family)) << sample.name << " outside family " << family;
    if (family_type == "histogram") {
      const std::string suffix = sample.name.substr(family.size());
      EXPECT_TRUE(suffix == "_bucket" || suffix == "_sum" || suffix == "_count") << sample.name;
    } else if (family_type == "counter") {
      EXPECT_EQ(sample.name, family + "_total");
    } else {
      EXPECT_EQ(sample.name, family);
    }
    if (family_type == "gauge") gauges.insert(sample.series);
    if (sample.series != current_series) {
      EXPECT_TRUE(series_done.insert(sample.series).second) << "series split: " << sample.series;
      current_series = sample.series;
    }
    ASSERT_TRUE(sample.timestamp.has_value()) << line;
    samples[sample.series].emplace_back(*sample.timestamp, sample.value);
  }
  EXPECT_TRUE(families_seen.contains("monovtx_sink_time"));
  EXPECT_TRUE(families_seen.contains("monovtx_pending"));
  for (Histogram histogram : kAllHistograms) {
    EXPECT_TRUE(families_seen.contains(std::string(MetricName(histogram))))
        << MetricName(histogram);
  }
  for (const char* other :
       {"monovtx_read", "monovtx_ack", "monovtx_pending_raw", "forwarder_data_read",
        "vertex_pending_messages", "monovtx_sink_write", "monovtx_udf_error", "monovtx_udf_drop",
        "forwarder_write", "forwarder_udf_read", "forwarder_udf_write",
        "namespace_pod_cpu_utilization", "namespace_pod_memory_utilization",
        "namespace_app_container_cpu_utilization", "namespace_app_container_memory_utilization"}) {
    EXPECT_TRUE(families_seen.contains(other)) << other;
  }

  // (series without le, timestamp) -> [(le, count)], and _count per series and timestamp.
  // Histogram series are keyed with their _bucket name.
  std::map<std::pair<std::string, double>, std::vector<std::pair<double, double>>> buckets;
  std::map<std::pair<std::string, double>, double> counts;
  for (const auto& [series, points] : samples) {
    ASSERT_EQ(points.size(), 121u) << series;
    EXPECT_DOUBLE_EQ(points.front().first,
                     std::chrono::duration<double>(start.time_since_epoch()).count());
    for (std::size_t i = 1; i < points.size(); ++i) {
      EXPECT_LT(points[i - 1].first, points[i].first) << series;
      if (!gauges.contains(series)) {
        EXPECT_LE(points[i - 1].second, points[i].second) << "counter decreased: " << series;
      }
    }
    const Sample parsed = ParseSample(series + " 0");
    const std::string base = WithoutLe(series);
    for (const auto& [ts, value] : points) {
      if (parsed.name.ends_with("_bucket")) {
        const std::string le = Label(parsed.labels, "le");
        buckets[{base, ts}].emplace_back(le == "+Inf" ? kInf : std::stod(le), value);
      } else if (parsed.name.ends_with("_count")) {
        counts[{std::regex_replace(base, std::regex("_count\\{"), "_bucket{"), ts}] = value;
      }
    }
  }
  ASSERT_FALSE(buckets.empty());
  for (auto& [key, by_le] : buckets) {
    std::sort(by_le.begin(), by_le.end());
    const std::optional<Histogram> histogram = FindHistogram(ParseSample(key.first + " 0").name);
    ASSERT_TRUE(histogram.has_value()) << key.first;
    const auto& bounds = BucketBoundsUs(*histogram);
    ASSERT_EQ(by_le.size(), bounds.size() + 1) << key.first;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      EXPECT_EQ(by_le[i].first, bounds[i]) << key.first;  // the le text parses back exactly
    }
    for (std::size_t i = 1; i < by_le.size(); ++i) {
      EXPECT_LE(by_le[i - 1].second, by_le[i].second) << key.first << " le=" << by_le[i].first;
    }
    ASSERT_TRUE(counts.contains(key)) << key.first;
    EXPECT_EQ(counts[key], by_le.back().second) << "_count != +Inf bucket: " << key.first;
  }
}

TEST(SynthOpenMetrics, DaemonPodExportsPendingButNoSinkHistogram) {
  std::vector<std::string> lines;
  Lines(OpenMetrics(kT0, kT0 + minutes(1), seconds(15)), lines);
  std::set<std::string> daemon_pods;
  for (const MonoVertexModel& mvtx : DefaultModel()) daemon_pods.insert(mvtx.daemon_pod);
  for (const PipelineModel& pipeline : DefaultPipelines()) daemon_pods.insert(pipeline.daemon_pod);
  std::set<std::string> pending_periods;
  std::set<std::tuple<std::string, std::string, std::string>> vertex_pending;
  int sink_series_lines = 0;
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    const bool daemon = daemon_pods.contains(Label(sample.labels, "pod"));
    if (sample.name.starts_with("monovtx_sink_time")) {
      ++sink_series_lines;
      EXPECT_FALSE(Label(sample.labels, "mvtx_replica").empty()) << line;
    }
    if (sample.name.ends_with("_bucket") || sample.name.ends_with("_total")) {
      EXPECT_FALSE(daemon) << line;
    }
    if (sample.name == "monovtx_pending") {
      EXPECT_TRUE(daemon) << line;
      pending_periods.insert(Label(sample.labels, "period"));
    }
    if (sample.name == "vertex_pending_messages") {
      EXPECT_EQ(Label(sample.labels, "pod"), DefaultPipelines()[0].daemon_pod) << line;
      vertex_pending.emplace(Label(sample.labels, "vertex"), Label(sample.labels, "partition_name"),
                             Label(sample.labels, "period"));
    }
  }
  EXPECT_GT(sink_series_lines, 0);
  EXPECT_EQ(pending_periods, (std::set<std::string>{"1m", "5m", "15m", "default"}));
  std::set<std::tuple<std::string, std::string, std::string>> expected;
  for (const VertexModel& vertex : DefaultPipelines()[0].vertices) {
    for (const char* period : {"1m", "5m", "15m", "default"}) {
      expected.emplace(vertex.name, vertex.partition_name, period);
    }
  }
  EXPECT_EQ(vertex_pending, expected);
}

// {k="v",...} -> map; label values in the model contain no quotes or commas.
std::map<std::string, std::string> LabelMap(const std::string& labels) {
  std::map<std::string, std::string> out;
  static const std::regex kPair(R"re(([a-z_]+)="([^"]*)")re");
  for (std::sregex_iterator it(labels.begin(), labels.end(), kPair), end; it != end; ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

std::set<std::string> Keys(const std::map<std::string, std::string>& labels) {
  std::set<std::string> keys;
  for (const auto& [key, value] : labels) keys.insert(key);
  return keys;
}

// Where a pod of the model sits: its MonoVertex or vertex (one of the two is set).
struct PodPlace {
  const PodModel* pod = nullptr;
  const MonoVertexModel* mvtx = nullptr;
  const PipelineModel* pipeline = nullptr;
  const VertexModel* vertex = nullptr;
};

std::map<std::pair<std::string, std::string>, PodPlace> PodsByNamespaceAndName() {
  std::map<std::pair<std::string, std::string>, PodPlace> out;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const PodModel& pod : mvtx.pods) out[{mvtx.ns, pod.name}] = {&pod, &mvtx};
  }
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) {
        out[{pipeline.ns, pod.name}] = {&pod, nullptr, &pipeline, &vertex};
      }
    }
  }
  return out;
}

TEST(SynthOpenMetrics, ExportsExactlyTheModelsHistogramsWithNumaflowLabels) {
  std::vector<std::string> lines;
  Lines(OpenMetrics(kT0, kT0, seconds(15)), lines);
  const auto pods = PodsByNamespaceAndName();
  const std::set<std::string> mvtx_keys = {"namespace", "pod", "mvtx_name", "mvtx_replica"};
  const std::set<std::string> vertex_keys = {"namespace",   "pod",     "pipeline",      "vertex",
                                             "vertex_type", "replica", "partition_name"};
  std::set<std::pair<std::string, Histogram>> exported;  // (pod, histogram)
  std::set<std::string> data_read_pods;
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    const auto labels = LabelMap(sample.labels);
    if (sample.name == "forwarder_data_read_total") {
      EXPECT_EQ(Keys(labels), vertex_keys) << line;
      data_read_pods.insert(labels.at("pod"));
    }
    if (!sample.name.ends_with("_count")) continue;
    const std::optional<Histogram> histogram = FindHistogram(sample.name);
    ASSERT_TRUE(histogram.has_value()) << line;
    ASSERT_TRUE(pods.contains({labels.at("namespace"), labels.at("pod")})) << line;
    const PodPlace& place = pods.at({labels.at("namespace"), labels.at("pod")});
    EXPECT_TRUE(exported.emplace(place.pod->name, *histogram).second) << line;
    EXPECT_EQ(labels.at("namespace"), place.mvtx ? place.mvtx->ns : place.pipeline->ns);
    if (place.mvtx) {
      EXPECT_EQ(Keys(labels), mvtx_keys) << line;
      EXPECT_EQ(labels.at("mvtx_name"), place.mvtx->name) << line;
      EXPECT_EQ(labels.at("mvtx_replica"), std::to_string(place.pod->replica)) << line;
    } else {
      EXPECT_EQ(Keys(labels), vertex_keys) << line;
      EXPECT_EQ(labels.at("pipeline"), place.pipeline->name) << line;
      EXPECT_EQ(labels.at("vertex"), place.vertex->name) << line;
      EXPECT_EQ(labels.at("vertex_type"), place.vertex->type) << line;
      EXPECT_EQ(labels.at("replica"), std::to_string(place.pod->replica)) << line;
      EXPECT_EQ(labels.at("partition_name"), place.vertex->partition_name) << line;
    }
    EXPECT_EQ(sample.value, static_cast<double>(HistogramCount(*place.pod, *histogram, kT0)));
  }
  std::set<std::pair<std::string, Histogram>> expected;
  std::set<std::string> vertex_pods;
  for (const auto& [key, place] : pods) {
    for (const auto& [histogram, latency] : place.pod->histograms) {
      expected.emplace(place.pod->name, histogram);
    }
    if (place.vertex) vertex_pods.insert(place.pod->name);
  }
  EXPECT_EQ(exported, expected);
  EXPECT_EQ(data_read_pods, vertex_pods);
}

// Prometheus's histogram_quantile on cumulative (le, count) pairs sorted by le, +Inf last.
double HistogramQuantile(double q, const std::vector<std::pair<double, double>>& buckets) {
  const double rank = q * buckets.back().second;
  double lower = 0;
  double below = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const auto [le, count] = buckets[i];
    if (count >= rank) {
      if (std::isinf(le)) return buckets[i - 1].first;
      return lower + (le - lower) * (rank - below) / (count - below);
    }
    lower = le;
    below = count;
  }
  return kInf;
}

// The model is the source of truth: the quantile of the exported bucket increases over a rate
// window, per pod and summed per MonoVertex or vertex, is the one the model predicts.
TEST(SynthOpenMetrics, BucketRatesGiveTheModelsQuantiles) {
  std::vector<std::string> lines;
  Lines(OpenMetrics(kT0, kT0 + minutes(5), minutes(5)), lines);
  const auto pods = PodsByNamespaceAndName();
  using Key = std::tuple<Histogram, const void*, const PodModel*>;  // group, pod (null: all pods)
  std::map<Key, std::map<double, double>> increase;                 // le -> count increase
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    if (!sample.name.ends_with("_bucket")) continue;
    const auto labels = LabelMap(sample.labels);
    const PodPlace& place = pods.at({labels.at("namespace"), labels.at("pod")});
    const Histogram histogram = *FindHistogram(sample.name);
    const double le = labels.at("le") == "+Inf" ? kInf : std::stod(labels.at("le"));
    // Samples come in time order: the first is subtracted, the second added.
    const double sign =
        *sample.timestamp == std::chrono::duration<double>(kT0.time_since_epoch()).count() ? -1 : 1;
    const void* group = place.mvtx ? static_cast<const void*>(place.mvtx) : place.vertex;
    increase[{histogram, group, place.pod}][le] += sign * sample.value;
    increase[{histogram, group, nullptr}][le] += sign * sample.value;
  }
  std::size_t checked = 0;
  for (const auto& [key, by_le] : increase) {
    const auto& [histogram, group, pod] = key;
    const std::vector<std::pair<double, double>> buckets(by_le.begin(), by_le.end());
    for (double q : kCheckedQuantiles) {
      const double got = HistogramQuantile(q, buckets);
      std::pair<double, double> bucket;
      double expected = 0;
      std::string what;
      if (pod != nullptr) {
        bucket = QuantileBucket(*pod, histogram, q);
        expected = ExpectedQuantileUs(*pod, histogram, q);
        what = pod->name;
      } else if (IsMonoVertexHistogram(histogram)) {
        const auto& mvtx = *static_cast<const MonoVertexModel*>(group);
        bucket = QuantileBucket(mvtx, histogram, q);
        expected = ExpectedQuantileUs(mvtx, histogram, q);
        what = mvtx.ns + "/" + mvtx.name;
      } else {
        const auto& vertex = *static_cast<const VertexModel*>(group);
        bucket = QuantileBucket(vertex, histogram, q);
        expected = ExpectedQuantileUs(vertex, histogram, q);
        what = vertex.name;
      }
      SCOPED_TRACE(what + " " + std::string(MetricName(histogram)) + " q=" + std::to_string(q));
      EXPECT_GT(got, bucket.first);
      EXPECT_LE(got, bucket.second);
      EXPECT_NEAR(got, expected, 0.01 * (bucket.second - bucket.first));
      ++checked;
    }
  }
  EXPECT_GT(checked, 500u);
}

TEST(SynthOpenMetrics, CountersAndGaugesCoverEveryPod) {
  std::vector<std::string> lines;
  Lines(OpenMetrics(kT0, kT0, seconds(15)), lines);
  std::map<std::string, std::set<std::string>> pods_by_metric;
  std::map<std::string, double> read;
  std::map<std::string, double> ack;
  std::map<std::string, double> cpu;
  std::set<std::pair<std::string, std::string>> containers;
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    const auto labels = LabelMap(sample.labels);
    pods_by_metric[sample.name].insert(labels.at("pod"));
    if (sample.name == "monovtx_read_total") read[labels.at("pod")] = sample.value;
    if (sample.name == "monovtx_ack_total") ack[labels.at("pod")] = sample.value;
    if (sample.name == "namespace_pod_cpu_utilization") cpu[labels.at("pod")] = sample.value;
    if (sample.name.starts_with("namespace_app_container_")) {
      containers.emplace(labels.at("pod"), labels.at("container"));
    }
    if (sample.name.find("utilization") != std::string::npos) {
      EXPECT_GT(sample.value, 0) << line;
      EXPECT_LT(sample.value, 100) << line;
    }
  }
  std::set<std::string> mvtx_pods;
  std::set<std::string> all_pods;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const PodModel& pod : mvtx.pods) {
      mvtx_pods.insert(pod.name);
      all_pods.insert(pod.name);
      EXPECT_TRUE(containers.contains({pod.name, "numa"})) << pod.name;
      EXPECT_EQ(containers.contains({pod.name, "udf"}), HasHistogram(pod, Histogram::kMonovtxUdf));
    }
    all_pods.insert(mvtx.daemon_pod);
  }
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) all_pods.insert(pod.name);
    }
    all_pods.insert(pipeline.daemon_pod);
  }
  EXPECT_EQ(pods_by_metric["monovtx_read_total"], mvtx_pods);
  EXPECT_EQ(pods_by_metric["monovtx_ack_total"], mvtx_pods);
  EXPECT_EQ(pods_by_metric["monovtx_pending_raw"], mvtx_pods);
  EXPECT_EQ(pods_by_metric["namespace_pod_cpu_utilization"], all_pods);
  EXPECT_EQ(pods_by_metric["namespace_pod_memory_utilization"], all_pods);
  for (const auto& [pod, messages] : read) {
    EXPECT_LE(ack[pod], messages) << pod;
    EXPECT_GT(ack[pod], messages * 0.99) << pod;
  }
  // The slow pod is also the busiest.
  const MonoVertexModel& refunds = Mvtx("payments", "refunds");
  for (const PodModel& pod : refunds.pods) {
    if (!pod.slow) {
      EXPECT_GT(cpu[SlowPod(refunds)->name], 2 * cpu[pod.name]) << pod.name;
    }
  }
}

// The counters NumaFlow's default metrics-proxy configuration charts beside the read rate: sink
// writes of every MonoVertex pod, UDF errors and drops where a MonoVertex runs a map UDF, writes of
// every vertex pod, and the UDF's reads and writes on the map vertex; each below what was read.
TEST(SynthOpenMetrics, ExportsTheThroughputCountersNumaFlowsDefaultCharts) {
  std::vector<std::string> lines;
  Lines(OpenMetrics(kT0, kT0, seconds(15)), lines);
  std::map<std::string, std::map<std::string, double>> by_metric;  // metric -> pod -> value
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    if (!sample.name.ends_with("_total")) continue;
    by_metric[sample.name][LabelMap(sample.labels).at("pod")] = sample.value;
  }
  auto pods_of = [&](const std::string& metric) {
    std::set<std::string> pods;
    for (const auto& [pod, value] : by_metric[metric]) pods.insert(pod);
    return pods;
  };
  std::set<std::string> mvtx_pods, udf_pods;
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    for (const PodModel& pod : mvtx.pods) {
      mvtx_pods.insert(pod.name);
      if (HasHistogram(pod, Histogram::kMonovtxUdf)) udf_pods.insert(pod.name);
      const double read = by_metric["monovtx_read_total"][pod.name];
      const double written = by_metric["monovtx_sink_write_total"][pod.name];
      EXPECT_GT(written, 0.9 * read) << pod.name;
      EXPECT_LE(written, read) << pod.name;
    }
  }
  ASSERT_FALSE(udf_pods.empty());
  EXPECT_EQ(pods_of("monovtx_sink_write_total"), mvtx_pods);
  EXPECT_EQ(pods_of("monovtx_udf_error_total"), udf_pods);
  EXPECT_EQ(pods_of("monovtx_udf_drop_total"), udf_pods);
  for (const std::string& pod : udf_pods) {
    EXPECT_GT(by_metric["monovtx_udf_error_total"][pod], 0) << pod;
    EXPECT_LT(by_metric["monovtx_udf_error_total"][pod], by_metric["monovtx_udf_drop_total"][pod]);
    EXPECT_LT(by_metric["monovtx_udf_drop_total"][pod], by_metric["monovtx_read_total"][pod]);
  }
  std::set<std::string> vertex_pods, map_pods;
  for (const PipelineModel& pipeline : DefaultPipelines()) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) {
        vertex_pods.insert(pod.name);
        if (vertex.type == "MapUDF") map_pods.insert(pod.name);
        EXPECT_GT(by_metric["forwarder_write_total"][pod.name], 0) << pod.name;
        EXPECT_LE(by_metric["forwarder_write_total"][pod.name],
                  by_metric["forwarder_data_read_total"][pod.name]);
      }
    }
  }
  ASSERT_FALSE(map_pods.empty());
  EXPECT_EQ(pods_of("forwarder_write_total"), vertex_pods);
  EXPECT_EQ(pods_of("forwarder_udf_read_total"), map_pods);
  EXPECT_EQ(pods_of("forwarder_udf_write_total"), map_pods);
}

TEST(SynthExposition, MatchesOpenMetricsAtTheSameInstant) {
  const TimePoint t = kT0 + std::chrono::hours(5) + Duration{456};
  std::vector<std::string> om_lines;
  Lines(OpenMetrics(t, t, seconds(15)), om_lines);
  std::vector<std::string> ex_lines;
  Lines(RenderExposition(t), ex_lines);

  std::map<std::string, double> om_values;
  for (const std::string& line : om_lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    ASSERT_TRUE(sample.timestamp.has_value());
    EXPECT_DOUBLE_EQ(*sample.timestamp,
                     std::chrono::duration<double>(t.time_since_epoch()).count());
    om_values[sample.series] = sample.value;
  }
  std::map<std::string, double> ex_values;
  for (const std::string& line : ex_lines) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(line.starts_with("# HELP ") || line.starts_with("# TYPE ")) << line;
      continue;
    }
    const Sample sample = ParseSample(line);
    EXPECT_FALSE(sample.timestamp.has_value()) << "exposition carries no timestamps: " << line;
    ex_values[sample.series] = sample.value;
  }
  EXPECT_GT(ex_values.size(), 300u);
  EXPECT_EQ(ex_values, om_values);
  EXPECT_NE(std::find(ex_lines.begin(), ex_lines.end(), "# TYPE monovtx_read_total counter"),
            ex_lines.end());
}

TEST(SynthExposition, ContinuesWhereTheHistoryEnds) {
  const TimePoint end = kT0 + minutes(10);
  std::vector<std::string> om_lines;
  Lines(OpenMetrics(kT0, end, seconds(15)), om_lines);
  std::map<std::string, double> last;
  for (const std::string& line : om_lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    last[sample.series] = sample.value;
  }
  std::vector<std::string> ex_lines;
  Lines(RenderExposition(end + seconds(15)), ex_lines);
  int counters = 0;
  bool gauge = false;
  for (const std::string& line : ex_lines) {
    if (line.starts_with("# TYPE ")) gauge = line.ends_with(" gauge");
    if (line.starts_with("#") || gauge) continue;
    const Sample sample = ParseSample(line);
    ASSERT_TRUE(last.contains(sample.series)) << sample.series;
    EXPECT_GE(sample.value, last[sample.series]) << "counter reset: " << sample.series;
    ++counters;
  }
  EXPECT_GT(counters, 300);
}

}  // namespace
}  // namespace nfmetrics::synth

namespace nfmetrics::synth {
namespace {

// The benchmark's deployment: one MonoVertex of N pods whose quantiles differ, written like the
// default one.
TEST(SynthFleet, HasTheAskedPodsWithSpreadSinkLatencies) {
  const World world = FleetWorld(20);
  ASSERT_EQ(world.mono_vertices.size(), 1u);
  EXPECT_TRUE(world.pipelines.empty());
  const MonoVertexModel& fleet = world.mono_vertices.front();
  EXPECT_EQ(fleet.ns, "bench");
  EXPECT_EQ(fleet.name, "fleet");
  ASSERT_EQ(fleet.pods.size(), 20u);
  std::set<std::string> names;
  std::set<double> medians;
  for (const PodModel& pod : fleet.pods) {
    names.insert(pod.name);
    medians.insert(pod.median_us);
    EXPECT_TRUE(std::regex_match(pod.name, std::regex("fleet-mv-[0-9]+-[a-z0-9]{5}"))) << pod.name;
    for (Histogram h : {Histogram::kMonovtxSink, Histogram::kMonovtxProcessing,
                        Histogram::kMonovtxRead, Histogram::kMonovtxAck}) {
      EXPECT_TRUE(HasHistogram(pod, h)) << pod.name;
    }
  }
  EXPECT_EQ(names.size(), 20u);
  EXPECT_EQ(medians.size(), 12u);
  EXPECT_THROW(FleetWorld(0), std::invalid_argument);
  EXPECT_THROW(FleetWorld(1001), std::invalid_argument);
}

TEST(SynthFleet, WritesOnlyItsOwnSeries) {
  const World world = FleetWorld(3);
  const std::vector<Family> families = BuildFamilies(world);
  std::ostringstream out;
  const TimePoint end = kCounterEpoch + std::chrono::hours(24 * 300);
  WriteOpenMetrics(out, families, end - minutes(1), end, seconds(15));
  const std::string text = out.str();
  std::set<std::string> pods;
  std::istringstream lines(text);
  std::size_t sink_buckets = 0;
  const std::regex pod_label(R"re(pod="([^"]+)")re");
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::smatch match;
    if (std::regex_search(line, match, pod_label)) pods.insert(match[1]);
    EXPECT_EQ(line.find("namespace=\"default\""), std::string::npos) << line;
    if (line.starts_with("monovtx_sink_time_bucket")) ++sink_buckets;
  }
  EXPECT_TRUE(text.ends_with("# EOF\n"));
  EXPECT_EQ(sink_buckets, 3u * 11u * 5u);  // pods x buckets with +Inf x samples
  EXPECT_EQ(pods.size(), 4u);              // three data pods and the daemon
}

}  // namespace
}  // namespace nfmetrics::synth

namespace nfmetrics::synth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// An onset on the minute, well after the counter epoch; the tests look at the hours around it.
const TimePoint kOnset = kCounterEpoch + std::chrono::days(650) + hours(9);

const MonoVertexModel& Find(const World& world, std::string_view ns, std::string_view name) {
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    if (mvtx.ns == ns && mvtx.name == name) return mvtx;
  }
  throw std::runtime_error("no such MonoVertex");
}

// The value of `series_name{...pod="<pod>"...}` (or, for an empty pod, the series whose labels
// contain `match`) in the exposition at t.
double Exported(const std::vector<Family>& families, std::string_view series_name,
                std::string_view match, TimePoint t) {
  for (const Family& family : families) {
    for (const Series& series : family.series) {
      if (series.name == series_name && series.labels.find(match) != std::string::npos) {
        return ValueAt(series, t);
      }
    }
  }
  throw std::runtime_error("no such series");
}

std::string PodMatch(const PodModel& pod) { return "pod=\"" + pod.name + "\""; }

// `--days`: the fleet grows steadily over whole UTC days, with a weekly cycle (see Growth).
// kCounterEpoch (2024-01-01) was a Monday, and so is every whole number of weeks after it.
const TimePoint kGrowthMonday = kCounterEpoch + std::chrono::days(7 * 100);

TimePoint GrowthDayStart(int day) { return kGrowthMonday + std::chrono::days(day); }

double DayReadRate(const MonoVertexModel& mvtx, int day) {
  return MessagesReadPerSecond(mvtx, GrowthDayStart(day), GrowthDayStart(day + 1));
}

TEST(SynthGrowth, ReadRateGrowsByTwoPercentOfDayZerosPerDay) {
  EXPECT_EQ(kFleetGrowthPerDay, 0.02);
  const World world = FleetWorld(5, kGrowthMonday, 31);
  const MonoVertexModel& fleet = world.mono_vertices.front();
  const double day0 = DayReadRate(fleet, 0);
  // Mondays, so the weekly cycle does not enter: linear growth, not compounded.
  EXPECT_NEAR(DayReadRate(fleet, 7) / day0, 1.14, 1e-9);
  EXPECT_NEAR(DayReadRate(fleet, 14) / day0, 1.28, 1e-9);
  EXPECT_NEAR(DayReadRate(fleet, 28) / day0, 1.56, 1e-9);
  for (int day = 0; day <= 30; ++day) {
    EXPECT_NEAR(DayReadRate(fleet, day) / day0, DayLevel(*fleet.pods[0].growth, day), 1e-9) << day;
  }
  // Day 0 is the steady fleet's day (the daily cycle averages to 1 over a whole day).
  const World steady = FleetWorld(5);
  EXPECT_NEAR(day0, DayReadRate(steady.mono_vertices.front(), 0), 1e-9 * day0);
  EXPECT_NEAR(DayReadRate(steady.mono_vertices.front(), 28) / day0, 1, 1e-9);
  // Before the origin the grown fleet is the steady one, counters included.
  const PodModel& pod = fleet.pods[3];
  const PodModel& steady_pod = steady.mono_vertices.front().pods[3];
  const TimePoint before = kGrowthMonday - hours(5);
  EXPECT_EQ(Batches(pod, before), Batches(steady_pod, before));
  EXPECT_EQ(SinkCount(pod, kGrowthMonday), SinkCount(steady_pod, kGrowthMonday));
  EXPECT_EQ(SinkBucketCount(pod, 3, before), SinkBucketCount(steady_pod, 3, before));
}

TEST(SynthGrowth, WeekendsRunAtSeventyPercentOfTheTrend) {
  EXPECT_TRUE(IsWeekend(kCounterEpoch + std::chrono::days(5) + hours(23)));     // Sat 2024-01-06
  EXPECT_TRUE(IsWeekend(kCounterEpoch + std::chrono::days(6)));                 // Sun 2024-01-07
  EXPECT_FALSE(IsWeekend(kCounterEpoch + std::chrono::days(7)));                // Mon 2024-01-08
  EXPECT_FALSE(IsWeekend(kCounterEpoch + std::chrono::days(5) - Duration{1}));  // Fri 23:59:59.999
  const World world = FleetWorld(3, kGrowthMonday, 14);
  const MonoVertexModel& fleet = world.mono_vertices.front();
  const double day0 = DayReadRate(fleet, 0);
  for (int day = 0; day < 14; ++day) {
    const bool weekend = day % 7 == 5 || day % 7 == 6;
    EXPECT_NEAR(DayReadRate(fleet, day) / day0, (1 + 0.02 * day) * (weekend ? 0.7 : 1.0), 1e-9)
        << day;
  }
  // Within a day the daily cycle stays: busier at 06:00 than at 18:00 UTC, on a Saturday too.
  const PodModel& pod = fleet.pods[0];
  const TimePoint saturday = GrowthDayStart(5);
  EXPECT_GT(BatchesBetween(pod, saturday + hours(5), saturday + hours(7)),
            1.5 * BatchesBetween(pod, saturday + hours(17), saturday + hours(19)));
}

TEST(SynthGrowth, SinkAndProcessingLatencyGrowWithTheSquareRootOfTheLoad) {
  const World world = FleetWorld(4, kGrowthMonday, 31);
  const MonoVertexModel& fleet = world.mono_vertices.front();
  const PodModel& pod = fleet.pods[2];
  auto day_mean = [&](Histogram h, int day) {
    return MeanUs(pod, h, GrowthDayStart(day), GrowthDayStart(day + 1));
  };
  for (Histogram h : {Histogram::kMonovtxSink, Histogram::kMonovtxProcessing}) {
    EXPECT_NEAR(day_mean(h, 28) / day_mean(h, 0), std::sqrt(1.56), 1e-9);
    EXPECT_NEAR(day_mean(h, 5) / day_mean(h, 0), std::sqrt(1.1 * 0.7), 1e-9);  // a Saturday
    EXPECT_NEAR(LatencyAt(pod, h, GrowthDayStart(28) + hours(3)).median_us,
                LatencyOf(pod, h).median_us * std::sqrt(1.56), 1e-6);
  }
  for (Histogram h : {Histogram::kMonovtxRead, Histogram::kMonovtxAck}) {
    EXPECT_NEAR(day_mean(h, 28) / day_mean(h, 0), 1, 1e-9);
  }
  // So do the fleet's quantiles, though histogram_quantile's interpolation inside the coarse
  // buckets (each 5.9x the one before) moves far less than the medians do.
  for (double q : {0.5, 0.99}) {
    EXPECT_GT(
        ExpectedQuantileUs(fleet, Histogram::kMonovtxSink, q, GrowthDayStart(28),
                           GrowthDayStart(29)),
        ExpectedQuantileUs(fleet, Histogram::kMonovtxSink, q, GrowthDayStart(0), GrowthDayStart(1)))
        << q;
  }
}

TEST(SynthGrowth, CountersIntegrateTheGrownModelAcrossMidnights) {
  const World world = FleetWorld(2, kGrowthMonday, 10);
  const PodModel& pod = world.mono_vertices.front().pods[1];
  const Histogram sink = Histogram::kMonovtxSink;
  // Friday 20:00 to Saturday 04:00: two levels, two latencies.
  const TimePoint from = GrowthDayStart(4) + hours(20);
  const TimePoint to = GrowthDayStart(5) + hours(4);
  const double count = static_cast<double>(HistogramCount(pod, sink, to)) -
                       static_cast<double>(HistogramCount(pod, sink, from));
  EXPECT_NEAR(count, ObservationsBetween(pod, sink, from, to), 1.0);
  for (std::size_t le = 0; le < kSinkBucketsUs.size(); ++le) {
    const double bucket = static_cast<double>(HistogramBucketCount(pod, sink, le, to)) -
                          static_cast<double>(HistogramBucketCount(pod, sink, le, from));
    EXPECT_NEAR(bucket / count, HistogramCdf(pod, sink, kSinkBucketsUs[le], from, to), 1e-5) << le;
  }
  EXPECT_NEAR((HistogramSum(pod, sink, to) - HistogramSum(pod, sink, from)) / count,
              MeanUs(pod, sink, from, to), 1e-3);
  // Past the last modelled day the last day's level holds; counters never go back.
  const TimePoint last = GrowthDayStart(9);
  EXPECT_NEAR(LoadLevel(*pod.growth, last + std::chrono::days(3)), 1 + 0.02 * 9, 1e-12);
  EXPECT_EQ(LoadLevel(*pod.growth, kGrowthMonday - Duration{1}), 1);
  std::uint64_t previous = 0;
  for (TimePoint t = kGrowthMonday - hours(1); t < last + std::chrono::days(2); t += minutes(30)) {
    const std::uint64_t now = HistogramBucketCount(pod, sink, 4, t);
    EXPECT_GE(now, previous);
    EXPECT_LE(now, HistogramCount(pod, sink, t));
    previous = now;
  }
}

TEST(SynthGrowth, OnlyAGrowthGivenExplicitlyGrows) {
  EXPECT_EQ(FleetWorld(3).mono_vertices.front().pods[0].growth, nullptr);
  for (const MonoVertexModel& mvtx : DefaultWorld().mono_vertices) {
    for (const PodModel& pod : mvtx.pods) EXPECT_EQ(pod.growth, nullptr);
  }
  EXPECT_THROW(MakeGrowth(kGrowthMonday + hours(1), 3), std::invalid_argument);
  EXPECT_THROW(MakeGrowth(kGrowthMonday, 0), std::invalid_argument);
  EXPECT_NO_THROW(MakeGrowth(kGrowthMonday + std::chrono::days(3), 1));
}

TEST(SynthDays, WindowIsWholeUtcDaysBeforeTodayPlusTodaySoFar) {
  const TimePoint midnight = kCounterEpoch + std::chrono::days(1067);
  const TimePoint end = midnight + hours(5) + minutes(43) + Duration{250};
  const TimeWindow window = DaysWindow(end, 3);
  EXPECT_EQ(window.start, midnight - std::chrono::days(3));
  EXPECT_EQ(window.end, end);
  EXPECT_EQ(window.start.time_since_epoch() % std::chrono::days(1), Duration::zero());
  // An end on a midnight: the D days before it, and no partial day.
  EXPECT_EQ(DaysWindow(midnight, 30).start, midnight - std::chrono::days(30));
  // One millisecond before midnight still belongs to the day before.
  EXPECT_EQ(DaysWindow(midnight - Duration{1}, 1).start, midnight - std::chrono::days(2));
  EXPECT_THROW(DaysWindow(end, 0), std::invalid_argument);
  EXPECT_THROW(DaysWindow(end, 91), std::invalid_argument);
  EXPECT_NO_THROW(DaysWindow(end, 90));
}

TEST(SynthDays, GrownFleetWritesMonotoneContiguousSeries) {
  const World world = FleetWorld(2, kGrowthMonday, 3);
  const std::vector<Family> families = BuildFamilies(world);
  std::ostringstream out;
  const TimeWindow window = DaysWindow(GrowthDayStart(2) + hours(1), 2);
  WriteOpenMetrics(out, families, std::vector<TimeWindow>{window}, minutes(30));
  std::istringstream lines(out.str());
  std::map<std::string, double> last_value;
  std::set<std::string> finished;
  std::string current;
  std::size_t samples = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t value_at = line.find(' ');
    const std::string series = line.substr(0, value_at);
    const double value = std::stod(line.substr(value_at + 1));
    if (series != current) {
      EXPECT_FALSE(finished.contains(series)) << series << " is not contiguous";
      if (!current.empty()) finished.insert(current);
      current = series;
    } else if (series.find("_total") != std::string::npos ||
               series.find("_time_") != std::string::npos) {
      EXPECT_GE(value, last_value[series]) << line;
    }
    last_value[series] = value;
    if (series.starts_with("monovtx_sink_time_count")) ++samples;
  }
  EXPECT_EQ(samples, 2u * (2 * 48 + 2 + 1));  // pods x (two days and 01:00 at 30 min, inclusive)
}

TEST(SynthLoad, CyclesDailyAndCountersIntegrateItExactly) {
  const TimePoint midnight = kCounterEpoch + std::chrono::days(650);  // 00:00 UTC
  EXPECT_NEAR(LoadFactor(midnight), 1, 1e-9);
  EXPECT_NEAR(LoadFactor(midnight + hours(6)), 1 + kLoadAmplitude, 1e-9);
  EXPECT_NEAR(LoadFactor(midnight + hours(18)), 1 - kLoadAmplitude, 1e-9);
  EXPECT_NEAR(MeanLoad(midnight, midnight + hours(24)), 1, 1e-9);
  // MeanLoad is the average of LoadFactor (midpoint rule over one-second steps).
  const TimePoint from = midnight + hours(3) + seconds(17);
  const TimePoint to = from + hours(2);
  double sum = 0;
  for (int s = 0; s < 7200; ++s) sum += LoadFactor(from + seconds(s) + Duration{500});
  EXPECT_NEAR(MeanLoad(from, to), sum / 7200, 1e-6);
  // Every pod follows it: counts grow by BatchesBetween, busier at the peak than at the trough.
  const PodModel& pod = DefaultModel()[0].pods[0];
  EXPECT_NEAR(BatchesBetween(pod, from, to), pod.batches_per_second * 7200 * MeanLoad(from, to),
              1e-3);
  EXPECT_NEAR(static_cast<double>(SinkCount(pod, to) - SinkCount(pod, from)),
              ObservationsBetween(pod, Histogram::kMonovtxSink, from, to), 1.0);
  EXPECT_GT(BatchesBetween(pod, midnight + hours(5), midnight + hours(7)),
            1.5 * BatchesBetween(pod, midnight + hours(17), midnight + hours(19)));
  const std::vector<Family> families = BuildFamilies(DefaultWorld());
  const double read = Exported(families, "monovtx_read_total", PodMatch(pod), to) -
                      Exported(families, "monovtx_read_total", PodMatch(pod), from);
  EXPECT_NEAR(read / 7200, MessagesReadPerSecond(pod, from, to), 1.0 / 7200);
  // The fleet too.
  const World fleet = FleetWorld(2);
  const PodModel& fleet_pod = fleet.mono_vertices[0].pods[1];
  EXPECT_NEAR(BatchesBetween(fleet_pod, from, to),
              fleet_pod.batches_per_second * 7200 * MeanLoad(from, to), 1e-3);
}

TEST(SynthIncident, OnlyDefaultWorldWithAnOnsetHasIt) {
  const World world = DefaultWorld(kOnset);
  EXPECT_EQ(world.incident_onset, kOnset);
  EXPECT_EQ(DefaultWorld().incident_onset, std::nullopt);
  std::size_t incident_pods = 0;
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    const PodModel* pod = IncidentPod(mvtx);
    if (mvtx.ns == kIncidentNamespace && mvtx.name == kIncidentMonoVertex) {
      ASSERT_NE(pod, nullptr);
      EXPECT_EQ(pod->replica, kIncidentReplica);
      EXPECT_FALSE(pod->slow);
      EXPECT_EQ(mvtx.incident_onset, kOnset);
      ++incident_pods;
    } else {
      EXPECT_EQ(pod, nullptr) << mvtx.name;
      EXPECT_EQ(mvtx.incident_onset, std::nullopt) << mvtx.name;
    }
  }
  EXPECT_EQ(incident_pods, 1u);
  for (const MonoVertexModel& mvtx : DefaultWorld().mono_vertices) {
    EXPECT_EQ(IncidentPod(mvtx), nullptr) << mvtx.name;
  }
  // The incident pod's name follows the pod name rule.
  const MonoVertexModel& checkout = Find(world, "default", "checkout");
  EXPECT_TRUE(std::regex_match(IncidentPod(checkout)->name,
                               std::regex("checkout-mv-2-[bcdfghjklmnpqrstvwxz2456789]{5}")));
}

// The quantile checks of the model hold before and after the onset, for every pod and the
// MonoVertex, in every histogram.
TEST(SynthIncident, CheckedQuantilesAreUnambiguousBeforeAndAfterTheOnset) {
  const World world = DefaultWorld(kOnset);
  const MonoVertexModel& checkout = Find(world, "default", "checkout");
  std::size_t checked = 0;
  for (const auto& [from, to, when] : {std::tuple{kOnset - hours(1), kOnset, "before"},
                                       std::tuple{kOnset, kOnset + hours(1), "after"}}) {
    for (Histogram histogram : kMonoVertexHistograms) {
      if (!HasHistogram(checkout, histogram)) continue;
      for (double q : kCheckedQuantiles) {
        for (double le : BucketBoundsUs(histogram)) {
          const double cdf = HistogramCdf(checkout, histogram, le, from, to);
          EXPECT_TRUE(IsUnambiguousBound(cdf, q)) << when << " checkout " << MetricName(histogram)
                                                  << " q=" << q << " le=" << le << " cdf=" << cdf;
          for (const PodModel& pod : checkout.pods) {
            const double pod_cdf = HistogramCdf(pod, histogram, le, from, to);
            EXPECT_TRUE(IsUnambiguousBound(pod_cdf, q))
                << when << " " << pod.name << " " << MetricName(histogram) << " q=" << q
                << " le=" << le << " cdf=" << pod_cdf;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 600u);
}

double PeerMedian(const MonoVertexModel& mvtx, const PodModel& outlier, auto figure) {
  std::vector<double> peers;
  for (const PodModel& pod : mvtx.pods) {
    if (&pod != &outlier) peers.push_back(figure(pod));
  }
  std::sort(peers.begin(), peers.end());
  EXPECT_LE(peers.back() / peers.front(), 1.5);
  return peers[peers.size() / 2];
}

// What a diagnosis must find: before the onset replica 2 is like its peers; after it, its sink
// (and so its processing) is far slower, while the UDF still dominates checkout's processing.
TEST(SynthIncident, CheckoutsIncidentPodSlowsItsSinkNineFoldFromTheOnset) {
  const World world = DefaultWorld(kOnset);
  const MonoVertexModel& checkout = Find(world, "default", "checkout");
  ASSERT_EQ(checkout.pods.size(), 4u);
  const PodModel& slow = *IncidentPod(checkout);
  const TimePoint before_from = kOnset - hours(1);
  const TimePoint after_to = kOnset + hours(1);
  for (Histogram histogram : {Histogram::kMonovtxSink, Histogram::kMonovtxProcessing}) {
    SCOPED_TRACE(MetricName(histogram));
    auto mean_before = [&](const PodModel& pod) {
      return MeanUs(pod, histogram, before_from, kOnset);
    };
    auto mean_after = [&](const PodModel& pod) { return MeanUs(pod, histogram, kOnset, after_to); };
    const double before = mean_before(slow) / PeerMedian(checkout, slow, mean_before);
    EXPECT_GT(before, 1 / 1.5);
    EXPECT_LT(before, 1.5);
    EXPECT_GT(mean_after(slow), 1.8 * PeerMedian(checkout, slow, mean_after));
  }
  // Every checked sink quantile as histogram_quantile computes it stands out too (processing's
  // stay inside one wide bucket, so only its mean does).
  for (double q : kCheckedQuantiles) {
    SCOPED_TRACE(q);
    auto quantile_after = [&](const PodModel& pod) {
      return ExpectedQuantileUs(pod, Histogram::kMonovtxSink, q, kOnset, after_to);
    };
    EXPECT_GT(quantile_after(slow), 1.8 * PeerMedian(checkout, slow, quantile_after));
  }
  // The sink: 9x its own median.
  EXPECT_DOUBLE_EQ(LatencyOf(slow, Histogram::kMonovtxSink, after_to).median_us,
                   kIncidentSlowdown * LatencyOf(slow, Histogram::kMonovtxSink).median_us);
  auto sink_median_after = [&](const PodModel& pod) {
    return LatencyOf(pod, Histogram::kMonovtxSink, after_to).median_us;
  };
  const double ratio = sink_median_after(slow) / PeerMedian(checkout, slow, sink_median_after);
  // Its own median grows 9x; replica 2 is the fastest of its peers before, so ~7x theirs after.
  EXPECT_GE(ratio, 6.5);
  EXPECT_LE(ratio, 10);
  // Only from the onset on: LatencyOf at the onset itself is still the steady one.
  EXPECT_EQ(&LatencyOf(slow, Histogram::kMonovtxSink, kOnset),
            &LatencyOf(slow, Histogram::kMonovtxSink));
  // The UDF dominates: mean >= 3x the sink's, and >= half the summed stage means, even after.
  using H = Histogram;
  for (const auto& [from, to] : {std::pair{before_from, kOnset}, std::pair{kOnset, after_to}}) {
    const double udf = MeanUs(checkout, H::kMonovtxUdf, from, to);
    const double sink = MeanUs(checkout, H::kMonovtxSink, from, to);
    const double stages = MeanUs(checkout, H::kMonovtxRead, from, to) + udf + sink +
                          MeanUs(checkout, H::kMonovtxAck, from, to);
    EXPECT_GE(udf / stages, 0.5);
    if (to == kOnset) EXPECT_GE(udf, 3 * sink);
  }
}

TEST(SynthIncident, WindowFunctionsAreWhatTheCountersIncreaseBy) {
  const World world = DefaultWorld(kOnset);
  const std::vector<Family> families = BuildFamilies(world);
  const MonoVertexModel& checkout = Find(world, "default", "checkout");
  const PodModel& slow = *IncidentPod(checkout);
  using H = Histogram;
  // A window across the onset: a mixture of both latencies.
  const TimePoint from = kOnset - minutes(20);
  const TimePoint to = kOnset + minutes(10);
  const std::string labels = PodMatch(slow);
  auto increase = [&](const std::string& name) {
    return Exported(families, name, labels, to) - Exported(families, name, labels, from);
  };
  const double count = increase("monovtx_sink_time_count");
  EXPECT_NEAR(count, ObservationsBetween(slow, H::kMonovtxSink, from, to), 1.0);
  EXPECT_NEAR(increase("monovtx_sink_time_sum") / count, MeanUs(slow, H::kMonovtxSink, from, to),
              1e-3 * MeanUs(slow, H::kMonovtxSink, from, to));
  std::vector<std::pair<double, double>> buckets;
  for (std::size_t i = 0; i <= kSinkBucketsUs.size(); ++i) {
    const std::string le = "le=\"" + FormatLe(H::kMonovtxSink, i) + "\"";
    double value = 0;
    for (const Family& family : families) {
      for (const Series& series : family.series) {
        if (series.name == "monovtx_sink_time_bucket" &&
            series.labels.find(labels) != std::string::npos &&
            series.labels.find(le) != std::string::npos) {
          value = ValueAt(series, to) - ValueAt(series, from);
        }
      }
    }
    const double bound = i < kSinkBucketsUs.size() ? kSinkBucketsUs[i] : kInf;
    EXPECT_NEAR(value / count, HistogramCdf(slow, H::kMonovtxSink, bound, from, to), 2 / count);
    buckets.emplace_back(bound, value);
  }
  for (double q : kCheckedQuantiles) {
    const auto [lower, upper] = QuantileBucket(slow, H::kMonovtxSink, q, from, to);
    EXPECT_NEAR(HistogramQuantile(q, buckets),
                ExpectedQuantileUs(slow, H::kMonovtxSink, q, from, to), 0.01 * (upper - lower));
  }
  // Before and after, the window functions are the pure ones.
  EXPECT_EQ(QuantileBucket(slow, H::kMonovtxSink, 0.5, from, kOnset),
            QuantileBucket(slow, H::kMonovtxSink, 0.5));
  EXPECT_NE(QuantileBucket(slow, H::kMonovtxSink, 0.5, kOnset, to),
            QuantileBucket(slow, H::kMonovtxSink, 0.5));
  // The MonoVertex mixture weighs its pods by their observations.
  const double le = kSinkBucketsUs[3];
  double at_most = 0;
  double total = 0;
  for (const PodModel& pod : checkout.pods) {
    at_most += HistogramCdf(pod, H::kMonovtxSink, le, from, to) *
               ObservationsBetween(pod, H::kMonovtxSink, from, to);
    total += ObservationsBetween(pod, H::kMonovtxSink, from, to);
  }
  EXPECT_NEAR(HistogramCdf(checkout, H::kMonovtxSink, le, from, to), at_most / total, 1e-12);
}

TEST(SynthIncident, CheckoutFailsSinkWritesFrom75To90MinutesAfterTheOnset) {
  const World world = DefaultWorld(kOnset);
  const std::vector<Family> families = BuildFamilies(world);
  const MonoVertexModel& checkout = Find(world, "default", "checkout");
  const TimePoint burst_start = kOnset + kSinkErrorBurstStart;
  const TimePoint burst_end = kOnset + kSinkErrorBurstEnd;
  for (const PodModel& pod : checkout.pods) {
    const std::string labels = PodMatch(pod);
    auto exported = [&](TimePoint t) {
      return Exported(families, "monovtx_sink_write_errors_total", labels, t);
    };
    EXPECT_EQ(exported(burst_start), 0) << pod.name;
    EXPECT_EQ(exported(burst_end),
              std::floor(kSinkErrorsPerSecond *
                         std::chrono::duration<double>(burst_end - burst_start).count()));
    EXPECT_EQ(exported(burst_end + hours(5)), exported(burst_end));
    EXPECT_DOUBLE_EQ(SinkWriteErrorsPerSecond(pod, burst_start, burst_end), kSinkErrorsPerSecond);
    EXPECT_EQ(SinkWriteErrorsPerSecond(pod, kOnset - hours(1), burst_start), 0);
  }
  // A one-hour diagnosis ending two hours after the onset sees 15 minutes of it.
  const double burst_seconds = std::chrono::duration<double>(burst_end - burst_start).count();
  EXPECT_DOUBLE_EQ(
      SinkWriteErrorsPerSecond(checkout, kOnset + hours(1), kOnset + hours(2)),
      static_cast<double>(checkout.pods.size()) * kSinkErrorsPerSecond * burst_seconds / 3600);
  // Nobody else fails a sink write, ever; and without the incident, neither does checkout.
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    if (&mvtx == &checkout) continue;
    EXPECT_EQ(SinkWriteErrorsPerSecond(mvtx, kOnset, kOnset + hours(3)), 0) << mvtx.name;
    EXPECT_EQ(Exported(families, "monovtx_sink_write_errors_total", PodMatch(mvtx.pods[0]),
                       kOnset + hours(3)),
              0);
  }
  EXPECT_EQ(
      SinkWriteErrorsPerSecond(Find(DefaultWorld(), "default", "checkout"), burst_start, burst_end),
      0);
}

TEST(SynthIncident, DropsAFixedShareOfTheReads) {
  const World world = DefaultWorld(kOnset);
  const std::vector<Family> families = BuildFamilies(world);
  const TimePoint from = kOnset - minutes(30);
  const TimePoint to = kOnset + minutes(30);
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    for (const PodModel& pod : mvtx.pods) {
      const std::string labels = PodMatch(pod);
      const double dropped = Exported(families, "monovtx_dropped_total", labels, to) -
                             Exported(families, "monovtx_dropped_total", labels, from);
      EXPECT_NEAR(dropped / 3600, DroppedPerSecond(pod, from, to), 1.0 / 3600) << pod.name;
      EXPECT_NEAR(DroppedPerSecond(pod, from, to),
                  kDroppedShare * MessagesReadPerSecond(pod, from, to), 1e-12);
    }
  }
}

TEST(SynthIncident, ShopsOutVertexBacklogGrowsFromTheOnset) {
  const World world = DefaultWorld(kOnset);
  const std::vector<Family> families = BuildFamilies(world);
  const PipelineModel& shop = world.pipelines.at(0);
  const PipelineModel& quiet = DefaultWorld().pipelines.at(0);
  ASSERT_EQ(world.pipelines.at(0).incident_onset, kOnset);
  for (std::size_t v = 0; v < shop.vertices.size(); ++v) {
    const VertexModel& vertex = shop.vertices[v];
    const bool grows = vertex.name == kBacklogVertex;
    EXPECT_EQ(vertex.backlog.has_value(), grows) << vertex.name;
    for (const PendingPeriod& period : kPendingPeriods) {
      const std::string match =
          "vertex=\"" + vertex.name + "\",period=\"" + std::string(period.name) + "\"";
      for (Duration after : {Duration{0}, Duration{minutes(10)}, Duration{hours(1)}}) {
        const TimePoint t = kOnset + after;
        const double value = VertexPending(vertex, period.name, t);
        EXPECT_EQ(Exported(families, "vertex_pending_messages", match, t), value);
        const double steady = VertexPending(quiet.vertices[v], period.name, t);
        const double growth =
            grows ? kBacklogPerSecond * std::chrono::duration<double>(after).count() : 0;
        EXPECT_NEAR(value - steady, growth, 1.0) << vertex.name << " " << period.name;
      }
      EXPECT_EQ(VertexPending(vertex, period.name, kOnset - minutes(5)),
                VertexPending(quiet.vertices[v], period.name, kOnset - minutes(5)));
    }
  }
  EXPECT_THROW(VertexPending(shop.vertices[0], "2m", kOnset), std::invalid_argument);
}

TEST(SynthOpenMetrics, WritesTheBaselineWindowsInTimeOrder) {
  const TimePoint end = kOnset + hours(2);
  const std::vector<int> days = {7, 1};
  const std::vector<TimeWindow> windows = WithBaselineWindows(end - minutes(2), end, days);
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].start, end - minutes(2) - std::chrono::days(7));
  EXPECT_EQ(windows[1].end, end - std::chrono::days(1));
  EXPECT_EQ(windows[2].end, end);
  EXPECT_THROW(WithBaselineWindows(end - minutes(2), end, std::vector<int>{0}),
               std::invalid_argument);
  const World world = DefaultWorld(kOnset);
  const std::vector<Family> families = BuildFamilies(world);
  std::ostringstream out;
  WriteOpenMetrics(out, families, windows, minutes(1));
  std::istringstream lines(out.str());
  std::map<std::string, std::vector<double>> times;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#")) continue;
    const std::size_t last = line.rfind(' ');
    times[line.substr(0, line.find(' '))].push_back(std::stod(line.substr(last + 1)));
  }
  ASSERT_FALSE(times.empty());
  const double end_s = std::chrono::duration<double>(end.time_since_epoch()).count();
  for (const auto& [series, ts] : times) {
    ASSERT_EQ(ts.size(), 9u) << series;  // three samples per window
    EXPECT_TRUE(std::is_sorted(ts.begin(), ts.end())) << series;
    EXPECT_DOUBLE_EQ(ts.front(), end_s - 120 - 7 * 86400);
    EXPECT_DOUBLE_EQ(ts[3], end_s - 120 - 86400);
    EXPECT_DOUBLE_EQ(ts.back(), end_s);
  }
}

}  // namespace
}  // namespace nfmetrics::synth
