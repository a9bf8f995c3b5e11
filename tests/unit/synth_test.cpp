// Specifies the synthetic NumaFlow data: a model whose quantile buckets are unambiguous, and
// OpenMetrics/exposition text that promtool and Prometheus accept and that agree with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "synth/exporter.hpp"
#include "synth/model.hpp"
#include "synth/openmetrics.hpp"

namespace nfmetrics::synth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kInf = std::numeric_limits<double>::infinity();
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

TEST(SynthModel, PodsOfOneMonoVertexHaveDifferentLatencies) {
  for (const MonoVertexModel& mvtx : DefaultModel()) {
    ASSERT_GE(mvtx.pods.size(), 3u) << mvtx.name;
    std::set<std::pair<double, double>> p50_buckets;
    for (const PodModel& pod : mvtx.pods) p50_buckets.insert(QuantileBucket(pod, 0.5));
    EXPECT_GE(p50_buckets.size(), 3u) << mvtx.ns << "/" << mvtx.name;
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
  EXPECT_NE(QuantileBucket(DefaultModel()[0], 0.5), QuantileBucket(DefaultModel()[3], 0.5));
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
  EXPECT_NE(DefaultModel()[0].pods[0].name, DefaultModel()[3].pods[0].name);
}

TEST(SynthModel, CountersGrowAtTheBatchRateFromAbsoluteTime) {
  const PodModel& pod = DefaultModel()[1].pods[1];
  EXPECT_EQ(SinkCount(pod, kCounterEpoch - seconds(5)), 0u);
  const std::uint64_t before = SinkCount(pod, kT0);
  const std::uint64_t after = SinkCount(pod, kT0 + minutes(1));
  EXPECT_NEAR(static_cast<double>(after - before), 60 * pod.batches_per_second, 1.0);
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
    if (sample.series != current_series) {
      EXPECT_TRUE(series_done.insert(sample.series).second) << "series split: " << sample.series;
      current_series = sample.series;
    }
    ASSERT_TRUE(sample.timestamp.has_value()) << line;
    samples[sample.series].emplace_back(*sample.timestamp, sample.value);
  }
  EXPECT_TRUE(families_seen.contains("monovtx_sink_time"));
  EXPECT_TRUE(families_seen.contains("monovtx_pending"));

  // (series without le, timestamp) -> [(le, count)], and _count per series and timestamp.
  std::map<std::pair<std::string, double>, std::vector<std::pair<double, double>>> buckets;
  std::map<std::pair<std::string, double>, double> counts;
  for (const auto& [series, points] : samples) {
    ASSERT_EQ(points.size(), 121u) << series;
    EXPECT_DOUBLE_EQ(points.front().first,
                     std::chrono::duration<double>(start.time_since_epoch()).count());
    for (std::size_t i = 1; i < points.size(); ++i) {
      EXPECT_LT(points[i - 1].first, points[i].first) << series;
      if (!series.starts_with("monovtx_pending")) {
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
    ASSERT_EQ(by_le.size(), kSinkBucketsUs.size() + 1) << key.first;
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
  std::set<std::string> pending_periods;
  int sink_series_lines = 0;
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    const Sample sample = ParseSample(line);
    const bool daemon = daemon_pods.contains(Label(sample.labels, "pod"));
    if (sample.name.starts_with("monovtx_sink_time")) {
      ++sink_series_lines;
      EXPECT_FALSE(daemon) << line;
      EXPECT_FALSE(Label(sample.labels, "mvtx_replica").empty()) << line;
    }
    if (sample.name == "monovtx_pending") {
      EXPECT_TRUE(daemon) << line;
      pending_periods.insert(Label(sample.labels, "period"));
    }
  }
  EXPECT_GT(sink_series_lines, 0);
  EXPECT_EQ(pending_periods, (std::set<std::string>{"1m", "5m", "15m", "default"}));
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
  for (const std::string& line : ex_lines) {
    if (line.starts_with("#") || line.starts_with("monovtx_pending")) continue;
    const Sample sample = ParseSample(line);
    ASSERT_TRUE(last.contains(sample.series)) << sample.series;
    EXPECT_GE(sample.value, last[sample.series]) << "counter reset: " << sample.series;
    ++counters;
  }
  EXPECT_GT(counters, 300);
}

}  // namespace
}  // namespace nfmetrics::synth
