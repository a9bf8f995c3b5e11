// Builds the series list once; values are pure functions of the model and the instant.
#include "synth/series.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <numbers>

namespace nfmetrics::synth {
namespace {

constexpr double kAckLagSeconds = 1;  // acks trail reads by the batches in flight
// Where a message is counted after its read: the UDF reads it, returns it, the sink writes it.
constexpr double kUdfReadLagSeconds = 0.2;
constexpr double kUdfWriteLagSeconds = 0.4;
constexpr double kWriteLagSeconds = 0.5;
// The fractions of the messages a MonoVertex's map UDF fails on and drops.
constexpr double kUdfErrorShare = 0.002;
constexpr double kUdfDropShare = 0.05;

std::string MonoVertexPodLabels(const MonoVertexModel& mvtx, const PodModel& pod) {
  return fmt::format(R"(namespace="{}",pod="{}",mvtx_name="{}",mvtx_replica="{}")", mvtx.ns,
                     pod.name, mvtx.name, pod.replica);
}

std::string VertexPodLabels(const PipelineModel& pipeline, const VertexModel& vertex,
                            const PodModel& pod) {
  return fmt::format(
      R"(namespace="{}",pod="{}",pipeline="{}",vertex="{}",vertex_type="{}",replica="{}",partition_name="{}")",
      pipeline.ns, pod.name, pipeline.name, vertex.name, vertex.type, pod.replica,
      vertex.partition_name);
}

const char* HelpOf(Histogram histogram) {
  switch (histogram) {
    case Histogram::kMonovtxProcessing:
      return "Time taken to process a batch end to end (µs).";
    case Histogram::kMonovtxRead:
      return "Time taken to read a batch from the source (µs).";
    case Histogram::kMonovtxTransformer:
      return "Time taken by the source transformer for a batch (µs).";
    case Histogram::kMonovtxUdf:
      return "Time taken by the map UDF for a batch (µs).";
    case Histogram::kMonovtxSink:
      return "Time taken to write a batch to the sink (µs).";
    case Histogram::kMonovtxFallbackSink:
      return "Time taken to write a batch to the fallback sink (µs).";
    case Histogram::kMonovtxOnSuccessSink:
      return "Time taken to write a batch to the on-success sink (µs).";
    case Histogram::kMonovtxAck:
      return "Time taken to acknowledge a batch to the source (µs).";
    case Histogram::kMonovtxNack:
      return "Time taken to negatively acknowledge a batch to the source (µs).";
    case Histogram::kForwarderRead:
      return "Time taken to read a batch from the buffer or source (µs).";
    case Histogram::kForwarderUdf:
      return "Time taken by the UDF for a batch (µs).";
    case Histogram::kForwarderWrite:
      return "Time taken to write a batch to the next buffers or the sink (µs).";
    case Histogram::kForwarderProcessing:
      return "Time taken to forward a batch end to end (µs).";
    case Histogram::kForwarderAck:
      return "Time taken to acknowledge a batch (µs).";
  }
  return "";
}

void AddHistogramSeries(Family& family, Histogram histogram, const PodModel& pod,
                        const std::string& labels) {
  const std::string base(MetricName(histogram));
  for (std::size_t i = 0; i <= BucketBoundsUs(histogram).size(); ++i) {
    Series bucket{
        base + "_bucket",    fmt::format("{{{},le=\"{}\"}}", labels, FormatLe(histogram, i)),
        SeriesKind::kBucket, &pod,
        histogram,           i};
    family.series.push_back(std::move(bucket));
  }
  family.series.push_back(
      Series{base + "_sum", "{" + labels + "}", SeriesKind::kSum, &pod, histogram});
  family.series.push_back(
      Series{base + "_count", "{" + labels + "}", SeriesKind::kCount, &pod, histogram});
}

Family HistogramFamily(const World& world, Histogram histogram) {
  const std::string name(MetricName(histogram));
  Family family{name, name, MetricType::kHistogram, HelpOf(histogram), {}};
  if (IsMonoVertexHistogram(histogram)) {
    for (const MonoVertexModel& mvtx : world.mono_vertices) {
      for (const PodModel& pod : mvtx.pods) {
        if (HasHistogram(pod, histogram)) {
          AddHistogramSeries(family, histogram, pod, MonoVertexPodLabels(mvtx, pod));
        }
      }
    }
  } else {
    for (const PipelineModel& pipeline : world.pipelines) {
      for (const VertexModel& vertex : pipeline.vertices) {
        for (const PodModel& pod : vertex.pods) {
          if (HasHistogram(pod, histogram)) {
            AddHistogramSeries(family, histogram, pod, VertexPodLabels(pipeline, vertex, pod));
          }
        }
      }
    }
  }
  return family;
}

Family CounterFamily(std::string name, std::string help) {
  return Family{name, name + "_total", MetricType::kCounter, std::move(help), {}};
}

Family GaugeFamily(std::string name, std::string help) {
  return Family{name, name, MetricType::kGauge, std::move(help), {}};
}

Series Messages(const std::string& name, std::string labels, const PodModel& pod, double lag_s,
                double share = 1) {
  Series series{name, std::move(labels), SeriesKind::kMessages, &pod};
  series.lag_s = lag_s;
  series.share = share;
  return series;
}

// The message counters NumaFlow's default metrics-proxy charts beside the read rate: a MonoVertex
// pod's sink writes and, where it runs a map UDF, the UDF's errors and drops; a vertex pod's
// writes and, on a map vertex, the messages through its UDF.
void AddMessageCounters(const World& world, std::vector<Family>& families) {
  Family sink_write =
      CounterFamily("monovtx_sink_write", "Total number of messages written to the sink.");
  Family udf_error =
      CounterFamily("monovtx_udf_error", "Total number of errors returned by the map UDF.");
  Family udf_drop =
      CounterFamily("monovtx_udf_drop", "Total number of messages dropped by the map UDF.");
  Family sink_errors = CounterFamily("monovtx_sink_write_errors",
                                     "Total number of errors while writing to the sink.");
  Family dropped = CounterFamily("monovtx_dropped", "Total number of messages dropped.");
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    for (const PodModel& pod : mvtx.pods) {
      const std::string labels = "{" + MonoVertexPodLabels(mvtx, pod) + "}";
      const bool udf = HasHistogram(pod, Histogram::kMonovtxUdf);
      sink_write.series.push_back(Messages("monovtx_sink_write_total", labels, pod,
                                           kWriteLagSeconds, udf ? 1 - kUdfDropShare : 1));
      sink_errors.series.push_back(
          Series{"monovtx_sink_write_errors_total", labels, SeriesKind::kSinkWriteErrors, &pod});
      // Dropped when read (no lag), so DroppedPerSecond is exact.
      dropped.series.push_back(Messages("monovtx_dropped_total", labels, pod, 0, kDroppedShare));
      if (!udf) continue;
      udf_error.series.push_back(
          Messages("monovtx_udf_error_total", labels, pod, kUdfWriteLagSeconds, kUdfErrorShare));
      udf_drop.series.push_back(
          Messages("monovtx_udf_drop_total", labels, pod, kUdfWriteLagSeconds, kUdfDropShare));
    }
  }
  Family write =
      CounterFamily("forwarder_write", "Total number of messages written by the vertex.");
  Family udf_read =
      CounterFamily("forwarder_udf_read", "Total number of messages passed to the UDF.");
  Family udf_write =
      CounterFamily("forwarder_udf_write", "Total number of messages returned by the UDF.");
  for (const PipelineModel& pipeline : world.pipelines) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) {
        const std::string labels = "{" + VertexPodLabels(pipeline, vertex, pod) + "}";
        write.series.push_back(Messages("forwarder_write_total", labels, pod, kWriteLagSeconds));
        if (!HasHistogram(pod, Histogram::kForwarderUdf)) continue;
        udf_read.series.push_back(
            Messages("forwarder_udf_read_total", labels, pod, kUdfReadLagSeconds));
        udf_write.series.push_back(
            Messages("forwarder_udf_write_total", labels, pod, kUdfWriteLagSeconds));
      }
    }
  }
  for (Family* family : {&sink_write, &sink_errors, &dropped, &udf_error, &udf_drop, &write,
                         &udf_read, &udf_write}) {
    if (!family->series.empty()) families.push_back(std::move(*family));
  }
}

