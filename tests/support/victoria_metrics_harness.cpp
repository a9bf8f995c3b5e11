// Start-up: start victoria-metrics, poll /health, import the synthetic OpenMetrics (converted line
// by line) in chunks through /api/v1/import/prometheus, force a flush, then query the data once; a
// lost race for the free port is retried.
//
// Flags, and why each one matters for answers comparable with Prometheus:
//   -retentionPeriod=100y       the data is recent, but nothing should ever be dropped as too old
//   -search.latencyOffset=0s    by default the last 30 s before "now" are hidden from queries; the
//                               data ends at the minute before the suite starts
//   -search.disableCache        no rollup-result cache: every answer is computed from the samples
//                               as they are once imported, never from a result cached earlier
// and GOMAXPROCS=1 in its environment: VictoriaMetrics aggregates series on all its cores, so the
// order of a sum (and so its last bits) changes from one call to the next. With one core the same
// query gets the same answer every time, and "the API's answer equals the engine's own" can be
// checked exactly.
#include "support/victoria_metrics_harness.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "support/live_exporter.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kImportChunkBytes = std::size_t{8} << 20;

// "1795467600", "1795467600.5", "1795467600.123" -> milliseconds.
std::optional<long long> ParseTimestampMillis(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (ec != std::errc{} || end != whole.data() + whole.size() || whole.empty()) return std::nullopt;
  long long millis = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    char digit = i < fraction.size() ? fraction[i] : '0';
    if (digit < '0' || digit > '9') return std::nullopt;
    millis = millis * 10 + (digit - '0');
  }
  for (std::size_t i = 3; i < fraction.size(); ++i) {
    if (fraction[i] < '0' || fraction[i] > '9') return std::nullopt;
  }
  return seconds * 1000 + millis;
}

void Import(unsigned short port, const std::string& body) {
  const std::optional<LoopbackAnswer> answer = LoopbackRequest(
      port, "POST", "/api/v1/import/prometheus", body, "text/plain; version=0.0.4", 60s);
  if (!answer || answer->status / 100 != 2) {
    throw std::runtime_error(
        fmt::format("victoria-metrics import failed: {}",
                    answer ? fmt::format("HTTP {}: {}", answer->status, answer->body.substr(0, 500))
                           : "no answer"));
  }
}

// Streams the OpenMetrics file into VictoriaMetrics in chunks of whole lines.
void ImportOpenMetrics(unsigned short port, const std::filesystem::path& input) {
  std::ifstream in(input, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + input.string());
  std::string chunk;
  chunk.reserve(kImportChunkBytes + 4096);
  std::string line;
  while (std::getline(in, line)) {
    if (!AppendAsPrometheusText(line, chunk)) {
      throw std::runtime_error("cannot convert OpenMetrics line: " + line);
    }
    if (chunk.size() >= kImportChunkBytes) {
      Import(port, chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) Import(port, chunk);
}

}  // namespace

bool AppendAsPrometheusText(std::string_view line, std::string& out) {
  if (line.empty() || line.front() == '#') return true;
  const std::size_t last_space = line.rfind(' ');
  if (last_space == std::string_view::npos || last_space == 0) return false;
  // A line without a timestamp has only one space after the labels; the synthetic data always
  // carries one, so "name{...} value" alone is a line this converter does not expect.
  const std::size_t value_space = line.rfind(' ', last_space - 1);
  if (value_space == std::string_view::npos) return false;
  const std::optional<long long> millis = ParseTimestampMillis(line.substr(last_space + 1));
  if (!millis) return false;
  out.append(line.substr(0, last_space + 1));
  fmt::format_to(std::back_inserter(out), "{}\n", *millis);
  return true;
}

std::unique_ptr<VictoriaMetricsHarness> VictoriaMetricsHarness::Start(const SyntheticData& data) {
  ScratchDir scratch("nfmetrics-victoria-metrics");
  const std::filesystem::path dir = scratch.path();
  const std::filesystem::path input = dir / "synthetic.om";
  WriteSyntheticOpenMetrics(data, input);

  std::vector<std::string> args = {"GOMAXPROCS=1",
                                   "victoria-metrics",
                                   "-storageDataPath=" + (dir / "data").string(),
                                   "-retentionPeriod=100y",
                                   "-search.latencyOffset=0s",
                                   "-search.disableCache",
                                   "-loggerLevel=WARN"};
  if (!data.scrape_target.empty()) {
    std::ofstream(dir / "scrape.yml") << ScrapeConfigYaml(data.scrape_target, data.scrape_interval);
    args.push_back("-promscrape.config=" + (dir / "scrape.yml").string());
  }

  std::string last_failure;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const unsigned short port = FreeLoopbackPort();
    std::vector<std::string> with_port = args;
    with_port.push_back(fmt::format("-httpListenAddr=127.0.0.1:{}", port));
    auto process = ChildProcess::Start("env", with_port,
                                       dir / fmt::format("victoria-metrics-{}.log", attempt));

    bool exited = false;
    last_failure = WaitUntilServing(*process, "victoria-metrics", port, "/health", 60s, exited);
    if (!last_failure.empty()) {
      if (exited && last_failure.find("address already in use") != std::string::npos) continue;
      throw std::runtime_error(last_failure);
    }

    try {
      ImportOpenMetrics(port, input);
      // Imported rows sit in memory for up to a second before search sees them; flush now.
      const std::optional<LoopbackAnswer> flushed =
          LoopbackRequest(port, "GET", "/internal/force_flush", {}, {}, 30s);
      if (!flushed || flushed->status != 200) {
        throw std::runtime_error("victoria-metrics /internal/force_flush failed");
      }
    } catch (const std::runtime_error& e) {
      process->Stop();
      throw std::runtime_error(fmt::format("{}\n{}", e.what(), process->LogTail()));
    }
    std::filesystem::remove(input);

    const std::string missing = WaitForSyntheticData(port, data.end, 30s);
    if (missing.empty()) {
      return std::unique_ptr<VictoriaMetricsHarness>(
          new VictoriaMetricsHarness(std::move(scratch), std::move(process), port));
    }
    process->Stop();
    throw std::runtime_error(
        fmt::format("victoria-metrics holds no synthetic data after import; {}\n{}", missing,
                    process->LogTail()));
  }
  throw std::runtime_error(last_failure);
}

VictoriaMetricsHarness::~VictoriaMetricsHarness() { process_->Stop(); }

std::string VictoriaMetricsHarness::url() const {
  return fmt::format("http://127.0.0.1:{}", port_);
}

std::string VictoriaMetricsHarness::LogTail(std::size_t max_bytes) const {
  return process_->LogTail(max_bytes);
}

}  // namespace nfmetrics::testing
