// Start-up: write OpenMetrics, promtool backfill, start prometheus, poll /-/ready, then query the
// data once; a lost race for the free port is retried.
#include "support/prometheus_harness.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "synth/openmetrics.hpp"

namespace nfmetrics::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// One GET to 127.0.0.1:port; nullopt when nothing complete came back within `timeout`.
// Self-contained on purpose: the harness must not depend on the code it helps to test.
std::optional<HttpAnswer> Get(unsigned short port, const std::string& target,
                              std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  std::optional<HttpAnswer> answer;
  auto exchange = [&]() -> asio::awaitable<void> {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    auto [connect_error] = co_await stream.async_connect(
        tcp::endpoint(asio::ip::address_v4::loopback(), port), use_tuple);
    if (connect_error) co_return;
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, fmt::format("127.0.0.1:{}", port));
    request.keep_alive(false);
    auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_error) co_return;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    auto [read_error, read] = co_await http::async_read(stream, buffer, response, use_tuple);
    if (read_error) co_return;
    answer = HttpAnswer{static_cast<int>(response.result_int()), std::move(response.body())};
  };
  asio::co_spawn(ioc, exchange, asio::detached);
  ioc.run();
  return answer;
}

std::filesystem::path MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      (std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / "nfmetrics-prometheus-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

// Removes the temp dir unless the harness took ownership of it.
struct DirGuard {
  std::filesystem::path dir;
  ~DirGuard() {
    if (dir.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

void Backfill(const std::filesystem::path& dir, TimePoint start, TimePoint end, Duration interval) {
  const std::filesystem::path input = dir / "synthetic.om";
  {
    std::ofstream out(input, std::ios::binary);
    synth::WriteOpenMetrics(out, start, end, interval);
    if (!out) throw std::runtime_error("cannot write " + input.string());
  }
  auto promtool = ChildProcess::Start("promtool",
                                      {"tsdb", "create-blocks-from", "openmetrics", "--quiet",
                                       input.string(), (dir / "data").string()},
                                      dir / "promtool.log");
  const std::optional<int> code = promtool->Wait(120s);
  if (code != 0) {
    promtool->Stop();
    throw std::runtime_error(fmt::format("promtool backfill failed ({}):\n{}",
                                         code ? fmt::format("exit {}", *code) : "timeout",
                                         promtool->LogTail()));
  }
  std::filesystem::remove(input);
}

std::string TimeParam(TimePoint t) {
  const long long ms = t.time_since_epoch().count();
  return fmt::format("{}.{:03}", ms / 1000, ms % 1000);
}

}  // namespace

unsigned short FreeLoopbackPort() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

std::unique_ptr<PrometheusHarness> PrometheusHarness::Start(TimePoint data_start,
                                                            TimePoint data_end, Duration interval) {
  DirGuard guard{MakeTempDir()};
  const std::filesystem::path& dir = guard.dir;
  Backfill(dir, data_start, data_end, interval);
  {
    std::ofstream config(dir / "prometheus.yml");
    config << "# No scrape jobs: every sample comes from the backfilled blocks.\n"
              "global:\n  scrape_interval: 15s\n";
  }

  std::string last_failure;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const unsigned short port = FreeLoopbackPort();
    const std::filesystem::path log = dir / fmt::format("prometheus-{}.log", attempt);
    auto process = ChildProcess::Start(
        "prometheus",
        {"--config.file=" + (dir / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (dir / "data").string(),
         fmt::format("--web.listen-address=127.0.0.1:{}", port),
         "--storage.tsdb.retention.time=30d", "--log.level=warn",
         // Debian's defaults point into /etc/prometheus; the harness needs no consoles.
         "--web.console.templates=" + dir.string(), "--web.console.libraries=" + dir.string()},
        log);

    const auto deadline = std::chrono::steady_clock::now() + 60s;
    bool ready = false;
    while (std::chrono::steady_clock::now() < deadline && process->Running()) {
      const std::optional<HttpAnswer> answer = Get(port, "/-/ready", 1s);
      if (answer && answer->status == 200) {
        ready = true;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    if (!ready) {
      const bool exited = !process->Running();
      process->Stop();
      last_failure = fmt::format("prometheus on port {} {}:\n{}", port,
                                 exited ? "exited" : "not ready after 60 s", process->LogTail());
      if (exited && last_failure.find("address already in use") != std::string::npos) continue;
      throw std::runtime_error(last_failure);
    }

    // Ready means the TSDB is open; check that the backfilled blocks are really visible.
    const std::string target =
        "/api/v1/query?query=count(monovtx_sink_time_count)&time=" + TimeParam(data_end);
    std::optional<HttpAnswer> answer;
    for (int i = 0; i < 50; ++i) {
      answer = Get(port, target, 5s);
      static const std::regex kPositive(R"re("value":\[[0-9.e+]+,"[1-9][0-9]*"\])re");
      if (answer && answer->status == 200 && std::regex_search(answer->body, kPositive)) {
        auto harness = std::unique_ptr<PrometheusHarness>(
            new PrometheusHarness(std::move(guard.dir), std::move(process), port));
        guard.dir.clear();
        return harness;
      }
      std::this_thread::sleep_for(100ms);
    }
    process->Stop();
    throw std::runtime_error(
        fmt::format("prometheus is ready but holds no synthetic data; {} answered: {}\n{}", target,
                    answer ? answer->body : "nothing", process->LogTail()));
  }
  throw std::runtime_error(last_failure);
}

PrometheusHarness::~PrometheusHarness() {
  process_->Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PrometheusHarness::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

std::string PrometheusHarness::LogTail(std::size_t max_bytes) const {
  return process_->LogTail(max_bytes);
}

}  // namespace nfmetrics::testing