Series Gauge(const std::string& name, std::string labels, Wave wave) {
  Series series{name, std::move(labels), SeriesKind::kGauge};
  series.wave = wave;
  return series;
}

// Containers of a pod, as NumaFlow names them, with a CPU share relative to the pod's figure.
struct Container {
  const char* name;
  double share;
};

std::vector<Container> MonoVertexContainers(const PodModel& pod) {
  std::vector<Container> containers = {{"numa", 0.8}, {"udsink", 1.1}};
  if (HasHistogram(pod, Histogram::kMonovtxTransformer)) containers.push_back({"transformer", 0.6});
  if (HasHistogram(pod, Histogram::kMonovtxUdf)) containers.push_back({"udf", 1.3});
  if (HasHistogram(pod, Histogram::kMonovtxFallbackSink)) containers.push_back({"fb-udsink", 0.3});
  return containers;
}

std::vector<Container> VertexContainers(const VertexModel& vertex) {
  std::vector<Container> containers = {{"numa", 0.9}};
  if (vertex.type == "MapUDF") containers.push_back({"udf", 1.3});
  if (vertex.type == "Sink") containers.push_back({"udsink", 1.1});
  return containers;
}

// CPU and memory utilisation (% of the request) of every pod, daemons included, and of the
// containers of the data pods; the slow refunds pod also burns several times the CPU of its peers.
void AddUtilization(const World& world, std::vector<Family>& families) {
  Family pod_cpu = GaugeFamily("namespace_pod_cpu_utilization",
                               "CPU used by the pod, as a percentage of its request.");
  Family pod_memory = GaugeFamily("namespace_pod_memory_utilization",
                                  "Memory used by the pod, as a percentage of its request.");
  Family container_cpu = GaugeFamily("namespace_app_container_cpu_utilization",
                                     "CPU used by the container, as a percentage of its request.");
  Family container_memory =
      GaugeFamily("namespace_app_container_memory_utilization",
                  "Memory used by the container, as a percentage of its request.");
  int index = 0;  // spreads the figures and the phases of the swings
  auto add_pod = [&](const std::string& ns, const std::string& pod, bool slow,
                     const std::vector<Container>& containers) {
    const double cpu = slow ? 75 : 12 + 3 * (index % 7);
    const double memory = 35 + 3 * (index % 9);
    const double period = 2400 + 120 * (index % 11);
    const std::string labels = fmt::format(R"(namespace="{}",pod="{}")", ns, pod);
    pod_cpu.series.push_back(
        Gauge(pod_cpu.name, "{" + labels + "}", {cpu, 0.1, period, /*decimals=*/2}));
    pod_memory.series.push_back(
        Gauge(pod_memory.name, "{" + labels + "}", {memory, 0.1, period * 1.5, 2}));
    for (const Container& container : containers) {
      const std::string container_labels =
          fmt::format(R"({{{},container="{}"}})", labels, container.name);
      container_cpu.series.push_back(
          Gauge(container_cpu.name, container_labels, {cpu * container.share, 0.1, period, 2}));
      container_memory.series.push_back(Gauge(container_memory.name, container_labels,
                                              {memory * container.share, 0.1, period * 1.5, 2}));
    }
    ++index;
  };
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    for (const PodModel& pod : mvtx.pods) {
      add_pod(mvtx.ns, pod.name, pod.slow, MonoVertexContainers(pod));
    }
    add_pod(mvtx.ns, mvtx.daemon_pod, false, {});
  }
  for (const PipelineModel& pipeline : world.pipelines) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) {
        add_pod(pipeline.ns, pod.name, pod.slow, VertexContainers(vertex));
      }
    }
    add_pod(pipeline.ns, pipeline.daemon_pod, false, {});
  }
  families.push_back(std::move(pod_cpu));
  families.push_back(std::move(pod_memory));
  families.push_back(std::move(container_cpu));
  families.push_back(std::move(container_memory));
}

}  // namespace

std::vector<Family> BuildFamilies(const World& world) {
  std::vector<Family> families;
  families.push_back(HistogramFamily(world, Histogram::kMonovtxSink));
  families.push_back(HistogramFamily(world, Histogram::kMonovtxProcessing));
  for (Histogram histogram : kMonoVertexHistograms) {
    if (histogram != Histogram::kMonovtxSink && histogram != Histogram::kMonovtxProcessing) {
      families.push_back(HistogramFamily(world, histogram));
    }
  }

  Family read = CounterFamily("monovtx_read", "Total number of messages read from the source.");
  Family ack = CounterFamily("monovtx_ack", "Total number of messages acknowledged to the source.");
  Family pending_raw = GaugeFamily("monovtx_pending_raw",
                                   "Pending messages of the source, as last read by the pod.");
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    for (const PodModel& pod : mvtx.pods) {
      const std::string labels = "{" + MonoVertexPodLabels(mvtx, pod) + "}";
      read.series.push_back(Messages("monovtx_read_total", labels, pod, 0));
      ack.series.push_back(Messages("monovtx_ack_total", labels, pod, kAckLagSeconds));
      pending_raw.series.push_back(Gauge(
          pending_raw.name, labels, {40.0 + 15 * pod.replica, 0.5, 1800.0 + 90 * pod.replica}));
    }
  }
  families.push_back(std::move(read));

  Family pending = GaugeFamily(
      "monovtx_pending", "Pending messages of the MonoVertex source, averaged over a period.");
  double base = 150;
  for (const MonoVertexModel& mvtx : world.mono_vertices) {
    for (const PendingPeriod& period : kPendingPeriods) {
      // Slow swings, distinct per period.
      pending.series.push_back(
          Gauge(pending.name,
                fmt::format(R"({{namespace="{}",pod="{}",mvtx_name="{}",period="{}"}})", mvtx.ns,
                            mvtx.daemon_pod, mvtx.name, period.name),
                {base, 0.5, 3600 + 10 * period.seconds}));
    }
    base += 100;
  }
  families.push_back(std::move(pending));
  families.push_back(std::move(ack));
  families.push_back(std::move(pending_raw));

  for (Histogram histogram : kVertexHistograms)
    families.push_back(HistogramFamily(world, histogram));

  Family data_read =
      CounterFamily("forwarder_data_read", "Total number of messages read by the vertex.");
  Family vertex_pending =
      GaugeFamily("vertex_pending_messages",
                  "Pending messages of the vertex partition, averaged over a period.");
  for (const PipelineModel& pipeline : world.pipelines) {
    for (const VertexModel& vertex : pipeline.vertices) {
      for (const PodModel& pod : vertex.pods) {
        data_read.series.push_back(Messages("forwarder_data_read_total",
                                            "{" + VertexPodLabels(pipeline, vertex, pod) + "}", pod,
                                            0));
      }
      for (const PendingPeriod& period : kPendingPeriods) {
        Series series{
            vertex_pending.name,
            fmt::format(
                R"({{namespace="{}",pod="{}",pipeline="{}",vertex="{}",period="{}",partition_name="{}"}})",
                pipeline.ns, pipeline.daemon_pod, pipeline.name, vertex.name, period.name,
                vertex.partition_name),
            SeriesKind::kVertexPending};
        series.vertex = &vertex;
        series.period = period.name;
        vertex_pending.series.push_back(std::move(series));
      }
    }
  }
  families.push_back(std::move(data_read));
  families.push_back(std::move(vertex_pending));

  AddMessageCounters(world, families);
  AddUtilization(world, families);
  return families;
}

const std::vector<Family>& AllFamilies() {
  static const std::vector<Family> families = BuildFamilies(DefaultWorld());
  return families;
}

std::string FormatLe(Histogram histogram, std::size_t le_index) {
  const auto& bounds = BucketBoundsUs(histogram);
  if (le_index >= bounds.size()) return "+Inf";
  return fmt::format("{}", bounds[le_index]);
}

void AppendValue(std::string& out, const Series& series, double value) {
  if (series.kind == SeriesKind::kSum) {
    fmt::format_to(std::back_inserter(out), "{:.3f}", value);
  } else if (series.kind == SeriesKind::kGauge && series.wave.decimals > 0) {
    fmt::format_to(std::back_inserter(out), "{:.{}f}", value, series.wave.decimals);
  } else {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(value));
  }
}

double ValueAt(const Series& series, TimePoint t) {
  switch (series.kind) {
    case SeriesKind::kBucket:
      return static_cast<double>(
          HistogramBucketCount(*series.pod, series.histogram, series.le_index, t));
    case SeriesKind::kSum:
      return HistogramSum(*series.pod, series.histogram, t);
    case SeriesKind::kCount:
      return static_cast<double>(HistogramCount(*series.pod, series.histogram, t));
    case SeriesKind::kMessages: {
      const auto lag = Duration{static_cast<long long>(series.lag_s * 1000)};
      return std::floor(Batches(*series.pod, t - lag) * kMessagesPerBatch * series.share);
    }
    case SeriesKind::kSinkWriteErrors:
      return std::floor(SinkWriteErrors(*series.pod, t));
    case SeriesKind::kVertexPending:
      return VertexPending(*series.vertex, series.period, t);
    case SeriesKind::kGauge: {
      const Wave& wave = series.wave;
      const double seconds = static_cast<double>(t.time_since_epoch().count()) / 1000.0;
      const double phase = 2 * std::numbers::pi * seconds / wave.period_s;
      const double scale = std::pow(10.0, wave.decimals);
      return std::round(wave.base * (1 + wave.amplitude * std::sin(phase)) * scale) / scale;
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
